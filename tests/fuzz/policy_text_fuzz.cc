// The policy file (ENAMND_POLICY, enamnd.auth.v1.PolicyFile in protobuf text
// format): ParsePolicyText in services/platform/policy.h. It is read at
// start and on SIGHUP; a bad file must be refused, never crash the service.
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "google/protobuf/text_format.h"
#include "services/platform/policy.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using enamnd::platform::KnownRoles;
  using enamnd::platform::RoleGrant;
  std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<enamnd::platform::PolicyTable> table = enamnd::platform::ParsePolicyText(text);
  if (!table.ok()) {
    ENAMND_FUZZ_CHECK(table.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  // What the file grants, the table holds: known roles, SCB codes.
  enamnd::auth::v1::PolicyFile file;
  ENAMND_FUZZ_CHECK(google::protobuf::TextFormat::ParseFromString(text, &file));
  for (const enamnd::auth::v1::Grant& grant : file.grants()) {
    ENAMND_FUZZ_CHECK(!grant.principal().empty() && KnownRoles().count(grant.role()) == 1);
    bool held = false;
    for (const RoleGrant& g : table->GrantsOf(grant.principal())) {
      ENAMND_FUZZ_CHECK(KnownRoles().count(g.role) == 1);
      for (const std::string& code : g.municipalities) {
        ENAMND_FUZZ_CHECK(code.size() == 4);
        for (char c : code) ENAMND_FUZZ_CHECK(absl::ascii_isdigit(c));
      }
      held = held || g.role == grant.role();
    }
    ENAMND_FUZZ_CHECK(held);
  }
  return 0;
}
