#include <gtest/gtest.h>

#include "core/text.h"
#include "resources/category.h"
#include "resources/metadata.h"
#include "resources/sheet_mapping.h"
#include "resources/toc.h"

namespace lep::resources {
namespace {

MetadataInput Good() {
  return {{"title", "太极拳入门"},
          {"type", "A01"},
          {"domain", "老年教育"},
          {"summary", "二十四式太极拳分解教学。"},
          {"copyright_holder", "演示开放大学"},
          {"presenters", "张演示；(藏族)班班多杰; ;李演示"},
          {"keywords", "太极拳;健身"},
          {"created_on", "2022-03-23"},
          {"category", "健康养生-太极拳"}};
}

ValidationContext Ctx() {
  ValidationContext c;
  c.today = Date{2022, 5, 15};
  static CategoryIndex index({{1, std::nullopt, "健康养生", "健康养生", 0},
                              {2, 1, "太极拳", "健康养生-太极拳", 0},
                              {3, std::nullopt, "科学文化", "科学文化", 0},
                              {4, 3, "航空知识", "科学文化-航空知识", 0},
                              {5, 4, "航空发动机", "科学文化-航空知识-航空发动机", 0}});
  c.category_exists = [](const std::string& p) { return index.Contains(p); };
  c.suggest_categories = [](const std::string& p) { return index.Suggest(p); };
  return c;
}

std::vector<std::string> FieldsOf(const Result<Metadata>& r) {
  std::vector<std::string> out;
  if (!r) {
    for (const auto& f : r.error().fields) out.push_back(f.field);
  }
  return out;
}

// The single failing field of a record that is good except for `field` = `value`.
void ExpectOnlyFieldFails(const std::string& field, const std::string& value,
                          const std::string& expected_label) {
  MetadataInput in = Good();
  in[field] = value;
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(r) << field << "=" << value << " should fail";
  ASSERT_EQ(r.error().fields.size(), 1u) << r.error().message;
  EXPECT_EQ(r.error().fields[0].field, field);
  EXPECT_EQ(r.error().fields[0].label, expected_label);
  EXPECT_FALSE(r.error().fields[0].message.empty());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Metadata, AcceptsAndNormalisesAGoodRecord) {
  auto r = ValidateMetadata(Good(), Ctx());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ResourceType::kVideo);
  EXPECT_EQ(r->presenters,
            (std::vector<std::string>{"张演示", "(藏族)班班多杰", "李演示"}));
  EXPECT_EQ(JoinList(r->presenters), "张演示;(藏族)班班多杰;李演示");
  EXPECT_EQ(r->keywords, (std::vector<std::string>{"太极拳", "健身"}));
  EXPECT_EQ(r->category, "健康养生-太极拳");
}

TEST(Metadata, ReportsEveryErrorOfARecordAtOnce) {
  MetadataInput in;  // everything required missing
  in["created_on"] = "2022-02-30";
  in["clicks"] = "-5";
  auto r = ValidateMetadata(in, Ctx());
  auto fields = FieldsOf(r);
  EXPECT_EQ(fields, (std::vector<std::string>{"title", "type", "domain", "summary", "created_on",
                                              "copyright_holder", "presenters", "clicks"}));
  EXPECT_EQ(r.error().fields[0].label, "资源名称");
}

TEST(Metadata, Title) {
  ExpectOnlyFieldFails("title", "   ", "资源名称");
  std::string long_title;
  for (int i = 0; i < 201; ++i) long_title += "字";
  ExpectOnlyFieldFails("title", long_title, "资源名称");
  ExpectOnlyFieldFails("title", "坏\x01标题", "资源名称");
  ExpectOnlyFieldFails("title", "\xff\xfe", "资源名称");
  MetadataInput in = Good();
  in["title"] = "　前后有空格　";
  EXPECT_EQ(ValidateMetadata(in, Ctx())->title, "前后有空格");
}

TEST(Metadata, TypeAndDomain) {
  ExpectOnlyFieldFails("type", "A04", "资源类型");
  ExpectOnlyFieldFails("type", "视频", "资源类型");
  ExpectOnlyFieldFails("domain", "职业教育", "征集内容范围");
  MetadataInput in = Good();
  in["type"] = "音频资源";
  in["domain"] = "community";
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, ResourceType::kAudio);
  EXPECT_EQ(r->domain, "社区教育");
}

