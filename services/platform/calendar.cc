#include "services/platform/calendar.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace enamnd::platform {

absl::CivilDay EasterSunday(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int a = year % 19;
  int b = year / 100;
  int c = year % 100;
  int d = b / 4;
  int e = b % 4;
  int f = (b + 8) / 25;
  int g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4;
  int k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = ((h + l - 7 * m + 114) % 31) + 1;
  return absl::CivilDay(year, month, day);
}

namespace {

// The Saturday in [first, first + 6].
absl::CivilDay SaturdayFrom(absl::CivilDay first) {
  absl::CivilDay d = first;
  while (absl::GetWeekday(d) != absl::Weekday::saturday) ++d;
  return d;
}

}  // namespace

std::optional<std::string> PublicHolidayName(absl::CivilDay day) {
  int y = static_cast<int>(day.year());
  int m = day.month();
  int d = day.day();
  if (m == 1 && d == 1) return "nyårsdagen";
  if (m == 1 && d == 6) return "trettondedag jul";
  if (m == 5 && d == 1) return "första maj";
  if (m == 6 && d == 6) return "Sveriges nationaldag";
  if (m == 12 && d == 25) return "juldagen";
  if (m == 12 && d == 26) return "annandag jul";
  absl::CivilDay easter = EasterSunday(y);
  if (day == easter - 2) return "långfredagen";
  if (day == easter) return "påskdagen";
  if (day == easter + 1) return "annandag påsk";
  if (day == easter + 39) return "Kristi himmelsfärdsdag";
  if (day == easter + 49) return "pingstdagen";
  if (day == SaturdayFrom(absl::CivilDay(y, 6, 20))) return "midsommardagen";
  if (day == SaturdayFrom(absl::CivilDay(y, 10, 31))) return "alla helgons dag";
  return std::nullopt;
}

bool IsPublicHoliday(absl::CivilDay day) {
  return absl::GetWeekday(day) == absl::Weekday::sunday || PublicHolidayName(day).has_value();
}

bool IsHolidayEve(absl::CivilDay day) {
  int y = static_cast<int>(day.year());
  if (day.month() == 12 && (day.day() == 24 || day.day() == 31)) return true;
  return day == SaturdayFrom(absl::CivilDay(y, 6, 20)) - 1;  // midsommarafton
}

bool IsDeadlineBarred(absl::CivilDay day) {
  return absl::GetWeekday(day) == absl::Weekday::saturday || IsPublicHoliday(day) ||
         IsHolidayEve(day);
}

absl::CivilDay StatutoryDeadline(absl::CivilDay day) {
  while (IsDeadlineBarred(day)) ++day;
  return day;
}

const absl::TimeZone& StockholmTimeZone() {
  static const absl::TimeZone* zone = [] {
    auto* z = new absl::TimeZone();
    if (!absl::LoadTimeZone("Europe/Stockholm", z)) {
      // Without tzdata Abseil falls back to UTC; deadlines would be wrong
      // by a day around midnight, so say so loudly.
      std::fprintf(stderr, "FATAL: time zone Europe/Stockholm not found (install tzdata)\n");
      std::abort();
    }
    return z;
  }();
  return *zone;
}

absl::CivilDay LegalDay(absl::Time instant) {
  return absl::ToCivilDay(instant, StockholmTimeZone());
}

absl::CivilDay LegalClock::Today() const {
  {
    absl::MutexLock lock(&mutex_);
    if (pinned_.has_value()) return *pinned_;
  }
  return LegalDay(absl::Now());
}

void LegalClock::Pin(std::optional<absl::CivilDay> day) {
  absl::MutexLock lock(&mutex_);
  pinned_ = day;
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) ||
      absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day()) != text) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not a day YYYY-MM-DD"));
  }
  return day;
}

}  // namespace enamnd::platform
