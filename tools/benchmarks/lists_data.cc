#include "tools/benchmarks/lists_data.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"

namespace enamnd::bench {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
namespace av1 = ::enamnd::audits::v1;
namespace cv1 = ::enamnd::common::v1;

struct Member {
  const char* code;
  const char* name;
};
// Norrbotten's fourteen municipalities, the members of the e-nämnd.
constexpr std::array<Member, 14> kMembers = {{{"2505", "Arvidsjaur"},
                                              {"2506", "Arjeplog"},
                                              {"2510", "Jokkmokk"},
                                              {"2513", "Överkalix"},
                                              {"2514", "Kalix"},
                                              {"2518", "Övertorneå"},
                                              {"2521", "Pajala"},
                                              {"2523", "Gällivare"},
                                              {"2560", "Älvsbyn"},
                                              {"2580", "Luleå"},
                                              {"2581", "Piteå"},
                                              {"2582", "Boden"},
                                              {"2583", "Haparanda"},
                                              {"2584", "Kiruna"}}};
constexpr std::array<mv1::DecisionKind, 6> kKinds = {
    mv1::DECISION_KIND_APPROVE, mv1::DECISION_KIND_NOTE_AND_FILE, mv1::DECISION_KIND_ADOPT,
    mv1::DECISION_KIND_REJECT,  mv1::DECISION_KIND_REFER_BACK,    mv1::DECISION_KIND_POSTPONE};
constexpr int kMeetingsPerYear = 24;  // the 1st and the 15th of every month
constexpr int kLastYear = 2025;       // bulk meetings lie in the past
constexpr int kReviewYears = 26;      // reviews of 2000-2025
constexpr int kFixedParagraphs = 9;
constexpr int kControlPoints = 40;
constexpr char kBodyIdPrefix[] = "bench-lists-";
constexpr char kSentinelReview[] = "reviews/1999-2584";
constexpr char kChair[] = "Ledamot Kiruna";
constexpr char kAdjuster[] = "Ledamot Luleå";
constexpr char kSummary[] =
    "Ärendet har beretts av beredningsgruppen. Förvaltningen redogör för "
    "läget, de ekonomiska konsekvenserna och hur medlemskommunerna berörs. "
    "Underlaget har skickats ut med kallelsen.";

std::string Municipality(int i) { return absl::StrCat("municipalities/", kMembers[i].code); }

cv1::Date ToDate(absl::CivilDay day) {
  cv1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

cv1::Date MakeDate(int year, int month, int day) {
  return ToDate(absl::CivilDay(year, month, day));
}

// One call with a deadline, retried (with the same request, so the same
// request_id) while the service is unavailable or busy. Counts a success in
// `writes` if given.
template <typename Stub, typename Request, typename Response>
absl::Status Unary(Stub* stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                   const Request& request, Response* response, absl::Duration timeout,
                   absl::string_view what, std::atomic<int>* writes = nullptr) {
  grpc::Status status;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    ctx.set_wait_for_ready(true);
    status = (stub->*method)(&ctx, request, response);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(200 * attempt));
  }
  if (status.ok()) {
    if (writes != nullptr) ++*writes;
    return absl::OkStatus();
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// Runs task(i) for i in [from, to) on `clients` threads; the first error
// stops the others.
absl::Status RunPool(int from, int to, int clients, const std::function<absl::Status(int)>& task) {
  std::atomic<int> next{from};
  absl::Mutex mutex;
  absl::Status first_error;
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, clients); ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < to; i = next++) {
        absl::Status status = task(i);
        if (status.ok()) continue;
        absl::MutexLock lock(&mutex);
        if (first_error.ok()) first_error = status;
        next = to;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return first_error;
}

void AddAllMembers(mv1::Paragraph* p) {
  for (size_t i = 0; i < kMembers.size(); ++i) {
    p->add_recipients()->set_municipality(Municipality(static_cast<int>(i)));
  }
}

}  // namespace