TEST(Metadata, LinkAndOnlineCourses) {
  ExpectOnlyFieldFails("link", "ftp://example.org/x", "资源链接");
  ExpectOnlyFieldFails("link", "www.example.org", "资源链接");
  ExpectOnlyFieldFails("link", "https://user:pw@example.org/", "资源链接");
  ExpectOnlyFieldFails("link", "https://exa mple.org/", "资源链接");
  MetadataInput course = Good();
  course["type"] = "A03";
  auto no_link = ValidateMetadata(course, Ctx());
  EXPECT_EQ(FieldsOf(no_link), (std::vector<std::string>{"link"}));
  course["link"] = "https://www.icourse163.org/course/DEMO-1001";
  course["platform"] = "中国大学MOOC";
  course["duration"] = "02:45:32";
  auto ok = ValidateMetadata(course, Ctx());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->duration, "02:45:32");
}

TEST(Metadata, SeriesOrder) {
  ExpectOnlyFieldFails("series_order", "001", "所属顺序");
  ExpectOnlyFieldFails("series_order", "00", "所属顺序");
  ExpectOnlyFieldFails("series_order", "ab", "所属顺序");
  MetadataInput no_series = Good();
  no_series["series_order"] = "01";
  EXPECT_EQ(FieldsOf(ValidateMetadata(no_series, Ctx())),
            (std::vector<std::string>{"series_order"}));
  MetadataInput in = Good();
  in["series"] = "太极系列";
  in["series_order"] = "3";  // what Excel leaves of "03"
  EXPECT_EQ(ValidateMetadata(in, Ctx())->series_order, "03");
}

TEST(Metadata, DurationIsMeasuredForMediaAndCheckedForCourses) {
  MetadataInput video = Good();
  video["duration"] = "99:99:99";  // ignored: A01 takes the duration from the file
  auto r = ValidateMetadata(video, Ctx());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->duration, "");
  MetadataInput course = Good();
  course["type"] = "A03";
  course["link"] = "https://example.org/c";
  for (const char* bad : {"1:00:00", "01:60:00", "01:00:60", "01-00-00", "abc"}) {
    course["duration"] = bad;
    EXPECT_EQ(FieldsOf(ValidateMetadata(course, Ctx())), (std::vector<std::string>{"duration"}))
        << bad;
  }
  EXPECT_EQ(ParseDuration("02:45:32"), 2 * 3600 + 45 * 60 + 32);
  EXPECT_EQ(FormatDuration(9932), "02:45:32");
}

TEST(Metadata, CreatedOnIsARealPastDate) {
  ExpectOnlyFieldFails("created_on", "2022-02-29", "创建时间");
  ExpectOnlyFieldFails("created_on", "2022/03/23", "创建时间");
  ExpectOnlyFieldFails("created_on", "2022-05-16", "创建时间");  // tomorrow in Shanghai
  MetadataInput in = Good();
  in["created_on"] = "2022-05-15";  // today is fine
  EXPECT_TRUE(ValidateMetadata(in, Ctx()));
}

TEST(Metadata, RequiredTextFields) {
  ExpectOnlyFieldFails("summary", "", "资源简介");
  ExpectOnlyFieldFails("summary", "<script>alert(1)</script>", "资源简介");
  ExpectOnlyFieldFails("copyright_holder", " ", "版权方");
  ExpectOnlyFieldFails("presenters", " ; ；", "主讲人");
  MetadataInput in = Good();
  in["summary"] = "第一行\n第二行 a<b 不是标签";
  EXPECT_TRUE(ValidateMetadata(in, Ctx()));
  in["presenters"] = "主讲人：张建华；朱新；（藏族）班班多杰";
  EXPECT_EQ(ValidateMetadata(in, Ctx())->presenters,
            (std::vector<std::string>{"张建华", "朱新", "（藏族）班班多杰"}));
}

