#include "signer/zone_parser.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signer/record.h"
#include "signer/zone_chunker.h"

namespace zonekeep {
namespace signer {
namespace {

// A zone with every construct the chunker has to respect, `n` blocks long;
// each block is 14 lines. `extra(i)` is appended after block i.
template <typename Extra>
std::string MakeZone(int n, Extra extra) {
  std::string text =
      "; generated\n"
      "$ORIGIN example.\n"
      "$TTL 300\n"
      "@ IN SOA ns1 hostmaster (\n"
      "        2026112301 ; serial (yes\n"
      "        7200 3600 1209600\n"
      "        300 )\n"
      "@ NS ns1\n"
      "ns1 A 192.0.2.1\n";
  for (int i = 0; i < n; ++i) {
    if (i == n / 3) absl::StrAppend(&text, "$TTL 60\n");
    if (i == n / 2) absl::StrAppend(&text, "$ORIGIN sub.example.\n");
    if (i == 2 * n / 3) absl::StrAppend(&text, "$TTL 1d\n$ORIGIN example.\n");
    absl::StrAppend(
        &text, "d", i, " NS ns.d", i, "\n",                      // owner
        "   A 192.0.2.", i % 250, "\n",                          // continuation
        "\tTXT \"semi;colon (paren\" \"x\\\"y\" ; comment (\n",  // quoted
        "; a comment line with \"quote and ( paren\n",           //
        "\n",                                                    // blank line
        "m", i, " 120 MX ( 10 ; the preference\n",               // multi-line
        "   mail", i, ".example. )\n",                           //
        "t", i, " TXT ( \"a)b\"\n",                              // quote in (
        "  \"c;d\" )\n",                                         //
        "   AAAA 2001:db8::", i % 9999, "\n",                    // continuation
        "e", i, " IN CNAME d", i, " ; trailing comment\n",       //
        "f", i, " TXT \"two\\\n",                                // escaped NL
        "lines\"\n",                                             //
        "g", i, " A 10.0.0.", i % 250, "\n");
    extra(i, &text);
  }
  return text;
}

std::string MakeZone(int n) {
  return MakeZone(n, [](int, std::string*) {});
}

ParseOptions SingleThreaded() {
  ParseOptions options;
  options.threads = 1;
  return options;
}

ParseOptions Chunked(int threads) {
  ParseOptions options;
  options.threads = threads;
  options.parallel_min_bytes = 0;
  return options;
}

void ExpectSameRecords(const ParsedZone& a, const ParsedZone& b) {
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.dnssec_records_dropped, b.dnssec_records_dropped);
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    const Record& x = a.records[i];
    const Record& y = b.records[i];
    EXPECT_EQ(x.owner, y.owner) << i;
    EXPECT_EQ(x.type, y.type) << i;
    EXPECT_EQ(x.rrclass, y.rrclass) << i;
    EXPECT_EQ(x.ttl, y.ttl) << i;
    EXPECT_EQ(x.rdata, y.rdata) << i;
    EXPECT_EQ(x.line, y.line) << i;
  }
}

TEST(ZoneChunkerTest, SplitsAtOwnerLinesAndTilesTheText) {
  const std::string text = MakeZone(200);
  const std::vector<ZoneChunk> chunks = SplitZoneText(text, 16);
  ASSERT_GT(chunks.size(), 8u);
  EXPECT_EQ(chunks.front().text.begin, 0u);
  EXPECT_EQ(chunks.back().text.end, text.size());
  for (size_t i = 1; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i - 1].text.end, chunks[i].text.begin);
    EXPECT_EQ(text[chunks[i].text.begin - 1], '\n');
    const char first = text[chunks[i].text.begin];
    EXPECT_TRUE(first != ' ' && first != '\t' && first != '$' && first != ';')
        << first;
  }
}

TEST(ZoneChunkerTest, FallsBackOnInclude) {
  std::string text = MakeZone(50);
  absl::StrAppend(&text, "$INCLUDE other.zone\n");
  EXPECT_EQ(SplitZoneText(text, 8).size(), 1u);
}

TEST(ZoneParserTest, ChunkedParseMatchesSingleThreaded) {
  const std::string text = MakeZone(300);
  auto single = ParseZoneText(text, "gen.zone", "example.", SingleThreaded());
  ASSERT_TRUE(single.ok()) << single.status();
  // 3 header records and 9 per block.
  EXPECT_EQ(single->records.size(), 3u + 300u * 9u);
  for (int threads : {2, 3, 8}) {
    auto chunked =
        ParseZoneText(text, "gen.zone", "example.", Chunked(threads));
    ASSERT_TRUE(chunked.ok()) << chunked.status();
    ExpectSameRecords(*single, *chunked);
  }
}

TEST(ZoneParserTest, ChunkedParseMatchesWithoutGivenOrigin) {
  const std::string text = MakeZone(100);
  auto single = ParseZoneText(text, "gen.zone", "", SingleThreaded());
  ASSERT_TRUE(single.ok()) << single.status();
  auto chunked = ParseZoneText(text, "gen.zone", "", Chunked(4));
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  ExpectSameRecords(*single, *chunked);
}

