// libFuzzer target: the SignZone request stream as keystored takes it,
// without gRPC: the messages (sign_request_stream.h), the options mapping
// (engine_options.h) and the signer engine with self-verify, over in-memory
// ECDSA P-256 test keys (//dnssec:test_keys; made once per process).
//
// Input: a sequence of length-delimited v1::SignZoneRequest messages (varint
// length, then the message, as protobuf's delimited format); reading stops at
// the first malformed one, and what came before is the stream. The zone is
// capped (64 KiB, 2,000 records) so one input stays fast. Property checked
// beyond "no crash": a zone the engine signs is non-empty, and was
// self-verified unless the options switched that off.
// Returns 0 always; a broken property aborts.
// Thread-safety: libFuzzer calls it from one thread.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dnssec/test_keys.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "keystore/daemon/engine_options.h"
#include "keystore/daemon/sign_request_stream.h"
#include "proto/keystore.pb.h"
#include "signer/zone_signer.h"

namespace {

using zonekeep::v1::SignZoneRequest;

constexpr int64_t kMaxZoneBytes = 64 << 10;
constexpr size_t kMaxMessages = 64;

const std::vector<zonekeep::dnssec::ZoneKey>& Keys() {
  static const auto* keys = [] {
    absl::StatusOr<std::vector<zonekeep::dnssec::ZoneKey>> made =
        zonekeep::dnssec::MakeTestKeySet(
            zonekeep::dnssec::Algorithm::kEcdsaP256Sha256);
    if (!made.ok()) {
      fprintf(stderr, "cannot make test keys\n");
      abort();
    }
    return new std::vector<zonekeep::dnssec::ZoneKey>(*std::move(made));
  }();
  return *keys;
}

std::vector<SignZoneRequest> ReadMessages(const uint8_t* data, size_t size) {
  std::vector<SignZoneRequest> messages;
  google::protobuf::io::ArrayInputStream input(data, static_cast<int>(size));
  google::protobuf::io::CodedInputStream coded(&input);
  while (messages.size() < kMaxMessages) {
    SignZoneRequest request;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromCodedStream(&request, &coded,
                                                               &clean_eof)) {
      break;
    }
    messages.push_back(std::move(request));
  }
  return messages;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<SignZoneRequest> messages = ReadMessages(data, size);
  absl::StatusOr<zonekeep::v1::SignOptions> options =
      zonekeep::keystored::ReadSignOptions(messages.empty() ? nullptr
                                                            : &messages[0]);
  if (!options.ok()) return 0;
  zonekeep::keystored::SignRequestStream stream(kMaxZoneBytes);
  for (size_t i = 1; i < messages.size(); ++i) {
    if (!stream.Add(messages[i]).ok()) return 0;
  }
  absl::StatusOr<zonekeep::signer::SignOptions> engine =
      zonekeep::keystored::ToEngineOptions(*options);
  if (!engine.ok()) return 0;
  engine->threads = 1;
  engine->limits.max_records = 2000;
  engine->limits.max_signatures = 4000;

  std::string signed_zone;
  auto sink = [&signed_zone](absl::string_view piece) {
    signed_zone.append(piece.data(), piece.size());
    return absl::OkStatus();
  };
  const std::string display_name = options->display_name().empty()
                                       ? options->origin()
                                       : options->display_name();
  absl::StatusOr<zonekeep::signer::SignReport> report =
      zonekeep::signer::SignZoneReleasingText(stream.Release(), display_name,
                                              Keys(), *engine, sink);
  if (!report.ok()) return 0;
  if (signed_zone.empty() || report->verified == options->skip_self_verify()) {
    fprintf(stderr, "signed zone empty or self-verify not as asked\n");
    abort();
  }
  return 0;
}
