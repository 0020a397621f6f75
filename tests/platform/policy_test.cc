// The pure authorization rules (services/platform/policy.h): the policy
// file's parser and checks, Admit's reach, and the deny-by-default check
// of the methods' policy options.
#include "services/platform/policy.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/platform/testdata/unguarded.pb.h"
#include "tests/support/principals.h"

namespace enamnd::platform {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const google::protobuf::ServiceDescriptor* Service(const std::string& name) {
  // Touching a message of each file links it in (and so registers it in
  // the generated pool): nothing else here refers to these libraries.
  (void)meetings::v1::CreateMunicipalityRequest::descriptor();
  (void)audits::v1::CreateReviewRequest::descriptor();
  (void)enamnd::testing::v1::Nothing::descriptor();
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
  EXPECT_NE(service, nullptr) << name;
  return service;
}

auth::v1::MethodPolicy PolicyOf(const std::string& text) {
  auth::v1::MethodPolicy policy;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &policy)) << text;
  return policy;
}

std::vector<std::string> RolesOf(const std::vector<RoleGrant>& grants) {
  std::vector<std::string> roles;
  for (const RoleGrant& grant : grants) roles.push_back(grant.role);
  return roles;
}

// ------------------------------------------------------------ ParsePolicyText

struct BadPolicyCase {
  const char* what;
  const char* text;
  const char* message_part;  // the error names this
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const BadPolicyCase& c, std::ostream* os) { *os << c.what; }

class BadPolicyTest : public ::testing::TestWithParam<BadPolicyCase> {};

TEST_P(BadPolicyTest, RefusedNamingWhere) {
  absl::StatusOr<PolicyTable> table = ParsePolicyText(GetParam().text);
  ASSERT_FALSE(table.ok()) << GetParam().what;
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument) << table.status();
  EXPECT_THAT(std::string(table.status().message()), HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    PolicyText, BadPolicyTest,
    ::testing::Values(
        BadPolicyCase{"syntax error on the third line",
                      "grants { principal: \"a\" role: \"secretary\" }\n"
                      "grants { principal: \"b\" role: \"public\" }\n"
                      "grants { principal: \"c\" role: }\n",
                      "line 3:"},
        BadPolicyCase{"unknown field", "grant { principal: \"a\" role: \"public\" }\n", "line 1:"},
        BadPolicyCase{"unknown role in the second grant",
                      "grants { principal: \"a\" role: \"public\" }\n"
                      "grants { principal: \"b\" role: \"secretray\" }\n",
                      "grants[1].role: unknown role \"secretray\""},
        BadPolicyCase{"empty principal", "grants { role: \"public\" }", "grants[0].principal"},
        BadPolicyCase{"empty role", "grants { principal: \"a\" }", "grants[0].role"},
        BadPolicyCase{"SCB code of three digits",
                      "grants { principal: \"a\" role: \"auditor\" municipalities: \"258\" }",
                      "grants[0].municipalities: \"258\""},
        BadPolicyCase{"SCB code with a letter",
                      "grants { principal: \"a\" role: \"auditor\" municipalities: \"258x\" }",
                      "grants[0].municipalities: \"258x\""},
        BadPolicyCase{"SCB code as a resource name",
                      "grants { principal: \"a\" role: \"auditor\" "
                      "municipalities: \"municipalities/2584\" }",
                      "grants[0].municipalities"}),
    [](const ::testing::TestParamInfo<BadPolicyCase>& info) {
      std::string name;
      for (char c : std::string(info.param.what)) name += absl::ascii_isalnum(c) ? c : '_';
      return name;
    });

TEST(PolicyTextTest, TestPolicyParses) {
  absl::StatusOr<PolicyTable> table = ParsePolicyText(enamnd::testing::kTestPolicy);
  ASSERT_TRUE(table.ok()) << table.status();
  // Principals (the stranger has no grant), not grants: the nine people and
  // systems and the finance service (it reads the other services).
  EXPECT_EQ(table->size(), 10u);
  EXPECT_THAT(RolesOf(table->GrantsOf(enamnd::testing::kClerk)),
              UnorderedElementsAre("secretary", "adjuster", "operator", "confidential",
                                   "coordinator", "finance"));
  std::vector<RoleGrant> auditor = table->GrantsOf(enamnd::testing::kAuditor2584);
  ASSERT_EQ(auditor.size(), 1u);
  EXPECT_EQ(auditor[0].role, "auditor");
  EXPECT_THAT(auditor[0].municipalities, UnorderedElementsAre("2584"));
  EXPECT_TRUE(table->GrantsOf(enamnd::testing::kStranger).empty());
}

TEST(PolicyTextTest, EmptyFileGrantsNothing) {
  absl::StatusOr<PolicyTable> table = ParsePolicyText("");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 0u);
  EXPECT_TRUE(table->GrantsOf("spiffe://enamnd/person/anyone").empty());
}

