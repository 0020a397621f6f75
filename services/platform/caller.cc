#include "services/platform/caller.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace enamnd::platform {

Caller Caller::Internal(absl::string_view what) {
  Admission admission;
  admission.reach = Admission::Reach::kAll;
  admission.held_roles = KnownRoles();
  return Caller(absl::StrCat("internal:", what), std::string(what), "", std::move(admission));
}

absl::Status Caller::RequireMunicipality(absl::string_view code, absl::string_view resource) const {
  switch (admission_.reach) {
    case Admission::Reach::kAll:
      return absl::OkStatus();
    case Admission::Reach::kMunicipalities:
      if (admission_.municipalities.count(std::string(code)) > 0) return absl::OkStatus();
      return absl::PermissionDeniedError(
          absl::StrCat(method_, ": ", resource, " belongs to municipality ", code, "; ", principal_,
                       " may act only for ", absl::StrJoin(admission_.municipalities, ", ")));
    case Admission::Reach::kOfficialOnly:
      break;
  }
  return absl::PermissionDeniedError(absl::StrCat(
      method_, ": ", principal_, " may read official documents only, not change ", resource));
}

absl::Status Caller::RequireDraftAccess(absl::string_view resource) const {
  if (SeesDrafts()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      method_, ": ", resource, " is not an official document yet (its protocol is not adjusted); ",
      principal_, " may read official documents only"));
}

}  // namespace enamnd::platform
