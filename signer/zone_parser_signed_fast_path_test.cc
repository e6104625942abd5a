// Differential test of the fast path (signer/simple_record_line.h,
// signer/dnssec_record_line.h) on the lines the signer writes: signed zones
// of every algorithm with NSEC and NSEC3, hand-made edge cases and mutated
// signed lines must read exactly as ldns reads them; lines outside the
// simple form must be declined.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "gtest/gtest.h"
#include "signer/fast_path_test_util.h"
#include "signer/record.h"
#include "signer/simple_record_line.h"
#include "signer/zone_parser.h"
#include "signer/zone_signer.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {
namespace {

using std::string_literals::operator""s;

constexpr int64_t kNow = 1764547200;  // 2025-12-01

constexpr char kHead[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

// A zone with some of everything: delegations secure and not, glue, empty
// non-terminals, a wildcard, and types in windows 0, 1 and 255, so that the
// NSEC/NSEC3 bitmaps have several windows.
std::string MakeZone(int delegations) {
  std::string text = absl::StrCat(
      "$ORIGIN example.\n$TTL 3600\n",
      "@ IN SOA ns1 Hostmaster 2025120101 7200 3600 1209600 300\n",
      "@ NS ns1\n@ NS ns2.example.net.\n@ MX 10 mail\n",
      "@ TXT \"v=spf1 -all\"\n@ CAA 0 issue \"ca.example\"\n",
      "@ TYPE65534 \\# 3 0a0b0c\n", "ns1 A 192.0.2.1\nns1 AAAA 2001:db8::1\n",
      "mail A 192.0.2.25\n*.wild TXT \"any\"\n*.wild URI 10 1 \"https://x\"\n",
      "a.b.c.deep A 192.0.2.7\nSRV._tcp SRV 0 5 443 www\n",
      "www CNAME @\nhost TYPE1234 \\# 2 abcd\n");
  for (int i = 0; i < delegations; ++i) {
    absl::StrAppend(&text, "d", i, " NS ns1.d", i, "\n", "d", i,
                    " NS ns.provider", i % 7, ".net.\n", "ns1.d", i, " A 10.0.",
                    i % 250, ".1\n");
    if (i % 2 == 0) {
      absl::StrAppend(&text, "d", i, " DS ", 1000 + i,
                      " 13 2 "
                      "0123456789ABCDEF0123456789ABCDEF"
                      "0123456789ABCDEF0123456789ABCDEF\n");
    }
  }
  return text;
}

struct Denial {
  const char* name;
  bool nsec3;
  std::string salt;
  uint16_t iterations;
  bool opt_out;
};

std::vector<Denial> Denials() {
  return {{"nsec", false, "", 0, false},
          {"nsec3", true, "", 0, false},
          {"nsec3-salt", true, "\xab\xcd\x01"s, 3, false},
          {"nsec3-optout", true, "\x00"s, 0, true}};
}

std::string Sign(const std::string& zone, dnssec::Algorithm algorithm,
                 const Denial& denial) {
  auto keys = dnssec::MakeTestKeySet(algorithm);
  EXPECT_TRUE(keys.ok()) << keys.status();
  if (!keys.ok()) return "";
  SignOptions options;
  options.origin = "example.";
  options.now = kNow;
  options.nsec3.enabled = denial.nsec3;
  options.nsec3.salt = denial.salt;
  options.nsec3.iterations = denial.iterations;
  options.nsec3.allow_iterations = denial.iterations > 0;
  options.nsec3.opt_out = denial.opt_out;
  std::string out;
  auto report = SignZone(zone, "signed.zone", *keys, options, &out);
  EXPECT_TRUE(report.ok()) << report.status();
  return out;
}

// The type field of a line the writer wrote ("owner\tttl\tIN\tTYPE\t...").
std::string WrittenType(absl::string_view line) {
  const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
  return fields.size() > 3 ? std::string(fields[3]) : "";
}

bool IsSignerLineType(absl::string_view type) {
  return type == "SOA" || type == "RRSIG" || type == "NSEC" ||
         type == "NSEC3" || type == "NSEC3PARAM" || type == "DNSKEY";
}

// Lines of the signed text the fast path must read itself.
std::vector<std::string> SignerLines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (IsSignerLineType(WrittenType(line))) lines.emplace_back(line);
  }
  return lines;
}

