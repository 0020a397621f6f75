// Each handler reads: parse names -> load -> domain check -> store -> emit.
// The rules live in services/contracts/domain, the SQL in
// services/contracts/store.
#include "services/contracts/api/contracts_api.h"

#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "enamnd/contracts/v1/events.pb.h"
#include "services/contracts/domain/rules.h"
#include "services/contracts/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/linked_decisions.h"
#include "services/platform/listing.h"
#include "services/platform/log.h"
#include "services/platform/members.h"
#include "services/platform/raised.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::contracts {
namespace {

using platform::DayText;
using platform::NowTimestamp;
using platform::ToCivil;
using platform::Transaction;
using v1::Procurement;

constexpr char kSubjectPrefix[] = "//contracts/";

// The SCB codes of the entitled municipalities: the audience of events
// every one of them may act on.
std::vector<std::string> EntitledCodes(const v1::Agreement& a) {
  std::vector<std::string> codes;
  for (const std::string& m : a.entitled()) {
    absl::StatusOr<std::string> code = platform::ParseMunicipalityName(m, "entitled");
    if (code.ok()) codes.push_back(*code);
  }
  return codes;
}

// An agreement registered after the fact may bring its history: the
// options already used and its follow-ups, none of them in the future.
absl::Status CheckHistory(const v1::Agreement& a, absl::CivilDay today) {
  for (int i = 0; i < a.terms().extensions_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::NotInFuture(
        a.terms().extensions(i).used_date(),
        absl::StrCat("agreement.terms.extensions[", i, "].used_date"), today));
  }
  for (int i = 0; i < a.follow_ups_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::NotInFuture(
        a.follow_ups(i).date(), absl::StrCat("agreement.follow_ups[", i, "].date"), today));
  }
  return absl::OkStatus();
}

void Stamp(const platform::Caller& caller, v1::Procurement* p) {
  *p->mutable_update_time() = NowTimestamp();
  p->set_update_principal(caller.principal());
}
void Stamp(const platform::Caller& caller, v1::Agreement* a) {
  *a->mutable_update_time() = NowTimestamp();
  a->set_update_principal(caller.principal());
}

}  // namespace

// ------------------------------------------------------------ procurements

absl::Status ContractsApi::CreateProcurement(const platform::Caller& caller,
                                             const v1::CreateProcurementRequest& request,
                                             v1::Procurement* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.procurement_id(), "procurement_id"));
  const v1::Procurement& given = request.procurement();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(given.title(), "procurement.title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(given.case_number(), "procurement.case_number",
                                                platform::kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(given.description(), "procurement.description",
                                                platform::kMaxTextLength, false));
  if (!given.initiative().empty()) {
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateCrossReference(given.initiative(), "procurement.initiative"));
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(request.since_date(), "since_date", clock_->Today()));
  v1::Procurement p;
  p.set_name(ProcurementName{request.procurement_id()}.ToString());
  p.set_title(given.title());
  p.set_case_number(given.case_number());
  p.set_description(given.description());
  p.set_initiative(given.initiative());
  p.set_state(Procurement::STATE_PLANNED);
  *p.mutable_state_date() = request.since_date();
  *p.mutable_create_time() = NowTimestamp();
  *p.mutable_update_time() = p.create_time();
  p.set_create_principal(caller.principal());
  p.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(tx, "CreateProcurement", request.request_id(), p.name(),
                                 platform::ByStoredName<ProcurementName>(tx, store::GetProcurement),
                                 response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(store::InsertProcurement(tx, &p));
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, p.name()));
  for (auto& d : decisions) *p.add_decisions() = std::move(d);  // they may come first
  v1::ProcurementCreated event;
  *event.mutable_procurement() = p;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status ContractsApi::GetProcurement(const platform::Caller& /*caller*/,
                                          const v1::GetProcurementRequest& request,
                                          v1::Procurement* response) {
  ENAMND_ASSIGN_OR_RETURN(ProcurementName name, ProcurementName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetProcurement(tx, name),
                                                        "procurement", request.name()));
  return absl::OkStatus();
}

