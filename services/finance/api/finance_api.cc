// Each handler reads: parse names -> load -> domain check -> store -> emit.
// The rules live in services/finance/domain (budgets.h), the SQL in
// services/finance/store (budgets.h).
#include "services/finance/api/finance_api.h"

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "enamnd/finance/v1/events.pb.h"
#include "enamnd/projects/v1/events.pb.h"
#include "services/finance/domain/budgets.h"
#include "services/finance/domain/names.h"
#include "services/finance/store/budgets.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/listing.h"
#include "services/platform/log.h"
#include "services/platform/members.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::NowTimestamp;
using platform::ToCivil;
using platform::Transaction;
using v1::Budget;

constexpr char kSubjectPrefix[] = "//finance/";
constexpr char kParticipationChanged[] = "enamnd.projects.v1.ParticipationChanged";

// The roles that read every budget; a caller with none of them (role
// public) reads adopted budgets only, as adopted.
bool ReadsEveryBudget(const platform::Caller& caller) {
  for (const char* role :
       {"finance", "secretary", "auditor", "coordinator", "municipality-system"}) {
    if (caller.HasRole(role)) return true;
  }
  return false;
}

void Stamp(const platform::Caller& caller, Budget* b) {
  *b->mutable_update_time() = NowTimestamp();
  b->set_update_principal(caller.principal());
}

// The adopting decision among those linked, the latest first.
const common::v1::CommitteeDecision* AdoptingDecision(const Budget& b) {
  for (int i = b.decisions_size() - 1; i >= 0; --i) {
    if (IsAdoptingDecision(b.decisions(i).decision_kind())) return &b.decisions(i);
  }
  return nullptr;
}

void Adopt(const common::v1::CommitteeDecision& decision, Budget* b) {
  b->set_state(Budget::STATE_ADOPTED);
  b->mutable_adoption()->set_revision(b->revision());
  *b->mutable_adoption()->mutable_decision() = decision;
}

// A decision of a budget adopted before enamnd, as its protocol gives it.
absl::Status ValidateAdoptedBy(const common::v1::CommitteeDecision& d, absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(d.meeting_date(), "adopted_by.meeting_date", today));
  if (!IsAdoptingDecision(d.decision_kind())) {
    return platform::InvalidField("adopted_by.decision_kind",
                                  "must be DECISION_KIND_APPROVE or DECISION_KIND_ADOPT");
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(d.paragraph(), "adopted_by.paragraph",
                                                platform::kMaxTitleLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(d.case_number(), "adopted_by.case_number",
                                                platform::kMaxNameLength, false));
  return platform::ValidateText(d.decision_text(), "adopted_by.decision_text",
                                platform::kMaxTextLength, false);
}

absl::Status ValidateTexts(const google::protobuf::RepeatedPtrField<std::string>& texts,
                           absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(texts.size(), field));
  for (int i = 0; i < texts.size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(texts[i], absl::StrCat(field, "[", i, "]"),
                                                  platform::kMaxTextLength, true));
  }
  return absl::OkStatus();
}

// The proto figure of `year` in `series` (UprateLines checked it exists).
v1::IndexFigure FigureOf(const v1::IndexSeries& series, int year) {
  for (const v1::IndexFigure& f : series.figures()) {
    if (f.year() == year) return f;
  }
  return {};
}

// The new budget of `year` as the caller gives it.
Budget NewBudget(const platform::Caller& caller, int year) {
  Budget b;
  b.set_name(BudgetName{year}.ToString());
  b.set_year(year);
  b.set_state(Budget::STATE_DRAFT);
  b.set_revision(1);
  *b.mutable_create_time() = NowTimestamp();
  *b.mutable_update_time() = b.create_time();
  b.set_create_principal(caller.principal());
  b.set_update_principal(caller.principal());
  return b;
}

// Whole kronor, half away from zero.
int64_t ToKronor(Ore ore) { return ore >= 0 ? (ore + 50) / 100 : -((-ore + 50) / 100); }

}  // namespace

// ------------------------------------------------------------ budgets

