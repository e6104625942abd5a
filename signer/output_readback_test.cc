// Self-verify's read-back: signed zones read back as signed; a writer that
// drops quotes makes SignZone refuse the zone before any byte reaches the
// sink; the comparison catches a changed TTL, a dropped record and a changed
// RDATA byte, and damaged DNSSEC lines that the parser's fast path reads.
#include "signer/output_readback.h"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "dnssec/zone_key.h"
#include "gtest/gtest.h"
#include "signer/record.h"
#include "signer/simple_record_line.h"
#include "signer/zone_signer.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kNow = 1700000000;

constexpr char kZone[] = R"zone($ORIGIN example.
$TTL 3600
@         IN SOA ns1 hostmaster ( 2024010101 7200 3600
                                  1209600 300 )
          IN NS  ns1
          IN MX  10 mail
ns1       IN A   192.0.2.1
mail      IN AAAA 2001:db8::25
t         IN TXT "v=spf1 a;b" "semi;colon ( paren" "quote\"inside" "tab\009end"
t         IN TXT "back\\slash" "\255\000bin"
*.wild    IN TXT "wildcard;value"
a\.dot    IN A   192.0.2.8
a.b.c     IN A   192.0.2.7
sub       IN NS  ns.sub
ns.sub    IN A   192.0.2.53
          IN AAAA 2001:db8::53
sec       IN NS  ns.sec
sec       IN DS  12345 13 2 AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899
ns.sec    IN A   192.0.2.54
_443._tcp IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
u         IN TYPE65280 \# 3 abcdef
)zone";

class OutputReadBackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = new std::vector<dnssec::ZoneKey>(*std::move(keys));
  }
  static void TearDownTestSuite() { delete keys_; }

  static SignOptions Options() {
    SignOptions o;
    o.origin = "example.";
    o.now = kNow;
    return o;
  }
  static std::vector<dnssec::ZoneKey>* keys_;
};
std::vector<dnssec::ZoneKey>* OutputReadBackTest::keys_ = nullptr;

// A text writer that formats with WriteZoneText, then applies `edit` to the
// whole text before the sink sees it.
ZoneTextWriterFn EditingWriter(std::function<void(std::string*)> edit) {
  return [edit](const Zone& zone, const ZoneSink& sink, int threads) {
    std::string text;
    if (absl::Status s = WriteZoneText(
            zone,
            [&text](absl::string_view piece) {
              text.append(piece.data(), piece.size());
              return absl::OkStatus();
            },
            threads);
        !s.ok()) {
      return s;
    }
    edit(&text);
    return sink(text);
  };
}

// What a careless writer does: prints TXT strings without their quotes, so
// "a;b" becomes a;b and a reader takes ";b ..." as a comment.
void DropTxtQuotes(std::string* text) {
  std::string broken;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (line.empty()) continue;
    std::string copy(line);
    if (absl::StrContains(line, "\tIN\tTXT\t")) {
      absl::StrReplaceAll({{"\"", ""}}, &copy);
    }
    absl::StrAppend(&broken, copy, "\n");
  }
  *text = std::move(broken);
}

// 1-based number of the first line of `text` holding `part`, or 0.
int LineOf(absl::string_view text, absl::string_view part) {
  int line = 0;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    ++line;
    if (absl::StrContains(l, part)) return line;
  }
  return 0;
}

TEST_F(OutputReadBackTest, NsecZoneSignsAndReadsBack) {
  std::string out;
  auto report = SignZone(kZone, "example.zone", *keys_, Options(), &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);
  std::vector<std::string> phases;
  for (const auto& [name, seconds] : report->phase_seconds) {
    phases.push_back(name);
  }
  EXPECT_EQ(phases.back(), "wall");
  EXPECT_EQ(phases[phases.size() - 2], "readback");
  EXPECT_NE(out.find("\"v=spf1 a;b\""), std::string::npos) << out;
  EXPECT_NE(out.find("\tNSEC\t"), std::string::npos);
  EXPECT_NE(out.find("*.wild.example.\t3600\tIN\tTXT\t"), std::string::npos);
  EXPECT_NE(out.find("a\\.dot.example."), std::string::npos) << out;
}

