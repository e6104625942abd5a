// The man pages (docs/man, installed by //docs:man_pages) stay in step with
// the binaries: every flag and command that `--help` prints appears in the
// binary's man page, and `man -l` renders each page.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process_runner.h"

namespace zonekeep::testing {
namespace {

std::string ReadManPage(const std::string& path) {
  std::ifstream in(RunfilePath(path));
  std::stringstream text;
  text << in.rdbuf();
  // roff writes a hyphen as \-.
  return std::regex_replace(text.str(), std::regex(R"(\\-)"), "-");
}

// Every --flag and -f in `text`.
std::set<std::string> Flags(const std::string& text) {
  std::set<std::string> flags;
  std::regex flag_re(R"((^|[\s\[|(,])(--?[A-Za-z0-9][A-Za-z0-9-]*))");
  for (std::sregex_iterator it(text.begin(), text.end(), flag_re), end;
       it != end; ++it) {
    flags.insert((*it)[2]);
  }
  return flags;
}

void ExpectEveryFlagInManPage(const std::string& help,
                              const std::string& page_path) {
  const std::string page = ReadManPage(page_path);
  ASSERT_FALSE(page.empty()) << page_path;
  const std::set<std::string> flags = Flags(help);
  EXPECT_FALSE(flags.empty()) << help;
  for (const std::string& flag : flags) {
    EXPECT_NE(page.find(flag), std::string::npos)
        << flag << " is in --help but not in " << page_path;
  }
}

TEST(ManPagesTest, MaintkeydbHelpFlagsAndCommandsAreInTheManPage) {
  ProcessResult help = RunProcess({RunfilePath("cli/maintkeydb"), "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  ExpectEveryFlagInManPage(help.out, "docs/man/man1/maintkeydb.1");
  // Every command and every word of the shell (the first word of each line
  // under "commands:").
  const std::string page = ReadManPage("docs/man/man1/maintkeydb.1");
  std::istringstream lines(help.out.substr(help.out.find("commands:")));
  std::regex word_re(R"(^  (!N|[a-z_]+)[ ,])");
  int words = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!std::regex_search(line, match, word_re)) continue;
    std::string word = match[1];
    if (word == "!N") word = "!\\fIN";
    EXPECT_NE(page.find(".B " + word), std::string::npos) << line;
    ++words;
  }
  EXPECT_GE(words, 14) << help.out;
}

TEST(ManPagesTest, DnssignerHelpFlagsAreInTheManPage) {
  ProcessResult help = RunProcess({RunfilePath("cli/dnssigner"), "--help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  ExpectEveryFlagInManPage(help.out, "docs/man/man1/dnssigner.1");
}

TEST(ManPagesTest, KeystoredHelpFlagsAreInTheManPage) {
  // Whatever flags keystored's --help lists (its usage on stderr where
  // --help is not known yet) must be in keystored(8).
  ProcessResult help =
      RunProcess({RunfilePath("keystore/keystored"), "--help"});
  const std::string text = help.exit_code == 0 ? help.out : help.err;
  ASSERT_THAT(text, ::testing::HasSubstr("--state-dir"))
      << "no usage from keystored --help: " << help.out << help.err;
  ExpectEveryFlagInManPage(text, "docs/man/man8/keystored.8");
}

TEST(ManPagesTest, ManShowsEveryPage) {
  // tools/setup.sh installs man-db and groff-base: a missing man fails.
  ASSERT_EQ(RunProcess({"sh", "-c", "command -v man"}).exit_code, 0)
      << "man is not installed (bash tools/setup.sh installs man-db)";
  for (const std::string page :
       {"docs/man/man1/maintkeydb.1", "docs/man/man1/dnssigner.1",
        "docs/man/man8/keystored.8"}) {
    ProcessResult r =
        RunProcess({"man", "-l", RunfilePath(page)}, "",
                   {{"MANPAGER", "cat"}, {"MANWIDTH", "80"}, {"PAGER", "cat"}});
    EXPECT_EQ(r.exit_code, 0) << page << ": " << r.err;
    EXPECT_THAT(r.out, ::testing::HasSubstr("SYNOPSIS")) << page;
    EXPECT_THAT(r.out, ::testing::HasSubstr("DESCRIPTION")) << page;
  }
}

}  // namespace
}  // namespace zonekeep::testing
