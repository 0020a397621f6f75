// enamnd-bench-lists: how the first page of every List of the meetings and
// audits services grows with the data, measured from outside over gRPC.
//
//   tools/benchmarks/list-scaling --stages=10000,100000      (starts its own services)
//   build/tools/benchmarks/enamnd-bench-lists --meetings=HOST:PORT --audits=HOST:PORT
//       --stages=500,2000                               (against empty services)
//
// It calls as --principal over plaintext (services with ENAMND_INSECURE=true
// and a policy granting it secretary, adjuster and operator, as
// list-scaling starts them), or with --tls_dir over mTLS (bench_channel.h).
//
// It loads data through the public API in stages (each stage brings both
// services up to at least that many rows: paragraphs in meetings,
// recommendations in audits; see lists_data.h), waits until the audits
// service has consumed the meetings events, and then times the first page
// of every List RPC with each filter it offers (median, 95th percentile and
// calls per second of --samples sequential calls), including the small
// fixed case of issue 7: a 9-paragraph meeting listed by recipient. It also
// walks every page of ListReviews and ListRecommendations once. At the end
// it prints a Markdown table of the medians per stage. It asserts nothing:
// compare versions on the same machine.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/benchmarks/bench_channel.h"
#include "tools/benchmarks/lists_data.h"

ABSL_FLAG(std::string, meetings, "127.0.0.1:50051", "meetings service address");
ABSL_FLAG(std::string, audits, "127.0.0.1:50052", "audits service address");
ABSL_FLAG(std::vector<std::string>, stages, std::vector<std::string>({"10000", "100000"}),
          "ascending row counts to load and measure at (paragraphs and recommendations each)");
ABSL_FLAG(int, clients, 8, "concurrent writers per service while loading");
ABSL_FLAG(int, samples, 30, "timed first-page calls per List and stage");
ABSL_FLAG(int, page_size, 50, "page size of every List call (the API's default is 50)");
ABSL_FLAG(int, paragraphs_per_meeting, 50, "paragraphs of each bulk meeting");
ABSL_FLAG(int, recommendations_per_review, 10, "recommendations of each review");
ABSL_FLAG(absl::Duration, list_budget, absl::Seconds(10),
          "time per List and stage; fewer samples are taken when it runs out");
ABSL_FLAG(absl::Duration, walk_budget, absl::Seconds(180),
          "time for walking all pages of one List; the walk stops when it runs out");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(120), "deadline of each call");
ABSL_FLAG(absl::Duration, settle_timeout, absl::Minutes(15),
          "how long to wait for the audits service to consume the meetings events");
ABSL_FLAG(std::string, tag, "", "suffix of the body id and request ids (default: unix time)");

