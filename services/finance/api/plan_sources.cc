#include "services/finance/api/plan_sources.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "enamnd/contracts/v1/contracts.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "enamnd/projects/v1/projects.grpc.pb.h"
#include "services/platform/api_util.h"
#include "services/platform/log.h"
#include "services/platform/metrics.h"
#include "services/platform/peer_calls.h"

namespace enamnd::finance {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
namespace cv1 = ::enamnd::contracts::v1;
namespace pv1 = ::enamnd::projects::v1;

constexpr char kMeetings[] = "meetings";
constexpr char kContracts[] = "contracts";
constexpr char kProjects[] = "projects";

std::string CodeName(grpc::StatusCode code) {
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN" : name;
}

// "<CODE>: <message>", with the time the call took when it ran out of time.
std::string CallError(const grpc::Status& status, absl::Duration elapsed) {
  std::string error = absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    absl::StrAppend(&error, " after ", absl::ToInt64Milliseconds(elapsed), " ms");
  }
  return error;
}

MeetingFact::State StateOf(mv1::Meeting::State state) {
  switch (state) {
    case mv1::Meeting::STATE_HELD:
      return MeetingFact::State::kHeld;
    case mv1::Meeting::STATE_CANCELLED:
      return MeetingFact::State::kCancelled;
    default:
      return MeetingFact::State::kPlanned;
  }
}

MeetingFact MeetingFactOf(const mv1::Meeting& meeting) {
  MeetingFact fact;
  fact.name = meeting.name();
  fact.date = platform::ToCivil(meeting.date());
  fact.state = StateOf(meeting.state());
  fact.attendance_recorded = meeting.attendance().seats_size() > 0;
  for (const mv1::SeatAttendance& seat : meeting.attendance().seats()) {
    if (seat.member_present() || seat.substitute_served()) ++fact.present;
  }
  return fact;
}

// The contracts service's own rule (services/contracts/domain/rules.cc
// InForce, which its `in_force = DAY` filter applies too): in force from
// the terms' start to their end, both included; `end` already includes the
// extension options used.
bool InForceOn(const cv1::Terms& terms, absl::CivilDay day) {
  return platform::ToCivil(terms.start()) <= day && day <= platform::ToCivil(terms.end());
}

AgreementFact AgreementFactOf(const cv1::Agreement& agreement, absl::CivilDay as_of) {
  AgreementFact fact;
  fact.name = agreement.name();
  fact.title = agreement.title();
  fact.in_force = InForceOn(agreement.terms(), as_of);
  for (const cv1::FollowUp& follow_up : agreement.follow_ups()) {
    fact.follow_up_days.push_back(platform::ToCivil(follow_up.date()));
  }
  if (agreement.has_next_follow_up() && platform::IsSet(agreement.next_follow_up())) {
    fact.next_follow_up = platform::ToCivil(agreement.next_follow_up());
  }
  return fact;
}

bool UnderWay(pv1::State state) {
  return state == pv1::STATE_DECIDED || state == pv1::STATE_RUNNING ||
         state == pv1::STATE_FINAL_REPORT;
}

InitiativeFact InitiativeFactOf(const pv1::Initiative& initiative) {
  InitiativeFact fact;
  fact.name = initiative.name();
  fact.title = initiative.title();
  for (const pv1::Transition& transition : initiative.transitions()) {
    fact.steps.push_back({platform::ToCivil(transition.date()), UnderWay(transition.to_state())});
  }
  return fact;
}

// One fetch: what it has read so far, and the chains of calls still
// running. Shared by every call's callback, so it lives until the last one
// ran; `done` is called once, when the last chain ends.
class FetchRun {
 public:
  FetchRun(const PlanSources::Options& options, const FactNeeds& needs, absl::Time deadline,
           std::function<void(PlanFacts)> done)
      : options_(options),
        needs_(needs),
        end_(std::min(absl::Now() + options.fetch_timeout, deadline)),
        done_(std::move(done)) {}

  const PlanSources::Options& options() const { return options_; }
  const FactNeeds& needs() const { return needs_; }

  // A call issued now ends by then: its own timeout, within the fetch's.
  absl::Time CallDeadline() const { return std::min(absl::Now() + options_.call_timeout, end_); }