TEST(PolicyTextTest, StarPrincipalAppliesToEveryone) {
  absl::StatusOr<PolicyTable> table = ParsePolicyText(R"pb(
    grants { principal: "*" role: "public" }
    grants { principal: "spiffe://enamnd/person/secretary" role: "secretary" }
  )pb");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(RolesOf(table->GrantsOf("spiffe://enamnd/person/anyone")),
              UnorderedElementsAre("public"));
  EXPECT_THAT(RolesOf(table->GrantsOf("spiffe://enamnd/person/secretary")),
              UnorderedElementsAre("secretary", "public"));
}

TEST(PolicyTextTest, GrantsOfOnePrincipalAccumulate) {
  absl::StatusOr<PolicyTable> table = ParsePolicyText(R"pb(
    grants { principal: "p" role: "auditor" municipalities: "2584" municipalities: "2580" }
    grants { principal: "p" role: "public" }
  )pb");
  ASSERT_TRUE(table.ok()) << table.status();
  std::vector<RoleGrant> grants = table->GrantsOf("p");
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].role, "auditor");
  EXPECT_THAT(grants[0].municipalities, UnorderedElementsAre("2584", "2580"));
  EXPECT_TRUE(grants[1].municipalities.empty());
}

// ------------------------------------------------------------ Admit

constexpr char kMethod[] = "/enamnd.audits.v1.AuditsService/UpdateReview";
constexpr char kPrincipal[] = "spiffe://enamnd/person/someone";

const char kReviewPolicy[] =
    R"pb(
  roles: "secretary" scoped_roles: "auditor" official_only_roles: "public"
    )pb";

