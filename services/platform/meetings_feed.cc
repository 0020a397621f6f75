#include "services/platform/meetings_feed.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"

namespace enamnd::platform {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
using io::cloudevents::v1::CloudEvent;

absl::Status Unreadable(const CloudEvent& event) {
  return absl::DataLossError(absl::StrCat("event ", event.source(), " ", event.id(), " of type ",
                                          event.type(), " has a payload that does not parse"));
}

// DecisionRecorded and DecisionUpdated carry the same fields.
template <typename Decision>
absl::StatusOr<MeetingsFeedItem> ReadDecision(const CloudEvent& event,
                                              absl::string_view subject_prefix) {
  Decision d;
  if (!event.proto_data().UnpackTo(&d)) return Unreadable(event);
  if (!absl::StartsWith(d.case_subject(), subject_prefix)) return MeetingsFeedItem();
  const mv1::Paragraph& p = d.paragraph();
  SubjectDecision decision;
  decision.subject = d.case_subject();
  decision.paragraph = p.name();
  decision.paragraph_number = p.number();
  decision.title = p.title();
  decision.meeting = d.meeting();
  decision.meeting_date = d.meeting_date();
  decision.case_number = p.case_number();
  decision.decision_kind = mv1::DecisionKind_Name(p.decision().kind());
  decision.decision_text = p.decision().text();
  decision.event_source = event.source();
  decision.event_id = event.id();
  return decision;
}

absl::StatusOr<MeetingsFeedItem> ReadFinal(const CloudEvent& event,
                                           absl::string_view subject_prefix) {
  mv1::DecisionFinal d;
  if (!event.proto_data().UnpackTo(&d)) return Unreadable(event);
  if (!absl::StartsWith(d.case_subject(), subject_prefix)) return MeetingsFeedItem();
  return SubjectDecisionFinal{d.case_subject(), d.paragraph(), d.legal_force_date()};
}

absl::StatusOr<MeetingsFeedItem> ReadAppeal(const CloudEvent& event) {
  mv1::AppealLodged appeal;
  if (!event.proto_data().UnpackTo(&appeal)) return Unreadable(event);
  return ParagraphAppealed{appeal.paragraph()};
}

absl::StatusOr<MeetingsFeedItem> ReadMember(const CloudEvent& event) {
  mv1::MunicipalityRegistered registered;
  if (!event.proto_data().UnpackTo(&registered)) return Unreadable(event);
  const mv1::Municipality& m = registered.municipality();
  return MemberRegistered{m.name(), m.display_name(), m.population(), m.population_date()};
}

}  // namespace

absl::StatusOr<MeetingsFeedItem> ReadMeetingsFeed(const CloudEvent& event,
                                                  absl::string_view subject_prefix) {
  const std::string& type = event.type();
  if (type == "enamnd.meetings.v1.DecisionRecorded") {
    return ReadDecision<mv1::DecisionRecorded>(event, subject_prefix);
  }
  if (type == "enamnd.meetings.v1.DecisionUpdated") {
    return ReadDecision<mv1::DecisionUpdated>(event, subject_prefix);
  }
  if (type == "enamnd.meetings.v1.DecisionFinal") return ReadFinal(event, subject_prefix);
  if (type == "enamnd.meetings.v1.AppealLodged") return ReadAppeal(event);
  if (type == "enamnd.meetings.v1.MunicipalityRegistered") return ReadMember(event);
  return MeetingsFeedItem();
}

}  // namespace enamnd::platform
