// The audits service's tables. Each resource is one serialized proto in the
// `documents` table, with the columns its lists filter and sort on beside
// it (migration 2); the committee's decisions about reviews (from the
// meetings service's events) have their own table.
//
// Reads return nullopt for a missing resource; a resource with an etag has
// it set from its stored revision.
#ifndef ENAMND_AUDITS_STORE_STORE_H_
#define ENAMND_AUDITS_STORE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "services/audits/domain/names.h"
#include "services/audits/domain/reviews.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/proto_rows.h"

namespace enamnd::audits {

platform::MigrationSet AuditsMigrations();

namespace store {

// Fills the list columns of rows stored before migration 2 (their values
// live only inside the proto). Runs once; later calls read one row.
absl::Status FillListColumns(platform::Database* db);

// ------------------------------------------------------------ reviews
absl::StatusOr<std::optional<v1::Review>> GetReview(platform::Transaction& tx,
                                                    const ReviewName& name);
// ALREADY_EXISTS if the name is taken. Sets the etag.
absl::Status InsertReview(platform::Transaction& tx, const ReviewName& name, v1::Review* review);
// Stores a new revision and sets its etag.
absl::Status ReplaceReview(platform::Transaction& tx, v1::Review* review);
// Fills the output-only parts: the committee's handlings and the names of
// the review's recommendations (in number order).
absl::Status CompleteReview(platform::Transaction& tx, v1::Review* review);
platform::ListQuery ReviewsQuery(const ReviewFilter& filter, absl::string_view filter_text);
// A page of reviews, each completed.
absl::StatusOr<platform::Page<v1::Review>> ListReviews(platform::Transaction& tx,
                                                       const ReviewFilter& filter,
                                                       absl::string_view filter_text, int page_size,
                                                       absl::string_view page_token);

// ------------------------------------------------------------ recommendations
absl::StatusOr<std::optional<v1::Recommendation>> GetRecommendation(platform::Transaction& tx,
                                                                    const RecommendationName& name);
// How many recommendations `review` has (they are numbered 1..n).
absl::StatusOr<int> CountRecommendations(platform::Transaction& tx, const ReviewName& review);
absl::Status InsertRecommendation(platform::Transaction& tx, const RecommendationName& name,
                                  v1::Recommendation* rec);
absl::Status ReplaceRecommendation(platform::Transaction& tx, const RecommendationName& name,
                                   v1::Recommendation* rec);
// `today` decides the overdue filter.
platform::ListQuery RecommendationsQuery(const std::optional<ReviewName>& parent,
                                         const RecommendationFilter& filter,
                                         absl::string_view scope_text, absl::CivilDay today);
absl::StatusOr<platform::Page<v1::Recommendation>> ListRecommendations(
    platform::Transaction& tx, const std::optional<ReviewName>& parent,
    const RecommendationFilter& filter, absl::string_view scope_text, absl::CivilDay today,
    int page_size, absl::string_view page_token);
// Every recommendation overdue on `today`, by name.
absl::StatusOr<std::vector<v1::Recommendation>> OverdueRecommendations(platform::Transaction& tx,
                                                                       absl::CivilDay today);

// ------------------------------------------------------------ internal control
absl::StatusOr<std::optional<v1::ControlPlan>> GetControlPlan(platform::Transaction& tx,
                                                              const ControlPlanName& name);
absl::Status InsertControlPlan(platform::Transaction& tx, const ControlPlanName& name,
                               const v1::ControlPlan& plan);
absl::StatusOr<std::optional<v1::ControlPoint>> GetControlPoint(platform::Transaction& tx,
                                                                const ControlPointName& name);
absl::Status InsertControlPoint(platform::Transaction& tx, const ControlPointName& name,
                                const v1::ControlPoint& point);
absl::Status ReplaceControlPoint(platform::Transaction& tx, const ControlPointName& name,
                                 const v1::ControlPoint& point);
// A plan's points in the natural order of their ids.
platform::ListQuery ControlPointsQuery(const ControlPlanName& plan);
absl::StatusOr<platform::Page<v1::ControlPoint>> ListControlPoints(platform::Transaction& tx,
                                                                   const ControlPlanName& plan,
                                                                   int page_size,
                                                                   absl::string_view page_token);
// Every point of `plan` (nullopt: of every plan), by name.
absl::StatusOr<std::vector<v1::ControlPoint>> AllControlPoints(
    platform::Transaction& tx, const std::optional<ControlPlanName>& plan);

// ------------------------------------------------------------ reporting wheel
absl::StatusOr<std::optional<v1::ReportingYear>> GetReportingYear(platform::Transaction& tx,
                                                                  const ReportingYearName& name);
absl::Status InsertReportingYear(platform::Transaction& tx, const ReportingYearName& name,
                                 v1::ReportingYear* year);
absl::Status ReplaceReportingYear(platform::Transaction& tx, const ReportingYearName& name,
                                  v1::ReportingYear* year);
// Every reporting year, oldest first.
absl::StatusOr<std::vector<v1::ReportingYear>> AllReportingYears(platform::Transaction& tx);

// ------------------------------------------------------------ committee handlings
absl::StatusOr<std::optional<v1::CommitteeHandling>> GetHandling(platform::Transaction& tx,
                                                                 const ReviewName& review,
                                                                 const std::string& paragraph);
absl::Status PutHandling(platform::Transaction& tx, const ReviewName& review,
                         const v1::CommitteeHandling& handling);
// The reviews a paragraph is linked to.
absl::StatusOr<std::vector<ReviewName>> ReviewsOfParagraph(platform::Transaction& tx,
                                                           const std::string& paragraph);

}  // namespace store
}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_STORE_STORE_H_
