// Mapping helpers shared by the meetings API's handlers (meetings_api.cc,
// protocol_api.cc): loading what an event or a document needs, audiences,
// request-id replay. Internal to services/meetings/api; the rules
// themselves are in domain/.
#ifndef ENAMND_MEETINGS_API_HELPERS_H_
#define ENAMND_MEETINGS_API_HELPERS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "google/protobuf/repeated_field.h"
#include "services/meetings/domain/names.h"
#include "services/meetings/domain/protocol.h"
#include "services/meetings/domain/secrecy.h"
#include "services/platform/database.h"
#include "services/platform/outbox.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"

namespace enamnd::meetings {

// The municipality codes a paragraph is sent to (its event audience).
std::vector<std::string> AudienceOf(const v1::Paragraph& p);
// municipalities/{code} names -> codes.
std::vector<std::string> CodesOf(const google::protobuf::RepeatedPtrField<std::string>& names);

// A meeting with its body, both existing.
struct MeetingAndBody {
  v1::Meeting meeting;
  v1::Body body;
};
// NOT_FOUND for a missing meeting.
absl::StatusOr<MeetingAndBody> LoadMeetingAndBody(platform::Transaction& tx,
                                                  const MeetingName& name);

// The fields of DecisionRecorded/DecisionUpdated besides the paragraph.
struct DecisionContext {
  std::string body;
  std::string body_display_name;
  std::string meeting;
  enamnd::common::v1::Date meeting_date;
  std::string case_subject;
};
absl::StatusOr<DecisionContext> LoadDecisionContext(platform::Transaction& tx,
                                                    const v1::Paragraph& p);

template <typename Event>
void FillDecisionEvent(const v1::Paragraph& p, const DecisionContext& ctx, Event* e) {
  *e->mutable_paragraph() = p;
  e->set_body(ctx.body);
  e->set_body_display_name(ctx.body_display_name);
  e->set_meeting(ctx.meeting);
  *e->mutable_meeting_date() = ctx.meeting_date;
  e->set_case_subject(ctx.case_subject);
}

// Appends `open` to the outbox (it goes to Redis); when `full` is given (an
// event about a paragraph under secrecy, whose `open` copy is redacted),
// keeps `full` as the event's sealed payload for WatchDecisions callers
// with the confidential role.
absl::Status AppendWithSealed(platform::Transaction& tx, platform::Outbox& outbox,
                              const google::protobuf::Message& open,
                              const google::protobuf::Message* full, const std::string& subject,
                              const std::vector<std::string>& audience);

// Fills DecisionRecorded/DecisionUpdated `event` with `p` and appends it:
// redacted on the outbox, the full one sealed, if `p` is under secrecy.
template <typename Event>
absl::Status AppendDecisionEvent(platform::Transaction& tx, platform::Outbox& outbox,
                                 const v1::Paragraph& p, const DecisionContext& ctx, Event* event) {
  FillDecisionEvent(p, ctx, event);
  if (!IsSecret(p)) return outbox.Append(tx, *event, p.name(), AudienceOf(p)).status();
  Event open = *event;
  *open.mutable_paragraph() = Redacted(p);
  return AppendWithSealed(tx, outbox, open, event, p.name(), AudienceOf(p));
}

// Everything the renderer needs about a meeting but its paragraphs.
absl::StatusOr<ProtocolInput> LoadProtocolInput(platform::Transaction& tx,
                                                const MeetingName& meeting, DocumentKind kind);

// A paragraph's appeal or correction by name, for replaying a retried call.
absl::StatusOr<std::optional<v1::Appeal>> FindAppeal(platform::Transaction& tx,
                                                     const std::string& name);
absl::StatusOr<std::optional<v1::Correction>> FindCorrection(platform::Transaction& tx,
                                                             const std::string& name);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_HELPERS_H_
