// Redis 7 ACLs (docs/security.md, "Redis ACLs"): the users tools/redis-acl
// writes, against a real redis-server started with its ACL file; the relay
// and the subscriber authenticating with ENAMND_REDIS_USER and
// ENAMND_REDIS_PASSWORD_FILE.
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "enamnd/common/v1/common.pb.h"
#include "gtest/gtest.h"
#include "services/platform/outbox.h"
#include "services/platform/redis.h"
#include "services/platform/server.h"
#include "services/platform/subscriber.h"
#include "tests/support/database.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace enamnd::platform {
namespace {

using enamnd::testing::ChildProcess;
using enamnd::testing::PollUntil;
using enamnd::testing::ReadStream;
using enamnd::testing::RedisServer;
using enamnd::testing::TempDir;

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

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// Runs tools/redis-acl with `args`; returns its exit status.
int RunGenerator(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv = {"/usr/bin/python3", SourceDir() + "/tools/redis-acl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess generator(argv, {}, log);
  return generator.Wait(absl::Seconds(30));
}

bool IsNoPerm(const absl::StatusOr<RedisReply>& reply) {
  return reply.ok() && reply->kind == RedisReply::Kind::kError &&
         absl::StartsWith(reply->str, "NOPERM");
}

bool IsOk(const absl::StatusOr<RedisReply>& reply) {
  return reply.ok() && reply->kind != RedisReply::Kind::kError;
}

std::string Describe(const absl::StatusOr<RedisReply>& reply) {
  if (!reply.ok()) return reply.status().ToString();
  return reply->kind == RedisReply::Kind::kError ? reply->str : "(no error)";
}

class RedisAclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acl_dir_ = dir_.path() + "/acl";
    ASSERT_EQ(RunGenerator({"--dir", acl_dir_}, dir_.path() + "/generator.log"), 0)
        << ReadFile(dir_.path() + "/generator.log");
    redis_ = std::make_unique<RedisServer>(acl_dir_ + "/users.acl", As("admin"));
  }

  RedisCredentials As(const std::string& user) const {
    return {user, acl_dir_ + "/" + user + ".password"};
  }

  std::unique_ptr<RedisConnection> ConnectAs(const std::string& user) {
    auto c = RedisConnection::Connect(redis_->redis_address(As(user)), absl::Seconds(2));
    EXPECT_TRUE(c.ok()) << user << ": " << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  TempDir dir_;
  std::string acl_dir_;
  std::unique_ptr<RedisServer> redis_;
};

TEST_F(RedisAclTest, GeneratorKeepsPasswordsAndWritesPrivateFiles) {
  std::string acl = ReadFile(acl_dir_ + "/users.acl");
  std::string password = ReadFile(acl_dir_ + "/meetings.password");
  ASSERT_EQ(RunGenerator({"--dir", acl_dir_}, dir_.path() + "/generator.log"), 0);
  EXPECT_EQ(ReadFile(acl_dir_ + "/users.acl"), acl);
  EXPECT_EQ(ReadFile(acl_dir_ + "/meetings.password"), password);
  EXPECT_FALSE(absl::StrContains(acl, password.substr(0, 64)))
      << "the ACL file holds hashes, not passwords";
  struct stat st;
  ASSERT_EQ(stat(acl_dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* user :
       {"meetings", "audits", "projects", "contracts", "finance", "kommun-2584", "admin"}) {
    std::string file = acl_dir_ + "/" + user + ".password";
    ASSERT_EQ(stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    auto read = ReadRedisPassword(file);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->size(), 64u) << file;
  }
}

TEST_F(RedisAclTest, NobodyConnectsWithoutAPassword) {
  RedisAddress anonymous = redis_->redis_address(RedisCredentials{});
  auto c = RedisConnection::Connect(anonymous, absl::Seconds(2));
  ASSERT_TRUE(c.ok()) << c.status();
  auto ping = (*c)->Command({"PING"});
  ASSERT_TRUE(ping.ok());
  EXPECT_TRUE(absl::StartsWith(ping->str, "NOAUTH")) << ping->str;
  auto xadd = (*c)->Command({"XADD", "enamnd:events:meetings", "*", "id", "x"});
  ASSERT_TRUE(xadd.ok());
  EXPECT_TRUE(absl::StartsWith(xadd->str, "NOAUTH")) << xadd->str;
}

TEST_F(RedisAclTest, WrongPasswordIsUnauthenticated) {
  WriteFile(dir_.path() + "/wrong", "not-the-password\n");
  auto c = RedisConnection::Connect(
      redis_->redis_address(RedisCredentials{"meetings", dir_.path() + "/wrong"}),
      absl::Seconds(2));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated) << c.status();
  EXPECT_TRUE(absl::StrContains(c.status().message(), "meetings")) << c.status();
  EXPECT_TRUE(absl::StrContains(c.status().message(), "WRONGPASS")) << c.status();
  // Another service's password does not open the meetings user either.
  c = RedisConnection::Connect(
      redis_->redis_address(RedisCredentials{"meetings", acl_dir_ + "/audits.password"}),
      absl::Seconds(2));
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated) << c.status();
}

