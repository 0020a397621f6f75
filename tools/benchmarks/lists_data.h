// The data set of enamnd-bench-lists: what it loads through the public API
// of the meetings and audits services, and the names it then lists by.
//
// Meetings: one committee of 14 seats; meetings twice a month, each with
// `paragraphs_per_meeting` decisions over a few cases, sent to three member
// municipalities each; every tenth meeting adjusted; a planned meeting now
// and then. Besides the bulk: the fixed meeting of 2022-06-22 with 9
// paragraphs sent to every member (the demo's shape), and a "sentinel"
// meeting that gets one decision per stage.
// Audits: reviews with `recommendations_per_review` recommendations each in
// mixed states and due dates; a fixed reporting wheel and control plan.
#ifndef ENAMND_TOOLS_BENCHMARKS_LISTS_DATA_H_
#define ENAMND_TOOLS_BENCHMARKS_LISTS_DATA_H_

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"

namespace enamnd::bench {

struct DataShape {
  std::string tag;  // makes the body id and request ids of a run unique
  int paragraphs_per_meeting = 50;
  int recommendations_per_review = 10;
  int largest_stage = 100000;  // decides the meeting years
  int clients = 8;             // concurrent writers per service
  absl::Duration call_timeout = absl::Seconds(60);
};

// Names the lists are asked about; valid from the first stage on.
struct Names {
  std::string body;              // bodies/bench-lists-{tag}
  std::string first_meeting;     // the first bulk meeting (fewer paragraphs than a page)
  std::string adjusted_meeting;  // an adjusted bulk meeting
  std::string fixed_meeting;     // the 9-paragraph meeting of 2022-06-22
  std::string first_case;        // a case of the first bulk meeting
  std::string sentinel_subject;  // //audits/reviews/1999-2584
  std::string first_review;      // a bulk review
  std::string review_year;       // a year of reviews, as a number
  std::string plan;              // control-plans/2024
  int first_year = 0;            // the year of the first bulk meeting
};

// How far the data has come, in rows.
struct Loaded {
  int meetings = 0;         // bulk meetings with their paragraphs
  int paragraphs = 0;       // every paragraph of the body
  int reviews = 0;          // bulk reviews
  int recommendations = 0;  // every recommendation
  int sentinels = 0;        // sentinel decisions recorded
};

class DataSet {
 public:
  DataSet(DataShape shape, enamnd::meetings::v1::MeetingsService::Stub* meetings,
          enamnd::audits::v1::AuditsService::Stub* audits);

  const Names& names() const { return names_; }
  const Loaded& loaded() const { return loaded_; }

  // Municipalities, the body, the fixed meeting, the sentinel meeting and
  // review, the reporting wheel and the control plan. Once, first.
  absl::Status Setup();

  // Adds bulk meetings and reviews (both services at once, `clients`
  // writers each) until each service holds at least `rows` paragraphs and
  // recommendations. Prints what it did.
  absl::Status Grow(int rows);

  // Records a decision on the sentinel case and waits (up to `timeout`)
  // until the audits service shows it among the sentinel review's
  // handlings: then the audits consumer has caught up with every meetings
  // event before it.
  absl::Status WaitForConsumer(absl::Duration timeout);

 private:
  absl::Status SetupMeetings();
  absl::Status SetupAudits();
  // Creates a meeting (meeting_id "" = its date) and records attendance:
  // every member present, except that the substitute serves for seat
  // `absent` (-1: none).
  absl::Status HoldMeeting(const std::string& meeting_id, absl::CivilDay day, int absent,
                           const std::string& request_id, enamnd::meetings::v1::Meeting* meeting);
  absl::Status LoadMeeting(int k, std::atomic<int>* writes);
  absl::Status LoadReview(int r, std::atomic<int>* writes);

  DataShape shape_;
  enamnd::meetings::v1::MeetingsService::Stub* meetings_;
  enamnd::audits::v1::AuditsService::Stub* audits_;
  Names names_;
  Loaded loaded_;
  int base_year_ = 0;
};

}  // namespace enamnd::bench

#endif  // ENAMND_TOOLS_BENCHMARKS_LISTS_DATA_H_
