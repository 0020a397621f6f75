#include "services/meetings/api/helpers.h"

#include "absl/strings/str_cat.h"
#include "services/meetings/store/store.h"

namespace enamnd::meetings {
namespace {

// The item called `name` of a paragraph's list (appeals, corrections).
template <typename Item, typename ItemName>
absl::StatusOr<std::optional<Item>> FindItem(
    platform::Transaction& tx, const std::string& name,
    const google::protobuf::RepeatedPtrField<Item>& (v1::Paragraph::*list)() const) {
  ENAMND_ASSIGN_OR_RETURN(ItemName parsed, ItemName::Parse(name, "name"));
  ENAMND_ASSIGN_OR_RETURN(auto p, store::GetParagraph(tx, parsed.paragraph));
  if (!p.has_value()) return std::optional<Item>();
  for (const Item& item : ((*p).*list)()) {
    if (item.name() == name) return std::optional<Item>(item);
  }
  return std::optional<Item>();
}

}  // namespace

std::vector<std::string> CodesOf(const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<std::string> codes;
  for (const std::string& n : names) {
    absl::StatusOr<MunicipalityName> m = MunicipalityName::Parse(n, "municipality");
    if (m.ok()) codes.push_back(m->code);  // validated when written
  }
  return codes;
}

std::vector<std::string> AudienceOf(const v1::Paragraph& p) {
  google::protobuf::RepeatedPtrField<std::string> names;
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() == v1::Recipient::kMunicipality) *names.Add() = r.municipality();
  }
  return CodesOf(names);
}

absl::StatusOr<MeetingAndBody> LoadMeetingAndBody(platform::Transaction& tx,
                                                  const MeetingName& name) {
  ENAMND_ASSIGN_OR_RETURN(auto meeting, store::GetMeeting(tx, name));
  if (!meeting.has_value()) return platform::NotFound("meeting", name.ToString());
  ENAMND_ASSIGN_OR_RETURN(auto body, store::GetBody(tx, name.body));
  if (!body.has_value()) return absl::InternalError("meeting without body");
  return MeetingAndBody{*std::move(meeting), *std::move(body)};
}

absl::StatusOr<DecisionContext> LoadDecisionContext(platform::Transaction& tx,
                                                    const v1::Paragraph& p) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name, ParagraphName::Parse(p.name(), "paragraph.name"));
  ENAMND_ASSIGN_OR_RETURN(CaseName case_name, CaseName::Parse(p.case_(), "paragraph.case"));
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, name.meeting));
  ENAMND_ASSIGN_OR_RETURN(auto c, store::GetCase(tx, case_name));
  if (!c) return absl::InternalError("paragraph refers to missing records");
  return DecisionContext{mb.body.name(), mb.body.display_name(), mb.meeting.name(),
                         mb.meeting.date(), c->subject()};
}

absl::Status AppendWithSealed(platform::Transaction& tx, platform::Outbox& outbox,
                              const google::protobuf::Message& open,
                              const google::protobuf::Message* full, const std::string& subject,
                              const std::vector<std::string>& audience) {
  ENAMND_ASSIGN_OR_RETURN(int64_t sequence, outbox.Append(tx, open, subject, audience));
  if (full == nullptr) return absl::OkStatus();
  return store::InsertSealedEvent(tx, sequence, full->SerializeAsString());
}

absl::StatusOr<ProtocolInput> LoadProtocolInput(platform::Transaction& tx,
                                                const MeetingName& meeting, DocumentKind kind) {
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, meeting));
  ProtocolInput in;
  in.kind = kind;
  in.body = std::move(mb.body);
  in.meeting = std::move(mb.meeting);
  ENAMND_ASSIGN_OR_RETURN(in.municipality_names, store::MunicipalityDisplayNames(tx));
  return in;
}

absl::StatusOr<std::optional<v1::Appeal>> FindAppeal(platform::Transaction& tx,
                                                     const std::string& name) {
  return FindItem<v1::Appeal, AppealName>(tx, name, &v1::Paragraph::appeals);
}

absl::StatusOr<std::optional<v1::Correction>> FindCorrection(platform::Transaction& tx,
                                                             const std::string& name) {
  return FindItem<v1::Correction, CorrectionName>(tx, name, &v1::Paragraph::corrections);
}

}  // namespace enamnd::meetings
