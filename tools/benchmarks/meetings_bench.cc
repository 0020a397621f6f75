// enamnd-bench-meetings: measures the meetings service from outside, over
// gRPC, against a running instance (e.g. one started by ./tools/up).
//
//   build/tools/benchmarks/enamnd-bench-meetings --target 127.0.0.1:50051
//       --clients 8 --decisions 2000
//
// It creates its own body and meeting (bench-<unix time>), records
// decisions from several clients at once (write path: validation, quorum,
// numbering, outbox, fsync), lists them page by page (read path), and
// measures how long a recorded decision takes to reach a WatchDecisions
// stream. With --watchers and --stalled_watchers it keeps WatchEvents
// streams open during the writes (some reading, some never reading) and,
// given --service_pid, reports the service's memory before and after.
// Nothing here asserts a speed: it prints figures to compare
// between versions on the same machine.
//
// tools/bench runs it in parts (--mode), each printing one JSON object:
//   setup    municipalities 9901-9914, a body, a meeting, a case and
//            --decisions decisions; writes the gRPC frames of a
//            GetParagraph and a ListParagraphs (page of 50) request into
//            --out_dir for h2load; prints the meeting's and case's names.
//   write    --decisions RecordDecision calls from --clients clients on
//            --meeting and --case, sent to the 14 municipalities in turn.
//   latency  --watch_samples decisions timed from RecordDecision until a
//            WatchDecisions stream (filtered to municipalities/9901) has it.
//   replay   records a marker decision, then times WatchDecisions from
//            sequence 0 (only the events of --municipality if given) until
//            the marker arrives.
//
// Against ./tools/up (mTLS) it calls with a demo certificate, e.g.
//   ENAMND_WRITE_RATE=100000 ENAMND_WRITE_BURST=100000 ./tools/up   (in one terminal)
//   build/tools/benchmarks/enamnd-bench-meetings --tls_dir=var/tls --tls_name=secretary
// (the secretary may record decisions; the write rate limit of the services,
// 50 a second per principal by default, would otherwise be what it measures).
// Against a service started with ENAMND_INSECURE=true it calls as
// --principal (default spiffe://enamnd/system/bench), which the service's
// policy file must grant the role secretary (bench_channel.h).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "tools/benchmarks/bench_channel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "meetings service address");
ABSL_FLAG(int, clients, 8, "concurrent clients recording decisions");
ABSL_FLAG(int, decisions, 1000, "decisions to record in all");
ABSL_FLAG(int, watch_samples, 50, "decisions timed from RecordDecision to WatchDecisions");
ABSL_FLAG(int, watchers, 0,
          "WatchEvents streams that read everything while the decisions are recorded "
          "(the service's ENAMND_MAX_WATCHES must allow them and the stalled ones)");
ABSL_FLAG(int, stalled_watchers, 0,
          "WatchEvents streams opened and never read: the service must bound what they hold");
ABSL_FLAG(std::string, mode, "all",
          "all (the whole run, text), or one part as JSON: setup, write, latency, replay");
ABSL_FLAG(std::string, meeting, "", "write, latency, replay: the meeting of --mode=setup");
ABSL_FLAG(std::string, case_name, "", "write, latency, replay: the case of --mode=setup");
ABSL_FLAG(std::string, out_dir, "", "setup: where the request frames for h2load go");
ABSL_FLAG(std::string, municipality, "", "replay: only the events sent to it (municipalities/N)");
ABSL_FLAG(int, service_pid, 0,
          "the service's process id, to report its resident memory (VmRSS, VmHWM) before the "
          "watchers open and after the writes; 0: not reported");

namespace v1 = ::enamnd::meetings::v1;

namespace {

// "VmRSS 23.1 MB, VmHWM 25.0 MB" of a process on this machine, or "".
std::string Memory(int pid) {
  if (pid <= 0) return "";
  std::FILE* f = std::fopen(absl::StrCat("/proc/", pid, "/status").c_str(), "r");
  if (f == nullptr) return "(no such process)";
  std::string out;
  char line[256];
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    long kb = 0;
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", "VmRSS ", absl::StrFormat("%.1f", kb / 1024.0),
                      " MB");
    }
    if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", "VmHWM ", absl::StrFormat("%.1f", kb / 1024.0),
                      " MB");
    }
  }
  std::fclose(f);
  return out;
}