TEST(Metadata, Counters) {
  ExpectOnlyFieldFails("clicks", "-1", "点击量");
  ExpectOnlyFieldFails("clicks", "3.5", "点击量");
  ExpectOnlyFieldFails("learners", "一万", "学习人数");
  MetadataInput in = Good();
  in["clicks"] = "36500";
  in["learners"] = " 23500 ";
  auto r = ValidateMetadata(in, Ctx());
  EXPECT_EQ(r->clicks, 36500);
  EXPECT_EQ(r->learners, 23500);
}

TEST(Metadata, CategoryMustExistAndSuggestions) {
  MetadataInput in = Good();
  in["category"] = "科学文化-航空知识-航空发动鸡";
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(r);
  ASSERT_EQ(FieldsOf(r), (std::vector<std::string>{"category"}));
  EXPECT_NE(r.error().fields[0].message.find("科学文化-航空知识-航空发动机"), std::string::npos)
      << r.error().fields[0].message;
  in["category"] = "航空发动机";  // right leaf, path missing
  r = ValidateMetadata(in, Ctx());
  EXPECT_NE(r.error().fields[0].message.find("科学文化-航空知识-航空发动机"), std::string::npos);
  in["category"] = "科学文化 - 航空知识";
  EXPECT_EQ(ValidateMetadata(in, Ctx())->category, "科学文化-航空知识");
  ExpectOnlyFieldFails("category", "科学文化--航空知识", "所属分类");
}

TEST(Toc, ParsesATreeAndRejectsDtds) {
  auto t = ParseToc("<toc><chapter title=\"第一章\"><section>1.1 概述</section></chapter></toc>");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->tag, "toc");
  ASSERT_EQ(t->children.size(), 1u);
  EXPECT_EQ(t->children[0].title, "第一章");
  EXPECT_EQ(t->children[0].children[0].title, "1.1 概述");
  const char* laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
      "\"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
  auto bomb = ParseToc(laughs);
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().message.find("DOCTYPE"), std::string::npos);
  EXPECT_FALSE(ParseToc("<!doctype x SYSTEM \"file:///etc/passwd\"><x>&xxe;</x>"));
  EXPECT_FALSE(ParseToc("<toc><chapter></toc>"));
  EXPECT_FALSE(ParseToc("just text"));
  EXPECT_FALSE(ParseToc("<a>&undefined;</a>"));
  EXPECT_FALSE(ParseToc(std::string(kMaxTocBytes + 1, ' ')));
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  for (int i = 0; i < 40; ++i) deep += "</a>";
  EXPECT_FALSE(ParseToc(deep));
  MetadataInput in = Good();
  in["toc"] = laughs;
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields[0].field, "toc");
  EXPECT_EQ(r.error().fields[0].label, "资源目录");
}

// Regressions found with toc_fuzz / metadata_fuzz (inputs in fuzz/regressions/).

TEST(Toc, RegressionDeepNestingIsRefusedWithoutRecursion) {
  // ~36 000 levels fit in 256 KB; the reference check recursed once per level and overflowed
  // the stack before the depth limit was looked at.
  std::string deep;
  for (int i = 0; i < 36000; ++i) deep += "<a>";
  for (int i = 0; i < 36000; ++i) deep += "</a>";
  ASSERT_LE(deep.size(), kMaxTocBytes);
  auto r = ParseToc(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("层级过深"), std::string::npos) << r.error().message;
  std::string ok;
  for (int i = 0; i < 32; ++i) ok += "<a>";
  for (int i = 0; i < 32; ++i) ok += "</a>";
  EXPECT_TRUE(ParseToc(ok));
}

TEST(Toc, RegressionCharacterReferencesMustNameXmlCharacters) {
  // &#xD800; (a lone surrogate) became invalid UTF-8 in the tree; &#0; a NUL. Neither is
  // well-formed XML.
  for (const char* bad :
       {"<toc><x title=\"a&#xD800;b\"/></toc>", "<toc>&#0;</toc>", "<toc>&#x1;</toc>",
        "<toc>&#xFFFE;</toc>", "<toc>&#x110000;</toc>", "<toc>&#55296;</toc>"}) {
    auto r = ParseToc(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("字符引用"), std::string::npos) << r.error().message;
  }
  auto good = ParseToc("<toc t=\"&#9;&#x65B9;&#27861;&#x10FFFF;\">&#xE000;&#10;</toc>");
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->attrs.at("t"), "\t方法\xF4\x8F\xBF\xBF");
  auto undefined = ParseToc("<a>&undefined;</a>");
  ASSERT_FALSE(undefined);
  EXPECT_NE(undefined.error().message.find("未定义"), std::string::npos);
}

