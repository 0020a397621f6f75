// mTLS end to end: certificates made by tools/tls (openssl) in a temp dir,
// an in-process meetings service with TLS and a client CA, clients that
// present (or do not present) certificates, the principal taken from the
// certificate (URI SAN, else CN), the x-enamnd-principal header ignored
// under TLS, the plaintext rules of the configuration, and PeerChannel.
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/meetings/api/service.h"
#include "services/platform/server.h"
#include "tests/support/principals.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace enamnd::platform {
namespace {

using ::enamnd::testing::ChildProcess;
using ::enamnd::testing::kClerk;
using ::enamnd::testing::kStranger;
using ::enamnd::testing::kTestPolicy;
using ::enamnd::testing::RedisServer;
using ::enamnd::testing::TempDir;
using ::testing::HasSubstr;
using Stub = meetings::v1::MeetingsService::Stub;

// Principals of this test besides those of tests/support/principals.h.
constexpr char kCnOnly[] = "tls-test-cn-only";  // a certificate without URI SAN
constexpr char kAuditsService[] = "spiffe://enamnd/service/audits";
constexpr char kMeetingsService[] = "spiffe://enamnd/service/meetings";
constexpr char kCreateMunicipality[] = "/enamnd.meetings.v1.MeetingsService/CreateMunicipality";

std::string SourceDir() {
  const char* env = std::getenv("ENAMND_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : ENAMND_DEFAULT_SOURCE_DIR;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs tools/tls with `args`; returns its exit status (its output is in `log`).
int RunTls(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {SourceDir() + "/tools/tls"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess tls(argv, {}, log);
  return tls.Wait(absl::Seconds(60));
}

// Sets an environment variable for one scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

class TlsTest : public ::testing::Test {
 protected:
  // The certificates are made once (openssl takes a moment per key):
  // certs/ is the CA the service trusts, other/ a CA it does not know.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::string log = dir_->path() + "/tls.log";
    std::string certs = dir_->path() + "/certs";
    std::string other = dir_->path() + "/other";
    std::vector<std::vector<std::string>> commands = {
        {"init", certs},
        {"issue", certs, "meetings", kMeetingsService, "localhost", "127.0.0.1"},
        {"issue", certs, "audits", kAuditsService, "localhost", "127.0.0.1"},
        {"issue", certs, "clerk", kClerk},
        {"issue", certs, "stranger", kStranger},
        {"issue", "--cn", kCnOnly, certs, "cn-only", "-"},
        {"init", other},
        {"issue", other, "clerk", kClerk},
    };
    for (const std::vector<std::string>& command : commands) {
      int status = RunTls(command, log);
      if (status != 0) {
        setup_error_ = new std::string(
            absl::StrCat("tools/tls ", command[0], " exited ", status, ":\n", ReadFile(log)));
        return;
      }
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    policy_path_ = data_.path() + "/policy.textproto";
    std::ofstream(policy_path_) << kTestPolicy
                                << absl::StrCat("grants { principal: \"", kCnOnly,
                                                "\" role: \"secretary\" }\n",
                                                "grants { principal: \"", kAuditsService,
                                                "\" role: \"secretary\" }\n");
  }
  void TearDown() override {
    if (runner_ != nullptr) runner_->Shutdown(absl::Seconds(5));
  }

  static std::string Cert(const std::string& name) { return Certs() + "/" + name + ".pem"; }
  static std::string Key(const std::string& name) { return Certs() + "/" + name + ".key"; }
  static std::string Certs() { return dir_->path() + "/certs"; }

  // The meetings service's configuration: TLS with its certificate and the
  // test CA as the client CA.
  ServerConfig TlsConfig() const {
    ServerConfig config;
    config.service = "meetings";
    config.listen = "127.0.0.1:0";
    config.data_dir = data_.path() + "/data";
    config.redis = redis_.address();
    config.tls_cert = Cert("meetings");
    config.tls_key = Key("meetings");
    config.tls_client_ca = Cert("ca");
    config.auth.policy_path = policy_path_;
    return config;
  }

  void StartMeetings(ServerConfig config) {
    runner_ = std::make_unique<ServerRunner>(std::move(config), meetings::NewMeetingsService());
    absl::Status status = runner_->Start();
    ASSERT_TRUE(status.ok()) << status;
  }
  std::string Address() const { return absl::StrCat("127.0.0.1:", runner_->port()); }

  // A stub over mTLS that trusts `ca_dir`'s CA and presents `name`'s
  // certificate from there (none when `name` is empty).
  std::unique_ptr<Stub> StubWith(const std::string& name, const std::string& ca_dir = "") {
    std::string dir = ca_dir.empty() ? Certs() : ca_dir;
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(Cert("ca"));  // the server's CA, always
    if (!name.empty()) {
      options.pem_cert_chain = ReadFile(dir + "/" + name + ".pem");
      options.pem_private_key = ReadFile(dir + "/" + name + ".key");
    }
    return meetings::v1::MeetingsService::NewStub(
        grpc::CreateChannel(Address(), grpc::SslCredentials(options)));
  }

  static grpc::Status CreateMunicipality(Stub* stub, const std::string& code,
                                         const std::string& header_principal = "") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!header_principal.empty()) context.AddMetadata(kPrincipalHeader, header_principal);
    meetings::v1::CreateMunicipalityRequest request;
    request.set_municipality_id(code);
    request.mutable_municipality()->set_display_name("Kommun " + code);
    meetings::v1::Municipality created;
    return stub->CreateMunicipality(&context, request, &created);
  }

  // The audit records of the service, read over mTLS as the clerk (operator).
  std::vector<auth::v1::AuditRecord> AuditRecords() {
    std::unique_ptr<Stub> stub = StubWith("clerk");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auth::v1::ListAuditRecordsRequest request;
    request.set_page_size(1000);
    auth::v1::ListAuditRecordsResponse response;
    grpc::Status status = stub->ListAuditRecords(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.audit_records().begin(), response.audit_records().end()};
  }

  // Whether municipalities/<code> exists (read as the clerk).
  bool MunicipalityExists(const std::string& code) {
    std::unique_ptr<Stub> stub = StubWith("clerk");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    meetings::v1::GetMunicipalityRequest request;
    request.set_name("municipalities/" + code);
    meetings::v1::Municipality municipality;
    grpc::Status status = stub->GetMunicipality(&context, request, &municipality);
    EXPECT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::NOT_FOUND)
        << status.error_message();
    return status.ok();
  }

  static TempDir* dir_;
  static std::string* setup_error_;
  TempDir data_;
  RedisServer redis_;
  std::string policy_path_;
  std::unique_ptr<ServerRunner> runner_;
};

TempDir* TlsTest::dir_ = nullptr;
std::string* TlsTest::setup_error_ = nullptr;

TEST_F(TlsTest, UriSanNamesThePrincipal) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  grpc::Status status = CreateMunicipality(StubWith("clerk").get(), "2584");
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<auth::v1::AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].principal(), kClerk);
  EXPECT_EQ(records[0].method(), kCreateMunicipality);
  EXPECT_EQ(records[0].resource(), "municipalities/2584");
  EXPECT_THAT(records[0].peer(), HasSubstr("127.0.0.1"));
}

