// Self-verify's two-pass output: what reaches the sink is the text that was
// read back, piece for piece; a writer whose text does not read back is
// refused before any byte reaches a sink; a writer that does not repeat
// itself is caught at the first piece that differs, after only identical
// pieces went out; pieces cut mid-line read back as whole lines.
#include "signer/checked_text_output.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "dnssec/algorithm.h"
#include "dnssec/test_keys.h"
#include "gtest/gtest.h"
#include "signer/zone_parser.h"
#include "signer/zone_signer.h"

namespace zonekeep {
namespace signer {
namespace {

constexpr int64_t kNow = 1700000000;

constexpr char kZone[] = R"zone($ORIGIN example.
$TTL 3600
@      IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
       IN NS  ns1
       IN MX  10 mail
ns1    IN A   192.0.2.1
mail   IN AAAA 2001:db8::25
t      IN TXT "v=spf1 a;b" "semi;colon"
a.b.c  IN A   192.0.2.7
sub    IN NS  ns.sub
ns.sub IN A   192.0.2.53
)zone";

// The signed zone as self-verify sees it: parsed back with its RRSIGs.
Zone SignedZoneModel(std::string* text) {
  auto keys = dnssec::MakeTestKeySet(dnssec::Algorithm::kEcdsaP256Sha256);
  EXPECT_TRUE(keys.ok()) << keys.status();
  SignOptions options;
  options.origin = "example.";
  options.now = kNow;
  auto report = SignZone(kZone, "example.zone", *keys, options, text);
  EXPECT_TRUE(report.ok()) << report.status();
  ParseOptions parse;
  parse.keep_dnssec = true;
  auto parsed = ParseZoneText(*text, "signed", "example.", parse);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  BuildOptions build;
  build.attach_rrsigs = true;
  auto zone = BuildZone(std::move(parsed->origin), std::move(parsed->records),
                        "signed", build);
  EXPECT_TRUE(zone.ok()) << zone.status();
  return *std::move(zone);
}

// A sink that appends every piece to `*out`.
ZoneSink AppendTo(std::string* out) {
  return [out](absl::string_view piece) {
    out->append(piece.data(), piece.size());
    return absl::OkStatus();
  };
}

// WriteZoneText's text, edited by `edit` on the `call`th use (1-based; 0:
// never), handed on in pieces of `piece_bytes` (cut anywhere, mid-line too).
struct PieceWriter {
  size_t piece_bytes = 100;
  int edit_on_call = 0;
  std::function<void(std::string*)> edit;
  int calls = 0;

  ZoneTextWriterFn Fn() {
    return [this](const Zone& zone, const ZoneSink& sink, int threads) {
      std::string text;
      absl::Status s = WriteZoneText(zone, AppendTo(&text), threads);
      if (!s.ok()) return s;
      if (++calls == edit_on_call) edit(&text);
      for (size_t pos = 0; pos < text.size(); pos += piece_bytes) {
        if (absl::Status sent = sink(absl::string_view(text).substr(
                pos, std::min(piece_bytes, text.size() - pos)));
            !sent.ok()) {
          return sent;
        }
      }
      return absl::OkStatus();
    };
  }
};

class CheckedTextOutputTest : public ::testing::Test {
 protected:
  void SetUp() override { zone_ = SignedZoneModel(&signed_text_); }
  std::string signed_text_;
  Zone zone_;
};

TEST_F(CheckedTextOutputTest, SinkGetsExactlyTheTextThatReadBack) {
  for (const size_t window : {size_t{64}, size_t{1000}, kReadBackWindowBytes}) {
    PieceWriter writer;
    auto checked = FormatAndReadBack(writer.Fn(), zone_, 2, window);
    ASSERT_TRUE(checked.ok()) << checked.status();
    EXPECT_EQ(checked->bytes, signed_text_.size());
    EXPECT_EQ(
        checked->pieces.size(),
        (signed_text_.size() + writer.piece_bytes - 1) / writer.piece_bytes);
    std::string out;
    std::vector<size_t> sizes;
    ASSERT_TRUE(SendReadBackText(
                    writer.Fn(), zone_, *checked,
                    [&](absl::string_view piece) {
                      out.append(piece.data(), piece.size());
                      sizes.push_back(piece.size());
                      return absl::OkStatus();
                    },
                    2)
                    .ok());
    EXPECT_EQ(out, signed_text_);
    EXPECT_EQ(sizes.size(), checked->pieces.size());
    EXPECT_EQ(writer.calls, 2);
  }
}

TEST_F(CheckedTextOutputTest, TextThatDoesNotReadBackIsRefusedInPassOne) {
  PieceWriter writer;
  writer.edit_on_call = 1;
  writer.edit = [](std::string* text) {
    *text = absl::StrReplaceAll(*text, {{"192.0.2.7", "192.0.2.8"}});
  };
  auto checked = FormatAndReadBack(writer.Fn(), zone_, 2, 64);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(checked.status().message(),
                                "a.b.c.example. A: the written text reads "
                                "back differently (RDATA"))
      << checked.status();
}

TEST_F(CheckedTextOutputTest, MissingTailIsRefusedInPassOne) {
  PieceWriter writer;
  writer.edit_on_call = 1;
  writer.edit = [](std::string* text) {
    text->resize(text->rfind('\n', text->size() - 2) + 1);
  };
  auto checked = FormatAndReadBack(writer.Fn(), zone_, 2, 64);
  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(absl::StrContains(checked.status().message(), "missing: "))
      << checked.status();
}

TEST_F(CheckedTextOutputTest, WriterThatChangesItsTextIsCaughtAtThatPiece) {
  PieceWriter writer;
  auto checked = FormatAndReadBack(writer.Fn(), zone_, 2, 64);
  ASSERT_TRUE(checked.ok()) << checked.status();
  // The second pass changes one byte in the third piece.
  writer.edit_on_call = 2;
  writer.edit = [](std::string* text) { (*text)[250] ^= 0x01; };
  std::string out;
  const absl::Status sent =
      SendReadBackText(writer.Fn(), zone_, *checked, AppendTo(&out), 2);
  EXPECT_EQ(sent.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(sent.message(), "read back at piece 3"))
      << sent;
  EXPECT_EQ(out, signed_text_.substr(0, 200));

  // A second pass that stops early is caught too.
  writer.calls = 0;
  writer.edit_on_call = 1;
  writer.edit = [](std::string* text) { text->resize(text->size() - 150); };
  out.clear();
  const absl::Status short_sent =
      SendReadBackText(writer.Fn(), zone_, *checked, AppendTo(&out), 2);
  EXPECT_EQ(short_sent.code(), absl::StatusCode::kInternal) << short_sent;
  EXPECT_LT(out.size(), signed_text_.size());
}

TEST_F(CheckedTextOutputTest, SinkErrorStopsTheSecondPass) {
  PieceWriter writer;
  auto checked = FormatAndReadBack(writer.Fn(), zone_, 2, 64);
  ASSERT_TRUE(checked.ok()) << checked.status();
  int pieces = 0;
  const absl::Status sent = SendReadBackText(
      writer.Fn(), zone_, *checked,
      [&](absl::string_view) {
        return ++pieces == 2 ? absl::UnavailableError("disk full")
                             : absl::OkStatus();
      },
      2);
  EXPECT_EQ(sent, absl::UnavailableError("disk full"));
  EXPECT_EQ(pieces, 2);
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
