// Who is calling, as a handler sees it: the principal, the method, and how
// far the policy lets it reach. Handlers take `const Caller&`, check scope
// on the resource they load (RequireMunicipality), redact for callers
// without the confidential role, and stamp create/update principals.
#ifndef ENAMND_PLATFORM_CALLER_H_
#define ENAMND_PLATFORM_CALLER_H_

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/platform/policy.h"

namespace enamnd::platform {

class Caller {
 public:
  Caller(std::string principal, std::string method, std::string peer, Admission admission,
         std::string request_id = "")
      : principal_(std::move(principal)),
        method_(std::move(method)),
        peer_(std::move(peer)),
        admission_(std::move(admission)),
        request_id_(std::move(request_id)) {}

  // A caller inside the service itself (deadline jobs, event handlers, demo
  // tools in tests): all reach, all roles.
  static Caller Internal(absl::string_view what);

  const std::string& principal() const { return principal_; }
  const std::string& method() const { return method_; }
  const std::string& peer() const { return peer_; }
  const std::string& request_id() const { return request_id_; }

  // OK when the call may act on a resource of municipality `code` (SCB);
  // else PERMISSION_DENIED naming the resource and the caller's scope.
  absl::Status RequireMunicipality(absl::string_view code, absl::string_view resource) const;
  // Whether the call reaches every municipality's resources; false for a
  // role admitted scoped (a municipality system, which must then name its
  // municipality) and for official-documents-only readers.
  bool ReachesEveryMunicipality() const { return admission_.reach == Admission::Reach::kAll; }
  // OK unless the caller was admitted for official documents only; then
  // PERMISSION_DENIED naming `resource` (a draft).
  absl::Status RequireDraftAccess(absl::string_view resource) const;
  // Whether the caller sees drafts (not only official documents).
  bool SeesDrafts() const { return admission_.reach != Admission::Reach::kOfficialOnly; }
  // Whether the caller may read text under secrecy (role "confidential").
  bool SeesConfidential() const { return HasRole("confidential"); }
  bool HasRole(absl::string_view role) const {
    return admission_.held_roles.count(std::string(role)) > 0;
  }

 private:
  std::string principal_;
  std::string method_;
  std::string peer_;
  Admission admission_;
  std::string request_id_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_CALLER_H_
