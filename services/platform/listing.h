// Pagination and filtering for List methods (AIP-158, AIP-160 subset).
#ifndef ENAMND_PLATFORM_LISTING_H_
#define ENAMND_PLATFORM_LISTING_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace enamnd::platform {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

// Clamps page_size (0 = default); negative is INVALID_ARGUMENT.
absl::StatusOr<int> EffectivePageSize(int page_size);

// An opaque, integrity-checked page token. `scope` binds the token to the
// request that produced it (method, parent, filter): a token reused with
// another request or altered in transit is rejected with INVALID_ARGUMENT.
// Tokens are not secrets; they hold the last sort key of the previous page.
std::string EncodePageToken(absl::string_view scope, const std::vector<std::string>& last_key);
absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token,
                                                         absl::string_view scope);

// A conjunction of `key = value` terms joined by AND; values may be quoted
// ("...") or bare. Keys outside `allowed` are INVALID_ARGUMENT naming filter.
// A filter's day, YYYY-MM-DD: INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseFilterDay(absl::string_view text, absl::string_view field);

absl::StatusOr<std::map<std::string, std::string>> ParseFilter(
    absl::string_view filter, const std::set<std::string>& allowed);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_LISTING_H_
