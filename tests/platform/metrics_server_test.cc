// /metrics of a running service (ServerRunner with metrics_listen), read the
// way Prometheus would: RPCs by method and code, SQLite commits, and the
// outbox backlog while Redis cannot be reached.
#include <httplib.h>

#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/meetings/api/service.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"

namespace enamnd::platform {
namespace {

using enamnd::testing::InProcess;
using enamnd::testing::TempDir;
using meetings::v1::MeetingsService;

// The value of the sample `series` (name and labels exactly as rendered,
// e.g. `x_total{code="OK"}`), or nullopt when it is absent.
std::optional<double> Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.size() > series.size() && absl::StartsWith(line, series) &&
        line[series.size()] == ' ') {
      double value = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
    }
  }
  return std::nullopt;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  MetricsEndpointTest()
      // Redis on a port where nothing listens: the relay cannot publish.
      : service_("meetings", meetings::NewMeetingsService, dir_.path(),
                 absl::StrCat("tcp://127.0.0.1:", enamnd::testing::FreePort())) {}

  void SetUp() override {
    service_.Configure([](ServerConfig* config) { config->metrics_listen = "127.0.0.1:0"; });
    absl::Status status = service_.Start();
    ASSERT_TRUE(status.ok()) << status;
  }

  std::string Scrape() {
    httplib::Client client("127.0.0.1", service_.runner()->metrics_port());
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    auto response = client.Get("/metrics");
    EXPECT_TRUE(response) << httplib::to_string(response.error());
    if (!response) return "";
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4");
    return response->body;
  }

  TempDir dir_;
  InProcess<MeetingsService> service_;
};

TEST_F(MetricsEndpointTest, CountsRpcsByMethodAndCode) {
  ASSERT_GT(service_.runner()->metrics_port(), 0);
  const std::string ok_series =
      "enamnd_rpc_requests_total{code=\"OK\",method=\"/enamnd.meetings.v1.MeetingsService/"
      "ListAuditRecords\"}";
  const std::string invalid_series =
      "enamnd_rpc_requests_total{code=\"INVALID_ARGUMENT\",method=\"/enamnd.meetings.v1."
      "MeetingsService/GetMeeting\"}";
  double ok_before = Sample(Scrape(), ok_series).value_or(0);
  double invalid_before = Sample(Scrape(), invalid_series).value_or(0);

  auto stub = service_.StubAs(enamnd::testing::kOperator);
  grpc::ClientContext list_context;
  list_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auth::v1::ListAuditRecordsResponse records;
  grpc::Status status =
      stub->ListAuditRecords(&list_context, auth::v1::ListAuditRecordsRequest(), &records);
  ASSERT_TRUE(status.ok()) << status.error_message();

  grpc::ClientContext get_context;
  get_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  meetings::v1::GetMeetingRequest bad;
  bad.set_name("not a meeting name");
  meetings::v1::Meeting meeting;
  status = service_.stub()->GetMeeting(&get_context, bad, &meeting);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();

  std::string text = Scrape();
  EXPECT_EQ(Sample(text, ok_series), ok_before + 1) << text;
  EXPECT_EQ(Sample(text, invalid_series), invalid_before + 1) << text;
  std::optional<double> latency_count =
      Sample(text,
             "enamnd_rpc_duration_seconds_count{method=\"/enamnd.meetings.v1.MeetingsService/"
             "ListAuditRecords\"}");
  ASSERT_TRUE(latency_count.has_value()) << text;
  EXPECT_GE(*latency_count, 1);
  // One HELP and one TYPE line per family, however many series.
  EXPECT_EQ(text.find("# TYPE enamnd_rpc_requests_total counter"),
            text.rfind("# TYPE enamnd_rpc_requests_total counter"));
}

TEST_F(MetricsEndpointTest, SqliteCommitsAndUnpublishedOutboxRowsWhileRedisIsDown) {
  const std::string stream = "{stream=\"enamnd:events:meetings\"}";
  std::string before = Scrape();
  double commits_before = Sample(before, "enamnd_sqlite_commit_duration_seconds_count").value_or(0);
  std::optional<double> unpublished_before = Sample(before, "enamnd_outbox_unpublished" + stream);
  ASSERT_TRUE(unpublished_before.has_value()) << before;

  // An event written the way every handler writes one: in a write
  // transaction, through the outbox.
  ServerRunner* runner = service_.runner();
  auto tx = runner->db()->Begin();
  ASSERT_TRUE(tx.ok()) << tx.status();
  meetings::v1::Case payload;
  payload.set_name("cases/2022-1");
  auto sequence = runner->outbox()->Append(*tx, payload, "cases/2022-1");
  ASSERT_TRUE(sequence.ok()) << sequence.status();
  ASSERT_TRUE(tx->Commit().ok());

  std::string after = Scrape();
  std::optional<double> commits_after =
      Sample(after, "enamnd_sqlite_commit_duration_seconds_count");
  ASSERT_TRUE(commits_after.has_value()) << after;
  EXPECT_GE(*commits_after, commits_before + 1);
  EXPECT_TRUE(after.find("enamnd_sqlite_commit_duration_seconds_bucket{le=\"+Inf\"}") !=
              std::string::npos)
      << after;
  // Redis is unreachable: the row stays unpublished, and it has an age.
  EXPECT_EQ(Sample(after, "enamnd_outbox_unpublished" + stream), *unpublished_before + 1) << after;
  std::optional<double> age =
      Sample(after, "enamnd_outbox_oldest_unpublished_age_seconds" + stream);
  ASSERT_TRUE(age.has_value()) << after;
  EXPECT_GE(*age, 0);
  EXPECT_LT(*age, 600);  // a real age, not a parse failure (NaN) or a wrong epoch
}

TEST_F(MetricsEndpointTest, ShutdownClosesThePortAndDropsTheOutboxSeries) {
  int port = service_.runner()->metrics_port();
  ASSERT_GT(port, 0);
  ASSERT_TRUE(enamnd::testing::PortAccepts(port));
  service_.Stop();
  EXPECT_FALSE(enamnd::testing::PortAccepts(port));
  std::string text = MetricsRegistry::Global().Render();
  EXPECT_EQ(text.find("enamnd_outbox_unpublished{stream=\"enamnd:events:meetings\"}"),
            std::string::npos)
      << text;
}

TEST(MetricsConfigTest, OffUnlessConfigured) {
  TempDir dir;
  InProcess<MeetingsService> service("meetings", meetings::NewMeetingsService, dir.path(),
                                     absl::StrCat("tcp://127.0.0.1:", enamnd::testing::FreePort()));
  absl::Status status = service.Start();
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(service.runner()->metrics_port(), 0);
}

TEST(MetricsConfigTest, ReadsEnamndMetricsListen) {
  setenv("ENAMND_METRICS_LISTEN", "127.0.0.1:9464", 1);
  auto config = LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->metrics_listen, "127.0.0.1:9464");
  setenv("ENAMND_METRICS_LISTEN", "9464", 1);
  config = LoadConfig("meetings");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(config.status().message(), "ENAMND_METRICS_LISTEN"))
      << config.status();
  unsetenv("ENAMND_METRICS_LISTEN");
  config = LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->metrics_listen, "");
}

}  // namespace
}  // namespace enamnd::platform
