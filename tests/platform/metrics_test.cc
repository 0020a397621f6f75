// The metrics registry's text exposition format, callback metrics and their
// handles, and the /metrics HTTP server.
#include "services/platform/metrics.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace enamnd::platform {
namespace {

TEST(MetricsRenderTest, HelpAndTypeOncePerFamilyAndSeriesSortedByLabels) {
  MetricsRegistry registry;
  registry.GetCounter("jobs_total", "Jobs done.", {{"queue", "b"}})->Increment(2);
  registry.GetCounter("jobs_total", "Jobs done.", {{"queue", "a"}})->Increment();
  registry.GetGauge("temperature", "Now.")->Set(-1.5);
  EXPECT_EQ(registry.Render(),
            "# HELP jobs_total Jobs done.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{queue=\"a\"} 1\n"
            "jobs_total{queue=\"b\"} 2\n"
            "# HELP temperature Now.\n"
            "# TYPE temperature gauge\n"
            "temperature -1.5\n");
}

TEST(MetricsRenderTest, SameSeriesWhateverTheLabelOrder) {
  MetricsRegistry registry;
  Counter* first = registry.GetCounter("calls_total", "h", {{"method", "m"}, {"code", "OK"}});
  Counter* second = registry.GetCounter("calls_total", "h", {{"code", "OK"}, {"method", "m"}});
  EXPECT_EQ(first, second);
  first->Increment();
  second->Increment();
  EXPECT_TRUE(absl::StrContains(registry.Render(), "calls_total{code=\"OK\",method=\"m\"} 2\n"))
      << registry.Render();
}

TEST(MetricsRenderTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.GetGauge("odd", "Back\\slash and\nnewline.", {{"v", "a\\b\"c\nd"}})->Set(1);
  EXPECT_EQ(registry.Render(),
            "# HELP odd Back\\\\slash and\\nnewline.\n"
            "# TYPE odd gauge\n"
            "odd{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsRenderTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry registry;
  Histogram* h = registry.GetHistogram("latency_seconds", "L.", {{"m", "x"}}, {1, 0.1});
  h->Observe(0.05);
  h->Observe(0.1);  // on a bound: counted in that bucket (le)
  h->Observe(0.5);
  h->Observe(3);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds L.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{m=\"x\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{m=\"x\",le=\"1\"} 3\n"
            "latency_seconds_bucket{m=\"x\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{m=\"x\"} 3.65\n"
            "latency_seconds_count{m=\"x\"} 4\n");
}

TEST(MetricsRenderTest, DefaultBucketsSpanHalfAMillisecondToTenSeconds) {
  const std::vector<double>& buckets = DefaultLatencyBuckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_DOUBLE_EQ(buckets.front(), 0.0005);
  EXPECT_DOUBLE_EQ(buckets.back(), 10);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

TEST(MetricsRenderTest, SpecialValues) {
  MetricsRegistry registry;
  registry.GetGauge("g", "h", {{"k", "nan"}})->Set(NAN);
  registry.GetGauge("g", "h", {{"k", "inf"}})->Set(INFINITY);
  registry.GetGauge("g", "h", {{"k", "big"}})->Set(1e21);
  std::string text = registry.Render();
  EXPECT_TRUE(absl::StrContains(text, "g{k=\"nan\"} NaN\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "g{k=\"inf\"} +Inf\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "g{k=\"big\"} 1e+21\n")) << text;
}

TEST(MetricsRenderTest, MisuseIsNotRenderedButSafeToRecord) {
  MetricsRegistry registry;
  registry.GetCounter("used_total", "h")->Increment();
  Gauge* wrong_type = registry.GetGauge("used_total", "h");
  ASSERT_NE(wrong_type, nullptr);
  wrong_type->Set(7);
  Counter* bad_name = registry.GetCounter("1bad-name", "h");
  ASSERT_NE(bad_name, nullptr);
  bad_name->Increment();
  Counter* bad_label = registry.GetCounter("fine_total", "h", {{"bad-label", "x"}});
  ASSERT_NE(bad_label, nullptr);
  bad_label->Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP used_total h\n"
            "# TYPE used_total counter\n"
            "used_total 1\n");
}

TEST(MetricsRenderTest, CountersNeverGoDown) {
  MetricsRegistry registry;
  Counter* c = registry.GetCounter("c_total", "h");
  c->Increment(3);
  c->Increment(-1);
  EXPECT_EQ(c->value(), 3);
}

TEST(MetricsConcurrencyTest, IncrementsFromManyThreadsAllCount) {
  MetricsRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kEach; ++i) {
        // Looked up every time, as the one-line call sites do.
        registry.GetCounter("hits_total", "h", {{"shard", t % 2 == 0 ? "even" : "odd"}})
            ->Increment();
        registry.GetHistogram("obs_seconds", "h")->Observe(0.001);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(registry.GetCounter("hits_total", "h", {{"shard", "even"}})->value(),
            kThreads / 2 * kEach);
  EXPECT_EQ(registry.GetCounter("hits_total", "h", {{"shard", "odd"}})->value(),
            kThreads / 2 * kEach);
  EXPECT_EQ(registry.GetHistogram("obs_seconds", "h")->CumulativeCounts().back(),
            static_cast<uint64_t>(kThreads * kEach));
}

TEST(MetricsCallbackTest, RenderedWhileTheHandleLives) {
  MetricsRegistry registry;
  std::atomic<int> depth{5};
  {
    MetricHandle handle = registry.AddCallbackGauge("queue_depth", "Depth.", {{"q", "a"}},
                                                    [&depth] { return double(depth.load()); });
    EXPECT_EQ(registry.Render(),
              "# HELP queue_depth Depth.\n# TYPE queue_depth gauge\nqueue_depth{q=\"a\"} 5\n");
    depth = 6;  // computed at scrape time
    EXPECT_TRUE(absl::StrContains(registry.Render(), "queue_depth{q=\"a\"} 6\n"));
    MetricHandle moved = std::move(handle);
    EXPECT_TRUE(absl::StrContains(registry.Render(), "queue_depth{q=\"a\"} 6\n"));
  }
  // No series left: the family is not rendered at all.
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsCallbackTest, CallbackCounterHasCounterType) {
  MetricsRegistry registry;
  MetricHandle handle =
      registry.AddCallbackCounter("things_total", "Things.", {}, [] { return 42.0; });
  EXPECT_EQ(registry.Render(),
            "# HELP things_total Things.\n# TYPE things_total counter\n"
            "things_total 42\n");
  handle.Reset();
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsCallbackTest, NewestOfTwoWithTheSameLabelsIsRendered) {
  MetricsRegistry registry;
  MetricHandle older = registry.AddCallbackGauge("lag", "h", {{"s", "x"}}, [] { return 1.0; });
  auto newer = std::make_unique<MetricHandle>(
      registry.AddCallbackGauge("lag", "h", {{"s", "x"}}, [] { return 2.0; }));
  std::string text = registry.Render();
  EXPECT_TRUE(absl::StrContains(text, "lag{s=\"x\"} 2\n")) << text;
  EXPECT_FALSE(absl::StrContains(text, "lag{s=\"x\"} 1\n")) << text;
  newer.reset();
  EXPECT_TRUE(absl::StrContains(registry.Render(), "lag{s=\"x\"} 1\n")) << registry.Render();
}

// A handle's owner frees what the callback reads right after the handle is
// gone; a scrape running meanwhile must never see it freed.
TEST(MetricsCallbackTest, NoCallbackRunsAfterItsHandleIsGone) {
  MetricsRegistry registry;
  std::atomic<bool> stop{false};
  std::atomic<int> calls_after_release{0};
  std::atomic<int> scrapes{0};
  std::thread scraper([&] {
    while (!stop.load()) {
      (void)registry.Render();
      scrapes.fetch_add(1);
    }
  });
  struct Owner {
    std::atomic<bool> alive{true};
  };
  // Kept to the end, so that a wrong call is counted rather than a crash.
  std::vector<std::unique_ptr<Owner>> owners;
  // Half a second of handles coming and going under the scraper, and at
  // least 500 scrapes (within 20 s).
  absl::Time busy_until = absl::Now() + absl::Milliseconds(500);
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (int i = 0; absl::Now() < busy_until || (scrapes.load() < 500 && absl::Now() < deadline);
       ++i) {
    Owner* owner = owners.emplace_back(std::make_unique<Owner>()).get();
    MetricHandle handle =
        registry.AddCallbackGauge("owned", "h", {{"i", absl::StrCat(i % 3)}}, [&, owner] {
          // Slow enough for Reset() to come while it runs: Reset must wait.
          for (int k = 0; k < 3; ++k) std::this_thread::yield();
          if (!owner->alive.load()) calls_after_release.fetch_add(1);
          return 1.0;
        });
    handle.Reset();
    owner->alive = false;  // "freed": the callback must not run any more
  }
  stop = true;
  scraper.join();
  EXPECT_EQ(calls_after_release.load(), 0);
  EXPECT_GE(scrapes.load(), 500);
}

TEST(RecordRpcTest, KnownMethodsByNameUnknownOnesAsUnknown) {
  RecordRpc("/grpc.health.v1.Health/Check", 0, absl::Milliseconds(2));
  RecordRpc("/no.such.v1.Service/Anything", 12, absl::Milliseconds(2));
  RecordRpc("/no.such.v1.Service/Other", 12, absl::Milliseconds(2));
  std::string text = MetricsRegistry::Global().Render();
  EXPECT_TRUE(absl::StrContains(
      text, "enamnd_rpc_requests_total{code=\"OK\",method=\"/grpc.health.v1.Health/Check\"} "))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "enamnd_rpc_requests_total{code=\"UNIMPLEMENTED\",method=\"unknown\"} 2\n"))
      << text;
  EXPECT_FALSE(absl::StrContains(text, "no.such")) << text;
  EXPECT_TRUE(absl::StrContains(
      text, "enamnd_rpc_duration_seconds_bucket{method=\"unknown\",le=\"0.0025\"} 2\n"))
      << text;
}

TEST(RecordJobRunTest, FailureCounterExistsFromTheFirstRun) {
  RecordJobRun("quiet-job", true, absl::FromUnixSeconds(1656892800));
  std::string text = MetricsRegistry::Global().Render();
  EXPECT_TRUE(absl::StrContains(text, "enamnd_deadline_job_failures_total{task=\"quiet-job\"} 0\n"))
      << text;
}

TEST(RecordJobRunTest, SuccessTimeAndFailures) {
  RecordJobRun("test-job", true, absl::FromUnixSeconds(1656892800));
  RecordJobRun("test-job", false);
  RecordJobRun("test-job", false);
  std::string text = MetricsRegistry::Global().Render();
  EXPECT_TRUE(absl::StrContains(
      text, "enamnd_deadline_job_last_success_timestamp_seconds{task=\"test-job\"} 1656892800\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "enamnd_deadline_job_failures_total{task=\"test-job\"} 2\n"))
      << text;
}

TEST(MetricsServerTest, ServesTheGlobalRegistryOnGetMetrics) {
  MetricHandle handle = MetricsRegistry::Global().AddCallbackGauge(
      "enamnd_test_served", "h", {{"by", "server test"}}, [] { return 3.0; });
  auto server = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_TRUE(absl::StrContains(response->body, "enamnd_test_served{by=\"server test\"} 3\n"))
      << response->body;
  auto other = client.Get("/");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_NE(post->status, 200);
}

TEST(MetricsServerTest, APortInUseIsAnErrorNotShared) {
  auto first = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MetricsServer::Start(absl::StrCat("127.0.0.1:", (*first)->port()));
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

TEST(MetricsServerTest, StopsWhenDestroyed) {
  auto server = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(server.ok()) << server.status();
  int port = (*server)->port();
  server->reset();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  EXPECT_FALSE(client.Get("/metrics"));
}

TEST(MetricsServerTest, RejectsAnAddressWithoutPort) {
  for (const char* listen : {"127.0.0.1", "127.0.0.1:http", ":9000", "127.0.0.1:70000"}) {
    auto server = MetricsServer::Start(listen);
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << listen;
    EXPECT_TRUE(absl::StrContains(server.status().message(), "ENAMND_METRICS_LISTEN")) << listen;
  }
}

}  // namespace
}  // namespace enamnd::platform
