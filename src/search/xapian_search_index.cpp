// XapianSearchIndex: the only file that includes Xapian and OpenCC headers.
//
// Concurrency design: Xapian objects are not thread-safe, so
//  * one WritableDatabase, used only under write_mu_ (Upsert/Remove/Commit);
//  * searches borrow a read-only Xapian::Database from a small pool (one per concurrent
//    searcher, opened on demand). Each reader remembers the commit generation it last saw and
//    reopen()s when a Commit() has happened since; a DatabaseModifiedError (the writer
//    committed twice during one search) is answered by reopen() and a retry. Searches thus
//    never wait for the writer and see only committed data.
//  * OpenCC conversion is guarded by its own mutex: SimpleConverter::Convert is const, but
//    OpenCC does not document it as thread-safe and the cost per call is microseconds.
#include <opencc/opencc.h>
#include <stdlib.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/text.h"
#include "search/search_index.h"
#include "search/search_text.h"

namespace lep::search {
namespace {

// Value slots.
constexpr Xapian::valueno kSlotDomain = 0;
constexpr Xapian::valueno kSlotType = 1;
constexpr Xapian::valueno kSlotCategoryTop = 2;
constexpr Xapian::valueno kSlotProvince = 3;
constexpr Xapian::valueno kSlotClicks = 4;
constexpr Xapian::valueno kSlotLearners = 5;
constexpr Xapian::valueno kSlotPublished = 6;
constexpr Xapian::valueno kSlotDuration = 7;

// Term prefixes (Xapian convention: upper case; free-text terms are unprefixed lower case).
constexpr const char* kPrefixId = "Q";
constexpr const char* kPrefixTitle = "S";
constexpr const char* kPrefixDomain = "XD";
constexpr const char* kPrefixType = "XT";
constexpr const char* kPrefixCategory = "XC";
constexpr const char* kPrefixProvince = "XP";
constexpr const char* kPrefixUnit = "XU";

// Within-document frequency increments: a title match outweighs a summary match.
constexpr Xapian::termcount kWdfTitle = 3;
constexpr Xapian::termcount kWdfStrong = 2;  // presenters, keywords, category, series
constexpr Xapian::termcount kWdfPlain = 1;

constexpr size_t kSnippetChars = 90;
constexpr int kMaxPageSize = 100;
constexpr int kMaxPage = 10000;
constexpr size_t kReaderPoolMax = 8;
constexpr int kSearchAttempts = 3;
// Relaxed query (OR of the bigrams and words): results must reach this Xapian percentage
// (roughly the share of the query's terms matched, scaled by weight).
constexpr int kRelaxedCutoffPercent = 30;
// Fewer exact matches than this and the relaxed matches are listed after them.
constexpr int64_t kFewStrictMatches = 10;

constexpr unsigned kParseFlags =
    Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_CJK_NGRAM;

// Xapian terms are limited to 245 bytes; boolean values are cut consistently on both sides.
std::string BoolTerm(std::string_view prefix, std::string_view value) {
  std::string t(prefix);
  t.append(value.substr(0, 240 - prefix.size()));
  return t;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// Category path "a-b-c" -> {"a", "a-b", "a-b-c"} (empty levels dropped).
std::vector<std::string> CategoryPrefixes(std::string_view path) {
  std::vector<std::string> out;
  std::string current;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dash = path.find('-', start);
    if (dash == std::string_view::npos) dash = path.size();
    std::string level = text::Trim(path.substr(start, dash - start));
    if (!level.empty()) {
      current = current.empty() ? level : current + "-" + level;
      out.push_back(current);
    }
    start = dash + 1;
  }
  return out;
}

std::vector<std::string> CategoryLevels(std::string_view path) {
  std::vector<std::string> out;
  for (const auto& p : CategoryPrefixes(path)) {
    const size_t dash = p.rfind('-');
    out.push_back(dash == std::string::npos ? p : p.substr(dash + 1));
  }
  return out;
}

// Document data: length-prefixed fields "<len>:<bytes>".
void PutField(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out.append(s);
}

std::vector<std::string> GetFields(const std::string& data) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t colon = data.find(':', pos);
    if (colon == std::string::npos) break;
    size_t len = 0;
    for (size_t i = pos; i < colon; ++i) {
      if (data[i] < '0' || data[i] > '9') return out;
      len = len * 10 + static_cast<size_t>(data[i] - '0');
    }
    if (colon + 1 + len > data.size()) break;
    out.push_back(data.substr(colon + 1, len));
    pos = colon + 1 + len;
  }
  return out;
}

