#include "services/audits/domain/rules.h"

#include "absl/strings/str_cat.h"
#include "services/platform/api_util.h"

namespace enamnd::audits {

using platform::IsSet;
using platform::ToCivil;

std::string ReviewName(int year, const std::string& municipality_code) {
  return absl::StrCat("reviews/", year, "-", municipality_code);
}

absl::CivilDay OneYearLater(absl::CivilDay day) {
  int month = day.month();
  int d = day.day();
  if (month == 2 && d == 29) d = 28;
  return absl::CivilDay(day.year() + 1, month, d);
}

bool RecommendationOverdue(const v1::Recommendation& r, absl::CivilDay today) {
  bool open =
      r.status() == v1::Recommendation::STATUS_OPEN || r.status() == v1::Recommendation::STATUS_IN_PROGRESS;
  return open && IsSet(r.due_date()) && ToCivil(r.due_date()) < today;
}

bool MomentOverdue(const v1::ReportingMoment& m, absl::CivilDay today) {
  return !IsSet(m.reported_date()) && IsSet(m.due_date()) && ToCivil(m.due_date()) < today;
}

bool ControlPointMissed(const v1::ControlPoint& point, const v1::ReportingMoment& moment,
                        absl::CivilDay today) {
  if (!IsSet(moment.due_date())) return false;
  absl::CivilDay due = ToCivil(moment.due_date());
  if (!(due < today)) return false;
  for (const auto& f : point.follow_ups()) {
    if (ToCivil(f.date()) <= due) return false;
  }
  return true;
}

}  // namespace enamnd::audits