  // A source asked for, with the chains of calls it runs; counted before
  // any chain starts.
  void AddSource(const std::string& source, int chains) {
    absl::MutexLock lock(&mutex_);
    facts_.sources.try_emplace(source);
    chains_ += chains;
  }
  void FailSource(const std::string& source, const std::string& error) {
    absl::MutexLock lock(&mutex_);
    Fail(source, error);
  }

  void CallIssued(const std::string& source) {
    absl::MutexLock lock(&mutex_);
    ++facts_.sources[source].calls;
  }
  // Records an answer; false when it is a failure (kept as the source's error).
  bool Answered(const std::string& source, const grpc::Status& status, absl::Duration elapsed) {
    platform::MetricsRegistry::Global()
        .GetCounter(
            "enamnd_peer_calls_total", "Calls to other services, by peer and code.",
            {{"service", "finance"}, {"peer", source}, {"code", CodeName(status.error_code())}})
        ->Increment();
    absl::MutexLock lock(&mutex_);
    facts_.sources[source].read_time = absl::Now();
    if (!status.ok()) Fail(source, CallError(status, elapsed));
    return status.ok();
  }

  void AddBody(BodyFacts body) {
    absl::MutexLock lock(&mutex_);
    std::stable_sort(body.meetings.begin(), body.meetings.end(),
                     [](const MeetingFact& a, const MeetingFact& b) { return a.date < b.date; });
    std::string name = body.body;
    facts_.bodies[name] = std::move(body);
  }
  void SetAgreements(std::vector<AgreementFact> agreements) {
    absl::MutexLock lock(&mutex_);
    facts_.agreements = std::move(agreements);
  }
  void SetInitiatives(std::vector<InitiativeFact> initiatives) {
    absl::MutexLock lock(&mutex_);
    facts_.initiatives = std::move(initiatives);
  }

  // A chain of calls ended; the last one hands the facts over.
  void ChainEnded() {
    PlanFacts facts;
    std::function<void(PlanFacts)> done;
    {
      absl::MutexLock lock(&mutex_);
      if (--chains_ > 0) return;
      facts = std::move(facts_);
      done = std::move(done_);
    }
    if (done) done(std::move(facts));
  }

 private:
  void Fail(const std::string& source, const std::string& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    SourceOutcome& outcome = facts_.sources[source];
    if (outcome.ok) outcome.error = error;
    outcome.ok = false;
  }

  const PlanSources::Options options_;
  const FactNeeds needs_;
  // When every read has ended: the fetch timeout, or the caller's deadline if sooner.
  const absl::Time end_;
  absl::Mutex mutex_;
  PlanFacts facts_ ABSL_GUARDED_BY(mutex_);
  // Chains of calls still running, and FetchAsync itself until it has
  // started them all.
  int chains_ ABSL_GUARDED_BY(mutex_) = 1;
  std::function<void(PlanFacts)> done_ ABSL_GUARDED_BY(mutex_);
};

// Issues one unary call of `source` with the callback API: `start(context,
// request, response, callback)` calls stub->async()->Method. The context,
// request and response live until the callback ran; `then(ok, response)`
// runs on the gRPC thread that answered.
template <typename Request, typename Response, typename Start>
void Issue(const std::shared_ptr<FetchRun>& run, const std::string& source, Request request,
           Start start, std::function<void(bool ok, Response* response)> then) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    absl::Time issued;
  };
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->context.set_deadline(absl::ToChronoTime(run->CallDeadline()));
  call->issued = absl::Now();
  run->CallIssued(source);
  start(&call->context, &call->request, &call->response,
        [run, source, call, then = std::move(then)](grpc::Status status) {
          const bool ok = run->Answered(source, status, absl::Now() - call->issued);
          then(ok, &call->response);
        });
}

// ------------------------------------------------------------ meetings

// One body: GetBody (its seats), then its meetings in the year, page by page.
class BodyChain : public std::enable_shared_from_this<BodyChain> {
 public:
  BodyChain(std::shared_ptr<FetchRun> run, std::shared_ptr<mv1::MeetingsService::Stub> stub,
            std::string body)
      : run_(std::move(run)), stub_(std::move(stub)) {
    facts_.body = std::move(body);
  }

  void Start() {
    mv1::GetBodyRequest request;
    request.set_name(facts_.body);
    auto self = shared_from_this();
    Issue<mv1::GetBodyRequest, mv1::Body>(
        run_, kMeetings, std::move(request),
        [this](grpc::ClientContext* context, const mv1::GetBodyRequest* req, mv1::Body* resp,
               std::function<void(grpc::Status)> callback) {
          stub_->async()->GetBody(context, req, resp, std::move(callback));
        },
        [self](bool ok, mv1::Body* body) {
          if (!ok) return self->run_->ChainEnded();
          self->facts_.seats = body->seats_size();
          self->ListPage("");
        });
  }