TEST_F(RedisAclTest, ServiceWritesOnlyItsOwnStream) {
  auto meetings = ConnectAs("meetings");
  ASSERT_NE(meetings, nullptr);
  EXPECT_TRUE(IsOk(meetings->Command({"PING"})));
  auto own = meetings->Command({"XADD", "enamnd:events:meetings", "*", "id", "1"});
  EXPECT_TRUE(IsOk(own)) << Describe(own);
  for (const char* other : {"enamnd:events:audits", "enamnd:events:finance", "other"}) {
    auto r = meetings->Command({"XADD", other, "*", "id", "1"});
    EXPECT_TRUE(IsNoPerm(r)) << other << ": " << Describe(r);
  }
  // A batch of XADDs in one transaction under a WATCH of its stream, as the
  // relay sends it: all on its own stream, or none when one is not.
  auto opened = meetings->Pipeline({{"WATCH", "enamnd:events:meetings"},
                                    {"XINFO", "STREAM", "enamnd:events:meetings"},
                                    {"MULTI"}});
  ASSERT_TRUE(opened.ok()) << opened.status();
  for (const RedisReply& r : *opened) EXPECT_NE(r.kind, RedisReply::Kind::kError) << r.str;
  auto batch = meetings->Exec({{"XADD", "enamnd:events:meetings", "*", "id", "2"},
                               {"XADD", "enamnd:events:meetings", "*", "id", "3"}});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->kind, RedisReply::Kind::kArray) << batch->str;
  ASSERT_TRUE(meetings->Pipeline({{"MULTI"}}).ok());
  auto mixed = meetings->Exec({{"XADD", "enamnd:events:meetings", "*", "id", "4"},
                               {"XADD", "enamnd:events:audits", "*", "id", "4"}});
  ASSERT_TRUE(mixed.ok()) << mixed.status();
  EXPECT_TRUE(IsNoPerm(mixed)) << Describe(mixed);
  EXPECT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 3u);
  EXPECT_TRUE(IsNoPerm(meetings->Command({"WATCH", "enamnd:events:audits"})));
  EXPECT_TRUE(IsNoPerm(meetings->Command({"XINFO", "STREAM", "enamnd:events:audits"})));
  EXPECT_TRUE(IsNoPerm(meetings->Command({"XINFO", "GROUPS", "enamnd:events:meetings"})));
  // What the relay reads to compare the stream with its log.
  auto top = meetings->Command({"XREVRANGE", "enamnd:events:meetings", "+", "-", "COUNT", "1"});
  EXPECT_TRUE(IsOk(top)) << Describe(top);
  // Nothing else, not even on its own stream.
  std::vector<std::vector<std::string>> refused = {
      {"FLUSHALL"},
      {"FLUSHDB"},
      {"CONFIG", "GET", "*"},
      {"CONFIG", "SET", "appendonly", "no"},
      {"KEYS", "*"},
      // (DEBUG is refused before the ACL check: enable-debug-command no.)
      {"EVAL", "return 1", "0"},
      {"CLIENT", "KILL", "TYPE", "normal"},
      {"SCRIPT", "FLUSH"},
      {"SHUTDOWN"},
      {"ACL", "LIST"},
      {"DEL", "enamnd:events:meetings"},
      {"XTRIM", "enamnd:events:meetings", "MAXLEN", "0"},
      {"XDEL", "enamnd:events:meetings", "0-1"},
      {"XRANGE", "enamnd:events:audits", "-", "+"},
      {"XREVRANGE", "enamnd:events:audits", "+", "-"},
      {"RENAME", "enamnd:events:meetings", "other"},
      {"RENAME", "enamnd:events:audits", "enamnd:events:meetings:before-sequence-ids:1"},
      {"XREADGROUP", "GROUP", "meetings", "c", "STREAMS", "enamnd:events:audits", ">"},
      {"SET", "x", "1"},
      {"PUBLISH", "c", "m"},
  };
  for (const auto& argv : refused) {
    auto r = meetings->Command(argv);
    EXPECT_TRUE(IsNoPerm(r)) << argv[0] << ": " << Describe(r);
  }
  EXPECT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 3u);
  // A stream of time-based IDs is set aside under its own name, no other.
  auto aside = meetings->Command(
      {"RENAME", "enamnd:events:meetings", "enamnd:events:meetings:before-sequence-ids:1"});
  EXPECT_TRUE(IsOk(aside)) << Describe(aside);
}