bool IsCjkUnigramOf(const std::string& term, const std::vector<std::string>& terms) {
  // A lone CJK character (3 bytes, lead byte >= 0xE3) that is part of a longer query term.
  if (term.size() != 3 || static_cast<unsigned char>(term[0]) < 0xE3) return false;
  return std::any_of(terms.begin(), terms.end(), [&](const std::string& other) {
    return other.size() > term.size() && other.find(term) != std::string::npos;
  });
}

// Free-text terms of a parsed query, for highlighting and relaxation: prefixed (upper-case)
// terms are filters, not text.
std::vector<std::string> TextTerms(const Xapian::Query& q) {
  std::vector<std::string> all;
  for (auto it = q.get_unique_terms_begin(); it != q.get_unique_terms_end(); ++it) {
    const std::string t = *it;
    if (t.empty() || (t[0] >= 'A' && t[0] <= 'Z')) continue;
    all.push_back(t);
  }
  std::vector<std::string> out;
  for (const auto& t : all) {
    if (!IsCjkUnigramOf(t, all)) out.push_back(t);
  }
  return out;
}

// Every word (CJK: unigrams and bigrams) of text must match: what the parser would produce
// for the same text without operators.
Xapian::Query PlainTermsQuery(const std::string& text) {
  Xapian::Document doc;
  Xapian::TermGenerator tg;
  tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  tg.set_document(doc);
  tg.index_text(text);
  std::vector<std::string> terms(doc.termlist_begin(), doc.termlist_end());
  return Xapian::Query(Xapian::Query::OP_AND, terms.begin(), terms.end());
}

class TextNormalizer {
 public:
  explicit TextNormalizer(std::unique_ptr<opencc::SimpleConverter> t2s) : t2s_(std::move(t2s)) {}

  // FoldWidth + Traditional -> Simplified. Input must be valid UTF-8.
  Result<std::string> Normalize(std::string_view s) const {
    std::string folded = FoldWidth(s);
    if (folded.empty()) return folded;
    try {
      std::lock_guard lock(mu_);
      return t2s_->Convert(folded);
    } catch (const std::exception&) {
      return Fail(Error::InvalidArgument("文本无法转换"));
    }
  }

 private:
  mutable std::mutex mu_;
  std::unique_ptr<opencc::SimpleConverter> t2s_;
};

Result<std::unique_ptr<opencc::SimpleConverter>> OpenT2s() {
  // Debian installs the configs in /usr/share/opencc; a bare name lets OpenCC search its
  // own data dir if the package was built with another prefix.
  for (const char* config : {"/usr/share/opencc/t2s.json", "t2s.json"}) {
    try {
      return std::make_unique<opencc::SimpleConverter>(config);
    } catch (const std::exception&) {
    }
  }
  return Fail(Error::Internal("繁简转换数据(OpenCC t2s.json)缺失"));
}

Error Unavailable(std::string msg) {
  return {ErrorCode::kUnavailable, std::move(msg), {}, std::nullopt};
}

struct Reader {
  Xapian::Database db;
  uint64_t generation = 0;
};

class XapianSearchIndex final : public SearchIndex {
 public:
  XapianSearchIndex(std::string dir, bool remove_on_close, Xapian::WritableDatabase writer,
                    std::unique_ptr<opencc::SimpleConverter> t2s)
      : dir_(std::move(dir)),
        remove_on_close_(remove_on_close),
        writer_(std::move(writer)),
        normalizer_(std::move(t2s)) {}

