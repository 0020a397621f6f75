// The protocol's legal life: rendering, justering, notices, appeals,
// corrections, extracts, verification and the deadline job.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "services/meetings/api/helpers.h"
#include "services/meetings/api/meetings_api.h"
#include "services/meetings/domain/protocol.h"
#include "services/platform/log.h"
#include "services/platform/sha256.h"

namespace enamnd::meetings {
namespace {

using enamnd::common::v1::Date;
using platform::DayText;
using platform::ToCivil;
using platform::ToDate;

// A given day (validated, not in the future) or today.
absl::StatusOr<absl::CivilDay> DayOrToday(const Date& date, const std::string& field,
                                          absl::CivilDay today) {
  if (!IsSet(date)) return today;
  ENAMND_RETURN_IF_ERROR(ValidateDate(date, field, true));
  absl::CivilDay day = ToCivil(date);
  if (day > today) {
    return InvalidField(
        field, absl::StrCat(DayText(day), " is in the future (today is ", DayText(today), ")"));
  }
  return day;
}

// The paragraph's meeting name.
std::string MeetingOf(const std::string& paragraph_name) {
  return paragraph_name.substr(0, paragraph_name.rfind("/paragraphs/"));
}

absl::StatusOr<std::vector<v1::Paragraph>> ParagraphsOfMeeting(Transaction& tx,
                                                               const std::string& meeting) {
  ParagraphQuery q;
  q.meeting = meeting;
  q.limit = 100000;
  ENAMND_ASSIGN_OR_RETURN(auto rows, Store::ListParagraphs(tx, q));
  std::vector<v1::Paragraph> out;
  for (auto& row : rows) out.push_back(std::move(row.paragraph));
  return out;
}

// Everything the renderer needs about a meeting.
absl::StatusOr<ProtocolInput> LoadProtocolInput(Transaction& tx, const std::string& meeting_name,
                                                DocumentKind kind) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(meeting_name, "meeting"));
  ENAMND_ASSIGN_OR_RETURN(auto meeting, Store::GetMeeting(tx, meeting_name));
  if (!meeting.has_value()) return NotFound("meeting", meeting_name);
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
  if (!body.has_value()) return absl::InternalError("meeting without body");
  ProtocolInput in;
  in.kind = kind;
  in.body = *body;
  in.meeting = *meeting;
  ENAMND_ASSIGN_OR_RETURN(auto all, Store::ListMunicipalities(tx, "", 100000));
  for (const auto& m : all) in.municipality_names[m.name()] = m.display_name();
  return in;
}

// Display names of the body's members and substitutes.
std::set<std::string> MembersOf(const v1::Body& body) {
  std::set<std::string> names;
  for (const v1::Seat& s : body.seats()) {
    if (!s.member().display_name().empty()) names.insert(s.member().display_name());
    if (!s.substitute().display_name().empty()) names.insert(s.substitute().display_name());
  }
  return names;
}

