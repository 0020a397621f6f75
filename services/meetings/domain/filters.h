// The parents and filters of the List methods (AIP-132/160), parsed into
// plain structs the store turns into a ListQuery. Unset means "any".
#ifndef ENAMND_MEETINGS_DOMAIN_FILTERS_H_
#define ENAMND_MEETINGS_DOMAIN_FILTERS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::meetings {

// parent bodies/{body_id} or bodies/-; filter year, state.
struct MeetingFilter {
  std::optional<std::string> body_id = std::nullopt;
  std::optional<int64_t> year = std::nullopt;
  std::optional<int64_t> state = std::nullopt;
};
absl::StatusOr<MeetingFilter> ParseMeetingFilter(absl::string_view parent,
                                                 absl::string_view filter);

// filter year, subject.
struct CaseFilter {
  std::optional<int64_t> year = std::nullopt;
  std::optional<std::string> subject = std::nullopt;
};
absl::StatusOr<CaseFilter> ParseCaseFilter(absl::string_view filter);

// parent a meeting, bodies/{body_id} or bodies/-; filter recipient, case,
// year, kind.
struct ParagraphFilter {
  std::optional<std::string> meeting = std::nullopt;  // its full name
  std::optional<std::string> body_id = std::nullopt;
  std::optional<int64_t> year = std::nullopt;
  std::optional<std::string> case_name = std::nullopt;
  std::optional<int64_t> kind = std::nullopt;
  std::optional<std::string> recipient_code = std::nullopt;
};
absl::StatusOr<ParagraphFilter> ParseParagraphFilter(absl::string_view parent,
                                                     absl::string_view filter);

// parent a meeting or bodies/{body_id}.
struct AdjustmentFilter {
  std::optional<std::string> meeting = std::nullopt;
  std::optional<std::string> body_id = std::nullopt;
};
absl::StatusOr<AdjustmentFilter> ParseAdjustmentParent(absl::string_view parent);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_FILTERS_H_
