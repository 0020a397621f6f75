// The projects service's resource names (services/projects/domain/names.h):
// every name type parses the input; what parses re-formats to the input;
// the ListInitiatives filter parses any text without harm.
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/platform/validation.h"
#include "services/projects/domain/initiatives.h"
#include "services/projects/domain/names.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::projects;  // NOLINT(build/namespaces): the name types
  using enamnd::fuzz::CheckNameRoundTrip;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNameRoundTrip<InitiativeName>(text);
  CheckNameRoundTrip<InitiativeReference>(text);
  CheckNameRoundTrip<RevisionName>(text);
  CheckNameRoundTrip<StatusReportName>(text);
  CheckNameRoundTrip<BudgetLineReference>(text);
  // An initiative's reference names the same initiative.
  absl::StatusOr<InitiativeName> initiative = InitiativeName::Parse(text, "name");
  if (initiative.ok()) {
    absl::StatusOr<InitiativeReference> ref =
        InitiativeReference::Parse(absl::StrCat("//projects/", text), "ref");
    ENAMND_FUZZ_CHECK(ref.ok() && ref->initiative.ToString() == text);
  }
  // Meetings accepts a case subject by ValidateCrossReference; what projects
  // reads as an initiative reference must pass it too, or no decision could
  // ever be about an initiative.
  absl::Status subject = enamnd::platform::ValidateCrossReference(text, "subject");
  if (InitiativeReference::Parse(text, "ref").ok()) ENAMND_FUZZ_CHECK(subject.ok());
  // A ListInitiatives filter: a day is only ever taken with a municipality.
  absl::StatusOr<InitiativeFilter> filter = ParseInitiativeFilter(text);
  if (filter.ok() && filter->date.has_value()) ENAMND_FUZZ_CHECK(filter->municipality.has_value());
  return 0;
}
