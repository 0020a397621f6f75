// Member municipalities for the services that learn them from the meetings
// service's MunicipalityRegistered events (projects, contracts, ...): register
// them with the meetings service, then wait until the follower knows them.
#ifndef ENAMND_TESTS_SUPPORT_MEMBERS_H_
#define ENAMND_TESTS_SUPPORT_MEMBERS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"

namespace enamnd::testing {

// Registers each SCB code as "Kommun <code>", then polls `knows(code)` for
// every code (with a deadline; the events arrive asynchronously).
inline void RegisterMembers(meetings::v1::MeetingsService::Stub* meetings,
                            const std::vector<std::string>& codes,
                            const std::function<bool(const std::string& code)>& knows) {
  for (const std::string& code : codes) {
    meetings::v1::CreateMunicipalityRequest request;
    request.set_municipality_id(code);
    request.mutable_municipality()->set_display_name("Kommun " + code);
    meetings::v1::Municipality created;
    ASSERT_TRUE(
        Call(meetings, &meetings::v1::MeetingsService::Stub::CreateMunicipality, request, &created)
            .ok());
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (const std::string& code : codes) {
    while (!knows(code)) {
      ASSERT_LT(absl::Now(), deadline) << "municipalities/" << code << " never reached the service";
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_MEMBERS_H_
