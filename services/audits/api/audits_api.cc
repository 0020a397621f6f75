// Each handler reads: parse names -> load -> domain check -> store -> emit.
// The rules live in services/audits/domain, the SQL in services/audits/store.
#include "services/audits/api/audits_api.h"

#include <map>
#include <memory>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "enamnd/audits/v1/events.pb.h"
#include "services/audits/domain/names.h"
#include "services/audits/domain/reviews.h"
#include "services/audits/domain/rules.h"
#include "services/audits/domain/wheel.h"
#include "services/audits/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/log.h"
#include "services/platform/raised.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"

namespace enamnd::audits {
using platform::NowTimestamp;
using platform::Transaction;

// ------------------------------------------------------------ reviews

absl::Status AuditsApi::CreateReview(const platform::Caller& caller,
                                     const v1::CreateReviewRequest& request, v1::Review* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(ReviewName name, ValidateNewReview(request.review()));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(name.code, name.ToString()));
  v1::Review r = request.review();
  r.set_name(name.ToString());
  r.clear_discharges();
  r.clear_handlings();
  r.clear_recommendations();
  r.clear_etag();
  *r.mutable_create_time() = NowTimestamp();
  *r.mutable_update_time() = r.create_time();
  r.set_create_principal(caller.principal());
  r.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed,
                          platform::ReplayOrRemember(
                              tx, "CreateReview", request.request_id(), r.name(),
                              platform::ByStoredName<ReviewName>(tx, store::GetReview), response));
  if (replayed) {
    ENAMND_RETURN_IF_ERROR(store::CompleteReview(tx, response));
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(store::InsertReview(tx, name, &r));
  ENAMND_RETURN_IF_ERROR(store::CompleteReview(tx, &r));  // decisions may have arrived first
  v1::ReviewCreated event;
  *event.mutable_review() = r;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, r.name()));
  *response = std::move(r);
  return absl::OkStatus();
}

absl::Status AuditsApi::GetReview(const platform::Caller& /*caller*/,
                                  const v1::GetReviewRequest& request, v1::Review* response) {
  ENAMND_ASSIGN_OR_RETURN(ReviewName name, ReviewName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response,
                          platform::Required(store::GetReview(tx, name), "review", request.name()));
  return store::CompleteReview(tx, response);
}

absl::Status AuditsApi::ListReviews(const platform::Caller& /*caller*/,
                                    const v1::ListReviewsRequest& request,
                                    v1::ListReviewsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(ReviewFilter filter, ParseReviewFilter(request.filter()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto page, store::ListReviews(tx, filter, request.filter(),
                                                        request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListReviewsResponse::mutable_reviews, response);
  return absl::OkStatus();
}

absl::Status AuditsApi::UpdateReview(const platform::Caller& caller,
                                     const v1::UpdateReviewRequest& request, v1::Review* response) {
  ENAMND_ASSIGN_OR_RETURN(ReviewName name,
                          ReviewName::Parse(request.review().name(), "review.name"));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(name.code, name.ToString()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateMask(request.update_mask(), UpdatableReviewFields()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      v1::Review r, platform::Required(store::GetReview(tx, name), "review", name.ToString()));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(request.review().etag(), r.etag(), r.name()));
  platform::ApplyMask(request.update_mask(), request.review(), &r);
  ENAMND_RETURN_IF_ERROR(ValidateReview(r));
  *r.mutable_update_time() = NowTimestamp();
  r.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::ReplaceReview(tx, &r));
  ENAMND_RETURN_IF_ERROR(store::CompleteReview(tx, &r));
  v1::ReviewUpdated event;
  *event.mutable_review() = r;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, r.name()));
  *response = std::move(r);
  return absl::OkStatus();
}

absl::Status AuditsApi::RecordDischarge(const platform::Caller& caller,
                                        const v1::RecordDischargeRequest& request,
                                        v1::Review* response) {
  ENAMND_ASSIGN_OR_RETURN(ReviewName name, ReviewName::Parse(request.review(), "review"));
  const v1::Discharge& d = request.discharge();
  ENAMND_RETURN_IF_ERROR(ValidateDischarge(d, clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(std::string code,
                          platform::ParseMunicipalityName(d.municipality(), "discharge"));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(code, d.municipality()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      v1::Review r, platform::Required(store::GetReview(tx, name), "review", request.review()));
  ENAMND_RETURN_IF_ERROR(CheckDischarge(r, d));
  *r.add_discharges() = d;
  *r.mutable_update_time() = NowTimestamp();
  r.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::ReplaceReview(tx, &r));
  ENAMND_RETURN_IF_ERROR(store::CompleteReview(tx, &r));
  v1::DischargeRecorded event;
  event.set_review(r.name());
  *event.mutable_discharge() = d;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, r.name(), {code}));
  *response = std::move(r);
  return absl::OkStatus();
}

