// Each handler reads: parse names -> load -> domain check -> store -> emit.
// The rules live in services/projects/domain, the SQL in
// services/projects/store.
#include "services/projects/api/projects_api.h"

#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "enamnd/projects/v1/events.pb.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/log.h"
#include "services/platform/members.h"
#include "services/platform/pdf.h"
#include "services/platform/requests.h"
#include "services/platform/sha256.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"
#include "services/projects/domain/initiatives.h"
#include "services/projects/domain/portfolio.h"
#include "services/projects/store/store.h"

namespace enamnd::projects {
namespace {

using platform::NowTimestamp;
using platform::Transaction;

constexpr char kInitiativeSubjectPrefix[] = "//projects/initiatives/";

// The roles that read every initiative; a caller with none of them (role
// public) reads active initiatives only.
bool ReadsEveryInitiative(const platform::Caller& caller) {
  for (const char* role :
       {"coordinator", "secretary", "finance", "auditor", "municipality-system"}) {
    if (caller.HasRole(role)) return true;
  }
  return false;
}

void Stamp(const platform::Caller& caller, v1::Initiative* in) {
  *in->mutable_update_time() = NowTimestamp();
  in->set_update_principal(caller.principal());
}

}  // namespace

absl::Status ProjectsApi::Save(Transaction& tx, const platform::Caller& caller,
                               v1::Initiative* in) {
  Stamp(caller, in);
  ENAMND_RETURN_IF_ERROR(store::ReplaceInitiative(tx, in));
  return store::CompleteInitiative(tx, in);
}

absl::StatusOr<v1::Initiative> ProjectsApi::Readable(Transaction& tx,
                                                     const platform::Caller& caller,
                                                     const InitiativeName& name) {
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, platform::Required(store::GetInitiative(tx, name),
                                                                "initiative", name.ToString()));
  if (!IsActive(in.state()) && !ReadsEveryInitiative(caller)) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.method(), ": ", in.name(), " is ", v1::State_Name(in.state()), "; ",
                     caller.principal(), " may read active initiatives only"));
  }
  return in;
}

absl::StatusOr<v1::Initiative> ProjectsApi::Writable(Transaction& tx, absl::string_view text,
                                                     absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(InitiativeName name, InitiativeName::Parse(text, field));
  return platform::Required(store::GetInitiative(tx, name), "initiative", text);
}

absl::Status ProjectsApi::CheckMembers(Transaction& tx, const v1::Initiative& in) {
  for (int i = 0; i < in.participations_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, in.participations(i).municipality(),
                                absl::StrCat("initiative.participations[", i, "].municipality"))
            .status());
  }
  for (int i = 0; i < in.steering_group_size(); ++i) {
    if (in.steering_group(i).municipality().empty()) continue;
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, in.steering_group(i).municipality(),
                                absl::StrCat("initiative.steering_group[", i, "].municipality"))
            .status());
  }
  return absl::OkStatus();
}

absl::Status ProjectsApi::EmitParticipation(Transaction& tx, const v1::Initiative& in,
                                            const v1::Participation& participation) {
  ENAMND_ASSIGN_OR_RETURN(std::string code, platform::ParseMunicipalityName(
                                                participation.municipality(), "municipality"));
  v1::ParticipationChanged event;
  event.set_initiative(in.name());
  *event.mutable_participation() = participation;
  event.set_budget_line(in.budget_line());
  return outbox_->Append(tx, event, in.name(), {code}).status();
}

// ------------------------------------------------------------ initiatives

absl::Status ProjectsApi::CreateInitiative(const platform::Caller& caller,
                                           const v1::CreateInitiativeRequest& request,
                                           v1::Initiative* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.initiative_id(), "initiative_id"));
  const InitiativeName name{request.initiative_id()};
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, NewInitiative(name, request.initiative(),
                                                           request.since_date(), clock_->Today()));
  *in.mutable_create_time() = NowTimestamp();
  *in.mutable_update_time() = in.create_time();
  in.set_create_principal(caller.principal());
  in.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(tx, "CreateInitiative", request.request_id(), in.name(),
                                 platform::ByStoredName<InitiativeName>(tx, store::GetInitiative),
                                 response));
  if (replayed) {
    ENAMND_RETURN_IF_ERROR(store::CompleteInitiative(tx, response));
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(CheckMembers(tx, in));
  ENAMND_RETURN_IF_ERROR(store::InsertInitiative(tx, &in));
  ENAMND_RETURN_IF_ERROR(store::CompleteInitiative(tx, &in));  // decisions may have come first
  v1::InitiativeCreated created;
  *created.mutable_initiative() = in;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, created, in.name()).status());
  for (const v1::Participation& p : in.participations()) {
    ENAMND_RETURN_IF_ERROR(EmitParticipation(tx, in, p));
  }
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