  ~XapianSearchIndex() override {
    try {
      {
        std::lock_guard lock(pool_mu_);
        pool_.clear();
      }
      std::lock_guard lock(write_mu_);
      writer_.close();  // commits pending changes
    } catch (const Xapian::Error&) {
    }
    if (remove_on_close_) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  Status Upsert(const SearchDoc& doc) override;
  Status UpsertMany(const std::vector<SearchDoc>& docs) override;
  Status Remove(int64_t id) override;
  Result<SearchResult> Search(const SearchQuery& query) override;
  Status Commit() override;
  Result<int64_t> Count() override;
  Result<std::vector<int64_t>> Ids() override;
  Status SetMeta(const std::string& key, const std::string& value) override;
  Result<std::string> GetMeta(const std::string& key) override;

 private:
  Result<Xapian::Document> BuildDocument(const SearchDoc& doc) const;
  Result<std::unique_ptr<Reader>> AcquireReader();
  void ReleaseReader(std::unique_ptr<Reader> reader);
  Result<SearchResult> SearchOn(Xapian::Database& db, const SearchQuery& query,
                                const Xapian::Query& filter, const std::string& norm_q) const;

  const std::string dir_;
  const bool remove_on_close_;

  std::mutex write_mu_;
  Xapian::WritableDatabase writer_;

  std::atomic<uint64_t> generation_{1};
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Reader>> pool_;

  TextNormalizer normalizer_;
};

Result<Xapian::Document> XapianSearchIndex::BuildDocument(const SearchDoc& d) const {
  for (const std::string* s : {&d.title, &d.summary, &d.series, &d.copyright_holder, &d.unit_name,
                               &d.province, &d.category, &d.domain, &d.type}) {
    if (!text::IsValidUtf8(*s)) return Fail(Error::InvalidArgument("索引文本不是有效的 UTF-8"));
  }
  for (const auto* list : {&d.presenters, &d.keywords}) {
    for (const auto& s : *list) {
      if (!text::IsValidUtf8(s)) return Fail(Error::InvalidArgument("索引文本不是有效的 UTF-8"));
    }
  }

  LEP_ASSIGN_OR_RETURN(std::string title, normalizer_.Normalize(d.title));
  LEP_ASSIGN_OR_RETURN(std::string summary, normalizer_.Normalize(d.summary));
  LEP_ASSIGN_OR_RETURN(std::string presenters, normalizer_.Normalize(Join(d.presenters, "；")));
  LEP_ASSIGN_OR_RETURN(std::string keywords, normalizer_.Normalize(Join(d.keywords, "；")));
  LEP_ASSIGN_OR_RETURN(std::string categories,
                       normalizer_.Normalize(Join(CategoryLevels(d.category), "；")));
  LEP_ASSIGN_OR_RETURN(std::string series, normalizer_.Normalize(d.series));
  LEP_ASSIGN_OR_RETURN(std::string holder, normalizer_.Normalize(d.copyright_holder));
  LEP_ASSIGN_OR_RETURN(std::string unit, normalizer_.Normalize(d.unit_name));

  Xapian::Document doc;
  Xapian::TermGenerator tg;
  tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  tg.set_document(doc);
  // Fields are separated by a position gap so phrases do not span two fields.
  tg.index_text(title, kWdfTitle);
  tg.index_text(title, kWdfPlain, kPrefixTitle);
  tg.increase_termpos();
  tg.index_text(presenters, kWdfStrong);
  tg.increase_termpos();
  tg.index_text(keywords, kWdfStrong);
  tg.increase_termpos();
  tg.index_text(categories, kWdfStrong);
  tg.increase_termpos();
  tg.index_text(series, kWdfStrong);
  tg.increase_termpos();
  tg.index_text(summary, kWdfPlain);
  tg.increase_termpos();
  tg.index_text(holder, kWdfPlain);
  tg.increase_termpos();
  tg.index_text(unit, kWdfPlain);

  const std::string id_term = BoolTerm(kPrefixId, std::to_string(d.id));
  doc.add_boolean_term(id_term);
  if (!d.domain.empty()) doc.add_boolean_term(BoolTerm(kPrefixDomain, d.domain));
  if (!d.type.empty()) doc.add_boolean_term(BoolTerm(kPrefixType, d.type));
  const std::vector<std::string> prefixes = CategoryPrefixes(d.category);
  for (const auto& p : prefixes) doc.add_boolean_term(BoolTerm(kPrefixCategory, p));
  if (!d.province.empty()) doc.add_boolean_term(BoolTerm(kPrefixProvince, d.province));
  if (!d.unit_name.empty()) doc.add_boolean_term(BoolTerm(kPrefixUnit, d.unit_name));

  doc.add_value(kSlotDomain, d.domain);
  doc.add_value(kSlotType, d.type);
  if (!prefixes.empty()) doc.add_value(kSlotCategoryTop, prefixes.front());
  doc.add_value(kSlotProvince, d.province);
  doc.add_value(kSlotClicks, Xapian::sortable_serialise(static_cast<double>(d.clicks)));
  doc.add_value(kSlotLearners, Xapian::sortable_serialise(static_cast<double>(d.learners)));
  doc.add_value(kSlotPublished, Xapian::sortable_serialise(static_cast<double>(d.published_at)));
  doc.add_value(kSlotDuration, Xapian::sortable_serialise(static_cast<double>(d.duration_s)));

  std::string data;
  PutField(data, std::to_string(d.id));
  PutField(data, d.title);
  PutField(data, d.summary);
  PutField(data, title);
  PutField(data, summary);
  PutField(data, d.payload);
  doc.set_data(data);
  return doc;
}

Status XapianSearchIndex::Upsert(const SearchDoc& doc) {
  LEP_ASSIGN_OR_RETURN(Xapian::Document xdoc, BuildDocument(doc));
  try {
    std::lock_guard lock(write_mu_);
    writer_.replace_document(BoolTerm(kPrefixId, std::to_string(doc.id)), xdoc);
    return Ok();
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("搜索索引写入失败"));
  }
}

