// The audits service's List parents and filters (ParseRecommendationParent,
// ParseReviewFilter, ParseRecommendationFilter in
// services/audits/domain/reviews.h). Input: a parent, then the filter.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

#include "services/audits/domain/reviews.h"
#include "services/platform/validation.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::audits;  // NOLINT(build/namespaces): the parsers
  FuzzedDataProvider in(data, size);
  std::string parent = in.ConsumeRandomLengthString(120);
  std::string filter = in.ConsumeRemainingBytesAsString();

  absl::StatusOr<std::optional<ReviewName>> review = ParseRecommendationParent(parent);
  if (review.ok()) {
    ENAMND_FUZZ_CHECK(review->has_value() ? (*review)->ToString() == parent
                                          : parent == "reviews/-");
  } else {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(review.status(), "parent"));
  }

  absl::StatusOr<ReviewFilter> reviews = ParseReviewFilter(filter);
  if (reviews.ok()) {
    if (reviews->municipality) {
      ENAMND_FUZZ_CHECK(enamnd::platform::ParseMunicipalityName(*reviews->municipality, "m").ok());
    }
    if (reviews->year) ENAMND_FUZZ_CHECK(*reviews->year != 0);
  } else {
    ENAMND_FUZZ_CHECK(reviews.status().code() == absl::StatusCode::kInvalidArgument);
  }

  absl::StatusOr<RecommendationFilter> recs = ParseRecommendationFilter(filter);
  if (recs.ok()) {
    if (recs->status) {
      ENAMND_FUZZ_CHECK(*recs->status != 0 && v1::Recommendation::Status_IsValid(*recs->status));
    }
  } else {
    ENAMND_FUZZ_CHECK(recs.status().code() == absl::StatusCode::kInvalidArgument);
  }
  return 0;
}
