#include "services/platform/redis.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.kind = RedisReply::Kind::kString;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kStatus;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = RedisReply::Kind::kError;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        out.elements.push_back(Convert(reply->element[i]));
      }
      break;
    default:
      out.kind = RedisReply::Kind::kNil;
  }
  return out;
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisAddress(absl::string_view address) {
  RedisAddress out;
  absl::string_view rest = address;
  if (absl::ConsumePrefix(&rest, "unix://")) {
    out.is_unix = true;
    out.path = std::string(rest);
    if (out.path.empty()) return absl::InvalidArgumentError("redis: unix:// needs a socket path");
    return out;
  }
  if (!absl::ConsumePrefix(&rest, "tcp://")) absl::ConsumePrefix(&rest, "redis://");
  // host[:port]
  std::vector<absl::string_view> host_port = absl::StrSplit(rest, ':');
  out.host = std::string(host_port[0]);
  if (host_port.size() > 1) {
    if (host_port.size() > 2 || !absl::SimpleAtoi(host_port[1], &out.port) || out.port <= 0 ||
        out.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis: bad port in \"", address, "\" (want tcp://host:port)"));
    }
  }
  if (out.host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis: no host in \"", address, "\" (want tcp://host:port)"));
  }
  return out;
}

absl::StatusOr<std::string> ReadRedisPassword(const std::string& file) {
  auto error = [&file](absl::string_view why) {
    return absl::FailedPreconditionError(
        absl::StrCat("redis password file ", file, " (ENAMND_REDIS_PASSWORD_FILE): ", why));
  };
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(absl::StrCat("cannot open: ", std::strerror(errno)));
  std::string content;
  char buffer[4096];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      return error(absl::StrCat("cannot read: ", std::strerror(saved)));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > 4096) {
      close(fd);
      return error("longer than 4096 bytes; want one line with the password");
    }
  }
  close(fd);
  absl::string_view password = content;
  if (absl::ConsumeSuffix(&password, "\n")) absl::ConsumeSuffix(&password, "\r");
  if (password.empty()) return error("is empty");
  if (password.find_first_of("\r\n") != absl::string_view::npos) {
    return error("has more than one line; want one line with the password");
  }
  return std::string(password);
}

absl::Status CheckRedisCredentials(const RedisCredentials& credentials) {
  if (credentials.password_file.empty()) return absl::OkStatus();
  return ReadRedisPassword(credentials.password_file).status();
}

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Connect(
    const RedisAddress& address, absl::Duration timeout) {
  // A write to a connection Redis has closed must be an error, not SIGPIPE
  // killing the process.
  static const bool sigpipe_ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;
  const RedisCredentials& credentials = address.credentials;
  std::string password;
  if (!credentials.password_file.empty()) {
    auto read = ReadRedisPassword(credentials.password_file);
    if (!read.ok()) return read.status();
    password = std::move(*read);
  }
  timeval tv = absl::ToTimeval(timeout);
  redisContext* context = address.is_unix
                              ? redisConnectUnixWithTimeout(address.path.c_str(), tv)
                              : redisConnectWithTimeout(address.host.c_str(), address.port, tv);
  if (context == nullptr) return absl::UnavailableError("redis: cannot allocate context");
  if (context->err != 0) {
    std::string message = context->errstr;
    redisFree(context);
    return absl::UnavailableError(absl::StrCat("redis: connect: ", message));
  }
  redisSetTimeout(context, tv);
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context));
  if (credentials.password_file.empty()) return connection;
  std::vector<std::string> auth = {"AUTH"};
  if (!credentials.user.empty()) auth.push_back(credentials.user);
  auth.push_back(std::move(password));
  auto reply = connection->Command(auth);
  if (!reply.ok()) return reply.status();
  if (reply->kind == RedisReply::Kind::kError) {
    // e.g. "WRONGPASS invalid username-password pair or user is disabled."
    return absl::UnauthenticatedError(absl::StrCat(
        "redis: AUTH as user \"", credentials.user.empty() ? "default" : credentials.user,
        "\" (password from ", credentials.password_file, "): ", reply->str));
  }
  return connection;
}

RedisConnection::~RedisConnection() { redisFree(context_); }

void RedisConnection::SetTimeout(absl::Duration timeout) {
  redisSetTimeout(context_, absl::ToTimeval(timeout));
}

absl::StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string>& argv) {
  ENAMND_RETURN_IF_ERROR(Append(argv));
  return NextReply();
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const std::vector<std::string>& argv : commands) ENAMND_RETURN_IF_ERROR(Append(argv));
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    ENAMND_ASSIGN_OR_RETURN(RedisReply reply, NextReply());
    replies.push_back(std::move(reply));
  }
  return replies;
}

absl::StatusOr<RedisReply> RedisConnection::Exec(
    const std::vector<std::vector<std::string>>& commands) {
  for (const std::vector<std::string>& argv : commands) ENAMND_RETURN_IF_ERROR(Append(argv));
  ENAMND_RETURN_IF_ERROR(Append({"EXEC"}));
  std::string first_refusal;
  for (size_t i = 0; i < commands.size(); ++i) {
    ENAMND_ASSIGN_OR_RETURN(RedisReply queued, NextReply());
    if (queued.kind == RedisReply::Kind::kError && first_refusal.empty()) {
      first_refusal = std::move(queued.str);
    }
  }
  ENAMND_ASSIGN_OR_RETURN(RedisReply exec, NextReply());
  if (exec.kind == RedisReply::Kind::kArray || exec.kind == RedisReply::Kind::kNil) return exec;
  // EXECABORT after a refusal while queuing: the refusal says why.
  RedisReply refused;
  refused.kind = RedisReply::Kind::kError;
  refused.str = !first_refusal.empty() ? std::move(first_refusal) : std::move(exec.str);
  return refused;
}

absl::Status RedisConnection::Append(const std::vector<std::string>& argv) {
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), args.data(),
                             lengths.data()) != REDIS_OK) {
    broken_ = true;
    return absl::UnavailableError(absl::StrCat("redis: ", context_->errstr));
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisConnection::NextReply() {
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
    broken_ = true;
    return absl::UnavailableError(absl::StrCat("redis: ", context_->errstr));
  }
  auto* reply = static_cast<redisReply*>(raw);
  RedisReply out = Convert(reply);
  freeReplyObject(reply);
  return out;
}

}  // namespace enamnd::platform