TEST_F(OutputReadBackTest, Nsec3OptOutZoneSignsAndReadsBack) {
  SignOptions o = Options();
  o.nsec3.enabled = true;
  o.nsec3.salt = "\xab\xcd";
  o.nsec3.opt_out = true;
  o.add_cds = true;
  std::string out;
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->verified);
  EXPECT_GT(report->nsec3_records, 0u);
  EXPECT_NE(out.find("\tNSEC3PARAM\t"), std::string::npos);
}

TEST_F(OutputReadBackTest, QuotelessWriterIsRefusedAndNothingIsWritten) {
  SignOptions o = Options();
  o.text_writer_for_testing = EditingWriter(DropTxtQuotes);
  size_t bytes = 0;
  int calls = 0;
  auto report =
      SignZone(kZone, "example.zone", *keys_, o, [&](absl::string_view piece) {
        bytes += piece.size();
        ++calls;
        return absl::OkStatus();
      });
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  const std::string message(report.status().message());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_TRUE(absl::StrContains(message, "reads back differently")) << message;
  EXPECT_TRUE(absl::StrContains(message, "t.example. TXT")) << message;
  EXPECT_EQ(bytes, 0u);
  EXPECT_EQ(calls, 0);

  // The line named is the broken writer's TXT line with the ';' (the other
  // one, "back\\slash", reads back the same without quotes).
  SignOptions plain = o;
  plain.self_verify = false;
  std::string broken;
  ASSERT_TRUE(SignZone(kZone, "example.zone", *keys_, plain, &broken).ok());
  const int line = LineOf(broken, "t.example.\t3600\tIN\tTXT\tv=spf1 a;b");
  ASSERT_GT(line, 0) << broken;
  EXPECT_TRUE(
      absl::StrContains(message, absl::StrCat("output line ", line, ":")))
      << message << "\n"
      << broken;

  // Without self-verify the broken text goes out: the read-back is what
  // stopped it.
  EXPECT_NE(broken.find("v=spf1 a;b"), std::string::npos);
}

// The text is read back a window at a time: with windows of a few lines the
// same zone passes, and a broken line is named with its line in the whole
// output, not in its window.
TEST_F(OutputReadBackTest, SmallWindowsReadTheSameAndNameTheSameLine) {
  SignOptions o = Options();
  std::string whole;
  ASSERT_TRUE(SignZone(kZone, "example.zone", *keys_, o, &whole).ok());
  o.readback_window_bytes_for_testing = 100;
  std::string windowed;
  auto report = SignZone(kZone, "example.zone", *keys_, o, &windowed);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(windowed.size(), whole.size());

  o.text_writer_for_testing = EditingWriter(DropTxtQuotes);
  SignOptions plain = o;
  plain.self_verify = false;
  std::string broken;
  ASSERT_TRUE(SignZone(kZone, "example.zone", *keys_, plain, &broken).ok());
  const int line = LineOf(broken, "t.example.\t3600\tIN\tTXT\tv=spf1 a;b");
  ASSERT_GT(line, 3) << broken;
  for (size_t window : {size_t{1}, size_t{100}, size_t{1000}}) {
    o.readback_window_bytes_for_testing = window;
    report = SignZone(kZone, "example.zone", *keys_, o, &windowed);
    ASSERT_FALSE(report.ok()) << window;
    EXPECT_TRUE(absl::StrContains(report.status().message(),
                                  absl::StrCat("output line ", line, ": ")))
        << window << ": " << report.status();
  }
}

