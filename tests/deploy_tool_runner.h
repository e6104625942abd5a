// Test support for tests/deploy_*: run Debian's tools (systemd-analyze, nft,
// ip, systemd-sysusers, systemd-tmpfiles) on the files of deploy/, and keep
// short-lived copies of them in a temporary directory.
//
// Thread-safety: RunTool may be called from any thread; a ScratchDir belongs
// to one test.
#ifndef ZONEKEEP_TESTS_DEPLOY_TOOL_RUNNER_H_
#define ZONEKEEP_TESTS_DEPLOY_TOOL_RUNNER_H_

#include <string>
#include <vector>

namespace zonekeep::testing {

struct ToolResult {
  int exit_code = -1;  // -1: killed by a signal or could not start
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null; waits.
ToolResult RunTool(const std::vector<std::string>& argv);

// Absolute path of a data dependency such as "keystored.service" in deploy/.
std::string DeployFile(const std::string& name);

// The whole text of `path`; empty if it cannot be read.
std::string ReadText(const std::string& path);
// Writes `text` to `path`; false on error.
bool WriteText(const std::string& path, const std::string& text);

// A fresh directory (0700) under `parent`, removed with its contents on
// destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent = "/tmp");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_DEPLOY_TOOL_RUNNER_H_
