// Differential test of the parser's fast path (signer/simple_record_line.h):
// zones generated here, parsed with the fast path on and off, on one thread
// and in chunks, must give the same records (owner, type, TTL, RDATA, line)
// or the same error text.
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signer/fast_path_test_util.h"
#include "signer/record.h"
#include "signer/simple_record_line.h"
#include "signer/zone_parser.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kHead[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "@ IN SOA ns1 hostmaster (\n"
    "        2026112301 ; serial\n"
    "        7200 3600 1209600 300 )\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

// A TLD-like delegation zone like bench/gen_tld_zone.py's, with some of
// everything the fast path reads mixed in.
std::string MakeTldZone(int n) {
  std::mt19937 rng(20261123);
  std::string text =
      "$ORIGIN tld.\n"
      "$TTL 86400\n"
      "@ 86400 IN SOA a.nic.tld. hostmaster.nic.tld. "
      "2024010101 1800 900 604800 3600\n"
      "@ 172800 IN NS a.nic.tld.\n"
      "\tNS b.nic ; blank owner\n"
      "a.nic 172800 IN A 192.0.2.1\n"
      "      172800 IN AAAA 2001:db8::1\n"
      "B.NIC.TLD. 172800 in a 192.0.2.2\n"
      "b.nic IN AAAA 2001:db8::2\n";
  for (int i = 0; i < n; ++i) {
    const std::string label = absl::StrCat("d", rng() % 100000, "x", i);
    if (i == n / 3) absl::StrAppend(&text, "$TTL 3600\n");
    if (i == n / 2) absl::StrAppend(&text, "$ORIGIN Sub.TLD.\n; sub\n\n");
    if (i == 2 * n / 3) absl::StrAppend(&text, "$TTL 0\n$ORIGIN tld.\n");
    if (i % 10 == 0) {
      absl::StrAppend(&text, label, " 172800 IN NS ns1.", label, "\n",
                      "  172800 IN NS ns2.", label, " ; second\n", "ns1.",
                      label, " A 10.0.", i % 256, ".", rng() % 256, "\n",
                      "ns2.", label, " 172800 A 100.64.", rng() % 256, ".",
                      i % 256, "\n", "ns1.", label,
                      " 172800 IN AAAA 2001:db8:", absl::Hex(i), "::53\n");
    } else {
      const uint32_t host = rng() % 2000;
      absl::StrAppend(&text, i % 7 == 0 ? absl::AsciiStrToUpper(label) : label,
                      " 172800 IN NS ns1.host", host, ".net.\n", "\t",
                      i % 3 == 0 ? "IN " : "", "NS NS2.host", host, ".NET.\n");
    }
    if (rng() % 2 == 0) {
      absl::StrAppend(&text, label, " 86400 IN DS ", rng() % 65536, " 13 2 ");
      for (int k = 0; k < 8; ++k) {
        absl::StrAppend(&text, absl::Hex(rng(), absl::kZeroPad8),
                        k == 3 && i % 5 == 0 ? " " : "");
      }
      absl::StrAppend(&text, i % 4 == 0 ? "\r\n" : "\n");
    }
    if (i % 97 == 0) absl::StrAppend(&text, "; comment line\n\n");
    if (i % 89 == 0) absl::StrAppend(&text, label, " TXT \"v=1; (x)\"\n");
    if (i % 83 == 0) absl::StrAppend(&text, label, " 1h A 192.0.2.3\n");
  }
  return text;
}

TEST(ZoneParserFastPathTest, TldZoneMatchesLdns) {
  const std::string text = MakeTldZone(3000);
  absl::StatusOr<ParsedZone> zone = ExpectSameAsLdns(text, "tld.");
  ASSERT_TRUE(zone.ok()) << zone.status();
  EXPECT_GT(zone->records.size(), 7000u);
}

TEST(ZoneParserFastPathTest, FastPathReadsTheTldZoneRecords) {
  // The records of the generated zone are the fast path's own (so the
  // comparison above is not ldns against ldns): walk it like the parser does.
  const std::string text = MakeTldZone(300);
  const std::string origin("\x03tld\x00", 5);
  std::string prev = origin;
  size_t pos = text.find("\nd") + 1;  // past the header lines
  int handled = 0;
  int declined = 0;
  SimpleRecordLine line;
  while (pos < text.size()) {
    LineContext context;
    context.origin = origin;
    context.prev_owner = prev;
    context.default_ttl = 86400;
    if (text[pos] != '$' &&
        ParseSimpleRecordLine(absl::string_view(text).substr(pos), context,
                              &line)) {
      ++handled;
      prev.swap(line.prev_owner);
      pos += line.consumed;
    } else {
      ++declined;
      pos = text.find('\n', pos) + 1;
    }
  }
  EXPECT_GT(handled, 700);
  EXPECT_LT(declined, 30);  // directives, TXT, 1h
}

// Random zones: simple lines in all their forms, interleaved with lines only
// ldns reads, blank and comment lines, and directives.
class ZoneGenerator {
 public:
  explicit ZoneGenerator(uint32_t seed) : rng_(seed) {}

