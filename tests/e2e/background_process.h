// Test support: a child process left running in the background (a daemon,
// an ssh forwarding), and loopback TCP ports for them.
//
// Thread-safety: one instance per owner; not for concurrent use.
#ifndef ZONEKEEP_TESTS_E2E_BACKGROUND_PROCESS_H_
#define ZONEKEEP_TESTS_E2E_BACKGROUND_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace zonekeep::testing {

// A child process in the background, its stdout and stderr to `log_path`;
// killed (SIGTERM, then SIGKILL) on destruction.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv,
                    const std::string& log_path);
  ~BackgroundProcess();
  bool alive();
  // Waits up to `seconds` for the process to end; its exit status, or -1
  // (killed by a signal, or still running).
  int WaitExit(int seconds);
  void Stop();
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// A free TCP port on 127.0.0.1 (bound once, then released).
int FreeLoopbackPort();

// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool LoopbackPortAnswers(int port);

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_BACKGROUND_PROCESS_H_
