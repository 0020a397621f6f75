// A service in-process on 127.0.0.1:0, with its SQLite file in a temp dir
// and a real redis-server, and a stub to it; and a GoogleTest fixture of
// one such service. Tests of several services hold several InProcess.
#ifndef ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_
#define ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/auth/v1/auth.pb.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "services/platform/database.h"
#include "services/platform/server.h"
#include "tests/support/builders.h"
#include "tests/support/principals.h"
#include "tests/support/redis_server.h"

namespace enamnd::testing {

// Whether the gRPC method at `path` ("/enamnd.meetings.v1.MeetingsService/
// RecordDecision") changes something: its (enamnd.auth.v1.policy) is not
// read_only. Unknown methods (health, reflection) do not.
inline bool IsWriteMethod(const std::string& path) {
  std::string dotted = path.substr(path.empty() || path[0] != '/' ? 0 : 1);
  size_t slash = dotted.rfind('/');
  if (slash == std::string::npos) return false;
  dotted[slash] = '.';
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
  return method != nullptr && method->options().HasExtension(auth::v1::policy) &&
         !method->options().GetExtension(auth::v1::policy).read_only();
}

// A client interceptor that names the caller (platform::kPrincipalHeader,
// as platform::InsecureChannelAs does) and counts the calls of write
// methods that returned OK: each must have left exactly one audit record.
class CountingPrincipalInterceptor : public grpc::experimental::Interceptor {
 public:
  CountingPrincipalInterceptor(std::string principal, bool writes,
                               std::shared_ptr<std::atomic<int64_t>> ok_writes)
      : principal_(std::move(principal)), writes_(writes), ok_writes_(std::move(ok_writes)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({platform::kPrincipalHeader, principal_});
    }
    if (writes_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS) &&
        methods->GetRecvStatus()->ok()) {
      ok_writes_->fetch_add(1);
    }
    methods->Proceed();
  }

 private:
  std::string principal_;
  bool writes_;
  std::shared_ptr<std::atomic<int64_t>> ok_writes_;
};

class CountingPrincipalFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  CountingPrincipalFactory(std::string principal, std::shared_ptr<std::atomic<int64_t>> ok_writes)
      : principal_(std::move(principal)), ok_writes_(std::move(ok_writes)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new CountingPrincipalInterceptor(principal_, IsWriteMethod(info->method()), ok_writes_);
  }

 private:
  std::string principal_;
  std::shared_ptr<std::atomic<int64_t>> ok_writes_;
};

// `GrpcService` is the generated service class, e.g.
// enamnd::meetings::v1::MeetingsService.
template <typename GrpcService>
class InProcess {
 public:
  using Factory = std::function<std::unique_ptr<platform::Service>()>;

  InProcess(std::string name, Factory factory, std::string data_dir, std::string redis)
      : name_(std::move(name)),
        factory_(std::move(factory)),
        data_dir_(std::move(data_dir)),
        redis_(std::move(redis)) {}
  ~InProcess() { Stop(); }

  // Changes the configuration of the next Start (limits, policy path...).
  void Configure(std::function<void(platform::ServerConfig*)> edit) {
    configure_ = std::move(edit);
  }

  // Starts (or restarts) the service on its same data.
  absl::Status Start() {
    platform::ServerConfig config;
    config.service = name_;
    config.listen = "127.0.0.1:0";
    config.data_dir = data_dir_;
    config.redis = redis_;
    config.insecure = true;
    config.auth.policy_path = WriteTestPolicy(absl::StrCat(data_dir_, "/policy.textproto"));
    if (configure_) configure_(&config);
    platform::OutboxRelay::Options relay;
    relay.poll_interval = absl::Milliseconds(50);
    relay.backoff_max = absl::Milliseconds(200);
    runner_ = std::make_unique<platform::ServerRunner>(config, factory_(), relay);
    absl::Status status = runner_->Start();
    if (!status.ok()) return status;
    started_ = true;
    channel_ = ChannelAs(kClerk);
    stub_ = GrpcService::NewStub(channel_);
    return absl::OkStatus();
  }

  // Stops the service; first checks that every write call of stub() and
  // StubAs() that returned OK (since the first Start) left exactly one
  // audit record.
  void Stop() {
    if (started_ && !::testing::Test::HasFatalFailure()) ExpectOneAuditRecordPerWrite();
    started_ = false;
    stub_.reset();
    channel_.reset();
    if (runner_ != nullptr) runner_->Shutdown(absl::Seconds(5));
    runner_.reset();
  }

