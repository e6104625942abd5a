#include "dnssec/ldns_ptr.h"

#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// Including ldns through this header leaves C++'s bool alone and owns ldns
// objects (LeakSanitizer in the asan config would report a leak).
TEST(LdnsPtrTest, OwnsRecordsAndStrings) {
  static_assert(sizeof(bool) == 1 && true, "bool is C++'s");
  ldns_rr* raw = nullptr;
  ASSERT_EQ(ldns_rr_new_frm_str(&raw, "www.example. 300 IN A 192.0.2.1", 0,
                                nullptr, nullptr),
            LDNS_STATUS_OK);
  LdnsRrPtr rr(raw);
  LdnsStringPtr text(ldns_rr2str(rr.get()));
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(std::string(text.get()), "www.example.\t300\tIN\tA\t192.0.2.1\n");
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