// WatchEvents streams during the write path: `reading` ones that take every
// event, `stalled` ones that never read (a reader that hangs).
class Watchers {
 public:
  Watchers(v1::MeetingsService::Stub* stub, int reading, int stalled) {
    for (int i = 0; i < reading + stalled; ++i) {
      auto stream = std::make_unique<Stream>();
      enamnd::common::v1::WatchEventsRequest request;
      stream->reader = stub->WatchEvents(&stream->context, request);
      if (i < reading) {
        Stream* s = stream.get();
        s->thread = std::thread([s] {
          enamnd::common::v1::WatchEventsResponse item;
          while (s->reader->Read(&item)) s->received.fetch_add(1);
        });
      }
      streams_.push_back(std::move(stream));
    }
  }
  // Ends every stream; returns "N received by the readers; codes of the
  // stalled ones".
  std::string Close(int reading) {
    std::string codes;
    int64_t received = 0;
    for (size_t i = 0; i < streams_.size(); ++i) {
      Stream& s = *streams_[i];
      s.context.TryCancel();
      if (s.thread.joinable()) s.thread.join();
      grpc::Status status = s.reader->Finish();
      received += s.received.load();
      if (static_cast<int>(i) >= reading) {
        absl::StrAppend(&codes, codes.empty() ? "" : ", ", status.error_code(),
                        status.ok() ? "" : absl::StrCat(" (", status.error_message(), ")"));
      }
    }
    return absl::StrCat(received, " events received by the readers; stalled streams ended with ",
                        codes.empty() ? "-" : codes);
  }

 private:
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<enamnd::common::v1::WatchEventsResponse>> reader;
    std::thread thread;
    std::atomic<int64_t> received{0};
  };
  std::vector<std::unique_ptr<Stream>> streams_;
};

struct Summary {
  double p50, p95, p99, max;
};

Summary Percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[static_cast<size_t>(q * (ms.size() - 1))]; };
  return {at(0.50), at(0.95), at(0.99), ms.back()};
}

bool Check(const grpc::Status& status, const char* what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "%s failed: %d %s\n", what, status.error_code(),
               status.error_message().c_str());
  return false;
}

// ------------------------------------------------------------ tools/bench's parts

// The municipalities of the parts: decisions go to them in turn, so that a
// replay filtered to one reads about a fourteenth of the log.
constexpr int kPartMunicipalities = 14;
std::string PartMunicipality(int i) {
  return absl::StrCat("municipalities/", 9901 + i % kPartMunicipalities);
}

v1::RecordDecisionRequest PartDecision(const std::string& meeting, const std::string& case_name,
                                       int i, const std::string& recipient) {
  v1::RecordDecisionRequest r;
  r.set_parent(meeting);
  r.mutable_paragraph()->set_case_(case_name);
  r.mutable_paragraph()->mutable_decision()->set_kind(v1::DECISION_KIND_NOTE_AND_FILE);
  r.mutable_paragraph()->mutable_decision()->set_text(
      absl::StrCat("Beslut nummer ", i, ": nämnden lägger informationen till handlingarna."));
  r.mutable_paragraph()->add_recipients()->set_municipality(recipient);
  return r;
}

// A request as h2load sends it: the gRPC frame (uncompressed, length).
bool WriteFrame(const std::string& path, const google::protobuf::Message& message) {
  const std::string body = message.SerializeAsString();
  std::string frame(5, '\0');
  const uint32_t n = static_cast<uint32_t>(body.size());
  frame[1] = static_cast<char>(n >> 24);
  frame[2] = static_cast<char>(n >> 16);
  frame[3] = static_cast<char>(n >> 8);
  frame[4] = static_cast<char>(n);
  frame += body;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(frame.data(), 1, frame.size(), f) == frame.size();
  return std::fclose(f) == 0 && ok;
}

// A meeting with one seat, attended, and a case to record decisions on.
struct Fixture {
  std::string body;
  std::string meeting;
  std::string case_name;
};