TEST(ZoneParserTest, DirectivesMidwayReachLaterChunks) {
  const std::string text = MakeZone(120);
  auto chunked = ParseZoneText(text, "gen.zone", "example.", Chunked(4));
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  const Record& last = chunked->records.back();  // g119 A, after $TTL 1d
  EXPECT_EQ(last.ttl, 86400u);
  EXPECT_EQ(last.owner, std::string("\x04g119\x07"
                                    "example\x00",
                                    14));
}

std::string ErrorOf(absl::string_view text, const ParseOptions& options) {
  auto parsed = ParseZoneText(text, "gen.zone", "example.", options);
  return parsed.ok() ? "ok" : std::string(parsed.status().message());
}

int LineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(ZoneParserTest, ErrorInSecondHalfReportsItsLine) {
  int bad_line = 0;
  const std::string text = MakeZone(400, [&](int i, std::string* t) {
    if (i == 300) {
      absl::StrAppend(t, "bad A 999.1.1.1\n");
      bad_line = LineCount(*t);
    }
  });
  const std::string single = ErrorOf(text, SingleThreaded());
  EXPECT_NE(single.find(absl::StrCat("gen.zone:", bad_line, ": ")),
            std::string::npos)
      << single;
  EXPECT_EQ(ErrorOf(text, Chunked(2)), single);
  EXPECT_EQ(ErrorOf(text, Chunked(8)), single);
}

TEST(ZoneParserTest, EarlierOfTwoErrorsWins) {
  // A syntax error late and an out-of-zone owner early, then the reverse.
  int first_line = 0;
  const std::string text = MakeZone(400, [&](int i, std::string* t) {
    if (i == 150) {
      absl::StrAppend(t, "www.example.org. A 192.0.2.7\n");
      first_line = LineCount(*t);
    }
    if (i == 350) absl::StrAppend(t, "bad A 999.1.1.1\n");
  });
  const std::string single = ErrorOf(text, SingleThreaded());
  EXPECT_NE(single.find(absl::StrCat("gen.zone:", first_line, ": owner")),
            std::string::npos)
      << single;
  EXPECT_EQ(ErrorOf(text, Chunked(2)), single);
  EXPECT_EQ(ErrorOf(text, Chunked(8)), single);

  const std::string reverse = MakeZone(400, [&](int i, std::string* t) {
    if (i == 150) {
      absl::StrAppend(t, "bad A 999.1.1.1\n");
      first_line = LineCount(*t);
    }
    if (i == 350) absl::StrAppend(t, "www.example.org. A 192.0.2.7\n");
  });
  const std::string single_reverse = ErrorOf(reverse, SingleThreaded());
  EXPECT_NE(single_reverse.find(absl::StrCat("gen.zone:", first_line, ": ")),
            std::string::npos)
      << single_reverse;
  EXPECT_EQ(ErrorOf(reverse, Chunked(2)), single_reverse);
  EXPECT_EQ(ErrorOf(reverse, Chunked(8)), single_reverse);
}

TEST(ZoneParserTest, IncludeStaysRefusedWhenLarge) {
  std::string text = MakeZone(200);
  absl::StrAppend(&text, "$INCLUDE /etc/passwd\n");
  const std::string single = ErrorOf(text, SingleThreaded());
  EXPECT_NE(single.find("$INCLUDE is not allowed"), std::string::npos);
  EXPECT_EQ(ErrorOf(text, Chunked(4)), single);
}

TEST(ZoneParserTest, SyntaxErrorBeforeChunkEndIsNotSwallowed) {
  // A bad owner at the end of a chunk, or of the whole input, must be an
  // error (only blanks and comments may trail the last record). Moving the bad
  // line through the zone puts it right before some chunk boundaries.
  int at_chunk_end = 0;
  for (int bad = 0; bad < 120; ++bad) {
    size_t bad_end = 0;
    const std::string text = MakeZone(120, [&](int i, std::string* t) {
      if (i != bad) return;
      absl::StrAppend(t, "bad..owner A 192.0.2.1\n");
      bad_end = t->size();
    });
    for (const ZoneChunk& chunk : SplitZoneText(text, 8 * 4)) {
      if (chunk.text.begin == bad_end) ++at_chunk_end;
    }
    const std::string single = ErrorOf(text, SingleThreaded());
    EXPECT_NE(single, "ok") << bad;
    EXPECT_EQ(ErrorOf(text, Chunked(8)), single) << bad;
  }
  EXPECT_GT(at_chunk_end, 0);
}

TEST(ZoneParserTest, ErrorOnTheLastLineIsReported) {
  const std::string head =
      "$ORIGIN example.\n$TTL 300\n@ IN SOA ns h 1 2 3 4 5\n@ IN NS ns\n";
  for (const std::string& tail :
       {std::string("bad..owner A 192.0.2.1"),
        std::string("bad..owner A 192.0.2.1\n"),
        std::string("www A 192.0.2.999\n; comment\n")}) {
    const std::string error = ErrorOf(head + tail, SingleThreaded());
    EXPECT_NE(error.find("gen.zone:5:"), std::string::npos)
        << tail << " -> " << error;
  }
  // Blanks and comments after the last record stay fine.
  for (const std::string& tail : {std::string("  \n"), std::string("; the end"),
                                  std::string("\n\n; the end\n   ; more\n")}) {
    EXPECT_EQ(ErrorOf(head + "www A 192.0.2.1\n" + tail, SingleThreaded()),
              "ok")
        << tail;
  }
}

