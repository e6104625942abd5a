#include "keystore/daemon/grpc_status.h"

#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

TEST(ToGrpcStatusTest, KeepsCodeAndMessage) {
  grpc::Status s = ToGrpcStatus(absl::FailedPreconditionError("wait 1h more"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "wait 1h more");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x")).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(ToGrpcStatusTest, OneLineAtMost512Bytes) {
  grpc::Status s = ToGrpcStatus(absl::InternalError("first\nsecond"));
  EXPECT_EQ(s.error_message(), "first");
  s = ToGrpcStatus(absl::InternalError(std::string(2000, 'x')));
  EXPECT_EQ(s.error_message().size(), 512u);
}

TEST(ToGrpcStatusTest, RefusalsKeepIndentedDetailLines) {
  grpc::Status s = ToGrpcStatus(absl::FailedPreconditionError(
      "not yet\n  192.0.2.1:53: serial 1\n  192.0.2.2:53: no answer\nmore"));
  EXPECT_EQ(s.error_message(),
            "not yet\n  192.0.2.1:53: serial 1\n  192.0.2.2:53: no answer");
  s = ToGrpcStatus(absl::InternalError("first\n  second"));
  EXPECT_EQ(s.error_message(), "first");
}

TEST(ToGrpcStatusTest, WithholdsPemBlocks) {
  grpc::Status s = ToGrpcStatus(absl::InternalError(
      "oops -----BEGIN PRIVATE KEY-----MIGHAgEAMBMGByqGSM49"));
  EXPECT_EQ(s.error_message().find("MIGH"), std::string::npos);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
