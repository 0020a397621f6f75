#include "services/finance/domain/plans.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::DayText;
using platform::InvalidField;

constexpr int kMaxGoals = 100;
constexpr int64_t kMaxTarget = 1000000;
constexpr int64_t kMaxPercent = 100;

bool IsMeetingsMeasure(v1::Measure m) {
  return m == v1::MEASURE_MEETINGS_HELD || m == v1::MEASURE_ATTENDANCE_AVERAGE ||
         m == v1::MEASURE_ATTENDANCE_EVERY_MEETING;
}

// The unit a computed measure counts in; UNIT_UNSPECIFIED for the manual
// measure (any unit).
v1::Unit UnitOfMeasure(v1::Measure m) {
  switch (m) {
    case v1::MEASURE_MEETINGS_HELD:
    case v1::MEASURE_AGREEMENTS_IN_FORCE:
    case v1::MEASURE_INITIATIVES_COORDINATED:
      return v1::UNIT_COUNT;
    case v1::MEASURE_ATTENDANCE_AVERAGE:
    case v1::MEASURE_ATTENDANCE_EVERY_MEETING:
      return v1::UNIT_PERCENT;
    default:
      return v1::UNIT_UNSPECIFIED;
  }
}

// A value in `unit`: 0 ... 1000000, a percent at most 100; `min` is the
// lower bound (1 for a target, 0 for an entered value).
absl::Status CheckAmount(int64_t value, v1::Unit unit, int64_t min, const std::string& field) {
  const int64_t max = unit == v1::UNIT_PERCENT ? kMaxPercent : kMaxTarget;
  if (value < min || value > max) {
    return InvalidField(field, absl::StrCat("is ", value, "; must be ", min, "-", max,
                                            unit == v1::UNIT_PERCENT ? " (a percent)" : ""));
  }
  return absl::OkStatus();
}

absl::Status CheckBody(const std::string& body, const std::string& field) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                          platform::MatchName(body, "bodies/{body}", field));
  return platform::ValidateResourceId(parts[0], field);
}

absl::Status CheckGoal(const v1::Goal& goal, const std::string& path) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(goal.id(), path + ".id"));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(goal.kind(), v1::Goal::Kind_descriptor(), path + ".kind"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(goal.text(), path + ".text", platform::kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(goal.measure(), v1::Measure_descriptor(), path + ".measure"));
  if (IsMeetingsMeasure(goal.measure())) {
    if (goal.body().empty()) {
      return InvalidField(path + ".body", "required for a meetings measure (bodies/{body_id})");
    }
    ENAMND_RETURN_IF_ERROR(CheckBody(goal.body(), path + ".body"));
  } else if (!goal.body().empty()) {
    return InvalidField(path + ".body", "only a meetings measure names a body");
  }
  if (goal.unit() != v1::UNIT_UNSPECIFIED) {
    ENAMND_RETURN_IF_ERROR(
        platform::RequireEnumValue(goal.unit(), v1::Unit_descriptor(), path + ".unit"));
  }
  const v1::Unit required = UnitOfMeasure(goal.measure());
  if (required != v1::UNIT_UNSPECIFIED && goal.unit() != required) {
    return InvalidField(path + ".unit", absl::StrCat("must be ", v1::Unit_Name(required), " for ",
                                                     v1::Measure_Name(goal.measure())));
  }
  if (goal.unit() == v1::UNIT_UNSPECIFIED) {
    if (goal.target() != 0) {
      return InvalidField(path + ".target",
                          "must be 0 without a unit (a goal followed up in text)");
    }
    return absl::OkStatus();
  }
  return CheckAmount(goal.target(), goal.unit(), 1, path + ".target");
}

absl::Status CheckTextBlock(const v1::TextBlock& block, const std::string& path) {
  const int kinds = (block.text().empty() ? 0 : 1) + (block.bullets().empty() ? 0 : 1) +
                    (block.lines().empty() ? 0 : 1);
  if (kinds != 1) {
    return InvalidField(
        path, absl::StrCat("must have exactly one of text, bullets, lines (has ", kinds, ")"));
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(block.text(), path + ".text", platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(block.bullets_size(), path + ".bullets"));
  for (int i = 0; i < block.bullets_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        block.bullets(i), absl::StrCat(path, ".bullets[", i, "]"), platform::kMaxTextLength, true));
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(block.marker(), path + ".marker", 16, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(block.lines_size(), path + ".lines"));
  for (int i = 0; i < block.lines_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        block.lines(i), absl::StrCat(path, ".lines[", i, "]"), platform::kMaxTextLength, false));
  }
  return absl::OkStatus();
}

