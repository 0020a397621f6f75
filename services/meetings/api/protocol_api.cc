// The protocol's legal life: rendering, justering, notices, appeals,
// corrections, extracts, verification and the deadline job. Each handler
// reads: load -> domain check (legal_state.h) -> store -> emit.
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/meetings/api/helpers.h"
#include "services/meetings/api/meetings_api.h"
#include "services/meetings/domain/content.h"
#include "services/meetings/domain/legal_state.h"
#include "services/meetings/domain/names.h"
#include "services/meetings/domain/protocol.h"
#include "services/meetings/domain/rules.h"
#include "services/meetings/domain/secrecy.h"
#include "services/meetings/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/document.h"
#include "services/platform/enums.h"
#include "services/platform/pdf.h"
#include "services/platform/sha256.h"
#include "services/platform/status.h"

namespace enamnd::meetings {
namespace {

using enamnd::common::v1::Date;
using platform::NowTimestamp;
using platform::ToCivil;
using platform::ToDate;
using platform::Transaction;

// The adjustment record of a justering rendered as `doc`, the next link of
// the body's chain after `previous`.
v1::Adjustment NewAdjustment(const AdjustmentName& name, const v1::Adjustment& stated,
                             const std::vector<v1::Paragraph>& covered, const v1::Body& body,
                             const std::optional<v1::Adjustment>& previous,
                             const RenderedDocument& doc, absl::CivilDay adjusted,
                             absl::CivilDay today) {
  v1::Adjustment a = stated;
  a.set_name(name.ToString());
  for (const auto& p : covered) a.add_paragraph_numbers(p.number());
  *a.mutable_adjusted_date() = ToDate(adjusted);
  *a.mutable_adjust_time() = NowTimestamp();
  a.set_text(doc.text);
  a.set_sha256(platform::Sha256Hex(doc.text));
  a.set_previous_sha256(previous ? previous->sha256() : "");
  a.set_chain_position(previous ? previous->chain_position() + 1 : 1);
  for (const v1::Seat& s : body.seats()) a.add_required_municipalities(s.municipality());
  *a.mutable_notice_deadline() = ToDate(NoticeDeadline(adjusted));
  *a.mutable_recorded_date() = ToDate(today);
  return a;
}

v1::DecisionFinal FinalEvent(const v1::Paragraph& p, const v1::Adjustment& a,
                             const MeetingAndBody& mb, const std::string& case_subject) {
  v1::DecisionFinal event;
  event.set_paragraph(p.name());
  event.set_number(p.number());
  event.set_case_(p.case_());
  event.set_case_number(p.case_number());
  event.set_case_subject(case_subject);
  event.set_title(p.title());
  event.set_kind(p.decision().kind());
  event.set_decision_text(p.decision().text());
  event.set_body(mb.body.name());
  event.set_body_display_name(mb.body.display_name());
  event.set_meeting(mb.meeting.name());
  *event.mutable_meeting_date() = mb.meeting.date();
  *event.mutable_legal_force_date() = a.legal_force_date();
  event.set_adjustment(a.name());
  event.set_protocol_sha256(a.sha256());
  if (IsSecret(p)) *event.mutable_secrecy() = p.secrecy();
  return event;
}

// DecisionFinal of `p`: redacted on the outbox, the full one sealed, when
// `p` is under secrecy.
absl::Status AppendFinal(Transaction& tx, platform::Outbox& outbox, const v1::Paragraph& p,
                         const v1::Adjustment& a, const MeetingAndBody& mb,
                         const std::string& case_subject) {
  v1::DecisionFinal event = FinalEvent(p, a, mb, case_subject);
  if (!IsSecret(p)) return outbox.Append(tx, event, p.name(), AudienceOf(p)).status();
  v1::DecisionFinal open = FinalEvent(Redacted(p), a, mb, case_subject);
  return AppendWithSealed(tx, outbox, open, &event, p.name(), AudienceOf(p));
}

// An event about paragraph `p` whose content `redact` hides when `p` is
// under secrecy: redacted on the outbox, the full one sealed.
template <typename Event>
absl::Status AppendAbout(Transaction& tx, platform::Outbox& outbox, const v1::Paragraph& p,
                         const Event& event, void (*redact)(const v1::Paragraph&, Event*)) {
  if (!IsSecret(p)) return outbox.Append(tx, event, p.name(), AudienceOf(p)).status();
  Event open = event;
  redact(p, &open);
  return AppendWithSealed(tx, outbox, open, &event, p.name(), AudienceOf(p));
}

void RedactAppealEvent(const v1::Paragraph& /*p*/, v1::AppealLodged* e) {
  *e->mutable_appeal() = RedactedAppeal(e->appeal());
}
void RedactCorrectionEvent(const v1::Paragraph& p, v1::ProtocolCorrected* e) {
  *e->mutable_correction() = RedactedCorrection(p.secrecy(), e->correction());
}

// The public version of a document rendered as `doc`, named later.
store::PublicVersion PublicVersionOf(const RenderedDocument& doc) {
  return store::PublicVersion{"", platform::Sha256Hex(doc.text), doc.text, doc.html};
}

// Gives a caller without the confidential role the public version of
// adjustment `a` (when it has one) in place of its text.
absl::Status RedactAdjustmentFor(Transaction& tx, const platform::Caller& caller,
                                 v1::Adjustment* a) {
  if (caller.SeesConfidential() || a->redacted_sha256().empty()) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto v, store::GetPublicVersion(tx, a->name()));
  if (!v.has_value()) return absl::InternalError("adjustment without its public version");
  a->set_text(v->text);
  a->set_redacted(true);
  return absl::OkStatus();
}

// The same for an extract: text, html (sha256 stays the certified one's).
absl::Status RedactExtractFor(Transaction& tx, const platform::Caller& caller, v1::Extract* e) {
  if (caller.SeesConfidential() || e->redacted_sha256().empty()) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(auto v, store::GetPublicVersion(tx, e->name()));
  if (!v.has_value()) return absl::InternalError("extract without its public version");
  e->set_text(v->text);
  e->set_html(v->html);
  e->set_redacted(true);
  return absl::OkStatus();
}

// NoticeOverdue for each member that has not posted the notice of `a`,
// once per member.
absl::Status RaiseNoticesOverdue(Transaction& tx, platform::Outbox& outbox,
                                 const AdjustmentName& name, const v1::Adjustment& a) {
  for (const std::string& m : MissingNotices(a)) {
    ENAMND_ASSIGN_OR_RETURN(bool fresh, store::MarkNoticeOverdue(tx, name, m));
    if (!fresh) continue;
    v1::NoticeOverdue event;
    event.set_adjustment(a.name());
    event.set_municipality(m);
    *event.mutable_notice_deadline() = a.notice_deadline();
    event.set_meeting(name.meeting.ToString());
    google::protobuf::RepeatedPtrField<std::string> audience;
    *audience.Add() = m;
    ENAMND_RETURN_IF_ERROR(outbox.Append(tx, event, a.name(), CodesOf(audience)).status());
  }
  return absl::OkStatus();
}

// The appeal period of `a` is over: its decisions not appealed become final.
absl::Status MakeFinal(Transaction& tx, platform::Outbox& outbox, const AdjustmentName& name,
                       v1::Adjustment a) {
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, name.meeting));
  for (int number : a.paragraph_numbers()) {
    ENAMND_ASSIGN_OR_RETURN(auto p, store::GetParagraph(tx, ParagraphName{name.meeting, number}));
    // Skipped: appealed, or locked by an earlier immediate adjustment.
    if (!p.has_value() || !CanBecomeFinal(*p, a)) continue;
    MarkFinal(a, &*p);
    ENAMND_RETURN_IF_ERROR(store::UpdateParagraph(tx, *p));
    ENAMND_ASSIGN_OR_RETURN(CaseName case_name, CaseName::Parse(p->case_(), "paragraph.case"));
    ENAMND_ASSIGN_OR_RETURN(auto c, store::GetCase(tx, case_name));
    ENAMND_RETURN_IF_ERROR(AppendFinal(tx, outbox, *p, a, mb, c.has_value() ? c->subject() : ""));
  }
  a.set_finalized(true);
  return store::UpdateAdjustment(tx, a);
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
  std::string place;
  std::string late_reason;
};

