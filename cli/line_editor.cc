// EditLineReader: the maintkeydb shell's terminal, on Debian's libedit.
#include <fcntl.h>
#include <histedit.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "cli/line_reader.h"

namespace zonekeep {
namespace cli {
namespace {

constexpr size_t kHistoryEntries = 1000;

volatile sig_atomic_t interrupted = 0;
// Self-pipe: the handler writes a byte, so a SIGINT that arrives while
// libedit is busy between two reads still wakes the next wait (a flag alone
// would be seen only after the next key).
int interrupt_pipe[2] = {-1, -1};

// SIGINT: the line is dropped and a new prompt shown; the shell goes on.
void OnInterrupt(int) {
  interrupted = 1;
  if (interrupt_pipe[1] >= 0) {
    const char byte = 1;
    (void)!write(interrupt_pipe[1], &byte, 1);
  }
}

void DrainInterruptPipe() {
  char buffer[64];
  while (interrupt_pipe[0] >= 0 &&
         read(interrupt_pipe[0], buffer, sizeof(buffer)) > 0) {
  }
}

}  // namespace

struct EditLineReader::State {
  EditLine* editor = nullptr;
  ::History* entries = nullptr;
  HistEvent event;
  std::string prompt;
  std::string history_path;
  struct sigaction old_interrupt;

  ~State() {
    if (editor != nullptr) el_end(editor);
    if (entries != nullptr) history_end(entries);
  }
};

namespace {

// libedit's own reader retries a read interrupted by a signal, so Ctrl-C
// would be seen only at the next key; this one waits on the terminal and the
// interrupt pipe together, gives up at once on Ctrl-C (-1, EINTR) and
// decodes UTF-8 itself.
int ReadChar(EditLine* editor, wchar_t* out) {
  int fd = STDIN_FILENO;
  (void)editor;
  auto read_byte = [fd](unsigned char* byte) -> int {
    while (true) {
      if (interrupted) {
        errno = EINTR;
        return -1;
      }
      struct pollfd waits[2] = {{fd, POLLIN, 0},
                                {interrupt_pipe[0], POLLIN, 0}};
      const int ready = poll(waits, interrupt_pipe[0] >= 0 ? 2 : 1, -1);
      if (ready < 0 && errno != EINTR) return -1;
      if (ready <= 0 || (waits[1].revents & POLLIN) != 0) continue;
      const ssize_t got = read(fd, byte, 1);
      if (got == 1) return 1;
      if (got == 0) return 0;
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
  };
  unsigned char first = 0;
  const int got = read_byte(&first);
  if (got <= 0) {
    *out = L'\0';
    return got;
  }
  int more = first < 0x80             ? 0
             : (first & 0xe0) == 0xc0 ? 1
             : (first & 0xf0) == 0xe0 ? 2
             : (first & 0xf8) == 0xf0 ? 3
                                      : -1;
  if (more < 0) {
    *out = L'?';
    return 1;
  }
  uint32_t code = more == 0 ? first : first & (0x3f >> more);
  for (int i = 0; i < more; ++i) {
    unsigned char next = 0;
    const int status = read_byte(&next);
    if (status <= 0) {
      *out = L'\0';
      return status;
    }
    code = (code << 6) | (next & 0x3f);
  }
  *out = static_cast<wchar_t>(code);
  return 1;
}

char* Prompt(EditLine* editor) {
  void* data = nullptr;
  el_get(editor, EL_CLIENTDATA, &data);
  return static_cast<EditLineReader::State*>(data)->prompt.data();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EditLineReader>> EditLineReader::Create(
    const std::string& prompt, const std::string& history_path) {
  auto state = std::make_unique<State>();
  state->prompt = prompt;
  state->history_path = history_path;
  state->editor = el_init("maintkeydb", stdin, stdout, stderr);
  state->entries = history_init();
  if (state->editor == nullptr || state->entries == nullptr) {
    return absl::InternalError("cannot set up line editing (libedit)");
  }
  history(state->entries, &state->event, H_SETSIZE,
          static_cast<int>(kHistoryEntries));
  el_set(state->editor, EL_CLIENTDATA, state.get());
  el_set(state->editor, EL_PROMPT, &Prompt);
  el_set(state->editor, EL_EDITOR, "emacs");
  el_set(state->editor, EL_HIST, history, state->entries);
  el_set(state->editor, EL_SIGNAL, 0);
  el_set(state->editor, EL_GETCFN, &ReadChar);

  if (interrupt_pipe[0] < 0 &&
      pipe2(interrupt_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
    return absl::InternalError("cannot set up line editing (pipe)");
  }
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the read returns EINTR
  sigaction(SIGINT, &action, &state->old_interrupt);

  std::unique_ptr<EditLineReader> reader(new EditLineReader(std::move(state)));
  if (!history_path.empty()) {
    std::ifstream in(history_path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
    const size_t first =
        lines.size() > kHistoryEntries ? lines.size() - kHistoryEntries : 0;
    for (size_t i = first; i < lines.size(); ++i) {
      history(reader->state_->entries, &reader->state_->event, H_ENTER,
              lines[i].c_str());
      reader->history_.push_back(lines[i]);
    }
    if (first > 0) {
      // Keep the file from growing without bound: rewrite the newest.
      std::ofstream out(history_path, std::ios::trunc);
      for (const std::string& line : reader->history_) out << line << "\n";
    }
  }
  return reader;
}

EditLineReader::EditLineReader(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

EditLineReader::~EditLineReader() {
  sigaction(SIGINT, &state_->old_interrupt, nullptr);
}

std::optional<std::string> EditLineReader::ReadLine() {
  while (true) {
    interrupted = 0;
    DrainInterruptPipe();
    int count = 0;
    const char* line = el_gets(state_->editor, &count);
    if (interrupted) {
      // Ctrl-C: the line is cancelled; a fresh prompt on the next line.
      fputs("^C\n", stdout);
      fflush(stdout);
      el_reset(state_->editor);
      return std::string();
    }
    if (line == nullptr || count <= 0) {
      if (count < 0 && errno == EINTR) continue;
      fputs("\n", stdout);
      fflush(stdout);
      return std::nullopt;
    }
    std::string text(line, static_cast<size_t>(count));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    return text;
  }
}

void EditLineReader::AddHistory(const std::string& line) {
  if (!history_.empty() && history_.back() == line) return;
  history(state_->entries, &state_->event, H_ENTER, line.c_str());
  history_.push_back(line);
  if (state_->history_path.empty()) return;
  // Appended at once, 0600: a second shell or a crash keeps it.
  const int fd =
      open(state_->history_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return;
  const std::string record = line + "\n";
  (void)!write(fd, record.data(), record.size());
  close(fd);
}

}  // namespace cli
}  // namespace zonekeep