namespace {

// Population figures a line's model names must be registered.
absl::Status RequireFigures(Transaction& tx, const std::string& name, const std::string& field) {
  ENAMND_ASSIGN_OR_RETURN(PopulationFiguresName parsed, PopulationFiguresName::Parse(name, field));
  ENAMND_ASSIGN_OR_RETURN(auto figures, store::GetPopulationFigures(tx, parsed));
  if (figures.has_value()) return absl::OkStatus();
  return platform::InvalidField(
      field,
      absl::StrCat(name, " are not registered; register them first (CreatePopulationFigures)"));
}

}  // namespace

absl::Status FinanceApi::CheckReferences(Transaction& tx, const Budget& b) {
  for (int i = 0; i < b.lines_size(); ++i) {
    std::vector<std::pair<const v1::AllocationModel*, std::string>> models = {
        {&b.lines(i).allocation(), absl::StrCat("budget.lines[", i, "].allocation")}};
    for (int p = 0; p < b.lines(i).allocation().mix().parts_size(); ++p) {
      models.push_back({&b.lines(i).allocation().mix().parts(p).model(),
                        absl::StrCat(models[0].second, ".mix.parts[", p, "].model")});
    }
    for (const auto& [model, path] : models) {
      if (model->has_population()) {
        ENAMND_RETURN_IF_ERROR(RequireFigures(tx, model->population().population_figures(),
                                              path + ".population.population_figures"));
      }
      for (int m = 0; m < model->equal().municipalities_size(); ++m) {
        ENAMND_RETURN_IF_ERROR(
            platform::RequireMember(tx, model->equal().municipalities(m),
                                    absl::StrCat(path, ".equal.municipalities[", m, "]"))
                .status());
      }
      for (int e = 0; e < model->table().entries_size(); ++e) {
        ENAMND_RETURN_IF_ERROR(
            platform::RequireMember(tx, model->table().entries(e).municipality(),
                                    absl::StrCat(path, ".table.entries[", e, "].municipality"))
                .status());
      }
    }
  }
  return absl::OkStatus();
}

absl::Status FinanceApi::InsertAndCommit(Transaction& tx, const platform::Caller& caller,
                                         const common::v1::CommitteeDecision* adopted_by,
                                         Budget* b) {
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, b->name()));
  for (auto& d : decisions) *b->add_decisions() = std::move(d);  // they may come first
  v1::BudgetCreated created;
  *created.mutable_budget() = *b;
  const common::v1::CommitteeDecision* adopting =
      adopted_by != nullptr ? adopted_by : AdoptingDecision(*b);
  if (adopting != nullptr) Adopt(*adopting, b);
  ENAMND_RETURN_IF_ERROR(store::InsertBudget(tx, b));
  created.mutable_budget()->set_etag(b->etag());
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, created, b->name()).status());
  if (adopting != nullptr) {
    v1::BudgetAdopted adopted;
    *adopted.mutable_budget() = *b;
    *adopted.mutable_decision() = *adopting;
    ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, adopted, b->name()).status());
  }
  return platform::CommitAudited(tx, caller, b->name());
}

absl::Status FinanceApi::CreateBudget(const platform::Caller& caller,
                                      const v1::CreateBudgetRequest& request,
                                      v1::Budget* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidateYear(request.year(), "year"));
  const Budget& given = request.budget();
  if (given.year() != 0 && given.year() != request.year()) {
    return platform::InvalidField("budget.year", "differs from year");
  }
  ENAMND_RETURN_IF_ERROR(ValidateBudgetContent(given, "budget"));
  const bool adopted = request.has_adopted_by();
  if (adopted) ENAMND_RETURN_IF_ERROR(ValidateAdoptedBy(request.adopted_by(), clock_->Today()));
  Budget b = NewBudget(caller, request.year());
  b.set_title(given.title());
  *b.mutable_lines() = given.lines();
  *b.mutable_comments() = given.comments();
  FillTotals(&b);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed,
                          platform::ReplayOrRemember(
                              tx, "CreateBudget", request.request_id(), b.name(),
                              platform::ByStoredName<BudgetName>(tx, store::GetBudget), response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(CheckReferences(tx, b));
  ENAMND_RETURN_IF_ERROR(
      InsertAndCommit(tx, caller, adopted ? &request.adopted_by() : nullptr, &b));
  *response = std::move(b);
  return absl::OkStatus();
}

