#include "services/meetings/domain/rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace enamnd::meetings {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

std::string CaseNumber::ToString() const {
  return absl::StrCat(year, "/", sequence, "-", classification);
}

std::string CaseNumber::ResourceName() const { return absl::StrCat("cases/", year, "-", sequence); }

absl::StatusOr<CaseNumber> ParseCaseNumber(absl::string_view text, absl::string_view field) {
  const char* kShape = "must look like 2022/9-2.2.0.1 (year/sequence-classification)";
  if (text.empty()) return Invalid(field, "required");
  size_t slash = text.find('/');
  size_t dash = text.find('-');
  if (slash == absl::string_view::npos || dash == absl::string_view::npos || dash < slash) {
    return Invalid(field, kShape);
  }
  absl::string_view year_text = text.substr(0, slash);
  absl::string_view sequence_text = text.substr(slash + 1, dash - slash - 1);
  absl::string_view class_text = text.substr(dash + 1);
  CaseNumber out;
  if (year_text.size() != 4 || !AllDigits(year_text) || !absl::SimpleAtoi(year_text, &out.year) ||
      out.year < 1900 || out.year > 2999) {
    return Invalid(field, absl::StrCat("year \"", year_text, "\" must be four digits, 1900-2999; ",
                                       kShape));
  }
  if (!AllDigits(sequence_text) || sequence_text.size() > 9 || sequence_text[0] == '0' ||
      !absl::SimpleAtoi(sequence_text, &out.sequence) || out.sequence < 1) {
    return Invalid(field, absl::StrCat("sequence \"", sequence_text,
                                       "\" must be a positive number without leading zeros; ",
                                       kShape));
  }
  std::vector<absl::string_view> groups = absl::StrSplit(class_text, '.');
  if (groups.size() > 6) return Invalid(field, "classification has more than 6 levels");
  for (absl::string_view g : groups) {
    if (!AllDigits(g) || g.size() > 3) {
      return Invalid(field, absl::StrCat("classification \"", class_text,
                                         "\" must be dot-separated numbers, e.g. 2.2.0.1"));
    }
  }
  out.classification = std::string(class_text);
  return out;
}

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

absl::StatusOr<std::string> ParseMunicipalityName(absl::string_view name,
                                                  absl::string_view field) {
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
    return Invalid(field, absl::StrFormat("%04d-%02d-%02d is not a calendar day", year, month, day));
  }
  return absl::OkStatus();
}

std::string FormatDay(int year, int month, int day) {
  return absl::StrFormat("%04d-%02d-%02d", year, month, day);
}

bool SeatRepresented(const SeatPresence& seat, std::optional<int> number) {
  if (seat.member_present) return true;
  if (!seat.substitute_served) return false;
  if (seat.substitute_paragraphs.empty()) return true;
  if (!number.has_value()) return false;
  return std::find(seat.substitute_paragraphs.begin(), seat.substitute_paragraphs.end(),
                   *number) != seat.substitute_paragraphs.end();
}

bool HasQuorum(int seats_represented, int seats_total) {
  return seats_total > 0 && 2 * seats_represented > seats_total;
}

}  // namespace enamnd::meetings
