#include "tests/nft_ruleset.h"

#include <algorithm>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace zonekeep::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

std::string Scalar(const Value& v) {
  if (v.has_string_value()) return v.string_value();
  if (v.has_number_value()) {
    return std::to_string(static_cast<long long>(v.number_value()));
  }
  return "?";
}

// "payload {protocol: tcp, field: dport}" -> "tcp dport"; "ct {key: state}"
// -> "ct state"; "meta {key: iif}" -> "meta iif".
std::string LeftName(const Value& left) {
  const auto& f = left.struct_value().fields();
  if (f.count("payload")) {
    const auto& p = f.at("payload").struct_value().fields();
    return Scalar(p.at("protocol")) + " " + Scalar(p.at("field"));
  }
  for (const char* kind : {"ct", "meta"}) {
    if (f.count(kind)) {
      const auto& k = f.at(kind).struct_value().fields();
      return std::string(kind) + " " + Scalar(k.at("key"));
    }
  }
  return "?";
}

// A right-hand side: a scalar, a list, {set: [...]} or {prefix: {addr, len}}.
void RightValues(const Value& right, std::vector<std::string>& out) {
  if (right.has_list_value()) {
    for (const Value& v : right.list_value().values()) RightValues(v, out);
    return;
  }
  if (right.has_struct_value()) {
    const auto& f = right.struct_value().fields();
    if (f.count("set")) return RightValues(f.at("set"), out);
    if (f.count("prefix")) {
      const auto& p = f.at("prefix").struct_value().fields();
      out.push_back(Scalar(p.at("addr")) + "/" + Scalar(p.at("len")));
      return;
    }
    out.push_back("?");
    return;
  }
  out.push_back(Scalar(right));
}

void AddRule(const Struct& rule, NftRuleset* out) {
  NftRule r;
  const auto& f = rule.fields();
  if (f.count("chain")) r.chain = Scalar(f.at("chain"));
  if (f.count("expr")) {
    for (const Value& e : f.at("expr").list_value().values()) {
      const auto& ef = e.struct_value().fields();
      if (ef.count("match")) {
        const auto& m = ef.at("match").struct_value().fields();
        NftMatch match;
        match.left = LeftName(m.at("left"));
        match.op = Scalar(m.at("op"));
        RightValues(m.at("right"), match.right);
        r.matches.push_back(match);
      }
      for (const char* verdict : {"accept", "drop", "reject", "jump", "goto"}) {
        if (ef.count(verdict)) r.verdict = verdict;
      }
    }
  }
  out->rules.push_back(r);
}

}  // namespace

std::vector<std::string> NftRule::Values(const std::string& left) const {
  for (const NftMatch& m : matches) {
    if (m.left == left) return m.right;
  }
  return {};
}

bool ParseNftJson(const std::string& json, NftRuleset* out,
                  std::string* error) {
  Struct root;
  if (!google::protobuf::util::JsonStringToMessage(json, &root).ok() ||
      !root.fields().count("nftables")) {
    *error = "not the JSON of nft -j: " + json.substr(0, 80);
    return false;
  }
  for (const Value& item : root.fields().at("nftables").list_value().values()) {
    const auto& f = item.struct_value().fields();
    if (f.count("chain")) {
      const auto& c = f.at("chain").struct_value().fields();
      NftChain chain;
      if (c.count("hook")) chain.hook = Scalar(c.at("hook"));
      if (c.count("policy")) chain.policy = Scalar(c.at("policy"));
      out->chains[Scalar(c.at("name"))] = chain;
    } else if (f.count("rule")) {
      AddRule(f.at("rule").struct_value(), out);
    }
  }
  return true;
}

}  // namespace zonekeep::testing
