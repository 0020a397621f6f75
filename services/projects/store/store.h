// The projects service's tables. An initiative is its serialized proto
// (without the parts derived at read time) next to the columns its lists
// filter and sort on; its participations are also rows of their own, for
// "which initiatives does Boden take part in on a day". Revisions, status
// reports have a table each; the committee's decisions are linked in the
// platform's table (services/platform/linked_decisions.h).
//
// Reads return nullopt for a missing resource; an initiative's etag is its
// stored revision.
#ifndef ENAMND_PROJECTS_STORE_STORE_H_
#define ENAMND_PROJECTS_STORE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/projects/v1/projects.pb.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/proto_rows.h"
#include "services/projects/domain/initiatives.h"
#include "services/projects/domain/names.h"

namespace enamnd::projects {

platform::MigrationSet ProjectsMigrations();

namespace store {

// ------------------------------------------------------------ initiatives
// The stored initiative, without its derived parts (see CompleteInitiative).
absl::StatusOr<std::optional<v1::Initiative>> GetInitiative(platform::Transaction& tx,
                                                            const InitiativeName& name);
// ALREADY_EXISTS if the name is taken. Sets the etag.
absl::Status InsertInitiative(platform::Transaction& tx, v1::Initiative* initiative);
// Stores a new revision of it (and its participations) and sets its etag.
absl::Status ReplaceInitiative(platform::Transaction& tx, v1::Initiative* initiative);
// Fills what is derived at read time: the current revision's letter, the
// latest status report and the committee's decisions.
absl::Status CompleteInitiative(platform::Transaction& tx, v1::Initiative* initiative);
// `active_only` restricts the list whatever the filter says (the role
// public reads active initiatives only).
platform::ListQuery InitiativesQuery(const InitiativeFilter& filter, bool active_only,
                                     absl::string_view filter_text);
absl::StatusOr<platform::Page<v1::Initiative>> ListInitiatives(
    platform::Transaction& tx, const InitiativeFilter& filter, bool active_only,
    absl::string_view filter_text, int page_size, absl::string_view page_token);
// Every initiative in registration order (the portfolio: tens, not
// thousands).
absl::StatusOr<std::vector<v1::Initiative>> AllInitiatives(platform::Transaction& tx);

// ------------------------------------------------------------ revisions
// Rev A first.
absl::StatusOr<std::vector<v1::Revision>> Revisions(platform::Transaction& tx,
                                                    const InitiativeName& initiative);
absl::StatusOr<std::optional<v1::Revision>> GetRevision(platform::Transaction& tx,
                                                        const RevisionName& name);
absl::Status InsertRevision(platform::Transaction& tx, const RevisionName& name,
                            const v1::Revision& revision);

// ------------------------------------------------------------ status reports
absl::StatusOr<int> CountStatusReports(platform::Transaction& tx, const InitiativeName& initiative);
absl::StatusOr<std::optional<v1::StatusReport>> GetStatusReport(platform::Transaction& tx,
                                                                const StatusReportName& name);
// The report with the highest number (the latest), if any.
absl::StatusOr<std::optional<v1::StatusReport>> LatestStatusReport(
    platform::Transaction& tx, const InitiativeName& initiative);
absl::Status InsertStatusReport(platform::Transaction& tx, const StatusReportName& name,
                                const v1::StatusReport& report);
platform::ListQuery StatusReportsQuery(const InitiativeName& initiative);
absl::StatusOr<platform::Page<v1::StatusReport>> ListStatusReports(platform::Transaction& tx,
                                                                   const InitiativeName& initiative,
                                                                   int page_size,
                                                                   absl::string_view page_token);
absl::StatusOr<std::vector<v1::StatusReport>> AllStatusReports(platform::Transaction& tx,
                                                               const InitiativeName& initiative);

// ------------------------------------------------------------ members
// municipalities/{code} -> display name, from the member register.
absl::StatusOr<std::map<std::string, std::string>> MemberNames(platform::Transaction& tx);

}  // namespace store
}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_STORE_STORE_H_
