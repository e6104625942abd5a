#include "keystore/crypto/bind_key_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "dnssec/algorithm.h"
#include "dnssec/base64.h"
#include "dnssec/key_tag.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/name.h"
#include "dnssec/openssl_ptr.h"

namespace zonekeep {
namespace keystore {
namespace {}  // namespace

std::string PrintableText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out += absl::StrFormat("\\x%02x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

absl::StatusOr<std::string> ResolveImportBase(const std::string& import_dir,
                                              const std::string& base) {
  if (import_dir.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "import of ", PrintableText(base),
        " refused: no \"import-dir\" is configured (set it in keystored's "
        "configuration to the directory keystored may read key files from)"));
  }
  std::string dir = import_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string prefix = dir == "/" ? dir : dir + "/";
  const std::string path =
      !base.empty() && base[0] == '/' ? base : prefix + base;
  auto outside = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        PrintableText(path), ": outside the import-dir ", PrintableText(dir),
        "; import reads key files only there"));
  };
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") return outside();
  }
  if (!absl::StartsWith(path, prefix)) return outside();
  // The files' directory, symlinks resolved, must still be import-dir or
  // below it (O_NOFOLLOW covers only the last component).
  char real_dir[PATH_MAX];
  char real_parent[PATH_MAX];
  const std::string parent = path.substr(0, path.rfind('/'));
  if (realpath(dir.c_str(), real_dir) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("import-dir ", PrintableText(dir), ": ", strerror(errno)));
  }
  if (realpath(parent.c_str(), real_parent) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(PrintableText(parent), ": ", strerror(errno)));
  }
  const std::string rd = real_dir, rp = real_parent;
  if (rp != rd && !absl::StartsWith(rp, rd == "/" ? rd : rd + "/")) {
    return outside();
  }
  return path;
}

namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(PrintableText(path), ": ", PrintableText(what)));
}

// Opens `path` for reading if it is a regular file: never follows a final
// symlink (O_NOFOLLOW) and never blocks on a FIFO or device (O_NONBLOCK,
// then fstat).
absl::StatusOr<int> OpenRegularFile(const std::string& path) {
  const int fd =
      open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) {
      return FileError(path,
                       "is a symbolic link; import reads regular files only");
    }
    const std::string message =
        absl::StrCat(PrintableText(path), ": cannot open: ", strerror(err));
    return err == ENOENT ? absl::NotFoundError(message)
                         : absl::InvalidArgumentError(message);
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return FileError(path,
                     "is not a regular file (a FIFO, device, socket or "
                     "directory); import reads regular files only");
  }
  return fd;
}

// Reads `path` whole into wiped memory.
absl::StatusOr<SecretBytes> ReadSecretFile(const std::string& path) {
  absl::StatusOr<int> opened = OpenRegularFile(path);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  SecretBytes data;
  uint8_t chunk[4096];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      OPENSSL_cleanse(chunk, sizeof(chunk));
      return FileError(path, absl::StrCat("cannot read: ", strerror(err)));
    }
    if (n == 0) break;
    data.insert(data.end(), chunk, chunk + n);
    if (data.size() > (1 << 20)) {
      close(fd);
      OPENSSL_cleanse(chunk, sizeof(chunk));
      return FileError(path, "file too large for a key file");
    }
  }
  close(fd);
  OPENSSL_cleanse(chunk, sizeof(chunk));
  return data;
}

// Strict base64 (whitespace ignored, padding optional at the end only).
bool DecodeBase64(absl::string_view text, SecretBytes* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char ch : text) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (absl::ascii_isspace(c)) continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = dnssec::Base64DigitValue(ch);
    if (v < 0 || padding) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  acc = 0;
  return bits < 6 && !out->empty();
}

// "Name: value" lines of a .private file. Values are views into the file's
// wiped buffer.
using PrivateFields = std::map<std::string, absl::string_view>;

