// Splits a command line into words, shell-like: blanks separate, single and
// double quotes group, backslash escapes. Used for the interactive shell and
// for $SSH_ORIGINAL_COMMAND (never passed to a real shell). Thread-safety: pure
// function.
#ifndef ZONEKEEP_CLI_COMMAND_WORDS_H_
#define ZONEKEEP_CLI_COMMAND_WORDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace cli {

// InvalidArgument for an unterminated quote.
absl::StatusOr<std::vector<std::string>> SplitCommandWords(
    absl::string_view line);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_COMMAND_WORDS_H_