TEST_F(TlsTest, CommonNameIsThePrincipalWithoutUriSan) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  grpc::Status status = CreateMunicipality(StubWith("cn-only").get(), "2580");
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<auth::v1::AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].principal(), kCnOnly);
}

TEST_F(TlsTest, NoClientCertificateIsRefusedAtTheHandshake) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  grpc::Status status = CreateMunicipality(StubWith("").get(), "2584");
  // The server requires a client certificate: the TLS handshake fails, so
  // the call never reaches the service.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_FALSE(MunicipalityExists("2584"));
  EXPECT_TRUE(AuditRecords().empty());
}

TEST_F(TlsTest, CertificateOfAnotherCaIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  // The clerk's URI, but signed by a CA the service does not trust.
  grpc::Status status =
      CreateMunicipality(StubWith("clerk", dir_->path() + "/other").get(), "2584");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_FALSE(MunicipalityExists("2584"));
  EXPECT_TRUE(AuditRecords().empty());
}

TEST_F(TlsTest, PrincipalWithoutGrantsIsDenied) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  grpc::Status status = CreateMunicipality(StubWith("stranger").get(), "2584");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("secretary"));
  EXPECT_THAT(status.error_message(), HasSubstr(kStranger));
  EXPECT_FALSE(MunicipalityExists("2584"));
  EXPECT_TRUE(AuditRecords().empty());
}

