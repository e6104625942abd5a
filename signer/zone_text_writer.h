// Master-file text for records: one RR per line, absolute owner names,
// "owner<TAB>ttl<TAB>IN<TAB>TYPE<TAB>rdata", in forms that BIND, Knot and
// ldns read back to the same bytes (signer/rdata_text.h). Common types (the
// ones a signed zone is mostly made of) are formatted here directly; others
// are decoded by ldns, their names and character-strings printed with our
// escaping, and written in the RFC 3597 generic form when ldns does not read
// the printed text back to the same bytes.
// Thread-safety: pure functions.
#ifndef ZONEKEEP_SIGNER_ZONE_TEXT_WRITER_H_
#define ZONEKEEP_SIGNER_ZONE_TEXT_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "signer/type_name.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

// Receives the output text in pieces, in order. Returning an error stops
// writing and becomes the result.
using ZoneSink = std::function<absl::Status(absl::string_view)>;

// Appends one line. `owner_text` is the owner already in text form.
absl::Status AppendRecordLine(absl::string_view owner_text,
                              absl::string_view owner_wire, uint16_t type,
                              uint32_t ttl, absl::string_view rdata,
                              std::string* out);

// Writes `zone` in canonical order (SOA first), each RRset followed by its
// RRSIGs, in chunks of about 0.5 MiB to `sink` (called from this thread
// only). Text is formatted on up to `threads` workers (0: all cores).
absl::Status WriteZoneText(const Zone& zone, const ZoneSink& sink,
                           int threads = 0);

// Formats a signed zone as master-file text into a sink (WriteZoneText's
// signature; tests put broken writers in its place).
using ZoneTextWriterFn =
    std::function<absl::Status(const Zone&, const ZoneSink&, int threads)>;

// Helpers shared with tests.
void AppendBase64(absl::string_view data, std::string* out);
std::string FormatDnssecTime(uint32_t t);

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_ZONE_TEXT_WRITER_H_
