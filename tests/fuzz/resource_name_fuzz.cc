// MatchName and ParseNameNumber (services/platform/resource_name.h), the
// pieces the names modules are built of. Input: a pattern, then the text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/platform/resource_name.h"
#include "tests/fuzz/fuzz_check.h"

namespace enamnd::fuzz {
namespace {

// `pattern` with its variable segments replaced by `values`, in order.
std::string Fill(absl::string_view pattern, const std::vector<std::string>& values) {
  std::vector<std::string> segments = absl::StrSplit(pattern, '/');
  size_t next = 0;
  for (std::string& segment : segments) {
    if (absl::StartsWith(segment, "{")) segment = values[next++];
  }
  ENAMND_FUZZ_CHECK(next == values.size());
  return absl::StrJoin(segments, "/");
}

void CheckMatch(absl::string_view text, absl::string_view pattern) {
  absl::StatusOr<std::vector<std::string>> values = platform::MatchName(text, pattern, "name");
  if (!values.ok()) {
    ENAMND_FUZZ_CHECK(IsInvalidField(values.status(), "name"));
    return;
  }
  for (const std::string& value : *values) {
    ENAMND_FUZZ_CHECK(!value.empty() && !absl::StrContains(value, '/'));
  }
  ENAMND_FUZZ_CHECK(Fill(pattern, *values) == text);
}

void CheckNumber(absl::string_view text, int64_t min, int64_t max) {
  absl::StatusOr<int64_t> n = platform::ParseNameNumber(text, min, max, "name", "number");
  if (!n.ok()) {
    ENAMND_FUZZ_CHECK(IsInvalidField(n.status(), "name"));
    return;
  }
  ENAMND_FUZZ_CHECK(min <= *n && *n <= max);
  ENAMND_FUZZ_CHECK(absl::StrCat(*n) == text);  // the one spelling
}

}  // namespace
}  // namespace enamnd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  int64_t min = in.ConsumeIntegral<int64_t>();
  int64_t max = in.ConsumeIntegral<int64_t>();
  std::string pattern = in.ConsumeRandomLengthString(80);
  std::string text = in.ConsumeRemainingBytesAsString();
  for (absl::string_view known :
       {"reviews/{id}", "//audits/reviews/{id}", "reviews/{year}-{code}/recommendations/{n}",
        "control-plans/{year}/points/{id}", "reporting-years/{year}/moments/{id}"}) {
    enamnd::fuzz::CheckMatch(text, known);
  }
  enamnd::fuzz::CheckMatch(text, pattern);
  enamnd::fuzz::CheckNumber(text, min, max);
  enamnd::fuzz::CheckNumber(text, 1, 9999);
  return 0;
}
