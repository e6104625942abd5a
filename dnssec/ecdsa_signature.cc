#include "dnssec/ecdsa_signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <cstring>

#include "absl/status/status.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace dnssec {
namespace {

// OpenSSL's decoder: slow but the final word on odd encodings.
absl::StatusOr<std::vector<uint8_t>> DecodeWithOpenssl(const uint8_t* der,
                                                       size_t der_len,
                                                       size_t component_size) {
  const unsigned char* p = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (sig == nullptr || p != der + der_len) {
    ClearOpensslErrors();
    return absl::InvalidArgumentError("malformed ECDSA signature (DER)");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::vector<uint8_t> out(2 * component_size);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(component_size)) < 0 ||
      BN_bn2binpad(s, out.data() + component_size,
                   static_cast<int>(component_size)) < 0) {
    return absl::InvalidArgumentError("ECDSA signature component too large");
  }
  return out;
}

// Reads one DER INTEGER at *p (bounded by end) into `out` as `size` bytes,
// big-endian, left-padded; false if malformed or too large.
bool TakeDerInteger(const uint8_t** p, const uint8_t* end, size_t size,
                    uint8_t* out) {
  if (end - *p < 2 || (*p)[0] != 0x02) return false;
  size_t len = (*p)[1];
  const uint8_t* v = *p + 2;
  if (len == 0 || len > 127 || static_cast<size_t>(end - v) < len) {
    return false;
  }
  *p = v + len;
  while (len > 0 && *v == 0) {
    ++v;
    --len;
  }
  if (len > size) return false;
  std::memset(out, 0, size - len);
  std::memcpy(out + size - len, v, len);
  return true;
}

// One DER INTEGER from a big-endian unsigned value; returns bytes written.
size_t PutDerInteger(const uint8_t* value, size_t size, uint8_t* out) {
  while (size > 1 && value[0] == 0) {
    ++value;
    --size;
  }
  const bool pad = (value[0] & 0x80) != 0;
  size_t n = 0;
  out[n++] = 0x02;
  out[n++] = static_cast<uint8_t>(size + (pad ? 1 : 0));
  if (pad) out[n++] = 0;
  std::memcpy(out + n, value, size);
  return n + size;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> EcdsaDerToRaw(const uint8_t* der,
                                                   size_t der_len,
                                                   size_t component_size) {
  std::vector<uint8_t> out(2 * component_size);
  if (der_len < 2 || der[0] != 0x30 || der[1] > 127 ||
      static_cast<size_t>(der[1]) + 2 != der_len) {
    return DecodeWithOpenssl(der, der_len, component_size);
  }
  const uint8_t* p = der + 2;
  const uint8_t* end = der + der_len;
  if (!TakeDerInteger(&p, end, component_size, out.data()) ||
      !TakeDerInteger(&p, end, component_size, out.data() + component_size) ||
      p != end) {
    return DecodeWithOpenssl(der, der_len, component_size);
  }
  return out;
}

size_t EcdsaRawToDer(const uint8_t* raw, size_t component_size, uint8_t* out) {
  size_t n = 2;
  n += PutDerInteger(raw, component_size, out + n);
  n += PutDerInteger(raw + component_size, component_size, out + n);
  out[0] = 0x30;
  out[1] = static_cast<uint8_t>(n - 2);
  return n;
}

}  // namespace dnssec
}  // namespace zonekeep
