// The member municipalities as a following service knows them: a register
// kept from the meetings service's MunicipalityRegistered events (read by
// ReadMeetingsFeed), so that a service can refuse a municipality the
// committee does not have without calling the meetings service. Add
// MembersMigrations() to the service's migrations.
#ifndef ENAMND_PLATFORM_MEMBERS_H_
#define ENAMND_PLATFORM_MEMBERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/platform/database.h"
#include "services/platform/meetings_feed.h"

namespace enamnd::platform {

MigrationSet MembersMigrations();

// Records (or refreshes) a member from its event.
absl::Status RememberMember(Transaction& tx, const MemberRegistered& member);

// The SCB code of `name` (municipalities/{code}) when it is a registered
// member; INVALID_ARGUMENT naming `field` when the name is malformed or the
// municipality unknown (the message says how many members are known: none
// means the meetings service's events have not arrived yet).
absl::StatusOr<std::string> RequireMember(Transaction& tx, absl::string_view name,
                                          absl::string_view field);

// How many members are registered.
absl::StatusOr<int64_t> CountMembers(Transaction& tx);

// A registered member.
struct Member {
  std::string code;  // SCB code, e.g. "2580"
  std::string display_name;
  int64_t population = 0;
};
// Every registered member, ordered by SCB code.
absl::StatusOr<std::vector<Member>> ListMembers(Transaction& tx);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_MEMBERS_H_
