#include "services/platform/listing.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/platform/calendar.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

constexpr char kSeparator = '\x1f';
constexpr absl::string_view kTokenVersion = "p1";

uint64_t Fnv1a(absl::string_view data) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string Checksum(absl::string_view scope, absl::string_view payload) {
  uint64_t h = Fnv1a(absl::StrCat(scope, std::string(1, kSeparator), payload));
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((h >> (56 - 8 * i)) & 0xff);
  return out;
}

}  // namespace

absl::StatusOr<int> EffectivePageSize(int page_size) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

std::string EncodePageToken(absl::string_view scope, const std::vector<std::string>& last_key) {
  std::string payload = absl::StrCat(kTokenVersion, std::string(1, kSeparator),
                                     absl::StrJoin(last_key, std::string(1, kSeparator)));
  return absl::WebSafeBase64Escape(absl::StrCat(payload, Checksum(scope, payload)));
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token,
                                                         absl::string_view scope) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 8 + kTokenVersion.size()) {
    return InvalidField("page_token", "not a token this service issued");
  }
  absl::string_view payload(raw.data(), raw.size() - 8);
  absl::string_view checksum(raw.data() + raw.size() - 8, 8);
  if (checksum != Checksum(scope, payload)) {
    return InvalidField("page_token",
                        "altered, or issued for a different request (parent, filter, method)");
  }
  std::vector<std::string> parts = absl::StrSplit(payload, kSeparator);
  if (parts.empty() || parts[0] != kTokenVersion) {
    return InvalidField("page_token", "unsupported token version");
  }
  parts.erase(parts.begin());
  return parts;
}

absl::StatusOr<std::map<std::string, std::string>> ParseFilter(
    absl::string_view filter, const std::set<std::string>& allowed) {
  std::map<std::string, std::string> terms;
  absl::string_view rest = absl::StripAsciiWhitespace(filter);
  if (rest.empty()) return terms;
  std::string allowed_list = absl::StrJoin(allowed, ", ");
  while (!rest.empty()) {
    size_t eq = rest.find('=');
    if (eq == absl::string_view::npos) {
      return InvalidField("filter", absl::StrCat("expected `key = value` near \"", rest, "\""));
    }
    std::string key(absl::StripAsciiWhitespace(rest.substr(0, eq)));
    if (allowed.count(key) == 0) {
      return InvalidField("filter",
                          absl::StrCat("unknown key \"", key, "\"; allowed: ", allowed_list));
    }
    if (terms.count(key) != 0) {
      return InvalidField("filter", absl::StrCat("key \"", key, "\" given twice"));
    }
    rest = absl::StripLeadingAsciiWhitespace(rest.substr(eq + 1));
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t close = rest.find('"', 1);
      if (close == absl::string_view::npos) {
        return InvalidField("filter", absl::StrCat("unterminated quote after ", key));
      }
      value = std::string(rest.substr(1, close - 1));
      rest = rest.substr(close + 1);
    } else {
      size_t end = rest.find_first_of(" \t");
      value = std::string(rest.substr(0, end));
      rest = end == absl::string_view::npos ? absl::string_view() : rest.substr(end);
    }
    if (value.empty()) return InvalidField("filter", absl::StrCat("empty value for ", key));
    terms[key] = value;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (rest.empty()) break;
    constexpr absl::string_view kAnd = "AND ";  // in any case
    if (!absl::StartsWithIgnoreCase(rest, kAnd)) {
      return InvalidField("filter",
                          absl::StrCat("terms must be joined by AND near \"", rest, "\""));
    }
    rest = absl::StripLeadingAsciiWhitespace(rest.substr(kAnd.size()));
  }
  return terms;
}

absl::StatusOr<absl::CivilDay> ParseFilterDay(absl::string_view text, absl::string_view field) {
  absl::StatusOr<absl::CivilDay> day = ParseDay(text);
  if (!day.ok()) return InvalidField(field, "must be a day YYYY-MM-DD, e.g. 2022-06-22");
  return day;
}

}  // namespace enamnd::platform
