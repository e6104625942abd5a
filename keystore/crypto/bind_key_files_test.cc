// Interop tests: keys made at test time by dnssec-keygen (BIND 9.18) and
// ldns-keygen are imported with ReadBindKeyPair; key tags, DNSKEY text and DS
// records are compared with what dnssec-dsfromkey and ldns-key2ds print.
#include "keystore/crypto/bind_key_files.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "dnssec/digest_type.h"
#include "dnssec/dnskey.h"
#include "dnssec/ds.h"
#include "dnssec/key_tag.h"
#include "dnssec/ldns_ptr.h"
#include "dnssec/test_verify.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystore {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with sh; stderr goes to the output too unless `quiet_stderr`
// (dnssec-dsfromkey warns about SHA-1 on stderr).
CommandResult RunCommand(const std::string& command,
                         bool quiet_stderr = false) {
  CommandResult result;
  FILE* pipe =
      popen((command + (quiet_stderr ? " 2>/dev/null" : " 2>&1")).c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Absolute path of a tool, or "" if it is not installed.
std::string FindTool(const std::string& name) {
  CommandResult r = RunCommand("command -v " + name);
  std::string path(absl::StripAsciiWhitespace(r.output));
  if (r.exit_code == 0 && !path.empty() && path[0] == '/') return path;
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
    const std::string candidate = dir + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string LastLine(const std::string& text) {
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipWhitespace());
  return lines.empty() ? ""
                       : std::string(absl::StripAsciiWhitespace(lines.back()));
}

std::string CollapseWhitespace(const std::string& text) {
  std::vector<std::string> fields =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(fields, " ");
}

std::string MakeTempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/bindkeyXXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr char kZone[] = "zk-test.example";

struct GenCase {
  const char* tool;  // "dnssec-keygen" or "ldns-keygen"
  const char* algorithm;
  int bits;  // 0: fixed size
  bool ksk;
  int number;   // DNSSEC algorithm number
  bool legacy;  // skip cleanly if the tool refuses it
};

// Generates a key pair; returns the path without extension, "" on failure
// (with `why` set).
std::string Generate(const GenCase& c, const std::string& dir,
                     std::string* why) {
  const std::string tool = FindTool(c.tool);
  if (tool.empty()) {
    *why = absl::StrCat(c.tool, " is not installed");
    return "";
  }
  std::string command;
  if (absl::StrContains(c.tool, "dnssec")) {
    command = absl::StrCat(tool, " -q -K ", dir, " -a ", c.algorithm,
                           c.bits ? absl::StrCat(" -b ", c.bits) : "",
                           c.ksk ? " -f KSK" : "", " -n ZONE ", kZone);
  } else {
    command = absl::StrCat("cd ", dir, " && ", tool, " -a ", c.algorithm,
                           c.bits ? absl::StrCat(" -b ", c.bits) : "",
                           c.ksk ? " -k" : "", " ", kZone);
  }
  CommandResult r = RunCommand(command);
  const std::string base = LastLine(r.output);
  if (r.exit_code != 0 || !absl::StartsWith(base, "K")) {
    *why = absl::StrCat(command, " failed: ", r.output);
    return "";
  }
  return dir + "/" + base;
}

// Tag from "K<zone>+<alg>+<tag>".
int TagFromName(const std::string& base) {
  int tag = -1;
  const size_t plus = base.rfind('+');
  if (plus == std::string::npos ||
      !absl::SimpleAtoi(base.substr(plus + 1), &tag)) {
    return -1;
  }
  return tag;
}

class BindKeyFilesTest : public ::testing::TestWithParam<GenCase> {};

TEST_P(BindKeyFilesTest, ImportMatchesBindAndLdnsTools) {
  const GenCase& c = GetParam();
  const std::string dir = MakeTempDir();
  ASSERT_FALSE(dir.empty());
  std::string why;
  const std::string base = Generate(c, dir, &why);
  if (base.empty()) {
    if (c.legacy && absl::StrContains(why, "failed")) {
      GTEST_SKIP() << "tool refuses legacy algorithm: " << why;
    }
    FAIL() << why;
  }

  absl::StatusOr<BindKeyPair> pair = ReadBindKeyPair(base);
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->zone, absl::StrCat(kZone, "."));
  EXPECT_EQ(pair->flags, c.ksk ? dnssec::kKskFlags : dnssec::kZskFlags);
  EXPECT_EQ(pair->key_tag, TagFromName(base));
  EXPECT_EQ(pair->key_tag, dnssec::KeyTag(pair->dnskey_rdata));
  EXPECT_EQ(static_cast<int>(pair->key.algorithm()), c.number);
  EXPECT_EQ(pair->dnskey_rdata[3], c.number);
  if (c.bits != 0) {
    EXPECT_EQ(pair->key.bits(), c.bits);
  }

  // ".key" / ".private" suffixes are accepted too.
  for (const char* suffix : {".key", ".private"}) {
    absl::StatusOr<BindKeyPair> again = ReadBindKeyPair(base + suffix);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->dnskey_rdata, pair->dnskey_rdata);
  }

  // The imported private key signs, verifiably, for the DNSKEY in the file.
  const std::vector<uint8_t> pub(pair->dnskey_rdata.begin() + 4,
                                 pair->dnskey_rdata.end());
  const std::vector<uint8_t> data = {'s', 'i', 'g', 'n', 'e', 'd'};
  absl::StatusOr<std::vector<uint8_t>> sig = pair->key.Sign(data);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_TRUE(dnssec::VerifyDnssec(pair->key.algorithm(), pub, data, *sig));

  // DS records: dnssec-dsfromkey's exact line, and ldns-key2ds's fields.
  const std::string dsfromkey = FindTool("dnssec-dsfromkey");
  const std::string key2ds = FindTool("ldns-key2ds");
  ASSERT_FALSE(dsfromkey.empty());
  struct Digest {
    dnssec::DigestType type;
    const char* bind_name;
    const char* ldns_flag;
  };
  for (const Digest& d :
       {Digest{dnssec::DigestType::kSha1, "SHA-1", "-1"},
        Digest{dnssec::DigestType::kSha256, "SHA-256", "-2"},
        Digest{dnssec::DigestType::kSha384, "SHA-384", "-4"}}) {
    absl::StatusOr<std::string> ours =
        dnssec::FormatDsRecord(pair->zone, 3600, pair->dnskey_rdata, d.type);
    ASSERT_TRUE(ours.ok()) << ours.status();
    EXPECT_THAT(*ours, Not(HasSubstr("\n")));
    const CommandResult bind = RunCommand(
        absl::StrCat(dsfromkey, " -T 3600 -a ", d.bind_name, " ", base, ".key"),
        /*quiet_stderr=*/true);
    ASSERT_EQ(bind.exit_code, 0) << bind.output;
    EXPECT_EQ(*ours, CollapseWhitespace(bind.output)) << d.bind_name;
    if (!key2ds.empty()) {
      const CommandResult ldns = RunCommand(
          absl::StrCat(key2ds, " -f -n ", d.ldns_flag, " ", base, ".key"),
          /*quiet_stderr=*/true);
      ASSERT_EQ(ldns.exit_code, 0) << ldns.output;
      EXPECT_EQ(
          absl::AsciiStrToUpper(*ours),
          absl::AsciiStrToUpper(CollapseWhitespace(LastLine(ldns.output))))
          << d.ldns_flag;
    }
  }

  // DNSKEY text: one line, base64 without spaces, parses back to the RDATA.
  absl::StatusOr<std::string> text =
      dnssec::FormatDnskeyRecord(pair->zone, 3600, pair->dnskey_rdata);
  ASSERT_TRUE(text.ok()) << text.status();
  std::vector<std::string> fields = absl::StrSplit(*text, ' ');
  ASSERT_EQ(fields.size(), 8u) << *text;
  EXPECT_EQ(fields[3], "DNSKEY");
  ldns_rr* rr = nullptr;
  ASSERT_EQ(ldns_rr_new_frm_str(&rr, text->c_str(), 0, nullptr, nullptr),
            LDNS_STATUS_OK);
  ldns_buffer* buffer = ldns_buffer_new(4096);
  ASSERT_EQ(ldns_rr_rdata2buffer_wire(buffer, rr), LDNS_STATUS_OK);
  const std::vector<uint8_t> parsed(
      ldns_buffer_begin(buffer),
      ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
  EXPECT_EQ(parsed, pair->dnskey_rdata);
  EXPECT_EQ(ldns_rr_ttl(rr), 3600u);
  ldns_buffer_free(buffer);
  ldns_rr_free(rr);
  // Same key text as the tool wrote (base64 joined).
  const std::string key_file = ReadFile(base + ".key");
  EXPECT_NE(CollapseWhitespace(key_file).find(fields[7].substr(0, 20)),
            std::string::npos);
}

const GenCase kGenCases[] = {
    {"dnssec-keygen", "RSASHA256", 2048, true, 8, false},
    {"dnssec-keygen", "RSASHA512", 2048, false, 10, false},
    {"dnssec-keygen", "ECDSAP256SHA256", 0, true, 13, false},
    {"dnssec-keygen", "ECDSAP256SHA256", 0, false, 13, false},
    {"dnssec-keygen", "ECDSAP384SHA384", 0, true, 14, false},
    {"dnssec-keygen", "ED25519", 0, false, 15, false},
    {"dnssec-keygen", "ED448", 0, true, 16, false},
    {"dnssec-keygen", "RSASHA1", 1024, false, 5, true},
    {"dnssec-keygen", "NSEC3RSASHA1", 1024, true, 7, true},
    {"ldns-keygen", "RSASHA256", 1024, false, 8, false},
    {"ldns-keygen", "RSASHA512", 1024, true, 10, false},
    {"ldns-keygen", "ECDSAP256SHA256", 0, true, 13, false},
    {"ldns-keygen", "ECDSAP384SHA384", 0, false, 14, false},
    {"ldns-keygen", "ED25519", 0, true, 15, false},
    {"ldns-keygen", "ED448", 0, false, 16, false},
    {"ldns-keygen", "RSASHA1", 1024, false, 5, true},
    {"ldns-keygen", "RSASHA1-NSEC3-SHA1", 1024, true, 7, true},
};

INSTANTIATE_TEST_SUITE_P(
    Tools, BindKeyFilesTest, ::testing::ValuesIn(kGenCases),
    [](const ::testing::TestParamInfo<GenCase>& info) {
      std::string name = absl::StrCat(
          absl::StartsWith(info.param.tool, "dnssec") ? "Bind_" : "Ldns_",
          info.param.algorithm, info.param.ksk ? "_KSK" : "_ZSK");
      for (char& ch : name) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

class BindKeyFilesErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
  }
  std::string Make(const char* tool, const char* algorithm, int bits) {
    std::string why;
    const std::string base =
        Generate(GenCase{tool, algorithm, bits, false, 0, false}, dir_, &why);
    EXPECT_FALSE(base.empty()) << why;
    return base;
  }
  // Writes `key_text` / `private_text` as a new pair; returns its base.
  std::string Pair(const std::string& name, const std::string& key_text,
                   const std::string& private_text) {
    const std::string base = dir_ + "/" + name;
    WriteFile(base + ".key", key_text);
    WriteFile(base + ".private", private_text);
    return base;
  }
  std::string dir_;
};

TEST_F(BindKeyFilesErrorTest, MissingFilesAreNamed) {
  const std::string base = dir_ + "/Kmissing.example.+013+00001";
  absl::StatusOr<BindKeyPair> pair = ReadBindKeyPair(base);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(pair.status().message(), HasSubstr(base + ".key"));

  const std::string real = Make("dnssec-keygen", "ECDSAP256SHA256", 0);
  ASSERT_FALSE(real.empty());
  const std::string only_key = Pair("Konly", ReadFile(real + ".key"), "");
  ASSERT_EQ(unlink((only_key + ".private").c_str()), 0);
  pair = ReadBindKeyPair(only_key);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr(only_key + ".private"));
}