  std::string Zone(int lines) {
    std::string text = kHead;
    for (int i = 0; i < lines; ++i) {
      const int kind = Below(100);
      if (kind < 70) {
        absl::StrAppend(&text, SimpleLine());
      } else if (kind < 82) {
        absl::StrAppend(&text, LdnsOnlyLine());
      } else if (kind < 94) {
        absl::StrAppend(&text,
                        Pick({"\n", "; comment ( \" \\\n", "   \n",
                              "\t; indented comment\n", "\n\n\n", "\r\n"}));
      } else {
        absl::StrAppend(
            &text, Pick({"$TTL 0\n", "$TTL 600\n", "$TTL 1h\n", "$TTL 7200 \n",
                         "$ORIGIN sub.example.\n", "$ORIGIN Sub.EXAMPLE.\n",
                         "$ORIGIN example.\n", "$ORIGIN example. ; back\n"}));
      }
    }
    return text;
  }

  // One record line the fast path reads (or, rarely, declines: long names).
  std::string SimpleLine() {
    std::string line = Owner();
    absl::StrAppend(&line, Pick({" ", "\t", "  "}), TtlAndClass());
    switch (Below(7)) {
      case 0:
        absl::StrAppend(&line, Pick({"A", "a"}), " ", Below(256), ".",
                        Below(256), ".", Below(256), ".", Below(256));
        break;
      case 1:
        absl::StrAppend(&line, Pick({"AAAA", "aaaa"}), " ",
                        Pick({"2001:db8::", "::ffff:192.0.2.", "fe80::1:"}),
                        Below(100));
        break;
      case 2:
      case 3:
        // NS at a wildcard owner is refused (signer/master_file_rules.h).
        absl::StrAppend(&line,
                        prev_wild_ ? Pick({"CNAME", "PTR", "Ptr"})
                                   : Pick({"NS", "ns", "CNAME", "PTR", "Ptr"}),
                        " ", Target());
        break;
      case 4:
        absl::StrAppend(&line, Pick({"MX", "mx"}), " ", Below(65536), " ",
                        Target());
        break;
      default:
        absl::StrAppend(&line, Pick({"DS", "ds"}), " ", Below(65536), " ",
                        Below(256), " ", Below(256), " ", Hex(1 + Below(48)));
        if (Below(3) == 0) absl::StrAppend(&line, " ", Hex(1 + Below(8)));
        break;
    }
    absl::StrAppend(
        &line, Pick({"", "", " ", "\t; note", " ; a (\"b\\)", "\r"}), "\n");
    return line;
  }

  // A record line that only ldns reads (and accepts).
  std::string LdnsOnlyLine() {
    if (Below(8) == 0) return "\\065bc.\\097X A 192.0.2.9\n";  // escapes
    const std::string owner = Owner();
    std::string rest =
        Pick({"TXT \"a b\" \"c;d\"", "1h A 192.0.2.9", "1H30m IN A 192.0.2.9",
              "MX ( 10\n  mail )", "TYPE65534 \\# 2 abcd",
              "DS 1 ECDSAP256SHA256 2 abcd", "CAA 0 issue \"ca.example\"",
              "SRV 0 5 53 host", "NS host\\.name", "A \\# 4 c0000201",
              "TXT plain", "HINFO \"x\" \"y\"", "AAAA ( 2001:db8::5 )",
              "TYPE1 192.0.2.9", "CNAME \\065bc"});
    if (prev_wild_ && absl::StartsWith(rest, "NS ")) rest = "CNAME host";
    return absl::StrCat(owner, " ", rest, "\n");
  }

 private:
  int Below(int n) { return static_cast<int>(rng_() % n); }

  const char* Pick(std::initializer_list<const char*> choices) {
    return choices.begin()[Below(static_cast<int>(choices.size()))];
  }

  std::string Label() {
    static constexpr char kChars[] = "abcxyzABCXYZ0129-_";
    std::string label;
    const int length = 1 + Below(Below(10) == 0 ? 63 : 12);
    for (int i = 0; i < length; ++i) label.push_back(kChars[Below(18)]);
    return label;
  }

  // Sets prev_wild_ when the owner it returns is a wildcard.
  std::string Owner() {
    std::string owner = OwnerText();
    if (!owner.empty()) prev_wild_ = owner[0] == '*';
    return owner;
  }

  std::string OwnerText() {
    switch (Below(8)) {
      case 0:
        return "";  // blank: the previous owner
      case 1:
        return "@";
      case 2:
        return absl::StrCat(Label(), ".example.");
      case 3:
        return absl::StrCat(Label(), ".", Label(), ".EXAMPLE.");
      case 4:
        return absl::StrCat("*.", Label());
      default:
        return Label();
    }
  }

  std::string Target() {
    switch (Below(5)) {
      case 0:
        return "@";
      case 1:
        return absl::StrCat(Label(), ".net.");
      default:
        return absl::StrCat(Label(), ".", Label());
    }
  }

  std::string TtlAndClass() {
    return Pick({"", "", "300 ", "0 ", "86400 IN ", "IN ", "in ", "2147483647 ",
                 "00042 IN "});
  }

