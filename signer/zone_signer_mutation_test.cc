// Hostile input: thousands of randomly corrupted zones (fixed seed, so every
// run is the same) go through the whole engine. Each must either sign and pass
// the engine's self-verify, or fail with one line naming the input; never
// crash, hang or return a zone that did not verify. Run under --config=asan
// this also checks the parser, model and signer for memory errors.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "gtest/gtest.h"
#include "signer/zone_signer.h"
#include "signer/zone_verifier.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr char kZone[] = R"zone($ORIGIN example.
$TTL 300
@       IN SOA ns1 hostmaster ( 2026112301 7200 3600
                                1209600 300 )
        IN NS  ns1
        IN MX  10 mail
ns1     IN A   192.0.2.53
mail    IN A   192.0.2.25
        IN AAAA 2001:db8::25
www     IN CNAME @
*.w     IN TXT "a;b" "c(d)"
a.b.c   IN A   192.0.2.7
_443._tcp IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
sub     IN NS  ns.sub
        IN DS  12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.sub  IN A   192.0.2.99
d       IN DNAME example.net.
u       IN TYPE65280 \# 3 abcdef
)zone";

// One random edit: flip a byte, delete a run, duplicate a line, or insert a
// character that zone files treat specially.
std::string Mutate(const std::string& text, std::mt19937& rng) {
  std::string out = text;
  const int edits = 1 + rng() % 3;
  for (int e = 0; e < edits && !out.empty(); ++e) {
    const size_t at = rng() % out.size();
    switch (rng() % 5) {
      case 0:
        out[at] = static_cast<char>(rng() % 256);
        break;
      case 1:
        out.erase(at, 1 + rng() % 12);
        break;
      case 2: {
        const size_t start = out.rfind('\n', at);
        const size_t begin = start == std::string::npos ? 0 : start + 1;
        const size_t end = out.find('\n', at);
        if (end != std::string::npos) {
          out.insert(begin, out.substr(begin, end - begin + 1));
        }
        break;
      }
      case 3: {
        static const char kSpecial[] = "();\"\\$@*.\n \t0";
        out.insert(at, 1, kSpecial[rng() % (sizeof(kSpecial) - 1)]);
        break;
      }
      default:
        out.insert(at, "$ORIGIN x.example.\n");
        break;
    }
  }
  return out;
}

TEST(ZoneSignerMutationTest, CorruptedZonesSignAndVerifyOrFailWithOneLine) {
  auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  ASSERT_TRUE(keys.ok()) << keys.status();
  SignOptions options;
  options.origin = "example.";
  options.threads = 1;
  options.now = 1800000000;

  // The unmutated zone signs: otherwise every case below would be an error.
  std::string signed_text;
  auto clean = SignZone(kZone, "m.zone", *keys, options, &signed_text);
  ASSERT_TRUE(clean.ok()) << clean.status();

  std::mt19937 rng(20261123);
  int signed_count = 0, refused_count = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = Mutate(kZone, rng);
    signed_text.clear();
    auto report = SignZone(text, "m.zone", *keys, options, &signed_text);
    if (report.ok()) {
      ++signed_count;
      EXPECT_TRUE(report->verified) << text;
      // Independently re-verified from the output text.
      auto verified = VerifySignedZone(signed_text, "example.", *options.now);
      EXPECT_TRUE(verified.ok()) << verified.status() << "\n" << text;
    } else {
      ++refused_count;
      const std::string message(report.status().message());
      EXPECT_TRUE(absl::StartsWith(message, "m.zone:")) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_LT(message.size(), 600u) << message;
    }
  }
  // Both outcomes must occur, or the mutations test nothing.
  EXPECT_GT(signed_count, 100);
  EXPECT_GT(refused_count, 100);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
