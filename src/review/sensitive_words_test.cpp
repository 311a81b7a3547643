// SensitiveWordScreen: hits, overlaps, Traditional/full-width/case variants, positions in the
// original text, list parsing, a large list, concurrent use.
#include "review/sensitive_words.h"

#include <gtest/gtest.h>

#include <thread>

namespace lep::review {
namespace {

SensitiveWordScreen Make(const std::vector<std::string>& words) {
  auto s = SensitiveWordScreen::Create(words);
  EXPECT_TRUE(s) << s.error().message;
  return std::move(*s);
}

SensitiveHit Hit(std::string field, std::string word, std::string matched, size_t pos, size_t len) {
  return {std::move(field), std::move(word), std::move(matched), pos, len};
}

TEST(SensitiveWords, PlainHitWithCodePointPosition) {
  auto s = Make({"赌博"});
  EXPECT_EQ(s.WordCount(), 1u);
  EXPECT_EQ(s.ScreenText("title", "禁止赌博行为"),
            std::vector<SensitiveHit>{Hit("title", "赌博", "赌博", 2, 2)});
  EXPECT_TRUE(s.ScreenText("title", "太极拳入门").empty());
}

TEST(SensitiveWords, PositionsCountCodePointsNotBytes) {
  auto s = Make({"赌博", "abc"});
  // a b 中 文 赌 博 , 🀄 a b c
  auto hits = s.ScreenText("summary", "ab中文赌博,🀄abc");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0], Hit("summary", "赌博", "赌博", 4, 2));
  EXPECT_EQ(hits[1], Hit("summary", "abc", "abc", 8, 3));
}

TEST(SensitiveWords, OverlappingAndNestedWordsAreAllReported) {
  auto s = Make({"赌博", "博彩", "赌博彩票", "彩"});
  auto hits = s.ScreenText("title", "网络赌博彩票");
  EXPECT_EQ(hits, (std::vector<SensitiveHit>{
                      Hit("title", "赌博彩票", "赌博彩票", 2, 4),
                      Hit("title", "赌博", "赌博", 2, 2),
                      Hit("title", "博彩", "博彩", 3, 2),
                      Hit("title", "彩", "彩", 4, 1),
                  }));
}

TEST(SensitiveWords, RepeatedOccurrencesEachReported) {
  auto s = Make({"aa"});
  auto hits = s.ScreenText("f", "aaaa");
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].position, 0u);
  EXPECT_EQ(hits[1].position, 1u);
  EXPECT_EQ(hits[2].position, 2u);
}

TEST(SensitiveWords, TraditionalTextMatchesSimplifiedWord) {
  auto s = Make({"赌博"});
  EXPECT_EQ(s.ScreenText("title", "網路賭博遊戲"),
            std::vector<SensitiveHit>{Hit("title", "赌博", "賭博", 2, 2)});
}

TEST(SensitiveWords, TraditionalWordMatchesSimplifiedText) {
  auto s = Make({"賭博"});
  EXPECT_EQ(s.ScreenText("title", "网络赌博"),
            std::vector<SensitiveHit>{Hit("title", "賭博", "赌博", 2, 2)});
}

TEST(SensitiveWords, FullWidthLatinMatches) {
  auto s = Make({"ABC", "ｘｙｚ"});
  EXPECT_EQ(s.ScreenText("keywords", "含有ＡＢＣ字样"),
            std::vector<SensitiveHit>{Hit("keywords", "ABC", "ＡＢＣ", 2, 3)});
  EXPECT_EQ(s.ScreenText("keywords", "xyz"),
            std::vector<SensitiveHit>{Hit("keywords", "ｘｙｚ", "xyz", 0, 3)});
}

TEST(SensitiveWords, CaseIsFolded) {
  auto s = Make({"Gambling"});
  EXPECT_EQ(s.ScreenText("summary", "online GAMBLING site"),
            std::vector<SensitiveHit>{Hit("summary", "Gambling", "GAMBLING", 7, 8)});
  EXPECT_EQ(s.ScreenText("summary", "ＧａＭｂＬｉＮｇ").size(), 1u);
}

TEST(SensitiveWords, NormalizeCombinesAllThree) {
  auto s = Make({});
  EXPECT_EQ(s.Normalize("ＡＢＣ賭博Ｘ　y"), "abc赌博x y");
}

