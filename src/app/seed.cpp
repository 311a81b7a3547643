#include "app/seed.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/date.h"
#include "resources/sheet_mapping.h"

namespace lep::app {
namespace {

using orgs::OrgKind;

// 31 provinces + 新疆生产建设兵团, as their education departments are named.
constexpr const char* kProvinces[][2] = {
    {"北京", "北京市教育委员会"},       {"天津", "天津市教育委员会"},
    {"河北", "河北省教育厅"},           {"山西", "山西省教育厅"},
    {"内蒙古", "内蒙古自治区教育厅"},   {"辽宁", "辽宁省教育厅"},
    {"吉林", "吉林省教育厅"},           {"黑龙江", "黑龙江省教育厅"},
    {"上海", "上海市教育委员会"},       {"江苏", "江苏省教育厅"},
    {"浙江", "浙江省教育厅"},           {"安徽", "安徽省教育厅"},
    {"福建", "福建省教育厅"},           {"江西", "江西省教育厅"},
    {"山东", "山东省教育厅"},           {"河南", "河南省教育厅"},
    {"湖北", "湖北省教育厅"},           {"湖南", "湖南省教育厅"},
    {"广东", "广东省教育厅"},           {"广西", "广西壮族自治区教育厅"},
    {"海南", "海南省教育厅"},           {"重庆", "重庆市教育委员会"},
    {"四川", "四川省教育厅"},           {"贵州", "贵州省教育厅"},
    {"云南", "云南省教育厅"},           {"西藏", "西藏自治区教育厅"},
    {"陕西", "陕西省教育厅"},           {"甘肃", "甘肃省教育厅"},
    {"青海", "青海省教育厅"},           {"宁夏", "宁夏回族自治区教育厅"},
    {"新疆", "新疆维吾尔自治区教育厅"}, {"兵团", "新疆生产建设兵团教育局"},
};

}  // namespace

const std::vector<DemoAccount>& DemoAccounts() {
  static const std::vector<DemoAccount> kAccounts = {
      {"nou_admin", "platform_admin", "国家开放大学"},
      {"nou_security", "security_admin", "国家开放大学"},
      {"nou_auditor", "auditor", "国家开放大学"},
      {"nou_reviewer", "reviewer", "国家开放大学"},
      {"gd_admin", "unit_admin", "广东省教育厅"},
      {"gd_reviewer", "reviewer", "广东省教育厅"},
      {"gd_uploader", "uploader", "岭南示范职业技术学院（演示）"},
      {"bj_admin", "unit_admin", "北京市教育委员会"},
      {"bj_uploader", "uploader", "京华演示城市学院（演示）"},
  };
  return kAccounts;
}

Result<orgs::Org> EnsureRoot(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto root, ctx.org_repo->Root());
  if (root) return *root;
  return ctx.org_repo->Create(std::nullopt, OrgKind::kOpenUniversity, "国家开放大学", "",
                              ctx.clock->NowMs());
}

Status EnsureBaseData(AppContext& ctx) {
  LEP_RETURN_IF_ERROR(EnsureRoot(ctx));
  return resources::SeedDefaultCategories(*ctx.categories, ctx.clock->NowMs());
}