TEST_F(TlsTest, PrincipalHeaderIsIgnoredUnderTls) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  // A stranger's certificate, and a header claiming to be the clerk.
  grpc::Status status = CreateMunicipality(StubWith("stranger").get(), "2584", kClerk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(kStranger));
  EXPECT_FALSE(MunicipalityExists("2584"));
  EXPECT_TRUE(AuditRecords().empty());
}

TEST_F(TlsTest, WithoutClientCaNoCallerHasAnIdentity) {
  ServerConfig config = TlsConfig();
  config.tls_client_ca.clear();
  ASSERT_NO_FATAL_FAILURE(StartMeetings(config));
  // The clerk presents its certificate, but the server neither asks for
  // nor verifies it: no identity.
  grpc::Status status = CreateMunicipality(StubWith("clerk").get(), "2584");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  status = CreateMunicipality(StubWith("clerk").get(), "2584", kClerk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
}

TEST_F(TlsTest, PeerChannelCallsWithTheServiceCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartMeetings(TlsConfig()));
  // The audits service's configuration, as LoadConfig would make it.
  ServerConfig audits;
  audits.service = "audits";
  audits.tls_cert = Cert("audits");
  audits.tls_key = Key("audits");
  audits.tls_client_ca = Cert("ca");
  audits.peers["meetings"] = Address();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = PeerChannel(audits, "meetings");
  ASSERT_TRUE(channel.ok()) << channel.status();
  std::unique_ptr<Stub> stub = meetings::v1::MeetingsService::NewStub(*channel);
  grpc::Status status = CreateMunicipality(stub.get(), "2584");
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<auth::v1::AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].principal(), kAuditsService);
  EXPECT_EQ(PeerChannel(audits, "finance").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TlsTest, PeerChannelInInsecureModeSendsTheServicePrincipal) {
  ServerConfig config = TlsConfig();
  config.tls_cert.clear();
  config.tls_key.clear();
  config.tls_client_ca.clear();
  config.insecure = true;
  ASSERT_NO_FATAL_FAILURE(StartMeetings(config));
  ServerConfig audits;
  audits.service = "audits";
  audits.insecure = true;
  audits.peers["meetings"] = Address();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = PeerChannel(audits, "meetings");
  ASSERT_TRUE(channel.ok()) << channel.status();
  grpc::Status status =
      CreateMunicipality(meetings::v1::MeetingsService::NewStub(*channel).get(), "2584");
  ASSERT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, StartRefusesPlaintextWithoutInsecure) {
  ServerConfig config = TlsConfig();
  config.tls_cert.clear();
  config.tls_key.clear();
  runner_ = std::make_unique<ServerRunner>(config, meetings::NewMeetingsService());
  absl::Status status = runner_->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("ENAMND_TLS_CERT"));
  EXPECT_THAT(status.message(), HasSubstr("ENAMND_INSECURE"));
}

TEST_F(TlsTest, StartRefusesAnUnreadableCertificate) {
  ServerConfig config = TlsConfig();
  config.tls_cert = data_.path() + "/missing.pem";
  runner_ = std::make_unique<ServerRunner>(config, meetings::NewMeetingsService());
  absl::Status status = runner_->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("ENAMND_TLS_CERT"));
  EXPECT_THAT(status.message(), HasSubstr("missing.pem"));
}

