#include "dnssec/ecdsa_signature.h"

#include <cstring>
#include <string>

#include "absl/status/status.h"

namespace zonekeep {
namespace dnssec {
namespace {

constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kInteger = 0x02;

absl::Status Malformed(const char* why) {
  return absl::InvalidArgumentError(
      std::string("malformed ECDSA signature (DER): ") + why);
}

// Reads one DER INTEGER at *p (bounded by end) into `out` as `size` octets,
// big-endian, left-padded, and advances *p past it.
absl::Status TakeDerInteger(const uint8_t** p, const uint8_t* end, size_t size,
                            uint8_t* out) {
  if (end - *p < 2 || (*p)[0] != kInteger) {
    return Malformed("expected an INTEGER");
  }
  // An INTEGER of up to kMaxEcdsaComponentSize + 1 octets has a short-form
  // length; long or indefinite forms (high bit set) are refused.
  size_t len = (*p)[1];
  const uint8_t* v = *p + 2;
  if (len == 0 || len > 127) return Malformed("bad INTEGER length");
  if (static_cast<size_t>(end - v) < len) {
    return Malformed("INTEGER runs past the SEQUENCE");
  }
  *p = v + len;
  if ((v[0] & 0x80) != 0) return Malformed("negative INTEGER");
  if (v[0] == 0) {
    if (len == 1) return Malformed("zero INTEGER");
    // One zero octet is allowed only to keep the next octet's high bit from
    // reading as a sign.
    if ((v[1] & 0x80) == 0) return Malformed("INTEGER not minimally encoded");
    ++v;
    --len;
  }
  if (len > size) return Malformed("component longer than the curve allows");
  std::memset(out, 0, size - len);
  std::memcpy(out + size - len, v, len);
  return absl::OkStatus();
}

// A big-endian unsigned value without its leading zero octets (at least one
// octet kept) and whether DER needs a zero octet in front of it.
struct DerMagnitude {
  const uint8_t* value;
  size_t size;
  bool pad;
  size_t EncodedSize() const { return 2 + (pad ? 1 : 0) + size; }
};

DerMagnitude MagnitudeOf(const uint8_t* value, size_t size) {
  while (size > 1 && value[0] == 0) {
    ++value;
    --size;
  }
  return {value, size, (value[0] & 0x80) != 0};
}

// Writes one DER INTEGER; returns octets written.
size_t PutDerInteger(const DerMagnitude& m, uint8_t* out) {
  size_t n = 0;
  out[n++] = kInteger;
  out[n++] = static_cast<uint8_t>(m.size + (m.pad ? 1 : 0));
  if (m.pad) out[n++] = 0;
  std::memcpy(out + n, m.value, m.size);
  return n + m.size;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> EcdsaDerToRaw(const uint8_t* der,
                                                   size_t der_len,
                                                   size_t component_size) {
  if (component_size == 0 || component_size > kMaxEcdsaComponentSize) {
    return absl::InvalidArgumentError("unsupported ECDSA component size");
  }
  if (der_len < 2 || der[0] != kSequence) {
    return Malformed("expected a SEQUENCE");
  }
  // SEQUENCE length: short form below 128, else 0x81 and one octet >= 128
  // (the minimal long form); anything longer cannot hold two components.
  size_t header = 2;
  size_t content = der[1];
  if (content == 0x81) {
    if (der_len < 3 || der[2] < 128) {
      return Malformed("SEQUENCE length not minimally encoded");
    }
    header = 3;
    content = der[2];
  } else if (content > 127) {
    return Malformed("bad SEQUENCE length");
  }
  if (header + content != der_len) {
    return Malformed("SEQUENCE length does not match the signature");
  }
  std::vector<uint8_t> out(2 * component_size);
  const uint8_t* p = der + header;
  const uint8_t* end = der + der_len;
  if (absl::Status s = TakeDerInteger(&p, end, component_size, out.data());
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          TakeDerInteger(&p, end, component_size, out.data() + component_size);
      !s.ok()) {
    return s;
  }
  if (p != end) return Malformed("data after s");
  return out;
}

size_t EcdsaRawToDer(const uint8_t* raw, size_t component_size, uint8_t* out) {
  const DerMagnitude r = MagnitudeOf(raw, component_size);
  const DerMagnitude s = MagnitudeOf(raw + component_size, component_size);
  const size_t content = r.EncodedSize() + s.EncodedSize();
  size_t n = 0;
  out[n++] = kSequence;
  if (content >= 128) out[n++] = 0x81;
  out[n++] = static_cast<uint8_t>(content);
  n += PutDerInteger(r, out + n);
  n += PutDerInteger(s, out + n);
  return n;
}

}  // namespace dnssec
}  // namespace zonekeep