Status XapianSearchIndex::UpsertMany(const std::vector<SearchDoc>& docs) {
  // Building a document (width folding, t2s, CJK n-grams, positions) is most of the cost of a
  // rebuild and needs no lock but OpenCC's: spread it over the cores, then write in order.
  const size_t n = docs.size();
  std::vector<std::optional<Result<Xapian::Document>>> built(n);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        built[i] = BuildDocument(docs[i]);
      } catch (const Xapian::Error&) {
        built[i] = Result<Xapian::Document>(Fail(Error::Internal("搜索索引写入失败")));
      } catch (const std::bad_alloc&) {
        built[i] = Result<Xapian::Document>(Fail(Error::Internal("搜索索引写入失败")));
      }
    }
  };
  const size_t threads =
      n < 64 ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
  for (const auto& b : built) {
    if (!*b) return Fail(b->error());
  }
  try {
    std::lock_guard lock(write_mu_);
    for (size_t i = 0; i < n; ++i) {
      writer_.replace_document(BoolTerm(kPrefixId, std::to_string(docs[i].id)), **built[i]);
    }
    return Ok();
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("搜索索引写入失败"));
  }
}

Status XapianSearchIndex::Remove(int64_t id) {
  try {
    std::lock_guard lock(write_mu_);
    writer_.delete_document(BoolTerm(kPrefixId, std::to_string(id)));
    return Ok();
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("搜索索引删除失败"));
  }
}

Status XapianSearchIndex::Commit() {
  try {
    std::lock_guard lock(write_mu_);
    writer_.commit();
    generation_.fetch_add(1);
    return Ok();
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("搜索索引提交失败"));
  }
}

Status XapianSearchIndex::SetMeta(const std::string& key, const std::string& value) {
  try {
    std::lock_guard lock(write_mu_);
    writer_.set_metadata(key, value);
    return Ok();
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("搜索索引写入失败"));
  }
}

Result<std::string> XapianSearchIndex::GetMeta(const std::string& key) {
  try {
    std::lock_guard lock(write_mu_);
    return writer_.get_metadata(key);
  } catch (const Xapian::Error&) {
    return Fail(Unavailable("搜索索引暂不可用"));
  }
}

Result<std::unique_ptr<Reader>> XapianSearchIndex::AcquireReader() {
  std::unique_ptr<Reader> reader;
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      reader = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  const uint64_t generation = generation_.load();
  try {
    if (!reader) {
      reader = std::make_unique<Reader>(Reader{Xapian::Database(dir_), generation});
    } else if (reader->generation != generation) {
      reader->db.reopen();
      reader->generation = generation;
    }
    return reader;
  } catch (const Xapian::Error&) {
    return Fail(Unavailable("搜索索引暂不可用"));
  }
}

void XapianSearchIndex::ReleaseReader(std::unique_ptr<Reader> reader) {
  std::lock_guard lock(pool_mu_);
  if (pool_.size() < kReaderPoolMax) pool_.push_back(std::move(reader));
}

