// The plan side of the finance service over outside input
// (services/finance/domain/plans.h, plan_report.h): a plan and a follow-up
// as a caller may send them. A refusal is INVALID_ARGUMENT naming a field
// of the request; a plan and follow-up that pass are evaluated with no
// facts read (every computed figure missing) and rendered: the report keeps
// every goal, marks the missing figures, and its HTML never carries a tag
// from the input.
//
// Layout: the input is split at the first 0xFF byte: before it a
// serialized Plan, after it a serialized PlanFollowUp.
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/finance/domain/plan_report.h"
#include "services/finance/domain/plans.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::finance;  // NOLINT(build/namespaces): the domain's types
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\xff');
  absl::string_view plan_bytes = input.substr(0, split);
  absl::string_view follow_up_bytes =
      split == absl::string_view::npos ? absl::string_view() : input.substr(split + 1);

  v1::Plan plan;
  if (!plan.ParseFromArray(plan_bytes.data(), static_cast<int>(plan_bytes.size()))) return 0;
  absl::Status plan_ok = ValidatePlanContent(plan, "plan");
  if (!plan_ok.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(plan_ok, "plan"));
    return 0;
  }
  v1::PlanFollowUp follow_up;
  if (!follow_up.ParseFromArray(follow_up_bytes.data(), static_cast<int>(follow_up_bytes.size()))) {
    return 0;
  }
  absl::Status follow_up_ok = ValidateFollowUpContent(follow_up, plan, "follow_up");
  if (!follow_up_ok.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(follow_up_ok, "follow_up"));
    return 0;
  }

  const absl::CivilDay as_of(2022, 6, 21);
  FollowUpWindow window{2022, 5, as_of, "plans/2022/follow-ups/5"};
  PlanFacts facts;  // nothing read: every service failed
  for (const char* service : {"meetings", "contracts", "projects"}) {
    facts.sources[service] = SourceOutcome{false, "UNAVAILABLE: fuzz", 1, absl::InfinitePast()};
  }
  v1::RenderedPlanReport report;
  report.set_follow_up(window.follow_up);
  report.set_title(follow_up.title());
  for (const v1::Goal& goal : plan.goals()) {
    const v1::GoalFollowUp* entry = nullptr;
    for (const v1::GoalFollowUp& candidate : follow_up.goals()) {
      if (candidate.goal() == goal.id()) entry = &candidate;
    }
    v1::GoalReport goal_report = EvaluateGoal(goal, entry, facts, window);
    ENAMND_FUZZ_CHECK(goal_report.goal().id() == goal.id());
    if (goal.measure() != v1::MEASURE_MANUAL) {
      ENAMND_FUZZ_CHECK(goal_report.figures_size() > 0 && goal_report.figures(0).missing());
      ENAMND_FUZZ_CHECK(goal_report.computed_outlook() == v1::OUTLOOK_UNSPECIFIED);
    }
    *report.add_goals() = std::move(goal_report);
  }
  report.set_complete(false);
  const std::string html = RenderPlanReportHtml(report, plan, follow_up);
  const std::string markdown = RenderPlanReportMarkdown(report, plan, follow_up);
  ENAMND_FUZZ_CHECK(!markdown.empty());
  // The only tags are the renderer's own: text from the input is escaped,
  // so "<script" or an event attribute never comes from it.
  ENAMND_FUZZ_CHECK(!absl::StrContains(html, "<script"));
  ENAMND_FUZZ_CHECK(!absl::StrContains(html, "<img"));
  return 0;
}
