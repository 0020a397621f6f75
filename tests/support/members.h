// Member municipalities for the services that learn them from the meetings
// service's MunicipalityRegistered events (projects, contracts, ...): register
// them with the meetings service, then wait until the follower knows them
// (AwaitMembers alone where the meetings service has them already).
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

// Polls `knows(code)` for every code until it holds, with a deadline: the
// follower learns members from events that arrive asynchronously. `service`
// names the follower in the failure.
inline void AwaitMembers(const std::vector<std::string>& codes,
                         const std::function<bool(const std::string& code)>& knows,
                         const std::string& service = "the service") {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (const std::string& code : codes) {
    while (!knows(code)) {
      ASSERT_LT(absl::Now(), deadline) << "municipalities/" << code << " never reached " << service;
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

// Registers each SCB code as "Kommun <code>", then waits until `knows(code)`
// for every code (AwaitMembers).
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
  AwaitMembers(codes, knows);
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_MEMBERS_H_