TEST_F(RedisAclTest, ConsumingServiceReadsTheStreamItConsumesButCannotWriteIt) {
  ASSERT_TRUE(
      IsOk(redis_->Command({"XADD", "enamnd:events:meetings", "1-1", "id", "a", "event", "x"})));
  auto audits = ConnectAs("audits");
  ASSERT_NE(audits, nullptr);
  const std::string stream = "enamnd:events:meetings";
  // Exactly what StreamSubscriber sends.
  auto r = audits->Command({"XGROUP", "CREATE", stream, "audits", "0", "MKSTREAM"});
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  r = audits->Command(
      {"XREADGROUP", "GROUP", "audits", "c1", "COUNT", "10", "STREAMS", stream, "0"});
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  r = audits->Command(
      {"XREADGROUP", "GROUP", "audits", "c1", "COUNT", "10", "BLOCK", "1", "STREAMS", stream, ">"});
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  r = audits->Command({"XAUTOCLAIM", stream, "audits", "c2", "0", "0-0", "COUNT", "10"});
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  r = audits->Command({"XACK", stream, "audits", "1-1"});
  ASSERT_TRUE(IsOk(r)) << Describe(r);
  EXPECT_EQ(r->integer, 1);
  r = audits->Command({"XINFO", "GROUPS", stream});  // pending and lag, for metrics
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  // Its own stream: publish only.
  r = audits->Command({"XADD", "enamnd:events:audits", "*", "id", "b"});
  EXPECT_TRUE(IsOk(r)) << Describe(r);
  std::vector<std::vector<std::string>> refused = {
      {"XADD", stream, "*", "id", "forged"},
      {"XDEL", stream, "1-1"},
      {"XTRIM", stream, "MAXLEN", "0"},
      {"DEL", stream},
      {"XGROUP", "DESTROY", stream, "audits"},
      {"XGROUP", "SETID", stream, "audits", "0"},
      {"XGROUP", "CREATE", "enamnd:events:finance", "audits", "0", "MKSTREAM"},
      {"XREADGROUP", "GROUP", "audits", "c1", "STREAMS", "enamnd:events:projects", ">"},
      {"FLUSHALL"},
      {"CONFIG", "GET", "*"},
  };
  for (const auto& argv : refused) {
    r = audits->Command(argv);
    EXPECT_TRUE(IsNoPerm(r)) << argv[0] << " " << argv[1] << ": " << Describe(r);
  }
}