namespace {

// A document as adjusted or certified, and its public (redacted) version
// when a paragraph in it is under secrecy, with the blocks of each.
struct Documents {
  RenderedDocument full;
  std::optional<store::PublicVersion> open;
  std::vector<platform::Block> open_blocks;
};

// Renders `in` with `paragraphs`, and again redacted if any is secret.
Documents RenderBoth(ProtocolInput in, const std::vector<v1::Paragraph>& paragraphs) {
  in.paragraphs = paragraphs;
  Documents docs{RenderDocument(in), std::nullopt, {}};
  if (std::none_of(paragraphs.begin(), paragraphs.end(), IsSecret)) return docs;
  for (v1::Paragraph& p : in.paragraphs) p = Redacted(p);
  RenderedDocument open = RenderDocument(in);
  docs.open = PublicVersionOf(open);
  docs.open_blocks = std::move(open.blocks);
  return docs;
}

// Stores what `docs` were rendered from under `name`, for their PDF.
absl::Status StoreBlocks(Transaction& tx, const std::string& name, const Documents& docs) {
  ENAMND_RETURN_IF_ERROR(store::InsertDocumentBlocks(tx, name, store::DocumentVersion::kFull,
                                                     platform::EncodeBlocks(docs.full.blocks)));
  if (!docs.open.has_value()) return absl::OkStatus();
  return store::InsertDocumentBlocks(tx, name, store::DocumentVersion::kPublic,
                                     platform::EncodeBlocks(docs.open_blocks));
}

// The document of a justering: the covered paragraphs with their signers,
// naming the previous link so each hash covers the chain so far.
absl::StatusOr<Documents> RenderAdjustment(Transaction& tx, const MeetingName& meeting,
                                           const v1::Adjustment& a,
                                           const std::vector<v1::Paragraph>& covered,
                                           const std::string& previous_sha256) {
  ENAMND_ASSIGN_OR_RETURN(
      ProtocolInput in,
      LoadProtocolInput(tx, meeting,
                        a.kind() == v1::Adjustment::KIND_PROTOCOL ? DocumentKind::kProtocol
                                                                  : DocumentKind::kImmediate));
  in.chair = a.chair();
  in.adjusters.assign(a.adjusters().begin(), a.adjusters().end());
  in.previous_sha256 = previous_sha256;
  in.adjusted_date = ToCivil(a.adjusted_date());
  in.has_adjusted_date = true;
  in.adjustment_place = a.place();
  in.late = a.late();
  in.late_reason = a.late_reason();
  return RenderBoth(std::move(in), covered);
}

// What the document of a justering states of it: kind, signers, day, place
// and whether (and why) it is late.
v1::Adjustment StatedJustering(const MeetingsApi::AdjustInput& input, const v1::Meeting& meeting,
                               absl::CivilDay adjusted) {
  v1::Adjustment stated;
  stated.set_kind(input.kind);
  *stated.mutable_chair() = input.chair;
  *stated.mutable_adjusters() = input.adjusters;
  *stated.mutable_adjusted_date() = ToDate(adjusted);
  stated.set_place(JusteringPlace(input.place, meeting));
  stated.set_late(IsLateJustering(ToCivil(meeting.date()), adjusted));
  stated.set_late_reason(input.late_reason);
  return stated;
}

// Stores justering `a` with its documents and locks the paragraphs it covers.
absl::Status StoreAdjustment(Transaction& tx, const AdjustmentName& name, const v1::Adjustment& a,
                             const std::vector<v1::Paragraph>& covered, const Documents& docs) {
  for (v1::Paragraph p : covered) {
    if (IsAdjusted(p)) continue;  // adjusted at once earlier
    MarkAdjusted(a.name(), &p);
    ENAMND_RETURN_IF_ERROR(store::UpdateParagraph(tx, p));
  }
  ENAMND_RETURN_IF_ERROR(store::InsertAdjustment(tx, name, a, docs.full.html));
  ENAMND_RETURN_IF_ERROR(StoreBlocks(tx, a.name(), docs));
  if (!docs.open.has_value()) return absl::OkStatus();
  return store::InsertPublicVersion(tx, a.name(), *docs.open);
}

v1::ProtocolAdjusted AdjustedEvent(const v1::Adjustment& a, const MeetingAndBody& mb) {
  v1::ProtocolAdjusted event;
  *event.mutable_adjustment() = a;
  event.mutable_adjustment()->clear_text();
  event.set_body(mb.body.name());
  event.set_body_display_name(mb.body.display_name());
  event.set_meeting(mb.meeting.name());
  *event.mutable_meeting_date() = mb.meeting.date();
  return event;
}

// A certified extract of adjusted paragraph `p`, and its public version if
// `p` is under secrecy.
absl::StatusOr<v1::Extract> RenderExtract(Transaction& tx, const ParagraphName& name,
                                          const v1::Paragraph& p, const v1::Adjustment& a,
                                          const v1::Person& certified_by, absl::CivilDay day,
                                          Documents* rendered) {
  ENAMND_ASSIGN_OR_RETURN(ProtocolInput in,
                          LoadProtocolInput(tx, name.meeting, DocumentKind::kExtract));
  in.certified_by = certified_by;
  in.certified_date = day;
  in.adjustment_name = a.name();
  in.protocol_sha256 = a.sha256();
  in.adjusted_date = ToCivil(a.adjusted_date());
  *rendered = RenderBoth(std::move(in), {p});
  const RenderedDocument& doc = rendered->full;
  v1::Extract e;
  if (rendered->open.has_value()) e.set_redacted_sha256(rendered->open->sha256);
  e.set_paragraph(p.name());
  e.set_adjustment(a.name());
  e.set_protocol_sha256(a.sha256());
  *e.mutable_certified_by() = certified_by;
  *e.mutable_certified_date() = ToDate(day);
  e.set_sha256(platform::Sha256Hex(doc.text));
  e.set_text(doc.text);
  e.set_html(doc.html);
  return e;
}

// The blocks of stored document `name` (an adjustment or extract) as the
// caller may read them. Documents adjusted before blocks were stored are
// rendered anew by `rebuild` and used only if they hash as adjusted.
absl::StatusOr<std::vector<platform::Block>> BlocksOf(
    Transaction& tx, const std::string& name, bool public_version, const std::string& sha256,
    const std::function<absl::StatusOr<Documents>()>& rebuild) {
  ENAMND_ASSIGN_OR_RETURN(auto stored,
                          store::GetDocumentBlocks(tx, name,
                                                   public_version ? store::DocumentVersion::kPublic
                                                                  : store::DocumentVersion::kFull));
  if (stored.has_value()) return platform::DecodeBlocks(*stored, name);
  ENAMND_ASSIGN_OR_RETURN(Documents docs, rebuild());
  const bool same = public_version ? docs.open.has_value() && docs.open->sha256 == sha256
                                   : platform::Sha256Hex(docs.full.text) == sha256;
  if (!same) {
    return absl::FailedPreconditionError(
        absl::StrCat(name,
                     " was adjusted before this version stored its PDF layout, and rendered "
                     "anew it no longer hashes as adjusted (the layout or the records have "
                     "changed since); only its text and HTML are available"));
  }
  return public_version ? docs.open_blocks : docs.full.blocks;
}

// A PDF to render once the transaction that read its parts has ended: a
// render takes long and one at a time, and must not hold the reader.
struct PendingPdf {
  std::vector<platform::Block> blocks;
  PdfContext context;
  std::string file_suffix;  // e.g. "-p12" for an extract
};

absl::StatusOr<enamnd::common::v1::RenderedFile> RenderPending(PendingPdf pending) {
  std::string file_name = PdfFileName(pending.context, pending.file_suffix);
  return platform::RenderPdfFile(ProtocolPdf(std::move(pending.blocks), pending.context),
                                 std::move(file_name));
}

// The adjusted paragraphs `a` covers, as stored.
absl::StatusOr<std::vector<v1::Paragraph>> CoveredBy(Transaction& tx, const MeetingName& meeting,
                                                     const v1::Adjustment& a) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Paragraph> all, store::ParagraphsOfMeeting(tx, meeting));
  std::vector<v1::Paragraph> covered;
  for (v1::Paragraph& p : all) {
    if (std::find(a.paragraph_numbers().begin(), a.paragraph_numbers().end(), p.number()) !=
        a.paragraph_numbers().end()) {
      covered.push_back(std::move(p));
    }
  }
  return covered;
}

