// The audits service's resource names (services/audits/domain/names.h):
// every name type parses the input; what parses re-formats to the input.
#include <cstdint>
#include <string>

#include "services/audits/domain/names.h"
#include "services/platform/validation.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::audits;  // NOLINT(build/namespaces): the name types
  using enamnd::fuzz::CheckNameRoundTrip;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNameRoundTrip<ReviewName>(text);
  CheckNameRoundTrip<ReviewReference>(text);
  CheckNameRoundTrip<RecommendationName>(text);
  CheckNameRoundTrip<ControlPlanName>(text);
  CheckNameRoundTrip<ControlPointName>(text);
  CheckNameRoundTrip<ReportingYearName>(text);
  CheckNameRoundTrip<MomentName>(text);
  // A review's code is an SCB code, and its reference names the same review.
  absl::StatusOr<ReviewName> review = ReviewName::Parse(text, "name");
  if (review.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::platform::ValidateMunicipalityCode(review->code, "code").ok());
    absl::StatusOr<ReviewReference> ref =
        ReviewReference::Parse(absl::StrCat("//audits/", text), "ref");
    ENAMND_FUZZ_CHECK(ref.ok() && ref->review.ToString() == text);
  }
  // Meetings accepts a case subject by ValidateCrossReference; what audits
  // reads as a review reference must pass it too.
  absl::Status subject = enamnd::platform::ValidateCrossReference(text, "subject");
  if (ReviewReference::Parse(text, "ref").ok()) ENAMND_FUZZ_CHECK(subject.ok());
  if (!subject.ok()) ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(subject, "subject"));
  return 0;
}
