// The signature record files of incremental signing, in keystored's state
// dir: STATE/signatures/<zone>.sigs, one per zone (format:
// signer/signature_record.h). They hold only public data (RRSIGs the signed
// zones show), are written atomically after a zone went out self-verified,
// and survive restarts.
//
// A file is the record's bytes followed by a 32-byte tag over them
// (KeyManager::StateTag, purpose "signature-record": HMAC-SHA256 under a key
// derived from the master key). Only keystored can write a file that loads,
// and it writes one only after the zone's self-verify accepted every
// signature in it, so a loaded record may stand in for that verification
// (SignOptions::reuse_verified_before).
//
// Contract:
//  - LoadSignatureRecord reads the whole file in one go, checks its tag and
//    parses it. A missing file is NotFound ("no signature record"); a tag
//    that does not match (altered, made by someone else, or written under a
//    master key since rotated) is DataLoss ("signature record damaged or not
//    this key store's: ..."); damage, another version or
//    another zone give the parser's one-line reason. Every error means: sign
//    in full. Nothing is changed on disk by a load.
//  - WriteSignatureRecord writes temp file + fsync + rename + fsync of the
//    directory (mode 0600, directory 0700 made if missing): a reader sees
//    the old record or the new one, never a mix. A crash leaves at worst a
//    stray temp file, which no load reads.
// Thread-safety: functions are safe from many threads; concurrent writers
// of one zone each leave a whole file (the last rename wins).
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGNATURE_RECORD_FILE_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGNATURE_RECORD_FILE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "signer/signature_record.h"

namespace zonekeep {
namespace keystored {

// "STATE/signatures": where the records live.
std::string SignatureRecordDir(absl::string_view state_dir);

// DIR/<zone>.sigs for a normalised zone name ("example.com."): the name
// text lower-cased, any byte but [a-z0-9._-] as %XX, the root as ".sigs".
std::string SignatureRecordPath(absl::string_view dir, absl::string_view zone);

// The tag over a record file's bytes (keystored: KeyManager::StateTag with
// kSignatureRecordTagPurpose).
using RecordTagger =
    std::function<absl::StatusOr<std::array<uint8_t, 32>>(absl::string_view)>;
inline constexpr absl::string_view kSignatureRecordTagPurpose =
    "signature-record";

absl::StatusOr<signer::SignatureRecord> LoadSignatureRecord(
    const std::string& path, absl::string_view origin_wire,
    const RecordTagger& tag);

// Writes `bytes` (SignatureRecordBuilder::Finish) and their tag.
absl::Status WriteSignatureRecord(const std::string& dir,
                                  const std::string& path,
                                  absl::string_view bytes,
                                  const RecordTagger& tag);

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGNATURE_RECORD_FILE_H_