absl::Status ContractsApi::ListProcurements(const platform::Caller& /*caller*/,
                                            const v1::ListProcurementsRequest& request,
                                            v1::ListProcurementsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(request.filter(), {"state"}));
  std::optional<ProcurementState> state;
  if (terms.count("state")) {
    ENAMND_ASSIGN_OR_RETURN(
        int value,
        platform::ParseEnumValue(terms["state"], Procurement::State_descriptor(), "filter.state"));
    state = static_cast<ProcurementState>(value);
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          store::ListProcurements(tx, state, request.filter(), request.page_size(),
                                                  request.page_token()));
  platform::FillPage(std::move(page), &v1::ListProcurementsResponse::mutable_procurements,
                     response);
  return absl::OkStatus();
}

absl::StatusOr<v1::Procurement> ContractsApi::Writable(Transaction& tx, absl::string_view text,
                                                       absl::string_view etag) {
  ENAMND_ASSIGN_OR_RETURN(ProcurementName name, ProcurementName::Parse(text, "name"));
  ENAMND_ASSIGN_OR_RETURN(v1::Procurement p,
                          platform::Required(store::GetProcurement(tx, name), "procurement", text));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(std::string(etag), p.etag(), p.name()));
  return p;
}

absl::Status ContractsApi::MoveAndCommit(Transaction& tx, const platform::Caller& caller,
                                         v1::Procurement* p, ProcurementState to,
                                         const common::v1::Date& day, const ExtraEvent& extra) {
  v1::ProcurementStateChanged changed;
  changed.set_procurement(p->name());
  changed.set_from_state(p->state());
  changed.set_to_state(to);
  *changed.mutable_date() = day;
  p->set_state(to);
  *p->mutable_state_date() = day;
  Stamp(caller, p);
  ENAMND_RETURN_IF_ERROR(store::ReplaceProcurement(tx, p));
  if (extra) ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, *extra(*p), p->name()).status());
  return platform::EmitAndCommit(tx, outbox_, caller, changed, p->name());
}

