#include "tests/e2e/key_set_snapshot.h"

#include <regex>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dnssec/key_tag.h"

namespace zonekeep::testing {
namespace {

std::string Tags(const std::set<int>& tags) {
  return absl::StrCat("{", absl::StrJoin(tags, ","), "}");
}

std::string Keys(const std::set<std::pair<int, bool>>& keys) {
  std::vector<std::string> words;
  for (const auto& [tag, ksk] : keys) {
    words.push_back(absl::StrCat(tag, ksk ? "/KSK" : "/ZSK"));
  }
  return absl::StrCat("{", absl::StrJoin(words, ","), "}");
}

// Wire-form DNSKEY RDATA from its presentation words: flags, protocol,
// algorithm, then the base64 key (possibly split in several words).
absl::StatusOr<std::string> DnskeyRdata(const std::vector<std::string>& rdata) {
  uint32_t flags = 0, protocol = 0, algorithm = 0;
  if (rdata.size() < 4 || !absl::SimpleAtoi(rdata[0], &flags) ||
      !absl::SimpleAtoi(rdata[1], &protocol) ||
      !absl::SimpleAtoi(rdata[2], &algorithm)) {
    return absl::InvalidArgumentError("malformed DNSKEY");
  }
  std::string base64;
  for (size_t i = 3; i < rdata.size(); ++i) base64 += rdata[i];
  std::string key;
  if (!absl::Base64Unescape(base64, &key)) {
    return absl::InvalidArgumentError("DNSKEY key is not base64");
  }
  std::string wire;
  wire += static_cast<char>(flags >> 8);
  wire += static_cast<char>(flags & 0xff);
  wire += static_cast<char>(protocol);
  wire += static_cast<char>(algorithm);
  return wire + key;
}

}  // namespace

std::string KeySetSnapshot::ToString() const {
  return absl::StrCat("live ", Keys(live), " active KSK ", Tags(active_ksks),
                      " active ZSK ", Tags(active_zsks));
}

absl::StatusOr<KeySetSnapshot> ParseListJson(const std::string& json) {
  const size_t keys_at = json.find("\"keys\"");
  if (keys_at == std::string::npos) {
    return absl::InvalidArgumentError("no \"keys\" in list --json output");
  }
  KeySetSnapshot snapshot;
  static const std::regex object("\\{[^{}]*\\}");
  static const std::regex tag("\"key_tag\":(\\d+)");
  static const std::regex role("\"role\":\"(KSK|ZSK)\"");
  static const std::regex state("\"state\":\"(\\w+)\"");
  const std::string keys = json.substr(keys_at);
  for (std::sregex_iterator it(keys.begin(), keys.end(), object), end;
       it != end; ++it) {
    const std::string item = it->str();
    std::smatch t, r, s;
    if (!std::regex_search(item, t, tag) || !std::regex_search(item, r, role) ||
        !std::regex_search(item, s, state)) {
      return absl::InvalidArgumentError(absl::StrCat("malformed key ", item));
    }
    const int key_tag = std::stoi(t[1]);
    const bool ksk = r[1] == "KSK";
    if (s[1] == "expired") continue;
    snapshot.live.insert({key_tag, ksk});
    if (s[1] == "active") {
      (ksk ? snapshot.active_ksks : snapshot.active_zsks).insert(key_tag);
    }
  }
  if (snapshot.live.empty()) {
    return absl::InvalidArgumentError("list --json shows no live key");
  }
  return snapshot;
}

absl::StatusOr<SignedKeyUse> ParseSignedZone(const std::string& zone_text) {
  SignedKeyUse use;
  std::istringstream lines(zone_text);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    if (line.empty() || line[0] == ';' || line[0] == '$') continue;
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    // owner TTL IN TYPE RDATA...
    size_t in_at = 1;
    while (in_at < words.size() && words[in_at] != "IN") ++in_at;
    if (in_at + 1 >= words.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": not owner TTL IN TYPE RDATA"));
    }
    const std::string& type = words[in_at + 1];
    const std::vector<std::string> rdata(words.begin() + in_at + 2,
                                         words.end());
    if (type == "DNSKEY") {
      absl::StatusOr<std::string> wire = DnskeyRdata(rdata);
      if (!wire.ok()) return wire.status();
      const bool ksk = (static_cast<uint8_t>((*wire)[1]) & 1) != 0;
      use.dnskeys.insert({dnssec::KeyTag(*wire), ksk});
    } else if (type == "RRSIG") {
      int tag = 0;
      if (rdata.size() < 8 || !absl::SimpleAtoi(rdata[6], &tag)) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_number, ": malformed RRSIG"));
      }
      if (rdata[0] == "DNSKEY") {
        use.dnskey_signers.insert(tag);
      } else {
        use.rrset_signers[absl::StrCat(words[0], " ", rdata[0])].insert(tag);
      }
    }
  }
  if (use.dnskeys.empty()) {
    return absl::InvalidArgumentError("the zone has no DNSKEY RRset");
  }
  return use;
}

std::string Mismatch(const SignedKeyUse& use, const KeySetSnapshot& snapshot) {
  if (use.dnskeys != snapshot.live) {
    return absl::StrCat("DNSKEY RRset ", Keys(use.dnskeys), " is not ",
                        Keys(snapshot.live));
  }
  if (use.dnskey_signers != snapshot.active_ksks) {
    return absl::StrCat("DNSKEY signed by ", Tags(use.dnskey_signers),
                        ", not by the active KSKs ",
                        Tags(snapshot.active_ksks));
  }
  if (use.rrset_signers.empty()) return "no RRset other than DNSKEY is signed";
  for (const auto& [rrset, tags] : use.rrset_signers) {
    if (tags != snapshot.active_zsks) {
      return absl::StrCat(rrset, " signed by ", Tags(tags),
                          ", not by the active ZSKs ",
                          Tags(snapshot.active_zsks));
    }
  }
  return "";
}

int MatchingSnapshot(const SignedKeyUse& use,
                     const std::vector<KeySetSnapshot>& snapshots) {
  for (size_t i = 0; i < snapshots.size(); ++i) {
    if (Mismatch(use, snapshots[i]).empty()) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace zonekeep::testing
