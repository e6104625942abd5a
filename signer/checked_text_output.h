// Self-verify's output without holding the text: the zone is formatted
// twice. The first pass reads every window of the text back against the
// zone (signer/output_readback.h) and keeps the SHA-256 and size of each
// piece the writer made; the second pass formats again and hands each piece
// to the sink only when it is byte for byte (size and SHA-256) the piece the
// first pass read back. So what reaches the sink is exactly text that read
// back as the signed records, and the whole text is never in memory at once
// (at 100k delegations it was 51 MB; at 1M about 500 MB). The price is a
// second formatting pass and two SHA-256 passes over the text.
//
// Contract:
//  - FormatAndReadBack returns the read-back's first difference (an
//    InternalError naming the output line, owner and type) or the writer's
//    own error; nothing reaches any sink then.
//  - SendReadBackText fails with InternalError ("the text formatted for
//    the sink differs from the text read back at piece N") if the writer
//    does not repeat itself exactly; the sink then has the pieces before N,
//    each identical to read-back text, and no later one. A sink error stops
//    it and is returned.
// Thread-safety: pure functions over a const Zone; the writer formats on up
// to `threads` workers and the read-back parses on up to `threads`.
#ifndef ZONEKEEP_SIGNER_CHECKED_TEXT_OUTPUT_H_
#define ZONEKEEP_SIGNER_CHECKED_TEXT_OUTPUT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "signer/busy_time.h"
#include "signer/output_readback.h"
#include "signer/zone_model.h"
#include "signer/zone_text_writer.h"

namespace zonekeep {
namespace signer {

// What the first pass read back: each piece's size and SHA-256, in order.
struct ReadBackPieces {
  struct Piece {
    size_t size = 0;
    std::array<uint8_t, 32> sha256{};
  };
  std::vector<Piece> pieces;
  size_t bytes = 0;
};

// Pass 1. The read-back's CPU time is charged to `readback_busy` (null: to
// the caller's current counter), the formatting's to the caller's.
absl::StatusOr<ReadBackPieces> FormatAndReadBack(
    const ZoneTextWriterFn& write_text, const Zone& zone, int threads,
    size_t window_bytes = kReadBackWindowBytes,
    BusyCounter* readback_busy = nullptr);

// Pass 2.
absl::Status SendReadBackText(const ZoneTextWriterFn& write_text,
                              const Zone& zone, const ReadBackPieces& checked,
                              const ZoneSink& sink, int threads);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_CHECKED_TEXT_OUTPUT_H_
