#include "keystore/crypto/algorithm.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace {

struct AlgorithmInfo {
  Algorithm algorithm;
  const char* name;
  int fixed_bits;  // 0 for RSA (size chosen by the caller)
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {Algorithm::kRsaSha1, "RSASHA1", 0},
    {Algorithm::kNsec3RsaSha1, "NSEC3RSASHA1", 0},
    {Algorithm::kRsaSha256, "RSASHA256", 0},
    {Algorithm::kRsaSha512, "RSASHA512", 0},
    {Algorithm::kEcdsaP256Sha256, "ECDSAP256SHA256", 256},
    {Algorithm::kEcdsaP384Sha384, "ECDSAP384SHA384", 384},
    {Algorithm::kEd25519, "ED25519", 256},
    {Algorithm::kEd448, "ED448", 456},
};

constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 4096;

const AlgorithmInfo* FindInfo(Algorithm algorithm) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.algorithm == algorithm) return &info;
  }
  return nullptr;
}

std::string AcceptedNames() {
  std::string names;
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (!names.empty()) names += ", ";
    absl::StrAppend(&names, info.name, " (", static_cast<int>(info.algorithm),
                    ")");
  }
  return names;
}

}  // namespace

absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name_or_number) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(name_or_number);
  int number = 0;
  const bool numeric = absl::SimpleAtoi(trimmed, &number);
  // ldns spells NSEC3RSASHA1 "RSASHA1-NSEC3-SHA1"; accept both.
  const bool ldns_nsec3 = absl::EqualsIgnoreCase(trimmed, "RSASHA1-NSEC3-SHA1");
  for (const AlgorithmInfo& info : kAlgorithms) {
    if ((numeric && number == static_cast<int>(info.algorithm)) ||
        (!numeric && absl::EqualsIgnoreCase(trimmed, info.name)) ||
        (ldns_nsec3 && info.algorithm == Algorithm::kNsec3RsaSha1)) {
      return info.algorithm;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown DNSSEC algorithm \"", trimmed,
                   "\"; accepted: ", AcceptedNames()));
}

std::string AlgorithmName(Algorithm algorithm) {
  const AlgorithmInfo* info = FindInfo(algorithm);
  if (info == nullptr) {
    return absl::StrCat("ALGORITHM", static_cast<int>(algorithm));
  }
  return info->name;
}

bool IsAllowedForNewKeys(Algorithm algorithm) {
  return FindInfo(algorithm) != nullptr && algorithm != Algorithm::kRsaSha1 &&
         algorithm != Algorithm::kNsec3RsaSha1;
}

bool IsRsa(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRsaSha1:
    case Algorithm::kNsec3RsaSha1:
    case Algorithm::kRsaSha256:
    case Algorithm::kRsaSha512:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<int> ResolveKeyBits(Algorithm algorithm,
                                   std::optional<int> bits) {
  const AlgorithmInfo* info = FindInfo(algorithm);
  if (info == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported DNSSEC algorithm ", static_cast<int>(algorithm)));
  }
  if (info->fixed_bits != 0) return info->fixed_bits;
  if (!bits.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(info->name, " needs a key size in bits (", kMinRsaBits,
                     "-", kMaxRsaBits, ")"));
  }
  if (*bits < kMinRsaBits || *bits > kMaxRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat(info->name, " key size ", *bits, " is out of range (",
                     kMinRsaBits, "-", kMaxRsaBits, ")"));
  }
  return *bits;
}

}  // namespace zonekeep