SimpleRecordLine ReadLine(const std::string& line, bool* handled) {
  const std::string origin = ExampleOrigin();
  LineContext context;
  context.origin = origin;
  context.prev_owner = origin;
  context.default_ttl = 300;
  SimpleRecordLine out;
  *handled = ParseSimpleRecordLine(line + "\n", context, &out);
  return out;
}

TEST(SignedFastPathTest, SignedZonesReadAsLdnsReadsThem) {
  const std::string zone = MakeZone(60);
  for (const dnssec::Algorithm algorithm :
       {dnssec::Algorithm::kRsaSha256, dnssec::Algorithm::kRsaSha512,
        dnssec::Algorithm::kEcdsaP256Sha256,
        dnssec::Algorithm::kEcdsaP384Sha384, dnssec::Algorithm::kEd25519,
        dnssec::Algorithm::kEd448}) {
    for (const Denial& denial : Denials()) {
      SCOPED_TRACE(absl::StrCat("algorithm ", static_cast<int>(algorithm), " ",
                                denial.name));
      const std::string text = Sign(zone, algorithm, denial);
      ASSERT_FALSE(text.empty());
      const absl::StatusOr<ParsedZone> parsed =
          ExpectSameAsLdns(text, "example.", /*keep_dnssec=*/true);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      // Every SOA/DNSSEC line is the fast path's own (so the comparison is
      // not ldns against ldns).
      const std::vector<std::string> lines = SignerLines(text);
      EXPECT_GT(lines.size(), 100u);
      int declined = 0;
      for (const std::string& line : lines) {
        bool handled = false;
        ReadLine(line, &handled);
        if (!handled && ++declined < 5) ADD_FAILURE() << "declined: " << line;
      }
      EXPECT_EQ(declined, 0);
    }
  }
}

// The line between two simple records (previous owner, line count and stream
// position all matter), DNSSEC records kept.
std::string Around(absl::string_view line) {
  return absl::StrCat(kHead, "pre A 192.0.2.2\n  AAAA ::2\n", line,
                      "\n\tA 192.0.2.3\npost NS ns1\n");
}

// `n` octets of base64, split into tokens of the given lengths in turn.
std::string SplitBase64(size_t n, std::vector<size_t> pieces) {
  std::string data;
  std::mt19937 rng(static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) data.push_back(static_cast<char>(rng()));
  std::string b64;
  AppendBase64(data, &b64);
  std::string out;
  size_t pos = 0;
  for (size_t k = 0; pos < b64.size(); ++k) {
    const size_t take = pieces[k % pieces.size()];
    if (!out.empty()) out.push_back(k % 3 == 0 ? '\t' : ' ');
    out.append(b64.substr(pos, take));
    pos += take;
  }
  return out;
}

std::string Hex(size_t octets) {
  std::string out;
  for (size_t i = 0; i < octets; ++i) {
    absl::StrAppend(&out, absl::Hex((i * 37 + 11) & 0xff, absl::kZeroPad2));
  }
  return out;
}

