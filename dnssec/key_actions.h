// The key manager's verbs, spelled once: what `create` makes and the four
// rollover stages (RFC 6781 two-stage rollovers, docs/ARCHITECTURE.md). The
// CLI parses these words, the key store acts on the enums and writes the
// names to its audit log. Thread-safety: pure functions.
#ifndef ZONEKEEP_DNSSEC_KEY_ACTIONS_H_
#define ZONEKEEP_DNSSEC_KEY_ACTIONS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zonekeep {
namespace dnssec {

// `create both` makes an active KSK, an active ZSK and a published ZSK.
enum class CreateWhat { kBoth, kKsk, kZsk };
// kZskUndo / kKskUndo take a stage 1 back (the (R) key active again).
enum class RolloverStage {
  kZskStage1,
  kZskStage2,
  kKskStage1,
  kKskStage2,
  kZskUndo,
  kKskUndo
};

// "both", "ksk", "zsk" (any case); InvalidArgument naming the choices.
absl::StatusOr<CreateWhat> ParseCreateWhat(absl::string_view word);
const char* CreateWhatName(CreateWhat what);

// "zsk-stage1" ... "ksk-stage2", "zsk-undo", "ksk-undo" (any case);
// InvalidArgument naming the stages.
absl::StatusOr<RolloverStage> ParseRolloverStage(absl::string_view word);
const char* RolloverStageName(RolloverStage stage);

}  // namespace dnssec
}  // namespace zonekeep

#endif  // ZONEKEEP_DNSSEC_KEY_ACTIONS_H_