Result<int64_t> XapianSearchIndex::Count() {
  LEP_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, AcquireReader());
  try {
    const auto n = static_cast<int64_t>(reader->db.get_doccount());
    ReleaseReader(std::move(reader));
    return n;
  } catch (const Xapian::Error&) {
    return Fail(Unavailable("搜索索引暂不可用"));
  }
}

Result<std::vector<int64_t>> XapianSearchIndex::Ids() {
  try {
    std::lock_guard lock(write_mu_);
    std::vector<int64_t> out;
    for (auto it = writer_.allterms_begin(kPrefixId); it != writer_.allterms_end(kPrefixId);
         ++it) {
      const std::string term = *it;
      int64_t id = 0;
      auto [end, ec] = std::from_chars(term.data() + 1, term.data() + term.size(), id);
      if (ec == std::errc() && end == term.data() + term.size()) out.push_back(id);
    }
    return out;
  } catch (const Xapian::Error&) {
    return Fail(Unavailable("搜索索引暂不可用"));
  }
}

Result<SearchResult> XapianSearchIndex::Search(const SearchQuery& query) {
  if (!text::IsValidUtf8(query.q)) return Fail(Error::InvalidArgument("搜索词不是有效的 UTF-8"));
  LEP_ASSIGN_OR_RETURN(std::string normalized, normalizer_.Normalize(text::Trim(query.q)));
  const std::string norm_q = StripQuestionWords(normalized);

  std::vector<Xapian::Query> filters;
  auto add_term = [&](const char* prefix, const std::optional<std::string>& v) {
    if (v && !v->empty()) filters.emplace_back(BoolTerm(prefix, *v));
  };
  add_term(kPrefixDomain, query.domain);
  add_term(kPrefixType, query.type);
  if (query.category_prefix) {
    const auto prefixes = CategoryPrefixes(*query.category_prefix);
    if (!prefixes.empty()) filters.emplace_back(BoolTerm(kPrefixCategory, prefixes.back()));
  }
  add_term(kPrefixProvince, query.province);
  add_term(kPrefixUnit, query.unit);
  const auto ser = [](int64_t v) { return Xapian::sortable_serialise(static_cast<double>(v)); };
  if (query.min_duration_s && query.max_duration_s) {
    filters.emplace_back(Xapian::Query::OP_VALUE_RANGE, kSlotDuration, ser(*query.min_duration_s),
                         ser(*query.max_duration_s));
  } else if (query.min_duration_s) {
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, kSlotDuration, ser(*query.min_duration_s));
  } else if (query.max_duration_s) {
    filters.emplace_back(Xapian::Query::OP_VALUE_LE, kSlotDuration, ser(*query.max_duration_s));
  }
  const Xapian::Query filter =
      filters.empty() ? Xapian::Query()
                      : Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());

  for (int attempt = 0;; ++attempt) {
    LEP_ASSIGN_OR_RETURN(std::unique_ptr<Reader> reader, AcquireReader());
    try {
      auto result = SearchOn(reader->db, query, filter, norm_q);
      ReleaseReader(std::move(reader));
      return result;
    } catch (const Xapian::DatabaseModifiedError&) {
      // The writer committed twice while we read; the reader is dropped (not pooled).
      if (attempt + 1 >= kSearchAttempts) return Fail(Unavailable("搜索索引正在更新，请重试"));
    } catch (const Xapian::Error&) {
      return Fail(Error::Internal("搜索失败"));
    }
  }
}

