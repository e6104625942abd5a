#include "cli/ssh_invocation.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace zonekeep {
namespace cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Action = Invocation::Action;

constexpr char kForced[] =
    "/usr/local/bin/maintkeydb --socket /run/keystored/admin.sock";

Invocation Decide(const std::vector<std::string>& args,
                  std::optional<std::string> original = std::nullopt) {
  return DecideInvocation(args, original);
}

// sshd with ForceCommand and maintkeydb as the login shell:
// `maintkeydb -c FORCECOMMAND`, the client's command in the environment.
TEST(SshInvocationTest, ForceCommandInLoginShellRunsTheClientsCommand) {
  Invocation inv = Decide({"-c", kForced}, "list example.com.");
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_EQ(inv.socket, "/run/keystored/admin.sock");
  EXPECT_THAT(inv.words, ElementsAre("list", "example.com."));
}

TEST(SshInvocationTest, ForceCommandWithoutClientCommandStartsTheShell) {
  Invocation inv = Decide({"-c", kForced});
  EXPECT_EQ(inv.action, Action::kShell);
  EXPECT_EQ(inv.socket, "/run/keystored/admin.sock");
  EXPECT_THAT(inv.words, IsEmpty());
}

TEST(SshInvocationTest, ForceCommandOptionsInEitherSpelling) {
  Invocation inv = Decide({"-c", "maintkeydb --socket=/s --keep-going"});
  EXPECT_EQ(inv.action, Action::kShell);
  EXPECT_EQ(inv.socket, "/s");
  EXPECT_TRUE(inv.keep_going);
}

// A forced command that names its own command runs that, whatever the
// client asked.
TEST(SshInvocationTest, ForceCommandWithFixedWordsIgnoresTheClient) {
  Invocation inv = Decide({"-c", "maintkeydb list example.com."}, "id");
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_THAT(inv.words, ElementsAre("list", "example.com."));
}

TEST(SshInvocationTest, ForceCommandWithABadOptionIsRefused) {
  Invocation inv = Decide({"-c", "maintkeydb --sockt /s"}, "list");
  EXPECT_EQ(inv.action, Action::kRefuse);
  EXPECT_THAT(inv.reason, HasSubstr("unknown option \"--sockt\""));
  EXPECT_NE(inv.exit_code, 0);
}

// Without ForceCommand sshd gives the login shell the client's command.
TEST(SshInvocationTest, LoginShellRunsTheClientsCommandLine) {
  Invocation inv = Decide({"-c", "parentdata ds 'example.com.'"});
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_THAT(inv.words, ElementsAre("parentdata", "ds", "example.com."));
}

TEST(SshInvocationTest, PlainLoginStartsTheShell) {
  EXPECT_EQ(Decide({}).action, Action::kShell);
  EXPECT_EQ(Decide({}, "").action, Action::kShell);
  Invocation interactive = Decide({"-i"}, "list");
  EXPECT_EQ(interactive.action, Action::kShell);
  EXPECT_TRUE(interactive.interactive);
}

TEST(SshInvocationTest, ForceCommandWithoutLoginShellReadsTheEnvironment) {
  // /bin/sh -c "maintkeydb --socket S": maintkeydb gets its options only.
  Invocation inv = Decide({"--socket", "/s"}, "status example.com.");
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_EQ(inv.socket, "/s");
  EXPECT_THAT(inv.words, ElementsAre("status", "example.com."));
}

TEST(SshInvocationTest, CommandWordsOnTheCommandLineWin) {
  Invocation inv = Decide({"list", "-x"}, "id");
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_THAT(inv.words, ElementsAre("list", "-x"));
}

