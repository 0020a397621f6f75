#include "services/meetings/domain/legal_state.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/meetings/domain/protocol.h"
#include "services/platform/api_util.h"
#include "services/platform/sha256.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using platform::DayText;
using platform::InvalidField;
using platform::IsSet;
using platform::ToCivil;
using platform::ToDate;

}  // namespace

// ------------------------------------------------------------ paragraphs

bool IsAdjusted(const v1::Paragraph& p) {
  return p.legal_state() != v1::Paragraph::LEGAL_STATE_DRAFT &&
         p.legal_state() != v1::Paragraph::LEGAL_STATE_UNSPECIFIED;
}

absl::Status CanAdjust(const v1::Paragraph& p) {
  if (IsAdjusted(p)) {
    return absl::FailedPreconditionError(
        absl::StrCat("§ ", p.number(), " is already adjusted (", p.adjustment(), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckEditable(const v1::Paragraph& p) {
  if (IsAdjusted(p)) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(), " is adjusted (", p.adjustment(),
                     ") and locked; record a correction with RecordCorrection instead"));
  }
  return absl::OkStatus();
}

absl::Status CheckCorrectable(const v1::Paragraph& p) {
  if (!IsAdjusted(p)) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(), " is not adjusted; change it with UpdateParagraph"));
  }
  return absl::OkStatus();
}

absl::Status CheckAppealable(const v1::Paragraph& p) {
  if (!IsAdjusted(p)) {
    return absl::FailedPreconditionError(absl::StrCat(
        p.name(),
        " is not adjusted yet; a decision can be appealed once its protocol is adjusted"));
  }
  return absl::OkStatus();
}

absl::Status CheckExtractable(const v1::Paragraph& p) {
  if (!IsAdjusted(p)) {
    return absl::FailedPreconditionError(
        absl::StrCat(p.name(),
                     " is not adjusted; an extract can only be certified from an"
                     " adjusted protocol"));
  }
  return absl::OkStatus();
}

void PrepareNewParagraph(const std::string& name, int number, const std::string& case_number,
                         v1::Paragraph* p) {
  p->set_number(number);
  p->set_name(name);
  p->set_case_number(case_number);
  p->clear_etag();
  p->set_legal_state(v1::Paragraph::LEGAL_STATE_DRAFT);
  p->clear_adjustment();
  p->clear_legal_force_date();
  p->clear_corrections();
  p->clear_appeals();
  p->clear_redacted();
}

void MarkAdjusted(const std::string& adjustment, v1::Paragraph* p) {
  p->set_legal_state(v1::Paragraph::LEGAL_STATE_ADJUSTED);
  p->set_adjustment(adjustment);
}

bool CanBecomeFinal(const v1::Paragraph& p, const v1::Adjustment& a) {
  return p.adjustment() == a.name() && p.legal_state() == v1::Paragraph::LEGAL_STATE_ADJUSTED;
}

void MarkFinal(const v1::Adjustment& a, v1::Paragraph* p) {
  p->set_legal_state(v1::Paragraph::LEGAL_STATE_FINAL);
  *p->mutable_legal_force_date() = a.legal_force_date();
}

void MarkAppealed(const v1::Appeal& appeal, v1::Paragraph* p) {
  *p->add_appeals() = appeal;
  p->set_legal_state(v1::Paragraph::LEGAL_STATE_APPEALED);
  p->clear_legal_force_date();
}

// ------------------------------------------------------------ adjustments

absl::StatusOr<absl::CivilDay> DayOrToday(const enamnd::common::v1::Date& date,
                                          absl::string_view field, absl::CivilDay today) {
  if (!IsSet(date)) return today;
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(date, field, today));
  return ToCivil(date);
}

absl::StatusOr<absl::CivilDay> RequiredPastDay(const enamnd::common::v1::Date& date,
                                               absl::string_view field, absl::CivilDay today) {
  if (!IsSet(date)) return InvalidField(field, "required");
  return DayOrToday(date, field, today);
}

absl::StatusOr<std::vector<int>> ParseParagraphNumbers(
    const google::protobuf::RepeatedField<int32_t>& numbers) {
  if (numbers.empty()) {
    return InvalidField("paragraph_numbers", "name the paragraphs to adjust at once");
  }
  std::set<int> seen;
  for (int n : numbers) {
    if (n < 1) return InvalidField("paragraph_numbers", "positive numbers");
    if (!seen.insert(n).second) {
      return InvalidField("paragraph_numbers", absl::StrCat("§ ", n, " twice"));
    }
  }
  return std::vector<int>(seen.begin(), seen.end());
}

absl::StatusOr<std::vector<v1::Paragraph>> CoveredParagraphs(v1::Adjustment::Kind kind,
                                                             const std::vector<int>& numbers,
                                                             const std::vector<v1::Paragraph>& all,
                                                             absl::string_view meeting) {
  if (kind == v1::Adjustment::KIND_PROTOCOL) {
    if (all.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(meeting, " has no paragraphs"));
    }
    return all;
  }
  std::vector<v1::Paragraph> covered;
  for (int n : numbers) {
    auto it = std::find_if(all.begin(), all.end(),
                           [n](const v1::Paragraph& p) { return p.number() == n; });
    if (it == all.end()) {
      return InvalidField("paragraph_numbers",
                          absl::StrCat("§ ", n, " is not a paragraph of ", meeting));
    }
    ENAMND_RETURN_IF_ERROR(CanAdjust(*it));
    covered.push_back(*it);
  }
  return covered;
}

