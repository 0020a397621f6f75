#include "services/meetings/domain/rules.h"

#include "gtest/gtest.h"
#include "services/platform/validation.h"
#include "tests/support/builders.h"

namespace enamnd::meetings {
namespace {

using platform::FormatDay;
using platform::ParseMunicipalityName;
using platform::ValidateCrossReference;
using platform::ValidateDay;
using platform::ValidateResourceId;
using platform::ValidateSha256;
using platform::ValidateText;

TEST(CaseNumberTest, ParsesRealCaseNumbers) {
  auto n = ParseCaseNumber("2022/9-2.2.0.1", "f");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->year, 2022);
  EXPECT_EQ(n->sequence, 9);
  EXPECT_EQ(n->classification, "2.2.0.1");
  EXPECT_EQ(n->ResourceName(), "cases/2022-9");
  EXPECT_EQ(n->ToString(), "2022/9-2.2.0.1");
  auto m = ParseCaseNumber("2022/17-1.1.1.2", "f");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ResourceName(), "cases/2022-17");
}

TEST(CaseNumberTest, RejectsMalformedNumbersNamingTheField) {
  for (const char* bad : {"", "2022", "2022/9", "2022-9-2.2", "1899/1-1", "3000/1-1", "20a2/1-1",
                          "2022/-1", "2022/0-1", "2022/01-1", "2022/9-", "2022/9-2..1",
                          "2022/9-1234", "2022/9-1.2.3.4.5.6.7", "2022/9-2.2.0.1 "}) {
    auto n = ParseCaseNumber(bad, "case.case_number");
    ASSERT_FALSE(n.ok()) << "accepted " << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(n.status().message().rfind("case.case_number: ", 0), 0u) << n.status();
  }
}

