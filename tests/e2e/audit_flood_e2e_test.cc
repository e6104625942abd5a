// Issue 16, "a flood of refused calls leaves the last real events visible",
// against a real keystored: 10,000 refused KeyAdmin calls from another uid
// (nobody, not an admin with no `clients` list), then one real event; the
// default `maintkeydb audit --json` (100 rows) still shows the real event,
// and the flood as one row counting 10,000 calls.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <string>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/keystore.grpc.pb.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

constexpr uid_t kNobody = 65534;
constexpr int kFlood = 10000;

// In a child running as nobody: `calls` KeyAdmin.Stats calls on one channel
// (the cheapest refused RPC: refused before anything is read). Returns how
// many were refused with PERMISSION_DENIED, or -1.
int RefusedStatsCalls(const std::string& socket, int calls) {
  int counted[2];
  if (pipe(counted) != 0) return -1;
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    close(counted[0]);
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(3);
    auto channel = grpc::CreateChannel("unix:" + socket,
                                       grpc::InsecureChannelCredentials());
    auto admin = v1::KeyAdmin::NewStub(channel);
    int refused = 0;
    for (int i = 0; i < calls; ++i) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(5));
      v1::StatsRequest request;
      v1::SignStats reply;
      const grpc::Status status = admin->Stats(&context, request, &reply);
      if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        ++refused;
      }
    }
    (void)!write(counted[1], &refused, sizeof(refused));
    _exit(0);
  }
  close(counted[1]);
  int refused = -1;
  if (read(counted[0], &refused, sizeof(refused)) != sizeof(refused)) {
    refused = -1;
  }
  close(counted[0]);
  waitpid(pid, nullptr, 0);
  return refused;
}

TEST(AuditFloodE2eTest, TenThousandRefusalsLeaveTheRealEventVisible) {
  ShortTempDir dir;
  const std::string config = dir.path() + "/keystored.json";
  std::ofstream(config) << "{}";  // no clients: only root/own uid are admins
  KeystoredProcess daemon(dir.path() + "/state", config);
  ASSERT_TRUE(daemon.started()) << daemon.stderr_text();
  chmod(dir.path().c_str(), 0711);
  chmod((dir.path() + "/state").c_str(), 0711);
  chmod(daemon.socket_path().c_str(), 0666);

  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RefusedStatsCalls(daemon.socket_path(), kFlood), kFlood);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // Not a speed target (bench/ measures speed): a guard against a flood
  // that costs more per refusal as the log grows (10,000 take about 20 s on a
  // loaded 2-core machine; a quadratic audit would take many minutes).
  std::cout << kFlood << " refused calls took " << seconds << " s\n";
  EXPECT_LT(seconds, 120.0);

  ASSERT_EQ(Maintkeydb(daemon.socket_path(),
                       {"create", "both", "ECDSAP256SHA256", "-", "example."})
                .exit_code,
            0);

  ProcessResult audit = Maintkeydb(daemon.socket_path(), {"audit", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  // The real event, newest first.
  EXPECT_TRUE(std::regex_search(
      audit.out,
      std::regex(R"re(^\{"records":\[\{[^}]*"command":"create[^}]*)re"
                 R"re("zone":"example\."[^}]*"result":"ok",)re"
                 R"re("count":1\})re")))
      << audit.out;
  // The flood: one row, counting every refused call.
  const std::regex flood(
      R"re(\{[^}]*"identity":"unix:nobody","command":"stats"[^}]*)re"
      R"re("count":([0-9]+)\})re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(audit.out, m, flood)) << audit.out;
  EXPECT_EQ(m[1].str(), std::to_string(kFlood));
  const std::string rest = m.suffix();
  EXPECT_FALSE(std::regex_search(rest, flood)) << "a second flood row";
  EXPECT_NE(audit.out.find("\"truncated\":false"), std::string::npos)
      << audit.out;

  // The text form shows the count after the result.
  ProcessResult text = Maintkeydb(daemon.socket_path(), {"audit"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(" (x10000)\n"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace zonekeep::testing