TEST_F(TlsTest, InsecureNeedsLoopbackUnlessAnyAddressIsAllowed) {
  ServerConfig config;
  config.insecure = true;
  config.listen = "127.0.0.1:0";
  EXPECT_TRUE(ServerCredentialsOf(config).ok());
  config.listen = "[::1]:0";
  EXPECT_TRUE(ServerCredentialsOf(config).ok());
  config.listen = "localhost:0";
  EXPECT_TRUE(ServerCredentialsOf(config).ok());
  config.listen = "0.0.0.0:0";
  absl::Status status = ServerCredentialsOf(config).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("ENAMND_INSECURE_ANY_ADDRESS"));
  config.listen = "10.1.2.3:50051";
  EXPECT_EQ(ServerCredentialsOf(config).status().code(), absl::StatusCode::kFailedPrecondition);
  config.insecure_any_address = true;
  EXPECT_TRUE(ServerCredentialsOf(config).ok());
  config.listen = "0.0.0.0:0";
  EXPECT_TRUE(ServerCredentialsOf(config).ok());
  // Plaintext and a certificate at once is a mistake, not a choice.
  config.tls_cert = Cert("meetings");
  EXPECT_EQ(ServerCredentialsOf(config).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, InsecureOnAnyAddressDoesNotStart) {
  ServerConfig config = TlsConfig();
  config.tls_cert.clear();
  config.tls_key.clear();
  config.tls_client_ca.clear();
  config.insecure = true;
  config.listen = "0.0.0.0:0";
  runner_ = std::make_unique<ServerRunner>(config, meetings::NewMeetingsService());
  absl::Status status = runner_->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("ENAMND_INSECURE_ANY_ADDRESS"));
}

TEST_F(TlsTest, LoadConfigReadsTheTransportSettings) {
  ScopedEnv cert("ENAMND_TLS_CERT", "/etc/enamnd/meetings.pem");
  ScopedEnv key("ENAMND_TLS_KEY", "/etc/enamnd/meetings.key");
  ScopedEnv ca("ENAMND_TLS_CLIENT_CA", "/etc/enamnd/ca.pem");
  ScopedEnv policy("ENAMND_POLICY", "/etc/enamnd/policy.textproto");
  ScopedEnv insecure("ENAMND_INSECURE", nullptr);
  ScopedEnv any("ENAMND_INSECURE_ANY_ADDRESS", nullptr);
  absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tls_cert, "/etc/enamnd/meetings.pem");
  EXPECT_EQ(config->tls_key, "/etc/enamnd/meetings.key");
  EXPECT_EQ(config->tls_client_ca, "/etc/enamnd/ca.pem");
  EXPECT_EQ(config->auth.policy_path, "/etc/enamnd/policy.textproto");
  EXPECT_FALSE(config->insecure);
  EXPECT_FALSE(config->insecure_any_address);
}

TEST_F(TlsTest, LoadConfigReadsInsecureAndRefusesNonsense) {
  ScopedEnv cert("ENAMND_TLS_CERT", nullptr);
  ScopedEnv listen("ENAMND_LISTEN", "0.0.0.0:50051");
  {
    ScopedEnv insecure("ENAMND_INSECURE", "true");
    ScopedEnv any("ENAMND_INSECURE_ANY_ADDRESS", nullptr);
    absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(config->insecure);
    EXPECT_FALSE(config->insecure_any_address);
    // Plaintext on 0.0.0.0 without ENAMND_INSECURE_ANY_ADDRESS: refused.
    EXPECT_EQ(ServerCredentialsOf(*config).status().code(), absl::StatusCode::kFailedPrecondition);
  }
  {
    ScopedEnv insecure("ENAMND_INSECURE", "true");
    ScopedEnv any("ENAMND_INSECURE_ANY_ADDRESS", "true");
    absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(config->insecure_any_address);
    EXPECT_TRUE(ServerCredentialsOf(*config).ok());
  }
  {
    ScopedEnv insecure("ENAMND_INSECURE", "maybe");
    absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr("ENAMND_INSECURE"));
  }
  {
    // Nothing set: no plaintext.
    ScopedEnv insecure("ENAMND_INSECURE", nullptr);
    absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_FALSE(config->insecure);
    EXPECT_EQ(ServerCredentialsOf(*config).status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace enamnd::platform