absl::StatusOr<PrivateFields> ParsePrivateFile(const std::string& path,
                                               const SecretBytes& data) {
  PrivateFields fields;
  const absl::string_view text(reinterpret_cast<const char*>(data.data()),
                               data.size());
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    const absl::string_view line =
        absl::StripAsciiWhitespace(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return FileError(path, absl::StrCat("line ", line_number,
                                          " is not a \"Name: value\" field"));
    }
    const std::string name(absl::StripAsciiWhitespace(line.substr(0, colon)));
    if (fields.count(name) != 0) {
      return FileError(path, absl::StrCat("field ", name, " appears twice"));
    }
    fields[name] = absl::StripAsciiWhitespace(line.substr(colon + 1));
  }
  return fields;
}

absl::StatusOr<SecretBytes> Base64Field(const std::string& path,
                                        const PrivateFields& fields,
                                        const char* name) {
  auto it = fields.find(name);
  if (it == fields.end()) {
    return FileError(path, absl::StrCat("missing field ", name));
  }
  SecretBytes bytes;
  if (!DecodeBase64(it->second, &bytes)) {
    return FileError(path,
                     absl::StrCat("field ", name, " is not valid base64"));
  }
  return bytes;
}

// A BIGNUM for a private component: secure flag set, so OSSL_PARAM copies
// of it are wiped, and cleared when freed.
absl::StatusOr<dnssec::BignumPtr> SecretBignum(const SecretBytes& bytes) {
  dnssec::BignumPtr bn(BN_secure_new());
  if (bn == nullptr || BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()),
                                 bn.get()) == nullptr) {
    return absl::ResourceExhaustedError("out of memory");
  }
  return bn;
}

absl::StatusOr<dnssec::EvpPkeyPtr> FromData(const char* type,
                                            OSSL_PARAM_BLD* bld,
                                            const std::string& path) {
  dnssec::OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  dnssec::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) !=
          1) {
    dnssec::ClearOpensslErrors();
    return FileError(path, absl::StrCat("not a valid ", type, " private key"));
  }
  return dnssec::EvpPkeyPtr(pkey);
}