Result<bool> SeedDemo(AppContext& ctx) {
  LEP_RETURN_IF_ERROR(EnsureBaseData(ctx));
  LEP_ASSIGN_OR_RETURN(orgs::Org root, EnsureRoot(ctx));
  LEP_ASSIGN_OR_RETURN(auto existing, ctx.user_repo->GetByUsername("nou_admin"));
  if (existing) return false;  // seeded before
  int64_t now = ctx.clock->NowMs();
  std::map<std::string, orgs::Org> by_name{{root.name, root}};
  auto add = [&](const orgs::Org& parent, OrgKind kind, const std::string& name,
                 const std::string& region) -> Status {
    LEP_ASSIGN_OR_RETURN(auto o, ctx.org_repo->Create(parent.id, kind, name, region, now));
    by_name[name] = o;
    return Ok();
  };
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kMinistryDept, "教育部职业教育与成人教育司", ""));
  for (const auto& p : kProvinces)
    LEP_RETURN_IF_ERROR(add(root, OrgKind::kProvinceDept, p[1], p[0]));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kMinistryUniversity, "华夏演示大学（演示）", ""));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kExamAuthority, "教育部教育考试院", ""));
  LEP_RETURN_IF_ERROR(
      add(root, OrgKind::kIndustryCommittee, "教育部行业职业教育教学指导委员会工作办公室", ""));
  LEP_RETURN_IF_ERROR(add(root, OrgKind::kCommunityCenter, "教育部社区教育研究培训中心", ""));
  const orgs::Org gd = by_name.at("广东省教育厅");
  const orgs::Org bj = by_name.at("北京市教育委员会");
  LEP_RETURN_IF_ERROR(add(gd, OrgKind::kProvincialCollege, "岭南示范职业技术学院（演示）", "广东"));
  LEP_RETURN_IF_ERROR(add(gd, OrgKind::kProvincialCollege, "珠江演示开放大学（演示）", "广东"));
  LEP_RETURN_IF_ERROR(add(bj, OrgKind::kProvincialCollege, "京华演示城市学院（演示）", "北京"));
  LEP_RETURN_IF_ERROR(add(by_name.at("教育部行业职业教育教学指导委员会工作办公室"),
                          OrgKind::kEnterprise, "演示智造科技有限公司（演示）", ""));
  LEP_RETURN_IF_ERROR(add(by_name.at("教育部社区教育研究培训中心"), OrgKind::kCommunityInstitution,
                          "演示街道社区学校（演示）", ""));

  for (const DemoAccount& a : DemoAccounts()) {
    auth::NewUser u{a.username, kDemoPassword, a.username, *auth::ParseRole(a.role)};
    LEP_RETURN_IF_ERROR(ctx.auth->CreateUserUnchecked(by_name.at(a.unit).id, u));
  }
  auth::NewUser learner{"demo_learner", kDemoPassword, "演示学习者", auth::Role::kLearner};
  LEP_RETURN_IF_ERROR(ctx.auth->CreateUserUnchecked(std::nullopt, learner));

  // Fictitious contact persons (reserved example.org addresses, 000 numbers).
  orgs::Contact gd_contact{"演示联系人甲",           "处长", "020-00000001", "13800000001",
                           "gd-contact@example.org", now};
  orgs::Contact bj_contact{"演示联系人乙",           "副处长", "010-00000002", "13800000002",
                           "bj-contact@example.org", now};
  LEP_RETURN_IF_ERROR(ctx.org_repo->PutContact(gd.id, gd_contact, 0));
  LEP_RETURN_IF_ERROR(ctx.org_repo->PutContact(bj.id, bj_contact, 0));
  return true;
}

namespace {

// Word pools of the generated catalog (fictitious; common Chinese words only).
constexpr const char* kAspects[] = {"入门",     "基础知识",   "实用技巧", "常见误区",   "进阶训练",
                                    "案例解析", "十讲",       "专题讲座", "答疑",       "精讲",
                                    "自学指南", "速成",       "图解",     "要点梳理",   "家庭实践",
                                    "安全须知", "历史与文化", "鉴赏",     "方法与步骤", "体验课"};
constexpr const char* kAudiences[] = {"中老年人", "社区居民", "在职人员", "零基础学员",
                                      "退休职工", "家长",     "青年",     "农村居民"};
constexpr const char* kOpeners[] = {"本课程围绕{t}展开，", "这是一门面向{a}的{t}课程，",
                                    "{t}是终身学习中很受欢迎的内容，", "为帮助{a}系统掌握{t}，",
                                    "本讲从生活中的实际问题出发，介绍{t}，"};
constexpr const char* kMiddles[] = {"讲解基本概念、常用方法和注意事项，",
                                    "结合大量实例演示操作步骤，并总结容易出错的地方，",
                                    "由浅入深地安排学习内容，每一讲都配有练习和思考题，",
                                    "邀请有经验的教师分享多年的教学心得，",
                                    "内容贴近日常生活，强调动手实践与安全规范，",
                                    "梳理相关的历史背景和发展脉络，帮助学员形成完整的认识，",
                                    "介绍最新的政策要求和行业标准，",
                                    "通过问答的形式解答学员最关心的问题，"};
constexpr const char* kClosers[] = {
    "适合{a}利用业余时间学习。", "学完后能够独立完成日常练习。", "建议按顺序学习并坚持每天练习。",
    "课程时长适中，可在手机上随时观看。", "欢迎{a}与家人一起学习交流。"};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",
                                     "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
                                     "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩"};
