// Content rules of what clients write (domain/content.h), one rule per test.
#include "services/meetings/domain/content.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"

namespace enamnd::meetings {
namespace {

class ContentTest : public ::testing::Test {
 protected:
  static std::string Field(const absl::Status& s) { return testing::InvalidFieldOf(s); }
  static v1::Person Person(const std::string& name) {
    v1::Person p;
    p.set_display_name(name);
    return p;
  }
  static v1::Body Body() {
    v1::Body b;
    b.set_name("bodies/b");
    b.set_display_name("E-nämnden");
    b.set_kind(v1::Body::KIND_COMMITTEE);
    for (const char* code : {"0001", "0002"}) {
      v1::Seat* seat = b.add_seats();
      seat->set_municipality(std::string("municipalities/") + code);
      *seat->mutable_member() = Person(std::string("Ledamot ") + code);
      *seat->mutable_substitute() = Person(std::string("Ersättare ") + code);
    }
    return b;
  }
  static v1::Paragraph Paragraph() {
    v1::Paragraph p;
    p.set_title("Revisionsrapport");
    p.mutable_decision()->set_kind(v1::DECISION_KIND_NOTE_AND_FILE);
    p.mutable_decision()->set_text("Nämnden lägger informationen till handlingarna.");
    p.add_recipients()->set_municipality("municipalities/0001");
    return p;
  }
  static google::protobuf::RepeatedPtrField<v1::Person> People(
      std::initializer_list<const char*> names) {
    google::protobuf::RepeatedPtrField<v1::Person> out;
    for (const char* n : names) *out.Add() = Person(n);
    return out;
  }
};

TEST_F(ContentTest, PersonNeedsANameWhenRequired) {
  EXPECT_EQ(Field(ValidatePerson(v1::Person(), "chair", true)), "chair.display_name");
  EXPECT_EQ(Field(ValidatePerson(v1::Person(), "chair", false)), "ok");
}

TEST_F(ContentTest, MunicipalityPopulationNotNegative) {
  v1::Municipality m;
  m.set_display_name("Örebro");
  EXPECT_EQ(Field(ValidateMunicipality(m)), "ok");
  m.set_population(-1);
  EXPECT_EQ(Field(ValidateMunicipality(m)), "municipality.population");
}

TEST_F(ContentTest, MunicipalityNeedsAName) {
  EXPECT_EQ(Field(ValidateMunicipality(v1::Municipality())), "municipality.display_name");
}

TEST_F(ContentTest, BodyIsValid) { EXPECT_EQ(Field(ValidateBody(Body())), "ok"); }

TEST_F(ContentTest, BodyNeedsAKind) {
  v1::Body b = Body();
  b.set_kind(v1::Body::KIND_UNSPECIFIED);
  EXPECT_EQ(Field(ValidateBody(b)), "body.kind");
}

TEST_F(ContentTest, SeatNamesAMunicipality) {
  v1::Body b = Body();
  b.mutable_seats(1)->set_municipality("2584");
  EXPECT_EQ(Field(ValidateBody(b)), "body.seats[1].municipality");
}

TEST_F(ContentTest, OneSeatPerMunicipality) {
  v1::Body b = Body();
  b.mutable_seats(1)->set_municipality("municipalities/0001");
  EXPECT_EQ(Field(ValidateBody(b)), "body.seats[1].municipality");
}

TEST_F(ContentTest, SeatHasAMember) {
  v1::Body b = Body();
  b.mutable_seats(0)->clear_member();
  EXPECT_EQ(Field(ValidateBody(b)), "body.seats[0].member.display_name");
}

TEST_F(ContentTest, TermEndsAfterItStarts) {
  v1::Body b = Body();
  v1::Seat* s = b.mutable_seats(0);
  s->mutable_term_start()->set_year(2023);
  s->mutable_term_start()->set_month(1);
  s->mutable_term_start()->set_day(1);
  s->mutable_term_end()->set_year(2022);
  s->mutable_term_end()->set_month(12);
  s->mutable_term_end()->set_day(31);
  EXPECT_EQ(Field(ValidateBody(b)), "body.seats[0].term_end");
}

TEST_F(ContentTest, MeetingEndsAfterItStarts) {
  v1::Meeting m;
  m.mutable_start_time()->set_hours(13);
  m.mutable_end_time()->set_hours(12);
  EXPECT_EQ(Field(ValidateMeeting(m)), "meeting.end_time");
}

TEST_F(ContentTest, MeetingTimeIsAClockTime) {
  v1::Meeting m;
  m.mutable_start_time()->set_minutes(60);
  EXPECT_EQ(Field(ValidateMeeting(m)), "meeting.start_time");
}

TEST_F(ContentTest, MeetingStateIsKnown) {
  v1::Meeting m;
  m.set_state(static_cast<v1::Meeting::State>(42));
  EXPECT_EQ(Field(ValidateMeeting(m)), "meeting.state");
}

TEST_F(ContentTest, CaseNeedsATitle) { EXPECT_EQ(Field(ValidateCase(v1::Case())), "case.title"); }

TEST_F(ContentTest, CaseSubjectIsACrossReference) {
  v1::Case c;
  c.set_title("Granskning");
  c.set_subject("reviews/2021-2584");
  EXPECT_EQ(Field(ValidateCase(c)), "case.subject");
  c.set_subject("//audits/reviews/2021-2584");
  EXPECT_EQ(Field(ValidateCase(c)), "ok");
}

TEST_F(ContentTest, ParagraphIsValid) {
  EXPECT_EQ(Field(ValidateParagraphContent(Paragraph())), "ok");
}

TEST_F(ContentTest, ParagraphNeedsADecisionKind) {
  v1::Paragraph p = Paragraph();
  p.mutable_decision()->clear_kind();
  absl::Status s = ValidateParagraphContent(p);
  EXPECT_EQ(Field(s), "paragraph.decision.kind");
  EXPECT_NE(s.message().find("DECISION_KIND_APPROVE"), std::string::npos) << s;
}

TEST_F(ContentTest, ParagraphNeedsADecisionText) {
  v1::Paragraph p = Paragraph();
  p.mutable_decision()->clear_text();
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.decision.text");
}

TEST_F(ContentTest, ProposalHasAMover) {
  v1::Paragraph p = Paragraph();
  p.mutable_procedure()->add_proposals()->set_text("Bifall");
  EXPECT_EQ(Field(ValidateParagraphContent(p)),
            "paragraph.procedure.proposals[0].mover.display_name");
}

TEST_F(ContentTest, VoteCountsNotNegative) {
  v1::Paragraph p = Paragraph();
  v1::Vote* vote = p.mutable_procedure()->add_votes();
  vote->set_question("Bifall?");
  vote->set_yes_count(-1);
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.procedure.votes[0]");
}

TEST_F(ContentTest, TallyMatchesTheBallots) {
  v1::Paragraph p = Paragraph();
  v1::Vote* vote = p.mutable_procedure()->add_votes();
  vote->set_question("Bifall?");
  vote->set_yes_count(2);
  v1::Ballot* ballot = vote->add_ballots();
  *ballot->mutable_voter() = Person("Ledamot 0001");
  ballot->set_choice(v1::Ballot::CHOICE_YES);
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.procedure.votes[0]");
  vote->set_yes_count(1);
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "ok");
}

TEST_F(ContentTest, BallotHasAChoice) {
  v1::Paragraph p = Paragraph();
  v1::Vote* vote = p.mutable_procedure()->add_votes();
  vote->set_question("Bifall?");
  *vote->add_ballots()->mutable_voter() = Person("Ledamot 0001");
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.procedure.votes[0].ballots[0].choice");
}

TEST_F(ContentTest, ReservationHasAPerson) {
  v1::Paragraph p = Paragraph();
  p.add_reservations()->set_text("Reservation");
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.reservations[0].person.display_name");
}

TEST_F(ContentTest, DocumentHashIsSha256) {
  v1::Paragraph p = Paragraph();
  v1::Document* d = p.add_documents();
  d->set_title("Rapport");
  d->set_sha256("abc");
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.documents[0].sha256");
}

TEST_F(ContentTest, RecipientIsSet) {
  v1::Paragraph p = Paragraph();
  p.add_recipients();
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.recipients[1]");
}

TEST_F(ContentTest, RecipientListedOnce) {
  v1::Paragraph p = Paragraph();
  p.add_recipients()->set_municipality("municipalities/0001");
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.recipients[1]");
}

TEST_F(ContentTest, RecipientMunicipalityIsAName) {
  v1::Paragraph p = Paragraph();
  p.mutable_recipients(0)->set_municipality("0001");
  EXPECT_EQ(Field(ValidateParagraphContent(p)), "paragraph.recipients[0].municipality");
}

TEST_F(ContentTest, AttendancePersonsNamed) {
  v1::Attendance a;
  a.add_adjusters();
  EXPECT_EQ(Field(ValidateAttendanceFields(a)), "attendance.adjusters[0].display_name");
}

TEST_F(ContentTest, AppealNeedsADayAndAnAppellant) {
  v1::Appeal a;
  EXPECT_EQ(Field(ValidateAppeal(a)), "appeal.lodged_date");
  a.mutable_lodged_date()->set_year(2022);
  EXPECT_EQ(Field(ValidateAppeal(a)), "appeal.appellant");
}

TEST_F(ContentTest, CorrectionNamesACorrectableField) {
  v1::Correction c;
  c.set_field("name");
  EXPECT_EQ(Field(ValidateCorrection(c)), "correction.field");
  c.set_field("decision.text");
  EXPECT_EQ(Field(ValidateCorrection(c)), "correction.corrected_text");
}

// 0001: the member present, its substitute present without serving; 0002:
// the substitute serving for the member.
v1::Attendance Present() {
  v1::Attendance a;
  v1::SeatAttendance* first = a.add_seats();
  first->set_municipality("municipalities/0001");
  first->set_member_present(true);
  first->set_substitute_present(true);
  v1::SeatAttendance* second = a.add_seats();
  second->set_municipality("municipalities/0002");
  second->set_substitute_served(true);
  return a;
}

TEST_F(ContentTest, SignersDecidedAtTheMeeting) {
  struct Case {
    const char* chair;
    const char* adjuster;
    const char* field;  // "ok" or the field named
  };
  for (const Case& c : {
           Case{"Ledamot 0001", "Ersättare 0002", "ok"},  // present; serving
           Case{"Någon", "Ersättare 0002", "chair"},      // not of the body
           Case{"Ledamot 0001", "Någon", "adjusters[0]"},
           Case{"Ledamot 0001", "Ledamot 0002", "adjusters[0]"},    // absent member
           Case{"Ledamot 0001", "Ersättare 0001", "adjusters[0]"},  // present, not serving
           Case{"Ledamot 0002", "Ersättare 0002", "chair"},         // absent chair
       }) {
    EXPECT_EQ(Field(ValidateSigners(Body(), Present(), Person(c.chair), People({c.adjuster}))),
              c.field)
        << c.chair << " / " << c.adjuster;
  }
  absl::Status idle =
      ValidateSigners(Body(), Present(), Person("Ledamot 0001"), People({"Ersättare 0001"}));
  EXPECT_THAT(std::string(idle.message()), ::testing::HasSubstr("neither a member present"));
}

TEST_F(ContentTest, SignersAtLeastOneAdjusterEachOnce) {
  EXPECT_EQ(Field(ValidateSigners(Body(), Present(), Person("Ledamot 0001"), People({}))),
            "adjusters");
  EXPECT_EQ(
      Field(ValidateSigners(Body(), Present(), Person("Ledamot 0001"), People({"Ledamot 0001"}))),
      "adjusters[0]");
}

TEST_F(ContentTest, ReferencedMunicipalitiesWithTheirFields) {
  std::vector<MunicipalityRef> refs = MunicipalitiesOf(Body());
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[1].field, "body.seats[1].municipality");
  v1::Paragraph p = Paragraph();
  p.add_recipients()->set_named("Revisorerna");
  refs = MunicipalitiesOf(p);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].name, "municipalities/0001");
}

}  // namespace
}  // namespace enamnd::meetings