// ------------------------------------------------------------ recommendations

absl::Status AuditsApi::CreateRecommendation(const platform::Caller& caller,
                                             const v1::CreateRecommendationRequest& request,
                                             v1::Recommendation* response) {
  ENAMND_ASSIGN_OR_RETURN(ReviewName review_name, ReviewName::Parse(request.review(), "review"));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(review_name.code, request.review()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::Recommendation rec = request.recommendation();
  DefaultToOpen(&rec);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::Review review, platform::Required(store::GetReview(tx, review_name),
                                                                "review", request.review()));
  ENAMND_ASSIGN_OR_RETURN(int count, store::CountRecommendations(tx, review_name));
  RecommendationName name{review_name, count + 1};
  rec.set_name(name.ToString());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateRecommendation", request.request_id(), rec.name(),
          platform::ByStoredName<RecommendationName>(tx, store::GetRecommendation), response));
  if (replayed) {
    response->set_overdue(RecommendationOverdue(*response, clock_->Today()));
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(ValidateRecommendation(rec, review));
  rec.clear_overdue();
  rec.clear_etag();
  *rec.mutable_create_time() = NowTimestamp();
  *rec.mutable_update_time() = rec.create_time();
  rec.set_create_principal(caller.principal());
  rec.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertRecommendation(tx, name, &rec));
  rec.set_overdue(RecommendationOverdue(rec, clock_->Today()));
  v1::RecommendationCreated event;
  *event.mutable_recommendation() = rec;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, rec.name()));
  *response = std::move(rec);
  return absl::OkStatus();
}

absl::Status AuditsApi::GetRecommendation(const platform::Caller& /*caller*/,
                                          const v1::GetRecommendationRequest& request,
                                          v1::Recommendation* response) {
  ENAMND_ASSIGN_OR_RETURN(RecommendationName name,
                          RecommendationName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetRecommendation(tx, name),
                                                        "recommendation", request.name()));
  response->set_overdue(RecommendationOverdue(*response, clock_->Today()));
  return absl::OkStatus();
}

absl::Status AuditsApi::ListRecommendations(const platform::Caller& /*caller*/,
                                            const v1::ListRecommendationsRequest& request,
                                            v1::ListRecommendationsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<ReviewName> parent,
                          ParseRecommendationParent(request.parent()));
  ENAMND_ASSIGN_OR_RETURN(RecommendationFilter filter, ParseRecommendationFilter(request.filter()));
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListRecommendations(tx, parent, filter,
                                            absl::StrCat(request.parent(), "|", request.filter()),
                                            today, request.page_size(), request.page_token()));
  for (v1::Recommendation& r : page.items) r.set_overdue(RecommendationOverdue(r, today));
  platform::FillPage(std::move(page), &v1::ListRecommendationsResponse::mutable_recommendations,
                     response);
  return absl::OkStatus();
}

absl::Status AuditsApi::UpdateRecommendation(const platform::Caller& caller,
                                             const v1::UpdateRecommendationRequest& request,
                                             v1::Recommendation* response) {
  const v1::Recommendation& given = request.recommendation();
  ENAMND_ASSIGN_OR_RETURN(RecommendationName name,
                          RecommendationName::Parse(given.name(), "recommendation.name"));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(name.review.code, given.name()));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateMask(request.update_mask(), UpdatableRecommendationFields()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      v1::Recommendation rec,
      platform::Required(store::GetRecommendation(tx, name), "recommendation", given.name()));
  ENAMND_RETURN_IF_ERROR(platform::CheckEtag(given.etag(), rec.etag(), given.name()));
  ENAMND_ASSIGN_OR_RETURN(v1::Review review, platform::Required(store::GetReview(tx, name.review),
                                                                "review", name.review.ToString()));
  platform::ApplyMask(request.update_mask(), given, &rec);
  ENAMND_RETURN_IF_ERROR(ValidateRecommendation(rec, review));
  rec.clear_overdue();
  *rec.mutable_update_time() = NowTimestamp();
  rec.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::ReplaceRecommendation(tx, name, &rec));
  rec.set_overdue(RecommendationOverdue(rec, clock_->Today()));
  v1::RecommendationUpdated event;
  *event.mutable_recommendation() = rec;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, rec.name()));
  *response = std::move(rec);
  return absl::OkStatus();
}

