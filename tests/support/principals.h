// The principals tests call as, and the policy that grants their roles.
// Services under test run in insecure mode (plaintext on loopback), where
// a call names its principal in the x-enamnd-principal header; the TLS
// tests (tests/platform/tls_test.cc) take principals from certificates.
#ifndef ENAMND_TESTS_SUPPORT_PRINCIPALS_H_
#define ENAMND_TESTS_SUPPORT_PRINCIPALS_H_

#include <filesystem>
#include <fstream>
#include <string>

namespace enamnd::testing {

// Holds every unscoped staff role: secretary, adjuster, operator,
// confidential, coordinator and finance. The tests of the services' behaviour call as the clerk.
inline constexpr char kClerk[] = "spiffe://enamnd/test/clerk";
inline constexpr char kAuditor2584[] = "spiffe://enamnd/person/auditor-2584";
inline constexpr char kSystem2584[] = "spiffe://enamnd/municipality/2584/system";
inline constexpr char kPublicReader[] = "spiffe://enamnd/person/public-reader";
inline constexpr char kOperator[] = "spiffe://enamnd/person/operator";
inline constexpr char kEServicePlatform[] = "spiffe://enamnd/system/e-service-platform";
inline constexpr char kSecretary[] = "spiffe://enamnd/person/secretary";
// The committee's coordinator (samordnare): writes initiatives.
inline constexpr char kCoordinator[] = "spiffe://enamnd/person/coordinator";
// The committee's finance officer (ekonom): writes budgets and prices.
inline constexpr char kFinance[] = "spiffe://enamnd/person/finance";
// Authenticated, but the policy grants it nothing.
inline constexpr char kStranger[] = "spiffe://enamnd/person/stranger";

inline constexpr char kTestPolicy[] = R"pb(
  grants { principal: "spiffe://enamnd/test/clerk" role: "secretary" }
  grants { principal: "spiffe://enamnd/test/clerk" role: "adjuster" }
  grants { principal: "spiffe://enamnd/test/clerk" role: "operator" }
  grants { principal: "spiffe://enamnd/test/clerk" role: "confidential" }
  grants { principal: "spiffe://enamnd/test/clerk" role: "coordinator" }
  grants { principal: "spiffe://enamnd/test/clerk" role: "finance" }
  grants { principal: "spiffe://enamnd/person/finance" role: "finance" }
  grants { principal: "spiffe://enamnd/person/coordinator" role: "coordinator" }
  grants { principal: "spiffe://enamnd/person/secretary" role: "secretary" }
  grants { principal: "spiffe://enamnd/person/auditor-2584" role: "auditor" municipalities: "2584" }
  grants {
    principal: "spiffe://enamnd/municipality/2584/system"
    role: "municipality-system"
    municipalities: "2584"
  }
  grants { principal: "spiffe://enamnd/person/public-reader" role: "public" }
  grants { principal: "spiffe://enamnd/person/operator" role: "operator" }
  grants { principal: "spiffe://enamnd/system/e-service-platform" role: "e-service-platform" }
  grants { principal: "spiffe://enamnd/service/finance" role: "finance" }
)pb";

// Writes kTestPolicy to `path`; returns the path.
inline std::string WriteTestPolicy(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << kTestPolicy;
  return path;
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_PRINCIPALS_H_
