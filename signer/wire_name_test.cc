#include "signer/wire_name.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
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

TEST(WireNameTest, CanonicalOrderMatchesRfc4034Example) {
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

TEST(WireNameTest, LabelsWildcardAncestry) {
  EXPECT_EQ(LabelCount(W("www.example.")), 2);
  EXPECT_EQ(LabelCount(std::string(1, '\0')), 0);
  EXPECT_TRUE(IsWildcard(W("*.example.")));
  EXPECT_FALSE(IsWildcard(W("a.*.example.")));
  EXPECT_TRUE(IsSubdomainOf(W("a.b.example."), W("example.")));
  EXPECT_TRUE(IsSubdomainOf(W("example."), W("example.")));
  EXPECT_FALSE(IsSubdomainOf(W("aexample."), W("example.")));
  EXPECT_EQ(ParentName(W("a.example.")), W("example."));
}

TEST(WireNameTest, TextEscapes) {
  std::string name = W("a.example.");
  name[1] = '.';
  EXPECT_EQ(NameToText(name), "\\..example.");
  std::string odd = W("x.example.");
  odd[1] = '\001';
  EXPECT_EQ(NameToText(odd), "\\001.example.");
  EXPECT_EQ(NameToText(std::string(1, '\0')), ".");
}

TEST(WireNameTest, CanonicalKeyOrderMatchesCompareCanonical) {
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

}  // namespace
}  // namespace signer
}  // namespace zonekeep
