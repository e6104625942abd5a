#include "proto/unix_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace zonekeep {
namespace {

TEST(UnixSocketTest, TooLongPathIsInvalidArgument) {
  const std::string path = "/tmp/" + std::string(200, 'x');
  EXPECT_EQ(UnixSocketAddress(path).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeUnixSocket(path).code(), absl::StatusCode::kInvalidArgument);
}

TEST(UnixSocketTest, ProbeTellsListeningFromAbsent) {
  // TEST_TMPDIR is too deep for sun_path (108 bytes); /tmp is not.
  char dir[] = "/tmp/zonekeep-sock-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/s.sock";
  EXPECT_EQ(ProbeUnixSocket(path).code(), absl::StatusCode::kUnavailable);
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  ASSERT_TRUE(addr.ok());
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)),
            0);
  // Bound but not listening: nobody answers yet.
  EXPECT_FALSE(ProbeUnixSocket(path).ok());
  ASSERT_EQ(listen(fd, 1), 0);
  EXPECT_TRUE(ProbeUnixSocket(path).ok());
  close(fd);
  EXPECT_FALSE(ProbeUnixSocket(path).ok());
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace zonekeep
