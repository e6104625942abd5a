// Read-back check: the signed zone's output text, exactly the bytes that go to
// the sink, is parsed again and must give back the records that were signed.
// Self-verify (signer/zone_verifier.h) checks the engine's in-memory records;
// this checks that the text a resolver's primary will load says the same
// thing (a TXT or SVCB value with ';' written unquoted reads back cut short,
// and every signature over it is then bogus).
//
// Contract:
//  - The text is read by ParseZoneText, keeping DNSSEC records, with the
//    zone's origin; every read-back record must equal, in order, the record
//    WriteZoneText's order puts there: owner, type, class IN, TTL and RDATA
//    in canonical wire form, RRSIG/NSEC/NSEC3/DNSKEY included.
//  - Who reads which line: the parser's fast path (signer/
//    simple_record_line.h with signer/dnssec_record_line.h, our own code)
//    reads the lines in the simple one-line form the writer uses for SOA,
//    NS, A, AAAA, CNAME, PTR, MX, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM and
//    DNSKEY (in a TLD-like zone, every line); ldns reads every other line
//    (TXT, SVCB, CAA, generic "\#" RDATA, escaped names, lines over 1 KiB).
//  - Why that is still an independent check of the writer: the fast path
//    parses text with code of its own, not the writer's printers run
//    backwards; it shares with the engine only AppendTypeBitmap
//    (signer/type_bitmap.h, which also builds the signed NSEC/NSEC3 bitmaps)
//    and Base32HexDecode (signer/nsec3_hash.h), and ldns's mnemonic table.
//    What it reads is held to what ldns reads by a differential test
//    (signer/zone_parser_fast_path_test.cc and
//    signer/zone_parser_signed_fast_path_test.cc: signed zones of every
//    algorithm with NSEC and NSEC3, edge cases and mutated lines read
//    identically to ldns or are declined), so a bitmap helper bug shows
//    there, not here. A line the fast path does not accept exactly goes to
//    ldns, never to a guess.
//  - The first difference (or a text that does not parse) is an
//    InternalError with one line naming that record's owner, type and output
//    line and saying the written text reads back differently.
// Thread-safety: pure functions; CheckOutputReadsBack starts up to `threads`
// parsing workers (0: all cores). `zone` and `text` are only read.
#ifndef ZONEKEEP_SIGNER_OUTPUT_READBACK_H_
#define ZONEKEEP_SIGNER_OUTPUT_READBACK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "signer/record.h"
#include "signer/zone_model.h"

namespace zonekeep {
namespace signer {

// One record as signed, viewing into the Zone it came from (class is IN).
struct SignedRecord {
  absl::string_view owner;  // canonical wire name
  uint16_t type = 0;
  uint32_t ttl = 0;
  absl::string_view rdata;  // canonical wire RDATA
};

// The records of `zone` in the order WriteZoneText writes them: nodes in
// canonical order, at the apex the SOA first, each RRset's records followed
// by its RRSIGs. The views live as long as `zone` is not changed.
std::vector<SignedRecord> SignedRecordsInWriteOrder(const Zone& zone);

// OK when `read_back` (records parsed from the output, with their output
// lines) equals `expected` record for record; else the InternalError above.
absl::Status CompareReadBack(absl::Span<const SignedRecord> expected,
                             absl::Span<const Record> read_back);

// The records of `zone` in write order (as SignedRecordsInWriteOrder), one
// at a time, without holding them all (at 100k delegations the vector took
// 21 MB). The zone must not change while a cursor is in use.
class WriteOrderCursor {
 public:
  explicit WriteOrderCursor(const Zone& zone);
  // How many records the zone writes in all.
  size_t size() const { return size_; }
  // The next record; false after the last.
  bool Next(SignedRecord* record);

 private:
  // The node's `k`th RRset in write order (its SOA first at the apex).
  const RRset& RRsetInWriteOrder(const Node& node, size_t k) const;
  const Zone& zone_;
  size_t size_ = 0;
  size_t node_ = 0;
  size_t rrset_ = 0;  // in write order within the node
  size_t item_ = 0;   // RDATA first, then RRSIGs
};

// Text read back at a time by CheckOutputReadsBack: large enough to keep
// every core busy parsing, small enough that its records are a small part of
// the zone's memory (a 16 MB window's records took about 45 MB at peak; 4 MB
// takes about 12 MB).
inline constexpr size_t kReadBackWindowBytes = 4 << 20;

// Parses `text` and compares it with `zone` as above, `window_bytes` of text
// at a time (rounded up to a line end): the writer puts one record with an
// absolute owner and an explicit TTL on each line, so every line starts a
// record and only one window's records are held at once.
absl::Status CheckOutputReadsBack(const Zone& zone, absl::string_view text,
                                  int threads = 0,
                                  size_t window_bytes = kReadBackWindowBytes);

// The same check on text that arrives in pieces (the writer's sink): pieces
// are gathered into windows of about `window_bytes`, each cut at its last
// line end, parsed, compared and dropped, so at most one window of text and
// its records are held. Add returns the first difference; Finish reads what
// is left and checks that no record is missing. Not thread-safe (one
// writer's sink); parses on up to `threads` workers.
class ReadBackStream {
 public:
  ReadBackStream(const Zone& zone, int threads,
                 size_t window_bytes = kReadBackWindowBytes);
  absl::Status Add(absl::string_view piece);
  absl::Status Finish();
  // Reads back `window`, which must end at a line end (or be the last text).
  absl::Status AddWindow(absl::string_view window);

 private:
  WriteOrderCursor expected_;
  std::string origin_;
  int threads_;
  size_t window_bytes_;
  std::string pending_;
  size_t next_ = 0;  // records compared so far
  int lines_before_ = 0;
  int last_line_ = 0;
};

}  // namespace signer
}  // namespace zonekeep

#endif  // ZONEKEEP_SIGNER_OUTPUT_READBACK_H_