absl::Status ValidateSigners(const v1::Body& body, const v1::Person& chair,
                             const google::protobuf::RepeatedPtrField<v1::Person>& adjusters) {
  std::set<std::string> members = MembersOf(body);
  ENAMND_RETURN_IF_ERROR(ValidatePerson(chair, "chair", true));
  if (members.count(chair.display_name()) == 0) {
    return InvalidField("chair", absl::StrCat(chair.display_name(),
                                              " is not a member or substitute of ", body.name()));
  }
  if (adjusters.empty()) return InvalidField("adjusters", "at least one adjuster (justerare)");
  if (adjusters.size() > 10) return InvalidField("adjusters", "at most 10");
  std::set<std::string> signers = {chair.display_name()};
  for (int i = 0; i < adjusters.size(); ++i) {
    std::string field = absl::StrCat("adjusters[", i, "]");
    ENAMND_RETURN_IF_ERROR(ValidatePerson(adjusters[i], field, true));
    if (!signers.insert(adjusters[i].display_name()).second) {
      return InvalidField(
          field, absl::StrCat(adjusters[i].display_name(), " is already the chair or an adjuster"));
    }
    if (members.count(adjusters[i].display_name()) == 0) {
      return InvalidField(field, absl::StrCat(adjusters[i].display_name(),
                                              " is not a member or substitute of ", body.name()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseAdjustmentName(absl::string_view name, absl::string_view field) {
  size_t at = name.rfind("/adjustments/");
  int n = 0;
  if (at == absl::string_view::npos || !ParseMeetingName(name.substr(0, at), field).ok() ||
      !absl::SimpleAtoi(name.substr(at + 13), &n) || n < 1 ||
      absl::StrCat(n) != name.substr(at + 13)) {
    return InvalidField(field, "must be bodies/{body}/meetings/{meeting}/adjustments/{n}");
  }
  return std::string(name.substr(0, at));
}

// Past the notice deadline, for a justering recorded by that deadline.
bool OverdueApplies(const v1::Adjustment& a, absl::CivilDay today) {
  absl::CivilDay deadline = ToCivil(a.notice_deadline());
  bool recorded_in_time = !IsSet(a.recorded_date()) || ToCivil(a.recorded_date()) <= deadline;
  return recorded_in_time && today > deadline;
}

// The item named `name` of one of a paragraph's lists (appeals, corrections),
// where `name` is {paragraph}{marker}{n}.
template <typename Item>
absl::StatusOr<std::optional<Item>> ParagraphItem(
    Transaction& tx, const std::string& name, const char* marker,
    const google::protobuf::RepeatedPtrField<Item>& (v1::Paragraph::*list)() const) {
  ENAMND_ASSIGN_OR_RETURN(auto p, Store::GetParagraph(tx, name.substr(0, name.rfind(marker))));
  if (!p.has_value()) return std::optional<Item>();
  for (const Item& item : ((*p).*list)()) {
    if (item.name() == name) return std::optional<Item>(item);
  }
  return std::optional<Item>();
}

std::vector<std::string> CodesOf(const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<std::string> codes;
  for (const std::string& n : names) codes.push_back(n.substr(kMunicipalityPrefix.size()));
  return codes;
}

}  // namespace

struct MeetingsApi::AdjustInput {
  std::string meeting;
  v1::Adjustment::Kind kind;
  std::vector<int> numbers;  // IMMEDIATE only
  v1::Person chair;
  google::protobuf::RepeatedPtrField<v1::Person> adjusters;
  Date adjusted_date;
  std::string request_id;
  std::string method;
};

absl::Status MeetingsApi::RenderProtocol(const v1::RenderProtocolRequest& request,
                                         v1::RenderedProtocol* response) {
  ENAMND_RETURN_IF_ERROR(ParseMeetingName(request.meeting(), "meeting").status());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(ProtocolInput in,
                          LoadProtocolInput(tx, request.meeting(), DocumentKind::kProtocol));
  response->set_meeting(request.meeting());
  ENAMND_ASSIGN_OR_RETURN(auto adjustments, Store::ListAdjustmentsOfMeeting(tx, request.meeting()));
  for (const v1::Adjustment& a : adjustments) {
    if (a.kind() != v1::Adjustment::KIND_PROTOCOL) continue;
    ENAMND_ASSIGN_OR_RETURN(std::string html, Store::AdjustmentHtml(tx, a.name()));
    response->set_text(a.text());
    response->set_html(html);
    response->set_sha256(a.sha256());
    response->set_adjustment(a.name());
    return absl::OkStatus();
  }
  ENAMND_ASSIGN_OR_RETURN(in.paragraphs, ParagraphsOfMeeting(tx, request.meeting()));
  RenderedDocument doc = RenderDocument(in);
  response->set_text(doc.text);
  response->set_html(doc.html);
  response->set_sha256(platform::Sha256Hex(doc.text));
  return absl::OkStatus();
}

absl::Status MeetingsApi::AdjustProtocol(const v1::AdjustProtocolRequest& request,
                                         v1::Adjustment* response) {
  AdjustInput in{request.meeting(),    v1::Adjustment::KIND_PROTOCOL, {},
                 request.chair(),      request.adjusters(),      request.adjusted_date(),
                 request.request_id(), "AdjustProtocol"};
  return Adjust(in, response);
}

absl::Status MeetingsApi::AdjustParagraphs(const v1::AdjustParagraphsRequest& request,
                                           v1::Adjustment* response) {
  if (request.paragraph_numbers().empty()) {
    return InvalidField("paragraph_numbers", "name the paragraphs to adjust at once");
  }
  std::set<int> seen;
  for (int n : request.paragraph_numbers()) {
    if (n < 1) return InvalidField("paragraph_numbers", "positive numbers");
    if (!seen.insert(n).second)
      return InvalidField("paragraph_numbers", absl::StrCat("§ ", n, " twice"));
  }
  AdjustInput in{
      request.meeting(),    v1::Adjustment::KIND_IMMEDIATE, std::vector<int>(seen.begin(), seen.end()),
      request.chair(),      request.adjusters(),       request.adjusted_date(),
      request.request_id(), "AdjustParagraphs"};
  return Adjust(in, response);
}

absl::Status MeetingsApi::Adjust(const AdjustInput& input, v1::Adjustment* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(input.meeting, "meeting"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(input.request_id));
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay adjusted,
                          DayOrToday(input.adjusted_date, "adjusted_date", today));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, input.method, input.request_id,
          [&](const std::string& name) { return Store::GetAdjustment(tx, name); }, response));
  if (replayed) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto meeting, Store::GetMeeting(tx, input.meeting));
  if (!meeting.has_value()) return NotFound("meeting", input.meeting);
  if (meeting->state() == v1::Meeting::STATE_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat(input.meeting, " is cancelled"));
  }
  if (!meeting->has_attendance()) {
    return absl::FailedPreconditionError(absl::StrCat(
        input.meeting, " has no recorded attendance; the protocol cannot be adjusted"));
  }
  ENAMND_RETURN_IF_ERROR(RequireNotAdjusted(tx, input.meeting));
  if (adjusted < ToCivil(meeting->date())) {
    return InvalidField("adjusted_date", "before the meeting was held");
  }
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
  if (!body.has_value()) return absl::InternalError("meeting without body");
  ENAMND_RETURN_IF_ERROR(ValidateSigners(*body, input.chair, input.adjusters));

  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Paragraph> all, ParagraphsOfMeeting(tx, input.meeting));
  std::vector<v1::Paragraph> covered;
  if (input.kind == v1::Adjustment::KIND_PROTOCOL) {
    if (all.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(input.meeting, " has no paragraphs"));
    }
    covered = all;
  } else {
    for (int n : input.numbers) {
      auto it = std::find_if(all.begin(), all.end(),
                             [n](const v1::Paragraph& p) { return p.number() == n; });
      if (it == all.end()) {
        return InvalidField("paragraph_numbers",
                            absl::StrCat("§ ", n, " is not a paragraph of ", input.meeting));
      }
      if (it->legal_state() != v1::Paragraph::LEGAL_STATE_DRAFT &&
          it->legal_state() != v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
        return absl::FailedPreconditionError(
            absl::StrCat("§ ", n, " is already adjusted (", it->adjustment(), ")"));
      }
      covered.push_back(*it);
    }
  }

  ENAMND_ASSIGN_OR_RETURN(
      ProtocolInput doc_in,
      LoadProtocolInput(tx, input.meeting,
                        input.kind == v1::Adjustment::KIND_PROTOCOL ? DocumentKind::kProtocol
                                                               : DocumentKind::kImmediate));
  ENAMND_ASSIGN_OR_RETURN(auto chain, Store::ListAdjustmentsOfBody(tx, mn.body_id, 0, 1000000));
  doc_in.paragraphs = covered;
  doc_in.chair = input.chair;
  doc_in.adjusters.assign(input.adjusters.begin(), input.adjusters.end());
  // The text names the previous link, so each hash covers the chain so far.
  doc_in.previous_sha256 = chain.empty() ? "" : chain.back().sha256();
  RenderedDocument doc = RenderDocument(doc_in);
  ENAMND_ASSIGN_OR_RETURN(auto of_meeting, Store::ListAdjustmentsOfMeeting(tx, input.meeting));

  v1::Adjustment a;
  a.set_name(absl::StrCat(input.meeting, "/adjustments/", of_meeting.size() + 1));
  a.set_kind(input.kind);
  for (const auto& p : covered) a.add_paragraph_numbers(p.number());
  *a.mutable_chair() = input.chair;
  *a.mutable_adjusters() = input.adjusters;
  *a.mutable_adjusted_date() = ToDate(adjusted);
  *a.mutable_adjust_time() = NowTimestamp();
  a.set_text(doc.text);
  a.set_sha256(platform::Sha256Hex(doc.text));
  a.set_previous_sha256(chain.empty() ? "" : chain.back().sha256());
  a.set_chain_position(chain.empty() ? 1 : chain.back().chain_position() + 1);
  for (const v1::Seat& s : body->seats()) a.add_required_municipalities(s.municipality());
  *a.mutable_notice_deadline() = ToDate(NoticeDeadline(adjusted));
  *a.mutable_recorded_date() = ToDate(today);

  for (v1::Paragraph p : covered) {
    if (p.legal_state() != v1::Paragraph::LEGAL_STATE_DRAFT &&
        p.legal_state() != v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
      continue;  // adjusted at once earlier
    }
    p.set_legal_state(v1::Paragraph::LEGAL_STATE_ADJUSTED);
    p.set_adjustment(a.name());
    p.clear_etag();
    ENAMND_RETURN_IF_ERROR(Store::UpdateParagraph(tx, p));
  }
  ENAMND_RETURN_IF_ERROR(Store::InsertAdjustment(tx, mn.body_id, input.meeting, a, doc.html));
  ENAMND_RETURN_IF_ERROR(platform::SaveRequest(tx, input.method, input.request_id, a.name()));
  v1::ProtocolAdjusted event;
  *event.mutable_adjustment() = a;
  event.mutable_adjustment()->clear_text();
  event.set_body(body->name());
  event.set_body_display_name(body->display_name());
  event.set_meeting(input.meeting);
  *event.mutable_meeting_date() = meeting->date();
  ENAMND_RETURN_IF_ERROR(
      outbox_->Append(tx, event, a.name(), CodesOf(a.required_municipalities())).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = a;
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetAdjustment(const v1::GetAdjustmentRequest& request,
                                        v1::Adjustment* response) {
  ENAMND_RETURN_IF_ERROR(ParseAdjustmentName(request.name(), "name").status());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetAdjustment(tx, request.name()));
  if (!found.has_value()) return NotFound("adjustment", request.name());
  *response = *found;
  return absl::OkStatus();
}