absl::StatusOr<v1::NoticePosting> RecordNotice(const std::string& municipality,
                                               absl::CivilDay posted, v1::Adjustment* a) {
  const auto& required = a->required_municipalities();
  if (std::find(required.begin(), required.end(), municipality) == required.end()) {
    return InvalidField("municipality",
                        absl::StrCat(municipality, " is not a member that posts this notice"));
  }
  for (const auto& n : a->notices()) {
    if (n.municipality() == municipality) {
      return absl::AlreadyExistsError(absl::StrCat(municipality, " already posted the notice on ",
                                                   DayText(ToCivil(n.posted_date()))));
    }
  }
  absl::CivilDay adjusted = ToCivil(a->adjusted_date());
  if (posted < adjusted) {
    return InvalidField("posted_date", absl::StrCat(DayText(posted), " is before the justering on ",
                                                    DayText(adjusted)));
  }
  v1::NoticePosting* notice = a->add_notices();
  notice->set_municipality(municipality);
  *notice->mutable_posted_date() = ToDate(posted);
  notice->set_late(posted > ToCivil(a->notice_deadline()));
  if (AllNoticesPosted(*a)) {
    absl::CivilDay last = posted;
    for (const auto& n : a->notices()) last = std::max(last, ToCivil(n.posted_date()));
    absl::CivilDay deadline = AppealDeadline(last);
    *a->mutable_appeal_period_start() = ToDate(last);
    *a->mutable_appeal_deadline() = ToDate(deadline);
    *a->mutable_legal_force_date() = ToDate(LegalForceDate(deadline));
  }
  return *notice;
}

bool AllNoticesPosted(const v1::Adjustment& a) {
  return a.notices_size() == a.required_municipalities_size();
}

absl::Status CheckAppealDate(const v1::Adjustment& a, absl::CivilDay lodged) {
  if (lodged < ToCivil(a.adjusted_date())) {
    return InvalidField("appeal.lodged_date", "before the protocol was adjusted");
  }
  if (IsSet(a.appeal_deadline()) && lodged > ToCivil(a.appeal_deadline())) {
    return InvalidField("appeal.lodged_date", absl::StrCat("after the appeal period ended on ",
                                                           DayText(ToCivil(a.appeal_deadline()))));
  }
  return absl::OkStatus();
}

bool NoticeOverdue(const v1::Adjustment& a, absl::CivilDay today) {
  absl::CivilDay deadline = ToCivil(a.notice_deadline());
  bool recorded_in_time = !IsSet(a.recorded_date()) || ToCivil(a.recorded_date()) <= deadline;
  return recorded_in_time && today > deadline;
}

std::vector<std::string> MissingNotices(const v1::Adjustment& a) {
  std::set<std::string> posted;
  for (const auto& n : a.notices()) posted.insert(n.municipality());
  std::vector<std::string> missing;
  for (const std::string& m : a.required_municipalities()) {
    if (posted.count(m) == 0) missing.push_back(m);
  }
  return missing;
}

bool AppealPeriodOver(const v1::Adjustment& a, absl::CivilDay today) {
  return IsSet(a.appeal_deadline()) && today > ToCivil(a.appeal_deadline());
}

bool DeadlineDue(const v1::Adjustment& a, absl::CivilDay today) {
  bool overdue = NoticeOverdue(a, today) && !AllNoticesPosted(a);
  return overdue || AppealPeriodOver(a, today);
}

// ------------------------------------------------------------ verification

namespace {

// What is wrong with `link`, or "" when it is intact.
std::string LinkProblem(const ChainLink& link, int64_t expected, const std::string& previous) {
  if (link.position != expected) {
    return absl::StrCat("chain position ", link.position, ", expected ", expected);
  }
  if (platform::Sha256Hex(link.text) != link.sha256) {
    return "the stored text no longer matches its recorded SHA-256";
  }
  if (link.data.sha256() != link.sha256) {
    return "the recorded SHA-256 differs between the record and its index";
  }
  if (link.data.previous_sha256() != previous) {
    return "the link to the previous adjusted protocol does not match its SHA-256";
  }
  return "";
}

}  // namespace

void VerifyChainLinks(const std::vector<ChainLink>& chain, v1::VerifyChainResponse* response) {
  std::string previous;
  int64_t expected = 1;
  for (const ChainLink& link : chain) {
    std::string problem = LinkProblem(link, expected, previous);
    response->set_links_checked(expected);
    if (!problem.empty()) {
      response->set_intact(false);
      response->set_first_broken(link.name);
      response->set_problem(problem);
      return;
    }
    previous = link.sha256;
    ++expected;
  }
  response->set_intact(true);
}

absl::StatusOr<std::string> DocumentSha256(const v1::VerifyDocumentRequest& request) {
  if (request.document_case() == v1::VerifyDocumentRequest::kText) {
    return platform::Sha256Hex(request.text());
  }
  if (request.document_case() == v1::VerifyDocumentRequest::kSha256) {
    std::string sha = absl::AsciiStrToLower(request.sha256());
    ENAMND_RETURN_IF_ERROR(platform::ValidateSha256(sha, "sha256"));
    return sha;
  }
  return InvalidField("document", "give text or sha256");
}

}  // namespace enamnd::meetings
