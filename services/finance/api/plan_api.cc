// Each write reads: parse names -> validate -> load -> domain check ->
// store -> emit and commit with its audit record. The rules live in
// services/finance/domain (plans.h), the SQL in services/finance/store
// (plans.h); the report's facts come from PlanSources and its financial
// statement from the budget side's tables (store/budgets.h).
#include "services/finance/api/plan_api.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/finance/v1/events.pb.h"
#include "services/finance/domain/budgets.h"
#include "services/finance/domain/names.h"
#include "services/finance/domain/plan_report.h"
#include "services/finance/domain/plans.h"
#include "services/finance/store/budgets.h"
#include "services/finance/store/plans.h"
#include "services/platform/api_util.h"
#include "services/platform/audit_trail.h"
#include "services/platform/enums.h"
#include "services/platform/pdf.h"
#include "services/platform/proto_rows.h"
#include "services/platform/requests.h"
#include "services/platform/sha256.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::NowTimestamp;
using platform::Transaction;
using v1::Plan;
using v1::PlanFollowUp;

// The roles that read every plan (drafts too); a caller with none of them
// (role public) reads adopted plans only. The same roles read every budget.
bool ReadsEveryPlan(const platform::Caller& caller) {
  for (const char* role : {"finance", "secretary", "auditor"}) {
    if (caller.HasRole(role)) return true;
  }
  return false;
}

// PERMISSION_DENIED when `caller` may not see `plan` (a draft, to the
// public), as GetBudget refuses a draft budget.
absl::Status CheckVisible(const platform::Caller& caller, const Plan& plan) {
  if (ReadsEveryPlan(caller) || plan.state() == Plan::STATE_ADOPTED) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(caller.method(), ": ", plan.name(),
                                                  " is not adopted; ", caller.principal(),
                                                  " may read adopted plans only"));
}

void Stamp(const platform::Caller& caller, Plan* p) {
  *p->mutable_update_time() = NowTimestamp();
  p->set_update_principal(caller.principal());
}

// The stored plan `name` names (NOT_FOUND naming it).
absl::StatusOr<Plan> RequirePlan(Transaction& tx, const PlanName& name) {
  return platform::Required(store::GetPlan(tx, name.year), "plan", name.ToString());
}

// An adopting decision as AdoptPlan takes it: given by hand, so it carries
// no event and no legal force (only decisions linked from the meetings
// stream do); its kind, if given, adopts.
absl::Status ValidateDecision(const common::v1::CommitteeDecision& d, absl::CivilDay today) {
  if (!d.decision_kind().empty() && !IsAdoptingDecision(d.decision_kind())) {
    return platform::InvalidField("decision.decision_kind",
                                  "must be DECISION_KIND_APPROVE or DECISION_KIND_ADOPT");
  }
  if (!d.event_source().empty() || !d.event_id().empty() || d.has_legal_force_date()) {
    return platform::InvalidField(
        "decision", "event_source, event_id and legal_force_date are set by the service only");
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(d.paragraph(), "decision.paragraph", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(d.meeting_date(), "decision.meeting_date", today));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(d.case_number(), "decision.case_number",
                                                platform::kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(d.meeting(), "decision.meeting", platform::kMaxTitleLength, false));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(d.title(), "decision.title", platform::kMaxTitleLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(d.decision_kind(), "decision.decision_kind",
                                                platform::kMaxNameLength, false));
  return platform::ValidateText(d.decision_text(), "decision.decision_text",
                                platform::kMaxTextLength, false);
}

// The financial statement of the plan's year through `through_month`, as
// `caller` may see it: the report, or why there is none.
struct Statement {
  std::optional<v1::FinancialReport> report;
  std::string missing;
};

absl::StatusOr<Statement> ReadStatement(Transaction& tx, const platform::Caller& caller, int year,
                                        int through_month) {
  const BudgetName name{year};
  Statement out;
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::Budget> budget, store::GetBudget(tx, name));
  if (!budget.has_value()) {
    out.missing = absl::StrCat("ingen budget för ", year);
    return out;
  }
  if (!ReadsEveryPlan(caller)) {
    // The public sees an adopted budget, and a revised one as adopted.
    if (budget->state() == v1::Budget::STATE_REVISED) {
      ENAMND_ASSIGN_OR_RETURN(budget,
                              store::GetBudgetRevision(tx, name, budget->adoption().revision()));
      if (!budget.has_value()) {
        return absl::DataLossError(absl::StrCat(name.ToString(), "'s adopted revision is gone"));
      }
    } else if (budget->state() != v1::Budget::STATE_ADOPTED) {
      // As if there were none: the public does not learn of drafts.
      out.missing = absl::StrCat("ingen antagen budget för ", year);
      return out;
    }
  }
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::MonthlyOutcome> outcomes, store::Outcomes(tx, name));
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::Forecast> forecast,
                          store::LatestForecast(tx, name, through_month));
  out.report = BuildReport(*budget, outcomes, through_month, forecast);
  return out;
}