TEST(SignedFastPathTest, EdgeCasesReadAsLdnsReadsThem) {
  const std::string b32_255 = std::string(408, 'v');  // 255 octets
  for (const std::string& line : std::vector<std::string>{
           // RRSIG: times at both ends of 32 bits, leap days, any-case and
           // numeric types, "@" and upper-case signers, long signatures split
           // at odd places, padding.
           "www RRSIG A 13 2 3600 21060207062815 19700101000000 0 @ AQID",
           "www 0 IN RRSIG TYPE65534 8 255 4294967295 20240229235959 "
           "20000229000000 65535 Example.COM. " +
               SplitBase64(256, {7, 13, 1, 64}),
           "www RRSIG nsec3param 16 3 60 20261231000000 20261130000000 1 "
           "EXAMPLE. " +
               SplitBase64(114, {3}),
           "www RRSIG caa 10 2 60 20261231000000 20261130000000 1 sub " +
               SplitBase64(512, {100, 1, 2, 3}),
           "www RRSIG Type1 15 2 60 20261231000000 20261130000000 1 @ AQ==",
           "www RRSIG A 15 2 60 20261231000000 20261130000000 1 @ AQ = =",
           "www RRSIG A 15 2 60 20261231000000 20261130000000 1 @ AQI=",
           "\tRRSIG A 15 2 60 20991231235959 20261130000000 1 @ AQIDBA==",
           // NSEC: types in any case and order, repeated, numeric, high
           // windows; the next name keeps its case.
           "www NSEC next.example. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY "
           "TYPE65534 CAA URI TYPE1234 type61000",
           "www NSEC Next.EXAMPLE. a rrsig nsec",
           "www NSEC sub NSEC A A RRSIG TYPE1", "www NSEC @ TYPE65535",
           // NSEC3: salts, iterations, hashes of several lengths and cases,
           // no types.
           "www NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A RRSIG",
           "www NSEC3 1 1 65535 AB 0123456789abcdefghijklmnopqrstuv",
           "www NSEC3 255 255 10 " + Hex(255) + " 00000000 NS DS RRSIG",
           "www NSEC3 1 0 0 - " + b32_255 + " TYPE65534 A",
           "www NSEC3 1 0 0 aBcDeF 0000000000000000 CDS CDNSKEY",
           // NSEC3PARAM, DNSKEY of every algorithm's key size, SOA.
           "@ NSEC3PARAM 1 0 0 -", "@ NSEC3PARAM 1 255 65535 " + Hex(255),
           "@ DNSKEY 257 3 13 " + SplitBase64(64, {88}),
           "@ DNSKEY 256 3 14 " + SplitBase64(96, {5, 11}),
           "@ DNSKEY 256 3 15 " + SplitBase64(32, {44}),
           "@ DNSKEY 256 3 16 " + SplitBase64(57, {4}),
           "@ DNSKEY 256 3 8 " + SplitBase64(260, {56}),
           "@ DNSKEY 257 3 10 " + SplitBase64(516, {9, 999}),
           "@ DNSKEY 65535 255 255 AA==",
           "@ SOA ns1 hostmaster 4294967295 0 1 2 4294967295",
           "@ 86400 IN SOA NS1.Example. Host.Master.example.net. 1 2 3 4 5"}) {
    SCOPED_TRACE(line);
    bool handled = false;
    ReadLine(line, &handled);
    EXPECT_TRUE(handled);
    const absl::StatusOr<ParsedZone> zone =
        ExpectSameAsLdns(Around(line), "example.", /*keep_dnssec=*/true);
    EXPECT_TRUE(zone.ok()) << zone.status();
  }
}