absl::Status ContractsApi::TransitionProcurement(const platform::Caller& caller,
                                                 const v1::TransitionProcurementRequest& request,
                                                 v1::Procurement* response) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(request.state(), Procurement::State_descriptor(), "state"));
  const absl::CivilDay today = clock_->Today();
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(request.date(), "date", today));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Procurement p, Writable(tx, request.name(), request.etag()));
  ENAMND_RETURN_IF_ERROR(CheckProcurementTransition(p.state(), request.state()));
  if (request.state() == Procurement::STATE_CONCLUDED) {  // on the day it is concluded
    ENAMND_RETURN_IF_ERROR(CheckStandstillOver(p, ToCivil(request.date())));
  }
  if (ToCivil(request.date()) < ToCivil(p.state_date())) {
    return platform::InvalidField("date", absl::StrCat(DayText(ToCivil(request.date())),
                                                       " is before the current state's day ",
                                                       DayText(ToCivil(p.state_date()))));
  }
  ENAMND_RETURN_IF_ERROR(MoveAndCommit(tx, caller, &p, request.state(), request.date()));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status ContractsApi::RecordAward(const platform::Caller& caller,
                                       const v1::RecordAwardRequest& request,
                                       v1::Procurement* response) {
  const absl::CivilDay today = clock_->Today();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(request.decision_date(), "decision_date", today));
  const bool noticed = platform::IsSet(request.notice_date());
  if (noticed) {
    ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(request.notice_date(), "notice_date", today));
    ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
        request.notice_means(), v1::NoticeMeans_descriptor(), "notice_means"));
    if (ToCivil(request.notice_date()) < ToCivil(request.decision_date())) {
      return platform::InvalidField("notice_date", "is before the award decision");
    }
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Procurement p, Writable(tx, request.name(), ""));
  const bool adds_notice = p.state() == Procurement::STATE_AWARD_DECIDED && noticed;
  if (p.state() != Procurement::STATE_EVALUATION && !adds_notice) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state: ", p.name(), " is in ", Procurement::State_Name(p.state()),
        "; an award is recorded in STATE_EVALUATION (its notice also in STATE_AWARD_DECIDED)"));
  }
  if (!adds_notice && ToCivil(request.decision_date()) < ToCivil(p.state_date())) {
    return platform::InvalidField(
        "decision_date",
        absl::StrCat("is before the evaluation began on ", DayText(ToCivil(p.state_date()))));
  }
  if (adds_notice && ToCivil(request.decision_date()) != ToCivil(p.award_decision_date())) {
    return platform::InvalidField(
        "decision_date",
        absl::StrCat("the award was decided on ", DayText(ToCivil(p.award_decision_date()))));
  }
  *p.mutable_award_decision_date() = request.decision_date();
  ProcurementState to = Procurement::STATE_AWARD_DECIDED;
  common::v1::Date day = request.decision_date();
  if (noticed) {
    *p.mutable_award_notice_date() = request.notice_date();
    p.set_notice_means(request.notice_means());
    *p.mutable_standstill_end() =
        platform::ToDate(StandstillEnd(ToCivil(request.notice_date()), request.notice_means()));
    to = Procurement::STATE_STANDSTILL;
    day = request.notice_date();
  }
  ENAMND_RETURN_IF_ERROR(MoveAndCommit(tx, caller, &p, to, day, [](const v1::Procurement& stored) {
    auto awarded = std::make_unique<v1::AwardDecided>();
    *awarded->mutable_procurement() = stored;
    return awarded;
  }));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status ContractsApi::RecordReviewRequest(const platform::Caller& caller,
                                               const v1::RecordReviewRequestRequest& request,
                                               v1::Procurement* response) {
  const v1::ReviewRequest& review = request.review();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(review.filed_date(), "review.filed_date", clock_->Today()));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(review.court(), "review.court", platform::kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(
      review.court_case_number(), "review.court_case_number", platform::kMaxNameLength, false));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Procurement p, Writable(tx, request.name(), ""));
  ENAMND_RETURN_IF_ERROR(CheckReviewRequest(p, ToCivil(review.filed_date())));
  if (ToCivil(review.filed_date()) < ToCivil(p.award_notice_date())) {
    return platform::InvalidField(
        "review.filed_date",
        absl::StrCat("is before the award notice of ", DayText(ToCivil(p.award_notice_date()))));
  }
  v1::ReviewRequest filed = review;
  filed.clear_outcome();
  filed.clear_decided_date();
  *p.add_reviews() = filed;
  v1::ReviewRequested event;
  event.set_procurement(p.name());
  *event.mutable_review() = filed;
  ENAMND_RETURN_IF_ERROR(MoveAndCommit(
      tx, caller, &p, Procurement::STATE_UNDER_REVIEW, review.filed_date(),
      [&event](const v1::Procurement&) { return std::make_unique<v1::ReviewRequested>(event); }));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status ContractsApi::RecordReviewOutcome(const platform::Caller& caller,
                                               const v1::RecordReviewOutcomeRequest& request,
                                               v1::Procurement* response) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(request.outcome(), v1::ReviewOutcome_descriptor(), "outcome"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(request.decided_date(), "decided_date", clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Procurement p, Writable(tx, request.name(), ""));
  if (p.state() != Procurement::STATE_UNDER_REVIEW || p.reviews().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("state: ", p.name(), " is in ", Procurement::State_Name(p.state()),
                     "; an outcome is recorded for a procurement under review"));
  }
  v1::ReviewRequest* review = p.mutable_reviews(p.reviews_size() - 1);
  if (ToCivil(request.decided_date()) < ToCivil(review->filed_date())) {
    return platform::InvalidField("decided_date", "is before the request was filed");
  }
  review->set_outcome(request.outcome());
  *review->mutable_decided_date() = request.decided_date();
  if (request.outcome() == v1::REVIEW_OUTCOME_REDO ||
      request.outcome() == v1::REVIEW_OUTCOME_CORRECTION) {  // a new award will follow
    p.clear_award_decision_date();
    p.clear_award_notice_date();
    p.clear_notice_means();
    p.clear_standstill_end();
  }
  v1::ReviewDecided event;
  event.set_procurement(p.name());
  *event.mutable_review() = *review;
  event.set_state(StateAfterReview(request.outcome()));
  ENAMND_RETURN_IF_ERROR(MoveAndCommit(
      tx, caller, &p, StateAfterReview(request.outcome()), request.decided_date(),
      [&event](const v1::Procurement&) { return std::make_unique<v1::ReviewDecided>(event); }));
  *response = std::move(p);
  return absl::OkStatus();
}

// ------------------------------------------------------------ agreements

absl::Status ContractsApi::CheckMembers(Transaction& tx, const v1::Agreement& a) {
  for (int i = 0; i < a.entitled_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, a.entitled(i), absl::StrCat("agreement.entitled[", i, "]"))
            .status());
  }
  return absl::OkStatus();
}