// The 14 municipalities of the parts, a body, its meeting and a case.
bool CreateFixture(v1::MeetingsService::Stub* stub, Fixture* fixture) {
  for (int i = 0; i < kPartMunicipalities; ++i) {
    v1::CreateMunicipalityRequest m;
    m.set_municipality_id(PartMunicipality(i).substr(sizeof("municipalities/") - 1));
    m.mutable_municipality()->set_display_name(absl::StrCat("Benchmark ", i));
    m.set_request_id(absl::StrCat("bench-municipality-", i));
    v1::Municipality out;
    grpc::ClientContext ctx;
    if (!Check(stub->CreateMunicipality(&ctx, m, &out), "CreateMunicipality")) return false;
  }
  v1::CreateBodyRequest b;
  b.set_body_id(absl::StrCat("bench-", absl::ToUnixSeconds(absl::Now())));
  b.mutable_body()->set_display_name("Benchmark body");
  b.mutable_body()->set_kind(v1::Body::KIND_STEERING_GROUP);
  auto* seat = b.mutable_body()->add_seats();
  seat->set_municipality(PartMunicipality(0));
  seat->mutable_member()->set_display_name("Bench member");
  v1::Body body;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->CreateBody(&ctx, b, &body), "CreateBody")) return false;
  }
  v1::CreateMeetingRequest mt;
  mt.set_parent(body.name());
  mt.mutable_meeting()->mutable_date()->set_year(2030);
  mt.mutable_meeting()->mutable_date()->set_month(1);
  mt.mutable_meeting()->mutable_date()->set_day(15);
  v1::Meeting meeting;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->CreateMeeting(&ctx, mt, &meeting), "CreateMeeting")) return false;
  }
  v1::RecordAttendanceRequest a;
  a.set_meeting(meeting.name());
  auto* s = a.mutable_attendance()->add_seats();
  s->set_municipality(PartMunicipality(0));
  s->set_member_present(true);
  {
    grpc::ClientContext ctx;
    if (!Check(stub->RecordAttendance(&ctx, a, &meeting), "RecordAttendance")) return false;
  }
  v1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number(
      absl::StrCat("2030/", absl::ToUnixSeconds(absl::Now()) % 100000000, "-9.9"));
  c.mutable_case_()->set_title("Benchmark case");
  v1::Case created_case;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->CreateCase(&ctx, c, &created_case), "CreateCase")) return false;
  }
  *fixture = {body.name(), meeting.name(), created_case.name()};
  return true;
}

struct Burst {
  int decisions = 0;
  int clients = 0;
  double seconds = 0;
  Summary latency{};
  int failures = 0;
  std::string Json() const {
    return absl::StrFormat(
        "{\"decisions\": %d, \"clients\": %d, \"seconds\": %.4f, \"per_s\": %.2f, "
        "\"p50_ms\": %.4f, \"failures\": %d}",
        decisions, clients, seconds, decisions / seconds, latency.p50, failures);
  }
};

// `total` decisions from `clients` threads, sent to the municipalities in
// turn.
Burst WriteBurst(v1::MeetingsService::Stub* stub, const Fixture& fixture, int clients, int total) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  absl::Mutex mutex;
  std::vector<double> latencies;
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      std::vector<double> mine;
      for (int i = next++; i < total; i = next++) {
        v1::Paragraph p;
        grpc::ClientContext ctx;
        const absl::Time begin = absl::Now();
        grpc::Status status = stub->RecordDecision(
            &ctx, PartDecision(fixture.meeting, fixture.case_name, i, PartMunicipality(i)), &p);
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
        if (!status.ok() && failures++ == 0) Check(status, "RecordDecision");
      }
      absl::MutexLock lock(&mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  return {total, clients, absl::ToDoubleSeconds(absl::Now() - start), Percentiles(latencies),
          failures.load()};
}