// What RenderPlanReport has read before the facts arrive.
struct PendingReport {
  Plan plan;
  PlanFollowUp follow_up;
  FollowUpWindow window;
  Statement statement;
  common::v1::DocumentFormat format = common::v1::DOCUMENT_FORMAT_UNSPECIFIED;
  v1::RenderedPlanReport* response = nullptr;
  std::function<void(const absl::Status&)> finish;
};

// The services a report may depend on, in the order it lists them.
constexpr const char* kSources[] = {"meetings", "contracts", "projects"};

// The report in the formats `pending.format` asks for: Markdown and HTML
// unless one of them or PDF is asked for alone.
absl::Status RenderFormats(PendingReport& pending) {
  using common::v1::DocumentFormat;
  v1::RenderedPlanReport& report = *pending.response;
  const DocumentFormat format = pending.format;
  if (format == DocumentFormat::DOCUMENT_FORMAT_PDF) {
    ENAMND_ASSIGN_OR_RETURN(
        *report.mutable_pdf(),
        platform::RenderPdfFile(PlanReportPdf(report, pending.plan, pending.follow_up),
                                PlanReportPdfFileName(pending.plan, pending.follow_up)));
    return absl::OkStatus();
  }
  if (format != DocumentFormat::DOCUMENT_FORMAT_HTML) {
    report.set_markdown(RenderPlanReportMarkdown(report, pending.plan, pending.follow_up));
  }
  if (format != DocumentFormat::DOCUMENT_FORMAT_TEXT) {
    report.set_html(RenderPlanReportHtml(report, pending.plan, pending.follow_up));
  }
  return absl::OkStatus();
}

// Evaluates every goal on `facts` and renders the report into the response.
absl::Status Render(PendingReport& pending, const PlanFacts& facts) {
  v1::RenderedPlanReport& report = *pending.response;
  report.Clear();
  report.set_follow_up(pending.window.follow_up);
  report.set_title(pending.follow_up.title());
  std::map<std::string, const v1::GoalFollowUp*> written;
  for (const v1::GoalFollowUp& g : pending.follow_up.goals()) written.emplace(g.goal(), &g);
  bool complete = true;
  for (const v1::Goal& goal : pending.plan.goals()) {
    auto found = written.find(goal.id());
    const v1::GoalFollowUp* follow_up = found == written.end() ? nullptr : found->second;
    v1::GoalReport* out = report.add_goals();
    *out = EvaluateGoal(goal, follow_up, facts, pending.window);
    for (const v1::GoalFigure& figure : out->figures()) complete = complete && !figure.missing();
  }
  std::vector<std::string> order(std::begin(kSources), std::end(kSources));
  for (const auto& [service, outcome] : facts.sources) {
    if (std::find(order.begin(), order.end(), service) == order.end()) order.push_back(service);
  }
  for (const std::string& service : order) {
    auto found = facts.sources.find(service);
    if (found == facts.sources.end()) continue;
    v1::SourceStatus* status = report.add_sources();
    status->set_service(service);
    status->set_ok(found->second.ok);
    status->set_error(found->second.error);
    status->set_calls(found->second.calls);
    complete = complete && found->second.ok;
  }
  if (pending.statement.report.has_value()) {
    *report.mutable_financial_statement() = *pending.statement.report;
  } else {
    report.set_financial_statement_missing(pending.statement.missing);
  }
  report.set_complete(complete);
  *report.mutable_render_time() = NowTimestamp();
  return RenderFormats(pending);
}

}  // namespace

// ------------------------------------------------------------ plans

