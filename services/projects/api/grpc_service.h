// gRPC callback-API adapter of the projects service: every call runs on the
// platform executor once its policy admits the caller; WatchEvents is the
// platform's.
#ifndef ENAMND_PROJECTS_API_GRPC_SERVICE_H_
#define ENAMND_PROJECTS_API_GRPC_SERVICE_H_

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "enamnd/projects/v1/projects.grpc.pb.h"
#include "services/platform/event_watch.h"
#include "services/platform/members.h"
#include "services/platform/server.h"
#include "services/projects/api/projects_api.h"

namespace enamnd::projects {

class ProjectsGrpcService final : public v1::ProjectsService::CallbackService {
 public:
  explicit ProjectsGrpcService(const platform::ServiceContext& context)
      : gate_(context.authorizer, context.executor, v1::ProjectsService::service_full_name()),
        watch_(context.watch),
        api_(context.db, context.outbox, context.clock) {
    // A watch filtered by municipality names a member the service knows.
    platform::WatchHooks hooks;
    hooks.check_municipality = [](platform::Transaction& tx, const std::string& code) {
      return platform::RequireMember(tx, absl::StrCat("municipalities/", code), "municipality")
          .status();
    };
    watch_->SetHooks(std::move(hooks));
  }

  ProjectsApi* api() { return &api_; }

  ENAMND_UNARY(CreateInitiative, v1::CreateInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(GetInitiative, v1::GetInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(ListInitiatives, v1::ListInitiativesRequest, v1::ListInitiativesResponse)
  ENAMND_UNARY(UpdateInitiative, v1::UpdateInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(TransitionInitiative, v1::TransitionInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(JoinInitiative, v1::JoinInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(LeaveInitiative, v1::LeaveInitiativeRequest, v1::Initiative)
  ENAMND_UNARY(CreateRevision, v1::CreateRevisionRequest, v1::Revision)
  ENAMND_UNARY(GetRevision, v1::GetRevisionRequest, v1::Revision)
  ENAMND_UNARY(ListRevisions, v1::ListRevisionsRequest, v1::ListRevisionsResponse)
  ENAMND_UNARY(CreateStatusReport, v1::CreateStatusReportRequest, v1::StatusReport)
  ENAMND_UNARY(ListStatusReports, v1::ListStatusReportsRequest, v1::ListStatusReportsResponse)
  ENAMND_UNARY(RecordFinalReport, v1::RecordFinalReportRequest, v1::Initiative)
  ENAMND_UNARY(GetPortfolio, v1::GetPortfolioRequest, v1::Portfolio)
  ENAMND_UNARY(RenderPortfolio, v1::RenderPortfolioRequest, v1::RenderedPortfolio)
  ENAMND_UNARY(ListAuditRecords, auth::v1::ListAuditRecordsRequest,
               auth::v1::ListAuditRecordsResponse)
  ENAMND_WATCH_EVENTS()

 private:
  platform::Gate gate_;
  platform::EventWatch* watch_;
  ProjectsApi api_;
};

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_API_GRPC_SERVICE_H_
