#include "services/platform/calendar.h"

#include "gtest/gtest.h"

namespace enamnd::platform {
namespace {

using absl::CivilDay;

TEST(CalendarTest, EasterSundayOfKnownYears) {
  EXPECT_EQ(EasterSunday(2008), CivilDay(2008, 3, 23));
  EXPECT_EQ(EasterSunday(2019), CivilDay(2019, 4, 21));
  EXPECT_EQ(EasterSunday(2022), CivilDay(2022, 4, 17));
  EXPECT_EQ(EasterSunday(2023), CivilDay(2023, 4, 9));
  EXPECT_EQ(EasterSunday(2024), CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));
  EXPECT_EQ(EasterSunday(2285), CivilDay(2285, 3, 22));  // earliest possible
}

TEST(CalendarTest, PublicHolidaysOf2022) {
  const int holidays[][3] = {{2022, 1, 1},  {2022, 1, 6},  {2022, 4, 15}, {2022, 4, 17},
                             {2022, 4, 18}, {2022, 5, 1},  {2022, 5, 26}, {2022, 6, 5},
                             {2022, 6, 6},  {2022, 6, 25}, {2022, 11, 5}, {2022, 12, 25},
                             {2022, 12, 26}};
  for (const auto& h : holidays) {
    CivilDay d(h[0], h[1], h[2]);
    EXPECT_TRUE(PublicHolidayName(d).has_value()) << d;
  }
  EXPECT_EQ(*PublicHolidayName(CivilDay(2022, 6, 25)), "midsommardagen");
  EXPECT_EQ(*PublicHolidayName(CivilDay(2022, 5, 26)), "Kristi himmelsfärdsdag");
  EXPECT_FALSE(PublicHolidayName(CivilDay(2022, 6, 24)).has_value());  // an eve, not a holiday
  EXPECT_TRUE(IsHolidayEve(CivilDay(2022, 6, 24)));
  EXPECT_TRUE(IsHolidayEve(CivilDay(2022, 12, 24)));
  EXPECT_TRUE(IsHolidayEve(CivilDay(2022, 12, 31)));
  EXPECT_TRUE(IsPublicHoliday(CivilDay(2022, 6, 26)));  // a Sunday
  EXPECT_FALSE(IsDeadlineBarred(CivilDay(2022, 6, 27)));
}

// Appeal deadlines: three weeks from the last posting, moved off Saturdays,
// Sundays, holidays and the three eves.
struct DeadlineCase {
  int posted[3];
  int deadline[3];
  const char* why;
};

TEST(CalendarTest, StatutoryDeadlinesAcrossHolidays) {
  const DeadlineCase cases[] = {
      {{2022, 7, 4}, {2022, 7, 25}, "ordinary Monday"},
      {{2022, 3, 25}, {2022, 4, 19}, "Good Friday, Easter, Easter Monday"},
      {{2022, 6, 3}, {2022, 6, 27}, "Midsummer Eve and Midsummer Day"},
      {{2022, 12, 3}, {2022, 12, 27}, "Christmas Eve on a Saturday, Christmas, Boxing Day"},
      {{2022, 12, 10}, {2023, 1, 2}, "New Year's Eve on a Saturday, New Year's Day Sunday"},
      {{2024, 12, 10}, {2025, 1, 2}, "New Year's Eve Tuesday, New Year's Day Wednesday"},
      {{2023, 4, 27}, {2023, 5, 19}, "Ascension Day"},
      {{2023, 5, 16}, {2023, 6, 7}, "National Day on a Tuesday"},
      {{2023, 10, 14}, {2023, 11, 6}, "All Saints' Day on a Saturday"},
      {{2024, 3, 8}, {2024, 4, 2}, "Good Friday 29 March 2024 through Easter Monday"},
  };
  for (const auto& c : cases) {
    CivilDay posted(c.posted[0], c.posted[1], c.posted[2]);
    CivilDay deadline(c.deadline[0], c.deadline[1], c.deadline[2]);
    EXPECT_EQ(StatutoryDeadline(posted + 21), deadline) << c.why;
  }
}

TEST(CalendarTest, LegalDayFollowsStockholmAcrossDst) {
  auto utc = [](int y, int mo, int d, int h, int mi) {
    return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
  };
  // Spring forward 2022-03-27 02:00 CET -> 03:00 CEST.
  EXPECT_EQ(LegalDay(utc(2022, 3, 26, 22, 59)), CivilDay(2022, 3, 26));
  EXPECT_EQ(LegalDay(utc(2022, 3, 26, 23, 0)), CivilDay(2022, 3, 27));
  EXPECT_EQ(LegalDay(utc(2022, 3, 27, 21, 59)), CivilDay(2022, 3, 27));  // 23:59 CEST
  EXPECT_EQ(LegalDay(utc(2022, 3, 27, 22, 0)), CivilDay(2022, 3, 28));
  // Fall back 2022-10-30 03:00 CEST -> 02:00 CET.
  EXPECT_EQ(LegalDay(utc(2022, 10, 29, 21, 59)), CivilDay(2022, 10, 29));
  EXPECT_EQ(LegalDay(utc(2022, 10, 29, 22, 0)), CivilDay(2022, 10, 30));
  EXPECT_EQ(LegalDay(utc(2022, 10, 30, 22, 59)), CivilDay(2022, 10, 30));  // 23:59 CET
  EXPECT_EQ(LegalDay(utc(2022, 10, 30, 23, 0)), CivilDay(2022, 10, 31));
}

TEST(CalendarTest, PinnedClockAndDayParsing) {
  LegalClock clock(CivilDay(2022, 7, 8));
  EXPECT_EQ(clock.Today(), CivilDay(2022, 7, 8));
  clock.Pin(std::nullopt);
  EXPECT_EQ(clock.Today(), LegalDay(absl::Now()));
  EXPECT_EQ(*ParseDay("2022-06-22"), CivilDay(2022, 6, 22));
  EXPECT_FALSE(ParseDay("2022-02-30").ok());
  EXPECT_FALSE(ParseDay("22-06-22").ok());
  EXPECT_FALSE(ParseDay("2022-6-22").ok());
}

}  // namespace
}  // namespace enamnd::platform
