// The rules every service shares (validation.h, api_util.h).
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "services/platform/api_util.h"
#include "services/platform/validation.h"

namespace enamnd::platform {
namespace {

using absl::CivilDay;

TEST(SharedRulesTest, YearFrom1900To2999) {
  EXPECT_TRUE(ValidateYear(1900, "y").ok());
  EXPECT_TRUE(ValidateYear(2999, "y").ok());
  EXPECT_EQ(ValidateYear(3000, "y").message(), "y: 1900-2999");
}

TEST(SharedRulesTest, ListsAreBounded) {
  EXPECT_TRUE(ValidateListLength(500, "l").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateListLength(501, "l")));
}

TEST(SharedRulesTest, NotInTheFuture) {
  auto day = ToDate(CivilDay(2024, 9, 26));
  EXPECT_TRUE(NotInFuture(day, "d", CivilDay(2024, 9, 26)).ok());
  EXPECT_EQ(NotInFuture(day, "d", CivilDay(2024, 9, 25)).message(),
            "d: 2024-09-26 is in the future (today is 2024-09-25)");
  EXPECT_TRUE(NotInFuture({}, "d", CivilDay(2024, 9, 25)).ok());  // unset
}

TEST(SharedRulesTest, PastDayIsRequired) {
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePastDay({}, "d", CivilDay(2024, 9, 25))));
}

TEST(SharedRulesTest, RequestIdIsShort) {
  EXPECT_TRUE(ValidateRequestId("").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'r')).ok());
  EXPECT_EQ(ValidateRequestId(std::string(129, 'r')).message().rfind("request_id: ", 0), 0u);
}

}  // namespace
}  // namespace enamnd::platform