absl::Status ContractsApi::CheckProcurementExists(Transaction& tx, absl::string_view reference) {
  if (reference.empty()) return absl::OkStatus();
  absl::ConsumePrefix(&reference, "//contracts/");
  ENAMND_ASSIGN_OR_RETURN(ProcurementName name,
                          ProcurementName::Parse(reference, "agreement.procurement"));
  ENAMND_ASSIGN_OR_RETURN(auto found, store::GetProcurement(tx, name));
  if (found.has_value()) return absl::OkStatus();
  return platform::InvalidField("agreement.procurement",
                                absl::StrCat(name.ToString(), " does not exist"));
}

absl::Status ContractsApi::CheckMayRead(const platform::Caller& caller, const v1::Agreement& a) {
  if (caller.ReachesEveryMunicipality()) return absl::OkStatus();
  for (const std::string& code : EntitledCodes(a)) {
    if (caller.RequireMunicipality(code, a.name()).ok()) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(caller.method(), ": ", caller.principal(),
                                                  " reads the agreements its municipality is "
                                                  "entitled to call off, and ",
                                                  a.name(), " is not one of them"));
}

absl::Status ContractsApi::CreateAgreement(const platform::Caller& caller,
                                           const v1::CreateAgreementRequest& request,
                                           v1::Agreement* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.agreement_id(), "agreement_id"));
  v1::Agreement a = request.agreement();
  ENAMND_RETURN_IF_ERROR(ValidateAgreement(a));
  ENAMND_RETURN_IF_ERROR(CheckHistory(a, clock_->Today()));
  a.set_name(AgreementName{request.agreement_id()}.ToString());
  a.clear_joined();
  a.clear_decisions();
  a.clear_etag();
  for (v1::FollowUp& f : *a.mutable_follow_ups()) f.set_recorded_by(caller.principal());
  *a.mutable_create_time() = NowTimestamp();
  *a.mutable_update_time() = a.create_time();
  a.set_create_principal(caller.principal());
  a.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed, platform::ReplayOrRemember(
                         tx, "CreateAgreement", request.request_id(), a.name(),
                         platform::ByStoredName<AgreementName>(tx, store::GetAgreement), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(CheckMembers(tx, a));
  ENAMND_RETURN_IF_ERROR(CheckProcurementExists(tx, a.procurement()));
  ENAMND_RETURN_IF_ERROR(store::InsertAgreement(tx, &a));
  ENAMND_ASSIGN_OR_RETURN(auto decisions, platform::LinkedDecisions(tx, a.name()));
  for (auto& d : decisions) *a.add_decisions() = std::move(d);
  v1::AgreementCreated event;
  *event.mutable_agreement() = a;
  ENAMND_RETURN_IF_ERROR(
      platform::EmitAndCommit(tx, outbox_, caller, event, a.name(), EntitledCodes(a)));
  *response = std::move(a);
  return absl::OkStatus();
}

absl::Status ContractsApi::GetAgreement(const platform::Caller& caller,
                                        const v1::GetAgreementRequest& request,
                                        v1::Agreement* response) {
  ENAMND_ASSIGN_OR_RETURN(AgreementName name, AgreementName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      *response, platform::Required(store::GetAgreement(tx, name), "agreement", request.name()));
  return CheckMayRead(caller, *response);
}

absl::Status ContractsApi::ListAgreements(const platform::Caller& caller,
                                          const v1::ListAgreementsRequest& request,
                                          v1::ListAgreementsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(AgreementFilter filter, ParseAgreementFilter(request.filter()));
  if (!caller.ReachesEveryMunicipality()) {
    // A municipality system lists what its own municipality may use.
    if (!filter.municipality.has_value()) {
      return absl::PermissionDeniedError(
          absl::StrCat(caller.method(), ": ", caller.principal(),
                       " lists the agreements of its municipality: filter by municipality"));
    }
    ENAMND_ASSIGN_OR_RETURN(std::string code, platform::ParseMunicipalityName(
                                                  *filter.municipality, "filter.municipality"));
    ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(code, *filter.municipality));
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  if (filter.municipality.has_value()) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireMember(tx, *filter.municipality, "filter.municipality").status());
  }
  int64_t total = 0;
  ENAMND_ASSIGN_OR_RETURN(auto page,
                          store::ListAgreements(tx, filter, clock_->Today(), request.filter(),
                                                request.page_size(), request.page_token(), &total));
  response->set_total_size(static_cast<int32_t>(total));
  platform::FillPage(std::move(page), &v1::ListAgreementsResponse::mutable_agreements, response);
  return absl::OkStatus();
}