absl::Status ProjectsApi::GetInitiative(const platform::Caller& caller,
                                        const v1::GetInitiativeRequest& request,
                                        v1::Initiative* response) {
  ENAMND_ASSIGN_OR_RETURN(InitiativeName name, InitiativeName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, Readable(tx, caller, name));
  return store::CompleteInitiative(tx, response);
}

absl::Status ProjectsApi::ListInitiatives(const platform::Caller& caller,
                                          const v1::ListInitiativesRequest& request,
                                          v1::ListInitiativesResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(InitiativeFilter filter, ParseInitiativeFilter(request.filter()));
  const bool active_only = !ReadsEveryInitiative(caller);
  if (active_only && filter.active == false) return absl::OkStatus();  // none it may read
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  if (filter.municipality.has_value()) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, *filter.municipality, "filter.municipality").status());
  }
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          store::ListInitiatives(tx, filter, active_only, request.filter(),
                                                 request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListInitiativesResponse::mutable_initiatives, response);
  return absl::OkStatus();
}

absl::Status ProjectsApi::UpdateInitiative(const platform::Caller& caller,
                                           const v1::UpdateInitiativeRequest& request,
                                           v1::Initiative* response) {
  const v1::Initiative& given = request.initiative();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateMask(request.update_mask(), UpdatableInitiativeFields()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, Writable(tx, given.name(), "initiative.name"));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(given.etag(), in.etag(), in.name()));
  platform::ApplyMask(request.update_mask(), given, &in);
  ENAMND_RETURN_IF_ERROR(ValidateInitiative(in, "initiative"));
  ENAMND_RETURN_IF_ERROR(CheckMembers(tx, in));
  ENAMND_RETURN_IF_ERROR(Save(tx, caller, &in));
  v1::InitiativeUpdated event;
  *event.mutable_initiative() = in;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

absl::Status ProjectsApi::TransitionInitiative(const platform::Caller& caller,
                                               const v1::TransitionInitiativeRequest& request,
                                               v1::Initiative* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, Writable(tx, request.name(), "name"));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(request.etag(), in.etag(), in.name()));
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::Transition> step,
                          PlanTransition(in, request, clock_->Today()));
  if (!step.has_value()) {  // already there since that day: a retry
    ENAMND_RETURN_IF_ERROR(store::CompleteInitiative(tx, &in));
    ENAMND_RETURN_IF_ERROR(
        platform::CommitAudited(tx, caller, in.name(), platform::kOutcomeReplayed));
    *response = std::move(in);
    return absl::OkStatus();
  }
  ApplyTransition(*step, &in);
  std::vector<int> ended;
  if (!IsActive(in.state())) {  // its participants leave with it
    ENAMND_ASSIGN_OR_RETURN(ended, EndParticipations(&in, platform::ToCivil(request.date())));
  }
  ENAMND_RETURN_IF_ERROR(Save(tx, caller, &in));
  for (int i : ended) ENAMND_RETURN_IF_ERROR(EmitParticipation(tx, in, in.participations(i)));
  v1::InitiativeStateChanged event;
  event.set_initiative(in.name());
  event.set_kind(in.kind());
  *event.mutable_transition() = *step;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

absl::Status ProjectsApi::JoinInitiative(const platform::Caller& caller,
                                         const v1::JoinInitiativeRequest& request,
                                         v1::Initiative* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, Writable(tx, request.initiative(), "initiative"));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireMember(tx, request.municipality(), "municipality").status());
  ENAMND_ASSIGN_OR_RETURN(
      v1::Participation joined,
      PlanJoin(in, request.municipality(), request.joined_date(), clock_->Today()));
  *in.add_participations() = joined;
  ENAMND_RETURN_IF_ERROR(Save(tx, caller, &in));
  ENAMND_RETURN_IF_ERROR(EmitParticipation(tx, in, joined));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

