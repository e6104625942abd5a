// The request side of the ZoneSigner.SignZone stream, without gRPC: checks
// the first message (the options) and joins the zone chunks that follow,
// within max-zone-bytes. SigningService feeds it the messages it reads; the
// sign request fuzz target (fuzz_sign_request_stream.cc) feeds it bytes.
//
// Contract: ReadSignOptions refuses a missing first message or one without
// options, and options without an origin (InvalidArgument). After it,
// SignRequestStream::Add takes only zone chunks: options sent again are
// InvalidArgument, a zone above `max_zone_bytes` ResourceExhausted (the
// chunk that would cross it is refused; nothing of it is kept). The
// messages name the rule ("max-zone-bytes"), never the zone's bytes.
// Thread-safety: ReadSignOptions is a pure function; a SignRequestStream
// belongs to one thread.
#ifndef ZONEKEEP_KEYSTORE_DAEMON_SIGN_REQUEST_STREAM_H_
#define ZONEKEEP_KEYSTORE_DAEMON_SIGN_REQUEST_STREAM_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/keystore.pb.h"

namespace zonekeep {
namespace keystored {

// `first` null: the client sent no message at all.
absl::StatusOr<v1::SignOptions> ReadSignOptions(
    const v1::SignZoneRequest* first);

class SignRequestStream {
 public:
  explicit SignRequestStream(int64_t max_zone_bytes)
      : max_zone_bytes_(max_zone_bytes) {}

  // One message after the options.
  absl::Status Add(const v1::SignZoneRequest& request);

  // Zone bytes received so far.
  uint64_t bytes() const { return zone_text_.size(); }

  // The zone text; the stream is empty afterwards.
  std::string Release() { return std::move(zone_text_); }

 private:
  const int64_t max_zone_bytes_;
  std::string zone_text_;
};

}  // namespace keystored
}  // namespace zonekeep

#endif  // ZONEKEEP_KEYSTORE_DAEMON_SIGN_REQUEST_STREAM_H_