// Shell syntax stays plain bytes: the words reach maintkeydb's command
// table, which knows none of them.
TEST(SshInvocationTest, ShellSyntaxIsNotInterpreted) {
  for (const std::string line :
       {"id", "sh -c id", "list example.com.; id", "$(id)", "`id`",
        "list example.com. && id", "list example.com. | id", "!id"}) {
    Invocation inv = Decide({"-c", kForced}, line);
    EXPECT_EQ(inv.action, Action::kRunWords) << line;
    ASSERT_FALSE(inv.words.empty()) << line;
    EXPECT_NE(inv.words[0], "maintkeydb") << line;
  }
  Invocation inv = Decide({"-c", kForced}, "list example.com.; id");
  EXPECT_THAT(inv.words, ElementsAre("list", "example.com.;", "id"));
  Invocation subst = Decide({"-c", "$(id)"});
  EXPECT_THAT(subst.words, ElementsAre("$(id)"));
}

TEST(SshInvocationTest, ANewlineIsRefusedNotASecondCommand) {
  for (const std::optional<std::string>& original :
       {std::optional<std::string>("list example.com.\nid"),
        std::optional<std::string>("list\rid")}) {
    Invocation inv = Decide({"-c", kForced}, original);
    EXPECT_EQ(inv.action, Action::kRefuse);
    EXPECT_THAT(inv.reason, HasSubstr("control character"));
    EXPECT_EQ(inv.reason.find('\n'), std::string::npos);
    EXPECT_NE(inv.exit_code, 0);
  }
  EXPECT_EQ(Decide({"-c", "list x\nid"}).action, Action::kRefuse);
  EXPECT_EQ(Decide({"-c", "maintkeydb\nid"}).action, Action::kRefuse);
  EXPECT_EQ(Decide({"-c", "list\texample.com."}).action, Action::kRunWords);
}

TEST(SshInvocationTest, FileTransfersAreRefused) {
  for (const std::string original :
       {"/usr/lib/openssh/sftp-server", "internal-sftp", "scp -t /tmp/x",
        "scp -f /var/lib/keystored/master.key",
        "rsync --server -vlogDtpre.iLsfxC . /tmp", "sftp"}) {
    Invocation inv = Decide({"-c", kForced}, original);
    EXPECT_EQ(inv.action, Action::kRefuse) << original;
    EXPECT_THAT(inv.reason, HasSubstr("file transfer")) << original;
    EXPECT_EQ(inv.exit_code, 1) << original;
  }
  // The same without ForceCommand: sshd passes `-c "scp -t ..."`.
  EXPECT_EQ(Decide({"-c", "scp -t /tmp/x"}).action, Action::kRefuse);
}

TEST(SshInvocationTest, ProgramPathsAreRefused) {
  Invocation inv = Decide({"-c", kForced}, "/bin/sh -c id");
  EXPECT_EQ(inv.action, Action::kRefuse);
  EXPECT_THAT(inv.reason, HasSubstr("\"/bin/sh\" is a program path"));
}

// A client who asks for maintkeydb itself under ForceCommand gets no
// options: it is an unknown command word, not a second -c.
TEST(SshInvocationTest, ClientCannotSmuggleOptions) {
  Invocation inv = Decide({"-c", kForced}, "maintkeydb --socket /tmp/x -i");
  EXPECT_EQ(inv.action, Action::kRunWords);
  EXPECT_EQ(inv.socket, "/run/keystored/admin.sock");
  EXPECT_THAT(inv.words, ElementsAre("maintkeydb", "--socket", "/tmp/x", "-i"));
}

TEST(SshInvocationTest, UnterminatedQuoteIsAOneLineRefusal) {
  Invocation inv = Decide({"-c", kForced}, "list 'example.com.");
  EXPECT_EQ(inv.action, Action::kRefuse);
  EXPECT_THAT(inv.reason, HasSubstr("unterminated ' quote"));
  EXPECT_EQ(inv.exit_code, 2);
}

TEST(SshInvocationTest, HelpVersionAndUnknownOptions) {
  EXPECT_EQ(Decide({"--help"}).action, Action::kHelp);
  EXPECT_EQ(Decide({"--version"}).action, Action::kVersion);
  Invocation bad = Decide({"-x"});
  EXPECT_EQ(bad.action, Action::kRefuse);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(Decide({"-c", "maintkeydb -c list"}).action, Action::kRefuse);
  EXPECT_EQ(Decide({"-c", "list", "status"}).action, Action::kRefuse);
}

}  // namespace
}  // namespace cli
}  // namespace zonekeep
