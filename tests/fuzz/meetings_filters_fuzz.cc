// The filter grammar (platform::ParseFilter, services/platform/listing.h)
// and the meetings service's List parents and filters
// (services/meetings/domain/filters.h). Input: a parent, then the filter.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "services/meetings/domain/filters.h"
#include "services/meetings/domain/names.h"
#include "services/platform/listing.h"
#include "services/platform/validation.h"
#include "tests/fuzz/fuzz_check.h"

namespace enamnd::fuzz {
namespace {

// `terms` written back as a filter: quoted where the value has no quote,
// bare otherwise (a bare value has no blank and does not start with one).
std::string Format(const std::map<std::string, std::string>& terms) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : terms) {
    if (absl::StrContains(value, '"')) {
      parts.push_back(absl::StrCat(key, " = ", value));
    } else {
      parts.push_back(absl::StrCat(key, " = \"", value, "\""));
    }
  }
  return absl::StrJoin(parts, " AND ");
}

void CheckGrammar(absl::string_view filter) {
  const std::set<std::string> allowed = {"recipient", "case", "year", "kind"};
  auto terms = platform::ParseFilter(filter, allowed);
  if (!terms.ok()) {
    ENAMND_FUZZ_CHECK(IsInvalidField(terms.status(), "filter"));
    return;
  }
  for (const auto& [key, value] : *terms) {
    ENAMND_FUZZ_CHECK(allowed.count(key) == 1 && !value.empty());
  }
  for (const auto& [key, value] : *terms) {
    // Written bare, a value ending in a newline would lose it at the end.
    if (absl::StrContains(value, '"') && absl::ascii_isspace(value.back())) return;
  }
  auto again = platform::ParseFilter(Format(*terms), allowed);
  ENAMND_FUZZ_CHECK(again.ok() && *again == *terms);
}

void CheckParagraphFilter(absl::string_view parent, absl::string_view filter) {
  absl::StatusOr<meetings::ParagraphFilter> f = meetings::ParseParagraphFilter(parent, filter);
  if (!f.ok()) {
    ENAMND_FUZZ_CHECK(f.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  if (f->meeting) ENAMND_FUZZ_CHECK(meetings::MeetingName::Parse(*f->meeting, "m").ok());
  if (f->case_name) ENAMND_FUZZ_CHECK(meetings::CaseName::Parse(*f->case_name, "c").ok());
  if (f->recipient_code) {
    ENAMND_FUZZ_CHECK(platform::ValidateMunicipalityCode(*f->recipient_code, "r").ok());
  }
  ENAMND_FUZZ_CHECK(!(f->meeting && f->body_id));
}

}  // namespace
}  // namespace enamnd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::meetings;  // NOLINT(build/namespaces): the parsers
  FuzzedDataProvider in(data, size);
  std::string parent = in.ConsumeRandomLengthString(120);
  std::string filter = in.ConsumeRemainingBytesAsString();
  enamnd::fuzz::CheckGrammar(filter);
  enamnd::fuzz::CheckParagraphFilter(parent, filter);

  absl::StatusOr<MeetingFilter> meeting = ParseMeetingFilter(parent, filter);
  if (meeting.ok() && meeting->body_id) {
    ENAMND_FUZZ_CHECK(BodyName::Parse(BodyName{*meeting->body_id}.ToString(), "b").ok());
  }
  ParseCaseFilter(filter).IgnoreError();
  absl::StatusOr<AdjustmentFilter> adjustments = ParseAdjustmentParent(parent);
  if (adjustments.ok()) {
    ENAMND_FUZZ_CHECK(adjustments->meeting.has_value() != adjustments->body_id.has_value());
  }
  return 0;
}
