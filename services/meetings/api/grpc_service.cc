#include "services/meetings/api/grpc_service.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "services/meetings/domain/names.h"
#include "services/meetings/store/store.h"

namespace enamnd::meetings {
namespace {

// Event types a decision subscriber receives.
const std::set<std::string>& DecisionEventTypes() {
  static const auto* types = new std::set<std::string>{
      "enamnd.meetings.v1.DecisionRecorded",  "enamnd.meetings.v1.DecisionUpdated",
      "enamnd.meetings.v1.ProtocolAdjusted",  "enamnd.meetings.v1.NoticePosted",
      "enamnd.meetings.v1.NoticeOverdue",     "enamnd.meetings.v1.AppealLodged",
      "enamnd.meetings.v1.ProtocolCorrected", "enamnd.meetings.v1.DecisionFinal"};
  return *types;
}

// Puts the sealed (full) payload of `e`, if it has one, in place of the
// redacted payload its outbox copy carries.
void Unseal(const std::map<int64_t, std::string>& sealed, platform::LoggedEvent* e) {
  auto it = sealed.find(e->sequence);
  if (it == sealed.end()) return;
  io::cloudevents::v1::CloudEvent event;
  if (!event.ParseFromString(e->event)) return;  // the stream reports it
  event.mutable_proto_data()->set_value(it->second);
  e->event = event.SerializeAsString();
}

// What meetings adds to every watch stream: the municipality must exist,
// and callers with the confidential role get events under secrecy in full.
platform::WatchHooks MeetingsWatchHooks() {
  platform::WatchHooks hooks;
  hooks.check_municipality = [](platform::Transaction& tx, const std::string& code) {
    MunicipalityName municipality{code};
    ENAMND_ASSIGN_OR_RETURN(auto found, store::GetMunicipality(tx, municipality));
    if (!found.has_value()) {
      return platform::InvalidField("municipality",
                                    absl::StrCat("unknown municipality ", municipality.ToString()));
    }
    return absl::OkStatus();
  };
  hooks.transform = [](platform::Transaction& tx, const platform::Caller& caller, int64_t after,
                       std::vector<platform::LoggedEvent>& events) {
    if (!caller.SeesConfidential() || events.empty()) return absl::OkStatus();
    ENAMND_ASSIGN_OR_RETURN(auto sealed, store::SealedEvents(tx, after, events.back().sequence));
    for (platform::LoggedEvent& e : events) Unseal(sealed, &e);
    return absl::OkStatus();
  };
  return hooks;
}

}  // namespace

MeetingsGrpcService::MeetingsGrpcService(const platform::ServiceContext& context)
    : gate_(context.authorizer, context.executor, v1::MeetingsService::service_full_name()),
      watch_(context.watch),
      api_(context.db, context.outbox, context.clock) {
  watch_->SetHooks(MeetingsWatchHooks());
  ENAMND_SERVE_SPLICED(v1::MeetingsService, GetParagraph);
  ENAMND_SERVE_SPLICED(v1::MeetingsService, ListParagraphs);
}

grpc::ServerWriteReactor<v1::WatchDecisionsResponse>* MeetingsGrpcService::WatchDecisions(
    grpc::CallbackServerContext* context, const v1::WatchDecisionsRequest* request) {
  using Response = v1::WatchDecisionsResponse;
  absl::StatusOr<platform::Caller> caller = gate_.Admit(context, "WatchDecisions");
  if (!caller.ok()) return platform::EventWatch::Refuse<Response>(caller.status());
  if (request->after_sequence() < 0) {
    return platform::EventWatch::Refuse<Response>(
        platform::InvalidField("after_sequence", "must not be negative"));
  }
  platform::WatchFilter filter;
  filter.after_sequence = request->after_sequence();
  filter.types = DecisionEventTypes();
  if (!request->municipality().empty()) {
    auto parsed = MunicipalityName::Parse(request->municipality(), "municipality");
    if (!parsed.ok()) return platform::EventWatch::Refuse<Response>(parsed.status());
    filter.municipality = parsed->code;
  }
  return watch_->Open<Response>("WatchDecisions", *caller, std::move(filter));
}

}  // namespace enamnd::meetings