absl::Status CheckBlocks(const google::protobuf::RepeatedPtrField<v1::TextBlock>& blocks,
                         const std::string& path) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(blocks.size(), path));
  for (int i = 0; i < blocks.size(); ++i) {
    ENAMND_RETURN_IF_ERROR(CheckTextBlock(blocks[i], absl::StrCat(path, "[", i, "]")));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ evaluation helpers

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

std::string PercentText(int64_t part, int64_t whole) {
  return absl::StrCat(part, " av ", whole, " (", RoundedPercent(part, whole), " %)");
}

std::string TargetText(const v1::Goal& goal) {
  return goal.unit() == v1::UNIT_PERCENT ? absl::StrCat(goal.target(), " %")
                                         : absl::StrCat(goal.target());
}

// "1 hållet", "6 hållna".
std::string Counted(int64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

// "a", "a och b", "a, b och c".
std::string Enumerate(const std::vector<std::string>& items) {
  if (items.size() <= 1) return absl::StrJoin(items, "");
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "), " och ", items.back());
}

// "//meetings/bodies/e-namnden/meetings/2022-03-16".
std::string MeetingSource(const MeetingFact& m) { return absl::StrCat("//meetings/", m.name); }

class Evaluation {
 public:
  Evaluation(const v1::Goal& goal, const v1::GoalFollowUp* follow_up, const PlanFacts& facts,
             const FollowUpWindow& window)
      : goal_(goal), facts_(facts), window_(window) {
    *report_.mutable_goal() = goal;
    if (follow_up != nullptr) *report_.mutable_follow_up() = *follow_up;
    year_end_ = window.as_of >= absl::CivilDay(window.year, 12, 31);
  }

  v1::GoalReport Run(const v1::GoalFollowUp* follow_up) {
    switch (goal_.measure()) {
      case v1::MEASURE_MEETINGS_HELD:
        if (const BodyFacts* body = Body("Sammanträden hållna")) MeetingsHeld(*body);
        break;
      case v1::MEASURE_ATTENDANCE_AVERAGE:
        if (const BodyFacts* body = Body("Närvaro")) AttendanceAverage(*body);
        break;
      case v1::MEASURE_ATTENDANCE_EVERY_MEETING:
        if (const BodyFacts* body = Body("Lägsta närvaro")) AttendanceEveryMeeting(*body);
        break;
      case v1::MEASURE_AGREEMENTS_IN_FORCE:
        if (facts_.agreements.has_value()) {
          AgreementsInForce(*facts_.agreements);
        } else {
          Missing("Avtal i kraft", "contracts", "//contracts/agreements");
        }
        break;
      case v1::MEASURE_INITIATIVES_COORDINATED:
        if (facts_.initiatives.has_value()) {
          InitiativesCoordinated(*facts_.initiatives);
        } else {
          Missing("Initiativ under arbete", "projects", "//projects/initiatives");
        }
        break;
      case v1::MEASURE_MANUAL:
        Manual(follow_up);
        break;
      default:
        Outcome(v1::OUTLOOK_UNSPECIFIED, "Målet saknar mätsätt");
        break;
    }
    return std::move(report_);
  }

 private:
  // The body's facts, or nullptr after marking the main figure missing.
  const BodyFacts* Body(absl::string_view label) {
    auto it = facts_.bodies.find(goal_.body());
    if (it != facts_.bodies.end()) return &it->second;
    Missing(label, "meetings", absl::StrCat("//meetings/", goal_.body()));
    return nullptr;
  }

  google::protobuf::Timestamp ReadTime(const std::string& service) const {
    auto it = facts_.sources.find(service);
    return it == facts_.sources.end() ? google::protobuf::Timestamp()
                                      : ToTimestamp(it->second.read_time);
  }

  v1::GoalFigure* Figure(absl::string_view label, int64_t value, v1::Unit unit,
                         absl::string_view source, const std::string& service) {
    v1::GoalFigure* f = report_.add_figures();
    f->set_label(std::string(label));
    f->set_value(value);
    f->set_unit(unit);
    f->set_source(std::string(source));
    if (!service.empty()) *f->mutable_read_time() = ReadTime(service);
    return f;
  }

  v1::GoalFigure* PercentFigure(absl::string_view label, int64_t part, int64_t whole,
                                absl::string_view source, const std::string& service) {
    v1::GoalFigure* f = Figure(label, part, v1::UNIT_PERCENT, source, service);
    f->set_denominator(whole);
    f->set_percent(RoundedPercent(part, whole));
    return f;
  }

  void Missing(absl::string_view label, const std::string& service, absl::string_view source) {
    auto it = facts_.sources.find(service);
    std::string why = it == facts_.sources.end() || it->second.error.empty()
                          ? absl::StrCat(service, ": ej läst")
                          : absl::StrCat(service, ": ", it->second.error);
    v1::GoalFigure* f = report_.add_figures();
    f->set_label(std::string(label));
    f->set_unit(goal_.unit());
    f->set_source(std::string(source));
    f->set_missing(true);
    f->set_missing_reason(why);
    Outcome(v1::OUTLOOK_UNSPECIFIED, absl::StrCat("Uppgiften kunde inte hämtas: ", why));
  }

  void Outcome(v1::Outlook outlook, std::string reason) {
    report_.set_computed_outlook(outlook);
    report_.set_computed_reason(std::move(reason));
  }

  // Under the target: at risk before the year end, will not be met then.
  v1::Outlook ShortOfTarget() const {
    return year_end_ ? v1::OUTLOOK_WILL_NOT_BE_MET : v1::OUTLOOK_AT_RISK;
  }

  bool InYear(absl::CivilDay day) const { return day.year() == window_.year; }

  // Meetings of the year planned (not cancelled) after the as-of day.
  std::vector<const MeetingFact*> ToCome(const BodyFacts& body) const {
    std::vector<const MeetingFact*> out;
    for (const MeetingFact& m : body.meetings) {
      if (InYear(m.date) && m.date > window_.as_of && m.state != MeetingFact::State::kCancelled) {
        out.push_back(&m);
      }
    }
    return out;
  }

  // Held meetings of the year on or before the as-of day.
  std::vector<const MeetingFact*> Held(const BodyFacts& body) const {
    std::vector<const MeetingFact*> out;
    for (const MeetingFact& m : body.meetings) {
      if (InYear(m.date) && m.date <= window_.as_of && m.state == MeetingFact::State::kHeld) {
        out.push_back(&m);
      }
    }
    return out;
  }

  void MeetingsHeld(const BodyFacts& body) {
    const std::string source = absl::StrCat("//meetings/", body.body);
    const std::vector<const MeetingFact*> held = Held(body);
    const std::vector<const MeetingFact*> to_come = ToCome(body);
    const int64_t n_held = static_cast<int64_t>(held.size());
    const int64_t n_to_come = static_cast<int64_t>(to_come.size());
    Figure("Sammanträden hållna", n_held, v1::UNIT_COUNT, source, "meetings");
    Figure("Sammanträden planerade", n_to_come, v1::UNIT_COUNT, source, "meetings");
    for (const MeetingFact* m : held) {
      Figure(absl::StrCat("Hållet ", DayText(m->date)), 1, v1::UNIT_COUNT, MeetingSource(*m),
             "meetings");
    }
    for (const MeetingFact* m : to_come) {
      Figure(absl::StrCat("Planerat ", DayText(m->date)), 1, v1::UNIT_COUNT, MeetingSource(*m),
             "meetings");
    }
    const std::string counts =
        absl::StrCat(Counted(n_held, "hållet", "hållna"), " och ",
                     Counted(n_to_come, "planerat", "planerade"), ": ", n_held + n_to_come);
    // Planned on or before the as-of day but not recorded as held: neither
    // held nor to come; named so the figure can be checked.
    std::vector<std::string> unrecorded;
    for (const MeetingFact& m : body.meetings) {
      if (InYear(m.date) && m.date <= window_.as_of && m.state == MeetingFact::State::kPlanned) {
        unrecorded.push_back(DayText(m.date));
      }
    }
    const std::string note =
        unrecorded.empty() ? ""
                           : absl::StrCat("; ej registrerat som hållet: ", Enumerate(unrecorded));
    if (n_held >= goal_.target()) {
      Outcome(v1::OUTLOOK_WILL_BE_MET, absl::StrCat(Counted(n_held, "hållet", "hållna"),
                                                    ", målet är ", goal_.target(), note));
    } else if (n_held + n_to_come >= goal_.target()) {
      Outcome(v1::OUTLOOK_WILL_BE_MET, absl::StrCat(counts, ", målet är ", goal_.target(), note));
    } else {
      Outcome(ShortOfTarget(), absl::StrCat(counts, ", under målet ", goal_.target(), note));
    }
  }

  // Held meetings without recorded attendance, named for the reason.
  static std::string WithoutAttendance(const std::vector<const MeetingFact*>& held) {
    std::vector<std::string> days;
    for (const MeetingFact* m : held) {
      if (!m->attendance_recorded) days.push_back(DayText(m->date));
    }
    if (days.empty()) return "";
    return absl::StrCat("; närvaro ej registrerad för ", Enumerate(days));
  }

  // Per held meeting with attendance, one figure.
  void AttendanceFigures(const BodyFacts& body, const std::vector<const MeetingFact*>& held) {
    for (const MeetingFact* m : held) {
      if (!m->attendance_recorded) continue;
      PercentFigure(absl::StrCat("Närvaro ", DayText(m->date)), m->present, body.seats,
                    MeetingSource(*m), "meetings");
    }
  }

  // Why attendance cannot be judged: no seats known, or no meeting.
  static std::string NoAttendance(const BodyFacts& body, const std::string& missing) {
    if (body.seats <= 0) return absl::StrCat("Antalet platser i ", body.body, " är okänt");
    return absl::StrCat("Inget hållet sammanträde med registrerad närvaro", missing);
  }

  // Judged on the percent the report shows (rounded half up), so that a
  // figure printed as "75 %" never reads as under a target of 75 %.
  bool AtTarget(int64_t part, int64_t whole) const {
    return whole > 0 && RoundedPercent(part, whole) >= goal_.target();
  }

  void AttendanceAverage(const BodyFacts& body) {
    const std::string source = absl::StrCat("//meetings/", body.body);
    const std::vector<const MeetingFact*> held = Held(body);
    int64_t n = 0;
    int64_t present = 0;
    for (const MeetingFact* m : held) {
      if (!m->attendance_recorded) continue;
      ++n;
      present += m->present;
    }
    const int64_t whole = n * body.seats;
    PercentFigure("Närvaro", present, whole, source, "meetings");
    AttendanceFigures(body, held);
    const std::string missing = WithoutAttendance(held);
    if (whole == 0) {
      Outcome(v1::OUTLOOK_UNSPECIFIED, NoAttendance(body, missing));
      return;
    }
    const std::string figure = PercentText(present, whole);
    if (AtTarget(present, whole)) {
      Outcome(v1::OUTLOOK_WILL_BE_MET,
              absl::StrCat(figure, " når målet ", TargetText(goal_), missing));
      return;
    }
    const int64_t to_come = static_cast<int64_t>(ToCome(body).size());
    if (to_come > 0) {
      Outcome(v1::OUTLOOK_AT_RISK,
              absl::StrCat(figure, " är under målet ", TargetText(goal_), "; ",
                           Counted(to_come, "sammanträde planerat", "sammanträden planerade"),
                           missing));
    } else {
      Outcome(v1::OUTLOOK_WILL_NOT_BE_MET,
              absl::StrCat(figure, " är under målet ", TargetText(goal_),
                           "; inga fler sammanträden planerade", missing));
    }
  }

  void AttendanceEveryMeeting(const BodyFacts& body) {
    const std::vector<const MeetingFact*> held = Held(body);
    std::vector<const MeetingFact*> counted;
    for (const MeetingFact* m : held) {
      if (m->attendance_recorded) counted.push_back(m);
    }
    const std::string missing = WithoutAttendance(held);
    if (counted.empty() || body.seats <= 0) {
      Figure("Lägsta närvaro", 0, v1::UNIT_PERCENT, absl::StrCat("//meetings/", body.body),
             "meetings");
      Outcome(v1::OUTLOOK_UNSPECIFIED, NoAttendance(body, missing));
      return;
    }
    const MeetingFact* lowest = counted.front();
    for (const MeetingFact* m : counted) {
      if (m->present < lowest->present) lowest = m;
    }
    PercentFigure("Lägsta närvaro", lowest->present, body.seats, MeetingSource(*lowest),
                  "meetings");
    AttendanceFigures(body, held);
    std::vector<std::string> under;
    for (const MeetingFact* m : counted) {
      if (!AtTarget(m->present, body.seats)) {
        under.push_back(absl::StrCat(DayText(m->date), " ", PercentText(m->present, body.seats)));
      }
    }
    if (under.empty()) {
      Outcome(v1::OUTLOOK_WILL_BE_MET,
              absl::StrCat("Alla ", counted.size(), " sammanträden når målet ", TargetText(goal_),
                           "; lägst ", PercentText(lowest->present, body.seats), missing));
    } else {
      Outcome(v1::OUTLOOK_WILL_NOT_BE_MET,
              absl::StrCat("Under målet ", TargetText(goal_), ": ", Enumerate(under), missing));
    }
  }

  void AgreementsInForce(const std::vector<AgreementFact>& agreements) {
    int64_t in_force = 0;
    int64_t follow_ups = 0;
    std::vector<const AgreementFact*> overdue;
    for (const AgreementFact& a : agreements) {
      for (absl::CivilDay d : a.follow_up_days) {
        if (InYear(d) && d <= window_.as_of) ++follow_ups;
      }
      if (!a.in_force) continue;
      ++in_force;
      if (a.next_follow_up.has_value() && *a.next_follow_up < window_.as_of) overdue.push_back(&a);
    }
    const std::string source = "//contracts/agreements";
    Figure("Avtal i kraft", in_force, v1::UNIT_COUNT, source, "contracts");
    Figure("Uppföljningar registrerade", follow_ups, v1::UNIT_COUNT, source, "contracts");
    Figure("Avtal med försenad uppföljning", static_cast<int64_t>(overdue.size()), v1::UNIT_COUNT,
           source, "contracts");
    std::vector<std::string> late;
    for (const AgreementFact* a : overdue) {
      if (!window_.name_agreements) break;
      const std::string what = a->title.empty() ? a->name : a->title;
      Figure(absl::StrCat("Försenad uppföljning: ", what, " (", DayText(*a->next_follow_up), ")"),
             1, v1::UNIT_COUNT, absl::StrCat("//contracts/", a->name), "contracts");
      late.push_back(what);
    }
    std::string reason = absl::StrCat(in_force, " avtal i kraft, målet är ", goal_.target(), "; ",
                                      Counted(follow_ups, "uppföljning", "uppföljningar"),
                                      " registrerade under ", window_.year);
    if (!late.empty()) {
      absl::StrAppend(&reason, "; försenad uppföljning: ", Enumerate(late));
    } else if (!overdue.empty()) {
      absl::StrAppend(&reason, "; ",
                      Counted(static_cast<int64_t>(overdue.size()), "avtal", "avtal"),
                      " med försenad uppföljning");
    }
    if (in_force >= goal_.target() && overdue.empty()) {
      Outcome(v1::OUTLOOK_WILL_BE_MET, reason);
    } else if (in_force < goal_.target()) {
      Outcome(ShortOfTarget(), reason);
    } else {
      Outcome(v1::OUTLOOK_AT_RISK, reason);
    }
  }

  // Under way on some day from Jan 1 to the as-of day.
  bool UnderWayInWindow(const InitiativeFact& initiative) const {
    const absl::CivilDay first(window_.year, 1, 1);
    bool on_first = false;
    for (const InitiativeFact::Step& s : initiative.steps) {
      if (s.day <= first) {
        on_first = s.under_way;  // the state in effect on Jan 1
      } else if (s.day <= window_.as_of && s.under_way) {
        return true;
      }
    }
    return on_first;
  }

  void InitiativesCoordinated(const std::vector<InitiativeFact>& initiatives) {
    std::vector<const InitiativeFact*> counted;
    for (const InitiativeFact& i : initiatives) {
      if (UnderWayInWindow(i)) counted.push_back(&i);
    }
    const int64_t n = static_cast<int64_t>(counted.size());
    Figure("Initiativ under arbete", n, v1::UNIT_COUNT, "//projects/initiatives", "projects");
    for (const InitiativeFact* i : counted) {
      Figure(i->title.empty() ? i->name : i->title, 1, v1::UNIT_COUNT,
             absl::StrCat("//projects/", i->name), "projects");
    }
    const std::string reason =
        absl::StrCat(n, " initiativ under arbete från ", window_.year, "-01-01 till ",
                     DayText(window_.as_of), ", målet är ", goal_.target());
    Outcome(n >= goal_.target() ? v1::OUTLOOK_WILL_BE_MET : ShortOfTarget(), reason);
  }

  void Manual(const v1::GoalFollowUp* follow_up) {
    if (goal_.unit() == v1::UNIT_UNSPECIFIED) {
      Outcome(v1::OUTLOOK_UNSPECIFIED, "Målet följs upp i text: anges i kommentaren");
      return;
    }
    if (follow_up == nullptr || !follow_up->has_value()) {
      Outcome(v1::OUTLOOK_UNSPECIFIED, "Inget värde angivet: anges i kommentaren");
      return;
    }
    const int64_t value = follow_up->value();
    v1::GoalFigure* f = Figure("Angivet värde", value, goal_.unit(), window_.follow_up, "");
    if (goal_.unit() == v1::UNIT_PERCENT) f->set_percent(value);
    const std::string text =
        goal_.unit() == v1::UNIT_PERCENT ? absl::StrCat(value, " %") : absl::StrCat(value);
    if (value >= goal_.target()) {
      Outcome(v1::OUTLOOK_WILL_BE_MET,
              absl::StrCat("Angivet värde ", text, ", målet är ", TargetText(goal_)));
    } else {
      Outcome(ShortOfTarget(),
              absl::StrCat("Angivet värde ", text, " är under målet ", TargetText(goal_)));
    }
  }

  const v1::Goal& goal_;
  const PlanFacts& facts_;
  const FollowUpWindow& window_;
  bool year_end_ = false;
  v1::GoalReport report_;
};

}  // namespace

// ------------------------------------------------------------ content

absl::Status ValidatePlanContent(const v1::Plan& plan, absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(plan.title(), f + ".title", platform::kMaxTitleLength, true));
  if (plan.goals().empty() || plan.goals_size() > kMaxGoals) {
    return InvalidField(f + ".goals",
                        absl::StrCat("has ", plan.goals_size(), " goals; must be 1-", kMaxGoals));
  }
  std::map<std::string, int> ids;
  for (int i = 0; i < plan.goals_size(); ++i) {
    const std::string path = absl::StrCat(f, ".goals[", i, "]");
    const v1::Goal& goal = plan.goals(i);
    ENAMND_RETURN_IF_ERROR(CheckGoal(goal, path));
    auto [it, inserted] = ids.emplace(goal.id(), i);
    if (!inserted) {
      return InvalidField(path + ".id", absl::StrCat("\"", goal.id(), "\" is the id of goals[",
                                                     it->second, "] too"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFollowUpContent(const v1::PlanFollowUp& follow_up, const v1::Plan& plan,
                                     absl::string_view field) {
  const std::string f(field);
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(follow_up.title(), f + ".title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(follow_up.as_of_date(), f + ".as_of_date", false));
  ENAMND_RETURN_IF_ERROR(CheckBlocks(follow_up.summary(), f + ".summary"));
  std::map<std::string, const v1::Goal*> goals;
  for (const v1::Goal& g : plan.goals()) goals.emplace(g.id(), &g);
  std::map<std::string, int> seen;
  for (int i = 0; i < follow_up.goals_size(); ++i) {
    const v1::GoalFollowUp& g = follow_up.goals(i);
    const std::string path = absl::StrCat(f, ".goals[", i, "]");
    auto goal = goals.find(g.goal());
    if (g.goal().empty()) return InvalidField(path + ".goal", "required: a goal id of the plan");
    if (goal == goals.end()) {
      return InvalidField(path + ".goal",
                          absl::StrCat("\"", g.goal(), "\" is not a goal of ",
                                       plan.name().empty() ? "the plan" : plan.name()));
    }
    auto [it, inserted] = seen.emplace(g.goal(), i);
    if (!inserted) {
      return InvalidField(
          path + ".goal",
          absl::StrCat("\"", g.goal(), "\" is followed up in goals[", it->second, "] already"));
    }
    if (g.has_value()) {
      const v1::Goal& plan_goal = *goal->second;
      if (plan_goal.measure() != v1::MEASURE_MANUAL) {
        return InvalidField(
            path + ".value",
            absl::StrCat("\"", g.goal(), "\" is computed (", v1::Measure_Name(plan_goal.measure()),
                         "); only a MEASURE_MANUAL goal takes a value"));
      }
      if (plan_goal.unit() == v1::UNIT_UNSPECIFIED) {
        return InvalidField(path + ".value", absl::StrCat("\"", g.goal(),
                                                          "\" has no unit; it is followed up in "
                                                          "text only"));
      }
      ENAMND_RETURN_IF_ERROR(CheckAmount(g.value(), plan_goal.unit(), 0, path + ".value"));
    }
    ENAMND_RETURN_IF_ERROR(CheckBlocks(g.comment(), path + ".comment"));
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(g.forecast_text(), path + ".forecast_text",
                                                  platform::kMaxTextLength, false));
    if (g.forecast() != v1::OUTLOOK_UNSPECIFIED) {
      ENAMND_RETURN_IF_ERROR(
          platform::RequireEnumValue(g.forecast(), v1::Outlook_descriptor(), path + ".forecast"));
    }
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(follow_up.outcome_notes_size(), f + ".outcome_notes"));
  for (int i = 0; i < follow_up.outcome_notes_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(follow_up.outcome_notes(i),
                                                  absl::StrCat(f, ".outcome_notes[", i, "]"),
                                                  platform::kMaxTextLength, true));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> AsOfDay(int year, int through_month,
                                       const std::optional<absl::CivilDay>& as_of,
                                       absl::CivilDay today, absl::string_view field) {
  if (through_month < 1 || through_month > 12) {
    return InvalidField("through_month", absl::StrCat("is ", through_month, "; must be 1-12"));
  }
  const absl::CivilDay last =
      absl::CivilDay(absl::CivilMonth(year, through_month) + 1) - 1;  // the month's last day
  if (as_of.has_value()) {
    if (*as_of < last) {
      return InvalidField(field, absl::StrCat(DayText(*as_of), " is before the end of month ",
                                              through_month, " (", DayText(last), ")"));
    }
    if (*as_of > today) {
      return InvalidField(field, absl::StrCat(DayText(*as_of), " is in the future (today is ",
                                              DayText(today), ")"));
    }
    return *as_of;
  }
  if (last > today) {
    return InvalidField(
        "through_month",
        absl::StrCat("month ", through_month, " of ", year, " has not ended: its last day ",
                     DayText(last), " is after today ", DayText(today)));
  }
  return last;
}

FactNeeds NeedsOf(const v1::Plan& plan, absl::CivilDay as_of) {
  FactNeeds needs;
  needs.year = plan.year();
  needs.as_of = as_of;
  for (const v1::Goal& goal : plan.goals()) {
    if (IsMeetingsMeasure(goal.measure())) {
      if (!goal.body().empty()) needs.bodies.insert(goal.body());
    } else if (goal.measure() == v1::MEASURE_AGREEMENTS_IN_FORCE) {
      needs.agreements = true;
    } else if (goal.measure() == v1::MEASURE_INITIATIVES_COORDINATED) {
      needs.initiatives = true;
    }
  }
  return needs;
}

// ------------------------------------------------------------ evaluation

int64_t RoundedPercent(int64_t part, int64_t whole) {
  if (whole == 0) return 0;
  // Half up: floor((200 * part + whole) / (2 * whole)) for non-negative
  // figures (the only ones counted).
  return (200 * part + whole) / (2 * whole);
}

v1::GoalReport EvaluateGoal(const v1::Goal& goal, const v1::GoalFollowUp* follow_up,
                            const PlanFacts& facts, const FollowUpWindow& window) {
  return Evaluation(goal, follow_up, facts, window).Run(follow_up);
}

std::string OutlookText(v1::Outlook outlook) {
  switch (outlook) {
    case v1::OUTLOOK_WILL_BE_MET:
      return "kommer att nås";
    case v1::OUTLOOK_AT_RISK:
      return "risk att det inte nås";
    case v1::OUTLOOK_WILL_NOT_BE_MET:
      return "kommer inte att nås";
    default:
      return "kan inte bedömas";
  }
}

}  // namespace enamnd::finance