Result<SearchResult> XapianSearchIndex::SearchOn(Xapian::Database& db, const SearchQuery& query,
                                                 const Xapian::Query& filter,
                                                 const std::string& norm_q) const {
  const bool browse = std::all_of(norm_q.begin(), norm_q.end(),
                                  [](char c) { return c == ' ' || c == '\t' || c == '\n'; });

  Xapian::Query text_query;
  if (!browse) {
    Xapian::QueryParser qp;
    qp.set_default_op(Xapian::Query::OP_AND);
    try {
      text_query = qp.parse_query(norm_q, kParseFlags);
    } catch (const Xapian::QueryParserError&) {
      // Unbalanced quotes, dangling AND/OR...: read the words as plain terms, without the
      // parser (which also rejects some inputs without its boolean flags).
      text_query = PlainTermsQuery(norm_q);
    }
    if (text_query.empty()) return SearchResult{};
  }

  const int page_size = std::clamp(query.page_size, 1, kMaxPageSize);
  const int page = std::clamp(query.page, 1, kMaxPage);
  const auto first = static_cast<Xapian::doccount>((page - 1) * page_size);

  // One run of a query: its page [offset, offset + count), its total (exact up to
  // kTrackTotal matches) and facet counts.
  struct Run {
    Xapian::MSet mset;
    int64_t total = 0;
    int64_t lower_bound = 0;
    bool exact = true;
    std::map<std::string, std::map<std::string, int64_t>> facets;
  };
  auto run = [&](const Xapian::Query& text, double min_weight, Xapian::doccount offset,
                 Xapian::doccount count) {
    Xapian::Query q = browse ? Xapian::Query(std::string()) : text;
    if (!filter.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter);
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    if (min_weight > 0) enquire.set_cutoff(0, min_weight);
    SearchQuery::Sort sort = query.sort;
    if (browse && sort == SearchQuery::Sort::kRelevance) sort = SearchQuery::Sort::kNewest;
    switch (sort) {
      case SearchQuery::Sort::kRelevance:
        break;
      case SearchQuery::Sort::kClicks:
        enquire.set_sort_by_value_then_relevance(kSlotClicks, true);
        break;
      case SearchQuery::Sort::kLearners:
        enquire.set_sort_by_value_then_relevance(kSlotLearners, true);
        break;
      case SearchQuery::Sort::kNewest:
        enquire.set_sort_by_value_then_relevance(kSlotPublished, true);
        break;
    }
    Xapian::ValueCountMatchSpy spies[] = {
        Xapian::ValueCountMatchSpy(kSlotDomain), Xapian::ValueCountMatchSpy(kSlotType),
        Xapian::ValueCountMatchSpy(kSlotCategoryTop), Xapian::ValueCountMatchSpy(kSlotProvince)};
    for (auto& spy : spies) enquire.add_matchspy(&spy);
    // Counting stops after kTrackTotal matches: exact below, an estimate above (with a
    // certain lower bound). At least one item is asked for so that the match (and the spies)
    // really run.
    Run r;
    r.mset = enquire.get_mset(offset, std::max<Xapian::doccount>(count, 1),
                              static_cast<Xapian::doccount>(SearchResult::kTrackTotal));
    r.total = static_cast<int64_t>(r.mset.get_matches_estimated());
    r.lower_bound = static_cast<int64_t>(r.mset.get_matches_lower_bound());
    r.exact = r.mset.get_matches_lower_bound() == r.mset.get_matches_upper_bound();
    // The spies saw the documents examined; beyond them, their counts are scaled up.
    const double seen = static_cast<double>(spies[0].get_total());
    const double scale = r.exact || seen <= 0 ? 1.0 : static_cast<double>(r.total) / seen;
    const char* const facet_names[] = {"domain", "type", "category", "province"};
    for (size_t i = 0; i < std::size(spies); ++i) {
      auto& facet = r.facets[facet_names[i]];
      for (auto it = spies[i].values_begin(); it != spies[i].values_end(); ++it) {
        if (!(*it).empty()) {
          facet[*it] = std::llround(static_cast<double>(it.get_termfreq()) * scale);
        }
      }
    }
    return r;
  };

  const auto size = static_cast<Xapian::doccount>(page_size);
  const std::vector<std::string> terms =
      browse ? std::vector<std::string>{} : TextTerms(text_query);
  Run strict = run(text_query, 0.0, first, size);
  SearchResult result;
  result.total = strict.total;
  result.total_exact = strict.exact;
  result.total_lower_bound = strict.lower_bound;
  result.facets_exact = strict.exact;
  result.facets = std::move(strict.facets);
  std::vector<Xapian::MSet> pages;
  if (strict.mset.size() > 0 && first < static_cast<Xapian::doccount>(strict.total)) {
    pages.push_back(strict.mset);
  }
  // Terms that occur in the index; the others (mostly bigrams spanning two words of the
  // query, like 么用 in 怎么用手机) cannot match and would only dilute the percentages.
  std::vector<std::string> known;
  for (const auto& t : terms) {
    if (db.term_exists(t)) known.push_back(t);
  }
  // Relaxing a query made mostly of unknown words (量子纠缠实验) would only return noise.
  const bool relax = known.size() >= 2 && known.size() * 2 >= terms.size();
  if (!browse && strict.total < kFewStrictMatches && relax) {
    // Long phrases rarely contain every n-gram of the query, and a few exact matches leave
    // the page empty: list documents that match enough of the query's words (bigrams, Latin
    // words) after the exact matches.
    const auto s = static_cast<Xapian::doccount>(strict.total);
    const Xapian::doccount shown = first < s ? std::min(size, s - first) : 0;
    const Xapian::Query relaxed_query(
        Xapian::Query::OP_AND_NOT, Xapian::Query(Xapian::Query::OP_OR, known.begin(), known.end()),
        text_query);
    // Xapian refuses percentage cutoffs with value sorts: turn the percentage into the
    // equivalent weight once, from the best relaxed match.
    Xapian::Enquire best(db);
    best.set_query(filter.empty() ? relaxed_query
                                  : Xapian::Query(Xapian::Query::OP_FILTER, relaxed_query, filter));
    const Xapian::MSet top = best.get_mset(0, 1);
    double min_weight = 0;
    if (!top.empty() && top.begin().get_percent() > 0) {
      min_weight = top.begin().get_weight() * kRelaxedCutoffPercent / top.begin().get_percent();
    }
    Run relaxed = run(relaxed_query, min_weight, first > s ? first - s : 0, size - shown);
    result.total += relaxed.total;
    result.total_lower_bound += relaxed.lower_bound;
    result.total_exact = result.total_exact && relaxed.exact;
    result.facets_exact = result.total_exact;
    for (const auto& [facet, counts] : relaxed.facets) {
      for (const auto& [value, n] : counts) result.facets[facet][value] += n;
    }
    if (shown < size) pages.push_back(relaxed.mset);
  }

  for (const Xapian::MSet& mset : pages) {
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      if (result.hits.size() >= size) break;
      const std::vector<std::string> f = GetFields(it.get_document().get_data());
      if (f.size() < 5) continue;
      SearchHit hit;
      std::from_chars(f[0].data(), f[0].data() + f[0].size(), hit.id);
      hit.score = it.get_weight();
      hit.title_html = HighlightHtml(f[1], f[3], terms);
      hit.snippet_html = HighlightHtml(f[2], f[4], terms, kSnippetChars);
      if (f.size() > 5) hit.payload = f[5];
      result.hits.push_back(std::move(hit));
    }
  }
  return result;
}

