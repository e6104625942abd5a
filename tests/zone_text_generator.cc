#include "tests/zone_text_generator.h"

#include <random>

#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace interop {
namespace {

const std::string kHex32(64, 'a');
const std::string kHex48 = std::string(48, 'c') + std::string(48, '0');

}  // namespace

const char kGeneratedZoneHead[] =
    "$ORIGIN example.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster (\n"
    "        2026113001 ; serial\n"
    "        7200 3600 1209600 300 )\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n";

const std::vector<TypeForm>& ZoneTextForms() {
  static const auto* forms = new std::vector<TypeForm>{
      {"A", {"192.0.2.%", "\\# 4 c0000207"}},
      {"NS", {"ns%", "ns%.example.", "n\\@s%", "NS%.Other.NET."}},
      {"PTR", {"p%.example.", "p%", "p\\.q%"}},
      {"HINFO", {"\"PC\" \"Linux %\"", "PC Unix"}},
      {"MX", {"10 mail%", "( 20\n   mx% ) ; multi-line", "0 ."}},
      {"TXT",
       {"\"a b\" \"c\\\"d\" \"\\059x%\"", "plain%", "( \"one\"\n  \"two\" )",
        "\"\\000\\255\"", std::string("\"") + std::string(255, 'x') + "\"",
        "\"\""}},
      {"RP", {"mbox% txt%", "mbox%.example. ."}},
      {"AFSDB", {"1 afs%", "2 Afs%.example."}},
      {"X25", {"\"311061700956\""}},
      {"ISDN", {"\"150862028003217\" \"004\"", "\"150862028003217\""}},
      {"RT", {"10 rt%"}},
      {"PX", {"10 px% px2%"}},
      {"AAAA", {"2001:db8::%", "::ffff:192.0.2.1"}},
      {"LOC",
       {"52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
        "42 21 54 N 71 06 18 W -24m 30m"}},
      {"SRV", {"0 5 5060 sip%", "1 0 0 ."}},
      {"NAPTR",
       {"100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp%",
        "100 50 \"u\" \"E2U+sip\" \"!^.*$!sip:x@y!\" ."}},
      {"KX", {"10 kx%"}},
      {"CERT", {"PKIX 12345 RSASHA256 AQIDBA==", "1 0 0 AQID"}},
      {"APL",
       {"1:192.168.0.0/16 !2:2001:db8::/32", "1:10.0.0.0/8",
        "\\# 6 00011002c0a8"}},
      {"DS", {"12345 13 2 " + kHex32}},
      {"SSHFP", {"1 1 " + std::string(40, 'b'), "4 2 " + kHex32}},
      {"IPSECKEY",
       {"10 3 2 gw% AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
        "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
        "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="}},
      {"DHCID", {"AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="}},
      {"TLSA", {"3 1 1 " + kHex32}},
      {"SMIMEA", {"3 1 1 " + kHex32}},
      {"CDS", {"12345 13 2 " + kHex32}},
      {"CDNSKEY",
       {"257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
        "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="}},
      {"OPENPGPKEY", {"AQIDBAUGBwgJ"}},
      {"CSYNC", {"1 3 A NS AAAA", "2 0 MX"}},
      {"ZONEMD", {"2026113001 1 1 " + kHex48}},
      {"SVCB",
       {"1 svc% alpn=h2,h3 port=8443", "1 . alpn=h2\\,h3",
        "2 svc%.example. alpn=\"h2,h3\" ipv4hint=192.0.2.1", "0 target%"}},
      {"HTTPS",
       {"1 . alpn=h2 ipv6hint=2001:db8::1", "1 . mandatory=alpn alpn=h3"}},
      {"SPF", {"\"v=spf1 -all\""}},
      {"EUI48", {"00-00-5e-00-53-2a"}},
      {"EUI64", {"00-00-5e-ef-10-00-00-2a"}},
      {"URI", {"10 1 \"ftp://ftp%.example.com/public\""}},
      {"CAA", {"0 issue \"ca.example.net\"", "128 tbs \"x%\"", "0 issue \"\""}},
      {"TYPE65000", {"\\# 3 010203", "\\# 0"}},
      {"TYPE65534", {"\\# 2 abcd"}},
  };
  return *forms;
}

namespace {

// Writes zones from one seed: records of every form, under owners of every
// kind, with TTL/class in both orders and directives in between.
class ZoneGenerator {
 public:
  ZoneGenerator(uint32_t seed, const std::set<std::string>& skip_types)
      : rng_(seed) {
    for (const TypeForm& form : ZoneTextForms()) {
      if (skip_types.count(form.type) == 0) forms_.push_back(&form);
    }
  }

  std::string Zone(int records) {
    std::string text = kGeneratedZoneHead;
    for (int i = 0; i < records; ++i) {
      switch (Below(40)) {
        case 0:
          absl::StrAppend(&text, "$TTL ", Pick({"0", "60", "1h", "1d2h"}),
                          "\n");
          break;
        case 1:
          absl::StrAppend(&text, "$ORIGIN sub", i, "\n");
          in_sub_ = true;
          break;
        case 2:
          absl::StrAppend(&text, "$ORIGIN example.\n");
          in_sub_ = false;
          break;
        case 3:
          absl::StrAppend(&text, "; comment with \"quote and ( paren\n\n");
          break;
        default:
          break;
      }
      absl::StrAppend(&text, Record(i));
    }
    return text;
  }

 private:
  std::string Record(int i) {
    const TypeForm& form = *forms_[Below(static_cast<int>(forms_.size()))];
    std::string rdata = form.rdata[Below(static_cast<int>(form.rdata.size()))];
    for (size_t p; (p = rdata.find('%')) != std::string::npos;) {
      rdata.replace(p, 1, std::to_string(i));
    }
    const std::string ttl_class =
        Pick({"", "", "300 ", "IN ", "600 IN ", "IN 600 ", "0 ", "1h30m ",
              "2147483648 ", "in 86400 "});
    return absl::StrCat(Owner(i), " ", ttl_class, form.type, " ", rdata, "\n");
  }

  // A fresh owner each time (CNAME-free, so no owner conflicts); NS owners
  // are never wildcards since BIND refuses those.
  std::string Owner(int i) {
    switch (Below(7)) {
      case 0:
        return absl::StrCat("h", i, ".example.");
      case 1:
        return absl::StrCat("h\\@", i);
      case 2:
        return absl::StrCat("h\\.x", i);
      case 3:
        return absl::StrCat("H\\065", i, ".Deep");
      case 4:
        return absl::StrCat("_t", i, "._tcp");
      default:
        return absl::StrCat("h", i);
    }
  }

  int Below(int n) { return static_cast<int>(rng_() % n); }
  const char* Pick(std::initializer_list<const char*> choices) {
    return choices.begin()[Below(static_cast<int>(choices.size()))];
  }

  std::mt19937 rng_;
  std::vector<const TypeForm*> forms_;
  bool in_sub_ = false;
};

}  // namespace

std::string GenerateZoneText(uint32_t seed, int records,
                             const std::set<std::string>& skip_types) {
  return ZoneGenerator(seed, skip_types).Zone(records);
}

}  // namespace interop
}  // namespace zonekeep
