#include "dnssec/algorithm.h"

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
namespace dnssec {
namespace {

constexpr AlgorithmSpec kAlgorithms[] = {
    {Algorithm::kRsaSha1, "RSASHA1", KeyFamily::kRsa, "RSA", "SHA1", nullptr, 0,
     0},
    {Algorithm::kNsec3RsaSha1, "NSEC3RSASHA1", KeyFamily::kRsa, "RSA", "SHA1",
     nullptr, 0, 0},
    {Algorithm::kRsaSha256, "RSASHA256", KeyFamily::kRsa, "RSA", "SHA256",
     nullptr, 0, 0},
    {Algorithm::kRsaSha512, "RSASHA512", KeyFamily::kRsa, "RSA", "SHA512",
     nullptr, 0, 0},
    {Algorithm::kEcdsaP256Sha256, "ECDSAP256SHA256", KeyFamily::kEcdsa, "EC",
     "SHA256", "P-256", 32, 256},
    {Algorithm::kEcdsaP384Sha384, "ECDSAP384SHA384", KeyFamily::kEcdsa, "EC",
     "SHA384", "P-384", 48, 384},
    {Algorithm::kEd25519, "ED25519", KeyFamily::kEddsa, "ED25519", nullptr,
     nullptr, 32, 256},
    {Algorithm::kEd448, "ED448", KeyFamily::kEddsa, "ED448", nullptr, nullptr,
     57, 456},
};

constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 4096;

std::string AcceptedNames() {
  std::string names;
  for (const AlgorithmSpec& spec : kAlgorithms) {
    if (!names.empty()) names += ", ";
    absl::StrAppend(&names, spec.mnemonic, " (",
                    static_cast<int>(spec.algorithm), ")");
  }
  return names;
}

}  // namespace

std::optional<AlgorithmSpec> SpecOfNumber(uint8_t number) {
  for (const AlgorithmSpec& spec : kAlgorithms) {
    if (static_cast<uint8_t>(spec.algorithm) == number) return spec;
  }
  return std::nullopt;
}

std::optional<AlgorithmSpec> SpecOf(Algorithm algorithm) {
  return SpecOfNumber(static_cast<uint8_t>(algorithm));
}

absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name_or_number) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(name_or_number);
  int number = 0;
  const bool numeric = absl::SimpleAtoi(trimmed, &number);
  // ldns spells NSEC3RSASHA1 "RSASHA1-NSEC3-SHA1"; accept both.
  const bool ldns_nsec3 = absl::EqualsIgnoreCase(trimmed, "RSASHA1-NSEC3-SHA1");
  for (const AlgorithmSpec& spec : kAlgorithms) {
    if ((numeric && number == static_cast<int>(spec.algorithm)) ||
        (!numeric && absl::EqualsIgnoreCase(trimmed, spec.mnemonic)) ||
        (ldns_nsec3 && spec.algorithm == Algorithm::kNsec3RsaSha1)) {
      return spec.algorithm;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown DNSSEC algorithm \"", trimmed,
                   "\"; accepted: ", AcceptedNames()));
}

std::string AlgorithmName(Algorithm algorithm) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::StrCat("ALGORITHM", static_cast<int>(algorithm));
  }
  return spec->mnemonic;
}

bool IsAllowedForNewKeys(Algorithm algorithm) {
  return SpecOf(algorithm).has_value() && algorithm != Algorithm::kRsaSha1 &&
         algorithm != Algorithm::kNsec3RsaSha1;
}

bool IsRsa(Algorithm algorithm) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  return spec.has_value() && spec->family == KeyFamily::kRsa;
}

absl::StatusOr<int> ResolveKeyBits(Algorithm algorithm,
                                   std::optional<int> bits) {
  const std::optional<AlgorithmSpec> spec = SpecOf(algorithm);
  if (!spec.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported DNSSEC algorithm ", static_cast<int>(algorithm)));
  }
  if (spec->fixed_bits != 0) return spec->fixed_bits;
  if (!bits.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec->mnemonic, " needs a key size in bits (", kMinRsaBits,
                     "-", kMaxRsaBits, ")"));
  }
  if (*bits < kMinRsaBits || *bits > kMaxRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec->mnemonic, " key size ", *bits, " is out of range (",
                     kMinRsaBits, "-", kMaxRsaBits, ")"));
  }
  return *bits;
}

}  // namespace dnssec
}  // namespace zonekeep