// Keeps of `r` what `format` asks for.
void KeepFormat(enamnd::common::v1::DocumentFormat format, v1::RenderedProtocol* r) {
  using enamnd::common::v1::DocumentFormat;
  if (format == DocumentFormat::DOCUMENT_FORMAT_TEXT ||
      format == DocumentFormat::DOCUMENT_FORMAT_PDF)
    r->clear_html();
  if (format == DocumentFormat::DOCUMENT_FORMAT_HTML ||
      format == DocumentFormat::DOCUMENT_FORMAT_PDF)
    r->clear_text();
}

void ShowPublicVersion(const store::PublicVersion& open, v1::RenderedProtocol* r) {
  r->set_text(open.text);
  r->set_html(open.html);
  r->set_sha256(open.sha256);
  r->set_redacted(true);
}

// What VerifyDocument answers for the public version `open` of an adjusted
// document or extract.
absl::Status MatchPublicVersion(Transaction& tx, const store::PublicVersion& open,
                                v1::VerifyDocumentResponse* response) {
  response->set_redacted(true);
  response->set_name(open.name);
  if (absl::StatusOr<AdjustmentName> a = AdjustmentName::Parse(open.name, "name"); a.ok()) {
    ENAMND_ASSIGN_OR_RETURN(auto found, store::GetAdjustment(tx, *a));
    if (!found.has_value()) return absl::InternalError("public version without its adjustment");
    response->set_match(found->kind() == v1::Adjustment::KIND_PROTOCOL
                            ? v1::VerifyDocumentResponse::MATCH_PROTOCOL
                            : v1::VerifyDocumentResponse::MATCH_IMMEDIATE);
    *response->mutable_date() = found->adjusted_date();
    response->set_document_sha256(found->sha256());
    return absl::OkStatus();
  }
  ENAMND_ASSIGN_OR_RETURN(ExtractName e, ExtractName::Parse(open.name, "name"));
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetExtract(tx, e));
  if (!found.has_value()) return absl::InternalError("public version without its extract");
  response->set_match(v1::VerifyDocumentResponse::MATCH_EXTRACT);
  *response->mutable_date() = found->certified_date();
  response->set_document_sha256(found->sha256());
  return absl::OkStatus();
}