TEST(AdmitTest, RoleAdmitsForEveryResource) {
  absl::StatusOr<Admission> admission =
      Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {{"secretary", {}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_EQ(admission->reach, Admission::Reach::kAll);
  EXPECT_TRUE(admission->municipalities.empty());
  EXPECT_THAT(admission->held_roles, UnorderedElementsAre("secretary"));
}

TEST(AdmitTest, ScopedRoleAdmitsForTheGrantsMunicipalities) {
  absl::StatusOr<Admission> admission =
      Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {{"auditor", {"2584", "2580"}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_EQ(admission->reach, Admission::Reach::kMunicipalities);
  EXPECT_THAT(admission->municipalities, UnorderedElementsAre("2584", "2580"));
}

TEST(AdmitTest, ScopedRoleOfSeveralGrantsUnitesTheirMunicipalities) {
  absl::StatusOr<Admission> admission = Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal,
                                              {{"auditor", {"2584"}}, {"auditor", {"2523"}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_THAT(admission->municipalities, UnorderedElementsAre("2584", "2523"));
}

TEST(AdmitTest, ScopedGrantWithoutMunicipalitiesAdmitsNothing) {
  absl::StatusOr<Admission> admission = Admit(PolicyOf(R"pb(roles: "secretary"
                                                            scoped_roles: "auditor")pb"),
                                              kMethod, kPrincipal, {{"auditor", {}}});
  ASSERT_FALSE(admission.ok());
  EXPECT_EQ(admission.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(AdmitTest, ScopedGrantForAnUnscopedRoleAdmitsEverywhere) {
  // The method admits "secretary" unscoped: municipalities on the grant do
  // not narrow it.
  absl::StatusOr<Admission> admission =
      Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {{"secretary", {"2584"}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_EQ(admission->reach, Admission::Reach::kAll);
}

TEST(AdmitTest, OfficialOnlyRoleSeesOfficialDocumentsOnly) {
  absl::StatusOr<Admission> admission =
      Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {{"public", {}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_EQ(admission->reach, Admission::Reach::kOfficialOnly);
}

TEST(AdmitTest, WidestReachWins) {
  auth::v1::MethodPolicy policy = PolicyOf(kReviewPolicy);
  // Official-only and scoped: scoped.
  absl::StatusOr<Admission> scoped =
      Admit(policy, kMethod, kPrincipal, {{"public", {}}, {"auditor", {"2584"}}});
  ASSERT_TRUE(scoped.ok()) << scoped.status();
  EXPECT_EQ(scoped->reach, Admission::Reach::kMunicipalities);
  // Any order, and a full role on top: all.
  absl::StatusOr<Admission> all = Admit(policy, kMethod, kPrincipal,
                                        {{"auditor", {"2584"}}, {"public", {}}, {"secretary", {}}});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->reach, Admission::Reach::kAll);
  EXPECT_THAT(all->held_roles, UnorderedElementsAre("auditor", "public", "secretary"));
}

TEST(AdmitTest, HeldRolesIncludeRolesTheMethodDoesNotName) {
  absl::StatusOr<Admission> admission = Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal,
                                              {{"secretary", {}}, {"confidential", {}}});
  ASSERT_TRUE(admission.ok()) << admission.status();
  EXPECT_THAT(admission->held_roles, UnorderedElementsAre("secretary", "confidential"));
}

TEST(AdmitTest, DenialNamesTheMethodsRolesAndWhatThePrincipalHolds) {
  absl::StatusOr<Admission> admission =
      Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {{"operator", {}}, {"finance", {}}});
  ASSERT_FALSE(admission.ok());
  EXPECT_EQ(admission.status().code(), absl::StatusCode::kPermissionDenied);
  std::string message(admission.status().message());
  EXPECT_THAT(message, HasSubstr(kMethod));
  EXPECT_THAT(message, HasSubstr("secretary"));
  EXPECT_THAT(message, HasSubstr("auditor (scoped to a municipality)"));
  EXPECT_THAT(message, HasSubstr("public (official documents only)"));
  EXPECT_THAT(message, HasSubstr(kPrincipal));
  EXPECT_THAT(message, HasSubstr("holds roles finance, operator"));
}

TEST(AdmitTest, DenialOfAPrincipalWithoutRolesSaysSo) {
  absl::StatusOr<Admission> admission = Admit(PolicyOf(kReviewPolicy), kMethod, kPrincipal, {});
  ASSERT_FALSE(admission.ok());
  EXPECT_EQ(admission.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(admission.status().message()), HasSubstr("holds no role"));
}

// ------------------------------------------------------------ ReadMethodPolicies

TEST(MethodPoliciesTest, EveryMethodWithoutAValidPolicyIsNamed) {
  const google::protobuf::ServiceDescriptor* unguarded =
      Service("enamnd.testing.v1.UnguardedService");
  ASSERT_NE(unguarded, nullptr);
  absl::StatusOr<MethodPolicies> policies = ReadMethodPolicies({unguarded});
  ASSERT_FALSE(policies.ok());
  EXPECT_EQ(policies.status().code(), absl::StatusCode::kFailedPrecondition);
  std::string message(policies.status().message());
  const std::string prefix = "/enamnd.testing.v1.UnguardedService/";
  EXPECT_THAT(message, HasSubstr(prefix + "Forgotten: no (enamnd.auth.v1.policy) option"));
  EXPECT_THAT(message, HasSubstr(prefix + "AlsoForgotten: no (enamnd.auth.v1.policy) option"));
  EXPECT_THAT(message, HasSubstr(prefix + "MisspelledRole: unknown role \"secretray\""));
  EXPECT_THAT(message, HasSubstr(prefix + "Empty: the policy admits no role"));
  EXPECT_THAT(message, Not(HasSubstr(prefix + "Guarded")));
}

TEST(MethodPoliciesTest, OneBadServiceFailsTheWholeSet) {
  absl::StatusOr<MethodPolicies> policies =
      ReadMethodPolicies({Service("enamnd.meetings.v1.MeetingsService"),
                          Service("enamnd.testing.v1.UnguardedService")});
  EXPECT_FALSE(policies.ok());
}

TEST(MethodPoliciesTest, BothServicesDeclareAPolicyOnEveryMethod) {
  for (const std::string name :
       {"enamnd.meetings.v1.MeetingsService", "enamnd.audits.v1.AuditsService"}) {
    const google::protobuf::ServiceDescriptor* service = Service(name);
    ASSERT_NE(service, nullptr);
    absl::StatusOr<MethodPolicies> policies = ReadMethodPolicies({service});
    ASSERT_TRUE(policies.ok()) << policies.status();
    EXPECT_EQ(policies->size(), static_cast<size_t>(service->method_count())) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      std::string full = FullMethodName(method);
      EXPECT_TRUE(absl::StartsWith(full, "/" + name + "/")) << full;
      ASSERT_EQ(policies->count(full), 1u) << full;
      // Methods named like reads are declared read-only, and the rest write.
      bool reads =
          absl::StartsWith(method.name(), "Get") || absl::StartsWith(method.name(), "List") ||
          absl::StartsWith(method.name(), "Watch") || absl::StartsWith(method.name(), "Verify") ||
          absl::StartsWith(method.name(), "Render");
      EXPECT_EQ(policies->at(full).read_only(), reads) << full;
    }
  }
}

TEST(MethodPoliciesTest, ListAuditRecordsIsForOperatorsOnly) {
  for (const std::string name :
       {"enamnd.meetings.v1.MeetingsService", "enamnd.audits.v1.AuditsService"}) {
    absl::StatusOr<MethodPolicies> policies = ReadMethodPolicies({Service(name)});
    ASSERT_TRUE(policies.ok()) << policies.status();
    const auth::v1::MethodPolicy& policy = policies->at("/" + name + "/ListAuditRecords");
    EXPECT_THAT(policy.roles(), UnorderedElementsAre("operator"));
    EXPECT_TRUE(policy.scoped_roles().empty());
    EXPECT_TRUE(policy.official_only_roles().empty());
    EXPECT_TRUE(policy.read_only());
  }
}

TEST(MethodPoliciesTest, FullMethodNameIsTheGrpcPath) {
  const google::protobuf::ServiceDescriptor* service =
      Service("enamnd.meetings.v1.MeetingsService");
  ASSERT_NE(service, nullptr);
  const google::protobuf::MethodDescriptor* method = service->FindMethodByName("RecordDecision");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(FullMethodName(*method), "/enamnd.meetings.v1.MeetingsService/RecordDecision");
}

}  // namespace
}  // namespace enamnd::platform