absl::Status FinanceApi::UprateBudget(const platform::Caller& caller,
                                      const v1::UprateBudgetRequest& request,
                                      v1::Budget* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(BudgetName source_name,
                          BudgetName::Parse(request.source_budget(), "source_budget"));
  ENAMND_RETURN_IF_ERROR(ValidateYear(request.year(), "year"));
  if (request.year() <= source_name.year) {
    return platform::InvalidField(
        "year", absl::StrCat("must be after the source's year ", source_name.year));
  }
  ENAMND_ASSIGN_OR_RETURN(IndexSeriesName series_name,
                          IndexSeriesName::Parse(request.index_series(), "index_series"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(request.title(), "title", platform::kMaxTitleLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateTexts(request.comments(), "comments"));
  Budget b = NewBudget(caller, request.year());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed,
                          platform::ReplayOrRemember(
                              tx, "UprateBudget", request.request_id(), b.name(),
                              platform::ByStoredName<BudgetName>(tx, store::GetBudget), response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_ASSIGN_OR_RETURN(Budget source, platform::Required(store::GetBudget(tx, source_name),
                                                            "budget", request.source_budget()));
  ENAMND_ASSIGN_OR_RETURN(v1::IndexSeries series,
                          platform::Required(store::GetIndexSeries(tx, series_name), "index series",
                                             request.index_series()));
  const std::vector<std::string> omit(request.omit_lines().begin(), request.omit_lines().end());
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::BudgetLine> lines,
                          UprateLines(source, series, request.year(), omit));
  b.set_title(request.title().empty() ? absl::StrCat("Budget ", request.year()) : request.title());
  for (v1::BudgetLine& line : lines) *b.add_lines() = std::move(line);
  *b.mutable_comments() = request.comments();
  FillTotals(&b);
  v1::Uprating* from = b.mutable_uprated_from();
  from->set_source_budget(source.name());
  from->set_index_series(series.name());
  *from->mutable_from_figure() = FigureOf(series, source.year());
  *from->mutable_to_figure() = FigureOf(series, request.year());
  ENAMND_RETURN_IF_ERROR(InsertAndCommit(tx, caller, nullptr, &b));
  *response = std::move(b);
  return absl::OkStatus();
}

absl::StatusOr<v1::Budget> FinanceApi::AsSeenBy(Transaction& tx, const platform::Caller& caller,
                                                v1::Budget b) {
  if (ReadsEveryBudget(caller) || b.state() == Budget::STATE_ADOPTED) return b;
  if (b.state() == Budget::STATE_REVISED) {
    ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(b.name(), "name"));
    ENAMND_ASSIGN_OR_RETURN(
        Budget adopted,
        platform::Required(store::GetBudgetRevision(tx, name, b.adoption().revision()),
                           "budget revision", b.name()));
    adopted.set_etag(b.etag());
    return adopted;
  }
  return absl::PermissionDeniedError(absl::StrCat(caller.method(), ": ", b.name(),
                                                  " is not adopted; ", caller.principal(),
                                                  " may read adopted budgets only"));
}

absl::Status FinanceApi::GetBudget(const platform::Caller& caller,
                                   const v1::GetBudgetRequest& request, v1::Budget* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(Budget b,
                          platform::Required(store::GetBudget(tx, name), "budget", request.name()));
  ENAMND_ASSIGN_OR_RETURN(*response, AsSeenBy(tx, caller, std::move(b)));
  return absl::OkStatus();
}

absl::Status FinanceApi::ListBudgets(const platform::Caller& caller,
                                     const v1::ListBudgetsRequest& request,
                                     v1::ListBudgetsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(request.filter(), {"state"}));
  std::optional<BudgetState> state;
  if (terms.count("state")) {
    ENAMND_ASSIGN_OR_RETURN(
        int value,
        platform::ParseEnumValue(terms["state"], Budget::State_descriptor(), "filter.state"));
    state = static_cast<BudgetState>(value);
  }
  const bool adopted_only = !ReadsEveryBudget(caller);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListBudgets(tx, store::BudgetsQuery(state, adopted_only, request.filter()),
                                    request.page_size(), request.page_token()));
  for (Budget& b : page.items) {
    ENAMND_ASSIGN_OR_RETURN(b, AsSeenBy(tx, caller, std::move(b)));
  }
  platform::FillPage(std::move(page), &v1::ListBudgetsResponse::mutable_budgets, response);
  return absl::OkStatus();
}