TEST_F(OutputReadBackTest, EditedTextIsRefused) {
  std::string out;
  SignOptions o = Options();
  // A changed TTL on the MX line.
  o.text_writer_for_testing = EditingWriter([](std::string* text) {
    const size_t mx = text->find("\nexample.\t3600\tIN\tMX\t");
    ASSERT_NE(mx, std::string::npos);
    text->replace(mx, 14, "\nexample.\t3601");
  });
  auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::StrContains(report.status().message(),
                                "example. MX: the written text reads back "
                                "differently (TTL 3601 instead of 3600)"))
      << report.status();
  // A record dropped: the one after it is named in its place.
  o.text_writer_for_testing = EditingWriter([](std::string* text) {
    const size_t a = text->find("\nns1.example.\t3600\tIN\tA\t");
    ASSERT_NE(a, std::string::npos);
    text->erase(a, text->find('\n', a + 1) - a);
  });
  report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(absl::StrContains(report.status().message(),
                                "ns1.example. A: the written text reads back "
                                "differently (read back as ns1.example. "
                                "RRSIG)"))
      << report.status();
  // Text that does not parse at all.
  o.text_writer_for_testing = EditingWriter(
      [](std::string* text) { *text = "example.\t3600\tIN\tSOA\tgarbage\n"; });
  report = SignZone(kZone, "example.zone", *keys_, o, &out);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(report.status().message(), "output:1:"))
      << report.status();
  EXPECT_TRUE(out.empty());
}

// Edits the first line of `*text` holding `part`; returns its 1-based number
// and, in `*edited`, the line as edited (0 and unchanged when none holds it).
int EditFirstLine(std::string* text, const char* part,
                  const std::function<void(std::string*)>& edit,
                  std::string* edited) {
  const size_t at = text->find(part);
  if (at == std::string::npos) return 0;
  const size_t begin = text->rfind('\n', at) + 1;  // npos + 1 == 0
  const size_t end = text->find('\n', at);
  std::string line = text->substr(begin, end - begin);
  edit(&line);
  text->replace(begin, end - begin, line);
  *edited = line;
  return static_cast<int>(
             std::count(text->begin(), text->begin() + begin, '\n')) +
         1;
}

// Changes one base64 character near the end of the line (inside the data,
// before any padding).
void ChangeBase64NearEnd(std::string* line) {
  char& c = (*line)[line->size() - 10];
  c = c == 'A' ? 'B' : 'A';
}

// The read-back, with the fast path reading the DNSSEC lines, still catches
// a damaged RRSIG, NSEC, NSEC3 or DNSKEY line: the damaged line is one the
// fast path reads (not ldns), and it is named.
TEST_F(OutputReadBackTest, DamagedDnssecLinesAreCaughtOnTheFastPath) {
  const struct {
    bool nsec3;
    const char* part;
    std::function<void(std::string*)> edit;
    const char* type;
  } kCases[] = {
      {false, "\tIN\tRRSIG\tMX ", ChangeBase64NearEnd, "RRSIG"},
      {false, "\tIN\tDNSKEY\t257 ", ChangeBase64NearEnd, "DNSKEY"},
      {false, "\tIN\tNSEC\t",
       [](std::string* line) {
         const size_t mx = line->find(" MX ");
         ASSERT_NE(mx, std::string::npos) << *line;
         line->erase(mx, 3);  // MX dropped from the bitmap
       },
       "NSEC"},
      {true, "\tIN\tNSEC3\t",
       [](std::string* line) {
         line->erase(line->rfind(' '));  // the last type dropped
       },
       "NSEC3"},
      {true, "\tIN\tNSEC3\t",
       [](std::string* line) {
         // The first character of the next hashed owner.
         size_t pos = line->rfind('\t') + 1;
         for (int field = 0; field < 4; ++field) pos = line->find(' ', pos) + 1;
         (*line)[pos] = (*line)[pos] == '0' ? '1' : '0';
       },
       "NSEC3"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.part);
    SignOptions o = Options();
    o.nsec3.enabled = c.nsec3;
    int line = 0;
    std::string edited;
    o.text_writer_for_testing = EditingWriter([&](std::string* text) {
      line = EditFirstLine(text, c.part, c.edit, &edited);
    });
    std::string out;
    auto report = SignZone(kZone, "example.zone", *keys_, o, &out);
    ASSERT_GT(line, 0);
    ASSERT_FALSE(report.ok()) << edited;
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
    EXPECT_TRUE(absl::StrContains(report.status().message(),
                                  absl::StrCat("output line ", line, ": ")))
        << report.status();
    EXPECT_TRUE(absl::StrContains(
        report.status().message(),
        absl::StrCat(" ", c.type,
                     ": the written text reads back differently (RDATA")))
        << report.status();
    EXPECT_TRUE(out.empty());
    // The damaged line is read by the fast path, so it is our reader that
    // caught it.
    LineContext context;
    const std::string origin(
        "\x07"
        "example\x00",
        9);
    context.origin = origin;
    context.prev_owner = origin;
    SimpleRecordLine read;
    EXPECT_TRUE(ParseSimpleRecordLine(edited + "\n", context, &read)) << edited;
  }
}