 private:
  void ListPage(const std::string& page_token) {
    mv1::ListMeetingsRequest request;
    request.set_parent(facts_.body);
    request.set_filter(absl::StrCat("year = ", run_->needs().year));
    request.set_page_size(run_->options().page_size);
    request.set_page_token(page_token);
    auto self = shared_from_this();
    Issue<mv1::ListMeetingsRequest, mv1::ListMeetingsResponse>(
        run_, kMeetings, std::move(request),
        [this](grpc::ClientContext* context, const mv1::ListMeetingsRequest* req,
               mv1::ListMeetingsResponse* resp, std::function<void(grpc::Status)> callback) {
          stub_->async()->ListMeetings(context, req, resp, std::move(callback));
        },
        [self](bool ok, mv1::ListMeetingsResponse* page) {
          if (!ok) return self->run_->ChainEnded();
          for (const mv1::Meeting& meeting : page->meetings()) {
            self->facts_.meetings.push_back(MeetingFactOf(meeting));
          }
          if (!page->next_page_token().empty()) return self->ListPage(page->next_page_token());
          self->run_->AddBody(std::move(self->facts_));
          self->run_->ChainEnded();
        });
  }

  // Touched by one call's callback at a time: the chain's calls follow one
  // another.
  const std::shared_ptr<FetchRun> run_;
  const std::shared_ptr<mv1::MeetingsService::Stub> stub_;
  BodyFacts facts_;
};

// ------------------------------------------------------------ contracts

class AgreementsChain : public std::enable_shared_from_this<AgreementsChain> {
 public:
  AgreementsChain(std::shared_ptr<FetchRun> run, std::shared_ptr<cv1::ContractsService::Stub> stub)
      : run_(std::move(run)), stub_(std::move(stub)) {}

  void ListPage(const std::string& page_token) {
    cv1::ListAgreementsRequest request;
    request.set_page_size(run_->options().page_size);
    request.set_page_token(page_token);
    auto self = shared_from_this();
    Issue<cv1::ListAgreementsRequest, cv1::ListAgreementsResponse>(
        run_, kContracts, std::move(request),
        [this](grpc::ClientContext* context, const cv1::ListAgreementsRequest* req,
               cv1::ListAgreementsResponse* resp, std::function<void(grpc::Status)> callback) {
          stub_->async()->ListAgreements(context, req, resp, std::move(callback));
        },
        [self](bool ok, cv1::ListAgreementsResponse* page) {
          if (!ok) return self->run_->ChainEnded();
          for (const cv1::Agreement& agreement : page->agreements()) {
            self->agreements_.push_back(AgreementFactOf(agreement, self->run_->needs().as_of));
          }
          if (!page->next_page_token().empty()) return self->ListPage(page->next_page_token());
          self->run_->SetAgreements(std::move(self->agreements_));
          self->run_->ChainEnded();
        });
  }

 private:
  const std::shared_ptr<FetchRun> run_;
  const std::shared_ptr<cv1::ContractsService::Stub> stub_;
  std::vector<AgreementFact> agreements_;
};

// ------------------------------------------------------------ projects

class InitiativesChain : public std::enable_shared_from_this<InitiativesChain> {
 public:
  InitiativesChain(std::shared_ptr<FetchRun> run, std::shared_ptr<pv1::ProjectsService::Stub> stub)
      : run_(std::move(run)), stub_(std::move(stub)) {}

  void ListPage(const std::string& page_token) {
    pv1::ListInitiativesRequest request;
    request.set_page_size(run_->options().page_size);
    request.set_page_token(page_token);
    auto self = shared_from_this();
    Issue<pv1::ListInitiativesRequest, pv1::ListInitiativesResponse>(
        run_, kProjects, std::move(request),
        [this](grpc::ClientContext* context, const pv1::ListInitiativesRequest* req,
               pv1::ListInitiativesResponse* resp, std::function<void(grpc::Status)> callback) {
          stub_->async()->ListInitiatives(context, req, resp, std::move(callback));
        },
        [self](bool ok, pv1::ListInitiativesResponse* page) {
          if (!ok) return self->run_->ChainEnded();
          for (const pv1::Initiative& initiative : page->initiatives()) {
            self->initiatives_.push_back(InitiativeFactOf(initiative));
          }
          if (!page->next_page_token().empty()) return self->ListPage(page->next_page_token());
          self->run_->SetInitiatives(std::move(self->initiatives_));
          self->run_->ChainEnded();
        });
  }

