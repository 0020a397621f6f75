#include "services/audits/api/audits_api.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "enamnd/audits/v1/events.pb.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/audits/domain/rules.h"
#include "services/audits/store/store.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/log.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {
namespace {

using platform::ApplyMask;
using platform::CheckEtag;
using platform::DayText;
using platform::InvalidField;
using platform::IsSet;
using platform::kMaxListLength;
using platform::kMaxNameLength;
using platform::kMaxTextLength;
using platform::kMaxTitleLength;
using platform::NowTimestamp;
using platform::ToCivil;
using platform::Transaction;
using platform::ValidateDate;
using platform::ValidateMask;
using platform::ValidateText;
using Store = AuditsStore;

constexpr char kMeetingsSource[] = "//enamnd/meetings";

absl::Status NotFound(absl::string_view what, absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(what, " ", name, " does not exist"));
}

// Names compared with their digit runs as numbers, so that
// recommendations/2 comes before recommendations/10.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (absl::ascii_isdigit(a[i]) && absl::ascii_isdigit(b[j])) {
      size_t i_end = i, j_end = j;
      while (i_end < a.size() && absl::ascii_isdigit(a[i_end])) ++i_end;
      while (j_end < b.size() && absl::ascii_isdigit(b[j_end])) ++j_end;
      std::string x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

absl::Status ValidateRequestId(const std::string& id) {
  return ValidateText(id, "request_id", 128, false);
}

template <typename Repeated>
absl::Status ValidateListSize(const Repeated& list, const std::string& field) {
  if (static_cast<size_t>(list.size()) > kMaxListLength) {
    return InvalidField(field, absl::StrCat("at most ", kMaxListLength, " entries"));
  }
  return absl::OkStatus();
}

// A date that is set must be a real day; `required` makes it mandatory.
absl::Status ValidateOptionalDate(const enamnd::common::v1::Date& d, const std::string& field,
                                  bool required) {
  return ValidateDate(d, field, required);
}

absl::Status NotInFuture(const enamnd::common::v1::Date& d, const std::string& field,
                         absl::CivilDay today) {
  if (IsSet(d) && ToCivil(d) > today) {
    return InvalidField(field, absl::StrCat(DayText(ToCivil(d)), " is in the future (today is ",
                                            DayText(today), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ParseYearName(absl::string_view name, absl::string_view prefix,
                                  absl::string_view field) {
  absl::string_view rest = name;
  int year = 0;
  if (!absl::ConsumePrefix(&rest, prefix) || !absl::SimpleAtoi(rest, &year) || year < 1900 ||
      year > 2999 || absl::StrCat(year) != rest) {
    return InvalidField(field, absl::StrCat("must be ", prefix, "{year}"));
  }
  return year;
}

absl::Status ValidateReviewName(absl::string_view name, absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  std::vector<std::string> id;
  if (parts.size() == 2 && parts[0] == "reviews") id = absl::StrSplit(parts[1], '-');
  int year = 0;
  if (id.size() != 2 || !absl::SimpleAtoi(id[0], &year) ||
      !platform::ValidateMunicipalityCode(id[1], field).ok()) {
    return InvalidField(field, "must be reviews/{year}-{SCB code}, e.g. reviews/2021-2584");
  }
  return absl::OkStatus();
}

absl::Status ValidateAssessment(const v1::Assessment& a, const std::string& field) {
  if (!v1::Answer_IsValid(a.answer())) return InvalidField(field + ".answer", "unknown answer");
  return ValidateText(a.text(), field + ".text", kMaxTextLength, false);
}

absl::Status ValidateReviewFields(const v1::Review& r) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(r.kind(), v1::Review::Kind_descriptor(), "review.kind"));
  ENAMND_RETURN_IF_ERROR(ValidateText(r.title(), "review.title", kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateAssessment(r.assessments().appropriate_administration(),
                                            "review.assessments.appropriate_administration"));
  ENAMND_RETURN_IF_ERROR(ValidateAssessment(r.assessments().financially_satisfactory(),
                                            "review.assessments.financially_satisfactory"));
  ENAMND_RETURN_IF_ERROR(ValidateAssessment(r.assessments().internal_control(),
                                            "review.assessments.internal_control"));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(r.findings(), "review.findings"));
  for (int i = 0; i < r.findings_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidateText(r.findings(i), absl::StrCat("review.findings[", i, "]"),
                                        kMaxTextLength, true));
  }
  return ValidateOptionalDate(r.report_date(), "review.report_date", false);
}

// Fills the output-only parts of a review from their tables.
absl::Status Complete(Transaction& tx, v1::Review* r) {
  ENAMND_ASSIGN_OR_RETURN(auto handlings, Store::Handlings(tx, r->name()));
  r->clear_handlings();
  for (auto& h : handlings) *r->add_handlings() = std::move(h);
  ENAMND_ASSIGN_OR_RETURN(auto recs, Store::Names(tx, "recommendations", r->name()));
  std::sort(recs.begin(), recs.end(), NaturalLess);
  r->clear_recommendations();
  for (auto& n : recs) r->add_recommendations(n);
  return absl::OkStatus();
}

absl::Status ValidateRecommendationFields(const v1::Recommendation& r, const v1::Review& review) {
  ENAMND_RETURN_IF_ERROR(ValidateText(r.text(), "recommendation.text", kMaxTextLength, true));
  if (r.given_by().empty()) {
    return InvalidField("recommendation.given_by", "at least one auditing municipality");
  }
  std::set<std::string> auditors(review.auditing_municipalities().begin(),
                                 review.auditing_municipalities().end());
  std::set<std::string> seen;
  for (int i = 0; i < r.given_by_size(); ++i) {
    std::string field = absl::StrCat("recommendation.given_by[", i, "]");
    ENAMND_RETURN_IF_ERROR(platform::ParseMunicipalityName(r.given_by(i), field).status());
    if (auditors.count(r.given_by(i)) == 0) {
      return InvalidField(field,
                          absl::StrCat(r.given_by(i), " is not an auditor of ", review.name()));
    }
    if (!seen.insert(r.given_by(i)).second) return InvalidField(field, "listed twice");
  }
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      r.status(), v1::Recommendation::Status_descriptor(), "recommendation.status"));
  if (r.status() == v1::Recommendation::STATUS_NOT_PURSUED && r.status_reason().empty()) {
    return InvalidField("recommendation.status_reason",
                        "required when a recommendation is not pursued");
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(r.status_reason(), "recommendation.status_reason", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(r.responsible(), "recommendation.responsible", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(r.due_date(), "recommendation.due_date", false));
  ENAMND_RETURN_IF_ERROR(ValidateListSize(r.actions(), "recommendation.actions"));
  for (int i = 0; i < r.actions_size(); ++i) {
    std::string field = absl::StrCat("recommendation.actions[", i, "]");
    const auto& a = r.actions(i);
    ENAMND_RETURN_IF_ERROR(
        ValidateText(a.description(), field + ".description", kMaxTextLength, true));
    ENAMND_RETURN_IF_ERROR(
        ValidateText(a.responsible(), field + ".responsible", kMaxNameLength, false));
    ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(a.due_date(), field + ".due_date", false));
    ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(a.done_date(), field + ".done_date", false));
  }
  return absl::OkStatus();
}

