// Test support: the ruleset `nft -j list ruleset` prints, flattened to what
// tests/deploy_firewall_test.cc asserts on: each chain's hook and policy, and
// each rule as its matches ("tcp dport" in {22, 8053}) and its verdict.
//
// Thread-safety: plain values.
#ifndef ZONEKEEP_TESTS_NFT_RULESET_H_
#define ZONEKEEP_TESTS_NFT_RULESET_H_

#include <map>
#include <string>
#include <vector>

namespace zonekeep::testing {

struct NftMatch {
  std::string left;                // "tcp dport", "ct state", "meta iif", ...
  std::string op;                  // "==", "!=", "in"
  std::vector<std::string> right;  // "22", "@mgmt4", "invalid", "fe80::/10"
};

struct NftRule {
  std::string chain;
  std::vector<NftMatch> matches;
  std::string verdict;  // "accept", "drop", ... or "" (none)
  // The values of the match on `left`, or empty if the rule has none.
  std::vector<std::string> Values(const std::string& left) const;
};

struct NftChain {
  std::string hook;    // "input", "forward", "output" ("" for a plain chain)
  std::string policy;  // "accept" or "drop"
};

struct NftRuleset {
  std::map<std::string, NftChain> chains;  // by name
  std::vector<NftRule> rules;              // in order
};

// Parses the JSON of `nft -j list ruleset`; false (and *error) on text that
// is not that JSON.
bool ParseNftJson(const std::string& json, NftRuleset* out, std::string* error);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_NFT_RULESET_H_