// ------------------------------------------------------------ internal control

absl::Status AuditsApi::CreateControlPlan(const platform::Caller& caller,
                                          const v1::CreateControlPlanRequest& request,
                                          v1::ControlPlan* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(ControlPlanName name, ValidateNewControlPlan(request.plan()));
  v1::ControlPlan plan = request.plan();
  plan.set_name(name.ToString());
  *plan.mutable_create_time() = NowTimestamp();
  plan.set_create_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(tx, "CreateControlPlan", request.request_id(), plan.name(),
                                 platform::ByStoredName<ControlPlanName>(tx, store::GetControlPlan),
                                 response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(store::InsertControlPlan(tx, name, plan));
  v1::ControlPlanCreated event;
  *event.mutable_plan() = plan;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, plan.name()));
  *response = std::move(plan);
  return absl::OkStatus();
}

absl::Status AuditsApi::GetControlPlan(const platform::Caller& /*caller*/,
                                       const v1::GetControlPlanRequest& request,
                                       v1::ControlPlan* response) {
  ENAMND_ASSIGN_OR_RETURN(ControlPlanName name, ControlPlanName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetControlPlan(tx, name),
                                                        "control plan", request.name()));
  return absl::OkStatus();
}

absl::Status AuditsApi::CreateControlPoint(const platform::Caller& caller,
                                           const v1::CreateControlPointRequest& request,
                                           v1::ControlPoint* response) {
  v1::ControlPoint p = request.point();
  ENAMND_ASSIGN_OR_RETURN(
      ControlPointName name,
      ValidateNewControlPoint(request.plan(), request.point_id(), p, clock_->Today()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(MomentName moment_name, MomentName::Parse(p.reporting_moment(), "point"));
  p.set_name(name.ToString());
  *p.mutable_create_time() = NowTimestamp();
  p.set_create_principal(caller.principal());
  p.set_update_principal(caller.principal());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateControlPoint", request.request_id(), p.name(),
          platform::ByStoredName<ControlPointName>(tx, store::GetControlPoint), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(
      platform::Required(store::GetControlPlan(tx, name.plan), "control plan", request.plan())
          .status());
  ENAMND_ASSIGN_OR_RETURN(auto year, store::GetReportingYear(tx, moment_name.year));
  std::optional<v1::ReportingMoment> moment;
  if (year.has_value()) moment = FindMoment(*year, moment_name);
  ENAMND_RETURN_IF_ERROR(CheckPointMoment(p, moment));
  ENAMND_RETURN_IF_ERROR(store::InsertControlPoint(tx, name, p));
  v1::ControlPointCreated event;
  *event.mutable_point() = p;
  *event.mutable_moment() = *moment;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

absl::Status AuditsApi::ListControlPoints(const platform::Caller& /*caller*/,
                                          const v1::ListControlPointsRequest& request,
                                          v1::ListControlPointsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(ControlPlanName plan, ControlPlanName::Parse(request.plan(), "plan"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      auto page, store::ListControlPoints(tx, plan, request.page_size(), request.page_token()));
  platform::FillPage(std::move(page), &v1::ListControlPointsResponse::mutable_points, response);
  return absl::OkStatus();
}

absl::Status AuditsApi::RecordControlFollowUp(const platform::Caller& caller,
                                              const v1::RecordControlFollowUpRequest& request,
                                              v1::ControlPoint* response) {
  ENAMND_ASSIGN_OR_RETURN(ControlPointName name, ControlPointName::Parse(request.point(), "point"));
  const v1::ControlFollowUp& f = request.follow_up();
  ENAMND_RETURN_IF_ERROR(ValidateFollowUp(f, "follow_up", clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::ControlPoint p, platform::Required(store::GetControlPoint(tx, name),
                                                                 "control point", request.point()));
  if (HasFollowUp(p, f)) {
    *response = std::move(p);  // a retry of the same follow-up
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  *p.add_follow_ups() = f;
  p.set_update_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::ReplaceControlPoint(tx, name, p));
  v1::ControlPointFollowedUp event;
  *event.mutable_point() = p;
  *event.mutable_follow_up() = f;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, p.name()));
  *response = std::move(p);
  return absl::OkStatus();
}

namespace {

// The moment a point reports at, reading each reporting year once.
class MomentLookup {
 public:
  explicit MomentLookup(Transaction& tx) : tx_(tx) {}

  absl::StatusOr<std::optional<v1::ReportingMoment>> Find(const std::string& moment) {
    absl::StatusOr<MomentName> name = MomentName::Parse(moment, "reporting_moment");
    if (!name.ok()) return std::optional<v1::ReportingMoment>();
    auto it = years_.find(name->year.year);
    if (it == years_.end()) {
      ENAMND_ASSIGN_OR_RETURN(auto year, store::GetReportingYear(tx_, name->year));
      it = years_.emplace(name->year.year, std::move(year)).first;
    }
    if (!it->second.has_value()) return std::optional<v1::ReportingMoment>();
    return FindMoment(*it->second, *name);
  }

 private:
  Transaction& tx_;
  std::map<int, std::optional<v1::ReportingYear>> years_;
};

}  // namespace

absl::Status AuditsApi::ListMissedControlPoints(const platform::Caller& /*caller*/,
                                                const v1::ListMissedControlPointsRequest& request,
                                                v1::ListMissedControlPointsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(ControlPlanName plan, ControlPlanName::Parse(request.plan(), "plan"));
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_RETURN_IF_ERROR(
      platform::Required(store::GetControlPlan(tx, plan), "control plan", request.plan()).status());
  ENAMND_ASSIGN_OR_RETURN(auto points, store::AllControlPoints(tx, plan));
  MomentLookup moments(tx);
  for (v1::ControlPoint& p : points) {
    ENAMND_ASSIGN_OR_RETURN(auto moment, moments.Find(p.reporting_moment()));
    if (!moment.has_value() || !ControlPointMissed(p, *moment, today)) continue;
    auto* missed = response->add_missed();
    *missed->mutable_point() = std::move(p);
    *missed->mutable_moment() = *std::move(moment);
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ reporting wheel

absl::Status AuditsApi::CreateReportingYear(const platform::Caller& caller,
                                            const v1::CreateReportingYearRequest& request,
                                            v1::ReportingYear* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_ASSIGN_OR_RETURN(v1::ReportingYear y,
                          NewReportingYear(request.reporting_year(), clock_->Today()));
  ReportingYearName name{y.year()};
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::ReplayOrRemember(
          tx, "CreateReportingYear", request.request_id(), y.name(),
          platform::ByStoredName<ReportingYearName>(tx, store::GetReportingYear), response));
  if (replayed)
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  ENAMND_RETURN_IF_ERROR(store::InsertReportingYear(tx, name, &y));
  v1::ReportingYearCreated event;
  *event.mutable_reporting_year() = y;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, y.name()));
  *response = std::move(y);
  return absl::OkStatus();
}

absl::Status AuditsApi::CopyReportingYear(const platform::Caller& caller,
                                          const v1::CopyReportingYearRequest& request,
                                          v1::ReportingYear* response) {
  ENAMND_ASSIGN_OR_RETURN(ReportingYearName name, ReportingYearName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(auto previous,
                          store::GetReportingYear(tx, ReportingYearName{name.year - 1}));
  ENAMND_ASSIGN_OR_RETURN(v1::ReportingYear y, NextReportingYear(previous, name));
  ENAMND_RETURN_IF_ERROR(store::InsertReportingYear(tx, name, &y));
  v1::ReportingYearCreated event;
  *event.mutable_reporting_year() = y;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, y.name()));
  *response = std::move(y);
  return absl::OkStatus();
}

absl::Status AuditsApi::GetReportingYear(const platform::Caller& /*caller*/,
                                         const v1::GetReportingYearRequest& request,
                                         v1::ReportingYear* response) {
  ENAMND_ASSIGN_OR_RETURN(ReportingYearName name, ReportingYearName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(*response, platform::Required(store::GetReportingYear(tx, name),
                                                        "reporting year", request.name()));
  return absl::OkStatus();
}

absl::Status AuditsApi::MarkMomentReported(const platform::Caller& caller,
                                           const v1::MarkMomentReportedRequest& request,
                                           v1::ReportingYear* response) {
  ENAMND_ASSIGN_OR_RETURN(MomentName name, MomentName::Parse(request.moment(), "moment"));
  ENAMND_RETURN_IF_ERROR(
      ValidateMomentReport(request.reported_date(), request.reported_reference(), clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::ReportingYear y,
                          platform::Required(store::GetReportingYear(tx, name.year),
                                             "reporting year", name.year.ToString()));
  ENAMND_ASSIGN_OR_RETURN(
      v1::ReportingMoment moment,
      MarkReported(&y, name, request.reported_date(), request.reported_reference()));
  ENAMND_RETURN_IF_ERROR(store::ReplaceReportingYear(tx, name.year, &y));
  v1::MomentReported event;
  *event.mutable_moment() = moment;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, moment.name()));
  *response = std::move(y);
  return absl::OkStatus();
}

absl::Status AuditsApi::ListOverdueMoments(const platform::Caller& /*caller*/,
                                           const v1::ListOverdueMomentsRequest& request,
                                           v1::ListOverdueMomentsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<ReportingYearName> parent,
                          ParseOverdueParent(request.parent()));
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  std::vector<v1::ReportingYear> years;
  if (parent.has_value()) {
    ENAMND_ASSIGN_OR_RETURN(auto year, store::GetReportingYear(tx, *parent));
    if (year.has_value()) years.push_back(*std::move(year));
  } else {
    ENAMND_ASSIGN_OR_RETURN(years, store::AllReportingYears(tx));
  }
  for (const auto& y : years) {
    for (const auto& m : y.moments()) {
      if (MomentOverdue(m, today)) *response->add_moments() = m;
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ consuming meetings events

absl::Status AuditsApi::HandleMeetingsEvent(Transaction& tx,
                                            const io::cloudevents::v1::CloudEvent& event) {
  absl::StatusOr<MeetingsEffect> effect = ReadMeetingsEvent(event);
  if (absl::IsDataLoss(effect.status())) return unreadable_.Skip(effect.status());
  if (absl::IsInvalidArgument(effect.status())) {
    platform::LogWarning("audits", effect.status().message(), "; ignored");
    return absl::OkStatus();
  }
  ENAMND_RETURN_IF_ERROR(effect.status());
  if (auto* d = std::get_if<ReviewDecision>(&effect->what)) return LinkDecision(tx, *d);
  if (auto* f = std::get_if<ReviewDecisionFinal>(&effect->what)) return SetLegalForce(tx, *f);
  if (auto* a = std::get_if<ParagraphAppealed>(&effect->what)) return RevokeLegalForce(tx, *a);
  return absl::OkStatus();
}

absl::Status AuditsApi::LinkDecision(Transaction& tx, const ReviewDecision& decision) {
  v1::CommitteeHandling h = decision.handling;
  ENAMND_ASSIGN_OR_RETURN(auto previous, store::GetHandling(tx, decision.review, h.paragraph()));
  KeepLegalForce(previous, &h);
  ENAMND_RETURN_IF_ERROR(store::PutHandling(tx, decision.review, h));
  ENAMND_ASSIGN_OR_RETURN(auto review, store::GetReview(tx, decision.review));
  const std::string review_name = decision.review.ToString();
  if (!review.has_value()) {
    platform::LogInfo("audits", "decision ", h.paragraph(), " is about ", review_name,
                      ", which is not registered yet; linked when it is");
  }
  if (previous.has_value()) return absl::OkStatus();
  // One line per decision linked: with the event's traceparent (the
  // current call's), it ends the trace of the decision in this service.
  platform::LogInfo("audits", "decision ", h.paragraph(), " linked to ", review_name);
  v1::ReviewHandled handled;
  handled.set_review(review_name);
  *handled.mutable_handling() = std::move(h);
  return outbox_->Append(tx, handled, review_name).status();
}

absl::Status AuditsApi::SetLegalForce(Transaction& tx, const ReviewDecisionFinal& final_decision) {
  ENAMND_ASSIGN_OR_RETURN(auto h,
                          store::GetHandling(tx, final_decision.review, final_decision.paragraph));
  if (!h.has_value()) return absl::OkStatus();  // its DecisionRecorded came first in order
  *h->mutable_legal_force_date() = final_decision.legal_force_date;
  return store::PutHandling(tx, final_decision.review, *h);
}

absl::Status AuditsApi::RevokeLegalForce(Transaction& tx, const ParagraphAppealed& appeal) {
  ENAMND_ASSIGN_OR_RETURN(auto reviews, store::ReviewsOfParagraph(tx, appeal.paragraph));
  for (const ReviewName& review : reviews) {
    ENAMND_ASSIGN_OR_RETURN(auto h, store::GetHandling(tx, review, appeal.paragraph));
    if (!h.has_value()) continue;
    h->clear_legal_force_date();
    ENAMND_RETURN_IF_ERROR(store::PutHandling(tx, review, *h));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ deadlines

namespace {

// A time-driven event, raised once per (kind, name, detail).
struct Alarm {
  std::string kind, name, detail;
  std::shared_ptr<google::protobuf::Message> event;
};

absl::Status AddRecommendationAlarms(Transaction& tx, absl::CivilDay today,
                                     std::vector<Alarm>* alarms) {
  ENAMND_ASSIGN_OR_RETURN(auto recs, store::OverdueRecommendations(tx, today));
  for (v1::Recommendation& r : recs) {
    r.set_overdue(true);
    auto event = std::make_shared<v1::RecommendationOverdue>();
    *event->mutable_due_date() = r.due_date();
    std::string due = platform::DayText(platform::ToCivil(r.due_date()));
    *event->mutable_recommendation() = std::move(r);
    alarms->push_back({"RecommendationOverdue", event->recommendation().name(), due, event});
  }
  return absl::OkStatus();
}

absl::Status AddWheelAlarms(Transaction& tx, absl::CivilDay today, std::vector<Alarm>* alarms) {
  ENAMND_ASSIGN_OR_RETURN(auto years, store::AllReportingYears(tx));
  std::map<std::string, v1::ReportingMoment> moments;
  for (const auto& y : years) {
    for (const auto& m : y.moments()) {
      moments[m.name()] = m;
      if (!MomentOverdue(m, today)) continue;
      auto event = std::make_shared<v1::MomentOverdue>();
      *event->mutable_moment() = m;
      alarms->push_back(
          {"MomentOverdue", m.name(), platform::DayText(platform::ToCivil(m.due_date())), event});
    }
  }
  ENAMND_ASSIGN_OR_RETURN(auto points, store::AllControlPoints(tx, std::nullopt));
  for (const auto& p : points) {
    auto it = moments.find(p.reporting_moment());
    if (it == moments.end() || !ControlPointMissed(p, it->second, today)) continue;
    auto event = std::make_shared<v1::ControlPointMissed>();
    *event->mutable_point() = p;
    *event->mutable_moment() = it->second;
    alarms->push_back({"ControlPointMissed", p.name(), it->second.name(), event});
  }
  return absl::OkStatus();
}

// What is due on `today` and not raised yet.
absl::StatusOr<std::vector<Alarm>> DueAlarms(Transaction& tx, absl::CivilDay today) {
  std::vector<Alarm> alarms;
  ENAMND_RETURN_IF_ERROR(AddRecommendationAlarms(tx, today, &alarms));
  ENAMND_RETURN_IF_ERROR(AddWheelAlarms(tx, today, &alarms));
  std::vector<Alarm> fresh;
  for (Alarm& a : alarms) {
    ENAMND_ASSIGN_OR_RETURN(bool raised, platform::IsRaised(tx, a.kind, a.name, a.detail));
    if (!raised) fresh.push_back(std::move(a));
  }
  return fresh;
}

}  // namespace

absl::Status AuditsApi::RunDeadlines(absl::CivilDay today) {
  // Found with a read transaction: the job runs after every commit, and
  // usually has nothing to write.
  std::vector<Alarm> alarms;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(alarms, DueAlarms(tx, today));
  }
  if (alarms.empty()) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  for (const Alarm& a : alarms) {
    // Marked under the write lock: another run may have raised it meanwhile.
    ENAMND_ASSIGN_OR_RETURN(bool fresh, platform::MarkRaised(tx, a.kind, a.name, a.detail));
    if (fresh) ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, *a.event, a.name).status());
  }
  return tx.Commit();
}

}  // namespace enamnd::audits