absl::StatusOr<dnssec::EvpPkeyPtr> RsaFromFields(const std::string& path,
                                                 const PrivateFields& fields) {
  struct Component {
    const char* field;
    const char* param;
    bool secret;
  };
  static constexpr Component kRequired[] = {
      {"Modulus", OSSL_PKEY_PARAM_RSA_N, false},
      {"PublicExponent", OSSL_PKEY_PARAM_RSA_E, false},
      {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D, true},
  };
  static constexpr Component kCrt[] = {
      {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1, true},
      {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2, true},
      {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1, true},
      {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2, true},
      {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1, true},
  };
  int crt_present = 0;
  for (const Component& c : kCrt) crt_present += fields.count(c.field);
  if (crt_present != 0 && crt_present != 5) {
    return FileError(path, "RSA key has some but not all CRT fields");
  }
  dnssec::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::vector<dnssec::BignumPtr>
      numbers;  // must outlive OSSL_PARAM_BLD_to_param
  auto push = [&](const Component& c) -> absl::Status {
    absl::StatusOr<SecretBytes> bytes = Base64Field(path, fields, c.field);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<dnssec::BignumPtr> bn =
        c.secret
            ? SecretBignum(*bytes)
            : dnssec::BignumPtr(BN_bin2bn(
                  bytes->data(), static_cast<int>(bytes->size()), nullptr));
    if (!bn.ok()) return bn.status();
    if (*bn == nullptr ||
        OSSL_PARAM_BLD_push_BN(bld.get(), c.param, bn->get()) != 1) {
      return absl::ResourceExhaustedError("out of memory");
    }
    numbers.push_back(*std::move(bn));
    return absl::OkStatus();
  };
  for (const Component& c : kRequired) {
    if (absl::Status s = push(c); !s.ok()) return s;
  }
  if (crt_present != 0) {
    for (const Component& c : kCrt) {
      if (absl::Status s = push(c); !s.ok()) return s;
    }
  }
  absl::StatusOr<dnssec::EvpPkeyPtr> pkey = FromData("RSA", bld.get(), path);
  if (!pkey.ok()) return pkey.status();
  if (crt_present != 0) {
    // The primes, CRT values and private exponent must belong together.
    dnssec::EvpPkeyCtxPtr check(
        EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
    if (check == nullptr || EVP_PKEY_pairwise_check(check.get()) != 1) {
      dnssec::ClearOpensslErrors();
      return FileError(path, "RSA private key fields are inconsistent");
    }
  }
  return pkey;
}

// Signs and verifies one message: proves that the private exponent belongs
// to the modulus and public exponent (also when no CRT fields are present).
absl::Status RsaSelfTest(EVP_PKEY* pkey, const std::string& path) {
  static constexpr uint8_t kProbe[] = {'z', 'o', 'n', 'e', 'k', 'e', 'e', 'p'};
  std::vector<uint8_t> sig(EVP_PKEY_get_size(pkey));
  size_t sig_len = sig.size();
  dnssec::EvpMdCtxPtr sign_ctx(EVP_MD_CTX_new());
  dnssec::EvpMdCtxPtr verify_ctx(EVP_MD_CTX_new());
  const bool ok = sign_ctx != nullptr && verify_ctx != nullptr &&
                  EVP_DigestSignInit(sign_ctx.get(), nullptr, EVP_sha256(),
                                     nullptr, pkey) == 1 &&
                  EVP_DigestSign(sign_ctx.get(), sig.data(), &sig_len, kProbe,
                                 sizeof(kProbe)) == 1 &&
                  EVP_DigestVerifyInit(verify_ctx.get(), nullptr, EVP_sha256(),
                                       nullptr, pkey) == 1 &&
                  EVP_DigestVerify(verify_ctx.get(), sig.data(), sig_len,
                                   kProbe, sizeof(kProbe)) == 1;
  if (!ok) {
    dnssec::ClearOpensslErrors();
    return FileError(path, "RSA private key fields are inconsistent");
  }
  return absl::OkStatus();
}

absl::StatusOr<dnssec::EvpPkeyPtr> EcFromScalar(
    const std::string& path, const SecretBytes& scalar,
    const dnssec::AlgorithmSpec& spec) {
  const char* group_name = spec.group;
  dnssec::EcGroupPtr group(
      EC_GROUP_new_by_curve_name(EC_curve_nist2nid(group_name)));
  dnssec::BnCtxPtr bn_ctx(BN_CTX_new());
  absl::StatusOr<dnssec::BignumPtr> priv = SecretBignum(scalar);
  if (!priv.ok()) return priv.status();
  if (group == nullptr || bn_ctx == nullptr) {
    return absl::ResourceExhaustedError("out of memory");
  }
  if (BN_is_zero(priv->get()) ||
      BN_cmp(priv->get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return FileError(path, "ECDSA private key is out of range");
  }
  dnssec::EcPointPtr point(EC_POINT_new(group.get()));
  std::vector<uint8_t> pub(1 +
                           2 * ((EC_GROUP_get_degree(group.get()) + 7) / 8));
  if (point == nullptr ||
      EC_POINT_mul(group.get(), point.get(), priv->get(), nullptr, nullptr,
                   bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), point.get(),
                         POINT_CONVERSION_UNCOMPRESSED, pub.data(), pub.size(),
                         bn_ctx.get()) != pub.size()) {
    dnssec::ClearOpensslErrors();
    return FileError(path, "cannot derive the ECDSA public key");
  }
  dnssec::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      group_name, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY,
                             priv->get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       pub.data(), pub.size()) != 1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  return FromData("EC", bld.get(), path);
}