TEST_F(BindKeyFilesErrorTest, MismatchedPairIsRefused) {
  for (const char* algorithm : {"ECDSAP256SHA256", "ED25519", "RSASHA256"}) {
    const int bits = absl::StrContains(algorithm, "RSA") ? 1024 : 0;
    const std::string a = Make("ldns-keygen", algorithm, bits);
    const std::string b = Make("ldns-keygen", algorithm, bits);
    ASSERT_FALSE(a.empty() || b.empty());
    const std::string mixed =
        Pair(absl::StrCat("Kmixed", algorithm), ReadFile(a + ".key"),
             ReadFile(b + ".private"));
    absl::StatusOr<BindKeyPair> pair = ReadBindKeyPair(mixed);
    ASSERT_FALSE(pair.ok()) << algorithm;
    EXPECT_THAT(pair.status().message(), HasSubstr("does not match"));
    EXPECT_THAT(pair.status().message(), HasSubstr(mixed + ".private"));
    // Sanity: each real pair imports.
    EXPECT_TRUE(ReadBindKeyPair(a).ok());
  }
}

TEST_F(BindKeyFilesErrorTest, AlgorithmMismatchIsRefused) {
  const std::string ec = Make("dnssec-keygen", "ECDSAP256SHA256", 0);
  const std::string ed = Make("dnssec-keygen", "ED25519", 0);
  ASSERT_FALSE(ec.empty() || ed.empty());
  const std::string mixed =
      Pair("Kalg", ReadFile(ec + ".key"), ReadFile(ed + ".private"));
  absl::StatusOr<BindKeyPair> pair = ReadBindKeyPair(mixed);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("algorithm"));
}

