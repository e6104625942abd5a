#include "cli/sign_progress.h"

#include <unistd.h>

#include "absl/strings/str_format.h"

namespace zonekeep {
namespace cli {
namespace {

constexpr absl::Duration kQuietFor = absl::Seconds(1);
constexpr absl::Duration kRedrawEvery = absl::Milliseconds(200);

// True for a signed-zone line that is an RRSIG record ("owner ttl class RRSIG
// ..."; the writer puts one record on one line).
bool IsRrsigLine(absl::string_view line) {
  return line.find("\tRRSIG\t") != absl::string_view::npos ||
         line.find(" RRSIG ") != absl::string_view::npos;
}

}  // namespace

bool ProgressWanted(bool quiet) { return !quiet && isatty(STDERR_FILENO); }

void SignProgress::Sent(absl::string_view text, absl::Time now) {
  bytes_sent_ += text.size();
  for (char c : text) {
    if (c == '\n') {
      sent_line_start_ = true;
    } else if (sent_line_start_ && c != ' ' && c != '\t' && c != ';' &&
               c != '\r') {
      // A line that starts with data (not a comment or a continuation).
      ++records_sent_;
      sent_line_start_ = false;
    } else {
      sent_line_start_ = false;
    }
  }
  MaybeDraw(now);
}

void SignProgress::Received(absl::string_view text, absl::Time now) {
  if (!receiving_) {
    receiving_ = true;
    first_received_ = now;
  }
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    if (end == absl::string_view::npos) {
      partial_.append(text.data() + begin, text.size() - begin);
      break;
    }
    absl::string_view line = text.substr(begin, end - begin);
    if (!partial_.empty()) {
      partial_.append(line.data(), line.size());
      line = partial_;
    }
    if (!line.empty() && line[0] != ';') {
      ++records_received_;
      if (IsRrsigLine(line)) ++signatures_received_;
    }
    partial_.clear();
    begin = end + 1;
  }
  MaybeDraw(now);
}

std::string SignProgress::Line(absl::Time now) const {
  const double elapsed = absl::ToDoubleSeconds(now - started_);
  if (!receiving_) {
    return absl::StrFormat(
        "dnssigner: %.0f s: %d records sent (%.1f MB), %.0f records/s; "
        "keystored signs once the zone is in",
        elapsed, records_sent_, bytes_sent_ / 1e6,
        elapsed > 0 ? records_sent_ / elapsed : 0.0);
  }
  const double receiving = absl::ToDoubleSeconds(now - first_received_);
  return absl::StrFormat(
      "dnssigner: %.0f s: %d records sent; %d signed records received, %d "
      "signatures, %.0f records/s",
      elapsed, records_sent_, records_received_, signatures_received_,
      receiving > 0 ? records_received_ / receiving : 0.0);
}

void SignProgress::MaybeDraw(absl::Time now) {
  if (!enabled_ || now - started_ < kQuietFor ||
      now - last_drawn_ < kRedrawEvery) {
    return;
  }
  last_drawn_ = now;
  std::fprintf(out_, "\r%s\033[K", Line(now).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void SignProgress::Finish() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace cli
}  // namespace zonekeep
