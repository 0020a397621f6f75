// The audits service's tables. Its records are few (tens per year), so each
// resource is one serialized proto in a `documents` table, listed by
// collection and parent and filtered in memory; the committee's decisions
// about reviews (from the meetings service's events) have their own table.
#ifndef ENAMND_AUDITS_STORE_STORE_H_
#define ENAMND_AUDITS_STORE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "google/protobuf/message.h"
#include "services/platform/database.h"

namespace enamnd::audits {

using platform::Transaction;

platform::MigrationSet AuditsMigrations();

class AuditsStore {
 public:
  // Inserts a resource; ALREADY_EXISTS if its name is taken.
  static absl::Status Insert(Transaction& tx, const std::string& collection,
                             const std::string& parent, const google::protobuf::Message& m,
                             const std::string& name);
  // Replaces a stored resource and bumps its revision (the etag).
  static absl::Status Replace(Transaction& tx, const google::protobuf::Message& m,
                              const std::string& name);
  // Reads into `out` (setting its `etag` field, if it has one); false if
  // there is no such resource.
  static absl::StatusOr<bool> Get(Transaction& tx, const std::string& name,
                                  google::protobuf::Message* out);
  // Names of a collection's resources (optionally under one parent), sorted.
  static absl::StatusOr<std::vector<std::string>> Names(Transaction& tx,
                                                        const std::string& collection,
                                                        const std::optional<std::string>& parent);
  template <typename Proto>
  static absl::StatusOr<std::vector<Proto>> List(Transaction& tx, const std::string& collection,
                                                 const std::optional<std::string>& parent) {
    auto names = Names(tx, collection, parent);
    if (!names.ok()) return names.status();
    std::vector<Proto> out;
    for (const std::string& name : *names) {
      Proto p;
      auto found = Get(tx, name, &p);
      if (!found.ok()) return found.status();
      out.push_back(std::move(p));
    }
    return out;
  }

  // The committee's decisions about a review, keyed by paragraph.
  // Returns true if the paragraph was not linked before.
  static absl::StatusOr<bool> UpsertHandling(Transaction& tx, const std::string& review,
                                             const v1::CommitteeHandling& h);
  static absl::StatusOr<std::vector<v1::CommitteeHandling>> Handlings(Transaction& tx,
                                                                      const std::string& review);
  static absl::StatusOr<std::optional<v1::CommitteeHandling>> Handling(
      Transaction& tx, const std::string& review, const std::string& paragraph);
  // The reviews a paragraph is linked to.
  static absl::StatusOr<std::vector<std::string>> ReviewsOfParagraph(Transaction& tx,
                                                                     const std::string& paragraph);

  // Time-driven events are raised once per (kind, resource, detail).
  static absl::StatusOr<bool> IsRaised(Transaction& tx, const std::string& kind,
                                       const std::string& name, const std::string& detail);
  static absl::StatusOr<bool> MarkRaised(Transaction& tx, const std::string& kind,
                                         const std::string& name, const std::string& detail);
};

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_STORE_STORE_H_