// RenderProtocol of a meeting whose protocol `a` adjusted: the text and HTML
// stored at justering (or their public version), and with `pdf` its PDF.
absl::Status ShowAdjusted(Transaction& tx, const platform::Caller& caller,
                          const MeetingName& meeting, const v1::Adjustment& a, bool pdf,
                          PdfContext context, v1::RenderedProtocol* response,
                          std::optional<PendingPdf>* pending) {
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName name, AdjustmentName::Parse(a.name(), "adjustment"));
  ENAMND_ASSIGN_OR_RETURN(auto html, store::GetAdjustmentHtml(tx, name));
  if (!html.has_value()) return absl::InternalError("adjustment without its HTML");
  response->set_text(a.text());
  response->set_html(*html);
  response->set_sha256(a.sha256());
  response->set_adjustment(a.name());
  const bool open = !caller.SeesConfidential() && !a.redacted_sha256().empty();
  if (open) {
    ENAMND_ASSIGN_OR_RETURN(auto version, store::GetPublicVersion(tx, a.name()));
    if (!version.has_value()) return absl::InternalError("adjustment without its public version");
    ShowPublicVersion(*version, response);
  }
  if (!pdf) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<platform::Block> blocks,
      BlocksOf(tx, a.name(), open, open ? a.redacted_sha256() : a.sha256(),
               [&]() -> absl::StatusOr<Documents> {
                 ENAMND_ASSIGN_OR_RETURN(auto covered, CoveredBy(tx, meeting, a));
                 return RenderAdjustment(tx, meeting, a, covered, a.previous_sha256());
               }));
  context.adjustment = a;
  *pending = PendingPdf{std::move(blocks), std::move(context), ""};
  return absl::OkStatus();
}

// RenderProtocol of a draft, for those who prepare and adjust it only.
absl::Status ShowDraft(Transaction& tx, const platform::Caller& caller, const MeetingName& meeting,
                       ProtocolInput in, bool pdf, v1::RenderedProtocol* response,
                       std::optional<PendingPdf>* pending) {
  ENAMND_RETURN_IF_ERROR(caller.RequireDraftAccess(meeting.ToString()));
  ENAMND_ASSIGN_OR_RETURN(auto paragraphs, store::ParagraphsOfMeeting(tx, meeting));
  PdfContext context = PdfContextOf(in);
  const v1::Attendance& planned = in.meeting.attendance();
  in.adjustment_place = JusteringPlace("", in.meeting);
  if (platform::IsSet(planned.adjustment_date())) {
    in.adjusted_date = ToCivil(planned.adjustment_date());
    in.has_adjusted_date = true;
  }
  Documents docs = RenderBoth(std::move(in), paragraphs);
  response->set_text(docs.full.text);
  response->set_html(docs.full.html);
  response->set_sha256(platform::Sha256Hex(docs.full.text));
  const bool open = !caller.SeesConfidential() && docs.open.has_value();
  if (open) ShowPublicVersion(*docs.open, response);
  if (pdf) {
    *pending = PendingPdf{open ? std::move(docs.open_blocks) : std::move(docs.full.blocks),
                          std::move(context), ""};
  }
  return absl::OkStatus();
}