TEST_F(RedisAclTest, OutsideSubscriberReadsAndAcksButCannotWrite) {
  ASSERT_TRUE(IsOk(redis_->Command({"XADD", "enamnd:events:meetings", "1-1", "id", "a"})));
  ASSERT_TRUE(IsOk(redis_->Command({"XADD", "enamnd:events:audits", "1-1", "id", "b"})));
  auto kommun = ConnectAs("kommun-2584");
  ASSERT_NE(kommun, nullptr);
  for (const char* stream : {"enamnd:events:meetings", "enamnd:events:audits"}) {
    std::vector<std::vector<std::string>> allowed = {
        {"XRANGE", stream, "-", "+"},
        {"XLEN", stream},
        {"XINFO", "STREAM", stream},
        {"XGROUP", "CREATE", stream, "kommun-2584", "0"},
        {"XREADGROUP", "GROUP", "kommun-2584", "system", "COUNT", "10", "STREAMS", stream, ">"},
        {"XPENDING", stream, "kommun-2584"},
        {"XACK", stream, "kommun-2584", "1-1"},
        {"XAUTOCLAIM", stream, "kommun-2584", "system", "0", "0-0"},
        {"XINFO", "GROUPS", stream},
    };
    for (const auto& argv : allowed) {
      auto r = kommun->Command(argv);
      EXPECT_TRUE(IsOk(r)) << argv[0] << " " << argv[1] << " " << stream << ": " << Describe(r);
    }
    std::vector<std::vector<std::string>> refused = {
        {"XADD", stream, "*", "id", "forged"},
        {"XDEL", stream, "1-1"},
        {"XTRIM", stream, "MAXLEN", "0"},
        {"DEL", stream},
        {"XGROUP", "DESTROY", stream, "kommun-2584"},
        {"XGROUP", "SETID", stream, "kommun-2584", "0"},
    };
    for (const auto& argv : refused) {
      auto r = kommun->Command(argv);
      EXPECT_TRUE(IsNoPerm(r)) << argv[0] << " " << argv[1] << " " << stream << ": " << Describe(r);
    }
  }
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"FLUSHALL"}, {"CONFIG", "GET", "*"}, {"KEYS", "*"}, {"GET", "x"}}) {
    auto r = kommun->Command(argv);
    EXPECT_TRUE(IsNoPerm(r)) << argv[0] << ": " << Describe(r);
  }
  EXPECT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 1u);
}

// The relay of the meetings service and the subscriber of the audits
// service, each with its own user, end to end.
class RedisAclFlowTest : public RedisAclTest {
 protected:
  void SetUp() override {
    RedisAclTest::SetUp();
    db_ = testing::OpenDatabase(
        dir_.path() + "/meetings.db",
        {PlatformMigrations(), {"test", {"CREATE TABLE handled (id TEXT);"}}});
    ASSERT_NE(db_, nullptr);
  }