absl::StatusOr<v1::Agreement> ContractsApi::WritableAgreement(Transaction& tx,
                                                              absl::string_view text,
                                                              absl::string_view etag) {
  ENAMND_ASSIGN_OR_RETURN(AgreementName name, AgreementName::Parse(text, "name"));
  ENAMND_ASSIGN_OR_RETURN(v1::Agreement a,
                          platform::Required(store::GetAgreement(tx, name), "agreement", text));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(std::string(etag), a.etag(), a.name()));
  return a;
}

absl::Status ContractsApi::UpdateAgreement(const platform::Caller& caller,
                                           const v1::UpdateAgreementRequest& request,
                                           v1::Agreement* response) {
  const v1::Agreement& given = request.agreement();
  ENAMND_RETURN_IF_ERROR(platform::ValidateMask(request.update_mask(), UpdatableAgreementFields()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Agreement a, WritableAgreement(tx, given.name(), given.etag()));
  const v1::Agreement before = a;
  const auto& used = before.terms().extensions();
  platform::ApplyMask(request.update_mask(), given, &a);
  // Extensions already used stay used; ExtendAgreement is the only way to use one.
  for (int i = 0; i < a.terms().extensions_size(); ++i) {
    v1::ExtensionOption* e = a.mutable_terms()->mutable_extensions(i);
    e->set_used(i < used.size() && used[i].used());
    if (e->used())
      *e->mutable_used_date() = used[i].used_date();
    else
      e->clear_used_date();
  }
  ENAMND_RETURN_IF_ERROR(ValidateAgreement(a));
  ENAMND_RETURN_IF_ERROR(CheckUpdateKeepsHistory(before, a));
  ENAMND_RETURN_IF_ERROR(CheckMembers(tx, a));
  ENAMND_RETURN_IF_ERROR(CheckProcurementExists(tx, a.procurement()));
  Stamp(caller, &a);
  ENAMND_RETURN_IF_ERROR(store::ReplaceAgreement(tx, &a));
  v1::AgreementUpdated event;
  *event.mutable_agreement() = a;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, a.name()));
  *response = std::move(a);
  return absl::OkStatus();
}

absl::Status ContractsApi::ExtendAgreement(const platform::Caller& caller,
                                           const v1::ExtendAgreementRequest& request,
                                           v1::Agreement* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(request.date(), "date", clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Agreement a, WritableAgreement(tx, request.name(), request.etag()));
  v1::Terms* terms = a.mutable_terms();
  v1::ExtensionOption* next = nullptr;
  for (v1::ExtensionOption& e : *terms->mutable_extensions()) {
    if (!e.used()) {
      next = &e;
      break;
    }
  }
  if (next == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("extensions: ", a.name(), " has no unused extension option"));
  }
  if (ToCivil(request.date()) < ToCivil(terms->start())) {
    return platform::InvalidField(
        "date", absl::StrCat("is before the agreement's start ", DayText(ToCivil(terms->start()))));
  }
  if (ToCivil(request.date()) > ToCivil(terms->end())) {
    return platform::InvalidField("date",
                                  absl::StrCat("the term ended on ", DayText(ToCivil(terms->end())),
                                               "; an option is used before the end"));
  }
  next->set_used(true);
  *next->mutable_used_date() = request.date();
  *terms->mutable_end() = platform::ToDate(AddMonths(ToCivil(terms->end()), next->months()));
  v1::AgreementExtended event;
  event.set_agreement(a.name());
  *event.mutable_option() = *next;
  *event.mutable_new_end() = terms->end();
  Stamp(caller, &a);
  ENAMND_RETURN_IF_ERROR(store::ReplaceAgreement(tx, &a));
  ENAMND_RETURN_IF_ERROR(
      platform::EmitAndCommit(tx, outbox_, caller, event, a.name(), EntitledCodes(a)));
  *response = std::move(a);
  return absl::OkStatus();
}