TEST(SensitiveWords, ScreensSeveralFieldsInOrder) {
  auto s = Make({"赌博", "翻墙"});
  auto hits = s.Screen({{"title", "赌博的危害"},
                        {"summary", "介绍如何识别网络赌博"},
                        {"presenters", "张三;李四"},
                        {"keywords", "翻牆;賭博"}});
  EXPECT_EQ(hits, (std::vector<SensitiveHit>{
                      Hit("title", "赌博", "赌博", 0, 2),
                      Hit("summary", "赌博", "赌博", 8, 2),
                      Hit("keywords", "翻墙", "翻牆", 0, 2),
                      Hit("keywords", "赌博", "賭博", 3, 2),
                  }));
}

TEST(SensitiveWords, EmptyListAndEmptyText) {
  auto s = Make({});
  EXPECT_EQ(s.WordCount(), 0u);
  EXPECT_TRUE(s.ScreenText("title", "任何内容都不会命中").empty());
  auto t = Make({"赌博"});
  EXPECT_TRUE(t.ScreenText("title", "").empty());
  EXPECT_TRUE(t.Screen({}).empty());
}

TEST(SensitiveWords, DuplicateAndBlankWordsAreMerged) {
  auto s = Make({"赌博", "賭博", "  ", "ＡＢＣ", "abc", ""});
  EXPECT_EQ(s.WordCount(), 2u);
  auto hits = s.ScreenText("t", "賭博");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].word, "赌博");  // the first listed form
}

TEST(SensitiveWords, InvalidUtf8InTextCountsBytesAsCodePoints) {
  auto s = Make({"赌博"});
  std::string text = "\xFF\xC3赌博\xE4\xB8";
  auto hits = s.ScreenText("t", text);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].position, 2u);
  EXPECT_EQ(hits[0].matched, "赌博");
  // NUL bytes neither crash OpenCC nor hide what follows.
  std::string with_nul("a\0賭博", 8);
  hits = s.ScreenText("t", with_nul);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].position, 2u);
  EXPECT_EQ(hits[0].matched, "賭博");
}

TEST(SensitiveWordList, ParsesCommentsBlanksCrlfAndBom) {
  auto words = ParseWordList(
      "\xEF\xBB\xBF# 敏感词表 v1\r\n赌博\r\n\r\n   # 缩进的注释\n  翻墙  \n　ＡＢＣ　\nlast");
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"赌博", "翻墙", "ＡＢＣ", "last"}));
  EXPECT_TRUE(ParseWordList("")->empty());
  EXPECT_TRUE(ParseWordList("# only comments\n\n")->empty());
}

TEST(SensitiveWordList, RejectsInvalidUtf8NamingTheLine) {
  auto words = ParseWordList("赌博\n\xFF\xFE\n");
  ASSERT_FALSE(words);
  EXPECT_TRUE(words.error().Is(ErrorCode::kInvalidArgument));
  EXPECT_EQ(words.error().message, "敏感词表第 2 行不是有效的 UTF-8 文本");
}

TEST(SensitiveWordList, FromListText) {
  auto s = SensitiveWordScreen::FromListText("# list\n赌博\n博彩\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->WordCount(), 2u);
  EXPECT_EQ(s->ScreenText("t", "賭博彩").size(), 2u);
  EXPECT_FALSE(SensitiveWordScreen::FromListText("\xC0\x80"));
}

TEST(SensitiveWords, MissingOpenccConfigIsAnError) {
  auto s = SensitiveWordScreen::Create({"赌博"}, {"/nonexistent/t2s.json"});
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().Is(ErrorCode::kInternal));
}

// 10 000 generated two- to four-character words over a long text: must run, and find what
// was planted. No timing assertion.
TEST(SensitiveWords, TenThousandWordList) {
  std::vector<std::string> words;
  auto cjk = [](uint32_t n) {
    std::string s;
    const char32_t cp = 0x4E00 + n % 0x5000;
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
    return s;
  };
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  for (int i = 0; i < 10'000; ++i) {
    std::string w;
    const int len = 2 + static_cast<int>(next() % 3);
    for (int k = 0; k < len; ++k) w += cjk(next());
    words.push_back(std::move(w));
  }
  words.push_back("赌博");
  auto s = Make(words);
  EXPECT_GE(s.WordCount(), 9'900u);

  std::string text;
  for (int i = 0; i < 20'000; ++i) text += cjk(next());
  text += "賭博";
  auto hits = s.ScreenText("toc", text);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.back().word, "赌博");
  EXPECT_EQ(hits.back().position, 20'000u);
}

TEST(SensitiveWords, ConcurrentScreensAgree) {
  auto s = Make({"赌博", "翻墙", "ABC"});
  const std::vector<ScreenField> fields = {{"title", "網路賭博與翻牆ＡＢＣ"},
                                           {"summary", "abc赌博"}};
  const auto expected = s.Screen(fields);
  ASSERT_EQ(expected.size(), 5u);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (s.Screen(fields) != expected) ++mismatches[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace lep::review
