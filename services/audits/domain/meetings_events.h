// What the meetings service's events mean for audits, as pure data: the
// consumer (api/) only stores and emits what this returns.
#ifndef ENAMND_AUDITS_DOMAIN_MEETINGS_EVENTS_H_
#define ENAMND_AUDITS_DOMAIN_MEETINGS_EVENTS_H_

#include <optional>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "enamnd/common/v1/common.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "services/audits/domain/names.h"

namespace enamnd::audits {

// A decision about a review was recorded or updated: link this handling.
struct ReviewDecision {
  ReviewName review;
  v1::CommitteeHandling handling;
};

// The decision on `paragraph` about `review` gained legal force.
struct ReviewDecisionFinal {
  ReviewName review;
  std::string paragraph;
  common::v1::Date legal_force_date;
};

// An appeal lodged in time against `paragraph`: it revokes any legal force.
struct ParagraphAppealed {
  std::string paragraph;
};

// What one event means: std::monostate when nothing (another type, or a
// case that is not about a review).
struct MeetingsEffect {
  std::variant<std::monostate, ReviewDecision, ReviewDecisionFinal, ParagraphAppealed> what;
};

// Reads one event of the meetings service. DATA_LOSS when its payload does
// not parse (it never will: the consumer skips it); INVALID_ARGUMENT naming
// case_subject when a decision names //audits/reviews/... that is not a
// review name.
absl::StatusOr<MeetingsEffect> ReadMeetingsEvent(const io::cloudevents::v1::CloudEvent& event);

// A re-sent decision keeps the legal force its handling already had.
void KeepLegalForce(const std::optional<v1::CommitteeHandling>& previous,
                    v1::CommitteeHandling* handling);

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_MEETINGS_EVENTS_H_
