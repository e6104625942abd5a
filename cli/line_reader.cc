#include "cli/line_reader.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace zonekeep {
namespace cli {

std::optional<std::string> StreamLineReader::ReadLine() {
  if (show_prompt_) prompt_out_ << "maintkeydb> " << std::flush;
  std::string line;
  if (!std::getline(in_, line)) {
    if (show_prompt_) prompt_out_ << "\n";
    return std::nullopt;
  }
  return line;
}

void StreamLineReader::AddHistory(const std::string& line) {
  history_.push_back(line);
}

std::string DefaultHistoryPath() {
  if (const char* state = std::getenv("XDG_STATE_HOME");
      state != nullptr && *state == '/') {
    return std::string(state) + "/maintkeydb_history";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const struct passwd* user = getpwuid(getuid());
    if (user == nullptr || user->pw_dir == nullptr) return "";
    home = user->pw_dir;
  }
  return std::string(home) + "/.maintkeydb_history";
}

}  // namespace cli
}  // namespace zonekeep