absl::Status MeetingsApi::ListAdjustments(const v1::ListAdjustmentsRequest& request,
                                          v1::ListAdjustmentsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(request.page_size()));
  bool by_meeting = absl::StrContains(request.parent(), "/meetings/");
  std::string body_id;
  if (by_meeting) {
    ENAMND_RETURN_IF_ERROR(ParseMeetingName(request.parent(), "parent").status());
  } else {
    ENAMND_ASSIGN_OR_RETURN(body_id, ParseBodyName(request.parent(), "parent"));
  }
  const std::string scope = absl::StrCat("ListAdjustments|", request.parent());
  int64_t after = 0;
  if (!request.page_token().empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(request.page_token(), scope));
    if (key.size() != 1 || !absl::SimpleAtoi(key[0], &after)) {
      return InvalidField("page_token", "malformed");
    }
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  std::vector<v1::Adjustment> list;
  if (by_meeting) {
    ENAMND_ASSIGN_OR_RETURN(auto all, Store::ListAdjustmentsOfMeeting(tx, request.parent()));
    for (auto& a : all) {
      if (a.chain_position() > after && static_cast<int>(list.size()) <= page_size) {
        list.push_back(std::move(a));
      }
    }
  } else {
    ENAMND_ASSIGN_OR_RETURN(list, Store::ListAdjustmentsOfBody(tx, body_id, after, page_size + 1));
  }
  for (int i = 0; i < static_cast<int>(list.size()) && i < page_size; ++i) {
    *response->add_adjustments() = list[i];
  }
  if (static_cast<int>(list.size()) > page_size) {
    response->set_next_page_token(
        platform::EncodePageToken(scope, {absl::StrCat(list[page_size - 1].chain_position())}));
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordNoticePosting(const v1::RecordNoticePostingRequest& request,
                                              v1::Adjustment* response) {
  ENAMND_RETURN_IF_ERROR(ParseAdjustmentName(request.adjustment(), "adjustment").status());
  ENAMND_RETURN_IF_ERROR(ParseMunicipalityName(request.municipality(), "municipality").status());
  if (!IsSet(request.posted_date())) return InvalidField("posted_date", "required");
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay posted,
                          DayOrToday(request.posted_date(), "posted_date", today));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetAdjustment(tx, request.adjustment()));
  if (!found.has_value()) return NotFound("adjustment", request.adjustment());
  v1::Adjustment a = *found;
  const auto& required = a.required_municipalities();
  if (std::find(required.begin(), required.end(), request.municipality()) == required.end()) {
    return InvalidField("municipality", absl::StrCat(request.municipality(),
                                                     " is not a member that posts this notice"));
  }
  for (const auto& n : a.notices()) {
    if (n.municipality() == request.municipality()) {
      return absl::AlreadyExistsError(absl::StrCat(request.municipality(),
                                                   " already posted the notice on ",
                                                   DayText(ToCivil(n.posted_date()))));
    }
  }
  absl::CivilDay adjusted = ToCivil(a.adjusted_date());
  if (posted < adjusted) {
    return InvalidField("posted_date", absl::StrCat(DayText(posted), " is before the justering on ",
                                                    DayText(adjusted)));
  }
  v1::NoticePosting* notice = a.add_notices();
  notice->set_municipality(request.municipality());
  *notice->mutable_posted_date() = ToDate(posted);
  notice->set_late(posted > ToCivil(a.notice_deadline()));
  bool all_posted = a.notices_size() == a.required_municipalities_size();
  if (all_posted) {
    absl::CivilDay last = posted;
    for (const auto& n : a.notices()) last = std::max(last, ToCivil(n.posted_date()));
    absl::CivilDay deadline = AppealDeadline(last);
    *a.mutable_appeal_period_start() = ToDate(last);
    *a.mutable_appeal_deadline() = ToDate(deadline);
    *a.mutable_legal_force_date() = ToDate(LegalForceDate(deadline));
  }
  ENAMND_RETURN_IF_ERROR(Store::UpdateAdjustment(tx, a));
  v1::NoticePosted event;
  event.set_adjustment(a.name());
  event.set_municipality(request.municipality());
  *event.mutable_posted_date() = ToDate(posted);
  event.set_late(notice->late());
  event.set_all_posted(all_posted);
  if (all_posted) {
    *event.mutable_appeal_deadline() = a.appeal_deadline();
    *event.mutable_legal_force_date() = a.legal_force_date();
  }
  ENAMND_RETURN_IF_ERROR(
      outbox_
          ->Append(tx, event, a.name(), {request.municipality().substr(kMunicipalityPrefix.size())})
          .status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = a;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordAppeal(const v1::RecordAppealRequest& request,
                                       v1::Appeal* response) {
  ENAMND_RETURN_IF_ERROR(ValidateParagraphName(request.paragraph(), "paragraph").status());
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  const v1::Appeal& in = request.appeal();
  if (!IsSet(in.lodged_date())) return InvalidField("appeal.lodged_date", "required");
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay lodged,
                          DayOrToday(in.lodged_date(), "appeal.lodged_date", clock_->Today()));
  ENAMND_RETURN_IF_ERROR(ValidateText(in.appellant(), "appeal.appellant", kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(in.court_reference(), "appeal.court_reference", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateText(in.note(), "appeal.note", kMaxTextLength, false));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed, Replayed(
                                             tx, "RecordAppeal", request.request_id(),
                                             [&](const std::string& name) {
                                               return ParagraphItem(tx, name, "/appeals/",
                                                                    &v1::Paragraph::appeals);
                                             },
                                             response));
  if (replayed) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetParagraph(tx, request.paragraph()));
  if (!found.has_value()) return NotFound("paragraph", request.paragraph());
  v1::Paragraph p = *found;
  if (p.legal_state() == v1::Paragraph::LEGAL_STATE_DRAFT ||
      p.legal_state() == v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
    return absl::FailedPreconditionError(absl::StrCat(
        p.name(),
        " is not adjusted yet; a decision can be appealed once its protocol is adjusted"));
  }
  ENAMND_ASSIGN_OR_RETURN(auto adjustment, Store::GetAdjustment(tx, p.adjustment()));
  if (!adjustment.has_value()) return absl::InternalError("paragraph without its adjustment");
  if (lodged < ToCivil(adjustment->adjusted_date())) {
    return InvalidField("appeal.lodged_date", "before the protocol was adjusted");
  }
  if (IsSet(adjustment->appeal_deadline()) && lodged > ToCivil(adjustment->appeal_deadline())) {
    return InvalidField("appeal.lodged_date",
                        absl::StrCat("after the appeal period ended on ",
                                     DayText(ToCivil(adjustment->appeal_deadline()))));
  }
  v1::Appeal appeal = in;
  appeal.set_name(absl::StrCat(p.name(), "/appeals/", p.appeals_size() + 1));
  *appeal.mutable_lodged_date() = ToDate(lodged);
  *appeal.mutable_create_time() = NowTimestamp();
  *p.add_appeals() = appeal;
  // An appeal lodged in time holds the decision even if the committee hears
  // of it after the deadline job had made the decision final.
  p.set_legal_state(v1::Paragraph::LEGAL_STATE_APPEALED);
  p.clear_legal_force_date();
  p.clear_etag();
  ENAMND_RETURN_IF_ERROR(Store::UpdateParagraph(tx, p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordAppeal", request.request_id(), appeal.name()));
  v1::AppealLodged event;
  event.set_paragraph(p.name());
  event.set_case_number(p.case_number());
  *event.mutable_appeal() = appeal;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name(), AudienceOf(p)).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = appeal;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordCorrection(const v1::RecordCorrectionRequest& request,
                                           v1::Correction* response) {
  ENAMND_RETURN_IF_ERROR(ValidateParagraphName(request.paragraph(), "paragraph").status());
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  const v1::Correction& in = request.correction();
  static const std::set<std::string> kFields = {
      "title",         "decision.text", "summary",      "description",
      "meeting_notes", "procedure",     "reservations", "conflicts_of_interest",
      "documents",     "recipients",    "attendance"};
  if (kFields.count(in.field()) == 0) {
    return InvalidField("correction.field", absl::StrCat("one of: ", absl::StrJoin(kFields, ", ")));
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(in.corrected_text(), "correction.corrected_text", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(in.reason(), "correction.reason", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(in.recorded_by(), "correction.recorded_by", true));
  ENAMND_ASSIGN_OR_RETURN(
      absl::CivilDay day,
      DayOrToday(in.correction_date(), "correction.correction_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed, Replayed(
                                             tx, "RecordCorrection", request.request_id(),
                                             [&](const std::string& name) {
                                               return ParagraphItem(tx, name, "/corrections/",
                                                                    &v1::Paragraph::corrections);
                                             },
                                             response));
  if (replayed) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto found, Store::GetParagraph(tx, request.paragraph()));
  if (!found.has_value()) return NotFound("paragraph", request.paragraph());
  v1::Paragraph p = *found;
  if (p.legal_state() == v1::Paragraph::LEGAL_STATE_DRAFT ||
      p.legal_state() == v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(), " is not adjusted; change it with UpdateParagraph"));
  }
  v1::Correction c = in;
  c.set_name(absl::StrCat(p.name(), "/corrections/", p.corrections_size() + 1));
  *c.mutable_correction_date() = ToDate(day);
  *c.mutable_create_time() = NowTimestamp();
  *p.add_corrections() = c;
  p.clear_etag();
  ENAMND_RETURN_IF_ERROR(Store::UpdateParagraph(tx, p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordCorrection", request.request_id(), c.name()));
  v1::ProtocolCorrected event;
  event.set_paragraph(p.name());
  *event.mutable_correction() = c;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name(), AudienceOf(p)).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = c;
  return absl::OkStatus();
}

absl::Status MeetingsApi::CreateExtract(const v1::CreateExtractRequest& request,
                                        v1::Extract* response) {
  ENAMND_RETURN_IF_ERROR(ValidateParagraphName(request.paragraph(), "paragraph").status());
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(request.certified_by(), "certified_by", true));
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay day,
                          DayOrToday(request.certified_date(), "certified_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      Replayed(
          tx, "CreateExtract", request.request_id(),
          [&](const std::string& name) -> absl::StatusOr<std::optional<v1::Extract>> {
            ENAMND_ASSIGN_OR_RETURN(auto list, Store::ExtractsOfParagraph(
                                                   tx, name.substr(0, name.rfind("/extracts/"))));
            for (auto& e : list) {
              if (e.name() == name) return std::optional<v1::Extract>(std::move(e));
            }
            return std::optional<v1::Extract>();
          },
          response));
  if (replayed) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto p, Store::GetParagraph(tx, request.paragraph()));
  if (!p.has_value()) return NotFound("paragraph", request.paragraph());
  if (p->legal_state() == v1::Paragraph::LEGAL_STATE_DRAFT ||
      p->legal_state() == v1::Paragraph::LEGAL_STATE_UNSPECIFIED) {
    return absl::FailedPreconditionError(
        absl::StrCat(p->name(),
                     " is not adjusted; an extract can only be certified from an"
                     " adjusted protocol"));
  }
  ENAMND_ASSIGN_OR_RETURN(auto adjustment, Store::GetAdjustment(tx, p->adjustment()));
  if (!adjustment.has_value()) return absl::InternalError("paragraph without its adjustment");
  ENAMND_ASSIGN_OR_RETURN(ProtocolInput in,
                          LoadProtocolInput(tx, MeetingOf(p->name()), DocumentKind::kExtract));
  in.paragraphs = {*p};
  in.certified_by = request.certified_by();
  in.certified_date = day;
  in.adjustment_name = adjustment->name();
  in.protocol_sha256 = adjustment->sha256();
  in.adjusted_date = ToCivil(adjustment->adjusted_date());
  RenderedDocument doc = RenderDocument(in);
  std::string sha = platform::Sha256Hex(doc.text);
  ENAMND_ASSIGN_OR_RETURN(auto existing, Store::ExtractsOfParagraph(tx, p->name()));
  for (const auto& e : existing) {
    if (e.sha256() == sha) {  // the same certification again: the same document
      *response = e;
      return absl::OkStatus();
    }
  }
  v1::Extract e;
  e.set_name(absl::StrCat(p->name(), "/extracts/", existing.size() + 1));
  e.set_paragraph(p->name());
  e.set_adjustment(adjustment->name());
  e.set_protocol_sha256(adjustment->sha256());
  *e.mutable_certified_by() = request.certified_by();
  *e.mutable_certified_date() = ToDate(day);
  e.set_text(doc.text);
  e.set_html(doc.html);
  e.set_sha256(sha);
  *e.mutable_create_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::InsertExtract(tx, e));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateExtract", request.request_id(), e.name()));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = e;
  return absl::OkStatus();
}

