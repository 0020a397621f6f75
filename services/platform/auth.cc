#include "services/platform/auth.h"

#include <grpcpp/support/client_interceptor.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/platform/log.h"
#include "services/platform/sha256.h"

namespace enamnd::platform {
namespace {

absl::StatusOr<PolicyTable> ReadPolicyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("policy file ", path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<PolicyTable> table = ParsePolicyText(text.str());
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy file ", path, ": ", table.status().message()));
  }
  return table;
}

const google::protobuf::FieldDescriptor* RequestIdField(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return nullptr;
  }
  return field;
}

std::string FirstValue(const grpc::AuthContext& auth, const char* property) {
  for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
    if (value.size() > 0) return std::string(value.data(), value.size());
  }
  return "";
}

// Adds the principal header to every call of a plaintext channel.
class PrincipalHeaderInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit PrincipalHeaderInterceptor(std::string principal) : principal_(std::move(principal)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kPrincipalHeader, principal_});
    }
    methods->Proceed();
  }

 private:
  std::string principal_;
};

class PrincipalHeaderFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit PrincipalHeaderFactory(std::string principal) : principal_(std::move(principal)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new PrincipalHeaderInterceptor(principal_);
  }

 private:
  std::string principal_;
};

}  // namespace

std::shared_ptr<grpc::Channel> InsecureChannelAs(const std::string& address,
                                                 const std::string& principal,
                                                 const grpc::ChannelArguments& args) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<PrincipalHeaderFactory>(principal));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, grpc::InsecureChannelCredentials(), args, std::move(factories));
}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Create(MethodPolicies policies,
                                                               AuthOptions options) {
  std::unique_ptr<Authorizer> authorizer(new Authorizer(std::move(policies), std::move(options)));
  if (authorizer->options_.policy_path.empty()) {
    LogWarning("auth", "no policy file (ENAMND_POLICY): every call is denied");
    absl::MutexLock lock(&authorizer->mutex_);
    authorizer->table_ = std::make_shared<PolicyTable>();
    return authorizer;
  }
  ENAMND_ASSIGN_OR_RETURN(PolicyTable table, ReadPolicyFile(authorizer->options_.policy_path));
  LogInfo("auth", "policy ", authorizer->options_.policy_path, ": ", table.size(), " principals");
  absl::MutexLock lock(&authorizer->mutex_);
  authorizer->table_ = std::make_shared<PolicyTable>(std::move(table));
  return authorizer;
}

absl::Status Authorizer::Reload() {
  if (options_.policy_path.empty()) {
    return absl::FailedPreconditionError("no policy file (ENAMND_POLICY) to reload");
  }
  ENAMND_ASSIGN_OR_RETURN(PolicyTable table, ReadPolicyFile(options_.policy_path));
  LogInfo("auth", "policy ", options_.policy_path, " reloaded: ", table.size(), " principals");
  absl::MutexLock lock(&mutex_);
  table_ = std::make_shared<PolicyTable>(std::move(table));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Authorizer::Identify(const grpc::ServerContextBase& context) const {
  if (options_.insecure) {
    const auto& metadata = context.client_metadata();
    auto it = metadata.find(kPrincipalHeader);
    if (it != metadata.end() && it->second.size() > 0) {
      return std::string(it->second.data(), it->second.size());
    }
    return absl::UnauthenticatedError(
        absl::StrCat("no identity: plaintext mode needs the ", kPrincipalHeader, " header"));
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no identity: a verified client certificate is required");
  }
  // A URI SAN (spiffe://enamnd/...) names the principal; else the CN.
  std::string principal = FirstValue(*auth, GRPC_PEER_URI_PROPERTY_NAME);
  if (principal.empty()) principal = FirstValue(*auth, GRPC_X509_CN_PROPERTY_NAME);
  if (principal.empty()) {
    return absl::UnauthenticatedError("no identity: the certificate has neither URI SAN nor CN");
  }
  return principal;
}

bool Authorizer::TakeWriteToken(const std::string& principal) {
  absl::Time now = absl::Now();
  absl::MutexLock lock(&mutex_);
  auto [it, fresh] = buckets_.try_emplace(principal, Bucket{options_.write_burst, now});
  Bucket& bucket = it->second;
  if (!fresh) {
    bucket.tokens = std::min(options_.write_burst,
                             bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) *
                                                 options_.write_rate_per_second);
    bucket.refilled = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

absl::StatusOr<Caller> Authorizer::Admit(const grpc::ServerContextBase& context,
                                         const std::string& method, std::string request_id) {
  absl::StatusOr<std::string> principal = Identify(context);
  if (!principal.ok()) {
    LogWarning("auth", "denied ", method, " peer=", context.peer(), ": ",
               principal.status().message());
    return principal.status();
  }
  auto policy = policies_.find(method);
  if (policy == policies_.end()) {
    // Unreachable for served methods (Start checks them all); deny anyway.
    return absl::PermissionDeniedError(absl::StrCat(method, " has no policy"));
  }
  std::shared_ptr<const PolicyTable> table;
  {
    absl::MutexLock lock(&mutex_);
    table = table_;
  }
  absl::StatusOr<Admission> admission =
      platform::Admit(policy->second, method, *principal, table->GrantsOf(*principal));
  if (!admission.ok()) {
    // In plaintext mode the principal is whatever the header said.
    LogWarning("auth", "denied ", method, " principal=", LogSafe(*principal),
               " peer=", context.peer(), ": ", LogSafe(admission.status().message(), 1024));
    return admission.status();
  }
  if (!policy->second.read_only() && !TakeWriteToken(*principal)) {
    LogWarning("auth", "rate limited ", method, " principal=", LogSafe(*principal));
    return absl::ResourceExhaustedError(absl::StrCat(*principal, " is over its write rate of ",
                                                     options_.write_rate_per_second,
                                                     " calls per second; retry with backoff"));
  }
  return Caller(*std::move(principal), method, context.peer(), *std::move(admission),
                std::move(request_id));
}

absl::Status Gate::UnvouchedReadError() {
  return absl::UnavailableError(
      "what this call read could not be made durable (a WAL flush failed); the service must "
      "restart: try again");
}

std::string Gate::RequestIdOf(const google::protobuf::Message& request) {
  const google::protobuf::FieldDescriptor* field = RequestIdField(request);
  return field != nullptr ? request.GetReflection()->GetString(request, field) : "";
}

std::string Gate::FingerprintOf(const google::protobuf::Message& request,
                                const std::string& request_id) {
  if (request_id.empty()) return "";
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const google::protobuf::FieldDescriptor* field = RequestIdField(*copy); field != nullptr) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    // Deterministic: map entries in key order, so equal requests hash equal.
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializePartialToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

void Gate::NoteCaller(grpc::CallbackServerContext* context, const absl::StatusOr<Caller>& caller,
                      const std::string& request_id) const {
  if (caller.ok()) {
    NoteCall(context, caller->principal(), request_id);
    return;
  }
  absl::StatusOr<std::string> principal = authorizer_->Identify(*context);
  NoteCall(context, principal.ok() ? *principal : "", request_id);
}

}  // namespace enamnd::platform
