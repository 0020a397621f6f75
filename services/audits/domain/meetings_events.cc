#include "services/audits/domain/meetings_events.h"

#include "absl/strings/str_cat.h"
#include "services/platform/meetings_feed.h"
#include "services/platform/status.h"

namespace enamnd::audits {
namespace {

constexpr char kReviewPrefix[] = "//audits/reviews/";

absl::StatusOr<MeetingsEffect> ReadDecision(const platform::SubjectDecision& d) {
  absl::StatusOr<ReviewReference> ref = ReviewReference::Parse(d.subject, "case_subject");
  if (!ref.ok()) {
    return platform::InvalidField(
        "case_subject",
        absl::StrCat("decision ", d.paragraph, " names ", d.subject, ", which is not a review"));
  }
  v1::CommitteeHandling h;
  h.set_paragraph(d.paragraph);
  h.set_paragraph_number(d.paragraph_number);
  h.set_meeting(d.meeting);
  *h.mutable_meeting_date() = d.meeting_date;
  h.set_case_number(d.case_number);
  h.set_decision_kind(d.decision_kind);
  h.set_decision_text(d.decision_text);
  h.set_event_source(d.event_source);
  h.set_event_id(d.event_id);
  return MeetingsEffect{ReviewDecision{ref->review, std::move(h)}};
}

absl::StatusOr<MeetingsEffect> ReadFinal(const platform::SubjectDecisionFinal& d) {
  absl::StatusOr<ReviewReference> ref = ReviewReference::Parse(d.subject, "case_subject");
  if (!ref.ok()) return MeetingsEffect();  // no handling can exist for it
  return MeetingsEffect{ReviewDecisionFinal{ref->review, d.paragraph, d.legal_force_date}};
}

}  // namespace

absl::StatusOr<MeetingsEffect> ReadMeetingsEvent(const io::cloudevents::v1::CloudEvent& event) {
  ENAMND_ASSIGN_OR_RETURN(platform::MeetingsFeedItem item,
                          platform::ReadMeetingsFeed(event, kReviewPrefix));
  if (auto* d = std::get_if<platform::SubjectDecision>(&item)) return ReadDecision(*d);
  if (auto* f = std::get_if<platform::SubjectDecisionFinal>(&item)) return ReadFinal(*f);
  if (auto* a = std::get_if<platform::ParagraphAppealed>(&item)) {
    return MeetingsEffect{ParagraphAppealed{a->paragraph}};
  }
  return MeetingsEffect();  // other types, and members (audits keeps no register)
}

void KeepLegalForce(const std::optional<v1::CommitteeHandling>& previous,
                    v1::CommitteeHandling* handling) {
  if (previous.has_value()) *handling->mutable_legal_force_date() = previous->legal_force_date();
}

}  // namespace enamnd::audits
