// Building blocks for a service's names module (AIP-122 resource names as
// types, after leveldb's db/filename.h): a name is matched against its
// pattern once, and its variable segments are checked one by one. A
// service's `XName::Parse` is then a few lines, and `ToString` one StrCat.
#ifndef ENAMND_PLATFORM_RESOURCE_NAME_H_
#define ENAMND_PLATFORM_RESOURCE_NAME_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

// Matches `text` against `pattern`, e.g. "bodies/{body}/meetings/{meeting}":
// the same number of '/'-separated segments, literal segments equal, and
// variable segments ({...}) not empty. Returns the variable segments in
// order; otherwise INVALID_ARGUMENT "<field>: must be <pattern>".
absl::StatusOr<std::vector<std::string>> MatchName(absl::string_view text,
                                                   absl::string_view pattern,
                                                   absl::string_view field);

// A number spelled the one way ToString spells it: decimal digits, no sign,
// no leading zero, within [min, max]. INVALID_ARGUMENT naming `field`
// and `what` (e.g. "paragraph number") otherwise.
absl::StatusOr<int64_t> ParseNameNumber(absl::string_view text, int64_t min, int64_t max,
                                        absl::string_view field, absl::string_view what);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_RESOURCE_NAME_H_
