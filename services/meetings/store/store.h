// The meetings service's tables and queries. Resources are kept as
// serialized protos next to the columns that are queried, sorted and
// constrained; all SQL is static with bound parameters.
#ifndef ENAMND_MEETINGS_STORE_STORE_H_
#define ENAMND_MEETINGS_STORE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/platform/database.h"

namespace enamnd::meetings {

using platform::Transaction;

platform::MigrationSet MeetingsMigrations();

// Optional filters of a paragraph listing; unset means "any".
struct ParagraphQuery {
  std::optional<std::string> meeting;
  std::optional<std::string> body_id;
  std::optional<int64_t> year;
  std::optional<std::string> case_name;
  std::optional<int64_t> kind;
  std::optional<std::string> recipient_code;
  // Keyset cursor: strictly after (body_id, year, number).
  std::string after_body;
  int64_t after_year = 0;
  int64_t after_number = 0;
  int limit = 50;
};

struct MeetingQuery {
  std::optional<std::string> body_id;
  std::optional<int64_t> year;
  std::optional<int64_t> state;
  std::string after_body;
  std::string after_date;
  std::string after_id;
  int limit = 50;
};

struct CaseQuery {
  std::optional<int64_t> year;
  std::optional<std::string> subject;
  int64_t after_year = 0;
  int64_t after_sequence = 0;
  int limit = 50;
};

class MeetingsStore {
 public:
  static absl::Status InsertMunicipality(Transaction& tx, const std::string& code,
                                         const v1::Municipality& m);
  static absl::StatusOr<std::optional<v1::Municipality>> GetMunicipality(Transaction& tx,
                                                                         const std::string& code);
  static absl::StatusOr<std::vector<v1::Municipality>> ListMunicipalities(
      Transaction& tx, const std::string& after_code, int limit);

  static absl::Status InsertBody(Transaction& tx, const std::string& body_id, const v1::Body& b);
  // Stores the new version; the etag column counts revisions.
  static absl::Status UpdateBody(Transaction& tx, const std::string& body_id, const v1::Body& b);
  static absl::StatusOr<std::optional<v1::Body>> GetBody(Transaction& tx,
                                                         const std::string& body_id);
  static absl::StatusOr<std::vector<v1::Body>> ListBodies(Transaction& tx,
                                                          const std::string& after_id, int limit);

  static absl::StatusOr<std::optional<int64_t>> SeriesStart(Transaction& tx,
                                                            const std::string& body_id,
                                                            int64_t year);
  static absl::Status SetSeriesStart(Transaction& tx, const std::string& body_id, int64_t year,
                                     int64_t next_number);
  // Highest paragraph number of a body's year, 0 if none.
  static absl::StatusOr<int64_t> MaxParagraphNumber(Transaction& tx, const std::string& body_id,
                                                    int64_t year);

  static absl::Status InsertMeeting(Transaction& tx, const std::string& body_id,
                                    const std::string& meeting_id, const v1::Meeting& m);
  static absl::Status UpdateMeeting(Transaction& tx, const v1::Meeting& m);
  static absl::StatusOr<std::optional<v1::Meeting>> GetMeeting(Transaction& tx,
                                                               const std::string& name);
  static absl::StatusOr<std::vector<v1::Meeting>> ListMeetings(Transaction& tx,
                                                               const MeetingQuery& q);
  static absl::StatusOr<int64_t> CountParagraphsOfMeeting(Transaction& tx,
                                                          const std::string& meeting);

  static absl::Status InsertCase(Transaction& tx, int64_t year, int64_t sequence,
                                 const v1::Case& c);
  static absl::Status UpdateCase(Transaction& tx, const v1::Case& c);
  static absl::StatusOr<std::optional<v1::Case>> GetCase(Transaction& tx, const std::string& name);
  static absl::StatusOr<std::vector<v1::Case>> ListCases(Transaction& tx, const CaseQuery& q);

  static absl::Status InsertParagraph(Transaction& tx, const std::string& body_id, int64_t year,
                                      const std::string& meeting, const v1::Paragraph& p);
  static absl::Status UpdateParagraph(Transaction& tx, const v1::Paragraph& p);
  static absl::StatusOr<std::optional<v1::Paragraph>> GetParagraph(Transaction& tx,
                                                                   const std::string& name);
  // Rows with the keyset columns of the last one.
  struct ParagraphRow {
    v1::Paragraph paragraph;
    std::string body_id;
    int64_t year = 0;
  };
  static absl::StatusOr<std::vector<ParagraphRow>> ListParagraphs(Transaction& tx,
                                                                  const ParagraphQuery& q);

  // Adjustments (justeringar). The text and HTML are written once; the rest
  // (notices, finalized) lives in `data` and may be updated.
  static absl::Status InsertAdjustment(Transaction& tx, const std::string& body_id,
                                       const std::string& meeting, const v1::Adjustment& a,
                                       const std::string& html);
  static absl::Status UpdateAdjustment(Transaction& tx, const v1::Adjustment& a);
  static absl::StatusOr<std::optional<v1::Adjustment>> GetAdjustment(Transaction& tx,
                                                                     const std::string& name);
  static absl::StatusOr<std::string> AdjustmentHtml(Transaction& tx, const std::string& name);
  static absl::StatusOr<std::vector<v1::Adjustment>> ListAdjustmentsOfMeeting(
      Transaction& tx, const std::string& meeting);
  // In chain order, after `after_position`.
  static absl::StatusOr<std::vector<v1::Adjustment>> ListAdjustmentsOfBody(
      Transaction& tx, const std::string& body_id, int64_t after_position, int limit);
  static absl::StatusOr<std::vector<v1::Adjustment>> UnfinalizedAdjustments(Transaction& tx);
  static absl::StatusOr<std::optional<std::string>> FindAdjustmentBySha(Transaction& tx,
                                                                        const std::string& sha);
  // The raw stored text and recorded hash, for chain verification.
  struct ChainLink {
    std::string name;
    int64_t position = 0;
    std::string sha256;
    std::string text;
    v1::Adjustment data;
  };
  static absl::StatusOr<std::vector<ChainLink>> ChainOfBody(Transaction& tx,
                                                            const std::string& body_id);
  // True if newly recorded.
  static absl::StatusOr<bool> MarkNoticeOverdue(Transaction& tx, const std::string& adjustment,
                                                const std::string& municipality);

  static absl::Status InsertExtract(Transaction& tx, const v1::Extract& e);
  static absl::StatusOr<std::vector<v1::Extract>> ExtractsOfParagraph(Transaction& tx,
                                                                      const std::string& paragraph);
  static absl::StatusOr<std::optional<v1::Extract>> FindExtractBySha(Transaction& tx,
                                                                     const std::string& sha);
};

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_STORE_STORE_H_