int Setup(v1::MeetingsService::Stub* stub) {
  Fixture fixture;
  if (!CreateFixture(stub, &fixture)) return 1;
  const Burst burst = WriteBurst(stub, fixture, 4, std::max(50, absl::GetFlag(FLAGS_decisions)));
  if (burst.failures > 0) return 1;
  v1::GetParagraphRequest get;
  get.set_name(fixture.meeting + "/paragraphs/1");
  v1::ListParagraphsRequest list;
  list.set_parent(fixture.meeting);
  list.set_page_size(50);
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  if (!WriteFrame(dir + "/get_paragraph.req", get) ||
      !WriteFrame(dir + "/list_paragraphs.req", list)) {
    std::fprintf(stderr, "cannot write the request frames into %s\n", dir.c_str());
    return 1;
  }
  absl::PrintF("{\"meeting\": \"%s\", \"case\": \"%s\", \"paragraph\": \"%s\", \"burst\": %s}\n",
               fixture.meeting, fixture.case_name, get.name(), burst.Json());
  return 0;
}

// RecordDecision until an open WatchDecisions stream (filtered to the first
// municipality) delivers it, --watch_samples times; false if a call failed.
bool TimeDeliveries(v1::MeetingsService::Stub* stub, const Fixture& fixture, Summary* summary) {
  grpc::ClientContext watch_ctx;
  v1::WatchDecisionsRequest watch;
  watch.set_municipality(PartMunicipality(0));
  auto reader = stub->WatchDecisions(&watch_ctx, watch);
  v1::WatchDecisionsResponse item;
  std::vector<double> deliveries;
  const int samples = std::max(1, absl::GetFlag(FLAGS_watch_samples));
  // The first round also replays the backlog: it warms up and is not timed.
  for (int i = -1; i < samples; ++i) {
    v1::Paragraph p;
    grpc::ClientContext ctx;
    const absl::Time begin = absl::Now();
    if (!Check(
            stub->RecordDecision(
                &ctx, PartDecision(fixture.meeting, fixture.case_name, i, PartMunicipality(0)), &p),
            "RecordDecision")) {
      return false;
    }
    bool seen = false;
    while (!seen && reader->Read(&item)) {
      seen = item.event().attributes().at("subject").ce_string() == p.name();
    }
    if (!seen) {
      Check(reader->Finish(), "WatchDecisions");
      return false;
    }
    if (i >= 0) deliveries.push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
  }
  watch_ctx.TryCancel();
  reader->Finish().IgnoreError();
  *summary = Percentiles(deliveries);
  return true;
}

