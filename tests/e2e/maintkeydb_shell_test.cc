// The maintkeydb shell on a real terminal: the test drives `maintkeydb -i`
// through a pseudo-terminal (forkpty) as a person would type, arrows and
// Ctrl-C included, and reads the screen output. No keystored is needed: the
// lines typed are `help` commands, which the shell answers itself.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUp[] = "\x1b[A";
constexpr char kCtrlC[] = "\x03";
constexpr char kCtrlD[] = "\x04";

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++n;
  }
  return n;
}

// One `maintkeydb -i` on a pseudo-terminal, with HOME set to `home`.
class PtyShell {
 public:
  explicit PtyShell(const std::string& home) {
    const std::string binary = RunfilePath("cli/maintkeydb");
    const std::string home_env = "HOME=" + home;
    const std::string socket_env = "KEYSTORED_SOCKET=" + home + "/none.sock";
    struct winsize size = {};
    size.ws_row = 40;
    size.ws_col = 132;
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ == 0) {
      char* const argv[] = {const_cast<char*>(binary.c_str()),
                            const_cast<char*>("-i"), nullptr};
      char* const envp[] = {const_cast<char*>(home_env.c_str()),
                            const_cast<char*>(socket_env.c_str()),
                            const_cast<char*>("TERM=xterm"),
                            const_cast<char*>("LANG=C.UTF-8"), nullptr};
      execve(argv[0], argv, envp);
      _exit(127);
    }
  }

  ~PtyShell() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  bool started() const { return pid_ > 0; }

  // Waits up to 2 s until the line editor has the terminal (canonical mode
  // and echo off): keys typed before that are echoed by the terminal itself,
  // as in any program between prompts.
  bool WaitForLineEditing() {
    for (int i = 0; i < 200; ++i) {
      struct termios mode;
      if (tcgetattr(master_, &mode) == 0 &&
          (mode.c_lflag & (ICANON | ECHO)) == 0) {
        return true;
      }
      usleep(10000);
    }
    return false;
  }

  // Types at the prompt: waits for the line editor to hold the terminal
  // first, as a person at the keyboard does by reading the prompt.
  void Type(const std::string& keys) {
    ASSERT_TRUE(WaitForLineEditing()) << screen_;
    ASSERT_EQ(write(master_, keys.data(), keys.size()),
              static_cast<ssize_t>(keys.size()));
  }

  // Reads the screen until `part` has been seen `times` times in all, or 10
  // seconds pass; returns whether it was.
  bool WaitFor(const std::string& part, size_t times = 1) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Count(screen_, part) < times) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      struct pollfd p = {master_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t got = read(master_, buffer, sizeof(buffer));
      if (got <= 0) return Count(screen_, part) >= times;
      screen_.append(buffer, static_cast<size_t>(got));
    }
    return true;
  }

  // Waits up to 10 s for the shell to end; its exit status, or -1.
  int WaitExit() {
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      Drain(100);
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      usleep(100 * 1000);  // a closed terminal polls as ready at once
    }
    return -1;
  }

  // Reads what the shell printed for up to `ms` milliseconds.
  void Drain(int ms) {
    struct pollfd p = {master_, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return;
    char buffer[4096];
    const ssize_t got = read(master_, buffer, sizeof(buffer));
    if (got > 0) screen_.append(buffer, static_cast<size_t>(got));
  }

  bool Alive() {
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
  }

  const std::string& screen() const { return screen_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  bool exited_ = false;
  std::string screen_;
};

class MaintkeydbShellTest : public ::testing::Test {
 protected:
  ShortTempDir home_;
};

TEST_F(MaintkeydbShellTest, UpArrowRecallsTheLastCommand) {
  PtyShell shell(home_.path());
  ASSERT_TRUE(shell.started());
  ASSERT_TRUE(shell.WaitFor("maintkeydb> ")) << shell.screen();
  shell.Type("help audit\r");
  ASSERT_TRUE(shell.WaitFor("usage: audit")) << shell.screen();
  // At the next prompt (keys typed while a command runs are echoed by the
  // terminal itself, as in any shell).
  ASSERT_TRUE(shell.WaitFor("maintkeydb> ", 2)) << shell.screen();
  shell.Type(kUp);
  shell.Type("\r");
  EXPECT_TRUE(shell.WaitFor("usage: audit", 2)) << shell.screen();
  EXPECT_THAT(shell.screen(), Not(HasSubstr("^[[A")));
  EXPECT_THAT(shell.screen(), Not(HasSubstr("unknown command")));
  shell.Type("quit\r");
  EXPECT_EQ(shell.WaitExit(), 0) << shell.screen();
}

TEST_F(MaintkeydbShellTest, CtrlCCancelsTheLineAndTheShellGoesOn) {
  PtyShell shell(home_.path());
  ASSERT_TRUE(shell.started());
  ASSERT_TRUE(shell.WaitFor("maintkeydb> ")) << shell.screen();
  shell.Type("bogus-half-typed");
  ASSERT_TRUE(shell.WaitFor("bogus-half-typed")) << shell.screen();
  shell.Type(kCtrlC);
  ASSERT_TRUE(shell.WaitFor("maintkeydb> ", 2)) << shell.screen();
  EXPECT_TRUE(shell.Alive()) << "Ctrl-C ended the shell: " << shell.screen();
  shell.Type("help list\r");
  EXPECT_TRUE(shell.WaitFor("usage: list")) << shell.screen();
  // The cancelled line was never run.
  EXPECT_THAT(shell.screen(), Not(HasSubstr("unknown command")));
  // Ctrl-D on an empty line leaves, with the status of the last command.
  shell.Type(kCtrlD);
  EXPECT_EQ(shell.WaitExit(), 0) << shell.screen();
}

TEST_F(MaintkeydbShellTest, HistorySurvivesARestartOfTheShell) {
  {
    PtyShell first(home_.path());
    ASSERT_TRUE(first.started());
    ASSERT_TRUE(first.WaitFor("maintkeydb> ")) << first.screen();
    first.Type("help rollover\r");
    ASSERT_TRUE(first.WaitFor("usage: rollover")) << first.screen();
    first.Type("exit\r");
    ASSERT_EQ(first.WaitExit(), 0) << first.screen();
  }
  std::ifstream file(home_.path() + "/.maintkeydb_history");
  std::stringstream saved;
  saved << file.rdbuf();
  EXPECT_EQ(saved.str(), "help rollover\n");

  PtyShell second(home_.path());
  ASSERT_TRUE(second.started());
  ASSERT_TRUE(second.WaitFor("maintkeydb> ")) << second.screen();
  second.Type(kUp);
  second.Type("\r");
  EXPECT_TRUE(second.WaitFor("usage: rollover")) << second.screen();
  second.Type("history\r");
  EXPECT_TRUE(second.WaitFor("  1  help rollover")) << second.screen();
  second.Type("quit\r");
  EXPECT_EQ(second.WaitExit(), 0) << second.screen();
}

}  // namespace
}  // namespace zonekeep::testing
