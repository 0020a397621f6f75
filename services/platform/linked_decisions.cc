#include "services/platform/linked_decisions.h"

#include <utility>

#include "services/platform/api_util.h"
#include "services/platform/proto_rows.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

absl::StatusOr<std::optional<common::v1::CommitteeDecision>> Get(Transaction& tx,
                                                                 const std::string& subject,
                                                                 const std::string& paragraph) {
  return QueryProto<common::v1::CommitteeDecision>(
      tx, "SELECT data FROM linked_decisions WHERE subject = ?1 AND paragraph = ?2",
      {subject, paragraph}, kDataOnly);
}

absl::Status Put(Transaction& tx, const std::string& subject,
                 const common::v1::CommitteeDecision& d) {
  return tx.Exec(
      "INSERT INTO linked_decisions (subject, paragraph, meeting_day, number, data)"
      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (subject, paragraph) DO UPDATE SET"
      " meeting_day = ?3, number = ?4, data = ?5",
      {subject, d.paragraph(), DayText(ToCivil(d.meeting_date())), int64_t{d.paragraph_number()},
       EncodeProto(d)});
}

}  // namespace

MigrationSet LinkedDecisionsMigrations() {
  return MigrationSet{
      "linked_decisions",
      {
          // 1: the table; by subject for a resource's decisions, by
          // paragraph for appeals.
          "CREATE TABLE linked_decisions ("
          "  subject TEXT NOT NULL, paragraph TEXT NOT NULL, meeting_day TEXT NOT NULL,"
          "  number INTEGER NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (subject, paragraph)) WITHOUT ROWID;"
          "CREATE INDEX linked_decisions_by_paragraph ON linked_decisions(paragraph);",
      }};
}

absl::StatusOr<std::optional<common::v1::CommitteeDecision>> LinkDecision(
    Transaction& tx, const std::string& subject, const SubjectDecision& d) {
  common::v1::CommitteeDecision decision;
  decision.set_paragraph(d.paragraph);
  decision.set_paragraph_number(d.paragraph_number);
  decision.set_meeting(d.meeting);
  *decision.mutable_meeting_date() = d.meeting_date;
  decision.set_case_number(d.case_number);
  decision.set_title(d.title);
  decision.set_decision_kind(d.decision_kind);
  decision.set_decision_text(d.decision_text);
  decision.set_event_source(d.event_source);
  decision.set_event_id(d.event_id);
  ENAMND_ASSIGN_OR_RETURN(auto previous, Get(tx, subject, d.paragraph));
  if (previous.has_value()) *decision.mutable_legal_force_date() = previous->legal_force_date();
  ENAMND_RETURN_IF_ERROR(Put(tx, subject, decision));
  if (previous.has_value()) return std::optional<common::v1::CommitteeDecision>();
  return std::optional<common::v1::CommitteeDecision>(std::move(decision));
}

absl::StatusOr<bool> SetLegalForce(Transaction& tx, const std::string& subject,
                                   const std::string& paragraph, const common::v1::Date& day) {
  ENAMND_ASSIGN_OR_RETURN(auto decision, Get(tx, subject, paragraph));
  if (!decision.has_value()) return false;  // its DecisionRecorded came first in order
  *decision->mutable_legal_force_date() = day;
  ENAMND_RETURN_IF_ERROR(Put(tx, subject, *decision));
  return true;
}

absl::StatusOr<std::vector<std::string>> RevokeLegalForce(Transaction& tx,
                                                          const std::string& paragraph) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT subject FROM linked_decisions WHERE paragraph = ?1 ORDER BY subject",
               {paragraph}));
  std::vector<std::string> revoked;
  for (const Row& row : rows) {
    const std::string subject = row.Text(0);
    ENAMND_ASSIGN_OR_RETURN(auto decision, Get(tx, subject, paragraph));
    if (!decision.has_value() || !IsSet(decision->legal_force_date())) continue;
    decision->clear_legal_force_date();
    ENAMND_RETURN_IF_ERROR(Put(tx, subject, *decision));
    revoked.push_back(subject);
  }
  return revoked;
}

absl::StatusOr<std::vector<common::v1::CommitteeDecision>> LinkedDecisions(
    Transaction& tx, const std::string& subject) {
  return QueryProtos<common::v1::CommitteeDecision>(
      tx,
      "SELECT data FROM linked_decisions WHERE subject = ?1 ORDER BY meeting_day, number,"
      " paragraph",
      {subject}, kDataOnly);
}

}  // namespace enamnd::platform
