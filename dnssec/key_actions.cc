#include "dnssec/key_actions.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace zonekeep {
namespace dnssec {
namespace {

constexpr CreateWhat kCreateWhats[] = {CreateWhat::kBoth, CreateWhat::kKsk,
                                       CreateWhat::kZsk};
constexpr RolloverStage kStages[] = {
    RolloverStage::kZskStage1, RolloverStage::kZskStage2,
    RolloverStage::kKskStage1, RolloverStage::kKskStage2,
    RolloverStage::kZskUndo,   RolloverStage::kKskUndo};

}  // namespace

const char* CreateWhatName(CreateWhat what) {
  switch (what) {
    case CreateWhat::kBoth:
      return "both";
    case CreateWhat::kKsk:
      return "ksk";
    case CreateWhat::kZsk:
      return "zsk";
  }
  return "?";
}

absl::StatusOr<CreateWhat> ParseCreateWhat(absl::string_view word) {
  for (CreateWhat what : kCreateWhats) {
    if (absl::EqualsIgnoreCase(word, CreateWhatName(what))) return what;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", word, "\" is not both, ksk or zsk"));
}

const char* RolloverStageName(RolloverStage stage) {
  switch (stage) {
    case RolloverStage::kZskStage1:
      return "zsk-stage1";
    case RolloverStage::kZskStage2:
      return "zsk-stage2";
    case RolloverStage::kKskStage1:
      return "ksk-stage1";
    case RolloverStage::kKskStage2:
      return "ksk-stage2";
    case RolloverStage::kZskUndo:
      return "zsk-undo";
    case RolloverStage::kKskUndo:
      return "ksk-undo";
  }
  return "?";
}

absl::StatusOr<RolloverStage> ParseRolloverStage(absl::string_view word) {
  for (RolloverStage stage : kStages) {
    if (absl::EqualsIgnoreCase(word, RolloverStageName(stage))) return stage;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown stage \"", word,
      "\" (zsk-stage1, zsk-stage2, ksk-stage1, ksk-stage2, zsk-undo or "
      "ksk-undo)"));
}

}  // namespace dnssec
}  // namespace zonekeep
