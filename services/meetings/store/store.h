// The meetings service's tables and queries. Resources are kept as
// serialized protos next to the columns that are queried, sorted and
// constrained; all SQL is static or built by platform::ListQuery, with
// bound parameters. Reads are StatusOr<optional<T>> Get*(tx, name).
#ifndef ENAMND_MEETINGS_STORE_STORE_H_
#define ENAMND_MEETINGS_STORE_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/meetings/domain/content.h"
#include "services/meetings/domain/filters.h"
#include "services/meetings/domain/legal_state.h"
#include "services/meetings/domain/names.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/proto_rows.h"

namespace enamnd::meetings {

platform::MigrationSet MeetingsMigrations();

namespace store {

// The ListQuery of each List (exposed so tests can check their plans).
platform::ListQuery MunicipalitiesQuery();
platform::ListQuery BodiesQuery();
platform::ListQuery MeetingsQuery(const std::string& scope, const MeetingFilter& f);
platform::ListQuery CasesQuery(const std::string& scope, const CaseFilter& f);
platform::ListQuery ParagraphsQuery(const std::string& scope, const ParagraphFilter& f);
platform::ListQuery AdjustmentsQuery(const std::string& scope, const AdjustmentFilter& f);

// ------------------------------------------------------------ municipalities

// Inserts it as announced: its MunicipalityRegistered event is written in
// the same transaction.
absl::Status InsertMunicipality(platform::Transaction& tx, const MunicipalityName& name,
                                const v1::Municipality& m);
// Municipalities registered before MunicipalityRegistered existed, by code.
absl::StatusOr<std::vector<v1::Municipality>> UnannouncedMunicipalities(platform::Transaction& tx);
absl::Status MarkAnnounced(platform::Transaction& tx, const MunicipalityName& name);
absl::StatusOr<std::optional<v1::Municipality>> GetMunicipality(platform::Transaction& tx,
                                                                const MunicipalityName& name);
absl::StatusOr<platform::Page<v1::Municipality>> ListMunicipalities(platform::Transaction& tx,
                                                                    int page_size,
                                                                    const std::string& page_token);
// municipalities/{code} -> display name, of every municipality.
absl::StatusOr<std::map<std::string, std::string>> MunicipalityDisplayNames(
    platform::Transaction& tx);
// INVALID_ARGUMENT naming the field of the first reference to a
// municipality not registered with CreateMunicipality.
absl::Status RequireMunicipalities(platform::Transaction& tx,
                                   const std::vector<MunicipalityRef>& refs);

// ------------------------------------------------------------ bodies

absl::Status InsertBody(platform::Transaction& tx, const BodyName& name, const v1::Body& b);
// Stores the new version; the etag column counts revisions.
absl::Status UpdateBody(platform::Transaction& tx, const BodyName& name, const v1::Body& b);
absl::StatusOr<std::optional<v1::Body>> GetBody(platform::Transaction& tx, const BodyName& name);
absl::StatusOr<platform::Page<v1::Body>> ListBodies(platform::Transaction& tx, int page_size,
                                                    const std::string& page_token);

absl::StatusOr<std::optional<int64_t>> SeriesStart(platform::Transaction& tx, const BodyName& body,
                                                   int64_t year);
absl::Status SetSeriesStart(platform::Transaction& tx, const BodyName& body, int64_t year,
                            int64_t next_number);
// Highest paragraph number of a body's year, 0 if none.
absl::StatusOr<int64_t> MaxParagraphNumber(platform::Transaction& tx, const BodyName& body,
                                           int64_t year);

// ------------------------------------------------------------ meetings

absl::Status InsertMeeting(platform::Transaction& tx, const MeetingName& name,
                           const v1::Meeting& m);
absl::Status UpdateMeeting(platform::Transaction& tx, const v1::Meeting& m);
absl::StatusOr<std::optional<v1::Meeting>> GetMeeting(platform::Transaction& tx,
                                                      const MeetingName& name);
absl::StatusOr<platform::Page<v1::Meeting>> ListMeetings(platform::Transaction& tx,
                                                         const std::string& scope,
                                                         const MeetingFilter& f, int page_size,
                                                         const std::string& page_token);
absl::StatusOr<int64_t> CountParagraphsOfMeeting(platform::Transaction& tx,
                                                 const MeetingName& meeting);

// ------------------------------------------------------------ cases

absl::Status InsertCase(platform::Transaction& tx, const CaseName& name, const v1::Case& c);
absl::Status UpdateCase(platform::Transaction& tx, const v1::Case& c);
absl::StatusOr<std::optional<v1::Case>> GetCase(platform::Transaction& tx, const CaseName& name);
// The case a resource refers to in `field`; INVALID_ARGUMENT when missing.
absl::StatusOr<v1::Case> RequireCase(platform::Transaction& tx, const CaseName& name,
                                     absl::string_view field);
absl::StatusOr<platform::Page<v1::Case>> ListCases(platform::Transaction& tx,
                                                   const std::string& scope, const CaseFilter& f,
                                                   int page_size, const std::string& page_token);

// ------------------------------------------------------------ paragraphs

absl::Status InsertParagraph(platform::Transaction& tx, const ParagraphName& name, int64_t year,
                             const v1::Paragraph& p);
absl::Status UpdateParagraph(platform::Transaction& tx, const v1::Paragraph& p);
absl::StatusOr<std::optional<v1::Paragraph>> GetParagraph(platform::Transaction& tx,
                                                          const ParagraphName& name);
// The stored row of GetParagraph (data, revision), for a reply that splices
// the stored bytes in (stored_reply.h); nullopt when there is none.
absl::StatusOr<std::optional<platform::Row>> ParagraphRow(platform::Transaction& tx,
                                                          const ParagraphName& name);
// Every paragraph of a meeting, in number order.
absl::StatusOr<std::vector<v1::Paragraph>> ParagraphsOfMeeting(platform::Transaction& tx,
                                                               const MeetingName& meeting);

// ------------------------------------------------------------ adjustments

// Adjustments (justeringar). The text and HTML are written once; the rest
// (notices, finalized) lives in `data` and may be updated.
absl::Status InsertAdjustment(platform::Transaction& tx, const AdjustmentName& name,
                              const v1::Adjustment& a, const std::string& html);
absl::Status UpdateAdjustment(platform::Transaction& tx, const v1::Adjustment& a);
absl::StatusOr<std::optional<v1::Adjustment>> GetAdjustment(platform::Transaction& tx,
                                                            const AdjustmentName& name);
absl::StatusOr<std::optional<std::string>> GetAdjustmentHtml(platform::Transaction& tx,
                                                             const AdjustmentName& name);
absl::StatusOr<platform::Page<v1::Adjustment>> ListAdjustments(platform::Transaction& tx,
                                                               const std::string& scope,
                                                               const AdjustmentFilter& f,
                                                               int page_size,
                                                               const std::string& page_token);
// In chain order.
absl::StatusOr<std::vector<v1::Adjustment>> AdjustmentsOfMeeting(platform::Transaction& tx,
                                                                 const MeetingName& meeting);
// The last link of the body's chain, if any.
absl::StatusOr<std::optional<v1::Adjustment>> LastAdjustmentOfBody(platform::Transaction& tx,
                                                                   const BodyName& body);
absl::StatusOr<std::vector<v1::Adjustment>> UnfinalizedAdjustments(platform::Transaction& tx);
absl::StatusOr<std::optional<v1::Adjustment>> FindAdjustmentBySha(platform::Transaction& tx,
                                                                  const std::string& sha);
// The raw stored text and recorded hash, for chain verification.
absl::StatusOr<std::vector<ChainLink>> ChainOfBody(platform::Transaction& tx, const BodyName& body);
// True if newly recorded.
absl::StatusOr<bool> MarkNoticeOverdue(platform::Transaction& tx, const AdjustmentName& adjustment,
                                       const std::string& municipality);

// ------------------------------------------------------------ extracts

absl::Status InsertExtract(platform::Transaction& tx, const v1::Extract& e);
absl::StatusOr<std::optional<v1::Extract>> GetExtract(platform::Transaction& tx,
                                                      const ExtractName& name);
absl::StatusOr<std::vector<v1::Extract>> ExtractsOfParagraph(platform::Transaction& tx,
                                                             const ParagraphName& paragraph);
absl::StatusOr<std::optional<v1::Extract>> FindExtractBySha(platform::Transaction& tx,
                                                            const std::string& sha);

// ------------------------------------------------------------ secrecy

// The public (redacted) version of an adjusted document or extract that
// has a paragraph under secrecy, stored when it is made, under the
// adjustment's or extract's name. Written once.
struct PublicVersion {
  std::string name;
  std::string sha256;
  std::string text;
  std::string html;
};
absl::Status InsertPublicVersion(platform::Transaction& tx, const std::string& name,
                                 const PublicVersion& v);
absl::StatusOr<std::optional<PublicVersion>> GetPublicVersion(platform::Transaction& tx,
                                                              const std::string& name);
absl::StatusOr<std::optional<PublicVersion>> FindPublicVersionBySha(platform::Transaction& tx,
                                                                    const std::string& sha);
// The blocks (platform::EncodeBlocks) an adjusted document or extract was
// rendered from, under its name: the full version, and the public one when
// a paragraph in it is under secrecy. Written once; the PDF is made from
// them, so that it shows what was adjusted even after the body changes.
enum class DocumentVersion { kFull, kPublic };
absl::Status InsertDocumentBlocks(platform::Transaction& tx, const std::string& name,
                                  DocumentVersion version, const std::string& encoded);
absl::StatusOr<std::optional<std::string>> GetDocumentBlocks(platform::Transaction& tx,
                                                             const std::string& name,
                                                             DocumentVersion version);
// The full payload (serialized event message) of the outbox event
// `sequence`, whose outbox copy is redacted; read by WatchDecisions for
// callers with the confidential role, never published.
absl::Status InsertSealedEvent(platform::Transaction& tx, int64_t sequence,
                               const std::string& payload);
// Sealed payloads of the events after `after` up to and including `last`.
absl::StatusOr<std::map<int64_t, std::string>> SealedEvents(platform::Transaction& tx,
                                                            int64_t after, int64_t last);

}  // namespace store

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_STORE_STORE_H_