TEST(SignedFastPathTest, DeclinesWhatIsNotTheSimpleForm) {
  const std::string sig = " 20261231000000 20261130000000 1 @ AQID";
  for (const std::string& line : std::vector<std::string>{
           // Base64: bad characters, bad padding, pad bits set, empty.
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AQ*D",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AQ-D",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AQ=",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AR==",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AQ==AQID",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "A===",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 4) + "AQI",
           "www RRSIG A 13 2 60" + sig.substr(0, sig.size() - 5),
           "www DNSKEY 256 3 13 -", "www DNSKEY 256 3 13 0",
           "www DNSKEY 256 3 13",
           // Times: not a date, not 14 digits, before 1970, past 2106.
           "www RRSIG A 13 2 60 20261301000000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 20261232000000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 20260230000000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 20261231240000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 20261231006000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 2026123100000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 202612310000000 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 1767139200 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 19691231235959 20261130000000 1 @ AQID",
           "www RRSIG A 13 2 60 21060207062816 20261130000000 1 @ AQID",
           // Numbers out of range or not decimal; mnemonics for numbers.
           "www RRSIG A 13 256 60" + sig, "www RRSIG A 256 2 60" + sig,
           "www RRSIG A 13 2 4294967296" + sig,
           "www RRSIG A 13 2 60 20261231000000 20261130000000 65536 @ AQID",
           "www RRSIG A ECDSAP256SHA256 2 60" + sig,
           "www RRSIG A 13 2 1h" + sig, "www RRSIG A 13 +2 60" + sig,
           "www DNSKEY 256 3 ECDSAP256SHA256 AQID",
           "www DNSKEY 65536 3 13 AQID", "www NSEC3PARAM 1 0 65536 -",
           "www NSEC3PARAM 256 0 0 -", "www NSEC3PARAM 1 0 0 - extra",
           // Types: unknown, zero, out of range, query-only.
           "www RRSIG BOGUS 13 2 60" + sig, "www RRSIG TYPE0 13 2 60" + sig,
           "www RRSIG TYPE65536 13 2 60" + sig, "www RRSIG ANY 13 2 60" + sig,
           "www NSEC next A BOGUS", "www NSEC next A TYPE0",
           "www NSEC next A TYPE70000", "www NSEC next A AXFR", "www NSEC next",
           // Hex and base32hex.
           "www NSEC3 1 0 0 abc 00000000 A", "www NSEC3 1 0 0 zz 00000000 A",
           "www NSEC3 1 0 0 " + Hex(256) + " 00000000 A",
           "www NSEC3 1 0 0 - 0000000 A", "www NSEC3 1 0 0 - 0000000w A",
           "www NSEC3 1 0 0 - AAAAAA== A",
           "www NSEC3 1 0 0 - " + std::string(416, '0') + " A",
           // SOA numbers with units or too large, missing or extra fields.
           "@ SOA ns1 hostmaster 1 2 3 4 1h", "@ SOA ns1 hostmaster 1 2 3 4",
           "@ SOA ns1 hostmaster 4294967296 2 3 4 5",
           "@ SOA ns1 hostmaster 1 2 3 4 5 6",
           // What the line reader gives a meaning to.
           "www RRSIG A 13 2 60 20261231000000 20261130000000 1 ex\\.ample. "
           "AQID",
           "www NSEC ne\\120t A", "www NSEC \"next\" A",
           "www DNSKEY 256 3 13 ( AQID )", "www NSEC next ( A )"}) {
    SCOPED_TRACE(line);
    bool handled = true;
    ReadLine(line, &handled);
    EXPECT_FALSE(handled);
  }
}

// Signed lines changed a character or two at a time: whatever comes out, the
// fast path reads it as ldns does or leaves it to ldns.
TEST(SignedFastPathTest, MutatedSignedLinesMatchLdns) {
  std::vector<std::string> lines;
  for (const Denial& denial : {Denials()[0], Denials()[2]}) {
    const std::vector<std::string> signed_lines = SignerLines(
        Sign(MakeZone(8), dnssec::Algorithm::kEcdsaP256Sha256, denial));
    lines.insert(lines.end(), signed_lines.begin(), signed_lines.end());
  }
  ASSERT_GT(lines.size(), 40u);
  std::mt19937 rng(46);
  static constexpr char kAlphabet[] = " \t.;()\"\\@=+/-019aAzZvVwW:#\n";
  for (int i = 0; i < 1200; ++i) {
    std::string line = lines[rng() % lines.size()];
    MutateLine(kAlphabet, &rng, &line);
    SCOPED_TRACE(absl::CHexEscape(line));
    ExpectSameAsLdns(Around(line), "example.", /*keep_dnssec=*/true)
        .IgnoreError();
    if (HasFailure()) break;
  }
}

TEST(SignedFastPathTest, DroppedWhenNotKept) {
  // Read without keep_dnssec, the fast path drops and counts DNSSEC records
  // as ldns's path does.
  const std::string text =
      Around("www RRSIG A 13 2 3600 21060207062815 19700101000000 0 @ AQID");
  const absl::StatusOr<ParsedZone> zone = ExpectSameAsLdns(text);
  ASSERT_TRUE(zone.ok()) << zone.status();
  EXPECT_EQ(zone->dnssec_records_dropped, 1u);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
