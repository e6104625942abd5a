#include "dnssec/openssl_ptr.h"

#include <utility>

#include "gtest/gtest.h"

namespace zonekeep {
namespace dnssec {
namespace {

// The owning pointers free what they own (LeakSanitizer in the asan config
// would report a leak) and move like unique_ptr.
TEST(OpensslPtrTest, OwnsAndMoves) {
  BignumPtr secret(BN_new());
  ASSERT_NE(secret, nullptr);
  ASSERT_EQ(BN_set_word(secret.get(), 42), 1);
  BignumPtr moved = std::move(secret);
  EXPECT_EQ(secret, nullptr);
  EXPECT_TRUE(BN_is_word(moved.get(), 42));
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EXPECT_NE(ctx, nullptr);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  EXPECT_NE(bld, nullptr);
}

TEST(OpensslPtrTest, ClearsTheErrorQueue) {
  ERR_put_error(ERR_LIB_EVP, 0, ERR_R_MALLOC_FAILURE, __FILE__, __LINE__);
  ASSERT_NE(ERR_peek_error(), 0u);
  ClearOpensslErrors();
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace dnssec
}  // namespace zonekeep