absl::StatusOr<v1::Budget> FinanceApi::WritableBudget(Transaction& tx, absl::string_view text,
                                                      absl::string_view etag,
                                                      absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(text, field));
  ENAMND_ASSIGN_OR_RETURN(Budget b, platform::Required(store::GetBudget(tx, name), "budget", text));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(std::string(etag), b.etag(), b.name()));
  return b;
}

absl::Status FinanceApi::UpdateBudget(const platform::Caller& caller,
                                      const v1::UpdateBudgetRequest& request,
                                      v1::Budget* response) {
  const Budget& given = request.budget();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateMask(request.update_mask(), {"title", "lines", "comments"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(Budget b, WritableBudget(tx, given.name(), given.etag(), "budget.name"));
  const BudgetState previous = b.state();
  platform::ApplyMask(request.update_mask(), given, &b);
  ENAMND_RETURN_IF_ERROR(ValidateBudgetContent(b, "budget"));
  ENAMND_RETURN_IF_ERROR(CheckReferences(tx, b));
  b.set_state(StateAfterUpdate(previous));
  b.set_revision(b.revision() + 1);
  FillTotals(&b);
  Stamp(caller, &b);
  ENAMND_RETURN_IF_ERROR(store::ReplaceBudget(tx, &b));
  v1::BudgetChanged event;
  *event.mutable_budget() = b;
  event.set_previous_state(previous);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, b.name()));
  *response = std::move(b);
  return absl::OkStatus();
}

absl::Status FinanceApi::ListBudgetRevisions(const platform::Caller& /*caller*/,
                                             const v1::ListBudgetRevisionsRequest& request,
                                             v1::ListBudgetRevisionsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.budget(), "budget"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_RETURN_IF_ERROR(
      platform::Required(store::GetBudget(tx, name), "budget", request.budget()).status());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListBudgetRevisions(tx, name, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListBudgetRevisionsResponse::mutable_revisions,
                     response);
  return absl::OkStatus();
}

// ------------------------------------------------------------ index series

absl::Status FinanceApi::CreateIndexSeries(const platform::Caller& caller,
                                           const v1::CreateIndexSeriesRequest& request,
                                           v1::IndexSeries* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateResourceId(request.index_series_id(), "index_series_id"));
  v1::IndexSeries s = request.index_series();
  ENAMND_RETURN_IF_ERROR(ValidateIndexSeries(s, "index_series"));
  s.set_name(IndexSeriesName{request.index_series_id()}.ToString());
  s.clear_etag();
  *s.mutable_update_time() = NowTimestamp();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(tx, "CreateIndexSeries", request.request_id(), s.name(),
                                 platform::ByStoredName<IndexSeriesName>(tx, store::GetIndexSeries),
                                 response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(store::InsertIndexSeries(tx, &s));
  v1::IndexSeriesChanged event;
  *event.mutable_index_series() = s;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, s.name()));
  *response = std::move(s);
  return absl::OkStatus();
}

absl::Status FinanceApi::GetIndexSeries(const platform::Caller& /*caller*/,
                                        const v1::GetIndexSeriesRequest& request,
                                        v1::IndexSeries* response) {
  ENAMND_ASSIGN_OR_RETURN(IndexSeriesName name, IndexSeriesName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetIndexSeries(tx, name),
                                                        "index series", request.name()));
  return absl::OkStatus();
}

absl::Status FinanceApi::UpdateIndexSeries(const platform::Caller& caller,
                                           const v1::UpdateIndexSeriesRequest& request,
                                           v1::IndexSeries* response) {
  const v1::IndexSeries& given = request.index_series();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateMask(request.update_mask(), {"display_name", "figures"}));
  ENAMND_ASSIGN_OR_RETURN(IndexSeriesName name,
                          IndexSeriesName::Parse(given.name(), "index_series.name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::IndexSeries s, platform::Required(store::GetIndexSeries(tx, name),
                                                                "index series", given.name()));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(given.etag(), s.etag(), s.name()));
  platform::ApplyMask(request.update_mask(), given, &s);
  ENAMND_RETURN_IF_ERROR(ValidateIndexSeries(s, "index_series"));
  *s.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(store::ReplaceIndexSeries(tx, &s));
  v1::IndexSeriesChanged event;
  *event.mutable_index_series() = s;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, s.name()));
  *response = std::move(s);
  return absl::OkStatus();
}

