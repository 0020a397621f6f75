// The projects service's operations over plain request/response protos:
// validate, one transaction, events appended to the outbox in it.
#ifndef ENAMND_PROJECTS_API_PROJECTS_API_H_
#define ENAMND_PROJECTS_API_PROJECTS_API_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "enamnd/projects/v1/projects.pb.h"
#include "services/platform/audit_trail.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/meetings_feed.h"
#include "services/platform/outbox.h"
#include "services/platform/unreadable_events.h"
#include "services/projects/domain/names.h"

namespace enamnd::projects {

class ProjectsApi {
 public:
  ProjectsApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock)
      : db_(db), outbox_(outbox), clock_(clock) {}

  // The service's audit trail (operator role).
  absl::Status ListAuditRecords(const platform::Caller& /*caller*/,
                                const auth::v1::ListAuditRecordsRequest& request,
                                auth::v1::ListAuditRecordsResponse* response) {
    return platform::ListAuditRecords(db_, request, response);
  }

  absl::Status CreateInitiative(const platform::Caller& caller,
                                const v1::CreateInitiativeRequest& request,
                                v1::Initiative* response);
  absl::Status GetInitiative(const platform::Caller& caller,
                             const v1::GetInitiativeRequest& request, v1::Initiative* response);
  absl::Status ListInitiatives(const platform::Caller& caller,
                               const v1::ListInitiativesRequest& request,
                               v1::ListInitiativesResponse* response);
  absl::Status UpdateInitiative(const platform::Caller& caller,
                                const v1::UpdateInitiativeRequest& request,
                                v1::Initiative* response);
  absl::Status TransitionInitiative(const platform::Caller& caller,
                                    const v1::TransitionInitiativeRequest& request,
                                    v1::Initiative* response);
  absl::Status JoinInitiative(const platform::Caller& caller,
                              const v1::JoinInitiativeRequest& request, v1::Initiative* response);
  absl::Status LeaveInitiative(const platform::Caller& caller,
                               const v1::LeaveInitiativeRequest& request, v1::Initiative* response);

  absl::Status CreateRevision(const platform::Caller& caller,
                              const v1::CreateRevisionRequest& request, v1::Revision* response);
  absl::Status GetRevision(const platform::Caller& caller, const v1::GetRevisionRequest& request,
                           v1::Revision* response);
  absl::Status ListRevisions(const platform::Caller& caller,
                             const v1::ListRevisionsRequest& request,
                             v1::ListRevisionsResponse* response);

  absl::Status CreateStatusReport(const platform::Caller& caller,
                                  const v1::CreateStatusReportRequest& request,
                                  v1::StatusReport* response);
  absl::Status ListStatusReports(const platform::Caller& caller,
                                 const v1::ListStatusReportsRequest& request,
                                 v1::ListStatusReportsResponse* response);
  absl::Status RecordFinalReport(const platform::Caller& caller,
                                 const v1::RecordFinalReportRequest& request,
                                 v1::Initiative* response);

  absl::Status GetPortfolio(const platform::Caller& caller, const v1::GetPortfolioRequest& request,
                            v1::Portfolio* response);
  absl::Status RenderPortfolio(const platform::Caller& caller,
                               const v1::RenderPortfolioRequest& request,
                               v1::RenderedPortfolio* response);

  // Consumes an event of the meetings service (inside the subscriber's
  // transaction): links decisions about initiatives to them and keeps the
  // member register.
  absl::Status HandleMeetingsEvent(platform::Transaction& tx,
                                   const io::cloudevents::v1::CloudEvent& event);

  // Meetings events skipped because their payload never parses.
  int64_t skipped_events() const { return unreadable_.count(); }

 private:
  // Loads an initiative a caller may read: NOT_FOUND when missing,
  // PERMISSION_DENIED when it is not active and the caller reads active
  // initiatives only (role public).
  absl::StatusOr<v1::Initiative> Readable(platform::Transaction& tx, const platform::Caller& caller,
                                          const InitiativeName& name);
  // Loads an initiative to change; `field` names it in a NOT_FOUND.
  absl::StatusOr<v1::Initiative> Writable(platform::Transaction& tx, absl::string_view text,
                                          absl::string_view field);
  absl::Status CheckMembers(platform::Transaction& tx, const v1::Initiative& initiative);
  absl::Status LinkDecision(platform::Transaction& tx, const platform::SubjectDecision& decision);
  absl::Status SetLegalForce(platform::Transaction& tx,
                             const platform::SubjectDecisionFinal& final_decision);
  // Appends the participation's event (addressed to its municipality).
  absl::Status EmitParticipation(platform::Transaction& tx, const v1::Initiative& initiative,
                                 const v1::Participation& participation);
  // Stores the changed initiative (new etag) and completes it for the reply.
  absl::Status Save(platform::Transaction& tx, const platform::Caller& caller,
                    v1::Initiative* initiative);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  platform::UnreadableEvents unreadable_{"projects"};
};

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_API_PROJECTS_API_H_