ParseOptions AllErrors(ParseOptions options, int max_errors = 100) {
  options.max_errors = max_errors;
  return options;
}

// The lines an error text names, one "gen.zone:N: reason" a line.
std::vector<int> ErrorLines(const std::string& error) {
  std::vector<int> lines;
  size_t pos = 0;
  while ((pos = error.find("gen.zone:", pos)) != std::string::npos) {
    pos += 9;
    if (pos < error.size() && absl::ascii_isdigit(error[pos])) {
      lines.push_back(std::atoi(error.c_str() + pos));
    }
  }
  return lines;
}

TEST(ZoneParserTest, EveryErrorInFileOrderWhateverTheThreads) {
  std::vector<int> bad_lines;
  const std::string text = MakeZone(400, [&](int i, std::string* t) {
    if (i == 50) {
      absl::StrAppend(t, "bad1 A 999.1.1.1\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 200) {
      absl::StrAppend(t, "bad2 IN FOOBAR 1\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 350) {
      absl::StrAppend(t, "bad3 MX notanumber mail\n");
      bad_lines.push_back(LineCount(*t));
    }
  });
  ASSERT_GT(SplitZoneText(text, 16).size(), 4u);
  const std::string single = ErrorOf(text, AllErrors(SingleThreaded()));
  EXPECT_EQ(ErrorLines(single), bad_lines) << single;
  EXPECT_EQ(std::count(single.begin(), single.end(), '\n'), 2) << single;
  EXPECT_EQ(ErrorOf(text, AllErrors(Chunked(4))), single);
  EXPECT_EQ(ErrorOf(text, AllErrors(Chunked(8))), single);
  // One error wanted: the first, as before.
  const std::string first = ErrorOf(text, SingleThreaded());
  EXPECT_EQ(ErrorLines(first), std::vector<int>{bad_lines[0]}) << first;
  EXPECT_EQ(ErrorOf(text, Chunked(4)), first);
}

TEST(ZoneParserTest, BrokenEntriesAreSkippedWhole) {
  // A stray ')', a quote open at the end of its line inside parentheses, an
  // out-of-zone owner, a bad $TTL, NS at a wildcard, an RRset error free
  // record between each, and an unclosed '(' that runs to the end.
  std::vector<int> bad_lines;
  const std::string text = MakeZone(300, [&](int i, std::string* t) {
    if (i == 40) {
      absl::StrAppend(t, "s1 A 192.0.2.1 )\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 80) {
      absl::StrAppend(t, "q1 TXT ( \"open\n  \"x\" )\nok", i, " A 192.0.2.3\n");
      bad_lines.push_back(LineCount(*t) - 2);
    }
    if (i == 120) {
      absl::StrAppend(t, "www.example.org. A 192.0.2.7\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 160) {
      absl::StrAppend(t, "$TTL forever\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 200) {
      absl::StrAppend(t, "*.w NS ns1\n");
      bad_lines.push_back(LineCount(*t));
    }
    if (i == 299) {
      absl::StrAppend(t, "p1 MX ( 10\n  mail.example.\nlast A 192.0.2.9\n");
      bad_lines.push_back(LineCount(*t) - 2);
    }
  });
  const std::string single = ErrorOf(text, AllErrors(SingleThreaded()));
  EXPECT_EQ(ErrorLines(single), bad_lines) << single;
  EXPECT_EQ(ErrorOf(text, AllErrors(Chunked(4))), single);
  // Without the fast path: the same errors.
  ParseOptions slow = AllErrors(Chunked(4));
  slow.fast_path = false;
  EXPECT_EQ(ErrorOf(text, slow), single);
}

TEST(ZoneParserTest, ErrorsAreCapped) {
  const std::string text = MakeZone(100, [&](int i, std::string* t) {
    absl::StrAppend(t, "bad", i, " A 999.1.1.1\n");
  });
  for (const ParseOptions& options :
       {AllErrors(SingleThreaded(), 10), AllErrors(Chunked(4), 10)}) {
    const std::string error = ErrorOf(text, options);
    EXPECT_EQ(ErrorLines(error).size(), 10u) << error;
    EXPECT_NE(error.find("\ngen.zone: more errors not shown"),
              std::string::npos)
        << error;
  }
  // Exactly max_errors: no such line.
  const std::string ten = MakeZone(100, [&](int i, std::string* t) {
    if (i % 10 == 0) absl::StrAppend(t, "bad", i, " A 999.1.1.1\n");
  });
  const std::string error = ErrorOf(ten, AllErrors(Chunked(4), 10));
  EXPECT_EQ(ErrorLines(error).size(), 10u) << error;
  EXPECT_EQ(error.find("more errors"), std::string::npos) << error;
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