Result<std::unique_ptr<SearchIndex>> Open(const std::string& dir, bool remove_on_close) {
  LEP_ASSIGN_OR_RETURN(auto t2s, OpenT2s());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Fail(Error::Internal("无法创建搜索索引目录"));
  try {
    Xapian::WritableDatabase writer(dir, Xapian::DB_CREATE_OR_OPEN);
    // Make sure a revision exists on disk so readers can open the directory at once.
    writer.commit();
    return std::unique_ptr<SearchIndex>(
        new XapianSearchIndex(dir, remove_on_close, std::move(writer), std::move(t2s)));
  } catch (const Xapian::DatabaseLockError&) {
    return Fail(Unavailable("搜索索引已被另一进程打开"));
  } catch (const Xapian::Error&) {
    return Fail(Error::Internal("无法打开搜索索引"));
  }
}

}  // namespace

Result<std::unique_ptr<SearchIndex>> OpenXapianIndex(const std::string& dir) {
  return Open(dir, false);
}

Result<IndexPeek> PeekXapianIndex(const std::string& dir, const std::string& meta_key) {
  try {
    Xapian::Database db(dir);
    IndexPeek peek;
    peek.documents = static_cast<int64_t>(db.get_doccount());
    peek.meta = db.get_metadata(meta_key);
    return peek;
  } catch (const Xapian::DatabaseOpeningError&) {
    return Fail(Error::NotFound("搜索索引目录中没有索引：" + dir));
  } catch (const Xapian::Error&) {
    return Fail(Unavailable("搜索索引暂不可读"));
  }
}

Result<std::unique_ptr<SearchIndex>> OpenTempXapianIndex() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / "lep-search-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) return Fail(Error::Internal("无法创建临时索引目录"));
  auto index = Open(templ, true);
  if (!index) std::filesystem::remove_all(templ, ec);
  return index;
}

}  // namespace lep::search
