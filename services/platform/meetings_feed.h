// What the meetings service's events mean to the services that follow it
// (audits, projects, and the services after them): decisions about their
// resources, those decisions' legal force and appeals, and the member
// municipalities. Pure reading of one CloudEvent, no storage: each service
// keeps what it needs (see members.h for the member register).
#ifndef ENAMND_PLATFORM_MEETINGS_FEED_H_
#define ENAMND_PLATFORM_MEETINGS_FEED_H_

#include <cstdint>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enamnd/common/v1/common.pb.h"
#include "enamnd/events/v1/cloudevent.pb.h"

namespace enamnd::platform {

// A decision recorded (or changed before adjustment) whose case subject
// starts with the follower's prefix, e.g. //projects/initiatives/.
struct SubjectDecision {
  std::string subject;  // the case subject as the meetings service has it
  std::string paragraph;
  int paragraph_number = 0;
  std::string title;
  std::string meeting;
  common::v1::Date meeting_date;
  std::string case_number;
  std::string decision_kind;  // the DecisionKind value's name
  std::string decision_text;
  std::string event_source;
  std::string event_id;
};

// The decision on `paragraph` about `subject` gained legal force.
struct SubjectDecisionFinal {
  std::string subject;
  std::string paragraph;
  common::v1::Date legal_force_date;
};

// An appeal lodged in time against `paragraph`: it revokes any legal force.
struct ParagraphAppealed {
  std::string paragraph;
};

// A member municipality was registered with the meetings service.
struct MemberRegistered {
  std::string municipality;  // municipalities/{code}
  std::string display_name;
  int64_t population = 0;
  common::v1::Date population_date;
};

// What one event means to a follower; std::monostate when nothing (another
// type, or a decision about another service's resource).
using MeetingsFeedItem = std::variant<std::monostate, SubjectDecision, SubjectDecisionFinal,
                                      ParagraphAppealed, MemberRegistered>;

// Reads one event of the meetings service for the follower whose case
// subjects start with `subject_prefix`. DATA_LOSS when the payload does not
// parse (it never will: the caller skips the event).
absl::StatusOr<MeetingsFeedItem> ReadMeetingsFeed(const io::cloudevents::v1::CloudEvent& event,
                                                  absl::string_view subject_prefix);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_MEETINGS_FEED_H_