absl::Status ValidateMoment(const v1::ReportingMoment& m, int year, const std::string& field) {
  if (m.kind() == v1::ReportingMoment::KIND_UNSPECIFIED ||
      !v1::ReportingMoment::Kind_IsValid(m.kind())) {
    return InvalidField(field + ".kind", "required");
  }
  ENAMND_RETURN_IF_ERROR(ValidateText(m.title(), field + ".title", kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(m.description(), field + ".description", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(m.due_date(), field + ".due_date", true));
  if (m.due_date().year() != year && m.due_date().year() != year + 1) {
    return InvalidField(field + ".due_date",
                        absl::StrCat("must fall in ", year, " or early ", year + 1));
  }
  return absl::OkStatus();
}

// reporting-years/{year}/moments/{id} -> (year name, moment)
absl::StatusOr<std::pair<std::string, std::string>> SplitMomentName(absl::string_view name,
                                                                    absl::string_view field) {
  size_t at = name.find("/moments/");
  if (at == absl::string_view::npos) {
    return InvalidField(field, "must be reporting-years/{year}/moments/{id}");
  }
  std::string year_name(name.substr(0, at));
  ENAMND_RETURN_IF_ERROR(ParseYearName(year_name, "reporting-years/", field).status());
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(name.substr(at + 9), field));
  return std::make_pair(year_name, std::string(name));
}

absl::Status ValidateFollowUp(const v1::ControlFollowUp& f, const std::string& field,
                              absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(f.date(), field + ".date", true));
  ENAMND_RETURN_IF_ERROR(NotInFuture(f.date(), field + ".date", today));
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      f.outcome(), v1::ControlFollowUp::Outcome_descriptor(), field + ".outcome"));
  ENAMND_RETURN_IF_ERROR(ValidateText(f.deviations(), field + ".deviations", kMaxTextLength,
                                      f.outcome() == v1::ControlFollowUp::OUTCOME_DEVIATION));
  return ValidateText(f.followed_up_by(), field + ".followed_up_by", kMaxNameLength, true);
}

// control-plans/{year}/points/{id}
absl::Status ValidatePointName(absl::string_view name, absl::string_view field) {
  size_t at = name.find("/points/");
  if (at == absl::string_view::npos ||
      !ParseYearName(name.substr(0, at), "control-plans/", field).ok() ||
      !platform::ValidateResourceId(name.substr(at + 8), field).ok()) {
    return InvalidField(field, "must be control-plans/{year}/points/{id}");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::ReportingMoment>> FindMoment(Transaction& tx,
                                                              const std::string& moment_name) {
  std::string year_name = moment_name.substr(0, moment_name.find("/moments/"));
  v1::ReportingYear year;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, year_name, &year));
  if (!found) return std::optional<v1::ReportingMoment>();
  for (const auto& m : year.moments()) {
    if (m.name() == moment_name) return std::optional<v1::ReportingMoment>(m);
  }
  return std::optional<v1::ReportingMoment>();
}

// A retried create: if `request_id` was used for `method`, loads what that
// call created into `response` and returns true.
absl::StatusOr<bool> Replayed(Transaction& tx, const std::string& method,
                              const std::string& request_id, google::protobuf::Message* response) {
  if (request_id.empty()) return false;
  ENAMND_ASSIGN_OR_RETURN(auto earlier, platform::FindRequest(tx, method, request_id));
  if (!earlier.has_value()) return false;
  return Store::Get(tx, *earlier, response);
}

// Replayed, or else remembers that `request_id` creates `name`.
absl::StatusOr<bool> ReplayOrRemember(Transaction& tx, const std::string& method,
                                      const std::string& request_id, const std::string& name,
                                      google::protobuf::Message* response) {
  ENAMND_ASSIGN_OR_RETURN(bool replayed, Replayed(tx, method, request_id, response));
  if (replayed) return true;
  ENAMND_RETURN_IF_ERROR(platform::SaveRequest(tx, method, request_id, name));
  return false;
}

// Reads one resource by name in a read transaction; NOT_FOUND names `what`.
absl::Status GetByName(platform::Database* db, const std::string& name, absl::string_view what,
                       google::protobuf::Message* response) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, name, response));
  if (!found) return NotFound(what, name);
  return absl::OkStatus();
}

