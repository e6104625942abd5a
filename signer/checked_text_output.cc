#include "signer/checked_text_output.h"

#include <openssl/evp.h>

#include <optional>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace signer {
namespace {

std::optional<std::array<uint8_t, 32>> Sha256(absl::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != out.size()) {
    return std::nullopt;
  }
  return out;
}

absl::Status DigestFailed() {
  return absl::InternalError("SHA-256 of the output text failed");
}

}  // namespace

absl::StatusOr<ReadBackPieces> FormatAndReadBack(
    const ZoneTextWriterFn& write_text, const Zone& zone, int threads,
    size_t window_bytes, BusyCounter* readback_busy) {
  ReadBackStream stream(zone, threads, window_bytes);
  ReadBackPieces checked;
  BusyCounter* const charge =
      readback_busy != nullptr ? readback_busy : CurrentBusyCounter();
  const absl::Status written = write_text(
      zone,
      [&](absl::string_view piece) {
        BusyScope scope(charge);
        const std::optional<std::array<uint8_t, 32>> sum = Sha256(piece);
        if (!sum.has_value()) return DigestFailed();
        checked.pieces.push_back({piece.size(), *sum});
        checked.bytes += piece.size();
        return stream.Add(piece);
      },
      threads);
  if (!written.ok()) return written;
  BusyScope scope(charge);
  if (absl::Status s = stream.Finish(); !s.ok()) return s;
  return checked;
}

absl::Status SendReadBackText(const ZoneTextWriterFn& write_text,
                              const Zone& zone, const ReadBackPieces& checked,
                              const ZoneSink& sink, int threads) {
  size_t next = 0;
  const auto differs = [&next] {
    return absl::InternalError(absl::StrCat(
        "the text formatted for the sink differs from the text read back at "
        "piece ",
        next + 1));
  };
  absl::Status written = write_text(
      zone,
      [&](absl::string_view piece) {
        if (next >= checked.pieces.size() ||
            piece.size() != checked.pieces[next].size) {
          return differs();
        }
        const std::optional<std::array<uint8_t, 32>> sum = Sha256(piece);
        if (!sum.has_value()) return DigestFailed();
        if (*sum != checked.pieces[next].sha256) return differs();
        ++next;
        return sink(piece);
      },
      threads);
  if (!written.ok()) return written;
  if (next != checked.pieces.size()) return differs();
  return absl::OkStatus();
}

}  // namespace signer
}  // namespace zonekeep
