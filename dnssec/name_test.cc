#include "dnssec/name.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// "a.b." -> wire.
std::string W(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t dot = text.find('.', start);
    out.push_back(static_cast<char>(dot - start));
    out.append(text, start, dot - start);
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

TEST(NameTest, CanonicalOrderMatchesRfc4034Example) {
  // RFC 4034 section 6.1.
  std::vector<std::string> want = {
      W("example."),        W("a.example."),      W("yljkjljk.a.example."),
      W("Z.a.example."),    W("zABC.a.EXAMPLE."), W("z.example."),
      W("\001.z.example."), W("*.z.example."),    W("\200.z.example.")};
  for (std::string& n : want) LowercaseName(&n);
  std::vector<std::string> got = want;
  std::reverse(got.begin(), got.end());
  std::sort(got.begin(), got.end(), CanonicalLess());
  EXPECT_EQ(got, want);
}

TEST(NameTest, LabelsWildcardAncestry) {
  EXPECT_EQ(LabelCount(W("www.example.")), 2);
  EXPECT_EQ(LabelCount(std::string(1, '\0')), 0);
  EXPECT_TRUE(IsWildcard(W("*.example.")));
  EXPECT_FALSE(IsWildcard(W("a.*.example.")));
  EXPECT_TRUE(IsSubdomainOf(W("a.b.example."), W("example.")));
  EXPECT_TRUE(IsSubdomainOf(W("example."), W("example.")));
  EXPECT_FALSE(IsSubdomainOf(W("aexample."), W("example.")));
  EXPECT_EQ(ParentName(W("a.example.")), W("example."));
}

TEST(NameTest, TextEscapes) {
  std::string name = W("a.example.");
  name[1] = '.';
  EXPECT_EQ(NameToText(name), "\\..example.");
  std::string odd = W("x.example.");
  odd[1] = '\001';
  EXPECT_EQ(NameToText(odd), "\\001.example.");
  EXPECT_EQ(NameToText(std::string(1, '\0')), ".");
}

TEST(NameTest, CanonicalKeyOrderMatchesCompareCanonical) {
  std::vector<std::string> names = {W("example."),
                                    W("a.example."),
                                    W("yljkjljk.a.example."),
                                    W("z.a.example."),
                                    W("zabc.a.example."),
                                    W("z.example."),
                                    W("*.z.example."),
                                    W("a.b.example."),
                                    W("ab.example."),
                                    W("b.example."),
                                    W("a.example.org."),
                                    W("."),
                                    W("a.")};
  // Labels holding octets 0, 1 and 2, which the key escapes.
  const std::string labels_with_escapes[] = {
      std::string("\x01\x00", 2), std::string("\x01\x01", 2),
      std::string("\x02\x00\x01", 3), std::string("\x01\x02", 2),
      std::string("\x02\x01\x00", 3)};
  for (const std::string& label : labels_with_escapes) {
    names.push_back(label + W("example."));
  }
  for (const std::string& a : names) {
    std::string ka;
    AppendCanonicalKey(a, &ka);
    for (const std::string& b : names) {
      std::string kb;
      AppendCanonicalKey(b, &kb);
      const int want = CompareCanonical(a, b);
      const int got = ka.compare(kb);
      EXPECT_EQ(want < 0, got < 0) << NameToText(a) << " vs " << NameToText(b);
      EXPECT_EQ(want == 0, got == 0)
          << NameToText(a) << " vs " << NameToText(b);
    }
  }
}

TEST(NameTest, ParsesPresentationText) {
  const std::string origin = W("example.");
  EXPECT_EQ(*ParseName("www", origin), W("www.example."));
  EXPECT_EQ(*ParseName("www.example.", origin), W("www.example."));
  EXPECT_EQ(*ParseName("WWW.Example.", ""), W("WWW.Example."));
  EXPECT_EQ(*ParseName("@", origin), origin);
  EXPECT_EQ(*ParseName(".", ""), std::string(1, '\0'));
  // Escapes: a literal dot, a literal backslash, \DDD.
  std::string dotted = W("ab.example.");
  dotted[2] = '.';
  EXPECT_EQ(*ParseName("a\\.", origin), dotted);
  EXPECT_EQ(*ParseName("a\\046", origin), dotted);
  std::string at = W("x.example.");
  at[1] = '@';
  EXPECT_EQ(*ParseName("\\@", origin), at);
  std::string zero = W("x.example.");
  zero[1] = '\0';
  EXPECT_EQ(*ParseName("\\000", origin), zero);
}

TEST(NameTest, PrintsWhatItParses) {
  const std::string origin = W("example.");
  for (const char* text :
       {"a\\.b.example.", "\\000\\255.example.", "\\@\\$\\;.example.",
        "\\\\.example.", "*.example."}) {
    absl::StatusOr<std::string> wire = ParseName(text, origin);
    ASSERT_TRUE(wire.ok()) << text << ": " << wire.status();
    EXPECT_EQ(*ParseName(NameToText(*wire)), *wire) << text;
  }
}

TEST(NameTest, RefusesMalformedNames) {
  const std::string origin = W("example.");
  for (const char* text :
       {"", "a..b.", "..", "a\\", "a\\25", "a\\256", "a\\2x5"}) {
    absl::StatusOr<std::string> wire = ParseName(text, origin);
    EXPECT_FALSE(wire.ok()) << text;
    EXPECT_TRUE(absl::IsInvalidArgument(wire.status())) << text;
  }
  EXPECT_FALSE(ParseName("www", "").ok());
  EXPECT_FALSE(ParseName(std::string(64, 'a') + ".", "").ok());
  EXPECT_TRUE(ParseName(std::string(63, 'a') + ".", "").ok());
  // 255 octets is the limit: four 62-octet labels and the root make 253,
  // one more 1-octet label 255, another 257.
  std::string name;
  for (int i = 0; i < 4; ++i) name += std::string(62, 'a') + ".";
  EXPECT_TRUE(ParseName("b." + name, "").ok());
  absl::StatusOr<std::string> too_long = ParseName("b.c." + name, "");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("255"), std::string::npos);
}