absl::Status ProjectsApi::LeaveInitiative(const platform::Caller& caller,
                                          const v1::LeaveInitiativeRequest& request,
                                          v1::Initiative* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, Writable(tx, request.initiative(), "initiative"));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireMember(tx, request.municipality(), "municipality").status());
  ENAMND_ASSIGN_OR_RETURN(
      int index, PlanLeave(in, request.municipality(), request.left_date(), clock_->Today()));
  v1::Participation* period = in.mutable_participations(index);
  *period->mutable_left_date() = request.left_date();
  const v1::Participation ended = *period;
  ENAMND_RETURN_IF_ERROR(Save(tx, caller, &in));
  ENAMND_RETURN_IF_ERROR(EmitParticipation(tx, in, ended));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

// ------------------------------------------------------------ directive

absl::Status ProjectsApi::CreateRevision(const platform::Caller& caller,
                                         const v1::CreateRevisionRequest& request,
                                         v1::Revision* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative,
                          InitiativeName::Parse(request.initiative(), "initiative"));
  const RevisionName name{initiative, request.revision_id()};
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed, platform::ReplayOrRemember(
                         tx, "CreateRevision", request.request_id(), name.ToString(),
                         platform::ByStoredName<RevisionName>(tx, store::GetRevision), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(
      platform::Required(store::GetInitiative(tx, initiative), "initiative", request.initiative())
          .status());
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Revision> earlier, store::Revisions(tx, initiative));
  const std::string last = earlier.empty() ? "" : earlier.back().letter();
  ENAMND_RETURN_IF_ERROR(ValidateRevision(
      request.revision(), last, request.revision_id(), clock_->Today(),
      earlier.empty()
          ? std::nullopt
          : std::optional<absl::CivilDay>(platform::ToCivil(earlier.back().decided_date()))));
  v1::Revision r = request.revision();
  r.set_name(name.ToString());
  r.set_letter(name.letter);
  *r.mutable_create_time() = NowTimestamp();
  r.set_create_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertRevision(tx, name, r));
  v1::DirectiveRevised event;
  event.set_initiative(initiative.ToString());
  *event.mutable_revision() = r;
  event.set_previous_letter(last);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, r.name()));
  *response = std::move(r);
  return absl::OkStatus();
}

absl::Status ProjectsApi::GetRevision(const platform::Caller& caller,
                                      const v1::GetRevisionRequest& request,
                                      v1::Revision* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  absl::StatusOr<RevisionName> name = RevisionName::Parse(request.name(), "name");
  if (!name.ok()) {  // initiatives/{id}/revisions/-: the current one
    absl::string_view text = request.name();
    if (!absl::ConsumeSuffix(&text, "/revisions/-")) return name.status();
    ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative, InitiativeName::Parse(text, "name"));
    ENAMND_RETURN_IF_ERROR(Readable(tx, caller, initiative).status());
    ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Revision> all, store::Revisions(tx, initiative));
    if (all.empty()) return platform::NotFound("directive of", initiative.ToString());
    *response = std::move(all.back());
    return absl::OkStatus();
  }
  ENAMND_RETURN_IF_ERROR(Readable(tx, caller, name->initiative).status());
  ENAMND_ASSIGN_OR_RETURN(
      *response, platform::Required(store::GetRevision(tx, *name), "revision", request.name()));
  return absl::OkStatus();
}

absl::Status ProjectsApi::ListRevisions(const platform::Caller& caller,
                                        const v1::ListRevisionsRequest& request,
                                        v1::ListRevisionsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative,
                          InitiativeName::Parse(request.initiative(), "initiative"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_RETURN_IF_ERROR(Readable(tx, caller, initiative).status());
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Revision> all, store::Revisions(tx, initiative));
  for (v1::Revision& r : all) *response->add_revisions() = std::move(r);
  return absl::OkStatus();
}

// ------------------------------------------------------------ status and final reports

