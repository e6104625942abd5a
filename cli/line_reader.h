// Where the maintkeydb shell gets its lines: a terminal with line editing
// and a history file (EditLineReader, libedit), or a stream of piped
// commands (StreamLineReader).
// Thread-safety: one instance per thread.
#ifndef ZONEKEEP_CLI_LINE_READER_H_
#define ZONEKEEP_CLI_LINE_READER_H_

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zonekeep {
namespace cli {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next line without its newline; nullopt at the end of input (Ctrl-D
  // on a terminal). A line cancelled with Ctrl-C comes back as "".
  virtual std::optional<std::string> ReadLine() = 0;
  // Appends a command that was run to the history (and its file, if any).
  virtual void AddHistory(const std::string& line) = 0;
  // Oldest first: earlier sessions' entries, then this one's.
  virtual const std::vector<std::string>& History() const = 0;
  // True for a person at a terminal: a failing command does not end input.
  virtual bool interactive() const = 0;
};

// Piped commands: lines of `in`; with `show_prompt`, "maintkeydb> " on
// `prompt_out` before each. The history lives in memory only.
class StreamLineReader : public LineReader {
 public:
  StreamLineReader(std::istream& in, std::ostream& prompt_out, bool show_prompt)
      : in_(in), prompt_out_(prompt_out), show_prompt_(show_prompt) {}
  std::optional<std::string> ReadLine() override;
  void AddHistory(const std::string& line) override;
  const std::vector<std::string>& History() const override { return history_; }
  bool interactive() const override { return false; }

 private:
  std::istream& in_;
  std::ostream& prompt_out_;
  const bool show_prompt_;
  std::vector<std::string> history_;
};

// The history file of the current user: $XDG_STATE_HOME/maintkeydb_history
// if XDG_STATE_HOME is set, else $HOME/.maintkeydb_history (HOME from the
// password database if unset); "" if neither is known.
std::string DefaultHistoryPath();

// A terminal on stdin/stdout through libedit: emacs key bindings, arrows
// recall history, Ctrl-C cancels the line, Ctrl-D on an empty line ends.
// The history file (one command per line, the newest 1000 kept) is read at
// creation and appended to after every command; "" keeps no file.
class EditLineReader : public LineReader {
 public:
  static absl::StatusOr<std::unique_ptr<EditLineReader>> Create(
      const std::string& prompt, const std::string& history_path);
  ~EditLineReader() override;
  std::optional<std::string> ReadLine() override;
  void AddHistory(const std::string& line) override;
  const std::vector<std::string>& History() const override { return history_; }
  bool interactive() const override { return true; }

  struct State;  // libedit's objects, opaque here

 private:
  explicit EditLineReader(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
  std::vector<std::string> history_;
};

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_LINE_READER_H_