DataSet::DataSet(DataShape shape, mv1::MeetingsService::Stub* meetings,
                 av1::AuditsService::Stub* audits)
    : shape_(std::move(shape)), meetings_(meetings), audits_(audits) {
  const int per = std::max(1, shape_.paragraphs_per_meeting);
  const int meetings_needed = (shape_.largest_stage + per - 1) / per;
  const int years = (meetings_needed + kMeetingsPerYear - 1) / kMeetingsPerYear;
  base_year_ = kLastYear - std::max(1, years) + 1;
  names_.body = absl::StrCat("bodies/", kBodyIdPrefix, shape_.tag);
  names_.first_year = base_year_;
  names_.first_meeting = absl::StrCat(names_.body, "/meetings/", base_year_, "-01-01");
  names_.adjusted_meeting = names_.first_meeting;  // every tenth from the first
  names_.fixed_meeting = names_.body + "/meetings/2022-06-22";
  names_.first_case = absl::StrCat("cases/", base_year_, "-1000");
  names_.sentinel_subject = absl::StrCat("//audits/", kSentinelReview);
  names_.first_review = "reviews/2000-1000";
  names_.review_year = "2021";
  names_.plan = "control-plans/2024";
}

absl::Status DataSet::Setup() {
  if (base_year_ < 1900) {
    return absl::InvalidArgumentError(
        "too many meetings for the years 1900-2025: raise --paragraphs_per_meeting");
  }
  absl::Status s = SetupMeetings();
  return s.ok() ? SetupAudits() : s;
}

absl::Status DataSet::SetupMeetings() {
  const absl::Duration timeout = shape_.call_timeout;
  for (size_t i = 0; i < kMembers.size(); ++i) {
    mv1::CreateMunicipalityRequest m;
    m.set_municipality_id(kMembers[i].code);
    m.mutable_municipality()->set_display_name(kMembers[i].name);
    mv1::Municipality out;
    absl::Status s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateMunicipality, m, &out,
                           timeout, "CreateMunicipality");
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;  // a service that has them is fine
  }
  mv1::CreateBodyRequest b;
  b.set_body_id(absl::StrCat(kBodyIdPrefix, shape_.tag));
  b.set_request_id(absl::StrCat("lists-", shape_.tag, "-body"));
  b.mutable_body()->set_display_name("E-nämnden (benchmark)");
  b.mutable_body()->set_kind(mv1::Body::KIND_COMMITTEE);
  for (size_t i = 0; i < kMembers.size(); ++i) {
    auto* seat = b.mutable_body()->add_seats();
    seat->set_municipality(Municipality(static_cast<int>(i)));
    seat->mutable_member()->set_display_name(absl::StrCat("Ledamot ", kMembers[i].name));
    seat->mutable_substitute()->set_display_name(absl::StrCat("Ersättare ", kMembers[i].name));
  }
  mv1::Body body;
  absl::Status s =
      Unary(meetings_, &mv1::MeetingsService::Stub::CreateBody, b, &body, timeout, "CreateBody");
  if (!s.ok()) return s;

  // The fixed meeting: § 8-16 of 2022-06-22, each sent to every member.
  mv1::StartParagraphSeriesRequest series;
  series.set_body(names_.body);
  series.set_year(2022);
  series.set_next_number(8);
  mv1::ParagraphSeries series_out;
  s = Unary(meetings_, &mv1::MeetingsService::Stub::StartParagraphSeries, series, &series_out,
            timeout, "StartParagraphSeries");
  if (!s.ok()) return s;
  mv1::Meeting meeting;
  s = HoldMeeting("2022-06-22", absl::CivilDay(2022, 6, 22), -1, "fixed-meeting", &meeting);
  if (!s.ok()) return s;
  for (int i = 0; i < kFixedParagraphs; ++i) {
    mv1::CreateCaseRequest c;
    c.mutable_case_()->set_case_number(absl::StrCat("2022/", i + 1, "-2.2.0.1"));
    c.mutable_case_()->set_title(absl::StrCat("Ärende ", i + 1, " av sammanträdet 2022-06-22"));
    c.set_request_id(absl::StrCat("lists-", shape_.tag, "-fixed-case-", i));
    mv1::Case created;
    s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateCase, c, &created, timeout,
              "CreateCase");
    if (!s.ok()) return s;
    mv1::RecordDecisionRequest r;
    r.set_parent(names_.fixed_meeting);
    r.set_request_id(absl::StrCat("lists-", shape_.tag, "-fixed-", i));
    r.mutable_paragraph()->set_case_(created.name());
    r.mutable_paragraph()->mutable_decision()->set_kind(kKinds[i % kKinds.size()]);
    r.mutable_paragraph()->mutable_decision()->set_text(
        "E-nämnden beslutar att lägga informationen till handlingarna.");
    r.mutable_paragraph()->set_summary(kSummary);
    AddAllMembers(r.mutable_paragraph());
    mv1::Paragraph p;
    s = Unary(meetings_, &mv1::MeetingsService::Stub::RecordDecision, r, &p, timeout,
              "RecordDecision");
    if (!s.ok()) return s;
    ++loaded_.paragraphs;
  }

  // The sentinel: a meeting and a case about a review of its own.
  s = HoldMeeting("sentinel", absl::CivilDay(1999, 12, 20), -1, "sentinel-meeting", &meeting);
  if (!s.ok()) return s;
  mv1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number("1999/900-1.2");
  c.mutable_case_()->set_title("Granskning 1999 (benchmark sentinel)");
  c.mutable_case_()->set_subject(names_.sentinel_subject);
  c.set_request_id(absl::StrCat("lists-", shape_.tag, "-sentinel-case"));
  mv1::Case sentinel_case;
  s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateCase, c, &sentinel_case, timeout,
            "CreateCase");
  if (!s.ok()) return s;
  return absl::OkStatus();
}