absl::Status PlanApi::CreatePlan(const platform::Caller& caller,
                                 const v1::CreatePlanRequest& request, v1::Plan* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidateYear(request.year(), "year"));
  const Plan& given = request.plan();
  if (given.year() != 0 && given.year() != request.year()) {
    return platform::InvalidField("plan.year", "differs from year");
  }
  ENAMND_RETURN_IF_ERROR(ValidatePlanContent(given, "plan"));
  Plan p;
  p.set_name(PlanName{request.year()}.ToString());
  p.set_year(request.year());
  p.set_title(given.title());
  p.set_state(Plan::STATE_DRAFT);
  *p.mutable_goals() = given.goals();
  *p.mutable_create_time() = NowTimestamp();
  *p.mutable_update_time() = p.create_time();
  p.set_create_principal(caller.principal());
  p.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  auto get = [](Transaction& t, const PlanName& name) { return store::GetPlan(t, name.year); };
  ENAMND_ASSIGN_OR_RETURN(bool replayed, platform::ReplayOrRemember(
                                             tx, "CreatePlan", request.request_id(), p.name(),
                                             platform::ByStoredName<PlanName>(tx, get), response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(store::InsertPlan(tx, &p));
  v1::PlanChanged event;
  *event.mutable_plan() = p;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status PlanApi::GetPlan(const platform::Caller& caller, const v1::GetPlanRequest& request,
                              v1::Plan* response) {
  ENAMND_ASSIGN_OR_RETURN(PlanName name, PlanName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(Plan p, RequirePlan(tx, name));
  ENAMND_RETURN_IF_ERROR(CheckVisible(caller, p));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status PlanApi::UpdatePlan(const platform::Caller& caller,
                                 const v1::UpdatePlanRequest& request, v1::Plan* response) {
  const Plan& given = request.plan();
  ENAMND_RETURN_IF_ERROR(platform::ValidateMask(request.update_mask(), {"title", "goals"}));
  ENAMND_ASSIGN_OR_RETURN(PlanName name, PlanName::Parse(given.name(), "plan.name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(Plan p, RequirePlan(tx, name));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(given.etag(), p.etag(), p.name()));
  if (p.state() == Plan::STATE_ADOPTED) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(), ": an adopted plan is locked; it cannot be changed"));
  }
  platform::ApplyMask(request.update_mask(), given, &p);
  ENAMND_RETURN_IF_ERROR(ValidatePlanContent(p, "plan"));
  Stamp(caller, &p);
  ENAMND_RETURN_IF_ERROR(store::ReplacePlan(tx, &p));
  v1::PlanChanged event;
  *event.mutable_plan() = p;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status PlanApi::AdoptPlan(const platform::Caller& caller, const v1::AdoptPlanRequest& request,
                                v1::Plan* response) {
  ENAMND_ASSIGN_OR_RETURN(PlanName name, PlanName::Parse(request.name(), "name"));
  ENAMND_RETURN_IF_ERROR(ValidateDecision(request.decision(), clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(Plan p, RequirePlan(tx, name));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(request.etag(), p.etag(), p.name()));
  if (p.state() != Plan::STATE_DRAFT) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(), " is already adopted (", p.adopted_by().paragraph(), ")"));
  }
  p.set_state(Plan::STATE_ADOPTED);
  *p.mutable_adopted_by() = request.decision();
  Stamp(caller, &p);
  ENAMND_RETURN_IF_ERROR(store::ReplacePlan(tx, &p));
  v1::PlanAdopted event;
  *event.mutable_plan() = p;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

// ------------------------------------------------------------ follow-ups

absl::Status PlanApi::RecordPlanFollowUp(const platform::Caller& caller,
                                         const v1::RecordPlanFollowUpRequest& request,
                                         v1::PlanFollowUp* response) {
  ENAMND_ASSIGN_OR_RETURN(PlanName plan_name, PlanName::Parse(request.plan(), "plan"));
  const int month = request.through_month();
  if (month < 1 || month > 12) return platform::InvalidField("through_month", "must be 1-12");
  const PlanFollowUp& given = request.follow_up();
  std::optional<absl::CivilDay> as_of_given;
  if (platform::IsSet(given.as_of_date())) {
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateDate(given.as_of_date(), "follow_up.as_of_date", true));
    as_of_given = platform::ToCivil(given.as_of_date());
  }
  ENAMND_ASSIGN_OR_RETURN(absl::CivilDay as_of, AsOfDay(plan_name.year, month, as_of_given,
                                                        clock_->Today(), "follow_up.as_of_date"));
  const std::string name = PlanFollowUpName{plan_name, month}.ToString();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(Plan plan, RequirePlan(tx, plan_name));
  if (plan.state() != Plan::STATE_ADOPTED) {
    return absl::FailedPreconditionError(
        absl::StrCat(plan.name(), " is not adopted; adopt it (AdoptPlan) before following it up"));
  }
  ENAMND_RETURN_IF_ERROR(ValidateFollowUpContent(given, plan, "follow_up"));
  ENAMND_ASSIGN_OR_RETURN(std::optional<PlanFollowUp> recorded,
                          store::GetFollowUp(tx, plan_name.year, month));
  if (recorded.has_value() && given.etag().empty()) {
    return absl::AbortedError(absl::StrCat(name, " is recorded (etag ", recorded->etag(),
                                           "); send its etag to replace it"));
  }
  if (!recorded.has_value() && !given.etag().empty()) {
    return absl::AbortedError(absl::StrCat(name, " is not recorded (etag ", given.etag(),
                                           " given); send no etag to record it"));
  }
  if (recorded.has_value()) {
    ENAMND_RETURN_IF_ERROR(platform::CheckEtag(given.etag(), recorded->etag(), name));
  }
  PlanFollowUp f;
  f.set_name(name);
  f.set_through_month(month);
  *f.mutable_as_of_date() = platform::ToDate(as_of);
  f.set_title(given.title());
  *f.mutable_summary() = given.summary();
  *f.mutable_goals() = given.goals();
  *f.mutable_outcome_notes() = given.outcome_notes();
  *f.mutable_update_time() = NowTimestamp();
  f.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::PutFollowUp(tx, plan_name.year, month, &f));
  v1::PlanFollowUpRecorded event;
  event.set_plan(plan.name());
  *event.mutable_follow_up() = f;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, f.name()));
  *response = std::move(f);
  return absl::OkStatus();
}

