#include "tools/benchmarks/bench_channel.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "services/platform/auth.h"

ABSL_FLAG(std::string, principal, enamnd::bench::kBenchPrincipal,
          "the caller's principal over plaintext (x-enamnd-principal; the services run with "
          "ENAMND_INSECURE=true)");
ABSL_FLAG(std::string, tls_dir, "",
          "mTLS instead of plaintext: the directory of ca.pem and <tls_name>.pem/.key "
          "(./tools/up: var/tls)");
ABSL_FLAG(std::string, tls_name, "secretary", "the certificate in --tls_dir to call with");

namespace enamnd::bench {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> BenchChannel(const std::string& address) {
  const std::string dir = absl::GetFlag(FLAGS_tls_dir);
  if (dir.empty()) return platform::InsecureChannelAs(address, absl::GetFlag(FLAGS_principal));
  const std::string name = absl::GetFlag(FLAGS_tls_name);
  grpc::SslCredentialsOptions options;
  for (auto [field, file] : {std::pair{&options.pem_root_certs, std::string("ca.pem")},
                             std::pair{&options.pem_cert_chain, name + ".pem"},
                             std::pair{&options.pem_private_key, name + ".key"}}) {
    absl::StatusOr<std::string> pem = ReadPem(absl::StrCat(dir, "/", file));
    if (!pem.ok()) return pem.status();
    *field = *std::move(pem);
  }
  return grpc::CreateChannel(address, grpc::SslCredentials(options));
}

std::string BenchIdentity() {
  const std::string dir = absl::GetFlag(FLAGS_tls_dir);
  if (dir.empty()) return absl::StrCat("plaintext as ", absl::GetFlag(FLAGS_principal));
  return absl::StrCat("mTLS as ", dir, "/", absl::GetFlag(FLAGS_tls_name), ".pem");
}

}  // namespace enamnd::bench