// The parts of extract `record`'s PDF, read in `tx`.
absl::StatusOr<PendingPdf> ExtractPdfParts(Transaction& tx, const v1::Extract& record) {
  const v1::Extract* e = &record;
  ENAMND_ASSIGN_OR_RETURN(ExtractName extract, ExtractName::Parse(e->name(), "extract"));
  const ParagraphName& paragraph = extract.paragraph;
  ENAMND_ASSIGN_OR_RETURN(auto p, store::GetParagraph(tx, paragraph));
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName adjustment_name,
                          AdjustmentName::Parse(e->adjustment(), "extract.adjustment"));
  ENAMND_ASSIGN_OR_RETURN(auto adjustment, store::GetAdjustment(tx, adjustment_name));
  if (!p.has_value() || !adjustment.has_value()) {
    return absl::InternalError("extract without its paragraph or adjustment");
  }
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<platform::Block> blocks,
      BlocksOf(tx, e->name(), e->redacted(), e->redacted() ? e->redacted_sha256() : e->sha256(),
               [&]() -> absl::StatusOr<Documents> {
                 Documents docs;
                 ENAMND_RETURN_IF_ERROR(RenderExtract(tx, paragraph, *p, *adjustment,
                                                      e->certified_by(),
                                                      ToCivil(e->certified_date()), &docs)
                                            .status());
                 return docs;
               }));
  ENAMND_ASSIGN_OR_RETURN(ProtocolInput in,
                          LoadProtocolInput(tx, paragraph.meeting, DocumentKind::kExtract));
  PdfContext context = PdfContextOf(in);
  context.adjustment = *adjustment;
  context.extract_sha256 = e->redacted() ? e->redacted_sha256() : e->sha256();
  context.certified_date = ToCivil(e->certified_date());
  return PendingPdf{std::move(blocks), std::move(context), absl::StrCat("-p", p->number())};
}

}  // namespace

absl::Status MeetingsApi::RenderProtocol(const platform::Caller& caller,
                                         const v1::RenderProtocolRequest& request,
                                         v1::RenderedProtocol* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName meeting, MeetingName::Parse(request.meeting(), "meeting"));
  ENAMND_RETURN_IF_ERROR(platform::AllowEnumValue(
      request.format(), enamnd::common::v1::DocumentFormat_descriptor(), "format"));
  const bool pdf = request.format() == enamnd::common::v1::DOCUMENT_FORMAT_PDF;
  response->set_meeting(request.meeting());
  std::optional<PendingPdf> pending;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(ProtocolInput in,
                            LoadProtocolInput(tx, meeting, DocumentKind::kProtocol));
    ENAMND_ASSIGN_OR_RETURN(auto adjustments, store::AdjustmentsOfMeeting(tx, meeting));
    auto adjusted = std::find_if(adjustments.begin(), adjustments.end(), [](const auto& a) {
      return a.kind() == v1::Adjustment::KIND_PROTOCOL;
    });
    ENAMND_RETURN_IF_ERROR(
        adjusted != adjustments.end()
            ? ShowAdjusted(tx, caller, meeting, *adjusted, pdf, PdfContextOf(in), response,
                           &pending)
            : ShowDraft(tx, caller, meeting, std::move(in), pdf, response, &pending));
  }
  if (pending.has_value()) {
    ENAMND_ASSIGN_OR_RETURN(*response->mutable_pdf(), RenderPending(std::move(*pending)));
  }
  KeepFormat(request.format(), response);
  return absl::OkStatus();
}

absl::Status MeetingsApi::AdjustProtocol(const platform::Caller& caller,
                                         const v1::AdjustProtocolRequest& request,
                                         v1::Adjustment* response) {
  AdjustInput in{request.meeting(),
                 v1::Adjustment::KIND_PROTOCOL,
                 {},
                 request.chair(),
                 request.adjusters(),
                 request.adjusted_date(),
                 request.request_id(),
                 "AdjustProtocol",
                 request.place(),
                 request.late_reason()};
  return Adjust(caller, in, response);
}

absl::Status MeetingsApi::AdjustParagraphs(const platform::Caller& caller,
                                           const v1::AdjustParagraphsRequest& request,
                                           v1::Adjustment* response) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<int> numbers,
                          ParseParagraphNumbers(request.paragraph_numbers()));
  AdjustInput in{
      request.meeting(),   v1::Adjustment::KIND_IMMEDIATE, std::move(numbers),   request.chair(),
      request.adjusters(), request.adjusted_date(),        request.request_id(), "AdjustParagraphs",
      request.place(),     request.late_reason()};
  return Adjust(caller, in, response);
}