constexpr const char* kGiven[] = {"建国", "秀英", "志强", "丽华", "海燕", "文博", "明",
                                  "静",   "晓东", "国平", "玉兰", "春生", "红梅", "卫东",
                                  "雅琴", "立新", "慧敏", "振华", "淑芬", "永刚"};
constexpr const char* kExtraKeywords[] = {"终身学习", "老年教育", "社区教育", "健康", "技能",
                                          "文化",     "安全",     "生活",     "实践", "入门"};

template <typename T, size_t N>
const char* Pick(const T (&pool)[N], std::mt19937& rng) {
  return pool[rng() % N];
}

std::string Fill(std::string text, const std::string& topic, const std::string& audience) {
  for (auto [key, value] : {std::pair<std::string, std::string>{"{t}", topic}, {"{a}", audience}}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key)) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

}  // namespace

Result<int64_t> SeedPublished(AppContext& ctx, int64_t n, uint32_t seed,
                              const std::function<void(int64_t)>& progress) {
  LEP_RETURN_IF_ERROR(SeedDemo(ctx));
  LEP_ASSIGN_OR_RETURN(auto categories, ctx.categories->All());
  std::vector<resources::Category> leaves;
  for (const auto& c : categories) {
    bool parent = false;
    for (const auto& d : categories) parent = parent || (d.parent_id && *d.parent_id == c.id);
    if (!parent) leaves.push_back(c);
  }
  if (leaves.empty()) return Fail(Error::FailedPrecondition("分类树为空，无法生成演示资源"));
  // Publishing units: every unit below the root except the ministry's department.
  LEP_ASSIGN_OR_RETURN(auto root, ctx.org_repo->Root());
  if (!root) return Fail(Error::FailedPrecondition("缺少根单位"));
  LEP_ASSIGN_OR_RETURN(auto subtree, ctx.org_repo->Subtree(root->id));
  std::vector<orgs::Org> units;
  for (const auto& o : subtree) {
    if (o.id != root->id && o.kind != orgs::OrgKind::kMinistryDept) units.push_back(o);
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  const std::vector<std::string> header = resources::ExportHeader();
  const int64_t now = ctx.clock->NowMs();
  constexpr int64_t kChunk = 2000;
  int64_t done = 0;
  int64_t serial = 0;
  while (done < n) {
    const orgs::Org& unit = units[static_cast<size_t>(done / kChunk) % units.size()];
    auth::Principal p;
    p.user_id = auth::UserId{1};
    p.username = "seed";
    p.role = auth::Role::kUploader;
    p.org = unit;
    resources::SheetData sheet;
    sheet.header = header;
    std::vector<int64_t> published_at;
    const int64_t count = std::min(kChunk, n - done);
    std::string series;
    int series_left = 0, series_order = 0;
    const resources::Category* series_cat = nullptr;
    for (int64_t i = 0; i < count; ++i, ++serial) {
      // A series keeps its topic; other resources pick theirs anywhere in the tree.
      const resources::Category& cat =
          series_left > 0 && series_cat ? *series_cat : leaves[rng() % leaves.size()];
      const std::string topic = cat.name;
      const std::string audience = Pick(kAudiences, rng);
      resources::Resource r;
      resources::Metadata& m = r.meta;
      if (series_left == 0 && u01(rng) < 0.3) {
        series = topic + Pick(kAspects, rng) + "系列（第" + std::to_string(serial) + "组）";
        series_left = 3 + static_cast<int>(rng() % 10);
        series_order = 0;
        series_cat = &cat;
      }
      if (series_left > 0) {
        --series_left;
        m.series = series;
        m.series_order = std::to_string(++series_order);
      }
      m.title =
          topic + Pick(kAspects, rng) + (m.series.empty() ? "" : "（第" + m.series_order + "讲）");
      double t = u01(rng);
      m.type = t < 0.7    ? resources::ResourceType::kVideo
               : t < 0.85 ? resources::ResourceType::kAudio
                          : resources::ResourceType::kCourse;
      m.domain = resources::Domains()[rng() % resources::Domains().size()];
      if (m.type == resources::ResourceType::kCourse) {
        m.platform = "演示学习平台";
        m.link = "https://course.example.org/c/" + std::to_string(serial);
        m.duration =
            "0" + std::to_string(1 + rng() % 9) + ":" + std::to_string(10 + rng() % 50) + ":00";
      }
      std::string summary = Fill(Pick(kOpeners, rng), topic, audience);
      std::vector<const char*> middles(std::begin(kMiddles), std::end(kMiddles));
      std::shuffle(middles.begin(), middles.end(), rng);
      for (int k = 0, parts = 5 + static_cast<int>(rng() % 4); k < parts; ++k) {
        summary += Fill(middles[static_cast<size_t>(k)], topic, audience);
      }
      summary.resize(summary.size() - std::string("，").size());
      summary += "。" + Fill(Pick(kClosers, rng), topic, audience) + "本资源属于“" + cat.path +
                 "”类，主讲人具有多年" + topic + "教学经验，配套学习资料可在课程页面下载。";
      m.summary = summary;
      m.presenters = {std::string(Pick(kSurnames, rng)) + Pick(kGiven, rng)};
      if (u01(rng) < 0.3)
        m.presenters.push_back(std::string(Pick(kSurnames, rng)) + Pick(kGiven, rng));
      m.copyright_holder = unit.name;
      m.keywords = {topic, Pick(kExtraKeywords, rng)};
      m.category = cat.path;
      // Published over the last two years, made a few weeks to a year before.
      const int64_t published = now - static_cast<int64_t>(u01(rng) * 730.0 * 86'400'000.0);
      const int64_t made = published - static_cast<int64_t>((20 + rng() % 345) * 86'400'000LL);
      m.created_on = DateFromUnixMs(made, 8).ToString();
      // A long tail: most resources are seldom opened, a few very often.
      m.clicks = static_cast<int64_t>(std::exp(u01(rng) * 11.0));
      m.learners = static_cast<int64_t>(static_cast<double>(m.clicks) * (0.05 + 0.35 * u01(rng)));
      sheet.rows.push_back(resources::ExportRow(r));
      sheet.row_numbers.push_back(static_cast<int>(i) + 2);
      published_at.push_back(published);
    }
    LEP_ASSIGN_OR_RETURN(auto report, ctx.resources->Import(p, unit.id, sheet, /*dry_run=*/false));
    if (!report.errors.empty()) {
      const auto& e = report.errors.front();
      return Fail(Error::Internal("生成的演示资源未通过校验：第 " + std::to_string(e.row) + " 行 " +
                                  e.label + "：" + e.message));
    }
    LEP_RETURN_IF_ERROR(ctx.db->Transaction([&](storage::SqlExecutor& tx) -> Status {
      for (size_t i = 0; i < report.created.size(); ++i) {
        resources::StateChange c;
        c.from = resources::ResourceState::kDraft;
        c.to = resources::ResourceState::kPublished;
        c.published = true;
        c.at = published_at[i];
        LEP_RETURN_IF_ERROR(ctx.resource_repo->ChangeState(tx, report.created[i], c));
      }
      return Ok();
    }));
    done += count;
    if (progress) progress(done);
  }
  return done;
}

}  // namespace lep::app