TEST(Toc, RegressionWhatPugixmlAcceptsButXmlDoesNot) {
  // pugixml is not a conformance checker: these were accepted as "well-formed" tocs. A
  // repeated attribute also made the tree inconsistent (attrs kept the last value, the title
  // the first), which toc_fuzz's round trip caught.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"<toc><x title=\"a\" title=\"b\"/></toc>", "重复"},
      {"<toc/><toc/>", "一个根元素"},
      {"前言<toc/>", "之外不能有文本"},
      {"<toc/>尾注", "之外不能有文本"},
      {std::string("<toc/>\0<x>", 9), "控制字符"},
      {"<toc>\x01</toc>", "控制字符"},
      {"<toc>\xEF\xBF\xBF</toc>", "控制字符"},
  };
  for (const auto& [xml, reason] : cases) {
    auto r = ParseToc(xml);
    ASSERT_FALSE(r) << xml;
    EXPECT_NE(r.error().message.find(reason), std::string::npos) << r.error().message;
  }
  // Still fine: comments, processing instructions, whitespace and CDATA around and inside.
  auto ok = ParseToc(
      "<?xml version=\"1.0\"?>\n<!-- c -->\n<toc a=\"1\" b=\"1\">\t<![CDATA[x]]></toc>\n<?pi?>\n");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->title, "x");
}

TEST(Metadata, RegressionLongSummaryDoesNotOverflowTheStack) {
  // The HTML check was a std::regex, which recurses per character: 60 000 characters after
  // "<a" crashed the validator (and with it the server) before the length error was reported.
  MetadataInput in = Good();
  in["summary"] = "<a " + std::string(60000, 'x');
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(r);
  EXPECT_EQ(FieldsOf(r), (std::vector<std::string>{"summary"}));
  in["summary"] = std::string(4000, 'x') + "<b>" + std::string(900, 'y');
  EXPECT_EQ(FieldsOf(ValidateMetadata(in, Ctx())), (std::vector<std::string>{"summary"}));
  // What counts as a tag is unchanged.
  for (const char* html :
       {"<b>加粗</b>", "< / p >", "a<br/>b", "<a href=\"x\">", "<\tdiv\n>", "<a<b>"}) {
    ExpectOnlyFieldFails("summary", html, "资源简介");
  }
  for (const char* text : {"1 < 2 且 3 > 2", "a<b", "<<>>", "x </ 1>", "<中文>"}) {
    in["summary"] = text;
    EXPECT_TRUE(ValidateMetadata(in, Ctx())) << text;
  }
}

TEST(Metadata, RegressionInvalidUtf8CounterIsNotQuotedIntoTheMessage) {
  // The counter error quoted the raw value, so a broken byte made the message invalid UTF-8.
  MetadataInput in = Good();
  in["learners"] = "2350\xE6\x96";
  auto r = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(r);
  ASSERT_EQ(FieldsOf(r), (std::vector<std::string>{"learners"}));
  EXPECT_TRUE(text::IsValidUtf8(r.error().fields[0].message));
  EXPECT_TRUE(text::IsValidUtf8(r.error().message));
}