// Keyset pagination in natural name order.
template <typename Proto, typename Out>
absl::Status Page(const std::vector<Proto>& all, int page_size_in, const std::string& token,
                  const std::string& scope, Out* out_list, std::string* next_token) {
  ENAMND_ASSIGN_OR_RETURN(int page_size, platform::EffectivePageSize(page_size_in));
  std::string after;
  if (!token.empty()) {
    ENAMND_ASSIGN_OR_RETURN(auto key, platform::DecodePageToken(token, scope));
    if (key.size() != 1) return InvalidField("page_token", "malformed");
    after = key[0];
  }
  std::vector<const Proto*> sorted;
  for (const Proto& p : all) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const Proto* x, const Proto* y) { return NaturalLess(x->name(), y->name()); });
  int taken = 0;
  for (const Proto* item : sorted) {
    const Proto& p = *item;
    if (!after.empty() && !NaturalLess(after, p.name())) continue;
    if (taken == page_size) {
      *next_token = platform::EncodePageToken(scope, {out_list->rbegin()->name()});
      return absl::OkStatus();
    }
    *out_list->Add() = p;
    ++taken;
  }
  return absl::OkStatus();
}

}  // namespace

// ------------------------------------------------------------ reviews

absl::Status AuditsApi::CreateReview(const v1::CreateReviewRequest& request, v1::Review* response) {
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Review r = request.review();
  if (r.year() < 1900 || r.year() > 2999) return InvalidField("review.year", "1900-2999");
  if (r.auditing_municipalities().empty()) {
    return InvalidField("review.auditing_municipalities", "at least one");
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateListSize(r.auditing_municipalities(), "review.auditing_municipalities"));
  std::set<std::string> seen;
  for (int i = 0; i < r.auditing_municipalities_size(); ++i) {
    std::string field = absl::StrCat("review.auditing_municipalities[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(r.auditing_municipalities(i), field).status());
    if (!seen.insert(r.auditing_municipalities(i)).second)
      return InvalidField(field, "listed twice");
  }
  ENAMND_RETURN_IF_ERROR(ValidateReviewFields(r));
  r.set_name(ReviewName(r.year(), r.auditing_municipalities(0).substr(15)));
  r.clear_discharges();
  r.clear_handlings();
  r.clear_recommendations();
  r.clear_etag();
  *r.mutable_create_time() = NowTimestamp();
  *r.mutable_update_time() = r.create_time();

  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed, ReplayOrRemember(tx, "CreateReview", request.request_id(),
                                                          r.name(), response));
  if (replayed) return Complete(tx, response);
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "reviews", "", r, r.name()));
  ENAMND_RETURN_IF_ERROR(Complete(tx, &r));  // decisions may have arrived first
  r.set_etag("1");
  v1::ReviewCreated event;
  *event.mutable_review() = r;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, r.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = r;
  return absl::OkStatus();
}

absl::Status AuditsApi::GetReview(const v1::GetReviewRequest& request, v1::Review* response) {
  ENAMND_RETURN_IF_ERROR(ValidateReviewName(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.name(), response));
  if (!found) return NotFound("review", request.name());
  return Complete(tx, response);
}

absl::Status AuditsApi::ListReviews(const v1::ListReviewsRequest& request,
                                    v1::ListReviewsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(auto terms,
                          platform::ParseFilter(request.filter(), {"year", "municipality"}));
  int year = 0;
  if (terms.count("year") && !absl::SimpleAtoi(terms["year"], &year)) {
    return InvalidField("filter", "year must be a number");
  }
  if (terms.count("municipality")) {
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(terms["municipality"], "filter municipality").status());
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto all, Store::List<v1::Review>(tx, "reviews", std::nullopt));
  std::vector<v1::Review> matching;
  for (auto& r : all) {
    if (year != 0 && r.year() != year) continue;
    if (terms.count("municipality") &&
        std::find(r.auditing_municipalities().begin(), r.auditing_municipalities().end(),
                  terms["municipality"]) == r.auditing_municipalities().end()) {
      continue;
    }
    ENAMND_RETURN_IF_ERROR(Complete(tx, &r));
    matching.push_back(std::move(r));
  }
  std::string next;
  ENAMND_RETURN_IF_ERROR(Page(matching, request.page_size(), request.page_token(),
                              absl::StrCat("ListReviews|", request.filter()),
                              response->mutable_reviews(), &next));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status AuditsApi::UpdateReview(const v1::UpdateReviewRequest& request, v1::Review* response) {
  ENAMND_RETURN_IF_ERROR(ValidateReviewName(request.review().name(), "review.name"));
  ENAMND_RETURN_IF_ERROR(ValidateMask(request.update_mask(),
                                      {"kind", "title", "assessments", "findings", "report_date"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::Review r;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.review().name(), &r));
  if (!found) return NotFound("review", request.review().name());
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.review().etag(), r.etag(), r.name()));
  std::string etag = r.etag();
  ApplyMask(request.update_mask(), request.review(), &r);
  ENAMND_RETURN_IF_ERROR(ValidateReviewFields(r));
  *r.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::Replace(tx, r, r.name()));
  r.set_etag(platform::NextEtag(etag));
  ENAMND_RETURN_IF_ERROR(Complete(tx, &r));
  v1::ReviewUpdated event;
  *event.mutable_review() = r;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, r.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = r;
  return absl::OkStatus();
}