// The comparison on its own.
class CompareReadBackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string owner(
        "\x03www\x07"
        "example\x00",
        13);
    read_back_ = {
        {owner, kTypeA, kClassIn, 300, std::string("\xc0\x00\x02\x01", 4), 5},
        {owner, kTypeA, kClassIn, 300, std::string("\xc0\x00\x02\x02", 4), 6},
        {owner, kTypeRrsig, kClassIn, 300, "sig-bytes", 7},
        {owner, kTypeTxt, kClassIn, 300,
         std::string("\x03"
                     "a;b",
                     4),
         8},
    };
    signed_ = read_back_;  // the expected views point here
    for (const Record& r : signed_) {
      expected_.push_back({r.owner, r.type, r.ttl, r.rdata});
    }
  }
  std::vector<Record> signed_;
  std::vector<SignedRecord> expected_;
  std::vector<Record> read_back_;
};

TEST_F(CompareReadBackTest, EqualRecordsPass) {
  EXPECT_TRUE(CompareReadBack(expected_, read_back_).ok());
}

TEST_F(CompareReadBackTest, ChangedTtlFails) {
  read_back_[2].ttl = 299;
  const absl::Status s = CompareReadBack(expected_, read_back_);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(),
            "output line 7: www.example. RRSIG: the written text reads back "
            "differently (TTL 299 instead of 300)");
}

TEST_F(CompareReadBackTest, DroppedRecordFails) {
  read_back_.erase(read_back_.begin() + 1);
  absl::Status s = CompareReadBack(expected_, read_back_);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StartsWith(s.message(),
                               "output line 7: www.example. A: the written "
                               "text reads back differently (read back as "
                               "www.example. RRSIG)"))
      << s;
  // The last record dropped: named, one line past the end.
  read_back_ = {read_back_.begin(), read_back_.begin() + 2};
  expected_.erase(expected_.begin() + 1);
  s = CompareReadBack(expected_, read_back_);
  EXPECT_TRUE(absl::StartsWith(s.message(), "output line 8: www.example. TXT"))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "missing")) << s;
}

TEST_F(CompareReadBackTest, ChangedRdataByteFails) {
  read_back_[3].rdata[2] = ':';
  const absl::Status s = CompareReadBack(expected_, read_back_);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StartsWith(s.message(),
                               "output line 8: www.example. TXT: the written "
                               "text reads back differently (RDATA"))
      << s;
}

TEST_F(CompareReadBackTest, ExtraRecordFails) {
  read_back_.push_back(read_back_.back());
  read_back_.back().line = 9;
  const absl::Status s = CompareReadBack(expected_, read_back_);
  EXPECT_TRUE(absl::StartsWith(s.message(), "output line 9: www.example. TXT"))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "not signed")) << s;
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