absl::Status MeetingsApi::VerifyDocument(const v1::VerifyDocumentRequest& request,
                                         v1::VerifyDocumentResponse* response) {
  std::string sha;
  if (request.document_case() == v1::VerifyDocumentRequest::kText) {
    sha = platform::Sha256Hex(request.text());
  } else if (request.document_case() == v1::VerifyDocumentRequest::kSha256) {
    sha = absl::AsciiStrToLower(request.sha256());
    ENAMND_RETURN_IF_ERROR(ValidateSha256(sha, "sha256"));
  } else {
    return InvalidField("document", "give text or sha256");
  }
  response->set_sha256(sha);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto adjustment_name, Store::FindAdjustmentBySha(tx, sha));
  if (adjustment_name.has_value()) {
    ENAMND_ASSIGN_OR_RETURN(auto a, Store::GetAdjustment(tx, *adjustment_name));
    // The stored text must still hash to the recorded value.
    if (a.has_value() && platform::Sha256Hex(a->text()) == sha) {
      response->set_match(a->kind() == v1::Adjustment::KIND_PROTOCOL
                              ? v1::VerifyDocumentResponse::MATCH_PROTOCOL
                              : v1::VerifyDocumentResponse::MATCH_IMMEDIATE);
      response->set_name(a->name());
      *response->mutable_date() = a->adjusted_date();
      return absl::OkStatus();
    }
  }
  ENAMND_ASSIGN_OR_RETURN(auto extract, Store::FindExtractBySha(tx, sha));
  if (extract.has_value() && platform::Sha256Hex(extract->text()) == sha) {
    response->set_match(v1::VerifyDocumentResponse::MATCH_EXTRACT);
    response->set_name(extract->name());
    *response->mutable_date() = extract->certified_date();
    return absl::OkStatus();
  }
  response->set_match(v1::VerifyDocumentResponse::MATCH_NONE);
  return absl::OkStatus();
}