absl::StatusOr<dnssec::EvpPkeyPtr> KeyFromFields(const std::string& path,
                                                 dnssec::Algorithm algorithm,
                                                 const PrivateFields& fields) {
  if (dnssec::IsRsa(algorithm)) return RsaFromFields(path, fields);
  absl::StatusOr<SecretBytes> raw = Base64Field(path, fields, "PrivateKey");
  if (!raw.ok()) return raw.status();
  switch (algorithm) {
    case dnssec::Algorithm::kEcdsaP256Sha256:
    case dnssec::Algorithm::kEcdsaP384Sha384:
      return EcFromScalar(path, *raw, *dnssec::SpecOf(algorithm));
    case dnssec::Algorithm::kEd25519:
    case dnssec::Algorithm::kEd448: {
      const bool ed25519 = algorithm == dnssec::Algorithm::kEd25519;
      const size_t expected = dnssec::SpecOf(algorithm)->component_size;
      if (raw->size() != expected) {
        return FileError(path, absl::StrCat("PrivateKey has ", raw->size(),
                                            " bytes, expected ", expected));
      }
      dnssec::EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(
          ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448, nullptr, raw->data(),
          raw->size()));
      if (pkey == nullptr) {
        dnssec::ClearOpensslErrors();
        return FileError(path, "not a valid EdDSA private key");
      }
      return pkey;
    }
    default:
      return FileError(path, absl::StrCat("unsupported algorithm ",
                                          dnssec::AlgorithmName(algorithm)));
  }
}

struct PublicKeyFile {
  std::string zone;
  std::vector<uint8_t> rdata;
};

// Reads the single DNSKEY record of a .key file (comments, $TTL, $ORIGIN,
// TTL and class variations are ldns's business).
absl::StatusOr<PublicKeyFile> ReadKeyFile(const std::string& path) {
  absl::StatusOr<int> fd = OpenRegularFile(path);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<FILE, FileCloser> fp(fdopen(*fd, "re"));
  if (fp == nullptr) {
    close(*fd);
    return FileError(path, "cannot open");
  }
  uint32_t default_ttl = 3600;
  ldns_rdf* origin_raw = nullptr;
  ldns_rdf* prev_raw = nullptr;
  int line_number = 1;
  dnssec::LdnsRrPtr dnskey;
  absl::Status status = absl::OkStatus();
  while (status.ok() && !feof(fp.get())) {
    ldns_rr* rr_raw = nullptr;
    const ldns_status s = ldns_rr_new_frm_fp_l(
        &rr_raw, fp.get(), &default_ttl, &origin_raw, &prev_raw, &line_number);
    dnssec::LdnsRrPtr rr(rr_raw);
    if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
        s == LDNS_STATUS_SYNTAX_ORIGIN) {
      continue;
    }
    if (s != LDNS_STATUS_OK) {
      if (feof(fp.get())) break;  // trailing comment or blank line
      status = FileError(path, absl::StrCat("line ", line_number, ": ",
                                            ldns_get_errorstr_by_id(s)));
      break;
    }
    if (ldns_rr_get_type(rr.get()) != LDNS_RR_TYPE_DNSKEY) {
      status = FileError(
          path, absl::StrCat("line ", line_number, ": not a DNSKEY record"));
    } else if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN) {
      status = FileError(path, "DNSKEY record is not in class IN");
    } else if (dnskey != nullptr) {
      status = FileError(path, "more than one DNSKEY record");
    } else {
      dnskey = std::move(rr);
    }
  }
  ldns_rdf_deep_free(origin_raw);
  ldns_rdf_deep_free(prev_raw);
  if (!status.ok()) return status;
  if (dnskey == nullptr) return FileError(path, "no DNSKEY record");

  dnssec::LdnsBufferPtr buffer(ldns_buffer_new(4096));
  if (buffer == nullptr ||
      ldns_rr_rdata2buffer_wire(buffer.get(), dnskey.get()) != LDNS_STATUS_OK) {
    return FileError(path, "cannot encode the DNSKEY RDATA");
  }
  PublicKeyFile out;
  const uint8_t* begin = ldns_buffer_begin(buffer.get());
  out.rdata.assign(begin, begin + ldns_buffer_position(buffer.get()));
  dnssec::LdnsStringPtr owner(ldns_rdf2str(ldns_rr_owner(dnskey.get())));
  if (owner == nullptr) return FileError(path, "cannot read the owner name");
  absl::StatusOr<std::string> zone = dnssec::NormalizeZoneName(owner.get());
  if (!zone.ok()) return FileError(path, zone.status().message());
  out.zone = *std::move(zone);
  if (out.rdata.size() <= 4 || out.rdata[2] != 3) {
    return FileError(path, "malformed DNSKEY RDATA");
  }
  return out;
}

}  // namespace

