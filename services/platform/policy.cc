#include "services/platform/policy.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace enamnd::platform {
namespace {

// Collects the parser's complaints (line and column) instead of printing
// them to stderr.
class ParseErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

bool IsScbCode(absl::string_view code) {
  if (code.size() != 4) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

absl::Status CheckRoles(const google::protobuf::RepeatedPtrField<std::string>& roles,
                        absl::string_view where) {
  for (const std::string& role : roles) {
    if (KnownRoles().count(role) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": unknown role \"", role, "\" (known: ", absl::StrJoin(KnownRoles(), ", "), ")"));
    }
  }
  return absl::OkStatus();
}

bool Holds(const std::vector<RoleGrant>& grants,
           const google::protobuf::RepeatedPtrField<std::string>& roles) {
  for (const RoleGrant& grant : grants) {
    for (const std::string& role : roles) {
      if (grant.role == role) return true;
    }
  }
  return false;
}

std::string Describe(const auth::v1::MethodPolicy& policy) {
  std::vector<std::string> parts;
  for (const std::string& role : policy.roles()) parts.push_back(role);
  for (const std::string& role : policy.scoped_roles()) {
    parts.push_back(absl::StrCat(role, " (scoped to a municipality)"));
  }
  for (const std::string& role : policy.official_only_roles()) {
    parts.push_back(absl::StrCat(role, " (official documents only)"));
  }
  return absl::StrJoin(parts, " or ");
}

}  // namespace

const std::set<std::string>& KnownRoles() {
  static const auto* const kRoles = new std::set<std::string>{
      "secretary",
      "adjuster",
      "auditor",
      "municipality-system",
      "e-service-platform",
      "coordinator",
      "finance",
      "operator",
      "public",
      "confidential",
  };
  return *kRoles;
}

std::vector<RoleGrant> PolicyTable::GrantsOf(absl::string_view principal) const {
  std::vector<RoleGrant> grants;
  for (absl::string_view key : {principal, kEveryPrincipal}) {
    auto it = grants_.find(key);
    if (it != grants_.end()) grants.insert(grants.end(), it->second.begin(), it->second.end());
  }
  return grants;
}

absl::StatusOr<PolicyTable> ParsePolicyText(absl::string_view text) {
  auth::v1::PolicyFile file;
  google::protobuf::TextFormat::Parser parser;
  ParseErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &file)) {
    return absl::InvalidArgumentError(absl::StrCat("policy file: ", errors.first()));
  }
  std::map<std::string, std::vector<RoleGrant>, std::less<>> grants;
  for (int i = 0; i < file.grants_size(); ++i) {
    const auth::v1::Grant& grant = file.grants(i);
    std::string where = absl::StrCat("grants[", i, "]");
    if (grant.principal().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".principal: required"));
    }
    if (KnownRoles().count(grant.role()) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".role: unknown role \"", grant.role(),
                       "\" (known: ", absl::StrJoin(KnownRoles(), ", "), ")"));
    }
    RoleGrant role{grant.role(), {}};
    for (const std::string& code : grant.municipalities()) {
      if (!IsScbCode(code)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".municipalities: \"", code,
                                                       "\" is not an SCB code of four digits"));
      }
      role.municipalities.insert(code);
    }
    grants[grant.principal()].push_back(std::move(role));
  }
  return PolicyTable(std::move(grants));
}

std::string FullMethodName(const google::protobuf::MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

absl::StatusOr<MethodPolicies> ReadMethodPolicies(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  MethodPolicies policies;
  std::vector<std::string> problems;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      std::string name = FullMethodName(method);
      if (!method.options().HasExtension(auth::v1::policy)) {
        problems.push_back(absl::StrCat(name, ": no (enamnd.auth.v1.policy) option"));
        continue;
      }
      const auth::v1::MethodPolicy& policy = method.options().GetExtension(auth::v1::policy);
      absl::Status known = CheckRoles(policy.roles(), name);
      if (known.ok()) known = CheckRoles(policy.scoped_roles(), name);
      if (known.ok()) known = CheckRoles(policy.official_only_roles(), name);
      if (!known.ok()) {
        problems.push_back(std::string(known.message()));
        continue;
      }
      if (policy.roles().empty() && policy.scoped_roles().empty() &&
          policy.official_only_roles().empty()) {
        problems.push_back(absl::StrCat(name, ": the policy admits no role"));
        continue;
      }
      policies[name] = policy;
    }
  }
  if (!problems.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "methods without a valid policy (deny by default): ", absl::StrJoin(problems, "; ")));
  }
  return policies;
}

absl::StatusOr<Admission> Admit(const auth::v1::MethodPolicy& policy, absl::string_view method,
                                absl::string_view principal, const std::vector<RoleGrant>& grants) {
  Admission admission;
  for (const RoleGrant& grant : grants) admission.held_roles.insert(grant.role);
  if (Holds(grants, policy.roles())) {
    admission.reach = Admission::Reach::kAll;
    return admission;
  }
  for (const RoleGrant& grant : grants) {
    for (const std::string& role : policy.scoped_roles()) {
      if (grant.role == role) {
        admission.municipalities.insert(grant.municipalities.begin(), grant.municipalities.end());
      }
    }
  }
  if (!admission.municipalities.empty()) {
    admission.reach = Admission::Reach::kMunicipalities;
    return admission;
  }
  if (Holds(grants, policy.official_only_roles())) {
    admission.reach = Admission::Reach::kOfficialOnly;
    return admission;
  }
  std::string held = admission.held_roles.empty()
                         ? "no role"
                         : absl::StrCat("roles ", absl::StrJoin(admission.held_roles, ", "));
  return absl::PermissionDeniedError(
      absl::StrCat(method, " needs role ", Describe(policy), "; ", principal, " holds ", held));
}

}  // namespace enamnd::platform