// ------------------------------------------------------------ population figures

absl::Status FinanceApi::CreatePopulationFigures(const platform::Caller& caller,
                                                 const v1::CreatePopulationFiguresRequest& request,
                                                 v1::PopulationFigures* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::PopulationFigures f = request.population_figures();
  ENAMND_RETURN_IF_ERROR(ValidatePopulationFigures(f, "population_figures"));
  f.set_name(PopulationFiguresName{ToCivil(f.reference_date())}.ToString());
  FillPopulationTotal(&f);
  *f.mutable_create_time() = NowTimestamp();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreatePopulationFigures", request.request_id(), f.name(),
          platform::ByStoredName<PopulationFiguresName>(tx, store::GetPopulationFigures),
          response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  for (int i = 0; i < f.entries_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, f.entries(i).municipality(),
                                absl::StrCat("population_figures.entries[", i, "].municipality"))
            .status());
  }
  ENAMND_RETURN_IF_ERROR(store::InsertPopulationFigures(tx, f));
  v1::PopulationFiguresRecorded event;
  *event.mutable_population_figures() = f;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, f.name()));
  *response = std::move(f);
  return absl::OkStatus();
}

absl::Status FinanceApi::GetPopulationFigures(const platform::Caller& /*caller*/,
                                              const v1::GetPopulationFiguresRequest& request,
                                              v1::PopulationFigures* response) {
  ENAMND_ASSIGN_OR_RETURN(PopulationFiguresName name,
                          PopulationFiguresName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetPopulationFigures(tx, name),
                                                        "population figures", request.name()));
  return absl::OkStatus();
}

// ------------------------------------------------------------ outcome, forecast

absl::Status FinanceApi::RecordOutcome(const platform::Caller& caller,
                                       const v1::RecordOutcomeRequest& request,
                                       v1::MonthlyOutcome* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.budget(), "budget"));
  const v1::MonthlyOutcome& given = request.outcome();
  ENAMND_RETURN_IF_ERROR(
      ValidateMonthBegun(given.month(), name.year, clock_->Today(), "outcome.month"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(given.note(), "outcome.note", platform::kMaxTextLength, false));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      Budget b, platform::Required(store::GetBudget(tx, name), "budget", request.budget()));
  ENAMND_RETURN_IF_ERROR(ValidateLineAmounts(given.lines(), b, "outcome.lines"));
  const OutcomeName outcome_name{name, given.month()};
  ENAMND_ASSIGN_OR_RETURN(auto recorded, store::GetOutcome(tx, outcome_name));
  if (!given.etag().empty()) {
    ENAMND_RETURN_IF_ERROR(platform::CheckEtag(
        given.etag(), recorded.has_value() ? recorded->etag() : "0", outcome_name.ToString()));
  }
  v1::MonthlyOutcome o;
  o.set_name(outcome_name.ToString());
  o.set_month(given.month());
  *o.mutable_lines() = given.lines();
  o.set_note(given.note());
  *o.mutable_update_time() = NowTimestamp();
  o.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::SaveOutcome(tx, name, &o));
  v1::OutcomeRecorded event;
  event.set_budget(b.name());
  *event.mutable_outcome() = o;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, o.name()));
  *response = std::move(o);
  return absl::OkStatus();
}

absl::Status FinanceApi::MakeForecast(const platform::Caller& caller,
                                      const v1::MakeForecastRequest& request,
                                      v1::Forecast* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.budget(), "budget"));
  const v1::Forecast& given = request.forecast();
  ENAMND_RETURN_IF_ERROR(
      ValidateMonthBegun(given.as_of_month(), name.year, clock_->Today(), "forecast.as_of_month"));
  ENAMND_RETURN_IF_ERROR(ValidateTexts(given.notes(), "forecast.notes"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      Budget b, platform::Required(store::GetBudget(tx, name), "budget", request.budget()));
  ENAMND_RETURN_IF_ERROR(ValidateLineAmounts(given.lines(), b, "forecast.lines"));
  v1::Forecast f;
  f.set_name(ForecastName{name, given.as_of_month()}.ToString());
  f.set_as_of_month(given.as_of_month());
  *f.mutable_lines() = given.lines();
  *f.mutable_notes() = given.notes();
  *f.mutable_create_time() = NowTimestamp();
  f.set_create_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::SaveForecast(tx, name, f));
  v1::ForecastMade event;
  event.set_budget(b.name());
  *event.mutable_forecast() = f;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, f.name()));
  *response = std::move(f);
  return absl::OkStatus();
}

