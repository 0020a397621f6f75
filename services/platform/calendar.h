// The Swedish legal calendar: public holidays (allmänna helgdagar, computed
// for any year, Easter-dependent ones included) and the rule for statutory
// time (lag (1930:173) om beräkning av lagstadgad tid): a deadline that falls
// on a Saturday, a Sunday, a public holiday, Midsummer Eve, Christmas Eve or
// New Year's Eve moves to the next weekday that is none of these.
#ifndef ENAMND_PLATFORM_CALENDAR_H_
#define ENAMND_PLATFORM_CALENDAR_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace enamnd::platform {

// Easter Sunday (Gregorian) of `year`.
absl::CivilDay EasterSunday(int year);

// The public holiday's Swedish name, or nullopt. Sundays count as public
// holidays in law but are not named here; see IsPublicHoliday.
std::optional<std::string> PublicHolidayName(absl::CivilDay day);
// A Sunday or a named public holiday.
bool IsPublicHoliday(absl::CivilDay day);
// Midsummer Eve, Christmas Eve or New Year's Eve (treated as holidays for
// deadlines).
bool IsHolidayEve(absl::CivilDay day);
// A day on which a statutory deadline cannot end.
bool IsDeadlineBarred(absl::CivilDay day);
// `day`, or the next day on which a deadline can end.
absl::CivilDay StatutoryDeadline(absl::CivilDay day);

// The legal calendar's zone.
const absl::TimeZone& StockholmTimeZone();
// The calendar day of `instant` in Europe/Stockholm.
absl::CivilDay LegalDay(absl::Time instant);

// "Today" for legal deadlines. Real time in Europe/Stockholm unless pinned
// (--today / ENAMND_TODAY, for demonstrations and tests).
class LegalClock {
 public:
  LegalClock() = default;
  explicit LegalClock(std::optional<absl::CivilDay> pinned) : pinned_(pinned) {}
  absl::CivilDay Today() const;
  void Pin(std::optional<absl::CivilDay> day);

 private:
  mutable absl::Mutex mutex_;
  std::optional<absl::CivilDay> pinned_ ABSL_GUARDED_BY(mutex_);
};

// Parses YYYY-MM-DD (a day that exists).
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_CALENDAR_H_