TEST(NameTest, TakesWireNamesFromRdata) {
  const std::string rdata = std::string("\x00\x0a", 2) + W("mx.example.") + "!";
  size_t pos = 2;
  absl::string_view name;
  ASSERT_TRUE(TakeWireName(rdata, &pos, &name));
  EXPECT_EQ(name, W("mx.example."));
  EXPECT_EQ(pos, rdata.size() - 1);
  // Runs past the end; a label over 63 octets: nothing moves.
  pos = 2;
  EXPECT_FALSE(TakeWireName(rdata.substr(0, 6), &pos, &name));
  EXPECT_EQ(pos, 2u);
  const std::string long_label =
      std::string(1, 64) + std::string(64, 'a') + std::string(1, '\0');
  pos = 0;
  EXPECT_FALSE(TakeWireName(long_label, &pos, &name));
}

TEST(NameTest, NormalizesZoneNames) {
  EXPECT_EQ(*NormalizeZoneName("Example.COM"), "example.com.");
  EXPECT_EQ(*NormalizeZoneName(" example.com. "), "example.com.");
  EXPECT_EQ(*NormalizeZoneName("."), ".");
  EXPECT_EQ(*CanonicalNameWire("EXAMPLE"), W("example."));
  EXPECT_FALSE(NormalizeZoneName("").ok());
  EXPECT_FALSE(NormalizeZoneName("a..com").ok());
}

TEST(NameTest, DelegatableZoneNames) {
  EXPECT_EQ(*CheckDelegatableZoneName("Example.COM"), "example.com.");
  EXPECT_EQ(*CheckDelegatableZoneName("_tcp.my-zone1.example"),
            "_tcp.my-zone1.example.");
  EXPECT_EQ(*CheckDelegatableZoneName("0/26.2.0.192.in-addr.arpa"),
            "0/26.2.0.192.in-addr.arpa.");
  const absl::Status control =
      CheckDelegatableZoneName("ctl\001x.test").status();
  EXPECT_EQ(control.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(control.message().find("\\001"), absl::string_view::npos)
      << control.message();
  EXPECT_EQ(control.message().find('\001'), absl::string_view::npos);
  EXPECT_EQ(control.message().find('\n'), absl::string_view::npos);
  const absl::Status shell =
      CheckDelegatableZoneName("x;id$(id)|y.test").status();
  EXPECT_FALSE(shell.ok());
  EXPECT_NE(shell.message().find("';'"), absl::string_view::npos)
      << shell.message();
  const absl::Status percent = CheckDelegatableZoneName("%n%s.test").status();
  EXPECT_NE(percent.message().find("'%'"), absl::string_view::npos)
      << percent.message();
  EXPECT_FALSE(CheckDelegatableZoneName("a b.test").ok());
  EXPECT_FALSE(CheckDelegatableZoneName("a\\.b.test").ok());
  EXPECT_FALSE(CheckDelegatableZoneName("a..test").ok());
  EXPECT_FALSE(CheckDelegatableZoneName(".").ok());
  EXPECT_FALSE(CheckDelegatableZoneName("").ok());
  EXPECT_FALSE(CheckDelegatableZoneName(std::string(64, 'a') + ".test").ok());
  EXPECT_TRUE(CheckDelegatableZoneName(std::string(63, 'a') + ".test").ok());
  // 3 labels of 63, 1 of 61 and 3 dots: 253 octets of text, the longest.
  const std::string l63(63, 'a');
  const std::string longest =
      l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b');
  EXPECT_TRUE(CheckDelegatableZoneName(longest).ok());
  EXPECT_FALSE(CheckDelegatableZoneName(longest + "b").ok());
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