absl::Status AuditsApi::RecordDischarge(const v1::RecordDischargeRequest& request,
                                        v1::Review* response) {
  ENAMND_RETURN_IF_ERROR(ValidateReviewName(request.review(), "review"));
  const v1::Discharge& d = request.discharge();
  ENAMND_RETURN_IF_ERROR(
      platform::ParseMunicipalityName(d.municipality(), "discharge.municipality").status());
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      d.decision(), v1::Discharge::Decision_descriptor(), "discharge.decision"));
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(d.decided_date(), "discharge.decided_date", true));
  ENAMND_RETURN_IF_ERROR(NotInFuture(d.decided_date(), "discharge.decided_date", clock_->Today()));
  ENAMND_RETURN_IF_ERROR(ValidateText(d.reference(), "discharge.reference", kMaxNameLength, false));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::Review r;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.review(), &r));
  if (!found) return NotFound("review", request.review());
  const auto& auditors = r.auditing_municipalities();
  if (std::find(auditors.begin(), auditors.end(), d.municipality()) == auditors.end()) {
    return InvalidField("discharge.municipality",
                        absl::StrCat(d.municipality(), " is not an auditor of ", r.name()));
  }
  for (const auto& existing : r.discharges()) {
    if (existing.municipality() == d.municipality()) {
      return absl::AlreadyExistsError(
          absl::StrCat(d.municipality(), " already decided on discharge for ", r.name()));
    }
  }
  *r.add_discharges() = d;
  *r.mutable_update_time() = NowTimestamp();
  std::string etag = r.etag();
  ENAMND_RETURN_IF_ERROR(Store::Replace(tx, r, r.name()));
  r.set_etag(platform::NextEtag(etag));
  v1::DischargeRecorded event;
  event.set_review(r.name());
  *event.mutable_discharge() = d;
  ENAMND_RETURN_IF_ERROR(
      outbox_->Append(tx, event, r.name(), {d.municipality().substr(15)}).status());
  ENAMND_RETURN_IF_ERROR(Complete(tx, &r));
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = r;
  return absl::OkStatus();
}

// ------------------------------------------------------------ recommendations

absl::Status AuditsApi::CreateRecommendation(const v1::CreateRecommendationRequest& request,
                                             v1::Recommendation* response) {
  ENAMND_RETURN_IF_ERROR(ValidateReviewName(request.review(), "review"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::Recommendation rec = request.recommendation();
  if (rec.status() == v1::Recommendation::STATUS_UNSPECIFIED)
    rec.set_status(v1::Recommendation::STATUS_OPEN);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(bool replayed,
                          Replayed(tx, "CreateRecommendation", request.request_id(), response));
  if (replayed) {
    response->set_overdue(RecommendationOverdue(*response, clock_->Today()));
    return absl::OkStatus();
  }
  v1::Review review;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.review(), &review));
  if (!found) return NotFound("review", request.review());
  ENAMND_RETURN_IF_ERROR(ValidateRecommendationFields(rec, review));
  ENAMND_ASSIGN_OR_RETURN(auto siblings, Store::Names(tx, "recommendations", review.name()));
  rec.set_name(absl::StrCat(review.name(), "/recommendations/", siblings.size() + 1));
  rec.clear_overdue();
  rec.clear_etag();
  *rec.mutable_create_time() = NowTimestamp();
  *rec.mutable_update_time() = rec.create_time();
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "recommendations", review.name(), rec, rec.name()));
  ENAMND_RETURN_IF_ERROR(
      platform::SaveRequest(tx, "CreateRecommendation", request.request_id(), rec.name()));
  rec.set_etag("1");
  rec.set_overdue(RecommendationOverdue(rec, clock_->Today()));
  v1::RecommendationCreated event;
  *event.mutable_recommendation() = rec;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, rec.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = rec;
  return absl::OkStatus();
}

absl::Status AuditsApi::GetRecommendation(const v1::GetRecommendationRequest& request,
                                          v1::Recommendation* response) {
  size_t at = request.name().find("/recommendations/");
  if (at == std::string::npos || !ValidateReviewName(request.name().substr(0, at), "name").ok()) {
    return InvalidField("name", "must be reviews/{year}-{code}/recommendations/{n}");
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.name(), response));
  if (!found) return NotFound("recommendation", request.name());
  response->set_overdue(RecommendationOverdue(*response, clock_->Today()));
  return absl::OkStatus();
}