absl::StatusOr<BindKeyPair> ReadBindKeyPair(const std::string& base_in) {
  std::string base = base_in;
  if (absl::EndsWith(base, ".key")) {
    base.resize(base.size() - 4);
  } else if (absl::EndsWith(base, ".private")) {
    base.resize(base.size() - 8);
  }
  const std::string key_path = base + ".key";
  const std::string private_path = base + ".private";

  absl::StatusOr<PublicKeyFile> pub = ReadKeyFile(key_path);
  if (!pub.ok()) return pub.status();
  absl::StatusOr<dnssec::Algorithm> algorithm =
      dnssec::ParseAlgorithm(std::to_string(pub->rdata[3]));
  if (!algorithm.ok()) {
    return FileError(
        key_path, absl::StrCat("unsupported DNSSEC algorithm ", pub->rdata[3]));
  }

  absl::StatusOr<SecretBytes> data = ReadSecretFile(private_path);
  if (!data.ok()) return data.status();
  absl::StatusOr<PrivateFields> fields = ParsePrivateFile(private_path, *data);
  if (!fields.ok()) return fields.status();
  auto format = fields->find("Private-key-format");
  if (format == fields->end() || !absl::StartsWith(format->second, "v1.")) {
    return FileError(private_path,
                     "not a BIND private key file (no Private-key-format: "
                     "v1.x line)");
  }
  if (fields->count("Engine") != 0 || fields->count("Label") != 0) {
    return FileError(private_path,
                     "key lives in an HSM (Engine/Label); cannot import it");
  }
  auto alg_field = fields->find("Algorithm");
  int private_alg = -1;
  if (alg_field == fields->end() ||
      !absl::SimpleAtoi(
          alg_field->second.substr(0, alg_field->second.find(' ')),
          &private_alg)) {
    return FileError(private_path,
                     "missing or malformed dnssec::Algorithm field");
  }
  if (private_alg != pub->rdata[3]) {
    return FileError(
        private_path,
        absl::StrCat("algorithm ", private_alg,
                     " does not match the .key file's ", pub->rdata[3]));
  }

  absl::StatusOr<dnssec::EvpPkeyPtr> pkey =
      KeyFromFields(private_path, *algorithm, *fields);
  if (!pkey.ok()) return pkey.status();
  if (dnssec::IsRsa(*algorithm)) {
    if (absl::Status s = RsaSelfTest(pkey->get(), private_path); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<PrivateKey> key =
      PrivateKey::FromEvpPkey(*algorithm, *std::move(pkey));
  if (!key.ok()) return FileError(private_path, key.status().message());
  const std::vector<uint8_t> derived = key->DnskeyPublicKey();
  if (derived.size() != pub->rdata.size() - 4 ||
      !std::equal(derived.begin(), derived.end(), pub->rdata.begin() + 4)) {
    return FileError(private_path,
                     absl::StrCat("private key does not match the public key "
                                  "in ",
                                  key_path));
  }
  const uint16_t flags = (pub->rdata[0] << 8) | pub->rdata[1];
  const uint16_t key_tag = dnssec::KeyTag(pub->rdata);
  return BindKeyPair{pub->zone, flags, key_tag, std::move(pub->rdata),
                     *std::move(key)};
}

}  // namespace keystore
}  // namespace zonekeep
