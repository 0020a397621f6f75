#include "services/platform/validation.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace
absl::Status ValidateResourceId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return Invalid(field, "required");
  if (id.size() > 63) return Invalid(field, "at most 63 characters");
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) {
      return Invalid(field, "only lowercase letters, digits and hyphens");
    }
  }
  if (id.front() == '-' || id.back() == '-') {
    return Invalid(field, "must not start or end with a hyphen");
  }
  return absl::OkStatus();
}

absl::Status ValidateMunicipalityCode(absl::string_view code, absl::string_view field) {
  if (code.size() != 4 || !AllDigits(code)) {
    return Invalid(field, absl::StrCat("\"", code, "\" is not a four-digit SCB municipality code"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseMunicipalityName(absl::string_view name, absl::string_view field) {
  if (name.empty()) return Invalid(field, "required");
  if (!absl::ConsumePrefix(&name, "municipalities/")) {
    return Invalid(field, "must be municipalities/{SCB code}, e.g. municipalities/2584");
  }
  absl::Status status = ValidateMunicipalityCode(name, field);
  if (!status.ok()) return status;
  return std::string(name);
}

absl::Status ValidateCrossReference(absl::string_view ref, absl::string_view field) {
  if (ref.size() > kMaxNameLength) return Invalid(field, "too long");
  absl::string_view rest = ref;
  if (!absl::ConsumePrefix(&rest, "//")) {
    return Invalid(field, "must name the owning area, e.g. //audits/reviews/2021-2584");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(rest, '/');
  static const char* kAreas[] = {"meetings", "audits", "projects", "contracts", "finance"};
  if (parts.size() < 3 || parts.size() % 2 == 0 ||
      std::none_of(std::begin(kAreas), std::end(kAreas),
                   [&](const char* a) { return parts[0] == a; })) {
    return Invalid(field,
                   "must be //{meetings|audits|projects|contracts|finance}/{collection}/{id}...");
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) return Invalid(field, "empty path segment");
    for (char c : parts[i]) {
      if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.')) {
        return Invalid(field, "path segments may hold letters, digits, - _ and . only");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view text, absl::string_view field, size_t max_length,
                          bool required) {
  if (required && absl::StripAsciiWhitespace(text).empty()) return Invalid(field, "required");
  if (text.size() > max_length) {
    return Invalid(field, absl::StrCat("at most ", max_length, " bytes, got ", text.size()));
  }
  return absl::OkStatus();
}

absl::Status ValidateSha256(absl::string_view hex, absl::string_view field) {
  if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
      })) {
    return Invalid(field, "must be 64 lowercase hex digits (SHA-256)");
  }
  return absl::OkStatus();
}

absl::Status ValidateDay(int year, int month, int day, absl::string_view field) {
  if (year < 1900 || year > 2999) return Invalid(field, "year must be 1900-2999");
  absl::CivilDay civil(year, month, day);
  if (civil.year() != year || civil.month() != month || civil.day() != day) {
    return Invalid(field,
                   absl::StrFormat("%04d-%02d-%02d is not a calendar day", year, month, day));
  }
  return absl::OkStatus();
}

std::string FormatDay(int year, int month, int day) {
  return absl::StrFormat("%04d-%02d-%02d", year, month, day);
}

absl::Status ValidateYear(int year, absl::string_view field) {
  if (year < 1900 || year > 2999) return InvalidField(field, "1900-2999");
  return absl::OkStatus();
}

absl::Status ValidateListLength(size_t size, absl::string_view field) {
  if (size > kMaxListLength) {
    return InvalidField(field, absl::StrCat("at most ", kMaxListLength, " entries"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  return ValidateText(request_id, "request_id", 128, false);
}

}  // namespace enamnd::platform
