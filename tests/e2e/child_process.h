// Test support: a child process started without waiting for it, for tests
// that must act while it runs (kill a daemon mid-call, feed a client later).
//
// Child spawns argv (argv[0] a path or a name in PATH) with stdout to
// `out_path` and stderr to `out_path`.err; stdin is /dev/null, or a pipe that
// WriteStdin feeds once. SIGPIPE is reset to its default in the child (the
// test may ignore it, to write to a child that has ended). The destructor
// SIGKILLs and reaps a child still running.
// Thread-safety: one thread per Child.
#ifndef ZONEKEEP_TESTS_E2E_CHILD_PROCESS_H_
#define ZONEKEEP_TESTS_E2E_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace zonekeep::testing {

// The whole file; "" if it cannot be read.
std::string ReadFile(const std::string& path);

class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& out_path,
        bool stdin_pipe = false);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Writes `text` to the child's stdin and closes it (stdin_pipe only).
  void WriteStdin(const std::string& text);
  // False once it has ended (it is then reaped).
  bool Running();
  // Waits up to `timeout`, then SIGKILLs. The exit code, -1 after a signal.
  int Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then Wait.
  int Terminate(std::chrono::milliseconds timeout);
  // SIGKILL and reap.
  void Kill();

  int exit_code() const { return exit_code_; }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }

 private:
  void Reap(int status);

  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int stdin_ = -1;
};

}  // namespace zonekeep::testing

#endif  // ZONEKEEP_TESTS_E2E_CHILD_PROCESS_H_