  void Write(int64_t ore) {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    enamnd::common::v1::Money payload;
    payload.set_ore(ore);
    ASSERT_TRUE(outbox_.Append(*tx, payload, absl::StrCat("items/", ore)).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }

  int64_t Unpublished() {
    auto tx = db_->BeginRead();
    auto row = tx->QueryOne(
        "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
        "outbox_published)");
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  static OutboxRelay::Options FastRelay() {
    OutboxRelay::Options o;
    o.poll_interval = absl::Milliseconds(50);
    o.backoff_initial = absl::Milliseconds(20);
    o.backoff_max = absl::Milliseconds(200);
    o.redis_timeout = absl::Milliseconds(500);
    return o;
  }

  std::unique_ptr<Database> db_;
  Outbox outbox_{"//enamnd/meetings", EventStream("meetings")};
};

TEST_F(RedisAclFlowTest, RelayPublishesAndSubscriberConsumesWithTheirUsers) {
  OutboxRelay relay(db_.get(), &outbox_, redis_->redis_address(As("meetings")), FastRelay());
  relay.Start();
  for (int i = 1; i <= 3; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  ASSERT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 3u);

  TempDir audits_dir;
  auto audits_db = testing::OpenDatabase(audits_dir.path() + "/audits.db", {PlatformMigrations()});
  ASSERT_NE(audits_db, nullptr);
  std::atomic<int> handled{0};
  StreamSubscriber::Options options;
  options.stream = "enamnd:events:meetings";
  options.group = "audits";
  options.consumer = "audits-test";
  options.block = absl::Milliseconds(100);
  options.backoff_max = absl::Milliseconds(200);
  StreamSubscriber subscriber(audits_db.get(), redis_->redis_address(As("audits")), options,
                              [&](Transaction&, const io::cloudevents::v1::CloudEvent&) {
                                handled.fetch_add(1);
                                return absl::OkStatus();
                              });
  subscriber.Start();
  ASSERT_TRUE(PollUntil([&] { return handled.load() == 3; }, absl::Seconds(10)));
  Write(4);
  ASSERT_TRUE(PollUntil([&] { return handled.load() == 4; }, absl::Seconds(10)));
  // All acknowledged.
  ASSERT_TRUE(PollUntil(
      [&] {
        RedisReply pending = redis_->Command({"XPENDING", "enamnd:events:meetings", "audits"});
        return !pending.elements.empty() && pending.elements[0].integer == 0;
      },
      absl::Seconds(10)));
  subscriber.Stop();
  relay.Stop();
}

TEST_F(RedisAclFlowTest, RelayWithAWrongPasswordKeepsTheEventsUntilThePasswordIsFixed) {
  std::string file = dir_.path() + "/meetings.password";
  WriteFile(file, "wrong\n");
  OutboxRelay relay(db_.get(), &outbox_, redis_->redis_address({"meetings", file}), FastRelay());
  relay.Start();
  Write(1);
  Write(2);
  absl::SleepFor(absl::Milliseconds(700));  // several refused attempts
  EXPECT_EQ(Unpublished(), 2);
  EXPECT_TRUE(ReadStream(*redis_, "enamnd:events:meetings").empty());
  // The file is read at every connect: fixing it is enough.
  WriteFile(file, ReadFile(acl_dir_ + "/meetings.password"));
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  EXPECT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 2u);
  relay.Stop();
}

TEST_F(RedisAclFlowTest, RelayOnAnotherServicesStreamIsRefusedAndLosesNothing) {
  // A misconfiguration: the audits user for the meetings relay.
  OutboxRelay relay(db_.get(), &outbox_, redis_->redis_address(As("audits")), FastRelay());
  relay.Start();
  Write(1);
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Unpublished(), 1);
  EXPECT_TRUE(ReadStream(*redis_, "enamnd:events:meetings").empty());
  relay.Stop(absl::Milliseconds(100));
}

TEST_F(RedisAclFlowTest, RelayUnderAnAclFromBeforeTransactionsPublishesOneAtATime) {
  // An operator who upgraded the services but not yet the ACL file: the
  // service users may not run MULTI or EXEC.
  std::string acl = ReadFile(acl_dir_ + "/users.acl");
  for (const char* rule : {" +watch", " +xinfo|stream", " +multi", " +exec"}) {
    for (size_t at = acl.find(rule); at != std::string::npos; at = acl.find(rule)) {
      acl.erase(at, std::string(rule).size());
    }
  }
  WriteFile(acl_dir_ + "/users.acl", acl);
  RedisReply load = redis_->Command({"ACL", "LOAD"});
  ASSERT_NE(load.kind, RedisReply::Kind::kError) << load.str;
  auto meetings = ConnectAs("meetings");
  ASSERT_NE(meetings, nullptr);
  EXPECT_TRUE(IsNoPerm(meetings->Command({"MULTI"})));
  EXPECT_TRUE(IsNoPerm(meetings->Command({"WATCH", "enamnd:events:meetings"})));

  for (int i = 1; i <= 5; ++i) Write(i);  // one batch of five when the relay starts
  OutboxRelay relay(db_.get(), &outbox_, redis_->redis_address(As("meetings")), FastRelay());
  relay.Start();
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  auto entries = ReadStream(*redis_, "enamnd:events:meetings");
  ASSERT_EQ(entries.size(), 5u);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry_id, StreamEntryId(static_cast<int64_t>(i + 1)));
  }
  EXPECT_EQ(relay.published(), 5);
  relay.Stop();
}