  std::string Hex(int octets) {
    static constexpr char kDigits[] = "0123456789abcdefABCDEF";
    std::string hex;
    for (int i = 0; i < 2 * octets; ++i) hex.push_back(kDigits[Below(22)]);
    return hex;
  }

  std::mt19937 rng_;
  bool prev_wild_ = false;  // the previous owner is a wildcard
};

TEST(ZoneParserFastPathTest, RandomZonesMatchLdns) {
  int ok = 0;  // zones ldns accepts whole
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    ZoneGenerator generator(seed);
    const std::string text = generator.Zone(400);
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    if (ExpectSameAsLdns(text).ok()) ++ok;
  }
  EXPECT_EQ(ok, 40);
}

TEST(ZoneParserFastPathTest, RandomSimpleLinesMatchLdns) {
  ZoneGenerator generator(7);
  std::string text = kHead;
  for (int i = 0; i < 3000; ++i) absl::StrAppend(&text, generator.SimpleLine());
  absl::StatusOr<ParsedZone> zone = ExpectSameAsLdns(text);
  ASSERT_TRUE(zone.ok()) << zone.status();
}

// Each line after a simple record and before another one (the previous
// owner, the line count and the stream position all matter).
std::string Around(absl::string_view line) {
  return absl::StrCat(kHead, "pre A 192.0.2.2\n  AAAA ::2\n", line,
                      "\n\tA 192.0.2.3\npost NS ns1\n");
}

TEST(ZoneParserFastPathTest, BrokenLinesGiveLdnsErrors) {
  const std::string label64(64, 'a');
  // ldns refuses all of these.
  for (const std::string& line :
       std::vector<std::string>{"bad A 1.2.3.256",
                                "bad A 1.2.3",
                                "bad A 1.2.3.4 5",
                                "bad A",
                                "bad AAAA 2001:db8::g",
                                "bad DS 1 13 2 xyz",
                                "bad DS 1 13 2",
                                "bad DS 1 13",
                                "bad MX 10",
                                label64 + " A 192.0.2.1",
                                "bad NS " + label64,
                                "bad..owner A 192.0.2.1",
                                "bad CH A 192.0.2.1",
                                "bad 60 HS A 192.0.2.1",
                                "bad NS a..b",
                                "outside.org. A 192.0.2.1",
                                "bad A 192.0.2.1 (",
                                "bad BOGUS 1",
                                "$INCLUDE other.zone",
                                "$ORIGIN a..b."}) {
    const absl::StatusOr<ParsedZone> zone = ExpectSameAsLdns(Around(line));
    EXPECT_FALSE(zone.ok()) << line;
  }
  // ldns accepts these, in its own way (odd hex is padded with a zero, the
  // preference wraps around, a TTL above 2^32-1 wraps, a lone ')' ends the
  // line): so must we.
  for (const char* line :
       {"odd A 192.0.2.1 )", "odd DS 1 13 2 abc", "wrap MX 70000 mail",
        "ttl 4294967296 A 1.2.3.4", "big 2147483648 A 1.2.3.4",
        "neg MX -1 mail", "plus MX +1 mail", "alg DS 1 RSASHA256 2 ab",
        "@x A 1.2.3.4", "x@ A 1.2.3.4", "cls IN 300 A 192.0.2.1"}) {
    SCOPED_TRACE(line);
    ExpectSameAsLdns(Around(line));
  }
}

TEST(ZoneParserFastPathTest, LastLineWithoutLineBreak) {
  for (const char* tail :
       {"www A 192.0.2.1", "www A 192.0.2.1 ; comment", "www A 1.2.3.999",
        "www A 192.0.2.1\n; trailing comment", "www A 192.0.2.1\n  ",
        "www A 192.0.2.1\n\n\n"}) {
    SCOPED_TRACE(tail);
    ExpectSameAsLdns(absl::StrCat(kHead, tail));
  }
}

TEST(ZoneParserFastPathTest, WithoutGivenOrigin) {
  // No origin: the fast path waits for $ORIGIN.
  ExpectSameAsLdns(
      "example. 300 IN SOA ns1.example. h.example. 1 2 3 4 5\n"
      "example. NS ns1.example.\n"
      "  A 192.0.2.1\n"
      "$ORIGIN example.\n"
      "www A 192.0.2.2\n"
      "  AAAA ::1\n",
      "");
}

// Mutates simple lines one character at a time: whatever comes out, the fast
// path either reads it as ldns does or leaves it to ldns.
TEST(ZoneParserFastPathTest, MutatedLinesMatchLdns) {
  ZoneGenerator generator(11);
  std::mt19937 rng(12);
  static constexpr char kAlphabet[] = " \t\r\f\v.;()\"\\@$*:-_09aAzZ#\n";
  for (int i = 0; i < 1500; ++i) {
    std::string line = generator.SimpleLine();
    line.pop_back();  // the '\n'
    MutateLine(kAlphabet, &rng, &line);
    SCOPED_TRACE(absl::CHexEscape(line));
    ExpectSameAsLdns(Around(line));
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