absl::Status DataSet::SetupAudits() {
  const absl::Duration timeout = shape_.call_timeout;
  av1::CreateReviewRequest review;
  review.mutable_review()->set_year(1999);
  review.mutable_review()->add_auditing_municipalities("municipalities/2584");
  review.mutable_review()->set_kind(av1::Review::KIND_BASIC);
  review.mutable_review()->set_title("Granskning 1999 (benchmark sentinel)");
  av1::Review created_review;
  absl::Status s =
      Unary(audits_, &av1::AuditsService::Stub::CreateReview, review, &created_review, timeout,
            "CreateReview (the audits service must be empty: use tools/benchmarks/list-scaling)");
  if (!s.ok()) return s;

  // A reporting wheel of 2024 (four moments still unreported, so overdue)
  // and its control plan.
  struct Moment {
    const char* id;
    av1::ReportingMoment::Kind kind;
    const char* title;
    int month;
    bool reported;
  };
  const Moment moments[] = {
      {"granskning", av1::ReportingMoment::KIND_REVIEW, "Revisorernas granskning", 4, true},
      {"tertial-1", av1::ReportingMoment::KIND_INTERIM_REPORT, "Tertialrapport 1", 5, true},
      {"ik-1", av1::ReportingMoment::KIND_INTERNAL_CONTROL_FOLLOW_UP, "Intern kontroll 1", 6, true},
      {"ovrigt", av1::ReportingMoment::KIND_OTHER, "Övrig rapport", 9, false},
      {"delar-2", av1::ReportingMoment::KIND_INTERIM_REPORT, "Delårsrapport 2", 10, false},
      {"vp-budget", av1::ReportingMoment::KIND_PLAN_AND_BUDGET, "Verksamhetsplan och budget", 11,
       true},
      {"ik-2", av1::ReportingMoment::KIND_INTERNAL_CONTROL_FOLLOW_UP, "Intern kontroll 2", 12,
       false},
      {"arsredovisning", av1::ReportingMoment::KIND_ANNUAL_REPORT, "Årsredovisning", 2, false},
  };
  av1::CreateReportingYearRequest wheel;
  wheel.mutable_reporting_year()->set_year(2024);
  for (const Moment& m : moments) {
    auto* moment = wheel.mutable_reporting_year()->add_moments();
    moment->set_name(m.id);
    moment->set_kind(m.kind);
    moment->set_title(m.title);
    *moment->mutable_due_date() = MakeDate(m.month == 2 ? 2025 : 2024, m.month, 28);
    if (m.reported) *moment->mutable_reported_date() = MakeDate(2024, m.month, 20);
  }
  av1::ReportingYear wheel_out;
  s = Unary(audits_, &av1::AuditsService::Stub::CreateReportingYear, wheel, &wheel_out, timeout,
            "CreateReportingYear");
  if (!s.ok()) return s;
  av1::CreateControlPlanRequest plan;
  plan.mutable_plan()->set_year(2024);
  plan.mutable_plan()->set_title("Internkontrollplan 2024");
  plan.mutable_plan()->set_reporting_year("reporting-years/2024");
  av1::ControlPlan plan_out;
  s = Unary(audits_, &av1::AuditsService::Stub::CreateControlPlan, plan, &plan_out, timeout,
            "CreateControlPlan");
  if (!s.ok()) return s;
  for (int i = 0; i < kControlPoints; ++i) {
    av1::CreateControlPointRequest p;
    p.set_plan(names_.plan);
    p.set_point_id(absl::StrCat("kontroll-", i + 1));
    p.mutable_point()->set_process(i % 2 == 0 ? "Attest" : "Upphandling");
    p.mutable_point()->set_risk_value(i % 26);
    p.mutable_point()->set_what_is_checked("Att rutinen följs");
    p.mutable_point()->set_responsible("Förbundschef");
    p.mutable_point()->set_reporting_moment(i % 2 == 0 ? "reporting-years/2024/moments/ik-1"
                                                       : "reporting-years/2024/moments/ik-2");
    if (i % 4 == 0) {
      auto* f = p.mutable_point()->add_follow_ups();
      *f->mutable_date() = MakeDate(2024, 6, 15);
      f->set_outcome(av1::ControlFollowUp::OUTCOME_NO_DEVIATION);
      f->set_followed_up_by("Controller");
    }
    av1::ControlPoint out;
    s = Unary(audits_, &av1::AuditsService::Stub::CreateControlPoint, p, &out, timeout,
              "CreateControlPoint");
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DataSet::HoldMeeting(const std::string& meeting_id, absl::CivilDay day, int absent,
                                  const std::string& request_id, mv1::Meeting* meeting) {
  mv1::CreateMeetingRequest m;
  m.set_parent(names_.body);
  m.set_meeting_id(meeting_id);
  *m.mutable_meeting()->mutable_date() = ToDate(day);
  m.mutable_meeting()->mutable_start_time()->set_hours(9);
  m.mutable_meeting()->mutable_end_time()->set_hours(12);
  m.mutable_meeting()->set_location("Kiruna stadshus");
  m.set_request_id(absl::StrCat("lists-", shape_.tag, "-", request_id));
  absl::Status s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateMeeting, m, meeting,
                         shape_.call_timeout, "CreateMeeting");
  if (!s.ok()) return s;
  mv1::RecordAttendanceRequest a;
  a.set_meeting(meeting->name());
  for (int i = 0; i < static_cast<int>(kMembers.size()); ++i) {
    auto* seat = a.mutable_attendance()->add_seats();
    seat->set_municipality(Municipality(i));
    if (i == absent) {
      seat->set_substitute_served(true);
    } else {
      seat->set_member_present(true);
    }
  }
  a.mutable_attendance()->mutable_chair()->set_display_name(kChair);
  a.mutable_attendance()->mutable_secretary()->set_display_name("Nämndsekreterare");
  return Unary(meetings_, &mv1::MeetingsService::Stub::RecordAttendance, a, meeting,
               shape_.call_timeout, "RecordAttendance");
}

absl::Status DataSet::LoadMeeting(int k, std::atomic<int>* writes) {
  const absl::Duration timeout = shape_.call_timeout;
  const int per = std::max(1, shape_.paragraphs_per_meeting);
  const int year = base_year_ + k / kMeetingsPerYear;
  const absl::CivilDay day(year, 1 + (k % kMeetingsPerYear) / 2, k % 2 == 0 ? 1 : 15);
  const std::string id = absl::StrCat("lists-", shape_.tag, "-m", k);

  mv1::Meeting meeting;
  // One member away per meeting, its substitute serving.
  absl::Status s =
      HoldMeeting("", day, k % static_cast<int>(kMembers.size()), absl::StrCat("m", k), &meeting);
  if (!s.ok()) return s;
  *writes += 2;

  const int cases = std::max(1, per / 10);
  std::vector<std::string> case_names;
  for (int j = 0; j < cases; ++j) {
    mv1::CreateCaseRequest c;
    c.mutable_case_()->set_case_number(
        absl::StrCat(year, "/", 1000 + (k % kMeetingsPerYear) * cases + j, "-1.2"));
    c.mutable_case_()->set_title(absl::StrCat("Ärende ", j + 1, " av sammanträdet ", k));
    c.set_request_id(absl::StrCat(id, "-c", j));
    mv1::Case created;
    s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateCase, c, &created, timeout,
              "CreateCase", writes);
    if (!s.ok()) return s;
    case_names.push_back(created.name());
  }
  for (int i = 0; i < per; ++i) {
    const int p = k * per + i;
    mv1::RecordDecisionRequest r;
    r.set_parent(meeting.name());
    r.set_request_id(absl::StrCat(id, "-p", i));
    r.mutable_paragraph()->set_case_(case_names[(i / 10) % cases]);
    r.mutable_paragraph()->mutable_decision()->set_kind(kKinds[p % kKinds.size()]);
    r.mutable_paragraph()->mutable_decision()->set_text(
        absl::StrCat("E-nämnden beslutar i ärende ", i + 1, " enligt förvaltningens förslag."));
    r.mutable_paragraph()->set_summary(kSummary);
    for (int offset : {0, 5, 9}) {
      r.mutable_paragraph()->add_recipients()->set_municipality(
          Municipality((p + offset) % static_cast<int>(kMembers.size())));
    }
    mv1::Paragraph paragraph;
    s = Unary(meetings_, &mv1::MeetingsService::Stub::RecordDecision, r, &paragraph, timeout,
              "RecordDecision", writes);
    if (!s.ok()) return s;
  }
  if (k % 10 == 0) {
    mv1::AdjustProtocolRequest adjust;
    adjust.set_meeting(meeting.name());
    adjust.mutable_chair()->set_display_name(kChair);
    adjust.add_adjusters()->set_display_name(kAdjuster);
    *adjust.mutable_adjusted_date() = ToDate(day + 7);
    adjust.set_request_id(absl::StrCat(id, "-adjust"));
    mv1::Adjustment adjustment;
    s = Unary(meetings_, &mv1::MeetingsService::Stub::AdjustProtocol, adjust, &adjustment, timeout,
              "AdjustProtocol", writes);
    if (!s.ok()) return s;
  }
  if (k % 50 == 25) {
    mv1::CreateMeetingRequest planned;
    planned.set_parent(names_.body);
    planned.set_meeting_id(absl::StrCat("planned-", k));
    *planned.mutable_meeting()->mutable_date() = ToDate(day + 2);
    planned.set_request_id(absl::StrCat(id, "-planned"));
    s = Unary(meetings_, &mv1::MeetingsService::Stub::CreateMeeting, planned, &meeting, timeout,
              "CreateMeeting", writes);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DataSet::LoadReview(int r, std::atomic<int>* writes) {
  const absl::Duration timeout = shape_.call_timeout;
  const int year = 2000 + r % kReviewYears;
  const int code = 1000 + r / kReviewYears;
  if (code > 9999) return absl::OutOfRangeError("too many reviews for four-digit codes");
  const std::string first = absl::StrCat("municipalities/", code);
  av1::CreateReviewRequest c;
  c.set_request_id(absl::StrCat("lists-", shape_.tag, "-r", r));
  av1::Review* review = c.mutable_review();
  review->set_year(year);
  review->add_auditing_municipalities(first);
  if (r % 7 == 0) review->add_auditing_municipalities("municipalities/2584");
  review->set_kind(r % 2 == 0 ? av1::Review::KIND_BASIC : av1::Review::KIND_IN_DEPTH);
  review->set_title(absl::StrCat("Grundläggande granskning ", year));
  review->mutable_assessments()->mutable_appropriate_administration()->set_answer(av1::ANSWER_YES);
  review->mutable_assessments()->mutable_financially_satisfactory()->set_answer(
      av1::ANSWER_IN_ALL_ESSENTIALS);
  review->mutable_assessments()->mutable_internal_control()->set_answer(
      r % 3 == 0 ? av1::ANSWER_NO : av1::ANSWER_YES);
  review->add_findings("Nämnden har inte följt upp internkontrollplanen.");
  review->add_findings("Målen är inte mätbara.");
  *review->mutable_report_date() = MakeDate(year + 1, 4, 15);
  av1::Review created;
  absl::Status s = Unary(audits_, &av1::AuditsService::Stub::CreateReview, c, &created, timeout,
                         "CreateReview", writes);
  if (!s.ok()) return s;
  for (int j = 0; j < shape_.recommendations_per_review; ++j) {
    av1::CreateRecommendationRequest rc;
    rc.set_review(created.name());
    rc.set_request_id(absl::StrCat("lists-", shape_.tag, "-r", r, "-", j));
    av1::Recommendation* rec = rc.mutable_recommendation();
    rec->set_text(absl::StrCat("Revisorerna rekommenderar nämnden att se över rutin ", j + 1,
                               " och redovisa åtgärderna till revisorerna."));
    rec->add_given_by(first);
    rec->set_responsible("Förbundschef");
    switch (j % 4) {
      case 0:
        rec->set_status(av1::Recommendation::STATUS_OPEN);
        break;
      case 1: {
        rec->set_status(av1::Recommendation::STATUS_IN_PROGRESS);
        auto* action = rec->add_actions();
        action->set_description("Rutinen revideras");
        *action->mutable_due_date() = MakeDate(year + 1, 12, 31);
        break;
      }
      case 2:
        rec->set_status(av1::Recommendation::STATUS_DONE);
        break;
      default:
        rec->set_status(av1::Recommendation::STATUS_NOT_PURSUED);
        rec->set_status_reason("Nämnden har valt en annan lösning.");
    }
    if (j % 3 == 1) *rec->mutable_due_date() = MakeDate(year + 1, 6, 30);  // past: overdue
    if (j % 3 == 2) *rec->mutable_due_date() = MakeDate(2030, 6, 30);
    av1::Recommendation out;
    s = Unary(audits_, &av1::AuditsService::Stub::CreateRecommendation, rc, &out, timeout,
              "CreateRecommendation", writes);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DataSet::Grow(int rows) {
  const int per = std::max(1, shape_.paragraphs_per_meeting);
  const int per_review = std::max(1, shape_.recommendations_per_review);
  const int fixed = kFixedParagraphs + loaded_.sentinels;
  const int meetings_to = std::max(loaded_.meetings, (rows - fixed + per - 1) / per);
  const int reviews_to = std::max(loaded_.reviews, (rows + per_review - 1) / per_review);

  struct Side {
    absl::Status status;
    int writes = 0;
    double seconds = 0;
  };
  auto run = [&](int from, int to, auto load) {
    Side side;
    std::atomic<int> writes{0};
    absl::Time start = absl::Now();
    side.status = RunPool(from, to, shape_.clients, [&](int i) { return load(i, &writes); });
    side.seconds = absl::ToDoubleSeconds(absl::Now() - start);
    side.writes = writes.load();
    return side;
  };
  Side meetings_side;
  std::thread meetings_thread([&] {
    meetings_side = run(loaded_.meetings, meetings_to,
                        [this](int k, std::atomic<int>* w) { return LoadMeeting(k, w); });
  });
  Side audits_side = run(loaded_.reviews, reviews_to,
                         [this](int r, std::atomic<int>* w) { return LoadReview(r, w); });
  meetings_thread.join();
  if (!meetings_side.status.ok()) return meetings_side.status;
  if (!audits_side.status.ok()) return audits_side.status;

  loaded_.paragraphs += (meetings_to - loaded_.meetings) * per;
  loaded_.meetings = meetings_to;
  loaded_.recommendations += (reviews_to - loaded_.reviews) * shape_.recommendations_per_review;
  loaded_.reviews = reviews_to;
  auto rate = [](const Side& s) { return s.seconds > 0 ? s.writes / s.seconds : 0.0; };
  std::printf(
      "  loaded: meetings %d writes in %.1f s (%.0f/s); audits %d writes in %.1f s "
      "(%.0f/s); %d clients each\n",
      meetings_side.writes, meetings_side.seconds, rate(meetings_side), audits_side.writes,
      audits_side.seconds, rate(audits_side), shape_.clients);
  return absl::OkStatus();
}

absl::Status DataSet::WaitForConsumer(absl::Duration timeout) {
  mv1::RecordDecisionRequest r;
  r.set_parent(names_.body + "/meetings/sentinel");
  r.set_request_id(absl::StrCat("lists-", shape_.tag, "-sentinel-", loaded_.sentinels));
  r.mutable_paragraph()->set_case_("cases/1999-900");
  r.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_NOTE_AND_FILE);
  r.mutable_paragraph()->mutable_decision()->set_text(
      "E-nämnden lägger granskningen till handlingarna.");
  r.mutable_paragraph()->add_recipients()->set_municipality("municipalities/2584");
  mv1::Paragraph paragraph;
  absl::Status s = Unary(meetings_, &mv1::MeetingsService::Stub::RecordDecision, r, &paragraph,
                         shape_.call_timeout, "RecordDecision (sentinel)");
  if (!s.ok()) return s;
  ++loaded_.sentinels;
  ++loaded_.paragraphs;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    av1::GetReviewRequest get;
    get.set_name(kSentinelReview);
    av1::Review review;
    s = Unary(audits_, &av1::AuditsService::Stub::GetReview, get, &review, shape_.call_timeout,
              "GetReview (sentinel)");
    if (!s.ok()) return s;
    for (const auto& h : review.handlings()) {
      if (h.paragraph() == paragraph.name()) return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the audits service did not show ", paragraph.name(), " within ",
      absl::FormatDuration(timeout), " (is it consuming the same Redis as meetings?)"));
}

}  // namespace enamnd::bench