absl::Status AuditsApi::ListRecommendations(const v1::ListRecommendationsRequest& request,
                                            v1::ListRecommendationsResponse* response) {
  std::optional<std::string> parent;
  if (request.parent() != "reviews/-") {
    ENAMND_RETURN_IF_ERROR(ValidateReviewName(request.parent(), "parent"));
    parent = request.parent();
  }
  ENAMND_ASSIGN_OR_RETURN(auto terms,
                          platform::ParseFilter(request.filter(), {"status", "overdue", "year"}));
  int status = v1::Recommendation::STATUS_UNSPECIFIED;
  if (terms.count("status")) {
    ENAMND_ASSIGN_OR_RETURN(status,
                            platform::ParseEnumValue(terms["status"],
                                                     v1::Recommendation::Status_descriptor(),
                                                     "filter.status"));
  }
  if (terms.count("overdue") && terms["overdue"] != "true" && terms["overdue"] != "false") {
    return InvalidField("filter", "overdue must be true or false");
  }
  int year = 0;
  if (terms.count("year") && !absl::SimpleAtoi(terms["year"], &year)) {
    return InvalidField("filter", "year must be a number");
  }
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto all, Store::List<v1::Recommendation>(tx, "recommendations", parent));
  std::vector<v1::Recommendation> matching;
  for (auto& r : all) {
    r.set_overdue(RecommendationOverdue(r, today));
    if (status != v1::Recommendation::STATUS_UNSPECIFIED && r.status() != status) continue;
    if (terms.count("overdue") && r.overdue() != (terms["overdue"] == "true")) continue;
    if (year != 0 && !absl::StartsWith(r.name(), absl::StrCat("reviews/", year, "-"))) continue;
    matching.push_back(std::move(r));
  }
  std::string next;
  ENAMND_RETURN_IF_ERROR(
      Page(matching, request.page_size(), request.page_token(),
           absl::StrCat("ListRecommendations|", request.parent(), "|", request.filter()),
           response->mutable_recommendations(), &next));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status AuditsApi::UpdateRecommendation(const v1::UpdateRecommendationRequest& request,
                                             v1::Recommendation* response) {
  const std::string& name = request.recommendation().name();
  size_t at = name.find("/recommendations/");
  if (at == std::string::npos || !ValidateReviewName(name.substr(0, at), "name").ok()) {
    return InvalidField("recommendation.name", "must be reviews/{year}-{code}/recommendations/{n}");
  }
  ENAMND_RETURN_IF_ERROR(ValidateMask(
      request.update_mask(),
      {"text", "given_by", "status", "status_reason", "responsible", "due_date", "actions"}));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::Recommendation rec;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, name, &rec));
  if (!found) return NotFound("recommendation", name);
  ENAMND_RETURN_IF_ERROR(CheckEtag(request.recommendation().etag(), rec.etag(), name));
  std::string etag = rec.etag();
  v1::Review review;
  ENAMND_ASSIGN_OR_RETURN(bool review_found, Store::Get(tx, name.substr(0, at), &review));
  if (!review_found) return absl::InternalError("recommendation without review");
  ApplyMask(request.update_mask(), request.recommendation(), &rec);
  ENAMND_RETURN_IF_ERROR(ValidateRecommendationFields(rec, review));
  rec.clear_overdue();
  *rec.mutable_update_time() = NowTimestamp();
  ENAMND_RETURN_IF_ERROR(Store::Replace(tx, rec, name));
  rec.set_etag(platform::NextEtag(etag));
  rec.set_overdue(RecommendationOverdue(rec, clock_->Today()));
  v1::RecommendationUpdated event;
  *event.mutable_recommendation() = rec;
  for (const auto& p : request.update_mask().paths()) event.add_changed_fields(p);
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, name).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = rec;
  return absl::OkStatus();
}

// ------------------------------------------------------------ internal control

absl::Status AuditsApi::CreateControlPlan(const v1::CreateControlPlanRequest& request,
                                          v1::ControlPlan* response) {
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::ControlPlan plan = request.plan();
  if (plan.year() < 1900 || plan.year() > 2999) return InvalidField("plan.year", "1900-2999");
  ENAMND_RETURN_IF_ERROR(ValidateText(plan.title(), "plan.title", kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(plan.adopted_date(), "plan.adopted_date", false));
  if (!plan.reporting_year().empty()) {
    ENAMND_RETURN_IF_ERROR(
        ParseYearName(plan.reporting_year(), "reporting-years/", "plan.reporting_year").status());
  }
  plan.set_name(absl::StrCat("control-plans/", plan.year()));
  *plan.mutable_create_time() = NowTimestamp();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      ReplayOrRemember(tx, "CreateControlPlan", request.request_id(), plan.name(), response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "control-plans", "", plan, plan.name()));
  v1::ControlPlanCreated event;
  *event.mutable_plan() = plan;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, plan.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = plan;
  return absl::OkStatus();
}

absl::Status AuditsApi::GetControlPlan(const v1::GetControlPlanRequest& request,
                                       v1::ControlPlan* response) {
  ENAMND_RETURN_IF_ERROR(ParseYearName(request.name(), "control-plans/", "name").status());
  return GetByName(db_, request.name(), "control plan", response);
}

absl::Status AuditsApi::CreateControlPoint(const v1::CreateControlPointRequest& request,
                                           v1::ControlPoint* response) {
  ENAMND_RETURN_IF_ERROR(ParseYearName(request.plan(), "control-plans/", "plan").status());
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(request.point_id(), "point_id"));
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::ControlPoint p = request.point();
  ENAMND_RETURN_IF_ERROR(ValidateText(p.process(), "point.process", kMaxTitleLength, true));
  if (p.risk_value() < 0 || p.risk_value() > 25) return InvalidField("point.risk_value", "0-25");
  ENAMND_RETURN_IF_ERROR(
      ValidateText(p.what_is_checked(), "point.what_is_checked", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(p.how(), "point.how", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateText(p.responsible(), "point.responsible", kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateText(p.frequency(), "point.frequency", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(SplitMomentName(p.reporting_moment(), "point.reporting_moment").status());
  // A plan entered after the fact may come with its follow-ups.
  ENAMND_RETURN_IF_ERROR(ValidateListSize(p.follow_ups(), "point.follow_ups"));
  for (int i = 0; i < p.follow_ups_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidateFollowUp(
        p.follow_ups(i), absl::StrCat("point.follow_ups[", i, "]"), clock_->Today()));
  }
  p.set_name(absl::StrCat(request.plan(), "/points/", request.point_id()));
  *p.mutable_create_time() = NowTimestamp();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      ReplayOrRemember(tx, "CreateControlPoint", request.request_id(), p.name(), response));
  if (replayed) return absl::OkStatus();
  v1::ControlPlan plan;
  ENAMND_ASSIGN_OR_RETURN(bool plan_found, Store::Get(tx, request.plan(), &plan));
  if (!plan_found) return NotFound("control plan", request.plan());
  ENAMND_ASSIGN_OR_RETURN(auto moment, FindMoment(tx, p.reporting_moment()));
  if (!moment.has_value()) {
    return InvalidField(
        "point.reporting_moment",
        absl::StrCat(p.reporting_moment(), " is not a moment of the reporting wheel"));
  }
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "control-points", request.plan(), p, p.name()));
  v1::ControlPointCreated event;
  *event.mutable_point() = p;
  *event.mutable_moment() = *moment;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = p;
  return absl::OkStatus();
}

