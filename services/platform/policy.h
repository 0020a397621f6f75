// Authorization as pure rules: which roles a method admits (read from the
// enamnd.auth.v1.policy option of every RPC), which roles a principal holds
// (the policy file), and whether a principal may call a method. No gRPC
// here; services/platform/auth.h applies these to calls.
#ifndef ENAMND_PLATFORM_POLICY_H_
#define ENAMND_PLATFORM_POLICY_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enamnd/auth/v1/auth.pb.h"
#include "google/protobuf/descriptor.h"

namespace enamnd::platform {

// The roles a grant or a method may name (docs/security.md explains each).
const std::set<std::string>& KnownRoles();

// The "*" principal of a grant: every authenticated caller.
inline constexpr absl::string_view kEveryPrincipal = "*";

// One role a principal holds; municipalities (SCB codes) bound it where a
// method admits the role only scoped.
struct RoleGrant {
  std::string role;
  std::set<std::string> municipalities;
};

// Principals to their roles: a parsed, checked policy file.
class PolicyTable {
 public:
  PolicyTable() = default;
  explicit PolicyTable(std::map<std::string, std::vector<RoleGrant>, std::less<>> grants)
      : grants_(std::move(grants)) {}
  // The grants of `principal` and of "*".
  std::vector<RoleGrant> GrantsOf(absl::string_view principal) const;
  size_t size() const { return grants_.size(); }

 private:
  std::map<std::string, std::vector<RoleGrant>, std::less<>> grants_;
};

// Parses a policy file (enamnd.auth.v1.PolicyFile in protobuf text format)
// and checks it: known roles, non-empty principals, SCB codes of four
// digits. Errors name the grant (grants[3].role) and the rule.
absl::StatusOr<PolicyTable> ParsePolicyText(absl::string_view text);

// The policy of every method of the served services, keyed by full method
// name ("/enamnd.meetings.v1.MeetingsService/RecordDecision"). Fails,
// naming each method, when a method has no policy or a policy names an
// unknown role or admits nobody: a service must not start like that.
using MethodPolicies = std::map<std::string, auth::v1::MethodPolicy, std::less<>>;
absl::StatusOr<MethodPolicies> ReadMethodPolicies(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

// "/package.Service/Method".
std::string FullMethodName(const google::protobuf::MethodDescriptor& method);

// How a call was admitted, and what the caller holds beyond that.
struct Admission {
  enum class Reach {
    kAll,             // by one of `roles`: any resource
    kMunicipalities,  // by a scoped role: resources of `municipalities` only
    kOfficialOnly,    // by an official-only role: official documents only
  };
  Reach reach = Reach::kAll;
  std::set<std::string> municipalities;
  // Every role the principal holds (e.g. "confidential" for unredacted text).
  std::set<std::string> held_roles;
};

// Whether `grants` admit a call of a method with `policy`: the widest reach
// wins. PERMISSION_DENIED names the method's roles and what the caller holds.
absl::StatusOr<Admission> Admit(const auth::v1::MethodPolicy& policy, absl::string_view method,
                                absl::string_view principal, const std::vector<RoleGrant>& grants);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_POLICY_H_