TEST_F(RedisAclFlowTest, PasswordRotationKeepsTheRelayPublishing) {
  OutboxRelay relay(db_.get(), &outbox_, redis_->redis_address(As("meetings")), FastRelay());
  relay.Start();
  Write(1);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  std::string old_password = ReadFile(acl_dir_ + "/meetings.password");

  // The procedure of docs/operations.md: rotate, ACL LOAD, drop the previous
  // password, ACL LOAD.
  ASSERT_EQ(RunGenerator({"--dir", acl_dir_, "--rotate", "meetings"}, dir_.path() + "/gen.log"), 0);
  EXPECT_NE(ReadFile(acl_dir_ + "/meetings.password"), old_password);
  EXPECT_EQ(ReadFile(acl_dir_ + "/meetings.password.previous"), old_password);
  RedisReply load = redis_->Command({"ACL", "LOAD"});
  ASSERT_NE(load.kind, RedisReply::Kind::kError) << load.str;
  // Both passwords open the user now.
  auto with_old = RedisConnection::Connect(
      redis_->redis_address({"meetings", acl_dir_ + "/meetings.password.previous"}),
      absl::Seconds(2));
  EXPECT_TRUE(with_old.ok()) << with_old.status();
  Write(2);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));

  ASSERT_EQ(
      RunGenerator({"--dir", acl_dir_, "--drop-previous", "meetings"}, dir_.path() + "/gen.log"),
      0);
  load = redis_->Command({"ACL", "LOAD"});
  ASSERT_NE(load.kind, RedisReply::Kind::kError) << load.str;
  WriteFile(dir_.path() + "/old", old_password);
  with_old = RedisConnection::Connect(redis_->redis_address({"meetings", dir_.path() + "/old"}),
                                      absl::Seconds(2));
  EXPECT_EQ(with_old.status().code(), absl::StatusCode::kUnauthenticated) << with_old.status();
  Write(3);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  EXPECT_EQ(ReadStream(*redis_, "enamnd:events:meetings").size(), 3u);
  relay.Stop();
}

TEST(RedisPasswordFileTest, ReadsOneLineAndNamesTheFileWhenItCannot) {
  TempDir dir;
  std::string file = dir.path() + "/password";
  WriteFile(file, "s3cret\n");
  EXPECT_EQ(*ReadRedisPassword(file), "s3cret");
  WriteFile(file, "s3cret\r\n");
  EXPECT_EQ(*ReadRedisPassword(file), "s3cret");
  WriteFile(file, "s3cret");
  EXPECT_EQ(*ReadRedisPassword(file), "s3cret");
  for (const char* bad : {"", "\n", "two\nlines\n"}) {
    WriteFile(file, bad);
    auto read = ReadRedisPassword(file);
    ASSERT_FALSE(read.ok()) << bad;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_TRUE(absl::StrContains(read.status().message(), file)) << read.status();
  }
  std::string missing = dir.path() + "/missing";
  auto read = ReadRedisPassword(missing);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(absl::StrContains(read.status().message(), missing)) << read.status();
  EXPECT_TRUE(absl::StrContains(read.status().message(), "ENAMND_REDIS_PASSWORD_FILE"));
  EXPECT_TRUE(CheckRedisCredentials({"meetings", ""}).ok());
  EXPECT_FALSE(CheckRedisCredentials({"meetings", missing}).ok());
  // Connect refuses before it reaches Redis.
  RedisAddress address;
  address.credentials = {"meetings", missing};
  EXPECT_EQ(RedisConnection::Connect(address, absl::Seconds(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RedisConfigTest, UserDefaultsToTheServiceAndAnUnreadableFileRefusesToStart) {
  TempDir dir;
  unsetenv("ENAMND_REDIS_USER");
  unsetenv("ENAMND_REDIS_PASSWORD_FILE");
  auto config = LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_credentials.user, "meetings");
  EXPECT_EQ(config->redis_credentials.password_file, "");

  std::string file = dir.path() + "/pw";
  WriteFile(file, "x\n");
  setenv("ENAMND_REDIS_USER", "meetings-eu", 1);
  setenv("ENAMND_REDIS_PASSWORD_FILE", file.c_str(), 1);
  config = LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_credentials.user, "meetings-eu");
  EXPECT_EQ(config->redis_credentials.password_file, file);

  std::string missing = dir.path() + "/missing";
  setenv("ENAMND_REDIS_PASSWORD_FILE", missing.c_str(), 1);
  config = LoadConfig("meetings");
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StrContains(config.status().message(), missing)) << config.status();
  unsetenv("ENAMND_REDIS_USER");
  unsetenv("ENAMND_REDIS_PASSWORD_FILE");
}

}  // namespace
}  // namespace enamnd::platform
