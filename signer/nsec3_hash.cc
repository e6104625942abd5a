#include "signer/nsec3_hash.h"

#include <openssl/evp.h>

#include <memory>

namespace zonekeep {
namespace signer {

std::string Nsec3Hash(absl::string_view name, absl::string_view salt,
                      uint16_t iterations) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  const EVP_MD* sha1 = EVP_sha1();
  EVP_DigestInit_ex(ctx.get(), sha1, nullptr);
  EVP_DigestUpdate(ctx.get(), name.data(), name.size());
  EVP_DigestUpdate(ctx.get(), salt.data(), salt.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  for (uint16_t i = 0; i < iterations; ++i) {
    EVP_DigestInit_ex(ctx.get(), sha1, nullptr);
    EVP_DigestUpdate(ctx.get(), digest, length);
    EVP_DigestUpdate(ctx.get(), salt.data(), salt.size());
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Base32HexEncode(absl::string_view data) {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

bool Base32HexDecode(absl::string_view text, std::string* out) {
  out->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'v') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'V') {
      v = c - 'A' + 10;
    } else {
      out->clear();
      return false;
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out->push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return true;
}

}  // namespace signer
}  // namespace zonekeep
