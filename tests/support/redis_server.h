// A real redis-server for one test, on a unix socket in a temp dir.
#ifndef ENAMND_TESTS_SUPPORT_REDIS_SERVER_H_
#define ENAMND_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "services/platform/redis.h"
#include "tests/support/process.h"

namespace enamnd::testing {

class RedisServer {
 public:
  // persistent: append-only file in the temp dir, so data survives Restart().
  explicit RedisServer(bool persistent = false);
  // With ACLs: redis-server --aclfile `acl_file` (e.g. written by
  // tools/redis-acl). redis_address(), Connect() and Command() then
  // authenticate as `admin`.
  RedisServer(std::string acl_file, platform::RedisCredentials admin, bool persistent = false);
  ~RedisServer();

  // Starts and waits (with a deadline) until PING answers.
  void Start();
  // Shuts it down (SHUTDOWN, or SIGKILL) and waits for exit.
  void Stop();
  void Restart() {
    Stop();
    Start();
  }
  bool running() { return process_ != nullptr && process_->running(); }

  std::string address() const { return "unix://" + socket_path_; }
  platform::RedisAddress redis_address() const;
  // The same address, authenticating as someone else.
  platform::RedisAddress redis_address(platform::RedisCredentials as) const;
  // A fresh connection (fails the test if it cannot connect).
  std::unique_ptr<platform::RedisConnection> Connect() const;
  // Runs one command on a fresh connection.
  platform::RedisReply Command(const std::vector<std::string>& argv) const;

 private:
  TempDir dir_;
  bool persistent_;
  std::string acl_file_;
  platform::RedisCredentials admin_;
  std::string socket_path_;
  std::unique_ptr<ChildProcess> process_;
};

// Fields of one stream entry.
struct StreamEntry {
  std::string entry_id;
  std::string id;
  std::string type;
  std::string subject;
  std::string event;
};
std::vector<StreamEntry> ReadStream(const RedisServer& redis, const std::string& stream);

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_REDIS_SERVER_H_
