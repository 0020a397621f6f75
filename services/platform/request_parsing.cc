#include "services/platform/request_parsing.h"

#include <deque>
#include <set>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/stubs/logging.h"
#include "services/platform/log.h"

namespace enamnd::platform {
namespace {

namespace gexp = grpc::experimental;

// The field whose invalid UTF-8 failed the latest parse on this thread, as
// protobuf names it. gRPC parses a request on the thread that has just
// created the call's interceptors and then runs them at once; creating the
// RequestParseCheck clears it first.
thread_local std::string invalid_utf8_field;

// protobuf 3.21 (wire_format_lite.cc) says:
//   String field 'pkg.Message.field' contains invalid UTF-8 data when
//   parsing a protocol buffer. Use the 'bytes' type if ...
constexpr absl::string_view kUtf8Prefix = "String field '";
constexpr absl::string_view kUtf8Parsing = "' contains invalid UTF-8 data when parsing";

void HandleProtobufLog(google::protobuf::LogLevel level, const char* /*filename*/, int /*line*/,
                       const std::string& message) {
  if (absl::StartsWith(message, kUtf8Prefix)) {
    size_t end = message.find(std::string(kUtf8Parsing), kUtf8Prefix.size());
    if (end != std::string::npos) {
      // A client's mistake, answered with INVALID_ARGUMENT: no error here.
      invalid_utf8_field = message.substr(kUtf8Prefix.size(), end - kUtf8Prefix.size());
      LogDebug("protobuf", message);
      return;
    }
  }
  LogLevel ours = LogLevel::kError;
  if (level == google::protobuf::LOGLEVEL_INFO) ours = LogLevel::kInfo;
  if (level == google::protobuf::LOGLEVEL_WARNING) ours = LogLevel::kWarning;
  if (LogEnabled(ours)) LogLine(ours, "protobuf", message);
}

const google::protobuf::Descriptor* RequestTypeOf(absl::string_view method_path) {
  // "/enamnd.meetings.v1.MeetingsService/CreateCase"
  std::string dotted(absl::StripPrefix(method_path, "/"));
  size_t slash = dotted.rfind('/');
  if (slash == std::string::npos) return nullptr;
  dotted[slash] = '.';
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
  return method != nullptr ? method->input_type() : nullptr;
}

std::string ParseProblem(absl::string_view method_path, const std::string& utf8_field) {
  const google::protobuf::Descriptor* request = RequestTypeOf(method_path);
  if (!utf8_field.empty()) {
    std::string path = request != nullptr ? FieldPathIn(*request, utf8_field) : utf8_field;
    return absl::StrCat(path, ": not valid UTF-8 (a string field must be UTF-8)");
  }
  return absl::StrCat("request: not a valid ",
                      request != nullptr ? request->full_name() : "request message",
                      " (the bytes do not parse as that protocol buffer message)");
}

}  // namespace

RequestParseCheck::RequestParseCheck(gexp::ServerRpcInfo* info)
    : info_(info),
      // Only these get their one request parsed before the handler runs;
      // for them alone a missing message means that it did not parse (a
      // stream's reads also end without one).
      request_first_(info->type() == gexp::ServerRpcInfo::Type::UNARY ||
                     info->type() == gexp::ServerRpcInfo::Type::SERVER_STREAMING) {
  static absl::once_flag once;
  absl::call_once(once, [] { google::protobuf::SetLogHandler(&HandleProtobufLog); });
  invalid_utf8_field.clear();
}

void RequestParseCheck::Intercept(gexp::InterceptorBatchMethods* methods) {
  if (request_first_ &&
      methods->QueryInterceptionHookPoint(gexp::InterceptionHookPoints::POST_RECV_MESSAGE) &&
      methods->GetRecvMessage() == nullptr) {
    problem_ = ParseProblem(info_->method(), invalid_utf8_field);
  }
  if (methods->QueryInterceptionHookPoint(gexp::InterceptionHookPoints::PRE_SEND_STATUS) &&
      !problem_.empty() &&
      methods->GetSendStatus().error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    // The handler never ran: gRPC's own answer to a request that failed
    // to deserialize.
    methods->ModifySendStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, problem_));
  }
}

std::string FieldPathIn(const google::protobuf::Descriptor& request,
                        absl::string_view full_field_name) {
  size_t dot = full_field_name.rfind('.');
  if (dot == absl::string_view::npos) return std::string(full_field_name);
  absl::string_view message = full_field_name.substr(0, dot);
  absl::string_view field = full_field_name.substr(dot + 1);
  // Breadth first, so the shortest path wins; each type is entered once.
  std::deque<std::pair<const google::protobuf::Descriptor*, std::string>> queue = {{&request, ""}};
  std::set<const google::protobuf::Descriptor*> seen = {&request};
  while (!queue.empty()) {
    auto [type, path] = std::move(queue.front());
    queue.pop_front();
    if (type->full_name() == message)
      return path.empty() ? std::string(field) : absl::StrCat(path, ".", field);
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = type->field(i);
      const google::protobuf::Descriptor* inner = f->message_type();
      if (inner == nullptr || !seen.insert(inner).second) continue;
      queue.emplace_back(inner, path.empty() ? f->name() : absl::StrCat(path, ".", f->name()));
    }
  }
  return std::string(field);
}

}  // namespace enamnd::platform