absl::Status ContractsApi::JoinAgreement(const platform::Caller& caller,
                                         const v1::JoinAgreementRequest& request,
                                         v1::Agreement* response) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(request.joined_date(), "joined_date", clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(std::string code,
                          platform::RequireMember(tx, request.municipality(), "municipality"));
  ENAMND_ASSIGN_OR_RETURN(v1::Agreement a, WritableAgreement(tx, request.name(), ""));
  ENAMND_RETURN_IF_ERROR(CheckJoin(a, request.municipality(), ToCivil(request.joined_date())));
  v1::Joining* joining = a.add_joined();
  joining->set_municipality(request.municipality());
  *joining->mutable_joined_date() = request.joined_date();
  v1::AgreementJoined event;
  event.set_agreement(a.name());
  *event.mutable_joining() = *joining;
  Stamp(caller, &a);
  ENAMND_RETURN_IF_ERROR(store::ReplaceAgreement(tx, &a));
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, a.name(), {code}));
  *response = std::move(a);
  return absl::OkStatus();
}

absl::Status ContractsApi::RecordFollowUp(const platform::Caller& caller,
                                          const v1::RecordFollowUpRequest& request,
                                          v1::Agreement* response) {
  const v1::FollowUp& given = request.follow_up();
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(given.date(), "follow_up.date", clock_->Today()));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(given.result(), "follow_up.result", platform::kMaxTextLength, true));
  for (int i = 0; i < given.deviations_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(given.deviations(i),
                                                  absl::StrCat("follow_up.deviations[", i, "]"),
                                                  platform::kMaxTextLength, true));
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Agreement a, WritableAgreement(tx, request.name(), ""));
  if (ToCivil(given.date()) < ToCivil(a.terms().start())) {
    return platform::InvalidField(
        "follow_up.date",
        absl::StrCat("is before the agreement's start ", DayText(ToCivil(a.terms().start()))));
  }
  for (const v1::FollowUp& earlier : a.follow_ups()) {
    if (ToCivil(earlier.date()) == ToCivil(given.date()) && earlier.result() == given.result()) {
      ENAMND_RETURN_IF_ERROR(
          platform::CommitAudited(tx, caller, a.name(), platform::kOutcomeReplayed));
      *response = std::move(a);  // the same follow-up sent again: a retry
      return absl::OkStatus();
    }
  }
  v1::FollowUp follow_up = given;
  follow_up.set_recorded_by(caller.principal());
  *a.add_follow_ups() = follow_up;
  v1::FollowUpRecorded event;
  event.set_agreement(a.name());
  *event.mutable_follow_up() = follow_up;
  Stamp(caller, &a);
  ENAMND_RETURN_IF_ERROR(store::ReplaceAgreement(tx, &a));
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, a.name()));
  *response = std::move(a);
  return absl::OkStatus();
}

absl::Status ContractsApi::ListOverdueFollowUps(const platform::Caller& /*caller*/,
                                                const v1::ListOverdueFollowUpsRequest& /*request*/,
                                                v1::ListOverdueFollowUpsResponse* response) {
  const absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Agreement> all, store::AllAgreements(tx));
  for (v1::Agreement& a : all) {
    std::optional<absl::CivilDay> next = NextFollowUp(a);
    if (next.has_value() && *next < today && InForce(a.terms(), today)) {
      *response->add_agreements() = std::move(a);
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ deadlines

namespace {

// A time-driven event, raised once per (kind, name, detail); `silent`
// marks details that are passed without an event (wider horizons of an
// agreement that entered the watch late).
struct Alarm {
  std::string kind, name, detail;
  std::unique_ptr<google::protobuf::Message> event;
  std::vector<std::string> audience;
  std::vector<std::string> silent;
};

std::optional<Alarm> ExpiryAlarm(const v1::Agreement& a, const std::vector<int>& horizons,
                                 absl::CivilDay today) {
  const Expiry expiry = ExpiryOf(a.terms());
  std::optional<HorizonReached> h = ExpiryHorizonOn(expiry, horizons, today);
  if (!h.has_value()) return std::nullopt;
  const std::string notice_day = DayText(expiry.last_notice_day);
  auto event = std::make_unique<v1::AgreementExpiring>();
  event->set_agreement(a.name());
  event->set_title(a.title());
  event->set_horizon_months(h->horizon_months);
  *event->mutable_last_notice_day() = platform::ToDate(expiry.last_notice_day);
  *event->mutable_final_end() = platform::ToDate(expiry.final_end);
  event->set_unused_extensions(expiry.unused_extensions);
  Alarm alarm{
      "AgreementExpiring", a.name(),         absl::StrCat(h->horizon_months, "|", notice_day),
      std::move(event),    EntitledCodes(a), {}};
  for (int passed : h->passed) alarm.silent.push_back(absl::StrCat(passed, "|", notice_day));
  return alarm;
}

std::optional<Alarm> FollowUpAlarm(const v1::Agreement& a, absl::CivilDay today) {
  std::optional<absl::CivilDay> due = NextFollowUp(a);
  if (!due.has_value() || *due >= today || !InForce(a.terms(), today)) return std::nullopt;
  auto event = std::make_unique<v1::FollowUpOverdue>();
  event->set_agreement(a.name());
  *event->mutable_due_date() = platform::ToDate(*due);
  return Alarm{"FollowUpOverdue", a.name(), DayText(*due), std::move(event), {}, {}};
}

// What is due on `today` and not raised yet.
absl::StatusOr<std::vector<Alarm>> DueAlarms(Transaction& tx, const std::vector<int>& horizons,
                                             absl::CivilDay today) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::Agreement> all, store::AllAgreements(tx));
  std::vector<Alarm> due;
  for (const v1::Agreement& a : all) {
    std::vector<std::optional<Alarm>> candidates;
    candidates.push_back(ExpiryAlarm(a, horizons, today));
    candidates.push_back(FollowUpAlarm(a, today));
    for (std::optional<Alarm>& alarm : candidates) {
      if (!alarm.has_value()) continue;
      ENAMND_ASSIGN_OR_RETURN(bool raised,
                              platform::IsRaised(tx, alarm->kind, alarm->name, alarm->detail));
      if (!raised) due.push_back(*std::move(alarm));
    }
  }
  return due;
}

}  // namespace

