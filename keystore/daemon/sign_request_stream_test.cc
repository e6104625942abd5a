#include "keystore/daemon/sign_request_stream.h"

#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace keystored {
namespace {

v1::SignZoneRequest Chunk(const std::string& text) {
  v1::SignZoneRequest request;
  request.set_zone_chunk(text);
  return request;
}

TEST(ReadSignOptionsTest, RefusesNoMessageNoOptionsAndNoOrigin) {
  EXPECT_TRUE(absl::IsInvalidArgument(ReadSignOptions(nullptr).status()));
  const v1::SignZoneRequest chunk = Chunk("x");
  EXPECT_TRUE(absl::IsInvalidArgument(ReadSignOptions(&chunk).status()));
  v1::SignZoneRequest no_origin;
  no_origin.mutable_options()->set_nsec3(true);
  absl::Status status = ReadSignOptions(&no_origin).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("origin"), absl::string_view::npos);
}

TEST(ReadSignOptionsTest, ReturnsTheOptions) {
  v1::SignZoneRequest first;
  first.mutable_options()->set_origin("example.");
  first.mutable_options()->set_nsec3(true);
  absl::StatusOr<v1::SignOptions> options = ReadSignOptions(&first);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->origin(), "example.");
  EXPECT_TRUE(options->nsec3());
}

TEST(SignRequestStreamTest, JoinsChunksInOrder) {
  SignRequestStream stream(100);
  ASSERT_TRUE(stream.Add(Chunk("example. 60 IN ")).ok());
  ASSERT_TRUE(stream.Add(Chunk("A 192.0.2.1\n")).ok());
  EXPECT_EQ(stream.bytes(), 27u);
  EXPECT_EQ(stream.Release(), "example. 60 IN A 192.0.2.1\n");
}

TEST(SignRequestStreamTest, RefusesOptionsTwice) {
  SignRequestStream stream(100);
  v1::SignZoneRequest again;
  again.mutable_options()->set_origin("example.");
  EXPECT_TRUE(absl::IsInvalidArgument(stream.Add(again)));
}

TEST(SignRequestStreamTest, RefusesTheChunkThatCrossesMaxZoneBytes) {
  SignRequestStream stream(10);
  ASSERT_TRUE(stream.Add(Chunk("12345")).ok());
  ASSERT_TRUE(stream.Add(Chunk("67890")).ok());
  absl::Status over = stream.Add(Chunk("1"));
  EXPECT_TRUE(absl::IsResourceExhausted(over));
  EXPECT_NE(over.message().find("max-zone-bytes"), absl::string_view::npos);
  EXPECT_EQ(stream.bytes(), 10u);
  EXPECT_EQ(stream.Release(), "1234567890");
}

}  // namespace
}  // namespace keystored
}  // namespace zonekeep