namespace {

namespace mv1 = ::enamnd::meetings::v1;
namespace av1 = ::enamnd::audits::v1;
using google::protobuf::Message;
using MeetingsStub = mv1::MeetingsService::Stub;
using AuditsStub = av1::AuditsService::Stub;

// One List call, with its request for the first page.
struct ListCall {
  std::string label;
  std::unique_ptr<Message> request;
  std::unique_ptr<Message> response;
  std::function<grpc::Status(grpc::ClientContext*, const Message&, Message*)> call;
};

template <typename Stub, typename Request, typename Response>
ListCall MakeList(std::string label, Stub* stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  Request request) {
  ListCall list;
  list.label = std::move(label);
  list.request = std::make_unique<Request>(std::move(request));
  list.response = std::make_unique<Response>();
  list.call = [stub, method](grpc::ClientContext* ctx, const Message& req, Message* resp) {
    return (stub->*method)(ctx, static_cast<const Request&>(req), static_cast<Response*>(resp));
  };
  return list;
}

// A request with its parent (or plan), filter and page size, set by field
// name: every List request of both services spells them alike.
template <typename Request>
Request Req(const std::string& parent = "", const std::string& filter = "") {
  Request r;
  const auto* d = r.GetDescriptor();
  const auto* refl = r.GetReflection();
  if (!parent.empty()) {
    const auto* f = d->FindFieldByName("parent");
    refl->SetString(&r, f != nullptr ? f : d->FindFieldByName("plan"), parent);
  }
  if (!filter.empty()) refl->SetString(&r, d->FindFieldByName("filter"), filter);
  if (const auto* f = d->FindFieldByName("page_size")) {
    refl->SetInt32(&r, f, absl::GetFlag(FLAGS_page_size));
  }
  return r;
}

int Items(const Message& response) {  // field 1 of every List response is its page
  return response.GetReflection()->FieldSize(response,
                                             response.GetDescriptor()->FindFieldByNumber(1));
}

std::string NextToken(const Message& response) {
  const auto* f = response.GetDescriptor()->FindFieldByName("next_page_token");
  return f == nullptr ? "" : response.GetReflection()->GetString(response, f);
}

std::vector<ListCall> Lists(MeetingsStub* m, AuditsStub* a, const enamnd::bench::Names& n) {
  const std::string recipient = "recipient = \"municipalities/2584\"";
  const std::string year = absl::StrCat("year = ", n.first_year);
  std::vector<ListCall> l;
  l.push_back(MakeList("ListParagraphs 9-paragraph meeting, recipient", m,
                       &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>(n.fixed_meeting, recipient)));
  l.push_back(MakeList("ListParagraphs 9-paragraph meeting", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>(n.fixed_meeting)));
  l.push_back(MakeList("ListParagraphs a bulk meeting", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>(n.first_meeting)));
  l.push_back(MakeList("ListParagraphs a bulk meeting, recipient", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>(n.first_meeting, recipient)));
  l.push_back(MakeList("ListParagraphs body", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>(n.body)));
  l.push_back(MakeList("ListParagraphs bodies/-", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>("bodies/-")));
  l.push_back(MakeList("ListParagraphs bodies/-, recipient", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>("bodies/-", recipient)));
  l.push_back(MakeList(
      absl::StrCat("ListParagraphs bodies/-, case ", n.first_case), m,
      &MeetingsStub::ListParagraphs,
      Req<mv1::ListParagraphsRequest>("bodies/-", absl::StrCat("case = \"", n.first_case, "\""))));
  l.push_back(MakeList("ListParagraphs bodies/-, kind REJECT", m, &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>("bodies/-", "kind = DECISION_KIND_REJECT")));
  l.push_back(MakeList(absl::StrCat("ListParagraphs bodies/-, ", year), m,
                       &MeetingsStub::ListParagraphs,
                       Req<mv1::ListParagraphsRequest>("bodies/-", year)));
  l.push_back(
      MakeList("ListParagraphs body, recipient AND year", m, &MeetingsStub::ListParagraphs,
               Req<mv1::ListParagraphsRequest>(n.body, absl::StrCat(recipient, " AND ", year))));
  l.push_back(MakeList("ListMeetings body", m, &MeetingsStub::ListMeetings,
                       Req<mv1::ListMeetingsRequest>(n.body)));
  l.push_back(MakeList(absl::StrCat("ListMeetings bodies/-, ", year), m,
                       &MeetingsStub::ListMeetings,
                       Req<mv1::ListMeetingsRequest>("bodies/-", year)));
  l.push_back(MakeList("ListMeetings bodies/-, state PLANNED", m, &MeetingsStub::ListMeetings,
                       Req<mv1::ListMeetingsRequest>("bodies/-", "state = STATE_PLANNED")));
  l.push_back(MakeList("ListMeetings body, state HELD", m, &MeetingsStub::ListMeetings,
                       Req<mv1::ListMeetingsRequest>(n.body, "state = STATE_HELD")));
  l.push_back(MakeList("ListCases", m, &MeetingsStub::ListCases, Req<mv1::ListCasesRequest>()));
  l.push_back(MakeList(absl::StrCat("ListCases ", year), m, &MeetingsStub::ListCases,
                       Req<mv1::ListCasesRequest>("", year)));
  l.push_back(MakeList(
      "ListCases subject", m, &MeetingsStub::ListCases,
      Req<mv1::ListCasesRequest>("", absl::StrCat("subject = \"", n.sentinel_subject, "\""))));
  l.push_back(MakeList("ListBodies", m, &MeetingsStub::ListBodies, Req<mv1::ListBodiesRequest>()));
  l.push_back(MakeList("ListMunicipalities", m, &MeetingsStub::ListMunicipalities,
                       Req<mv1::ListMunicipalitiesRequest>()));
  l.push_back(MakeList("ListAdjustments body", m, &MeetingsStub::ListAdjustments,
                       Req<mv1::ListAdjustmentsRequest>(n.body)));
  l.push_back(MakeList("ListAdjustments meeting", m, &MeetingsStub::ListAdjustments,
                       Req<mv1::ListAdjustmentsRequest>(n.adjusted_meeting)));

  const std::string review_year = absl::StrCat("year = ", n.review_year);
  l.push_back(MakeList("ListReviews", a, &AuditsStub::ListReviews, Req<av1::ListReviewsRequest>()));
  l.push_back(MakeList(absl::StrCat("ListReviews ", review_year), a, &AuditsStub::ListReviews,
                       Req<av1::ListReviewsRequest>("", review_year)));
  l.push_back(MakeList("ListReviews municipality 2584", a, &AuditsStub::ListReviews,
                       Req<av1::ListReviewsRequest>("", "municipality = \"municipalities/2584\"")));
  l.push_back(MakeList("ListRecommendations one review", a, &AuditsStub::ListRecommendations,
                       Req<av1::ListRecommendationsRequest>(n.first_review)));
  l.push_back(MakeList("ListRecommendations reviews/-", a, &AuditsStub::ListRecommendations,
                       Req<av1::ListRecommendationsRequest>("reviews/-")));
  l.push_back(MakeList("ListRecommendations reviews/-, status OPEN", a,
                       &AuditsStub::ListRecommendations,
                       Req<av1::ListRecommendationsRequest>("reviews/-", "status = STATUS_OPEN")));
  l.push_back(MakeList("ListRecommendations reviews/-, overdue", a,
                       &AuditsStub::ListRecommendations,
                       Req<av1::ListRecommendationsRequest>("reviews/-", "overdue = true")));
  l.push_back(MakeList(absl::StrCat("ListRecommendations reviews/-, ", review_year), a,
                       &AuditsStub::ListRecommendations,
                       Req<av1::ListRecommendationsRequest>("reviews/-", review_year)));
  l.push_back(MakeList("ListControlPoints (40 points)", a, &AuditsStub::ListControlPoints,
                       Req<av1::ListControlPointsRequest>(n.plan)));
  l.push_back(MakeList("ListMissedControlPoints (no pages)", a,
                       &AuditsStub::ListMissedControlPoints,
                       Req<av1::ListMissedControlPointsRequest>(n.plan)));
  l.push_back(MakeList("ListOverdueMoments reporting-years/- (no pages)", a,
                       &AuditsStub::ListOverdueMoments,
                       Req<av1::ListOverdueMomentsRequest>("reporting-years/-")));
  return l;
}

grpc::Status Call(const ListCall& list, const Message& request, Message* response, double* ms) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_call_timeout)));
  const absl::Time begin = absl::Now();
  grpc::Status status = list.call(&ctx, request, response);
  *ms = absl::ToDoubleMilliseconds(absl::Now() - begin);
  return status;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("error ", status.error_code(), ": ", status.error_message());
}