absl::Status ContractsApi::RunDeadlines(absl::CivilDay today) {
  // Found with a read transaction: the job usually has nothing to write.
  std::vector<Alarm> alarms;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(alarms, DueAlarms(tx, expiry_horizons_, today));
  }
  if (alarms.empty()) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  for (const Alarm& a : alarms) {
    for (const std::string& detail : a.silent) {
      ENAMND_RETURN_IF_ERROR(platform::MarkRaised(tx, a.kind, a.name, detail).status());
    }
    // Marked under the write lock: another run may have raised it meanwhile.
    ENAMND_ASSIGN_OR_RETURN(bool fresh, platform::MarkRaised(tx, a.kind, a.name, a.detail));
    if (fresh) ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, *a.event, a.name, a.audience).status());
  }
  return tx.Commit();
}

// ------------------------------------------------------------ meetings events

absl::Status ContractsApi::HandleMeetingsEvent(Transaction& tx,
                                               const io::cloudevents::v1::CloudEvent& event) {
  absl::StatusOr<platform::MeetingsFeedItem> item =
      platform::ReadMeetingsFeed(event, kSubjectPrefix);
  if (absl::IsDataLoss(item.status())) return unreadable_.Skip(item.status());
  ENAMND_RETURN_IF_ERROR(item.status());
  if (auto* d = std::get_if<platform::SubjectDecision>(&*item)) return LinkDecision(tx, *d);
  if (auto* f = std::get_if<platform::SubjectDecisionFinal>(&*item)) {
    absl::StatusOr<ContractsReference> ref = ContractsReference::Parse(f->subject, "case_subject");
    if (!ref.ok()) return absl::OkStatus();
    return platform::SetLegalForce(tx, ref->LocalName(), f->paragraph, f->legal_force_date)
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

absl::Status ContractsApi::LinkDecision(Transaction& tx, const platform::SubjectDecision& d) {
  absl::StatusOr<ContractsReference> ref = ContractsReference::Parse(d.subject, "case_subject");
  if (!ref.ok()) {
    platform::LogWarning("contracts", "decision ", d.paragraph, " names ", d.subject,
                         ", which is neither a procurement nor an agreement; ignored");
    return absl::OkStatus();
  }
  const std::string subject = ref->LocalName();
  ENAMND_ASSIGN_OR_RETURN(auto linked, platform::LinkDecision(tx, subject, d));
  if (!linked.has_value()) return absl::OkStatus();
  platform::LogInfo("contracts", "decision ", d.paragraph, " linked to ", subject);
  v1::DecisionLinked event;
  event.set_subject(subject);
  *event.mutable_decision() = *std::move(linked);
  return outbox_->Append(tx, event, subject).status();
}

}  // namespace enamnd::contracts
