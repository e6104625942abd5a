// SignProgress: dnssigner's progress line on stderr for zones that take more
// than a second: records sent, then records and signatures received, and the
// rate. keystored sends nothing while it signs, so the signatures counted are
// the RRSIG records of the signed zone as they arrive.
//
// Contract: silent when disabled (stderr not a terminal, or -q) and for the
// first second; then one line redrawn in place (carriage return) at most five
// times a second; Finish() erases it, so the summary lines stand alone.
// Thread-safety: one instance per thread.
#ifndef ZONEKEEP_CLI_SIGN_PROGRESS_H_
#define ZONEKEEP_CLI_SIGN_PROGRESS_H_

#include <cstddef>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zonekeep {
namespace cli {

class SignProgress {
 public:
  // `out` is where the line goes (stderr); `enabled` false: never written.
  SignProgress(std::FILE* out, bool enabled, absl::Time started)
      : out_(out), enabled_(enabled), started_(started) {}
  ~SignProgress() { Finish(); }
  SignProgress(const SignProgress&) = delete;
  SignProgress& operator=(const SignProgress&) = delete;

  // Zone text sent to keystored.
  void Sent(absl::string_view text, absl::Time now);
  // Signed zone text received from keystored.
  void Received(absl::string_view text, absl::Time now);
  // Erases the line if one was drawn.
  void Finish();

  size_t records_sent() const { return records_sent_; }
  size_t records_received() const { return records_received_; }
  size_t signatures_received() const { return signatures_received_; }
  // The line as it would be drawn at `now` (tests).
  std::string Line(absl::Time now) const;

 private:
  void MaybeDraw(absl::Time now);

  std::FILE* const out_;
  const bool enabled_;
  const absl::Time started_;
  absl::Time last_drawn_ = absl::InfinitePast();
  bool drawn_ = false;
  bool at_line_start_ = true;  // the next received byte begins a line
  bool receiving_ = false;
  size_t records_sent_ = 0;
  size_t records_received_ = 0;
  size_t signatures_received_ = 0;
  size_t bytes_sent_ = 0;
  absl::Time first_received_ = absl::InfiniteFuture();
  // The record line being received, until its type is known.
  std::string partial_;
  bool sent_line_start_ = true;
};

// Whether the progress line should be drawn: stderr is a terminal and not -q.
bool ProgressWanted(bool quiet);

}  // namespace cli
}  // namespace zonekeep

#endif  // ZONEKEEP_CLI_SIGN_PROGRESS_H_
