// The channel a benchmark calls through, from its flags:
//   --tls_dir=DIR  mTLS: DIR/ca.pem, DIR/<--tls_name>.pem and .key (the
//                  demo certificates of ./tools/up are in var/tls);
//   otherwise      plaintext to a service started with ENAMND_INSECURE=true,
//                  as --principal (the x-enamnd-principal header).
// Either way the principal needs the roles the benchmark's calls declare
// (secretary, adjuster, operator) in the service's policy file, and the
// service a write rate (ENAMND_WRITE_RATE, ENAMND_WRITE_BURST) above what
// the benchmark writes.
#ifndef ENAMND_TOOLS_BENCHMARKS_BENCH_CHANNEL_H_
#define ENAMND_TOOLS_BENCHMARKS_BENCH_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace enamnd::bench {

// The principal of the benchmarks in plaintext mode (--principal's default).
inline constexpr char kBenchPrincipal[] = "spiffe://enamnd/system/bench";

absl::StatusOr<std::shared_ptr<grpc::Channel>> BenchChannel(const std::string& address);

// How BenchChannel connects, for the benchmark's output.
std::string BenchIdentity();

}  // namespace enamnd::bench

#endif  // ENAMND_TOOLS_BENCHMARKS_BENCH_CHANNEL_H_