int Replay(v1::MeetingsService::Stub* stub, const Fixture& fixture) {
  // The marker goes to municipalities/9901: a filtered replay of it ends too.
  v1::Paragraph marker;
  {
    grpc::ClientContext ctx;
    if (!Check(stub->RecordDecision(
                   &ctx, PartDecision(fixture.meeting, fixture.case_name, 0, PartMunicipality(0)),
                   &marker),
               "RecordDecision")) {
      return 1;
    }
  }
  grpc::ClientContext watch_ctx;
  v1::WatchDecisionsRequest watch;
  watch.set_municipality(absl::GetFlag(FLAGS_municipality));
  const absl::Time start = absl::Now();
  auto reader = stub->WatchDecisions(&watch_ctx, watch);
  v1::WatchDecisionsResponse item;
  int64_t events = 0;
  bool seen = false;
  while (!seen && reader->Read(&item)) {
    ++events;
    seen = item.event().attributes().at("subject").ce_string() == marker.name();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  watch_ctx.TryCancel();
  grpc::Status status = reader->Finish();
  if (!seen) {
    Check(status, "WatchDecisions");
    std::fprintf(stderr, "the replay ended before the marker %s\n", marker.name().c_str());
    return 1;
  }
  absl::PrintF("{\"events\": %d, \"seconds\": %.4f, \"per_s\": %.1f}\n", events, seconds,
               events / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      enamnd::bench::BenchChannel(absl::GetFlag(FLAGS_target));
  if (!channel.ok()) {
    std::fprintf(stderr, "%s\n", channel.status().ToString().c_str());
    return 2;
  }
  auto stub = v1::MeetingsService::NewStub(*channel);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  Fixture fixture{"", absl::GetFlag(FLAGS_meeting), absl::GetFlag(FLAGS_case_name)};
  if (mode == "setup") return Setup(stub.get());
  if (mode == "write") {
    const Burst burst = WriteBurst(stub.get(), fixture, std::max(1, absl::GetFlag(FLAGS_clients)),
                                   std::max(1, absl::GetFlag(FLAGS_decisions)));
    absl::PrintF("%s\n", burst.Json());
    return burst.failures == 0 ? 0 : 1;
  }
  if (mode == "latency") {
    Summary d;
    if (!TimeDeliveries(stub.get(), fixture, &d)) return 1;
    absl::PrintF("{\"samples\": %d, \"p50_ms\": %.4f, \"p95_ms\": %.4f}\n",
                 absl::GetFlag(FLAGS_watch_samples), d.p50, d.p95);
    return 0;
  }
  if (mode == "replay") return Replay(stub.get(), fixture);
  if (mode != "all") {
    std::fprintf(stderr, "--mode: all, setup, write, latency or replay\n");
    return 2;
  }
  std::fprintf(stderr, "calling %s\n", enamnd::bench::BenchIdentity().c_str());
  if (!CreateFixture(stub.get(), &fixture)) return 1;

  // Watchers, if asked for, follow the write path.
  const int pid = absl::GetFlag(FLAGS_service_pid);
  const int reading = std::max(0, absl::GetFlag(FLAGS_watchers));
  const int stalled = std::max(0, absl::GetFlag(FLAGS_stalled_watchers));
  if (pid > 0) std::printf("service memory before: %s\n", Memory(pid).c_str());
  std::unique_ptr<Watchers> watchers;
  if (reading + stalled > 0) watchers = std::make_unique<Watchers>(stub.get(), reading, stalled);

  // Write path.
  const Burst burst = WriteBurst(stub.get(), fixture, std::max(1, absl::GetFlag(FLAGS_clients)),
                                 std::max(1, absl::GetFlag(FLAGS_decisions)));
  const Summary& w = burst.latency;
  std::printf(
      "RecordDecision: %d decisions, %d clients, %.1f s, %.0f/s; latency ms p50 %.2f p95 %.2f p99 "
      "%.2f max %.2f; failures %d\n",
      burst.decisions, burst.clients, burst.seconds, burst.decisions / burst.seconds, w.p50, w.p95,
      w.p99, w.max, burst.failures);
  if (pid > 0) {
    std::printf("service memory after the writes, %d reading and %d stalled watchers: %s\n",
                reading, stalled, Memory(pid).c_str());
  }
  if (watchers != nullptr) {
    std::printf("watchers: %s\n", watchers->Close(reading).c_str());
    watchers.reset();
  }

  // Read path: every paragraph of the meeting, 100 a page.
  std::vector<double> pages;
  std::string token;
  int listed = 0;
  const absl::Time start = absl::Now();
  do {
    v1::ListParagraphsRequest request;
    request.set_parent(fixture.meeting);
    request.set_page_size(100);
    request.set_page_token(token);
    v1::ListParagraphsResponse response;
    grpc::ClientContext ctx;
    absl::Time begin = absl::Now();
    if (!Check(stub->ListParagraphs(&ctx, request, &response), "ListParagraphs")) return 1;
    pages.push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
    listed += response.paragraphs_size();
    token = response.next_page_token();
  } while (!token.empty());
  Summary r = Percentiles(pages);
  std::printf(
      "ListParagraphs: %d paragraphs in %zu pages of 100, %.2f s; page latency ms p50 %.2f p95 "
      "%.2f max %.2f\n",
      listed, pages.size(), absl::ToDoubleSeconds(absl::Now() - start), r.p50, r.p95, r.max);

  // Record -> WatchDecisions, live (the stream is open and caught up).
  Summary d;
  if (!TimeDeliveries(stub.get(), fixture, &d)) return 1;
  std::printf("RecordDecision -> WatchDecisions: %d samples; ms p50 %.2f p95 %.2f max %.2f\n",
              absl::GetFlag(FLAGS_watch_samples), d.p50, d.p95, d.max);
  std::printf("data left behind: body %s (a benchmark body; harmless, delete var/ to reset)\n",
              fixture.body.c_str());
  return burst.failures == 0 ? 0 : 1;
}