absl::Status MeetingsApi::Adjust(const platform::Caller& caller, const AdjustInput& input,
                                 v1::Adjustment* response) {
  ENAMND_ASSIGN_OR_RETURN(MeetingName meeting, MeetingName::Parse(input.meeting, "meeting"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(input.request_id));
  ENAMND_RETURN_IF_ERROR(ValidateJusteringText(input.place, input.late_reason));
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay adjusted,
                          DayOrToday(input.adjusted_date, "adjusted_date", today));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed, platform::Replayed(tx, input.method, input.request_id,
                                                            platform::ByStoredName<AdjustmentName>(
                                                                tx, store::GetAdjustment),
                                                            response));
  if (replayed) {
    ENAMND_RETURN_IF_ERROR(RedactAdjustmentFor(tx, caller, response));
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_ASSIGN_OR_RETURN(MeetingAndBody mb, LoadMeetingAndBody(tx, meeting));
  ENAMND_ASSIGN_OR_RETURN(auto of_meeting, store::AdjustmentsOfMeeting(tx, meeting));
  ENAMND_RETURN_IF_ERROR(CheckAdjustable(mb.meeting, of_meeting, adjusted));
  ENAMND_RETURN_IF_ERROR(
      CheckJusteringReason(ToCivil(mb.meeting.date()), adjusted, input.late_reason));
  ENAMND_RETURN_IF_ERROR(
      ValidateSigners(mb.body, mb.meeting.attendance(), input.chair, input.adjusters));
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Paragraph> all, store::ParagraphsOfMeeting(tx, meeting));
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Paragraph> covered,
                          CoveredParagraphs(input.kind, input.numbers, all, input.meeting));

  ENAMND_ASSIGN_OR_RETURN(auto previous, store::LastAdjustmentOfBody(tx, meeting.body));
  const AdjustmentName name{meeting, static_cast<int>(of_meeting.size()) + 1};
  const v1::Adjustment stated = StatedJustering(input, mb.meeting, adjusted);
  ENAMND_ASSIGN_OR_RETURN(Documents docs, RenderAdjustment(tx, meeting, stated, covered,
                                                           previous ? previous->sha256() : ""));
  v1::Adjustment a =
      NewAdjustment(name, stated, covered, mb.body, previous, docs.full, adjusted, today);
  if (docs.open.has_value()) a.set_redacted_sha256(docs.open->sha256);
  a.set_create_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(StoreAdjustment(tx, name, a, covered, docs));
  ENAMND_RETURN_IF_ERROR(platform::SaveRequest(tx, input.method, input.request_id, a.name()));
  ENAMND_RETURN_IF_ERROR(
      outbox_->Append(tx, AdjustedEvent(a, mb), a.name(), CodesOf(a.required_municipalities()))
          .status());
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, a.name()));
  *response = a;
  if (!caller.SeesConfidential() && docs.open.has_value()) {
    response->set_text(docs.open->text);
    response->set_redacted(true);
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::GetAdjustment(const platform::Caller& caller,
                                        const v1::GetAdjustmentRequest& request,
                                        v1::Adjustment* response) {
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName name, AdjustmentName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetAdjustment(tx, name));
  if (!found.has_value()) return platform::NotFound("adjustment", request.name());
  *response = *std::move(found);
  return RedactAdjustmentFor(tx, caller, response);
}

