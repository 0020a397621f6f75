// enamnd-bench-echo: the baseline of tools/bench's unary reads. A gRPC
// server on the callback API, plaintext, with the channel arguments of
// services/platform/server.cc that shape a connection (keepalive, message
// size), and nothing else: no interceptors, no storage. Each Echo call is
// answered with a payload of --reply_bytes (the size of the reply it
// stands in for).
//
//   build/tools/benchmarks/enamnd-bench-echo --listen=127.0.0.1:0 --reply_bytes=600
//
// Prints "port N" on stdout once it listens; runs until SIGTERM or SIGINT.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench_echo.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "address to listen on (port 0: a free one)");
ABSL_FLAG(int, reply_bytes, 600, "bytes of payload in every reply");

namespace {

class EchoService final : public enamnd::bench::v1::Echo::CallbackService {
 public:
  explicit EchoService(int reply_bytes) { reply_.set_payload(std::string(reply_bytes, 'x')); }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const enamnd::bench::v1::EchoMessage* /*request*/,
                                 enamnd::bench::v1::EchoMessage* reply) override {
    *reply = reply_;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  enamnd::bench::v1::EchoMessage reply_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked in every thread gRPC starts; sigwait below takes them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  EchoService service(absl::GetFlag(FLAGS_reply_bytes));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "cannot listen on %s\n", absl::GetFlag(FLAGS_listen).c_str());
    return 1;
  }
  std::printf("port %d\n", port);
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  server->Shutdown();
  return 0;
}
