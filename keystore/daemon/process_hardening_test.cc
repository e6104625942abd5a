#include "keystore/daemon/process_hardening.h"

#include <openssl/crypto.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

TEST(ProcessHardeningTest, CoreDumpsOffAndSecureHeapReady) {
  ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1) << "test starts dumpable";
  absl::StatusOr<Hardening> hardening = HardenProcess();
  ASSERT_TRUE(hardening.ok()) << hardening.status();
  EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
  rlimit core{};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &core), 0);
  EXPECT_EQ(core.rlim_cur, 0u);
  EXPECT_EQ(core.rlim_max, 0u);
  EXPECT_TRUE(CRYPTO_secure_malloc_initialized());
  EXPECT_THAT(hardening->summary, ::testing::HasSubstr("core dumps off"));
  EXPECT_THAT(hardening->summary, ::testing::HasSubstr("secure heap"));
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
