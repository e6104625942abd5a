#include "signer/type_name.h"

#include "gtest/gtest.h"

namespace zonekeep {
namespace signer {
namespace {

TEST(TypeNameTest, PortableMnemonicsElseGenericForm) {
  EXPECT_EQ(TypeName(1), "A");
  EXPECT_EQ(TypeName(50), "NSEC3");
  EXPECT_EQ(TypeName(65), "HTTPS");
  EXPECT_EQ(TypeName(10), "TYPE10");  // NULL: no reader agrees on it
  EXPECT_EQ(TypeName(65000), "TYPE65000");
}

}  // namespace
}  // namespace signer
}  // namespace zonekeep
