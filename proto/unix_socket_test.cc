#include "proto/unix_socket.h"

#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
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

// Drops the capabilities that let root ignore file modes, for this process.
bool DropFileModeOverride() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const uint32_t mask = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
  data[0].effective &= ~mask;
  return syscall(SYS_capset, &header, data) == 0;
}

// A socket that is there but may not be used (mode 0: nobody may write it)
// is PermissionDenied, not "nobody there": the client then says so instead
// of "keystored is not running". The probe runs in a child that cannot
// override file modes (the tests may run as root).
TEST(UnixSocketTest, ProbeTellsForbiddenFromAbsent) {
  char dir[] = "/tmp/zonekeep-sock-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(chmod(dir, 0755), 0);
  const std::string path = std::string(dir) + "/s.sock";
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  ASSERT_TRUE(addr.ok());
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)),
            0);
  ASSERT_EQ(listen(fd, 1), 0);
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!DropFileModeOverride()) _exit(2);
    const absl::Status probe = ProbeUnixSocket(path);
    _exit(absl::IsPermissionDenied(probe) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the probe as nobody was not refused";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(ProbeUnixSocket(path).ok());  // the owner may
  close(fd);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace zonekeep