TEST_F(BindKeyFilesErrorTest, GarbageIsRefusedWithoutKeyBytes) {
  const std::string real = Make("dnssec-keygen", "ECDSAP256SHA256", 0);
  ASSERT_FALSE(real.empty());
  const std::string key_text = ReadFile(real + ".key");
  const std::string private_text = ReadFile(real + ".private");

  absl::StatusOr<BindKeyPair> pair =
      ReadBindKeyPair(Pair("Kgarbage1", "this is not a key\n", private_text));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Kgarbage1.key"));

  pair = ReadBindKeyPair(
      Pair("Kgarbage2", "example. IN A 192.0.2.1\n", private_text));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("not a DNSKEY"));

  pair = ReadBindKeyPair(Pair("Kgarbage3", key_text, "hello world\n"));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Kgarbage3.private"));

  // No format line.
  std::string no_format = private_text;
  no_format.replace(0, no_format.find('\n') + 1, "");
  pair = ReadBindKeyPair(Pair("Kgarbage4", key_text, no_format));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Private-key-format"));

  // Broken base64 in the key field, and a truncated key.
  const size_t field = private_text.find("PrivateKey: ");
  ASSERT_NE(field, std::string::npos);
  const size_t value = field + 12;
  const size_t end = private_text.find('\n', value);
  const std::string secret = private_text.substr(value, end - value);
  std::string bad64 = private_text;
  bad64[value + 3] = '!';
  pair = ReadBindKeyPair(Pair("Kgarbage5", key_text, bad64));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("base64"));
  EXPECT_THAT(pair.status().message(), Not(HasSubstr(secret.substr(5, 10))));
  std::string shorter = private_text;
  shorter.replace(value, end - value, secret.substr(0, 8));
  pair = ReadBindKeyPair(Pair("Kgarbage6", key_text, shorter));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), Not(HasSubstr(secret.substr(0, 8))));

  // Scalars no P-256 key can have: 0, the group order n, and 2^256 - 1
  // (> n). Made here from the curve, never stored in the repository.
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  ASSERT_NE(group, nullptr);
  std::string order(32, '\0');
  ASSERT_EQ(BN_bn2binpad(EC_GROUP_get0_order(group),
                         reinterpret_cast<unsigned char*>(order.data()), 32),
            32);
  EC_GROUP_free(group);
  int n = 0;
  for (const std::string& scalar :
       {std::string(32, '\0'), order, std::string(32, '\xff')}) {
    std::string invalid = private_text;
    invalid.replace(value, end - value, absl::Base64Escape(scalar));
    const std::string name = absl::StrCat("Kscalar", n++);
    pair = ReadBindKeyPair(Pair(name, key_text, invalid));
    ASSERT_FALSE(pair.ok()) << name;
    EXPECT_THAT(pair.status().message(), HasSubstr(name + ".private"));
  }

  // Two DNSKEY records in the .key file (the same one twice), and an
  // algorithm this importer does not know (253, PRIVATEDNS) in both files.
  pair = ReadBindKeyPair(Pair("Ktwo", key_text + key_text, private_text));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Ktwo.key"));
  std::string unknown_key = key_text;
  const size_t algorithm = unknown_key.find(" 3 13 ");
  ASSERT_NE(algorithm, std::string::npos);
  unknown_key.replace(algorithm, 6, " 3 253 ");
  std::string unknown_private = private_text;
  const size_t algorithm_line = unknown_private.find("Algorithm: 13 ");
  ASSERT_NE(algorithm_line, std::string::npos);
  unknown_private.replace(
      algorithm_line,
      unknown_private.find('\n', algorithm_line) - algorithm_line,
      "Algorithm: 253 (PRIVATEDNS)");
  pair = ReadBindKeyPair(Pair("Kunknown", unknown_key, unknown_private));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Kunknown"));
  EXPECT_THAT(pair.status().message(), Not(HasSubstr(secret.substr(5, 10))));

  // Empty files.
  pair = ReadBindKeyPair(Pair("Kempty", "", ""));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("Kempty.key"));
}