absl::Status PlanApi::GetPlanFollowUp(const platform::Caller& caller,
                                      const v1::GetPlanFollowUpRequest& request,
                                      v1::PlanFollowUp* response) {
  ENAMND_ASSIGN_OR_RETURN(PlanFollowUpName name, PlanFollowUpName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(Plan plan, RequirePlan(tx, name.plan));
  ENAMND_RETURN_IF_ERROR(CheckVisible(caller, plan));
  ENAMND_ASSIGN_OR_RETURN(
      *response, platform::Required(store::GetFollowUp(tx, name.plan.year, name.month), "follow-up",
                                    name.ToString()));
  return absl::OkStatus();
}

// ------------------------------------------------------------ report

void PlanApi::RenderPlanReport(const platform::Caller& caller,
                               const v1::RenderPlanReportRequest& request,
                               v1::RenderedPlanReport* response, absl::Time deadline,
                               std::function<void(const absl::Status&)> finish) {
  if (renders_->fetch_add(1) >= kMaxRenders) {
    renders_->fetch_sub(1);
    finish(absl::ResourceExhaustedError(absl::StrCat(
        caller.method(), ": ", kMaxRenders, " reports are being rendered; try again shortly")));
    return;
  }
  auto pending = std::make_shared<PendingReport>();
  pending->format = request.format();
  pending->response = response;
  pending->finish = [renders = renders_, finish = std::move(finish)](const absl::Status& status) {
    renders->fetch_sub(1);
    finish(status);
  };
  // Everything from the service's own database, in one read transaction.
  absl::Status read = [&]() -> absl::Status {
    ENAMND_ASSIGN_OR_RETURN(PlanFollowUpName name,
                            PlanFollowUpName::Parse(request.follow_up(), "follow_up"));
    ENAMND_RETURN_IF_ERROR(platform::AllowEnumValue(
        request.format(), common::v1::DocumentFormat_descriptor(), "format"));
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(pending->plan, RequirePlan(tx, name.plan));
    ENAMND_RETURN_IF_ERROR(CheckVisible(caller, pending->plan));
    ENAMND_ASSIGN_OR_RETURN(pending->follow_up,
                            platform::Required(store::GetFollowUp(tx, name.plan.year, name.month),
                                               "follow-up", name.ToString()));
    ENAMND_ASSIGN_OR_RETURN(pending->statement,
                            ReadStatement(tx, caller, name.plan.year, name.month));
    pending->window.year = name.plan.year;
    pending->window.through_month = name.month;
    pending->window.as_of = platform::ToCivil(pending->follow_up.as_of_date());
    pending->window.follow_up = name.ToString();
    // The contracts service lists agreements to staff only.
    pending->window.name_agreements = ReadsEveryPlan(caller);
    return absl::OkStatus();
  }();
  if (!read.ok()) {
    pending->finish(read);
    return;
  }
  const FactNeeds needs = NeedsOf(pending->plan, pending->window.as_of);
  // The facts arrive on a gRPC (or this) thread; the evaluation and the
  // rendering run on the executor, which no read holds meanwhile.
  platform::Executor* executor = executor_;
  sources_->FetchAsync(
      needs,
      [executor, pending](PlanFacts facts) {
        executor->Post([pending, facts = std::move(facts)]() {
          // The PDF too is made here, off the gRPC threads.
          pending->finish(Render(*pending, facts));
        });
      },
      deadline - kRenderMargin);
}

}  // namespace enamnd::finance
