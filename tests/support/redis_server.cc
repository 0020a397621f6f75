#include "tests/support/redis_server.h"

#include <signal.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace enamnd::testing {

RedisServer::RedisServer(bool persistent)
    : persistent_(persistent), socket_path_(dir_.path() + "/redis.sock") {
  Start();
}

RedisServer::RedisServer(std::string acl_file, platform::RedisCredentials admin, bool persistent)
    : persistent_(persistent),
      acl_file_(std::move(acl_file)),
      admin_(std::move(admin)),
      socket_path_(dir_.path() + "/redis.sock") {
  Start();
}

RedisServer::~RedisServer() { Stop(); }

void RedisServer::Start() {
  std::vector<std::string> argv = {"redis-server", "--port",     "0",
                                   "--unixsocket", socket_path_, "--dir",
                                   dir_.path(),    "--save",     ""};
  if (!acl_file_.empty()) argv.insert(argv.end(), {"--aclfile", acl_file_});
  if (persistent_) {
    argv.insert(argv.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  } else {
    argv.insert(argv.end(), {"--appendonly", "no"});
  }
  process_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{},
                                            dir_.path() + "/redis.log");
  bool up = PollUntil(
      [&] {
        auto c = platform::RedisConnection::Connect(redis_address(), absl::Milliseconds(200));
        if (!c.ok()) return false;
        auto r = (*c)->Command({"PING"});
        return r.ok() && r->str == "PONG";
      },
      absl::Seconds(20));
  ASSERT_TRUE(up) << "redis-server did not come up on " << socket_path_;
}

void RedisServer::Stop() {
  if (process_ == nullptr) return;
  process_->Signal(SIGTERM);
  if (process_->Wait(absl::Seconds(10)) < 0) process_->Kill();
  process_.reset();
}

platform::RedisAddress RedisServer::redis_address() const { return redis_address(admin_); }

platform::RedisAddress RedisServer::redis_address(platform::RedisCredentials as) const {
  platform::RedisAddress a;
  a.is_unix = true;
  a.path = socket_path_;
  a.credentials = std::move(as);
  return a;
}

std::unique_ptr<platform::RedisConnection> RedisServer::Connect() const {
  auto c = platform::RedisConnection::Connect(redis_address(), absl::Seconds(2));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

platform::RedisReply RedisServer::Command(const std::vector<std::string>& argv) const {
  auto c = Connect();
  if (c == nullptr) return {};
  auto r = c->Command(argv);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : platform::RedisReply{};
}

std::vector<StreamEntry> ReadStream(const RedisServer& redis, const std::string& stream) {
  std::vector<StreamEntry> out;
  platform::RedisReply reply = redis.Command({"XRANGE", stream, "-", "+"});
  for (const auto& entry : reply.elements) {
    StreamEntry e;
    e.entry_id = entry.elements[0].str;
    const auto& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      const std::string& key = fields[i].str;
      const std::string& value = fields[i + 1].str;
      if (key == "id") e.id = value;
      if (key == "type") e.type = value;
      if (key == "subject") e.subject = value;
      if (key == "event") e.event = value;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace enamnd::testing