absl::Status MeetingsApi::ListAdjustments(const platform::Caller& caller,
                                          const v1::ListAdjustmentsRequest& request,
                                          v1::ListAdjustmentsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(AdjustmentFilter filter, ParseAdjustmentParent(request.parent()));
  const std::string scope = absl::StrCat("ListAdjustments|", request.parent());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto page, store::ListAdjustments(tx, scope, filter, request.page_size(),
                                                            request.page_token()));
  for (v1::Adjustment& a : page.items) {
    ENAMND_RETURN_IF_ERROR(RedactAdjustmentFor(tx, caller, &a));
    *response->add_adjustments() = std::move(a);
  }
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordNoticePosting(const platform::Caller& caller,
                                              const v1::RecordNoticePostingRequest& request,
                                              v1::Adjustment* response) {
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName name,
                          AdjustmentName::Parse(request.adjustment(), "adjustment"));
  ENAMND_ASSIGN_OR_RETURN(MunicipalityName municipality,
                          MunicipalityName::Parse(request.municipality(), "municipality"));
  // A municipality's system posts only its own notice.
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(municipality.code, request.municipality()));
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay posted,
                          RequiredPastDay(request.posted_date(), "posted_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetAdjustment(tx, name));
  if (!found.has_value()) return platform::NotFound("adjustment", request.adjustment());
  v1::Adjustment a = *found;
  ENAMND_ASSIGN_OR_RETURN(v1::NoticePosting notice,
                          RecordNotice(request.municipality(), posted, &a));
  ENAMND_RETURN_IF_ERROR(store::UpdateAdjustment(tx, a));
  v1::NoticePosted event;
  event.set_adjustment(a.name());
  event.set_municipality(request.municipality());
  *event.mutable_posted_date() = notice.posted_date();
  event.set_late(notice.late());
  event.set_all_posted(AllNoticesPosted(a));
  if (event.all_posted()) {
    *event.mutable_appeal_deadline() = a.appeal_deadline();
    *event.mutable_legal_force_date() = a.legal_force_date();
  }
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, a.name(), {municipality.code}).status());
  ENAMND_RETURN_IF_ERROR(RedactAdjustmentFor(tx, caller, &a));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, a.name()));
  *response = a;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordAppeal(const platform::Caller& caller,
                                       const v1::RecordAppealRequest& request,
                                       v1::Appeal* response) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name,
                          ParagraphName::Parse(request.paragraph(), "paragraph"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidateAppeal(request.appeal()));
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay lodged, DayOrToday(request.appeal().lodged_date(),
                                                            "appeal.lodged_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed, platform::Replayed(
                         tx, "RecordAppeal", request.request_id(),
                         [&](const std::string& made) { return FindAppeal(tx, made); }, response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetParagraph(tx, name));
  if (!found.has_value()) return platform::NotFound("paragraph", request.paragraph());
  v1::Paragraph p = *found;
  ENAMND_RETURN_IF_ERROR(CheckAppealable(p));
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName adjustment_name,
                          AdjustmentName::Parse(p.adjustment(), "paragraph.adjustment"));
  ENAMND_ASSIGN_OR_RETURN(auto adjustment, store::GetAdjustment(tx, adjustment_name));
  if (!adjustment.has_value()) return absl::InternalError("paragraph without its adjustment");
  ENAMND_RETURN_IF_ERROR(CheckAppealDate(*adjustment, lodged));
  v1::Appeal appeal = request.appeal();
  appeal.set_name(AppealName{name, p.appeals_size() + 1}.ToString());
  *appeal.mutable_lodged_date() = ToDate(lodged);
  *appeal.mutable_create_time() = NowTimestamp();
  appeal.set_create_principal(caller.principal());
  MarkAppealed(appeal, &p);
  ENAMND_RETURN_IF_ERROR(store::UpdateParagraph(tx, p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordAppeal", request.request_id(), appeal.name()));
  v1::AppealLodged event;
  event.set_paragraph(p.name());
  event.set_case_number(p.case_number());
  *event.mutable_appeal() = appeal;
  ENAMND_RETURN_IF_ERROR(AppendAbout(tx, *outbox_, p, event, &RedactAppealEvent));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, p.name()));
  *response = appeal;
  return absl::OkStatus();
}

absl::Status MeetingsApi::RecordCorrection(const platform::Caller& caller,
                                           const v1::RecordCorrectionRequest& request,
                                           v1::Correction* response) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name,
                          ParagraphName::Parse(request.paragraph(), "paragraph"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidateCorrection(request.correction()));
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay day,
                          DayOrToday(request.correction().correction_date(),
                                     "correction.correction_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::Replayed(
          tx, "RecordCorrection", request.request_id(),
          [&](const std::string& made) { return FindCorrection(tx, made); }, response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetParagraph(tx, name));
  if (!found.has_value()) return platform::NotFound("paragraph", request.paragraph());
  v1::Paragraph p = *found;
  ENAMND_RETURN_IF_ERROR(CheckCorrectable(p));
  v1::Correction c = request.correction();
  c.set_name(CorrectionName{name, p.corrections_size() + 1}.ToString());
  *c.mutable_correction_date() = ToDate(day);
  *c.mutable_create_time() = NowTimestamp();
  c.set_create_principal(caller.principal());
  *p.add_corrections() = c;
  ENAMND_RETURN_IF_ERROR(store::UpdateParagraph(tx, p));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "RecordCorrection", request.request_id(), c.name()));
  v1::ProtocolCorrected event;
  event.set_paragraph(p.name());
  *event.mutable_correction() = c;
  ENAMND_RETURN_IF_ERROR(AppendAbout(tx, *outbox_, p, event, &RedactCorrectionEvent));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, c.name()));
  *response = c;
  return absl::OkStatus();
}

absl::Status MeetingsApi::CreateExtract(const platform::Caller& caller,
                                        const v1::CreateExtractRequest& request,
                                        v1::Extract* response) {
  ENAMND_RETURN_IF_ERROR(CertifyExtract(caller, request, response));
  if (request.format() != enamnd::common::v1::DOCUMENT_FORMAT_PDF) return absl::OkStatus();
  // Read after the commit, rendered after the read.
  std::optional<PendingPdf> pending;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(pending, ExtractPdfParts(tx, *response));
  }
  ENAMND_ASSIGN_OR_RETURN(*response->mutable_pdf(), RenderPending(std::move(*pending)));
  return absl::OkStatus();
}