TEST_F(BindKeyFilesErrorTest, InconsistentRsaFieldsAreRefused) {
  const std::string a = Make("ldns-keygen", "RSASHA256", 1024);
  const std::string b = Make("ldns-keygen", "RSASHA256", 1024);
  ASSERT_FALSE(a.empty() || b.empty());
  // a's public half with b's private exponent.
  std::string text_a = ReadFile(a + ".private");
  const std::string text_b = ReadFile(b + ".private");
  auto line = [](const std::string& text, const std::string& name) {
    const size_t start = text.find(name + ": ");
    return text.substr(start, text.find('\n', start) - start);
  };
  const std::string d_a = line(text_a, "PrivateExponent");
  text_a.replace(text_a.find(d_a), d_a.size(), line(text_b, "PrivateExponent"));
  absl::StatusOr<BindKeyPair> pair =
      ReadBindKeyPair(Pair("Krsa", ReadFile(a + ".key"), text_a));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("inconsistent"));

  // Without CRT fields, a wrong exponent is still caught.
  std::string no_crt;
  for (absl::string_view l : absl::StrSplit(text_a, '\n')) {
    if (absl::StartsWith(l, "Prime") || absl::StartsWith(l, "Exponent") ||
        absl::StartsWith(l, "Coefficient")) {
      continue;
    }
    absl::StrAppend(&no_crt, l, "\n");
  }
  pair = ReadBindKeyPair(Pair("Krsa2", ReadFile(a + ".key"), no_crt));
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(pair.status().message(), HasSubstr("inconsistent"));
}