absl::Status FinanceApi::GetFinancialReport(const platform::Caller& /*caller*/,
                                            const v1::GetFinancialReportRequest& request,
                                            v1::FinancialReport* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.budget(), "budget"));
  if (request.through_month() < 0 || request.through_month() > 12) {
    return platform::InvalidField("through_month", "must be 0-12");
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      Budget b, platform::Required(store::GetBudget(tx, name), "budget", request.budget()));
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::MonthlyOutcome> outcomes, store::Outcomes(tx, name));
  int through = request.through_month();
  if (through == 0 && !outcomes.empty()) through = outcomes.back().month();
  ENAMND_ASSIGN_OR_RETURN(auto forecast, store::LatestForecast(tx, name, through));
  *response = BuildReport(b, outcomes, through, forecast);
  return absl::OkStatus();
}

// ------------------------------------------------------------ cost shares

namespace {

// The amount of each line GetCostShares distributes, by line id.
absl::StatusOr<std::map<std::string, Ore>> AmountsToShare(Transaction& tx, const Budget& b,
                                                          v1::CostBasis basis, int* through) {
  std::map<std::string, Ore> amounts;
  for (const v1::BudgetLine& line : b.lines()) amounts[line.id()] = line.cost().ore();
  if (basis == v1::COST_BASIS_OUTCOME) {
    ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(b.name(), "budget"));
    ENAMND_ASSIGN_OR_RETURN(std::vector<v1::MonthlyOutcome> outcomes, store::Outcomes(tx, name));
    if (*through == 0 && !outcomes.empty()) *through = outcomes.back().month();
    for (auto& [id, amount] : amounts) amount = 0;
    for (const v1::MonthlyOutcome& o : outcomes) {
      if (o.month() > *through) continue;
      for (const v1::LineAmounts& a : o.lines()) amounts[a.line()] += a.cost().ore();
    }
  } else if (basis == v1::COST_BASIS_FORECAST) {
    ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(b.name(), "budget"));
    ENAMND_ASSIGN_OR_RETURN(auto forecast, store::LatestForecast(tx, name, 12));
    if (forecast.has_value()) {
      for (const v1::LineAmounts& a : forecast->lines()) amounts[a.line()] = a.cost().ore();
    }
  }
  return amounts;
}

v1::MunicipalityShare ShareOf(const std::string& code, Ore amount,
                              const std::map<std::string, std::string>& members) {
  v1::MunicipalityShare share;
  share.set_municipality(absl::StrCat("municipalities/", code));
  auto found = members.find(code);
  if (found != members.end()) share.set_display_name(found->second);
  share.mutable_amount()->set_ore(amount);
  share.set_amount_kr(ToKronor(amount));
  return share;
}

}  // namespace

absl::Status FinanceApi::FillCostShares(Transaction& tx, const Budget& b,
                                        const v1::GetCostSharesRequest& request,
                                        v1::CostShares* response) {
  int through = request.through_month();
  ENAMND_ASSIGN_OR_RETURN(auto amounts, AmountsToShare(tx, b, response->basis(), &through));
  if (response->basis() == v1::COST_BASIS_OUTCOME) response->set_through_month(through);
  AllocationNeeds needs;
  for (const v1::BudgetLine& line : b.lines()) CollectNeeds(line.allocation(), b.year(), &needs);
  ENAMND_ASSIGN_OR_RETURN(AllocationData data, store::LoadAllocationData(tx, b.year(), needs));
  ENAMND_ASSIGN_OR_RETURN(auto members, store::Members(tx));
  const std::string& only = request.municipality();
  std::map<std::string, Ore> totals;
  for (int i = 0; i < b.lines_size(); ++i) {
    const v1::BudgetLine& line = b.lines(i);
    if (!request.line().empty() && line.id() != request.line()) continue;
    const std::string field = absl::StrCat("lines[", i, "].allocation");
    ENAMND_ASSIGN_OR_RETURN(AllocationKey key, AllocationKeyOf(line.allocation(), data, field));
    absl::StatusOr<std::vector<Share>> shares = Allocate(amounts[line.id()], key);
    if (!shares.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ": ", b.name(), "'s line ", line.id(),
                       " cannot be shared: ", shares.status().message()));
    }
    v1::LineShares* out = response->add_lines();
    out->set_line(line.id());
    out->set_title(line.title());
    out->mutable_total()->set_ore(amounts[line.id()]);
    out->set_model(DescribeModel(line.allocation()));
    for (const Share& s : *shares) {
      const std::string name = absl::StrCat("municipalities/", s.municipality);
      if (!only.empty() && name != only) continue;
      *out->add_shares() = ShareOf(s.municipality, s.amount_ore, members);
      totals[s.municipality] += s.amount_ore;
    }
  }
  for (const auto& [code, amount] : totals)
    *response->add_totals() = ShareOf(code, amount, members);
  return absl::OkStatus();
}