absl::Status MeetingsApi::CertifyExtract(const platform::Caller& caller,
                                         const v1::CreateExtractRequest& request,
                                         v1::Extract* response) {
  ENAMND_ASSIGN_OR_RETURN(ParagraphName name,
                          ParagraphName::Parse(request.paragraph(), "paragraph"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(platform::AllowEnumValue(
      request.format(), enamnd::common::v1::DocumentFormat_descriptor(), "format"));
  ENAMND_RETURN_IF_ERROR(ValidatePerson(request.certified_by(), "certified_by", true));
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay day,
                          DayOrToday(request.certified_date(), "certified_date", clock_->Today()));

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::Replayed(tx, "CreateExtract", request.request_id(),
                         platform::ByStoredName<ExtractName>(tx, store::GetExtract), response));
  if (replayed) {
    ENAMND_RETURN_IF_ERROR(RedactExtractFor(tx, caller, response));
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_ASSIGN_OR_RETURN(auto p, store::GetParagraph(tx, name));
  if (!p.has_value()) return platform::NotFound("paragraph", request.paragraph());
  ENAMND_RETURN_IF_ERROR(CheckExtractable(*p));
  ENAMND_ASSIGN_OR_RETURN(AdjustmentName adjustment_name,
                          AdjustmentName::Parse(p->adjustment(), "paragraph.adjustment"));
  ENAMND_ASSIGN_OR_RETURN(auto adjustment, store::GetAdjustment(tx, adjustment_name));
  if (!adjustment.has_value()) return absl::InternalError("paragraph without its adjustment");
  Documents docs;
  ENAMND_ASSIGN_OR_RETURN(
      v1::Extract e, RenderExtract(tx, name, *p, *adjustment, request.certified_by(), day, &docs));
  const std::optional<store::PublicVersion>& open = docs.open;
  ENAMND_ASSIGN_OR_RETURN(auto existing, store::ExtractsOfParagraph(tx, name));
  for (const auto& earlier : existing) {
    // The same certification again: the same document.
    if (earlier.sha256() == e.sha256()) {
      *response = earlier;
      ENAMND_RETURN_IF_ERROR(RedactExtractFor(tx, caller, response));
      return platform::CommitAudited(tx, caller, earlier.name(), platform::kOutcomeReplayed);
    }
  }
  e.set_name(ExtractName{name, static_cast<int>(existing.size()) + 1}.ToString());
  *e.mutable_create_time() = NowTimestamp();
  e.set_create_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertExtract(tx, e));
  ENAMND_RETURN_IF_ERROR(StoreBlocks(tx, e.name(), docs));
  if (open.has_value()) ENAMND_RETURN_IF_ERROR(store::InsertPublicVersion(tx, e.name(), *open));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateExtract", request.request_id(), e.name()));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, e.name()));
  *response = e;
  if (!caller.SeesConfidential() && open.has_value()) {
    response->set_text(open->text);
    response->set_html(open->html);
    response->set_redacted(true);
  }
  return absl::OkStatus();
}

absl::Status MeetingsApi::VerifyDocument(const platform::Caller& /*caller*/,
                                         const v1::VerifyDocumentRequest& request,
                                         v1::VerifyDocumentResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(std::string sha, DocumentSha256(request));
  response->set_sha256(sha);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto a, store::FindAdjustmentBySha(tx, sha));
  // The stored text must still hash to the recorded value.
  if (a.has_value() && platform::Sha256Hex(a->text()) == sha) {
    response->set_match(a->kind() == v1::Adjustment::KIND_PROTOCOL
                            ? v1::VerifyDocumentResponse::MATCH_PROTOCOL
                            : v1::VerifyDocumentResponse::MATCH_IMMEDIATE);
    response->set_name(a->name());
    *response->mutable_date() = a->adjusted_date();
    return absl::OkStatus();
  }
  ENAMND_ASSIGN_OR_RETURN(auto extract, store::FindExtractBySha(tx, sha));
  if (extract.has_value() && platform::Sha256Hex(extract->text()) == sha) {
    response->set_match(v1::VerifyDocumentResponse::MATCH_EXTRACT);
    response->set_name(extract->name());
    *response->mutable_date() = extract->certified_date();
    return absl::OkStatus();
  }
  // The public (redacted) version of a document with a paragraph under secrecy.
  ENAMND_ASSIGN_OR_RETURN(auto open, store::FindPublicVersionBySha(tx, sha));
  if (open.has_value() && platform::Sha256Hex(open->text) == sha) {
    return MatchPublicVersion(tx, *open, response);
  }
  response->set_match(v1::VerifyDocumentResponse::MATCH_NONE);
  return absl::OkStatus();
}

absl::Status MeetingsApi::VerifyChain(const platform::Caller& /*caller*/,
                                      const v1::VerifyChainRequest& request,
                                      v1::VerifyChainResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(BodyName body, BodyName::Parse(request.body(), "body"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetBody(tx, body));
  if (!found.has_value()) return platform::NotFound("body", request.body());
  ENAMND_ASSIGN_OR_RETURN(auto chain, store::ChainOfBody(tx, body));
  VerifyChainLinks(chain, response);
  return absl::OkStatus();
}

absl::Status MeetingsApi::RunDeadlines(absl::CivilDay today) {
  std::vector<v1::Adjustment> due;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(auto open, store::UnfinalizedAdjustments(tx));
    for (auto& a : open) {
      if (DeadlineDue(a, today)) due.push_back(std::move(a));
    }
  }
  for (const v1::Adjustment& seen : due) {
    ENAMND_ASSIGN_OR_RETURN(AdjustmentName name, AdjustmentName::Parse(seen.name(), "adjustment"));
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
    // Re-read under the write lock: another run may have done it.
    ENAMND_ASSIGN_OR_RETURN(auto current, store::GetAdjustment(tx, name));
    if (!current.has_value() || current->finalized()) continue;
    if (NoticeOverdue(*current, today)) {
      ENAMND_RETURN_IF_ERROR(RaiseNoticesOverdue(tx, *outbox_, name, *current));
    }
    if (AppealPeriodOver(*current, today)) {
      ENAMND_RETURN_IF_ERROR(MakeFinal(tx, *outbox_, name, *current));
    }
    ENAMND_RETURN_IF_ERROR(tx.Commit());
  }
  return absl::OkStatus();
}

}  // namespace enamnd::meetings
