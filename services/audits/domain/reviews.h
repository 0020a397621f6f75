// Pure rules of reviews, their discharges and recommendations: what a valid
// resource is, and which list filters exist. Errors are INVALID_ARGUMENT
// naming the field (or ALREADY_EXISTS for a decision already recorded).
#ifndef ENAMND_AUDITS_DOMAIN_REVIEWS_H_
#define ENAMND_AUDITS_DOMAIN_REVIEWS_H_

#include <optional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "services/audits/domain/names.h"

namespace enamnd::audits {

// The fields a client may update (UpdateReview's and
// UpdateRecommendation's update_mask).
const std::set<std::string>& UpdatableReviewFields();
const std::set<std::string>& UpdatableRecommendationFields();

// A review's own content: kind, title, assessments, findings, report date.
absl::Status ValidateReview(const v1::Review& review);

// A new review: year, its auditing municipalities (at least one, none twice)
// and its content. Returns its name, derived from the year and the first
// auditing municipality.
absl::StatusOr<ReviewName> ValidateNewReview(const v1::Review& review);

// A discharge decision on its own: municipality, decision, a decided date
// that is not after `today`, reference.
absl::Status ValidateDischarge(const v1::Discharge& discharge, absl::CivilDay today);

// Whether `review` can take `discharge`: the municipality audits it and has
// not decided yet (ALREADY_EXISTS).
absl::Status CheckDischarge(const v1::Review& review, const v1::Discharge& discharge);

// A recommendation of `review`: text, given by auditors of the review (none
// twice), a status (NOT_PURSUED needs its reason), responsible, due date
// and actions.
absl::Status ValidateRecommendation(const v1::Recommendation& rec, const v1::Review& review);

// A recommendation created without a status is open.
void DefaultToOpen(v1::Recommendation* rec);

// `parent` of ListRecommendations: a review, or nullopt for "reviews/-".
absl::StatusOr<std::optional<ReviewName>> ParseRecommendationParent(absl::string_view parent);

// ListReviews' filter: "year = 2021 AND municipality = municipalities/2584".
struct ReviewFilter {
  std::optional<int> year;
  std::optional<std::string> municipality;  // municipalities/{code}
};
absl::StatusOr<ReviewFilter> ParseReviewFilter(absl::string_view filter);

// ListRecommendations' filter: status, overdue, year.
struct RecommendationFilter {
  std::optional<v1::Recommendation::Status> status;
  std::optional<bool> overdue;
  std::optional<int> year;  // of the review
};
absl::StatusOr<RecommendationFilter> ParseRecommendationFilter(absl::string_view filter);

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_REVIEWS_H_
