// Policy reload (a changed file changes who is admitted; a broken one
// leaves the previous policy in force) and the limits: the write rate per
// principal, open WatchDecisions streams per principal, the 4 MiB message.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/security/fixture.h"

namespace enamnd::security {
namespace {

using enamnd::testing::Call;
using enamnd::testing::kClerk;
using enamnd::testing::kEServicePlatform;
using enamnd::testing::kPublicReader;
using enamnd::testing::kSecretary;
using enamnd::testing::kStranger;
using enamnd::testing::kSystem2584;
using MeetingsStub = mv1::MeetingsService::Stub;

grpc::Status ListMunicipalities(MeetingsStub* stub) {
  mv1::ListMunicipalitiesRequest request;
  mv1::ListMunicipalitiesResponse out;
  return Call(stub, &MeetingsStub::ListMunicipalities, request, &out);
}

mv1::CreateMunicipalityRequest NewMunicipality(const std::string& code) {
  mv1::CreateMunicipalityRequest request;
  request.set_municipality_id(code);
  request.mutable_municipality()->set_display_name("Kommun " + code);
  return request;
}

// ------------------------------------------------------------ reload

class ReloadTest : public SecurityFixture {
 protected:
  void WritePolicy(const std::string& text) {
    std::ofstream(meetings_service_.data_dir() + "/policy.textproto", std::ios::trunc) << text;
  }
};

TEST_F(ReloadTest, ChangedPolicyChangesWhoIsAdmitted) {
  MeetingsStubPtr stranger = MeetingsAs(kStranger);
  MeetingsStubPtr reader = MeetingsAs(kPublicReader);
  EXPECT_EQ(ListMunicipalities(stranger.get()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(ListMunicipalities(reader.get()).ok());

  // The stranger becomes a public reader; the public reader is gone.
  std::string policy = enamnd::testing::kTestPolicy;
  size_t reader_grant = policy.find("grants { principal: \"spiffe://enamnd/person/public-reader\"");
  ASSERT_NE(reader_grant, std::string::npos);
  policy.erase(reader_grant, policy.find('\n', reader_grant) - reader_grant);
  policy += absl::StrCat("grants { principal: \"", kStranger, "\" role: \"public\" }\n");
  WritePolicy(policy);
  absl::Status reloaded = meetings_->ReloadPolicy();
  ASSERT_TRUE(reloaded.ok()) << reloaded;
  EXPECT_TRUE(ListMunicipalities(stranger.get()).ok());
  EXPECT_EQ(ListMunicipalities(reader.get()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Only the meetings service read the new file.
  av1::ListReviewsRequest reviews;
  av1::ListReviewsResponse listed;
  AuditsStubPtr audits_stranger = AuditsAs(kStranger);
  EXPECT_EQ(Call(audits_stranger.get(), &av1::AuditsService::Stub::ListReviews, reviews, &listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pv1::ListInitiativesRequest initiatives;
  pv1::ListInitiativesResponse initiatives_listed;
  ProjectsStubPtr projects_stranger = ProjectsAs(kStranger);
  ProjectsStubPtr projects_reader = ProjectsAs(kPublicReader);
  EXPECT_EQ(Call(projects_stranger.get(), &ProjectsStub::ListInitiatives, initiatives,
                 &initiatives_listed)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      Call(projects_reader.get(), &ProjectsStub::ListInitiatives, initiatives, &initiatives_listed)
          .ok());
}

TEST_F(ReloadTest, BrokenPolicyKeepsThePreviousOneInForce) {
  MeetingsStubPtr reader = MeetingsAs(kPublicReader);
  MeetingsStubPtr stranger = MeetingsAs(kStranger);
  const std::string path = meetings_service_.data_dir() + "/policy.textproto";
  struct Broken {
    std::string text;
    std::string names;
  };
  for (const Broken& broken :
       {Broken{"grants { principal: \"*\" role: \"public\" }\ngrants { principal: ", "line 2"},
        Broken{"grants { principal: \"*\" role: \"root\" }", "grants[0].role"},
        Broken{"grants { principal: \"*\" role: \"auditor\" municipalities: \"25\" }",
               "grants[0].municipalities"}}) {
    WritePolicy(broken.text);
    absl::Status reloaded = meetings_->ReloadPolicy();
    EXPECT_EQ(reloaded.code(), absl::StatusCode::kInvalidArgument) << reloaded;
    EXPECT_TRUE(absl::StrContains(reloaded.message(), path)) << reloaded;
    EXPECT_TRUE(absl::StrContains(reloaded.message(), broken.names)) << reloaded;
    // The policy read at start still decides.
    EXPECT_TRUE(ListMunicipalities(reader.get()).ok());
    EXPECT_EQ(ListMunicipalities(stranger.get()).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // A missing file too.
  std::remove(path.c_str());
  EXPECT_FALSE(meetings_->ReloadPolicy().ok());
  EXPECT_TRUE(ListMunicipalities(reader.get()).ok());
}

// ------------------------------------------------------------ limits

// One meetings service with limits small enough to reach in a test.
class LimitsTest : public ::testing::Test {
 protected:
  virtual void Limit(platform::ServerConfig* config) = 0;
  void SetUp() override {
    service_.Configure([this](platform::ServerConfig* config) { Limit(config); });
    absl::Status started = service_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  void TearDown() override { service_.Stop(); }

  int64_t AuditRecords() {
    auto tx = service_.runner()->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM audit_records");
    return (*row)->Int(0);
  }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  enamnd::testing::InProcess<mv1::MeetingsService> service_{
      "meetings", meetings::NewMeetingsService, dir_.path(), redis_.address()};
};

class RateLimitTest : public LimitsTest {
 protected:
  void Limit(platform::ServerConfig* config) override {
    config->auth.write_rate_per_second = 0.001;  // no refill within a test
    config->auth.write_burst = 2;
  }
};

TEST_F(RateLimitTest, WritesOverTheRateAreRefusedAndWriteNothing) {
  mv1::Municipality out;
  ASSERT_TRUE(
      Call(service_.stub(), &MeetingsStub::CreateMunicipality, NewMunicipality("2584"), &out).ok());
  ASSERT_TRUE(
      Call(service_.stub(), &MeetingsStub::CreateMunicipality, NewMunicipality("2523"), &out).ok());
  grpc::Status third =
      Call(service_.stub(), &MeetingsStub::CreateMunicipality, NewMunicipality("2580"), &out);
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << third.error_message();
  EXPECT_TRUE(absl::StrContains(third.error_message(), kClerk)) << third.error_message();
  EXPECT_TRUE(absl::StrContains(third.error_message(), "write rate")) << third.error_message();
  // Nothing written; reads are not limited.
  mv1::GetMunicipalityRequest get;
  get.set_name("municipalities/2580");
  EXPECT_EQ(Call(service_.stub(), &MeetingsStub::GetMunicipality, get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(ListMunicipalities(service_.stub()).ok());
  EXPECT_EQ(AuditRecords(), 2);
  // A refused write does not wait in line: still refused.
  EXPECT_EQ(Call(service_.stub(), &MeetingsStub::CreateMunicipality, NewMunicipality("2580"), &out)
                .error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Each principal has its own bucket.
  auto secretary = service_.StubAs(kSecretary);
  EXPECT_TRUE(
      Call(secretary.get(), &MeetingsStub::CreateMunicipality, NewMunicipality("2580"), &out).ok());
  EXPECT_EQ(AuditRecords(), 3);
}

// An open WatchDecisions stream of one principal.
class Watch {
 public:
  explicit Watch(MeetingsStub* stub) {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    mv1::WatchDecisionsRequest request;
    reader_ = stub->WatchDecisions(&context_, request);
  }
  ~Watch() { Close(); }
  // The first event, which shows the stream is open and counted.
  bool ReadOne() {
    mv1::WatchDecisionsResponse response;
    return reader_->Read(&response);
  }
  // The status of a stream the server ended.
  grpc::Status Finish() {
    closed_ = true;
    return reader_->Finish();
  }
  void Close() {
    if (closed_) return;
    closed_ = true;
    context_.TryCancel();
    mv1::WatchDecisionsResponse response;
    while (reader_->Read(&response)) {
    }
    (void)reader_->Finish();
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<mv1::WatchDecisionsResponse>> reader_;
  bool closed_ = false;
};

class WatchLimitTest : public LimitsTest {
 protected:
  void Limit(platform::ServerConfig* config) override {
    config->max_watch_streams_per_principal = 2;
  }
};

TEST_F(WatchLimitTest, WatchStreamsPerPrincipalAreBounded) {
  // One decision, so that each open stream receives an event.
  ASSERT_TRUE(enamnd::testing::SeedCommittee(service_.stub()));
  mv1::Paragraph decided =
      enamnd::testing::Decide(service_.stub(), "Nämnden beslutar.", mv1::DECISION_KIND_ADOPT);
  ASSERT_FALSE(decided.name().empty());

  auto system = service_.StubAs(kSystem2584);
  Watch first(system.get()), second(system.get());
  ASSERT_TRUE(first.ReadOne());
  ASSERT_TRUE(second.ReadOne());
  Watch third(system.get());
  EXPECT_FALSE(third.ReadOne());
  grpc::Status refused = third.Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), kSystem2584)) << refused.error_message();

  // Another principal still gets a stream.
  auto platform = service_.StubAs(kEServicePlatform);
  Watch other(platform.get());
  EXPECT_TRUE(other.ReadOne());

  // Closing one frees its place (the server forgets it when the call ends).
  first.Close();
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool reopened = false;
  while (!reopened && absl::Now() < deadline) {
    Watch again(system.get());
    reopened = again.ReadOne();
    if (!reopened) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(reopened);
}

class MessageSizeTest : public LimitsTest {
 protected:
  void Limit(platform::ServerConfig* /*config*/) override {}  // the defaults
};

TEST_F(MessageSizeTest, RequestOverFourMebibytesIsRefused) {
  mv1::CreateMunicipalityRequest request = NewMunicipality("2584");
  request.mutable_municipality()->set_display_name(std::string(5 * 1024 * 1024, 'x'));
  mv1::Municipality out;
  grpc::Status status = Call(service_.stub(), &MeetingsStub::CreateMunicipality, request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_EQ(AuditRecords(), 0);
  // Just under the limit gets to the handler (which bounds the field).
  request.mutable_municipality()->set_display_name(std::string(4 * 1024 * 1024 - 1024, 'x'));
  status = Call(service_.stub(), &MeetingsStub::CreateMunicipality, request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
}

}  // namespace
}  // namespace enamnd::security
