#include "services/platform/resource_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/status.h"

namespace enamnd::platform {

absl::StatusOr<std::vector<std::string>> MatchName(absl::string_view text,
                                                   absl::string_view pattern,
                                                   absl::string_view field) {
  std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  std::vector<absl::string_view> got = absl::StrSplit(text, '/');
  std::vector<std::string> variables;
  bool matches = want.size() == got.size();
  for (size_t i = 0; matches && i < want.size(); ++i) {
    if (absl::StartsWith(want[i], "{")) {
      matches = !got[i].empty();
      variables.emplace_back(got[i]);
    } else {
      matches = want[i] == got[i];
    }
  }
  if (!matches) return InvalidField(field, absl::StrCat("must be ", pattern));
  return variables;
}

absl::StatusOr<int64_t> ParseNameNumber(absl::string_view text, int64_t min, int64_t max,
                                        absl::string_view field, absl::string_view what) {
  int64_t value = 0;
  bool canonical = !text.empty() && text.size() <= 18 && (text[0] != '0' || text.size() == 1);
  for (char c : text) canonical = canonical && absl::ascii_isdigit(c);
  if (!canonical || !absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return InvalidField(field, absl::StrCat(what, " must be a whole number from ", min, " to ", max,
                                            ", written without sign or leading zeros"));
  }
  return value;
}

}  // namespace enamnd::platform
