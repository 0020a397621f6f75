#include "services/audits/domain/meetings_events.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/platform/status.h"

namespace enamnd::audits {
namespace {

namespace mv1 = ::enamnd::meetings::v1;

constexpr char kReviewPrefix[] = "//audits/reviews/";

absl::Status Unreadable(const io::cloudevents::v1::CloudEvent& event) {
  return absl::DataLossError(absl::StrCat("event ", event.source(), " ", event.id(), " of type ",
                                          event.type(), " has a payload that does not parse"));
}

// DecisionRecorded and DecisionUpdated carry the same fields.
template <typename Decision>
absl::StatusOr<MeetingsEffect> ReadDecision(const io::cloudevents::v1::CloudEvent& event) {
  Decision d;
  if (!event.proto_data().UnpackTo(&d)) return Unreadable(event);
  if (!absl::StartsWith(d.case_subject(), kReviewPrefix)) return MeetingsEffect();
  absl::StatusOr<ReviewReference> ref = ReviewReference::Parse(d.case_subject(), "case_subject");
  if (!ref.ok()) {
    return platform::InvalidField(
        "case_subject", absl::StrCat("decision ", d.paragraph().name(), " names ", d.case_subject(),
                                     ", which is not a review"));
  }
  const mv1::Paragraph& p = d.paragraph();
  v1::CommitteeHandling h;
  h.set_paragraph(p.name());
  h.set_paragraph_number(p.number());
  h.set_meeting(d.meeting());
  *h.mutable_meeting_date() = d.meeting_date();
  h.set_case_number(p.case_number());
  h.set_decision_kind(mv1::DecisionKind_Name(p.decision().kind()));
  h.set_decision_text(p.decision().text());
  h.set_event_source(event.source());
  h.set_event_id(event.id());
  return MeetingsEffect{ReviewDecision{ref->review, std::move(h)}};
}

absl::StatusOr<MeetingsEffect> ReadFinal(const io::cloudevents::v1::CloudEvent& event) {
  mv1::DecisionFinal d;
  if (!event.proto_data().UnpackTo(&d)) return Unreadable(event);
  if (!absl::StartsWith(d.case_subject(), kReviewPrefix)) return MeetingsEffect();
  absl::StatusOr<ReviewReference> ref = ReviewReference::Parse(d.case_subject(), "case_subject");
  if (!ref.ok()) return MeetingsEffect();  // no handling can exist for it
  return MeetingsEffect{ReviewDecisionFinal{ref->review, d.paragraph(), d.legal_force_date()}};
}

absl::StatusOr<MeetingsEffect> ReadAppeal(const io::cloudevents::v1::CloudEvent& event) {
  mv1::AppealLodged appeal;
  if (!event.proto_data().UnpackTo(&appeal)) return Unreadable(event);
  return MeetingsEffect{ParagraphAppealed{appeal.paragraph()}};
}

}  // namespace

absl::StatusOr<MeetingsEffect> ReadMeetingsEvent(const io::cloudevents::v1::CloudEvent& event) {
  const std::string& type = event.type();
  if (type == "enamnd.meetings.v1.DecisionRecorded") {
    return ReadDecision<mv1::DecisionRecorded>(event);
  }
  if (type == "enamnd.meetings.v1.DecisionUpdated") {
    return ReadDecision<mv1::DecisionUpdated>(event);
  }
  if (type == "enamnd.meetings.v1.DecisionFinal") return ReadFinal(event);
  if (type == "enamnd.meetings.v1.AppealLodged") return ReadAppeal(event);
  return MeetingsEffect();
}

void KeepLegalForce(const std::optional<v1::CommitteeHandling>& previous,
                    v1::CommitteeHandling* handling) {
  if (previous.has_value()) *handling->mutable_legal_force_date() = previous->legal_force_date();
}

}  // namespace enamnd::audits
