// The protocol's legal life as pure rules: a paragraph goes DRAFT ->
// ADJUSTED (justering) -> FINAL (laga kraft) or APPEALED; an adjustment
// collects the members' notices, which start the appeal period. Days are
// passed in (`today`), never read from a clock.
#ifndef ENAMND_MEETINGS_DOMAIN_LEGAL_STATE_H_
#define ENAMND_MEETINGS_DOMAIN_LEGAL_STATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "google/protobuf/repeated_field.h"

namespace enamnd::meetings {

// ------------------------------------------------------------ paragraphs

// Adjusted at all (ADJUSTED, FINAL or APPEALED).
bool IsAdjusted(const v1::Paragraph& p);
// FAILED_PRECONDITION when `p` is already adjusted.
absl::Status CanAdjust(const v1::Paragraph& p);
// Only a draft can be edited; an adjusted one is corrected.
absl::Status CheckEditable(const v1::Paragraph& p);
absl::Status CheckCorrectable(const v1::Paragraph& p);
absl::Status CheckAppealable(const v1::Paragraph& p);
absl::Status CheckExtractable(const v1::Paragraph& p);

// A recorded decision: the given number and name, a draft without any of
// the output-only fields a client may have sent.
void PrepareNewParagraph(const std::string& name, int number, const std::string& case_number,
                         v1::Paragraph* p);
void MarkAdjusted(const std::string& adjustment, v1::Paragraph* p);
// Whether the end of `a`'s appeal period makes `p` final: it was adjusted
// by `a` and not appealed.
bool CanBecomeFinal(const v1::Paragraph& p, const v1::Adjustment& a);
void MarkFinal(const v1::Adjustment& a, v1::Paragraph* p);
// An appeal lodged in time holds the decision even if the committee hears
// of it after the deadline job had made the decision final.
void MarkAppealed(const v1::Appeal& appeal, v1::Paragraph* p);

// ------------------------------------------------------------ adjustments

// A given day (valid, not after `today`) or `today`.
absl::StatusOr<absl::CivilDay> DayOrToday(const enamnd::common::v1::Date& date,
                                          absl::string_view field, absl::CivilDay today);
// A required day, not after `today`.
absl::StatusOr<absl::CivilDay> RequiredPastDay(const enamnd::common::v1::Date& date,
                                               absl::string_view field, absl::CivilDay today);
// The paragraphs to adjust at once: positive, each once; sorted.
absl::StatusOr<std::vector<int>> ParseParagraphNumbers(
    const google::protobuf::RepeatedField<int32_t>& numbers);
// What an adjustment of `kind` covers of the meeting's paragraphs `all`:
// all of them (a protocol) or the draft paragraphs `numbers` (immediate).
absl::StatusOr<std::vector<v1::Paragraph>> CoveredParagraphs(v1::Adjustment::Kind kind,
                                                             const std::vector<int>& numbers,
                                                             const std::vector<v1::Paragraph>& all,
                                                             absl::string_view meeting);

// Records that `municipality` posted the notice on `posted`; when all
// members have, the appeal period and the day of legal force follow.
absl::StatusOr<v1::NoticePosting> RecordNotice(const std::string& municipality,
                                               absl::CivilDay posted, v1::Adjustment* a);
bool AllNoticesPosted(const v1::Adjustment& a);
// An appeal lodged on `lodged`: not before the justering, not after the
// appeal period.
absl::Status CheckAppealDate(const v1::Adjustment& a, absl::CivilDay lodged);

// Past the notice deadline on `today`, for a justering recorded by then.
bool NoticeOverdue(const v1::Adjustment& a, absl::CivilDay today);
// The members that have not posted the notice.
std::vector<std::string> MissingNotices(const v1::Adjustment& a);
// Past the appeal deadline on `today`: the decisions become final.
bool AppealPeriodOver(const v1::Adjustment& a, absl::CivilDay today);
// Whether the deadline job has something to do for `a` on `today`.
bool DeadlineDue(const v1::Adjustment& a, absl::CivilDay today);

// ------------------------------------------------------------ verification

// One link of a body's chain of adjusted protocols, as stored.
struct ChainLink {
  std::string name;
  int64_t position = 0;
  std::string sha256;
  std::string text;
  v1::Adjustment data;
};
// Checks positions, hashes and links in order; fills `response`.
void VerifyChainLinks(const std::vector<ChainLink>& chain, v1::VerifyChainResponse* response);
// The SHA-256 to look up: of the given text, or the given hash.
absl::StatusOr<std::string> DocumentSha256(const v1::VerifyDocumentRequest& request);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_LEGAL_STATE_H_