TEST_F(BindKeyFilesErrorTest, KeyFileVariationsAreAccepted) {
  const std::string real = Make("dnssec-keygen", "ED25519", 0);
  ASSERT_FALSE(real.empty());
  absl::StatusOr<BindKeyPair> reference = ReadBindKeyPair(real);
  ASSERT_TRUE(reference.ok()) << reference.status();
  const std::string private_text = ReadFile(real + ".private");
  absl::StatusOr<std::string> record = dnssec::FormatDnskeyRecord(
      "ZK-Test.Example.", 86400, reference->dnskey_rdata);
  ASSERT_TRUE(record.ok());
  // Comments, $TTL, no TTL, no class, upper-case owner, trailing comment.
  const std::string rdata_text = record->substr(record->find("DNSKEY"));
  for (const std::string& key_text :
       {"; comment\n;another\n" + *record + " ; trailing\n",
        "$TTL 300\nzk-test.example. " + rdata_text + "\n",
        "$ORIGIN example.\nzk-test IN " + rdata_text + "\n\n; end\n"}) {
    absl::StatusOr<BindKeyPair> pair =
        ReadBindKeyPair(Pair("Kvariant", key_text, private_text));
    ASSERT_TRUE(pair.ok()) << pair.status() << "\n" << key_text;
    EXPECT_EQ(pair->zone, "zk-test.example.");
    EXPECT_EQ(pair->dnskey_rdata, reference->dnskey_rdata);
  }
}

}  // namespace
}  // namespace keystore
}  // namespace zonekeep