absl::Status AuditsApi::ListControlPoints(const v1::ListControlPointsRequest& request,
                                          v1::ListControlPointsResponse* response) {
  ENAMND_RETURN_IF_ERROR(ParseYearName(request.plan(), "control-plans/", "plan").status());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto all,
                          Store::List<v1::ControlPoint>(tx, "control-points", request.plan()));
  std::string next;
  ENAMND_RETURN_IF_ERROR(Page(all, request.page_size(), request.page_token(),
                              absl::StrCat("ListControlPoints|", request.plan()),
                              response->mutable_points(), &next));
  response->set_next_page_token(next);
  return absl::OkStatus();
}

absl::Status AuditsApi::RecordControlFollowUp(const v1::RecordControlFollowUpRequest& request,
                                              v1::ControlPoint* response) {
  ENAMND_RETURN_IF_ERROR(ValidatePointName(request.point(), "point"));
  const v1::ControlFollowUp& f = request.follow_up();
  ENAMND_RETURN_IF_ERROR(ValidateFollowUp(f, "follow_up", clock_->Today()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::ControlPoint p;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.point(), &p));
  if (!found) return NotFound("control point", request.point());
  for (const auto& existing : p.follow_ups()) {
    if (google::protobuf::util::MessageDifferencer::Equals(existing, f)) {
      *response = p;  // a retry of the same follow-up
      return absl::OkStatus();
    }
  }
  *p.add_follow_ups() = f;
  ENAMND_RETURN_IF_ERROR(Store::Replace(tx, p, p.name()));
  v1::ControlPointFollowedUp event;
  *event.mutable_point() = p;
  *event.mutable_follow_up() = f;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, p.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = p;
  return absl::OkStatus();
}

absl::Status AuditsApi::ListMissedControlPoints(const v1::ListMissedControlPointsRequest& request,
                                                v1::ListMissedControlPointsResponse* response) {
  ENAMND_RETURN_IF_ERROR(ParseYearName(request.plan(), "control-plans/", "plan").status());
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  v1::ControlPlan plan;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, request.plan(), &plan));
  if (!found) return NotFound("control plan", request.plan());
  ENAMND_ASSIGN_OR_RETURN(auto points,
                          Store::List<v1::ControlPoint>(tx, "control-points", request.plan()));
  for (const auto& p : points) {
    ENAMND_ASSIGN_OR_RETURN(auto moment, FindMoment(tx, p.reporting_moment()));
    if (!moment.has_value() || !ControlPointMissed(p, *moment, today)) continue;
    auto* missed = response->add_missed();
    *missed->mutable_point() = p;
    *missed->mutable_moment() = *moment;
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ reporting wheel

absl::Status AuditsApi::CreateReportingYear(const v1::CreateReportingYearRequest& request,
                                            v1::ReportingYear* response) {
  ENAMND_RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  v1::ReportingYear y = request.reporting_year();
  if (y.year() < 1900 || y.year() > 2999) return InvalidField("reporting_year.year", "1900-2999");
  y.set_name(absl::StrCat("reporting-years/", y.year()));
  y.clear_copied_from();
  y.clear_etag();
  ENAMND_RETURN_IF_ERROR(ValidateListSize(y.moments(), "reporting_year.moments"));
  std::set<std::string> ids;
  for (int i = 0; i < y.moments_size(); ++i) {
    v1::ReportingMoment* m = y.mutable_moments(i);
    std::string field = absl::StrCat("reporting_year.moments[", i, "]");
    // A bare id is accepted and expanded.
    std::string id = m->name();
    if (absl::StrContains(id, "/")) {
      if (!absl::StartsWith(id, y.name() + "/moments/")) {
        return InvalidField(field + ".name", absl::StrCat("must be ", y.name(), "/moments/{id}"));
      }
      id = id.substr(y.name().size() + 9);
    }
    ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(id, field + ".name"));
    if (!ids.insert(id).second) return InvalidField(field + ".name", "id used twice");
    m->set_name(absl::StrCat(y.name(), "/moments/", id));
    ENAMND_RETURN_IF_ERROR(ValidateMoment(*m, y.year(), field));
    // A wheel entered after the fact may already have reported moments.
    ENAMND_RETURN_IF_ERROR(
        ValidateOptionalDate(m->reported_date(), field + ".reported_date", false));
    ENAMND_RETURN_IF_ERROR(
        NotInFuture(m->reported_date(), field + ".reported_date", clock_->Today()));
    ENAMND_RETURN_IF_ERROR(ValidateText(m->reported_reference(), field + ".reported_reference",
                                        kMaxNameLength, false));
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      ReplayOrRemember(tx, "CreateReportingYear", request.request_id(), y.name(), response));
  if (replayed) return absl::OkStatus();
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "reporting-years", "", y, y.name()));
  y.set_etag("1");
  v1::ReportingYearCreated event;
  *event.mutable_reporting_year() = y;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, y.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = y;
  return absl::OkStatus();
}