absl::Status ProjectsApi::CreateStatusReport(const platform::Caller& caller,
                                             const v1::CreateStatusReportRequest& request,
                                             v1::StatusReport* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative,
                          InitiativeName::Parse(request.initiative(), "initiative"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_RETURN_IF_ERROR(
      platform::Required(store::GetInitiative(tx, initiative), "initiative", request.initiative())
          .status());
  ENAMND_ASSIGN_OR_RETURN(int count, store::CountStatusReports(tx, initiative));
  const StatusReportName name{initiative, count + 1};
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateStatusReport", request.request_id(), name.ToString(),
          platform::ByStoredName<StatusReportName>(tx, store::GetStatusReport), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::StatusReport> previous,
                          store::LatestStatusReport(tx, initiative));
  ENAMND_RETURN_IF_ERROR(ValidateStatusReport(request.status_report(), previous, clock_->Today()));
  v1::StatusReport report = request.status_report();
  report.set_name(name.ToString());
  *report.mutable_create_time() = NowTimestamp();
  report.set_create_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertStatusReport(tx, name, report));
  v1::StatusReported event;
  event.set_initiative(initiative.ToString());
  *event.mutable_status_report() = report;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, report.name()));
  *response = std::move(report);
  return absl::OkStatus();
}

absl::Status ProjectsApi::ListStatusReports(const platform::Caller& caller,
                                            const v1::ListStatusReportsRequest& request,
                                            v1::ListStatusReportsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative,
                          InitiativeName::Parse(request.initiative(), "initiative"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_RETURN_IF_ERROR(Readable(tx, caller, initiative).status());
  ENAMND_ASSIGN_OR_RETURN(auto page, store::ListStatusReports(tx, initiative, request.page_size(),
                                                              request.page_token()));
  platform::FillPage(std::move(page), &v1::ListStatusReportsResponse::mutable_status_reports,
                     response);
  return absl::OkStatus();
}

absl::Status ProjectsApi::RecordFinalReport(const platform::Caller& caller,
                                            const v1::RecordFinalReportRequest& request,
                                            v1::Initiative* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Initiative in, Writable(tx, request.initiative(), "initiative"));
  if (in.has_final_report() &&
      in.final_report().SerializeAsString() == request.final_report().SerializeAsString()) {
    ENAMND_RETURN_IF_ERROR(store::CompleteInitiative(tx, &in));  // the same report again
    ENAMND_RETURN_IF_ERROR(
        platform::CommitAudited(tx, caller, in.name(), platform::kOutcomeReplayed));
    *response = std::move(in);
    return absl::OkStatus();
  }
  ENAMND_RETURN_IF_ERROR(ValidateFinalReport(request.final_report(), in, clock_->Today()));
  *in.mutable_final_report() = request.final_report();
  ENAMND_RETURN_IF_ERROR(Save(tx, caller, &in));
  v1::FinalReportRecorded event;
  event.set_initiative(in.name());
  *event.mutable_final_report() = in.final_report();
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, in.name()));
  *response = std::move(in);
  return absl::OkStatus();
}

// ------------------------------------------------------------ portfolio

absl::Status ProjectsApi::GetPortfolio(const platform::Caller& caller,
                                       const v1::GetPortfolioRequest& request,
                                       v1::Portfolio* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(request.date(), "date", false));
  ENAMND_RETURN_IF_ERROR(platform::NotInFuture(request.date(), "date", clock_->Today()));
  PortfolioFilter filter;
  filter.day =
      platform::IsSet(request.date()) ? platform::ToCivil(request.date()) : clock_->Today();
  if (request.kind() != v1::KIND_UNSPECIFIED) {
    ENAMND_RETURN_IF_ERROR(KindOf(request.kind(), "kind").status());
    filter.kind = request.kind();
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  if (!request.municipality().empty()) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, request.municipality(), "municipality").status());
    filter.municipality = request.municipality();
  }
  ENAMND_ASSIGN_OR_RETURN(auto member_names, store::MemberNames(tx));
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Initiative> all, store::AllInitiatives(tx));
  *response->mutable_date() = platform::ToDate(filter.day);
  const bool active_only = !ReadsEveryInitiative(caller);
  for (const v1::Initiative& in : all) {
    // The role public reads active initiatives only, on any day's portfolio.
    if (active_only && !IsActive(in.state())) continue;
    ENAMND_ASSIGN_OR_RETURN(InitiativeName name, InitiativeName::Parse(in.name(), "name"));
    ENAMND_ASSIGN_OR_RETURN(auto reports, store::AllStatusReports(tx, name));
    ENAMND_ASSIGN_OR_RETURN(auto revisions, store::Revisions(tx, name));
    std::optional<v1::PortfolioEntry> entry =
        PortfolioEntryOf(in, LatestReportOn(reports, filter.day), RevisionOn(revisions, filter.day),
                         filter, member_names);
    if (entry.has_value()) *response->add_entries() = *std::move(entry);
  }
  return absl::OkStatus();
}

