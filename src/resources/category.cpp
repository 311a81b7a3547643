#include "resources/category.h"

#include <algorithm>
#include <map>

#include "core/text.h"

namespace lep::resources {
namespace {

std::vector<std::u32string::value_type> CodePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  auto x = CodePoints(a), y = CodePoints(b);
  std::vector<size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[y.size()];
}

std::string LastName(const std::string& path) {
  size_t pos = path.rfind('-');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

class SqlCategoryRepository final : public CategoryRepository {
 public:
  explicit SqlCategoryRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<Category>> All() override {
    LEP_ASSIGN_OR_RETURN(
        auto res, db_.Exec("SELECT c.id, c.parent_id, c.name, c.path, "
                           "(SELECT COUNT(*) FROM resources r WHERE r.category = c.path) "
                           "FROM categories c ORDER BY c.path"));
    std::vector<Category> out;
    for (const auto& r : res.rows) {
      Category c;
      c.id = r.Int(0);
      c.parent_id = r.OptInt(1);
      c.name = r.Text(2);
      c.path = r.Text(3);
      c.resource_count = r.Int(4);
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<Category> Create(std::optional<int64_t> parent_id, const std::string& name,
                          int64_t now) override {
    Category created;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      std::string path = name;
      if (parent_id) {
        LEP_ASSIGN_OR_RETURN(auto p, tx.QueryOne("SELECT path FROM categories WHERE id = ?",
                                                 {*parent_id}));
        if (!p) return Fail(Error::NotFound("上级分类不存在"));
        path = p->Text(0) + "-" + name;
      }
      auto row = tx.QueryOne(
          "INSERT INTO categories (parent_id, name, path, created_at) VALUES (?, ?, ?, ?) "
          "RETURNING id",
          {parent_id ? storage::Value(*parent_id) : storage::Value(nullptr), name, path, now});
      if (!row) {
        if (row.error().Is(ErrorCode::kAlreadyExists)) {
          return Fail(Error::AlreadyExists("分类“" + path + "”已存在",
                                           {{"name", "分类名称", "同一上级下已有同名分类"}}));
        }
        return Fail(row.error());
      }
      created = Category{(*row)->Int(0), parent_id, name, path, 0};
      return Ok();
    }));
    return created;
  }

  Result<Category> Rename(int64_t id, const std::string& name) override {
    Category renamed;
    LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT parent_id, path FROM categories "
                                                 "WHERE id = ?",
                                                 {id}));
      if (!row) return Fail(Error::NotFound("分类不存在"));
      std::string old_path = row->Text(1);
      size_t cut = old_path.rfind('-');
      std::string new_path =
          (cut == std::string::npos ? "" : old_path.substr(0, cut + 1)) + name;
      auto sub = [&](const char* table, const char* column) -> Status {
        // substr counts characters, not bytes: measure with length() in SQL.
        std::string sql = std::string("UPDATE ") + table + " SET " + column + " = ? || substr(" +
                          column + ", length(?) + 1) WHERE " + column + " = ? OR substr(" +
                          column + ", 1, length(?)) = ?";
        return tx
            .Exec(sql, {new_path, old_path, old_path, old_path + "-", old_path + "-"})
            .map([](auto&&) {});
      };
      auto dup = tx.QueryOne("SELECT id FROM categories WHERE path = ?", {new_path});
      if (!dup) return Fail(dup.error());
      if (*dup && (*dup)->Int(0) != id) {
        return Fail(Error::AlreadyExists("分类“" + new_path + "”已存在",
                                         {{"name", "分类名称", "同一上级下已有同名分类"}}));
      }
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE categories SET name = ? WHERE id = ?", {name, id}));
      LEP_RETURN_IF_ERROR(sub("categories", "path"));
      LEP_RETURN_IF_ERROR(sub("resources", "category"));
      renamed = Category{id, row->OptInt(0), name, new_path, 0};
      return Ok();
    }));
    return renamed;
  }

  Status Delete(int64_t id) override {
    return db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT path FROM categories WHERE id = ?", {id}));
      if (!row) return Fail(Error::NotFound("分类不存在"));
      LEP_ASSIGN_OR_RETURN(auto child,
                           tx.QueryOne("SELECT id FROM categories WHERE parent_id = ? LIMIT 1", {id}));
      if (child) return Fail(Error::FailedPrecondition("该分类下还有子分类，不能删除"));
      LEP_ASSIGN_OR_RETURN(auto used, tx.QueryOne("SELECT COUNT(*) FROM resources WHERE category = ?",
                                                  {row->Text(0)}));
      if (used && used->Int(0) > 0) {
        return Fail(Error::FailedPrecondition("有 " + std::to_string(used->Int(0)) +
                                              " 个资源使用该分类，不能删除"));
      }
      return tx.Exec("DELETE FROM categories WHERE id = ?", {id}).map([](auto&&) {});
    });
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<CategoryRepository> NewSqlCategoryRepository(storage::Database& db) {
  return std::make_unique<SqlCategoryRepository>(db);
}

