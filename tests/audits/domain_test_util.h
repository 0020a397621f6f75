// Builders of valid audits resources and a status check for the domain
// table tests: each test changes one field and names the rule it breaks.
#ifndef ENAMND_TESTS_AUDITS_DOMAIN_TEST_UTIL_H_
#define ENAMND_TESTS_AUDITS_DOMAIN_TEST_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "services/platform/api_util.h"
#include "tests/support/builders.h"

namespace enamnd::audits::domain_testing {

// "OK", or the status code's name and the message: comparisons show both.
inline std::string Says(const absl::Status& s) {
  if (s.ok()) return "OK";
  return absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message());
}

inline v1::Review ValidReview() {
  v1::Review r;
  r.set_name("reviews/2021-2584");
  r.set_year(2021);
  r.add_auditing_municipalities("municipalities/2584");
  r.add_auditing_municipalities("municipalities/2523");
  r.set_kind(v1::Review::KIND_BASIC);
  r.set_title("Grundläggande granskning 2021");
  r.mutable_assessments()->mutable_appropriate_administration()->set_answer(v1::ANSWER_YES);
  return r;
}

inline v1::Recommendation ValidRecommendation() {
  v1::Recommendation r;
  r.set_text("Upprätta ett årshjul med direktiv för rapportering.");
  r.add_given_by("municipalities/2584");
  r.set_status(v1::Recommendation::STATUS_OPEN);
  return r;
}

inline v1::ControlFollowUp ValidFollowUp() {
  v1::ControlFollowUp f;
  *f.mutable_date() = enamnd::testing::Day(2024, 9, 20);
  f.set_outcome(v1::ControlFollowUp::OUTCOME_NO_DEVIATION);
  f.set_followed_up_by("Samordnaren");
  return f;
}

inline v1::ControlPoint ValidPoint() {
  v1::ControlPoint p;
  p.set_process("Attest");
  p.set_risk_value(9);
  p.set_what_is_checked("Att fakturor attesteras enligt reglementet");
  p.set_responsible("Samordnaren");
  p.set_reporting_moment("reporting-years/2024/moments/delar-2");
  return p;
}

inline v1::ReportingMoment ValidMoment(const std::string& id, absl::CivilDay due) {
  v1::ReportingMoment m;
  m.set_name(id);
  m.set_kind(v1::ReportingMoment::KIND_INTERIM_REPORT);
  m.set_title("Delårsrapport");
  *m.mutable_due_date() = platform::ToDate(due);
  return m;
}

}  // namespace enamnd::audits::domain_testing

#endif  // ENAMND_TESTS_AUDITS_DOMAIN_TEST_UTIL_H_
