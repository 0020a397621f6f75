// Seeds a meetings service (in-process or a real binary) with a committee
// ready to decide: the municipalities, the body bodies/e-namnden with one
// seat each, the meeting of 22 June 2022 with every member present, and
// case cases/2022-9. Test data, not the demo's: names are invented.
#ifndef ENAMND_TESTS_SUPPORT_COMMITTEE_H_
#define ENAMND_TESTS_SUPPORT_COMMITTEE_H_

#include <string>
#include <vector>

#include "enamnd/meetings/v1/meetings.grpc.pb.h"

namespace enamnd::testing {

inline constexpr char kTestMeeting[] = "bodies/e-namnden/meetings/2022-06-22";
inline constexpr char kTestCase[] = "cases/2022-9";

struct CommitteeSeed {
  std::vector<std::string> municipality_codes = {"2584", "2523"};
  std::string case_title = "Grundläggande granskning 2021";
  std::string case_subject;  // e.g. "//audits/reviews/2021-2584"; may be empty
};

// Creates what `seed` describes; adds a gtest failure and returns false on
// any error.
bool SeedCommittee(meetings::v1::MeetingsService::Stub* stub, const CommitteeSeed& seed = {});

// Records a decision in kTestMeeting on kTestCase, sent to
// municipalities/2584; returns the paragraph (empty name on failure).
meetings::v1::Paragraph Decide(meetings::v1::MeetingsService::Stub* stub, const std::string& text,
                               meetings::v1::DecisionKind kind, const std::string& request_id = "");

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_COMMITTEE_H_
