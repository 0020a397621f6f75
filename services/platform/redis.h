// A small synchronous Redis client over hiredis, for background threads
// (outbox relay, stream subscribers); never used on a gRPC reactor thread.
#ifndef ENAMND_PLATFORM_REDIS_H_
#define ENAMND_PLATFORM_REDIS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct redisContext;

namespace enamnd::platform {

// A decoded reply: nil, integer, status/string/error or array.
struct RedisReply {
  enum class Kind { kNil, kInteger, kString, kStatus, kError, kArray };
  Kind kind = Kind::kNil;
  long long integer = 0;
  std::string str;
  std::vector<RedisReply> elements;
};

// Parsed ENAMND_REDIS address: tcp://host:port or unix:///path.
struct RedisAddress {
  bool is_unix = false;
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string path;
};
absl::StatusOr<RedisAddress> ParseRedisAddress(absl::string_view address);

class RedisConnection {
 public:
  // Connects with the given connect and command timeout.
  static absl::StatusOr<std::unique_ptr<RedisConnection>> Connect(const RedisAddress& address,
                                                                  absl::Duration timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. Transport failures are UNAVAILABLE and leave the
  // connection broken (reconnect); a Redis error reply is returned as a
  // reply of kind kError.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);
  // Sets the read timeout for blocking commands (XREADGROUP BLOCK).
  void SetTimeout(absl::Duration timeout);
  bool broken() const { return broken_; }

 private:
  explicit RedisConnection(redisContext* context) : context_(context) {}
  redisContext* context_;
  bool broken_ = false;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REDIS_H_