absl::Status ProjectsApi::RenderPortfolio(const platform::Caller& caller,
                                          const v1::RenderPortfolioRequest& request,
                                          v1::RenderedPortfolio* response) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(request.format(), v1::RenderFormat_descriptor(), "format"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(request.title(), "title", platform::kMaxTitleLength, false));
  v1::Portfolio portfolio;
  ENAMND_RETURN_IF_ERROR(GetPortfolio(caller, request.portfolio(), &portfolio));
  const std::string title = request.title().empty() ? kDefaultPortfolioTitle : request.title();
  if (request.format() == v1::RENDER_FORMAT_PDF) {
    response->set_media_type("application/pdf");
    ENAMND_ASSIGN_OR_RETURN(
        *response->mutable_pdf(),
        platform::RenderPdfFile(PortfolioPdf(portfolio, title), PortfolioPdfFileName(portfolio)));
  } else if (request.format() == v1::RENDER_FORMAT_HTML) {
    response->set_media_type("text/html; charset=utf-8");
    response->set_text(RenderPortfolioHtml(portfolio, title));
  } else {
    response->set_media_type("text/markdown; charset=utf-8");
    response->set_text(RenderPortfolioMarkdown(portfolio, title));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ meetings events

absl::Status ProjectsApi::HandleMeetingsEvent(Transaction& tx,
                                              const io::cloudevents::v1::CloudEvent& event) {
  absl::StatusOr<platform::MeetingsFeedItem> item =
      platform::ReadMeetingsFeed(event, kInitiativeSubjectPrefix);
  if (absl::IsDataLoss(item.status())) return unreadable_.Skip(item.status());
  ENAMND_RETURN_IF_ERROR(item.status());
  if (auto* d = std::get_if<platform::SubjectDecision>(&*item)) return LinkDecision(tx, *d);
  if (auto* f = std::get_if<platform::SubjectDecisionFinal>(&*item)) return SetLegalForce(tx, *f);
  if (auto* a = std::get_if<platform::ParagraphAppealed>(&*item)) {
    ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> revoked,
                            platform::RevokeLegalForce(tx, a->paragraph));
    for (const std::string& initiative : revoked) {
      v1::LinkedDecisionAppealed appealed;
      appealed.set_initiative(initiative);
      appealed.set_paragraph(a->paragraph);
      ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, appealed, initiative).status());
    }
    return absl::OkStatus();
  }
  if (auto* m = std::get_if<platform::MemberRegistered>(&*item)) {
    return platform::RememberMember(tx, *m);
  }
  return absl::OkStatus();
}

absl::Status ProjectsApi::LinkDecision(Transaction& tx, const platform::SubjectDecision& d) {
  absl::StatusOr<InitiativeReference> ref = InitiativeReference::Parse(d.subject, "case_subject");
  if (!ref.ok()) {
    platform::LogWarning("projects", "decision ", d.paragraph, " names ", d.subject,
                         ", which is not an initiative; ignored");
    return absl::OkStatus();
  }
  const std::string initiative = ref->initiative.ToString();
  ENAMND_ASSIGN_OR_RETURN(auto linked, platform::LinkDecision(tx, initiative, d));
  if (!linked.has_value()) return absl::OkStatus();  // linked before; updated
  platform::LogInfo("projects", "decision ", d.paragraph, " linked to ", initiative);
  v1::DecisionLinked event;
  event.set_initiative(initiative);
  *event.mutable_decision() = *std::move(linked);
  return outbox_->Append(tx, event, initiative).status();
}

absl::Status ProjectsApi::SetLegalForce(Transaction& tx, const platform::SubjectDecisionFinal& f) {
  absl::StatusOr<InitiativeReference> ref = InitiativeReference::Parse(f.subject, "case_subject");
  if (!ref.ok()) return absl::OkStatus();  // no decision can be linked for it
  const std::string initiative = ref->initiative.ToString();
  ENAMND_ASSIGN_OR_RETURN(bool found,
                          platform::SetLegalForce(tx, initiative, f.paragraph, f.legal_force_date));
  if (!found) return absl::OkStatus();
  v1::LinkedDecisionFinal event;
  event.set_initiative(initiative);
  event.set_paragraph(f.paragraph);
  *event.mutable_legal_force_date() = f.legal_force_date;
  return outbox_->Append(tx, event, initiative).status();
}

}  // namespace enamnd::projects