absl::Status AuditsApi::CopyReportingYear(const v1::CopyReportingYearRequest& request,
                                          v1::ReportingYear* response) {
  ENAMND_ASSIGN_OR_RETURN(int year, ParseYearName(request.name(), "reporting-years/", "name"));
  std::string previous_name = absl::StrCat("reporting-years/", year - 1);
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::ReportingYear previous;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, previous_name, &previous));
  if (!found) {
    return absl::FailedPreconditionError(
        absl::StrCat("there is no ", previous_name, " to copy ", request.name(), " from"));
  }
  v1::ReportingYear existing;
  ENAMND_ASSIGN_OR_RETURN(bool exists, Store::Get(tx, request.name(), &existing));
  if (exists) return absl::AlreadyExistsError(absl::StrCat(request.name(), " exists"));
  v1::ReportingYear y;
  y.set_name(request.name());
  y.set_year(year);
  y.set_copied_from(previous_name);
  for (const auto& m : previous.moments()) {
    v1::ReportingMoment copy = m;
    copy.set_name(absl::StrCat(y.name(), m.name().substr(previous_name.size())));
    *copy.mutable_due_date() = platform::ToDate(OneYearLater(ToCivil(m.due_date())));
    copy.clear_reported_date();
    copy.clear_reported_reference();
    *y.add_moments() = copy;
  }
  ENAMND_RETURN_IF_ERROR(Store::Insert(tx, "reporting-years", "", y, y.name()));
  y.set_etag("1");
  v1::ReportingYearCreated event;
  *event.mutable_reporting_year() = y;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, y.name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = y;
  return absl::OkStatus();
}

absl::Status AuditsApi::GetReportingYear(const v1::GetReportingYearRequest& request,
                                         v1::ReportingYear* response) {
  ENAMND_RETURN_IF_ERROR(ParseYearName(request.name(), "reporting-years/", "name").status());
  return GetByName(db_, request.name(), "reporting year", response);
}

absl::Status AuditsApi::MarkMomentReported(const v1::MarkMomentReportedRequest& request,
                                           v1::ReportingYear* response) {
  ENAMND_ASSIGN_OR_RETURN(auto split, SplitMomentName(request.moment(), "moment"));
  ENAMND_RETURN_IF_ERROR(ValidateOptionalDate(request.reported_date(), "reported_date", true));
  ENAMND_RETURN_IF_ERROR(NotInFuture(request.reported_date(), "reported_date", clock_->Today()));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(request.reported_reference(), "reported_reference", kMaxNameLength, false));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  v1::ReportingYear y;
  ENAMND_ASSIGN_OR_RETURN(bool found, Store::Get(tx, split.first, &y));
  if (!found) return NotFound("reporting year", split.first);
  v1::ReportingMoment* moment = nullptr;
  for (auto& m : *y.mutable_moments()) {
    if (m.name() == request.moment()) moment = &m;
  }
  if (moment == nullptr) return NotFound("reporting moment", request.moment());
  if (IsSet(moment->reported_date())) {
    return absl::AlreadyExistsError(absl::StrCat(request.moment(), " was reported on ",
                                                 DayText(ToCivil(moment->reported_date()))));
  }
  *moment->mutable_reported_date() = request.reported_date();
  moment->set_reported_reference(request.reported_reference());
  std::string etag = y.etag();
  ENAMND_RETURN_IF_ERROR(Store::Replace(tx, y, y.name()));
  y.set_etag(platform::NextEtag(etag));
  v1::MomentReported event;
  *event.mutable_moment() = *moment;
  ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, event, moment->name()).status());
  ENAMND_RETURN_IF_ERROR(tx.Commit());
  *response = y;
  return absl::OkStatus();
}