absl::Status FinanceApi::GetCostShares(const platform::Caller& caller,
                                       const v1::GetCostSharesRequest& request,
                                       v1::CostShares* response) {
  ENAMND_ASSIGN_OR_RETURN(BudgetName name, BudgetName::Parse(request.budget(), "budget"));
  if (request.basis() != v1::COST_BASIS_UNSPECIFIED) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireEnumValue(request.basis(), v1::CostBasis_descriptor(), "basis"));
  }
  if (request.through_month() < 0 || request.through_month() > 12) {
    return platform::InvalidField("through_month", "must be 0-12");
  }
  if (!request.line().empty()) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.line(), "line"));
  }
  if (!request.municipality().empty()) {
    ENAMND_ASSIGN_OR_RETURN(
        std::string code, platform::ParseMunicipalityName(request.municipality(), "municipality"));
    ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(code, request.municipality()));
  } else if (!caller.ReachesEveryMunicipality()) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller.method(), ": ", caller.principal(),
                     " reads its own municipality's shares: give municipality"));
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      Budget b, platform::Required(store::GetBudget(tx, name), "budget", request.budget()));
  if (!request.municipality().empty()) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, request.municipality(), "municipality").status());
  }
  bool found = request.line().empty();
  for (const v1::BudgetLine& line : b.lines()) found = found || line.id() == request.line();
  if (!found) {
    return platform::InvalidField(
        "line", absl::StrCat("\"", request.line(), "\" is not a line of ", b.name()));
  }
  response->set_budget(b.name());
  response->set_basis(request.basis() == v1::COST_BASIS_UNSPECIFIED ? v1::COST_BASIS_BUDGET
                                                                    : request.basis());
  return FillCostShares(tx, b, request, response);
}

// ------------------------------------------------------------ meetings events

absl::Status FinanceApi::HandleMeetingsEvent(Transaction& tx,
                                             const io::cloudevents::v1::CloudEvent& event) {
  absl::StatusOr<platform::MeetingsFeedItem> item =
      platform::ReadMeetingsFeed(event, kSubjectPrefix);
  if (absl::IsDataLoss(item.status())) return unreadable_.Skip(item.status());
  ENAMND_RETURN_IF_ERROR(item.status());
  if (auto* d = std::get_if<platform::SubjectDecision>(&*item)) return LinkBudgetDecision(tx, *d);
  if (auto* f = std::get_if<platform::SubjectDecisionFinal>(&*item)) {
    absl::StatusOr<BudgetReference> ref = BudgetReference::Parse(f->subject, "case_subject");
    if (!ref.ok()) return absl::OkStatus();
    return platform::SetLegalForce(tx, ref->budget.ToString(), f->paragraph, f->legal_force_date)
        .status();
  }
  if (auto* a = std::get_if<platform::ParagraphAppealed>(&*item)) {
    return platform::RevokeLegalForce(tx, a->paragraph).status();
  }
  if (auto* m = std::get_if<platform::MemberRegistered>(&*item)) {
    return platform::RememberMember(tx, *m);
  }
  return absl::OkStatus();
}