TEST(MunicipalityTest, AcceptsFourDigitCodes) {
  EXPECT_EQ(*ParseMunicipalityName("municipalities/2584", "f"), "2584");
  EXPECT_FALSE(ParseMunicipalityName("2584", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/258", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/25845", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/", "f").ok());
}

TEST(CrossReferenceTest, RequiresAKnownArea) {
  EXPECT_TRUE(ValidateCrossReference("//audits/reviews/2021-2584", "f").ok());
  EXPECT_TRUE(ValidateCrossReference("//projects/initiatives/hr-payroll", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("audits/reviews/2021-2584", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//weather/reviews/1", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//audits/reviews", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//audits/reviews/a b", "f").ok());
}

TEST(ResourceIdTest, AllowsLowercaseDigitsHyphens) {
  EXPECT_TRUE(ValidateResourceId("e-namnden", "f").ok());
  EXPECT_TRUE(ValidateResourceId("2022-06-22", "f").ok());
  EXPECT_FALSE(ValidateResourceId("E-namnden", "f").ok());
  EXPECT_FALSE(ValidateResourceId("-x", "f").ok());
  EXPECT_FALSE(ValidateResourceId("a/b", "f").ok());
  EXPECT_FALSE(ValidateResourceId(std::string(64, 'a'), "f").ok());
}

TEST(DayTest, RejectsDaysThatDoNotExist) {
  EXPECT_TRUE(ValidateDay(2024, 2, 29, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 2, 29, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 13, 1, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 6, 0, "f").ok());
  EXPECT_EQ(FormatDay(2022, 6, 22), "2022-06-22");
}

TEST(QuorumTest, MoreThanHalfOfSeats) {
  EXPECT_FALSE(HasQuorum(7, 14));
  EXPECT_TRUE(HasQuorum(8, 14));
  EXPECT_TRUE(HasQuorum(2, 3));
  EXPECT_FALSE(HasQuorum(0, 0));
}

TEST(QuorumTest, SubstituteCountsOnlyForItsParagraphs) {
  SeatPresence member{true, false, {}};
  SeatPresence substitute_all{false, true, {}};
  SeatPresence substitute_some{false, true, {9, 10}};
  SeatPresence absent{false, false, {}};
  EXPECT_TRUE(SeatRepresented(member, 8));
  EXPECT_TRUE(SeatRepresented(substitute_all, 8));
  EXPECT_FALSE(SeatRepresented(substitute_some, 8));
  EXPECT_TRUE(SeatRepresented(substitute_some, 9));
  EXPECT_FALSE(SeatRepresented(substitute_some, std::nullopt));
  EXPECT_FALSE(SeatRepresented(absent, 8));
}

TEST(TextTest, EnforcesRequiredAndLength) {
  EXPECT_FALSE(ValidateText("  ", "f", 10, true).ok());
  EXPECT_TRUE(ValidateText("", "f", 10, false).ok());
  EXPECT_FALSE(ValidateText(std::string(11, 'x'), "f", 10, false).ok());
  EXPECT_TRUE(ValidateSha256(std::string(64, 'a'), "f").ok());
  EXPECT_FALSE(ValidateSha256(std::string(64, 'A'), "f").ok());
}

// ------------------------------------------------------------ meeting states

// Short builders for the rule tests below.
class MeetingRulesTest : public ::testing::Test {
 protected:
  static v1::Meeting Meeting(v1::Meeting::State state) {
    v1::Meeting m;
    m.set_name("bodies/b/meetings/m");
    m.set_state(state);
    m.mutable_date()->set_year(2022);
    m.mutable_date()->set_month(6);
    m.mutable_date()->set_day(22);
    return m;
  }
  static v1::Meeting Held() {
    v1::Meeting m = Meeting(v1::Meeting::STATE_HELD);
    m.mutable_attendance()->add_seats()->set_municipality("municipalities/2584");
    return m;
  }
  static v1::Adjustment Adjustment(v1::Adjustment::Kind kind) {
    v1::Adjustment a;
    a.set_name("bodies/b/meetings/m/adjustments/1");
    a.set_kind(kind);
    return a;
  }
  static absl::StatusCode Code(const absl::Status& s) { return s.code(); }
};

TEST_F(MeetingRulesTest, NewMeetingIsPlannedByDefault) {
  v1::Meeting m = Meeting(v1::Meeting::STATE_UNSPECIFIED);
  EXPECT_TRUE(PrepareNewMeeting(&m).ok());
  EXPECT_EQ(m.state(), v1::Meeting::STATE_PLANNED);
}

TEST_F(MeetingRulesTest, NewMeetingMayBeHeld) {
  v1::Meeting m = Meeting(v1::Meeting::STATE_HELD);
  EXPECT_TRUE(PrepareNewMeeting(&m).ok());
}

TEST_F(MeetingRulesTest, NewMeetingIsNotCancelled) {
  v1::Meeting m = Meeting(v1::Meeting::STATE_CANCELLED);
  EXPECT_EQ(Code(PrepareNewMeeting(&m)), absl::StatusCode::kInvalidArgument);
}

TEST_F(MeetingRulesTest, NewMeetingHasNoAttendance) {
  v1::Meeting m = Held();
  EXPECT_EQ(PrepareNewMeeting(&m).message().rfind("meeting.attendance", 0), 0u);
}

TEST_F(MeetingRulesTest, UpdateNeedsAState) {
  v1::Meeting after = Meeting(v1::Meeting::STATE_UNSPECIFIED);
  absl::Status s = CheckMeetingUpdate(Held(), 0, &after);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("STATE_PLANNED"), std::string::npos) << s;
}

TEST_F(MeetingRulesTest, StateIsFixedOnceDecisionsAreRecorded) {
  v1::Meeting after = Meeting(v1::Meeting::STATE_CANCELLED);
  EXPECT_EQ(Code(CheckMeetingUpdate(Held(), 1, &after)), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MeetingRulesTest, CancellingDropsAttendance) {
  v1::Meeting after = Held();
  after.set_state(v1::Meeting::STATE_CANCELLED);
  EXPECT_TRUE(CheckMeetingUpdate(Held(), 0, &after).ok());
  EXPECT_FALSE(after.has_attendance());
}

TEST_F(MeetingRulesTest, HeldMeetingWithAttendanceIsNotPlannedAgain) {
  v1::Meeting after = Held();
  after.set_state(v1::Meeting::STATE_PLANNED);
  EXPECT_EQ(Code(CheckMeetingUpdate(Held(), 0, &after)), absl::StatusCode::kFailedPrecondition);
}

TEST_F(MeetingRulesTest, SameStateIsAlwaysFine) {
  v1::Meeting after = Held();
  EXPECT_TRUE(CheckMeetingUpdate(Held(), 5, &after).ok());
}

TEST_F(MeetingRulesTest, CancelledMeetingRecordsNoDecisions) {
  EXPECT_EQ(Code(CheckRecordsDecisions(Meeting(v1::Meeting::STATE_CANCELLED))),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckRecordsDecisions(Held()).ok());
}

TEST_F(MeetingRulesTest, AdjustedProtocolIsLocked) {
  EXPECT_TRUE(CheckProtocolOpen("m", {Adjustment(v1::Adjustment::KIND_IMMEDIATE)}).ok());
  EXPECT_EQ(Code(CheckProtocolOpen("m", {Adjustment(v1::Adjustment::KIND_PROTOCOL)})),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MeetingRulesTest, AttendanceLockedByAnyAdjustment) {
  EXPECT_TRUE(CheckAttendanceOpen(Held(), {}).ok());
  EXPECT_EQ(Code(CheckAttendanceOpen(Held(), {Adjustment(v1::Adjustment::KIND_IMMEDIATE)})),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(CheckAttendanceOpen(Meeting(v1::Meeting::STATE_CANCELLED), {})),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MeetingRulesTest, AdjustableNeedsAttendance) {
  EXPECT_EQ(
      Code(CheckAdjustable(Meeting(v1::Meeting::STATE_HELD), {}, absl::CivilDay(2022, 6, 23))),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckAdjustable(Held(), {}, absl::CivilDay(2022, 6, 22)).ok());
}

TEST_F(MeetingRulesTest, AdjustableNotCancelledNorAdjusted) {
  v1::Meeting cancelled = Held();
  cancelled.set_state(v1::Meeting::STATE_CANCELLED);
  EXPECT_EQ(Code(CheckAdjustable(cancelled, {}, absl::CivilDay(2022, 6, 23))),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Code(CheckAdjustable(Held(), {Adjustment(v1::Adjustment::KIND_PROTOCOL)},
                                 absl::CivilDay(2022, 6, 23))),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MeetingRulesTest, AdjustedNotBeforeTheMeeting) {
  absl::Status s = CheckAdjustable(Held(), {}, absl::CivilDay(2022, 6, 21));
  EXPECT_EQ(s.message().rfind("adjusted_date: ", 0), 0u) << s;
}

// ------------------------------------------------------------ attendance

class AttendanceTest : public ::testing::Test {
 protected:
  // A body with a seat for each code.
  static v1::Body Body(std::initializer_list<const char*> codes) {
    v1::Body body;
    body.set_name("bodies/b");
    for (const char* code : codes) {
      body.add_seats()->set_municipality(std::string("municipalities/") + code);
    }
    return body;
  }
  // Members of `codes` present.
  static v1::Attendance Present(std::initializer_list<const char*> codes) {
    v1::Attendance a;
    for (const char* code : codes) {
      v1::SeatAttendance* s = a.add_seats();
      s->set_municipality(std::string("municipalities/") + code);
      s->set_member_present(true);
    }
    return a;
  }
  static std::string Field(const absl::Status& s) { return testing::InvalidFieldOf(s); }
};

TEST_F(AttendanceTest, CountsCurrentSeatsOnly) {
  EXPECT_EQ(SeatsRepresented(Present({"0001", "0002", "9999"}), Body({"0001", "0002", "0003"}),
                             std::nullopt),
            2);
}

TEST_F(AttendanceTest, QuorumNeedsAttendance) {
  v1::Meeting m;
  EXPECT_EQ(CheckQuorum(m, Body({"0001"}), 1).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AttendanceTest, QuorumIsMoreThanHalf) {
  v1::Meeting m;
  *m.mutable_attendance() = Present({"0001"});
  EXPECT_EQ(CheckQuorum(m, Body({"0001", "0002"}), 1).code(),
            absl::StatusCode::kFailedPrecondition);
  *m.mutable_attendance() = Present({"0001", "0002"});
  EXPECT_TRUE(CheckQuorum(m, Body({"0001", "0002", "0003"}), 1).ok());
}

TEST_F(AttendanceTest, SeatMustBelongToTheBody) {
  EXPECT_EQ(Field(CheckAttendance(Present({"0009"}), Body({"0001"}), {})),
            "attendance.seats[0].municipality");
}

TEST_F(AttendanceTest, SeatMustBeAMunicipalityName) {
  v1::Attendance a;
  a.add_seats()->set_municipality("0001");
  EXPECT_EQ(Field(CheckAttendance(a, Body({"0001"}), {})), "attendance.seats[0].municipality");
}

TEST_F(AttendanceTest, SeatListedOnce) {
  EXPECT_EQ(Field(CheckAttendance(Present({"0001", "0001"}), Body({"0001"}), {})),
            "attendance.seats[1].municipality");
}

TEST_F(AttendanceTest, SubstituteParagraphsOnlyWhenServed) {
  v1::Attendance a = Present({"0001"});
  a.mutable_seats(0)->add_substitute_paragraphs(3);
  EXPECT_EQ(Field(CheckAttendance(a, Body({"0001"}), {})),
            "attendance.seats[0].substitute_paragraphs");
}

TEST_F(AttendanceTest, SubstituteBesidesMemberNamesParagraphs) {
  v1::Attendance a = Present({"0001"});
  a.mutable_seats(0)->set_substitute_served(true);
  EXPECT_EQ(Field(CheckAttendance(a, Body({"0001"}), {})), "attendance.seats[0].substitute_served");
}

TEST_F(AttendanceTest, SubstituteParagraphsArePositive) {
  v1::Attendance a = Present({"0001"});
  a.mutable_seats(0)->set_substitute_served(true);
  a.mutable_seats(0)->add_substitute_paragraphs(0);
  EXPECT_EQ(Field(CheckAttendance(a, Body({"0001"}), {})),
            "attendance.seats[0].substitute_paragraphs");
}

TEST_F(AttendanceTest, KeepsQuorumOfRecordedParagraphs) {
  absl::Status s = CheckAttendance(Present({"0001"}), Body({"0001", "0002"}), {4});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("§ 4"), std::string::npos);
  EXPECT_TRUE(CheckAttendance(Present({"0001", "0002"}), Body({"0001", "0002"}), {4}).ok());
}

// ------------------------------------------------------------ numbering

TEST(NumberingTest, ContinuesAfterTheHighest) {
  EXPECT_EQ(NextParagraphNumber(15, std::nullopt), 16);
  EXPECT_EQ(NextParagraphNumber(15, 8), 16);
}

TEST(NumberingTest, StartsAtTheSeriesStartOrOne) {
  EXPECT_EQ(NextParagraphNumber(0, std::nullopt), 1);
  EXPECT_EQ(NextParagraphNumber(0, 8), 8);
}

TEST(NumberingTest, SeriesStartBounds) {
  EXPECT_TRUE(ValidateSeriesStart(2022, 8).ok());
  EXPECT_EQ(ValidateSeriesStart(1899, 8).message().rfind("year: ", 0), 0u);
  EXPECT_EQ(ValidateSeriesStart(2022, 0).message().rfind("next_number: ", 0), 0u);
  EXPECT_EQ(ValidateSeriesStart(2022, 100001).message().rfind("next_number: ", 0), 0u);
}

TEST(NumberingTest, SeriesMovesOnlyBeforeParagraphs) {
  EXPECT_TRUE(CheckSeriesMovable("bodies/b", 2022, 0, std::nullopt, 8).ok());
  EXPECT_TRUE(CheckSeriesMovable("bodies/b", 2022, 9, 8, 8).ok());
  EXPECT_EQ(CheckSeriesMovable("bodies/b", 2022, 9, 8, 10).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSeriesMovable("bodies/b", 2022, 9, std::nullopt, 1).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace enamnd::meetings
