#include "services/audits/domain/rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/platform/api_util.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {

absl::CivilDay OneYearLater(absl::CivilDay day) {
  int month = day.month();
  int d = day.day();
  if (month == 2 && d == 29) d = 28;
  return absl::CivilDay(day.year() + 1, month, d);
}

bool RecommendationTracksDue(const v1::Recommendation& r) {
  bool open = r.status() == v1::Recommendation::STATUS_OPEN ||
              r.status() == v1::Recommendation::STATUS_IN_PROGRESS;
  return open && platform::IsSet(r.due_date());
}

bool RecommendationOverdue(const v1::Recommendation& r, absl::CivilDay today) {
  return RecommendationTracksDue(r) && platform::ToCivil(r.due_date()) < today;
}

bool MomentOverdue(const v1::ReportingMoment& m, absl::CivilDay today) {
  return !platform::IsSet(m.reported_date()) && platform::IsSet(m.due_date()) &&
         platform::ToCivil(m.due_date()) < today;
}

bool ControlPointMissed(const v1::ControlPoint& point, const v1::ReportingMoment& moment,
                        absl::CivilDay today) {
  if (!platform::IsSet(moment.due_date())) return false;
  absl::CivilDay due = platform::ToCivil(moment.due_date());
  if (!(due < today)) return false;
  for (const auto& f : point.follow_ups()) {
    if (platform::ToCivil(f.date()) <= due) return false;
  }
  return true;
}

std::string NaturalSortKey(absl::string_view id) {
  std::string key;
  size_t i = 0;
  while (i < id.size()) {
    if (!absl::ascii_isdigit(id[i])) {
      key.push_back(id[i++]);
      continue;
    }
    size_t end = i;
    while (end < id.size() && absl::ascii_isdigit(id[end])) ++end;
    while (i + 1 < end && id[i] == '0') ++i;  // leading zeros do not count
    // The run's length first (two digits: ids are at most 63 characters),
    // so that a shorter number sorts first, then its digits.
    absl::StrAppend(&key, absl::StrFormat("%02d", end - i));
    key.append(id.data() + i, end - i);
    i = end;
  }
  return key;
}

}  // namespace enamnd::audits
