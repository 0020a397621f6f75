// The 2022 operational plan and the facts of its interim report through
// May (§ 16 of 22 June 2022) as the plan tests build them: the committee's
// and the preparation group's meetings, agreements and initiatives.
#ifndef ENAMND_TESTS_FINANCE_PLAN_BUILDERS_H_
#define ENAMND_TESTS_FINANCE_PLAN_BUILDERS_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/domain/plans.h"

namespace enamnd::finance {

inline v1::Goal MakeGoal(const std::string& id, v1::Goal::Kind kind, v1::Measure measure,
                         const std::string& body, int64_t target, v1::Unit unit,
                         const std::string& text) {
  v1::Goal g;
  g.set_id(id);
  g.set_kind(kind);
  g.set_text(text);
  g.set_measure(measure);
  g.set_body(body);
  g.set_target(target);
  g.set_unit(unit);
  return g;
}

// Goals 0-5, then indicators 6-7.
inline v1::Plan Plan2022() {
  v1::Plan p;
  p.set_name("plans/2022");
  p.set_year(2022);
  p.set_title("Verksamhetsplan 2022");
  const auto goal = v1::Goal::KIND_GOAL;
  const auto indicator = v1::Goal::KIND_INDICATOR;
  *p.add_goals() = MakeGoal("competence", goal, v1::MEASURE_MANUAL, "", 1, v1::UNIT_COUNT,
                            "Nämnden har genomfört minst en kompetenshöjande insats per år");
  *p.add_goals() =
      MakeGoal("coordination", goal, v1::MEASURE_INITIATIVES_COORDINATED, "", 1, v1::UNIT_COUNT,
               "Nämnden har årligen genomfört och/eller samordnat behovsanalyser, "
               "förstudier, projekt och upphandlingar");
  *p.add_goals() =
      MakeGoal("agreements", goal, v1::MEASURE_AGREEMENTS_IN_FORCE, "", 1, v1::UNIT_COUNT,
               "Nämnden tillhandahåller och följer upp de avtal som "
               "tecknas för de ingående kommunerna");
  *p.add_goals() = MakeGoal("committee-meetings", goal, v1::MEASURE_MEETINGS_HELD,
                            "bodies/e-namnden", 4, v1::UNIT_COUNT,
                            "Nämnden har genomfört minst fyra sammanträden under verksamhetsåret");
  *p.add_goals() =
      MakeGoal("committee-attendance", goal, v1::MEASURE_ATTENDANCE_AVERAGE, "bodies/e-namnden", 75,
               v1::UNIT_PERCENT, "Ingående kommuner visar ett starkt engagemang för nämnden.");
  *p.add_goals() = MakeGoal("regulations", goal, v1::MEASURE_MANUAL, "", 0, v1::UNIT_UNSPECIFIED,
                            "Nämndens reglemente och samverkansavtal ska ses över och revideras.");
  *p.add_goals() = MakeGoal("prep-meetings", indicator, v1::MEASURE_MEETINGS_HELD,
                            "bodies/beredningsgruppen", 10, v1::UNIT_COUNT,
                            "Minst 10 beredningsgruppsmöten har hållits under verksamhetsåret");
  *p.add_goals() = MakeGoal("prep-attendance", indicator, v1::MEASURE_ATTENDANCE_EVERY_MEETING,
                            "bodies/beredningsgruppen", 75, v1::UNIT_PERCENT,
                            "Minst 75% av de ingående kommunerna ska ha medverkat vid alla "
                            "beredningsgruppsmöten");
  return p;
}

inline MeetingFact Held(const std::string& body, absl::CivilDay day, int present) {
  MeetingFact m;
  m.name = body + "/meetings/" + absl::FormatCivilTime(day);
  m.date = day;
  m.state = MeetingFact::State::kHeld;
  m.attendance_recorded = true;
  m.present = present;
  return m;
}

inline MeetingFact Planned(const std::string& body, absl::CivilDay day) {
  MeetingFact m;
  m.name = body + "/meetings/" + absl::FormatCivilTime(day);
  m.date = day;
  return m;
}

// The committee: 16 March held with 9 of 14, three meetings planned.
inline BodyFacts Committee() {
  const std::string b = "bodies/e-namnden";
  return {b,
          14,
          {Held(b, absl::CivilDay(2022, 3, 16), 9), Planned(b, absl::CivilDay(2022, 6, 22)),
           Planned(b, absl::CivilDay(2022, 10, 12)), Planned(b, absl::CivilDay(2022, 12, 14))}};
}

// The preparation group: five meetings with attendance, 20 June held
// without, five planned after.
inline BodyFacts PreparationGroup() {
  const std::string b = "bodies/beredningsgruppen";
  MeetingFact june = Held(b, absl::CivilDay(2022, 6, 20), 0);
  june.attendance_recorded = false;
  return {b,
          14,
          {Held(b, absl::CivilDay(2022, 1, 26), 11), Held(b, absl::CivilDay(2022, 2, 23), 13),
           Held(b, absl::CivilDay(2022, 3, 23), 10), Held(b, absl::CivilDay(2022, 4, 27), 10),
           Held(b, absl::CivilDay(2022, 5, 25), 11), june, Planned(b, absl::CivilDay(2022, 8, 24)),
           Planned(b, absl::CivilDay(2022, 9, 21)), Planned(b, absl::CivilDay(2022, 10, 26)),
           Planned(b, absl::CivilDay(2022, 11, 23)), Planned(b, absl::CivilDay(2022, 12, 21))}};
}

// When the facts were read: 2022-06-21 08:15 UTC (10:15 in Stockholm).
inline absl::Time ReadAt() { return absl::FromUnixSeconds(1655799300); }

// Eleven agreements in force, one overdue; a follow-up in 2021, two in
// 2022 before the as-of day and one after; one expired agreement with a
// stale follow-up date that does not count.
inline std::vector<AgreementFact> Agreements() {
  std::vector<AgreementFact> out;
  for (int i = 1; i <= 11; ++i) {
    AgreementFact a;
    a.name = "agreements/a" + std::to_string(i);
    a.title = "Avtal " + std::to_string(i);
    a.in_force = true;
    a.next_follow_up = absl::CivilDay(2022, 9, 1);
    out.push_back(a);
  }
  out[0].follow_up_days = {absl::CivilDay(2021, 11, 1), absl::CivilDay(2022, 2, 1)};
  out[1].follow_up_days = {absl::CivilDay(2022, 4, 1), absl::CivilDay(2022, 7, 1)};
  out[2].next_follow_up = absl::CivilDay(2022, 5, 1);  // overdue on 2022-06-21
  AgreementFact expired;
  expired.name = "agreements/old";
  expired.title = "Utgånget avtal";
  expired.next_follow_up = absl::CivilDay(2021, 1, 1);
  out.push_back(expired);
  return out;
}

inline InitiativeFact Initiative(const std::string& id, const std::string& title,
                                 std::vector<InitiativeFact::Step> steps) {
  return {"initiatives/" + id, title, std::move(steps)};
}

// Under way since 2021 (counted); started in the window (counted);
// decided on Jan 1 (counted); closed in 2021 (not); started after the
// as-of day (not).
inline std::vector<InitiativeFact> Initiatives() {
  return {
      Initiative("social", "Nytt verksamhetssystem för socialtjänsten",
                 {{absl::CivilDay(2021, 3, 1), true}, {absl::CivilDay(2021, 9, 1), true}}),
      Initiative("hr-payroll", "Gemensamt IT-stöd för löneprocesserna",
                 {{absl::CivilDay(2022, 1, 10), false}, {absl::CivilDay(2022, 3, 16), true}}),
      Initiative("dcbd", "Gemensamt datacenter Norrbotten",
                 {{absl::CivilDay(2021, 12, 1), false}, {absl::CivilDay(2022, 1, 1), true}}),
      Initiative("closed", "Avslutat 2021",
                 {{absl::CivilDay(2021, 2, 1), true}, {absl::CivilDay(2021, 11, 30), false}}),
      Initiative("later", "Startar i augusti",
                 {{absl::CivilDay(2022, 2, 1), false}, {absl::CivilDay(2022, 8, 1), true}}),
  };
}

inline PlanFacts SampleFacts() {
  PlanFacts f;
  f.bodies["bodies/e-namnden"] = Committee();
  f.bodies["bodies/beredningsgruppen"] = PreparationGroup();
  f.agreements = Agreements();
  f.initiatives = Initiatives();
  for (const char* service : {"meetings", "contracts", "projects"}) {
    f.sources[service] = SourceOutcome{true, "", 2, ReadAt()};
  }
  return f;
}

inline FollowUpWindow May2022() {
  return {2022, 5, absl::CivilDay(2022, 6, 21), "plans/2022/follow-ups/5"};
}

inline FollowUpWindow YearEnd2022() {
  return {2022, 12, absl::CivilDay(2022, 12, 31), "plans/2022/follow-ups/12"};
}

}  // namespace enamnd::finance

#endif  // ENAMND_TESTS_FINANCE_PLAN_BUILDERS_H_