absl::Status MeetingsApi::VerifyChain(const v1::VerifyChainRequest& request,
                                      v1::VerifyChainResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string body_id, ParseBodyName(request.body(), "body"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, body_id));
  if (!body.has_value()) return NotFound("body", request.body());
  ENAMND_ASSIGN_OR_RETURN(auto chain, Store::ChainOfBody(tx, body_id));
  std::string previous;
  int64_t expected = 1;
  for (const auto& link : chain) {
    std::string problem;
    if (link.position != expected) {
      problem = absl::StrCat("chain position ", link.position, ", expected ", expected);
    } else if (platform::Sha256Hex(link.text) != link.sha256) {
      problem = "the stored text no longer matches its recorded SHA-256";
    } else if (link.data.sha256() != link.sha256) {
      problem = "the recorded SHA-256 differs between the record and its index";
    } else if (link.data.previous_sha256() != previous) {
      problem = "the link to the previous adjusted protocol does not match its SHA-256";
    }
    if (!problem.empty()) {
      response->set_intact(false);
      response->set_first_broken(link.name);
      response->set_problem(problem);
      response->set_links_checked(expected);
      return absl::OkStatus();
    }
    previous = link.sha256;
    response->set_links_checked(expected);
    ++expected;
  }
  response->set_intact(true);
  return absl::OkStatus();
}