std::optional<std::string> ValidateCategoryName(std::string_view raw) {
  std::string name = text::Trim(raw);
  if (!text::IsValidUtf8(name) || name.empty()) return "分类名称不能为空";
  if (text::CodePointCount(name) > 30) return "分类名称不能超过 30 个字";
  if (name.find('-') != std::string::npos) return "分类名称不能包含“-”（它用于分隔层级）";
  if (name.find(';') != std::string::npos) return "分类名称不能包含分号";
  return std::nullopt;
}

CategoryIndex::CategoryIndex(std::vector<Category> all) : all_(std::move(all)) {
  for (const auto& c : all_) paths_.insert(c.path);
}

std::vector<std::string> CategoryIndex::Suggest(const std::string& path, size_t limit) const {
  std::vector<std::pair<size_t, std::string>> scored;
  std::string last = LastName(path);
  for (const auto& c : all_) {
    size_t d = EditDistance(path, c.path);
    if (c.name == last) d = 0;  // same leaf name under another parent: the best guess
    else if (d > std::max<size_t>(3, CodePoints(path).size() / 2)) continue;
    scored.emplace_back(d, c.path);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, p] : scored) {
    if (out.size() >= limit) break;
    out.push_back(p);
  }
  return out;
}

Status SeedDefaultCategories(CategoryRepository& repo, int64_t now) {
  LEP_ASSIGN_OR_RETURN(auto existing, repo.All());
  if (!existing.empty()) return Ok();
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kTree = {
      {"科学文化", {"航空知识/航空发动机/飞行原理/航空史话", "天文地理", "历史人文", "科普知识",
                    "生态环境"}},
      {"健康养生", {"太极拳", "中医养生", "营养膳食", "心理健康", "运动健身", "疾病预防"}},
      {"文化艺术", {"书法", "绘画", "音乐", "舞蹈", "摄影", "戏曲", "诗词"}},
      {"数字生活", {"智能手机应用", "网络安全", "移动支付", "网上办事"}},
      {"职业技能", {"信息技术", "财务会计", "电子商务", "智能制造", "家政服务", "现代农业",
                    "养老护理"}},
      {"家庭教育", {"亲子沟通", "家校社协同育人", "隔代教育"}},
      {"文明素养", {"法律常识", "公民道德", "礼仪规范"}},
      {"社区发展", {"社区治理", "志愿服务", "邻里互助"}},
      {"学历教育", {"公共基础课", "工学", "管理学", "教育学", "文学", "经济学", "法学", "医学",
                    "农学", "理学"}},
      {"休闲娱乐", {"旅游", "园艺", "烹饪", "棋牌"}},
  };
  for (const auto& [top, children] : kTree) {
    LEP_ASSIGN_OR_RETURN(Category t, repo.Create(std::nullopt, top, now));
    for (const auto& spec : children) {
      // "a/b/c": child a with grandchildren b and c.
      size_t slash = spec.find('/');
      std::string name = spec.substr(0, slash);
      LEP_ASSIGN_OR_RETURN(Category c, repo.Create(t.id, name, now));
      while (slash != std::string::npos) {
        size_t next = spec.find('/', slash + 1);
        std::string leaf = spec.substr(slash + 1, next == std::string::npos ? next : next - slash - 1);
        LEP_RETURN_IF_ERROR(repo.Create(c.id, leaf, now));
        slash = next;
      }
    }
  }
  return Ok();
}

}  // namespace lep::resources
