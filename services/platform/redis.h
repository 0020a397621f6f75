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

// Who a connection authenticates as (Redis 7 ACL user): ENAMND_REDIS_USER
// and ENAMND_REDIS_PASSWORD_FILE. Without a password file a connection sends
// no AUTH (the Redis `default` user). The file is read at every connect, so
// a password rotated in the file is used from the next reconnect on.
struct RedisCredentials {
  std::string user;           // empty: AUTH <password> (the default user)
  std::string password_file;  // empty: no AUTH
};

// Parsed ENAMND_REDIS address: tcp://host:port or unix:///path, and the
// credentials to present there.
struct RedisAddress {
  bool is_unix = false;
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string path;
  RedisCredentials credentials;
};
absl::StatusOr<RedisAddress> ParseRedisAddress(absl::string_view address);

// The password in `file`: its content without a trailing newline (LF or
// CRLF). FAILED_PRECONDITION naming the file when it cannot be read, is
// empty or has more than one line.
absl::StatusOr<std::string> ReadRedisPassword(const std::string& file);
// OK when there is no password file, or when ReadRedisPassword succeeds;
// for checking the configuration at start.
absl::Status CheckRedisCredentials(const RedisCredentials& credentials);

class RedisConnection {
 public:
  // Connects with the given connect and command timeout and, when the
  // address has a password file, authenticates (AUTH user password).
  // UNAVAILABLE when Redis cannot be reached, UNAUTHENTICATED when Redis
  // refuses the credentials, FAILED_PRECONDITION when the password file
  // cannot be read.
  static absl::StatusOr<std::unique_ptr<RedisConnection>> Connect(const RedisAddress& address,
                                                                  absl::Duration timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command. Transport failures are UNAVAILABLE and leave the
  // connection broken (reconnect); a Redis error reply is returned as a
  // reply of kind kError.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& argv);
  // Sends `commands` in one write and reads one reply per command. Redis
  // runs each of them whatever the others' fate: not for commands of which
  // one must not run when an earlier one was refused (see Exec).
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);
  // On a connection inside MULTI: sends `commands` and EXEC in one write.
  // Redis runs all of them or none. None when it refuses one while queuing
  // (NOPERM, OOM, a syntax error) or refuses EXEC itself (OOM, NOREPLICAS):
  // the reply is of kind kError, naming the first refusal; or when a key the
  // connection WATCHes changed since: kNil. Otherwise it is EXEC's array,
  // one reply per command (a command can still fail alone as it runs).
  // With no commands, ends the transaction (and the WATCHes).
  absl::StatusOr<RedisReply> Exec(const std::vector<std::vector<std::string>>& commands);
  // Sets the read timeout for blocking commands (XREADGROUP BLOCK).
  void SetTimeout(absl::Duration timeout);
  bool broken() const { return broken_; }

 private:
  explicit RedisConnection(redisContext* context) : context_(context) {}
  // Queues `argv` in the output buffer (redisAppendCommandArgv).
  absl::Status Append(const std::vector<std::string>& argv);
  // Reads the next reply; a transport failure breaks the connection.
  absl::StatusOr<RedisReply> NextReply();
  redisContext* context_;
  bool broken_ = false;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REDIS_H_