absl::Status MeetingsApi::RunDeadlines(absl::CivilDay today) {
  std::vector<v1::Adjustment> due;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(auto open, Store::UnfinalizedAdjustments(tx));
    for (auto& a : open) {
      bool overdue =
          OverdueApplies(a, today) && a.notices_size() < a.required_municipalities_size();
      bool final = IsSet(a.appeal_deadline()) && today > ToCivil(a.appeal_deadline());
      if (overdue || final) due.push_back(std::move(a));
    }
  }
  for (const v1::Adjustment& seen : due) {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
    // Re-read under the write lock: another run may have done it.
    ENAMND_ASSIGN_OR_RETURN(auto current, Store::GetAdjustment(tx, seen.name()));
    if (!current.has_value() || current->finalized()) continue;
    v1::Adjustment a = *current;
    std::string meeting = a.name().substr(0, a.name().rfind("/adjustments/"));
    if (OverdueApplies(a, today)) {
      std::set<std::string> posted;
      for (const auto& n : a.notices()) posted.insert(n.municipality());
      for (const std::string& m : a.required_municipalities()) {
        if (posted.count(m) != 0) continue;
        ENAMND_ASSIGN_OR_RETURN(bool fresh, Store::MarkNoticeOverdue(tx, a.name(), m));
        if (!fresh) continue;
        v1::NoticeOverdue event;
        event.set_adjustment(a.name());
        event.set_municipality(m);
        *event.mutable_notice_deadline() = a.notice_deadline();
        event.set_meeting(meeting);
        ENAMND_RETURN_IF_ERROR(
            outbox_->Append(tx, event, a.name(), {m.substr(kMunicipalityPrefix.size())}).status());
      }
    }
    if (IsSet(a.appeal_deadline()) && today > ToCivil(a.appeal_deadline())) {
      ENAMND_ASSIGN_OR_RETURN(auto meeting_record, Store::GetMeeting(tx, meeting));
      ENAMND_ASSIGN_OR_RETURN(MeetingName mn, ParseMeetingName(meeting, "meeting"));
      ENAMND_ASSIGN_OR_RETURN(auto body, Store::GetBody(tx, mn.body_id));
      if (!meeting_record.has_value() || !body.has_value()) {
        return absl::InternalError("adjustment without meeting or body");
      }
      for (int number : a.paragraph_numbers()) {
        ENAMND_ASSIGN_OR_RETURN(
            auto p, Store::GetParagraph(tx, absl::StrCat(meeting, "/paragraphs/", number)));
        if (!p.has_value() || p->adjustment() != a.name() ||
            p->legal_state() != v1::Paragraph::LEGAL_STATE_ADJUSTED) {
          continue;  // appealed, or locked by an earlier immediate adjustment
        }
        v1::Paragraph updated = *p;
        updated.set_legal_state(v1::Paragraph::LEGAL_STATE_FINAL);
        *updated.mutable_legal_force_date() = a.legal_force_date();
        updated.clear_etag();
        ENAMND_RETURN_IF_ERROR(Store::UpdateParagraph(tx, updated));
        ENAMND_ASSIGN_OR_RETURN(auto c, Store::GetCase(tx, updated.case_()));
        v1::DecisionFinal event;
        event.set_paragraph(updated.name());
        event.set_number(updated.number());
        event.set_case_(updated.case_());
        event.set_case_number(updated.case_number());
        event.set_case_subject(c.has_value() ? c->subject() : "");
        event.set_title(updated.title());
        event.set_kind(updated.decision().kind());
        event.set_decision_text(updated.decision().text());
        event.set_body(body->name());
        event.set_body_display_name(body->display_name());
        event.set_meeting(meeting);
        *event.mutable_meeting_date() = meeting_record->date();
        *event.mutable_legal_force_date() = a.legal_force_date();
        event.set_adjustment(a.name());
        event.set_protocol_sha256(a.sha256());
        ENAMND_RETURN_IF_ERROR(
            outbox_->Append(tx, event, updated.name(), AudienceOf(updated)).status());
      }
      a.set_finalized(true);
      ENAMND_RETURN_IF_ERROR(Store::UpdateAdjustment(tx, a));
    }
    ENAMND_RETURN_IF_ERROR(tx.Commit());
  }
  return absl::OkStatus();
}

}  // namespace enamnd::meetings