  // A stub calling as the clerk (every staff role).
  typename GrpcService::Stub* stub() { return stub_.get(); }
  // A stub calling as `principal` (tests/support/principals.h).
  std::unique_ptr<typename GrpcService::Stub> StubAs(const std::string& principal) {
    return GrpcService::NewStub(ChannelAs(principal));
  }
  // A plaintext channel calling as `principal` whose successful writes are
  // counted (see Stop).
  std::shared_ptr<grpc::Channel> ChannelAs(const std::string& principal) {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<CountingPrincipalFactory>(principal, ok_writes_));
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        address(), grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
        std::move(factories));
  }
  // Write calls through stub(), StubAs() and ChannelAs() that returned OK.
  int64_t ok_writes() const { return ok_writes_->load(); }
  // A write call that failed after storing part of its work (a client
  // stream refused midway) has left its audit record too.
  void CountFailedCallThatWrote() { ok_writes_->fetch_add(1); }
  // The service's audit records, counted through ListAuditRecords as the
  // operator (every page); from the SQLite file when the service no
  // longer answers (a test shut it down). -1 when neither works.
  int64_t AuditRecordCount() {
    auto stub = GrpcService::NewStub(platform::InsecureChannelAs(address(), kOperator));
    auth::v1::ListAuditRecordsRequest request;
    request.set_page_size(1000);
    int64_t count = 0;
    while (true) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      auth::v1::ListAuditRecordsResponse response;
      grpc::Status status = stub->ListAuditRecords(&context, request, &response);
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE) return AuditRecordCountInFile();
      EXPECT_TRUE(status.ok()) << "ListAuditRecords: " << status.error_message();
      if (!status.ok()) return -1;
      count += response.audit_records_size();
      if (response.next_page_token().empty()) return count;
      request.set_page_token(response.next_page_token());
    }
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", runner_->port()); }
  platform::ServerRunner* runner() { return runner_.get(); }
  const std::string& data_dir() const { return data_dir_; }

 private:
  void ExpectOneAuditRecordPerWrite() {
    int64_t records = AuditRecordCount();
    EXPECT_EQ(records, ok_writes())
        << "the " << name_ << " service has " << records << " audit records, but the test's "
        << "stubs saw " << ok_writes() << " write calls return OK: every successful mutation "
        << "must leave exactly one audit record (platform::CommitAudited), and nothing else may";
  }
  int64_t AuditRecordCountInFile() {
    auto db = platform::Database::Open(absl::StrCat(data_dir_, "/", name_, ".db"), {});
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return -1;
    auto tx = (*db)->BeginRead();
    EXPECT_TRUE(tx.ok()) << tx.status();
    if (!tx.ok()) return -1;
    auto row = tx->QueryOne("SELECT COUNT(*) FROM audit_records");
    EXPECT_TRUE(row.ok() && row->has_value()) << row.status();
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  std::string name_;
  Factory factory_;
  std::string data_dir_;
  std::string redis_;
  std::function<void(platform::ServerConfig*)> configure_;
  bool started_ = false;
  std::shared_ptr<std::atomic<int64_t>> ok_writes_ = std::make_shared<std::atomic<int64_t>>(0);
  std::unique_ptr<platform::ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename GrpcService::Stub> stub_;
};

// A fixture with one service: subclasses pass its name and factory, e.g.
//   class MeetingsFixture
//       : public ServiceFixture<v1::MeetingsService> {
//     MeetingsFixture() : ServiceFixture("meetings", NewMeetingsService) {}
//   };
template <typename GrpcService>
class ServiceFixture : public ::testing::Test {
 protected:
  ServiceFixture(std::string name, typename InProcess<GrpcService>::Factory factory)
      : service_(std::move(name), std::move(factory), dir_.path(), redis_.address()) {}

  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }
  void StartServer() {
    absl::Status status = service_.Start();
    ASSERT_TRUE(status.ok()) << status;
    stub_ = service_.stub();
  }
  void StopServer() {
    stub_ = nullptr;
    service_.Stop();
  }
  platform::ServerRunner* runner() { return service_.runner(); }

  TempDir dir_;
  RedisServer redis_;
  InProcess<GrpcService> service_;
  typename GrpcService::Stub* stub_ = nullptr;
};

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_