TEST(Metadata, RegressionPresenterPrefixIsStrippedSoExportThenImportIsStable) {
  // "主讲人：主讲人：张" kept one prefix, which the next import (of the export) stripped again.
  MetadataInput in = Good();
  for (const char* raw :
       {"主讲人：主讲人：张演示", "主讲人：;主讲人:张演示", " 主讲人： 张演示 "}) {
    in["presenters"] = raw;
    auto r = ValidateMetadata(in, Ctx());
    ASSERT_TRUE(r) << raw << ": " << r.error().message;
    EXPECT_EQ(r->presenters, (std::vector<std::string>{"张演示"})) << raw;
    Resource res;
    res.meta = *r;
    auto again = ValidateMetadata(RowToInput(MapHeader(ExportHeader()), ExportRow(res)), Ctx());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *r) << raw;
  }
  in["presenters"] = "主讲人：";
  EXPECT_EQ(FieldsOf(ValidateMetadata(in, Ctx())), (std::vector<std::string>{"presenters"}));
  in["presenters"] = "张演示;主讲人：李演示";  // only a leading prefix is one
  EXPECT_EQ(ValidateMetadata(in, Ctx())->presenters,
            (std::vector<std::string>{"张演示", "主讲人：李演示"}));
}

TEST(SheetMapping, HeadersInAnyOrderWithSpacesAndUnknownColumns) {
  auto map = MapHeader({"资源 ID", "主讲人", "资源名称*", "备注", "资源类型（必填）", " 所属分类 "});
  EXPECT_EQ(map.fields[0], "id");
  EXPECT_EQ(map.fields[1], "presenters");
  EXPECT_EQ(map.fields[2], "title");
  EXPECT_FALSE(map.fields[3]);
  EXPECT_EQ(map.fields[4], "type");
  EXPECT_EQ(map.fields[5], "category");
  EXPECT_EQ(map.unknown, (std::vector<std::string>{"备注"}));
  auto in = RowToInput(map, {"99", "甲", "标题", "x", "A02", "健康养生"});
  EXPECT_EQ(in.count("id"), 0u);  // ids are generated, never imported
  EXPECT_EQ(in["title"], "标题");
  EXPECT_EQ(in["type"], "A02");
  auto header = ExportHeader();
  EXPECT_EQ(header.front(), "资源ID");
  EXPECT_EQ(header.size(), TemplateExampleRow().size());
  auto round = MapHeader(header);
  EXPECT_TRUE(round.unknown.empty());
}

// Issue 17 §5: an A03 course is a link (as before) or 实体资源 (uploaded lessons, no link).
TEST(Metadata, CourseDeliveryLinkOrFilesAndItsSheetColumn) {
  MetadataInput in = Good();
  in["type"] = "A03";
  EXPECT_EQ(FieldsOf(ValidateMetadata(in, Ctx())), (std::vector<std::string>{"link"}));
  for (const char* files : {"实体资源", "files", "上传课程视频"}) {
    in["delivery"] = files;
    auto r = ValidateMetadata(in, Ctx());
    ASSERT_TRUE(r) << files << ": " << r.error().message;
    EXPECT_EQ(r->delivery, CourseDelivery::kFiles);
    EXPECT_TRUE(r->link.empty());
  }
  in["delivery"] = "链接";
  EXPECT_EQ(FieldsOf(ValidateMetadata(in, Ctx())), (std::vector<std::string>{"link"}));
  in["delivery"] = "光盘";
  auto bad = ValidateMetadata(in, Ctx());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().fields[0].field, "delivery");
  EXPECT_EQ(bad.error().fields[0].label, "提交方式");
  EXPECT_NE(bad.error().fields[0].message.find("实体资源"), std::string::npos);

  // Export → import keeps it; A01/A02 carry none.
  in["delivery"] = "实体资源";
  Resource res;
  res.meta = *ValidateMetadata(in, Ctx());
  auto header = ExportHeader();
  EXPECT_EQ(header.back(), "提交方式");
  auto row = ExportRow(res);
  EXPECT_EQ(row.back(), "实体资源");
  auto again = ValidateMetadata(RowToInput(MapHeader(header), row), Ctx());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, res.meta);
  MetadataInput video = Good();
  video["delivery"] = "实体资源";
  auto v = ValidateMetadata(video, Ctx());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->delivery, CourseDelivery::kLink);
  res.meta = *v;
  EXPECT_EQ(ExportRow(res).back(), "");
}

TEST(SplitList, HalfAndFullWidthSeparators) {
  EXPECT_EQ(SplitList("a；b;;  c ；"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("  ").empty());
}

}  // namespace
}  // namespace lep::resources