namespace {

// Whether the decision on `paragraph` linked to `subject` adopts (false when
// none is linked).
absl::StatusOr<bool> LinkedAdopting(Transaction& tx, const std::string& subject,
                                    const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(auto linked, platform::LinkedDecisions(tx, subject));
  for (const common::v1::CommitteeDecision& d : linked) {
    if (d.paragraph() == paragraph) return IsAdoptingDecision(d.decision_kind());
  }
  return false;
}

// The decision on `paragraph` among a budget's linked decisions.
common::v1::CommitteeDecision DecisionOn(const Budget& b, const std::string& paragraph) {
  for (const common::v1::CommitteeDecision& d : b.decisions()) {
    if (d.paragraph() == paragraph) return d;
  }
  return {};
}

}  // namespace

absl::Status FinanceApi::LinkBudgetDecision(Transaction& tx, const platform::SubjectDecision& d) {
  absl::StatusOr<BudgetReference> ref = BudgetReference::Parse(d.subject, "case_subject");
  if (!ref.ok()) {
    platform::LogWarning("finance", "decision ", d.paragraph, " names ", d.subject,
                         ", which is not a budget; ignored");
    return absl::OkStatus();
  }
  const std::string subject = ref->budget.ToString();
  ENAMND_ASSIGN_OR_RETURN(bool adopted_before, LinkedAdopting(tx, subject, d.paragraph));
  ENAMND_ASSIGN_OR_RETURN(auto linked, platform::LinkDecision(tx, subject, d));
  const bool updated = !linked.has_value();
  // A decision adopts when it is linked, or updated into an adopting one
  // (DecisionUpdated); an approval updated in its text, say, must not adopt
  // a revision made since.
  const bool adopts = !adopted_before && IsAdoptingDecision(d.decision_kind);
  if (updated && !adopts) return absl::OkStatus();
  if (!updated) platform::LogInfo("finance", "decision ", d.paragraph, " linked to ", subject);
  ENAMND_ASSIGN_OR_RETURN(auto budget, store::GetBudget(tx, ref->budget));
  if (budget.has_value() && adopts && AdoptionApplies(budget->state())) {
    const common::v1::CommitteeDecision decision = DecisionOn(*budget, d.paragraph);
    Adopt(decision, &*budget);
    ENAMND_RETURN_IF_ERROR(store::ReplaceBudget(tx, &*budget));
    v1::BudgetAdopted adopted;
    *adopted.mutable_budget() = *budget;
    *adopted.mutable_decision() = decision;
    return outbox_->Append(tx, adopted, subject).status();
  }
  if (updated) return absl::OkStatus();
  v1::BudgetDecisionLinked event;
  event.set_budget(subject);
  *event.mutable_decision() = *std::move(linked);
  return outbox_->Append(tx, event, subject).status();
}

// ------------------------------------------------------------ projects events

absl::Status FinanceApi::HandleProjectsEvent(Transaction& tx,
                                             const io::cloudevents::v1::CloudEvent& event) {
  if (event.type() != kParticipationChanged) return absl::OkStatus();
  projects::v1::ParticipationChanged changed;
  if (!event.proto_data().UnpackTo(&changed)) {
    return unreadable_.Skip(
        absl::DataLossError(absl::StrCat("event ", event.source(), " ", event.id(), " of type ",
                                         event.type(), " has a payload that does not parse")));
  }
  const projects::v1::Participation& p = changed.participation();
  absl::StatusOr<InitiativeName> initiative =
      InitiativeName::Parse(changed.initiative(), "initiative");
  absl::StatusOr<std::string> code =
      platform::ParseMunicipalityName(p.municipality(), "participation.municipality");
  absl::Status joined = platform::ValidateDate(p.joined_date(), "participation.joined_date", true);
  absl::Status left = platform::ValidateDate(p.left_date(), "participation.left_date", false);
  for (const absl::Status& s : {initiative.status(), code.status(), joined, left}) {
    if (!s.ok()) {
      return unreadable_.Skip(absl::DataLossError(
          absl::StrCat("event ", event.source(), " ", event.id(), ": ", s.message())));
    }
  }
  ParticipationRow row{*code, ToCivil(p.joined_date()), std::nullopt};
  if (platform::IsSet(p.left_date())) row.left_day = ToCivil(p.left_date());
  return store::SaveParticipation(tx, initiative->ToString(), row);
}

}  // namespace enamnd::finance