 private:
  const std::shared_ptr<FetchRun> run_;
  const std::shared_ptr<pv1::ProjectsService::Stub> stub_;
  std::vector<InitiativeFact> initiatives_;
};

std::string SetupError(const std::map<std::string, std::string>& setup_errors,
                       const std::string& source) {
  auto it = setup_errors.find(source);
  return it == setup_errors.end() ? "not configured" : it->second;
}

}  // namespace

std::unique_ptr<PlanSources> PlanSources::FromConfig(const platform::ServerConfig& config,
                                                     Options options) {
  Channels channels;
  std::map<std::string, std::string> setup_errors;
  const struct {
    const char* peer;
    const char* service;
    std::shared_ptr<grpc::Channel>* channel;
  } peers[] = {{kMeetings, "enamnd.meetings.v1.MeetingsService", &channels.meetings},
               {kContracts, "enamnd.contracts.v1.ContractsService", &channels.contracts},
               {kProjects, "enamnd.projects.v1.ProjectsService", &channels.projects}};
  for (const auto& peer : peers) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        platform::PeerChannel(config, peer.peer, platform::PeerChannelArguments({peer.service}));
    if (channel.ok()) {
      *peer.channel = *std::move(channel);
      continue;
    }
    setup_errors[peer.peer] = channel.status().ToString();
    platform::LogWarning("plan_sources", "no channel to the ", peer.peer,
                         " service: ", channel.status().ToString(),
                         "; plan follow-ups will miss its facts");
  }
  return std::make_unique<PlanSources>(std::move(channels), options, std::move(setup_errors));
}

PlanSources::PlanSources(Channels channels, Options options,
                         std::map<std::string, std::string> setup_errors)
    : channels_(std::move(channels)), options_(options), setup_errors_(std::move(setup_errors)) {}

void PlanSources::FetchAsync(const FactNeeds& needs, std::function<void(PlanFacts)> done,
                             absl::Time deadline) {
  auto run = std::make_shared<FetchRun>(options_, needs, deadline, std::move(done));
  // Every chain is counted before the first starts, so that an early answer
  // cannot end the fetch; the run counts this function as one chain too.
  std::vector<std::function<void()>> starts;
  auto source = [&](const char* name, const std::shared_ptr<grpc::Channel>& channel, int chains,
                    std::function<void()> start) {
    run->AddSource(name, channel == nullptr ? 0 : chains);
    if (channel == nullptr) {
      run->FailSource(name, SetupError(setup_errors_, name));
    } else {
      starts.push_back(std::move(start));
    }
  };
  if (!needs.bodies.empty()) {
    source(kMeetings, channels_.meetings, static_cast<int>(needs.bodies.size()),
           [run, channel = channels_.meetings, bodies = needs.bodies] {
             std::shared_ptr<mv1::MeetingsService::Stub> stub =
                 mv1::MeetingsService::NewStub(channel);
             for (const std::string& body : bodies) {
               std::make_shared<BodyChain>(run, stub, body)->Start();
             }
           });
  }
  if (needs.agreements) {
    source(kContracts, channels_.contracts, 1, [run, channel = channels_.contracts] {
      std::make_shared<AgreementsChain>(run, std::shared_ptr<cv1::ContractsService::Stub>(
                                                 cv1::ContractsService::NewStub(channel)))
          ->ListPage("");
    });
  }
  if (needs.initiatives) {
    source(kProjects, channels_.projects, 1, [run, channel = channels_.projects] {
      std::make_shared<InitiativesChain>(
          run, std::shared_ptr<pv1::ProjectsService::Stub>(pv1::ProjectsService::NewStub(channel)))
          ->ListPage("");
    });
  }
  for (const std::function<void()>& start : starts) start();
  run->ChainEnded();
}

PlanFacts PlanSources::Fetch(const FactNeeds& needs) {
  PlanFacts result;
  absl::Notification ready;
  FetchAsync(needs, [&](PlanFacts facts) {
    result = std::move(facts);
    ready.Notify();
  });
  ready.WaitForNotification();
  return result;
}

}  // namespace enamnd::finance
