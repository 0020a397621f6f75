// The small platform pieces every service uses: enum names in errors and
// filters, request-id replay, consumer names.
#include <unistd.h>

#include <optional>
#include <string>

#include "enamnd/meetings/v1/meetings.pb.h"
#include "gtest/gtest.h"
#include "services/platform/enums.h"
#include "services/platform/outbox.h"
#include "services/platform/redis.h"
#include "services/platform/requests.h"
#include "services/platform/resource_name.h"
#include "services/platform/server.h"
#include "services/platform/service_kit.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::platform {
namespace {

const google::protobuf::EnumDescriptor* States() {
  return meetings::v1::Meeting::State_descriptor();
}

TEST(EnumsTest, ChoicesListEveryValueButTheUnspecifiedOne) {
  EXPECT_EQ(EnumChoices(States()), "STATE_PLANNED, STATE_HELD or STATE_CANCELLED");
}

TEST(EnumsTest, ZeroIsRequiredAndNamesTheField) {
  absl::Status status = RequireEnumValue(0, States(), "meeting.state");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "meeting.state: required: STATE_PLANNED, STATE_HELD or STATE_CANCELLED");
}

TEST(EnumsTest, UnknownNumberIsRejected) {
  EXPECT_EQ(RequireEnumValue(99, States(), "meeting.state").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(RequireEnumValue(meetings::v1::Meeting::STATE_HELD, States(), "x").ok());
}

TEST(EnumsTest, ParsesFullNamesOnly) {
  EXPECT_EQ(*ParseEnumValue("STATE_HELD", States(), "filter.state"),
            meetings::v1::Meeting::STATE_HELD);
  absl::StatusOr<int> short_name = ParseEnumValue("HELD", States(), "filter.state");
  EXPECT_EQ(short_name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(short_name.status().message().find("filter.state: \"HELD\""), std::string::npos);
  EXPECT_FALSE(ParseEnumValue("STATE_UNSPECIFIED", States(), "f").ok());
}

TEST(ServiceKitTest, ConsumerNameIsTheGroupAndTheHost) {
  char host[256] = {0};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_EQ(ConsumerName("audits"), std::string("audits-") + host);
  EXPECT_EQ(EventStream("projects"), "enamnd:events:projects");
}

TEST(RedisAddressTest, UnixSocketsAndHostsWithPorts) {
  auto unix_socket = ParseRedisAddress("unix:///run/redis/redis.sock");
  ASSERT_TRUE(unix_socket.ok());
  EXPECT_TRUE(unix_socket->is_unix);
  EXPECT_EQ(unix_socket->path, "/run/redis/redis.sock");
  for (const char* text : {"tcp://redis:6380", "redis://redis:6380", "redis:6380"}) {
    auto tcp = ParseRedisAddress(text);
    ASSERT_TRUE(tcp.ok()) << text;
    EXPECT_EQ(tcp->host, "redis") << text;
    EXPECT_EQ(tcp->port, 6380) << text;
  }
  auto default_port = ParseRedisAddress("tcp://redis");
  ASSERT_TRUE(default_port.ok());
  EXPECT_EQ(default_port->port, 6379);
}

TEST(RedisAddressTest, BadAddressesAreRefused) {
  for (const char* text : {"unix://", "tcp://:6379", "tcp://redis:0", "tcp://redis:65536",
                           "tcp://redis:port", "tcp://a:1:2"}) {
    EXPECT_EQ(ParseRedisAddress(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ResourceNameTest, MatchReturnsTheVariablesInOrder) {
  auto parts =
      MatchName("bodies/e-namnden/meetings/2022-06-22", "bodies/{body}/meetings/{meeting}", "name");
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(*parts, (std::vector<std::string>{"e-namnden", "2022-06-22"}));
}

TEST(ResourceNameTest, MismatchNamesTheFieldAndThePattern) {
  for (const char* text : {"bodies/e-namnden", "bodies/e-namnden/meetings/", "bodies//meetings/x",
                           "organs/e-namnden/meetings/x", "bodies/a/meetings/b/c"}) {
    auto parts = MatchName(text, "bodies/{body}/meetings/{meeting}", "parent");
    EXPECT_EQ(parts.status().message(), "parent: must be bodies/{body}/meetings/{meeting}") << text;
  }
}

TEST(ResourceNameTest, NumbersHaveOneSpelling) {
  EXPECT_EQ(*ParseNameNumber("8", 1, 100000, "name", "paragraph number"), 8);
  for (const char* text : {"08", "+8", "-8", "", "8a", "0", "100001", "99999999999999999999"}) {
    EXPECT_FALSE(ParseNameNumber(text, 1, 100000, "name", "paragraph number").ok()) << text;
  }
}

// Request ids against a real database with the platform's request_ids table.
class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(
        dir_.path() + "/t.db",
        {PlatformMigrations(), {"test", {"CREATE TABLE things (name TEXT PRIMARY KEY);"}}});
    ASSERT_NE(db_, nullptr);
  }

  // Creates `name` unless `request_id` made something before; returns what
  // the call answers.
  std::string Create(const std::string& request_id, const std::string& name) {
    auto tx = db_->Begin();
    EXPECT_TRUE(tx.ok());
    auto get = [&](const std::string& n) -> absl::StatusOr<std::optional<std::string>> {
      auto row = tx->QueryOne("SELECT name FROM things WHERE name = ?1", {n});
      if (!row.ok()) return row.status();
      if (!row->has_value()) return std::optional<std::string>();
      return std::optional<std::string>((*row)->Text(0));
    };
    std::string response;
    auto replayed = ReplayOrRemember(*tx, "CreateThing", request_id, name, get, &response);
    EXPECT_TRUE(replayed.ok()) << replayed.status();
    if (*replayed) return response;
    EXPECT_TRUE(tx->Exec("INSERT INTO things (name) VALUES (?1)", {name}).ok());
    EXPECT_TRUE(tx->Commit().ok());
    return name;
  }

  int64_t Count() {
    auto tx = db_->BeginRead();
    return (*tx->QueryOne("SELECT COUNT(*) FROM things"))->Int(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(ReplayTest, RetryReturnsWhatTheFirstCallMade) {
  EXPECT_EQ(Create("r1", "things/a"), "things/a");
  EXPECT_EQ(Create("r1", "things/b"), "things/a");
  EXPECT_EQ(Count(), 1);
}

TEST_F(ReplayTest, EmptyRequestIdIsNeverRemembered) {
  Create("", "things/a");
  Create("", "things/b");
  EXPECT_EQ(Count(), 2);
}

TEST_F(ReplayTest, RolledBackCreateLeavesNoRequestId) {
  {
    auto tx = db_->Begin();
    std::string unused;
    auto get = [](const std::string&) -> absl::StatusOr<std::optional<std::string>> {
      return std::optional<std::string>();
    };
    ASSERT_FALSE(*ReplayOrRemember(*tx, "CreateThing", "r2", "things/x", get, &unused));
  }  // rolled back
  EXPECT_EQ(Create("r2", "things/y"), "things/y");
}

}  // namespace
}  // namespace enamnd::platform