double Quantile(const std::vector<double>& sorted, double q) {  // nearest rank
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Times the first page: one warm-up call (kept as a sample when it is slow
// already), then up to --samples calls within --list_budget. Prints a row,
// returns the summary cell.
std::string TimeFirstPage(ListCall& list) {
  const int samples = std::max(1, absl::GetFlag(FLAGS_samples));
  const absl::Duration budget = absl::GetFlag(FLAGS_list_budget);
  std::vector<double> ms;
  double took = 0;
  grpc::Status status = Call(list, *list.request, list.response.get(), &took);
  if (!status.ok()) {
    std::printf("  %-52s %s\n", list.label.c_str(), Describe(status).c_str());
    return "error";
  }
  const int items = Items(*list.response);
  const bool more = !NextToken(*list.response).empty();
  if (took > 1000) ms.push_back(took);
  const absl::Time start = absl::Now();
  while (static_cast<int>(ms.size()) < samples && absl::Now() - start < budget) {
    status = Call(list, *list.request, list.response.get(), &took);
    if (!status.ok()) {
      std::printf("  %-52s %s\n", list.label.c_str(), Describe(status).c_str());
      return "error";
    }
    ms.push_back(took);
  }
  if (ms.empty()) ms.push_back(took);
  double total = 0;
  for (double t : ms) total += t;
  std::sort(ms.begin(), ms.end());
  const double p50 = Quantile(ms, 0.50);
  const double p95 = Quantile(ms, 0.95);
  const double per_second = 1000.0 * static_cast<double>(ms.size()) / total;
  std::printf("  %-52s %5d %4s %9.2f %9.2f %9.1f %5zu\n", list.label.c_str(), items,
              more ? "yes" : "no", p50, p95, per_second, ms.size());
  std::fflush(stdout);
  return absl::StrFormat("%.2f ms (%.0f/s)", p50, per_second);
}

// Walks every page once, within --walk_budget. Prints a row, returns the
// summary cell.
std::string WalkAllPages(ListCall& list) {
  const absl::Duration budget = absl::GetFlag(FLAGS_walk_budget);
  std::unique_ptr<Message> request(list.request->New());
  request->CopyFrom(*list.request);
  const auto* token_field = request->GetDescriptor()->FindFieldByName("page_token");
  int pages = 0;
  int items = 0;
  double slowest = 0;
  const absl::Time start = absl::Now();
  std::string token;
  do {
    request->GetReflection()->SetString(request.get(), token_field, token);
    double took = 0;
    grpc::Status status = Call(list, *request, list.response.get(), &took);
    if (!status.ok()) {
      std::printf("  walk %-47s %s after %d pages\n", list.label.c_str(), Describe(status).c_str(),
                  pages);
      return "error";
    }
    ++pages;
    items += Items(*list.response);
    slowest = std::max(slowest, took);
    token = NextToken(*list.response);
  } while (!token.empty() && absl::Now() - start < budget);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const bool complete = token.empty();
  std::printf(
      "  walk %-47s %d items in %d pages, %.3f s%s; slowest page %.1f ms\n", list.label.c_str(),
      items, pages, seconds,
      complete ? ""
               : absl::StrCat(" (stopped: budget ", absl::FormatDuration(budget), " used)").c_str(),
      slowest);
  std::fflush(stdout);
  return complete ? absl::StrFormat("%.3f s (%d pages)", seconds, pages)
                  : absl::StrFormat("> %.0f s (%d pages, stopped)", seconds, pages);
}

bool ParseStages(std::vector<int>* stages) {
  int previous = 0;
  for (const std::string& text : absl::GetFlag(FLAGS_stages)) {
    int rows = 0;
    if (!absl::SimpleAtoi(text, &rows) || rows <= previous) {
      std::fprintf(stderr, "--stages: ascending positive row counts, e.g. 10000,100000\n");
      return false;
    }
    stages->push_back(rows);
    previous = rows;
  }
  return !stages->empty();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::vector<int> stages;
  if (!ParseStages(&stages)) return 2;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> meetings_channel =
      enamnd::bench::BenchChannel(absl::GetFlag(FLAGS_meetings));
  absl::StatusOr<std::shared_ptr<grpc::Channel>> audits_channel =
      enamnd::bench::BenchChannel(absl::GetFlag(FLAGS_audits));
  for (const auto* channel : {&meetings_channel, &audits_channel}) {
    if (!channel->ok()) {
      std::fprintf(stderr, "%s\n", channel->status().ToString().c_str());
      return 2;
    }
  }
  std::fprintf(stderr, "calling %s\n", enamnd::bench::BenchIdentity().c_str());
  auto meetings = mv1::MeetingsService::NewStub(*meetings_channel);
  auto audits = av1::AuditsService::NewStub(*audits_channel);

  enamnd::bench::DataShape shape;
  shape.tag = absl::GetFlag(FLAGS_tag);
  if (shape.tag.empty()) shape.tag = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  shape.paragraphs_per_meeting = std::max(1, absl::GetFlag(FLAGS_paragraphs_per_meeting));
  shape.recommendations_per_review = std::max(1, absl::GetFlag(FLAGS_recommendations_per_review));
  shape.largest_stage = stages.back();
  shape.clients = absl::GetFlag(FLAGS_clients);
  shape.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  enamnd::bench::DataSet data(shape, meetings.get(), audits.get());
  if (absl::Status s = data.Setup(); !s.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<ListCall> lists = Lists(meetings.get(), audits.get(), data.names());
  std::vector<ListCall> walks;
  walks.push_back(MakeList("ListReviews", audits.get(), &AuditsStub::ListReviews,
                           Req<av1::ListReviewsRequest>()));
  walks.push_back(MakeList("ListRecommendations reviews/-", audits.get(),
                           &AuditsStub::ListRecommendations,
                           Req<av1::ListRecommendationsRequest>("reviews/-")));

  std::printf(
      "enamnd-bench-lists: meetings %s, audits %s; page size %d; %d samples or %s per "
      "List\n",
      absl::GetFlag(FLAGS_meetings).c_str(), absl::GetFlag(FLAGS_audits).c_str(),
      absl::GetFlag(FLAGS_page_size), absl::GetFlag(FLAGS_samples),
      absl::FormatDuration(absl::GetFlag(FLAGS_list_budget)).c_str());
  std::vector<std::string> headers;
  std::map<std::string, std::vector<std::string>> cells;  // label -> one cell per stage
  for (size_t stage = 0; stage < stages.size(); ++stage) {
    std::printf("\n== stage %zu: up to %d rows\n", stage + 1, stages[stage]);
    if (absl::Status s = data.Grow(stages[stage]); !s.ok()) {
      std::fprintf(stderr, "loading failed: %s\n", s.ToString().c_str());
      return 1;
    }
    const absl::Time settle = absl::Now();
    if (absl::Status s = data.WaitForConsumer(absl::GetFlag(FLAGS_settle_timeout)); !s.ok()) {
      std::printf("  warning: %s\n", s.ToString().c_str());
    } else {
      std::printf("  audits consumer caught up %.1f s after loading\n",
                  absl::ToDoubleSeconds(absl::Now() - settle));
    }
    const enamnd::bench::Loaded& loaded = data.loaded();
    std::printf(
        "  data: %d paragraphs (%d bulk meetings of %d), %d recommendations (%d reviews "
        "of %d)\n",
        loaded.paragraphs, loaded.meetings, shape.paragraphs_per_meeting, loaded.recommendations,
        loaded.reviews, shape.recommendations_per_review);
    headers.push_back(absl::StrFormat("%d ¶ / %d rec.", loaded.paragraphs, loaded.recommendations));
    std::printf("  %-52s %5s %4s %9s %9s %9s %5s\n", "first page of", "items", "more", "p50 ms",
                "p95 ms", "calls/s", "calls");
    for (ListCall& list : lists) cells[list.label].push_back(TimeFirstPage(list));
    for (ListCall& walk : walks) {
      cells["walk all pages: " + walk.label].push_back(WalkAllPages(walk));
    }
  }

  // The growth at a glance, in the order measured.
  std::printf("\n| first page (p50, calls/s) |");
  for (const std::string& h : headers) std::printf(" %s |", h.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < headers.size(); ++i) std::printf("---|");
  std::printf("\n");
  std::vector<std::string> order;
  for (const ListCall& list : lists) order.push_back(list.label);
  for (const ListCall& walk : walks) order.push_back("walk all pages: " + walk.label);
  for (const std::string& label : order) {
    std::printf("| %s |", label.c_str());
    for (const std::string& cell : cells[label]) std::printf(" %s |", cell.c_str());
    std::printf("\n");
  }
  return 0;
}