absl::Status AuditsApi::ListOverdueMoments(const v1::ListOverdueMomentsRequest& request,
                                           v1::ListOverdueMomentsResponse* response) {
  if (request.parent() != "reporting-years/-") {
    ENAMND_RETURN_IF_ERROR(ParseYearName(request.parent(), "reporting-years/", "parent").status());
  }
  absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(auto years,
                          Store::List<v1::ReportingYear>(tx, "reporting-years", std::nullopt));
  for (const auto& y : years) {
    if (request.parent() != "reporting-years/-" && y.name() != request.parent()) continue;
    for (const auto& m : y.moments()) {
      if (MomentOverdue(m, today)) *response->add_moments() = m;
    }
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ consuming meetings events

namespace {

// A payload that can never be read: logged and skipped, so that one bad
// entry does not stop the consumer.
absl::Status Unusable(const io::cloudevents::v1::CloudEvent& event) {
  platform::LogError("audits", "event ", event.source(), " ", event.id(), " of type ", event.type(),
                     " has a payload that does not parse; skipped");
  return absl::OkStatus();
}

}  // namespace

absl::Status AuditsApi::HandleMeetingsEvent(Transaction& tx,
                                            const io::cloudevents::v1::CloudEvent& event) {
  namespace mv1 = ::enamnd::meetings::v1;
  constexpr absl::string_view kReviewPrefix = "//audits/reviews/";
  if (event.type() == "enamnd.meetings.v1.DecisionRecorded" ||
      event.type() == "enamnd.meetings.v1.DecisionUpdated") {
    mv1::DecisionRecorded recorded;
    mv1::DecisionUpdated updated;
    const mv1::Paragraph* p;
    std::string subject, meeting;
    const enamnd::common::v1::Date* date;
    if (event.type() == "enamnd.meetings.v1.DecisionRecorded") {
      if (!event.proto_data().UnpackTo(&recorded)) return Unusable(event);
      p = &recorded.paragraph();
      subject = recorded.case_subject();
      meeting = recorded.meeting();
      date = &recorded.meeting_date();
    } else {
      if (!event.proto_data().UnpackTo(&updated)) return Unusable(event);
      p = &updated.paragraph();
      subject = updated.case_subject();
      meeting = updated.meeting();
      date = &updated.meeting_date();
    }
    if (!absl::StartsWith(subject, kReviewPrefix)) return absl::OkStatus();
    std::string review = subject.substr(2 + 7);  // strip "//audits/"
    if (!ValidateReviewName(review, "case_subject").ok()) {
      platform::LogWarning("audits", "decision ", p->name(), " names ", subject,
                           ", which is not a review; ignored");
      return absl::OkStatus();
    }
    v1::CommitteeHandling h;
    h.set_paragraph(p->name());
    h.set_paragraph_number(p->number());
    h.set_meeting(meeting);
    *h.mutable_meeting_date() = *date;
    h.set_case_number(p->case_number());
    h.set_decision_kind(mv1::DecisionKind_Name(p->decision().kind()));
    h.set_decision_text(p->decision().text());
    h.set_event_source(event.source());
    h.set_event_id(event.id());
    ENAMND_ASSIGN_OR_RETURN(auto previous, Store::Handling(tx, review, p->name()));
    if (previous.has_value()) *h.mutable_legal_force_date() = previous->legal_force_date();
    ENAMND_ASSIGN_OR_RETURN(bool fresh, Store::UpsertHandling(tx, review, h));
    v1::Review r;
    ENAMND_ASSIGN_OR_RETURN(bool exists, Store::Get(tx, review, &r));
    if (!exists) {
      platform::LogInfo("audits", "decision ", p->name(), " is about ", review,
                        ", which is not registered yet; linked when it is");
    }
    if (fresh) {
      v1::ReviewHandled handled;
      handled.set_review(review);
      *handled.mutable_handling() = h;
      ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, handled, review).status());
    }
    return absl::OkStatus();
  }
  if (event.type() == "enamnd.meetings.v1.DecisionFinal") {
    mv1::DecisionFinal final_event;
    if (!event.proto_data().UnpackTo(&final_event)) return Unusable(event);
    if (!absl::StartsWith(final_event.case_subject(), kReviewPrefix)) return absl::OkStatus();
    std::string review = final_event.case_subject().substr(9);
    ENAMND_ASSIGN_OR_RETURN(auto h, Store::Handling(tx, review, final_event.paragraph()));
    if (!h.has_value()) return absl::OkStatus();  // its DecisionRecorded came first in order
    *h->mutable_legal_force_date() = final_event.legal_force_date();
    return Store::UpsertHandling(tx, review, *h).status();
  }
  if (event.type() == "enamnd.meetings.v1.AppealLodged") {
    // An appeal lodged in time revokes legal force the decision may have had.
    mv1::AppealLodged appeal;
    if (!event.proto_data().UnpackTo(&appeal)) return Unusable(event);
    ENAMND_ASSIGN_OR_RETURN(auto reviews, Store::ReviewsOfParagraph(tx, appeal.paragraph()));
    for (const std::string& review : reviews) {
      ENAMND_ASSIGN_OR_RETURN(auto h, Store::Handling(tx, review, appeal.paragraph()));
      if (!h.has_value()) continue;
      h->clear_legal_force_date();
      ENAMND_RETURN_IF_ERROR(Store::UpsertHandling(tx, review, *h).status());
    }
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------ deadlines

absl::Status AuditsApi::RunDeadlines(absl::CivilDay today) {
  // What is due and not raised yet, found with a read transaction: the job
  // runs after every commit, and usually has nothing to write.
  struct Alarm {
    std::string kind, name, detail;
    std::shared_ptr<google::protobuf::Message> event;
  };
  std::vector<Alarm> alarms;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(auto recs,
                            Store::List<v1::Recommendation>(tx, "recommendations", std::nullopt));
    for (auto& r : recs) {
      if (!RecommendationOverdue(r, today)) continue;
      r.set_overdue(true);
      auto event = std::make_shared<v1::RecommendationOverdue>();
      *event->mutable_recommendation() = r;
      *event->mutable_due_date() = r.due_date();
      alarms.push_back({"RecommendationOverdue", r.name(), DayText(ToCivil(r.due_date())), event});
    }
    ENAMND_ASSIGN_OR_RETURN(auto years,
                            Store::List<v1::ReportingYear>(tx, "reporting-years", std::nullopt));
    std::map<std::string, v1::ReportingMoment> moments;
    for (const auto& y : years) {
      for (const auto& m : y.moments()) {
        moments[m.name()] = m;
        if (!MomentOverdue(m, today)) continue;
        auto event = std::make_shared<v1::MomentOverdue>();
        *event->mutable_moment() = m;
        alarms.push_back({"MomentOverdue", m.name(), DayText(ToCivil(m.due_date())), event});
      }
    }
    ENAMND_ASSIGN_OR_RETURN(auto points,
                            Store::List<v1::ControlPoint>(tx, "control-points", std::nullopt));
    for (const auto& p : points) {
      auto it = moments.find(p.reporting_moment());
      if (it == moments.end() || !ControlPointMissed(p, it->second, today)) continue;
      auto event = std::make_shared<v1::ControlPointMissed>();
      *event->mutable_point() = p;
      *event->mutable_moment() = it->second;
      alarms.push_back({"ControlPointMissed", p.name(), it->second.name(), event});
    }
    std::vector<Alarm> fresh;
    for (auto& a : alarms) {
      ENAMND_ASSIGN_OR_RETURN(bool raised, Store::IsRaised(tx, a.kind, a.name, a.detail));
      if (!raised) fresh.push_back(std::move(a));
    }
    alarms = std::move(fresh);
  }
  if (alarms.empty()) return absl::OkStatus();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  for (const Alarm& a : alarms) {
    // Marked under the write lock: another run may have raised it meanwhile.
    ENAMND_ASSIGN_OR_RETURN(bool fresh, Store::MarkRaised(tx, a.kind, a.name, a.detail));
    if (fresh) ENAMND_RETURN_IF_ERROR(outbox_->Append(tx, *a.event, a.name).status());
  }
  return tx.Commit();
}

}  // namespace enamnd::audits
