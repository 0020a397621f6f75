#include "services/contracts/domain/rules.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/contracts/domain/names.h"
#include "services/platform/api_util.h"
#include "services/platform/calendar.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::contracts {
namespace {

using platform::DayText;
using platform::InvalidField;
using platform::IsSet;
using platform::ToCivil;
using v1::Procurement;

std::string StateName(ProcurementState state) {
  std::string name = Procurement::State_Name(state);
  return name;
}

// What TransitionProcurement may reach from each state.
std::vector<ProcurementState> TransitionsFrom(ProcurementState from) {
  switch (from) {
    case Procurement::STATE_PLANNED:
      return {Procurement::STATE_ADVERTISED, Procurement::STATE_CANCELLED};
    case Procurement::STATE_ADVERTISED:
      return {Procurement::STATE_EVALUATION, Procurement::STATE_CANCELLED};
    case Procurement::STATE_EVALUATION:
    case Procurement::STATE_AWARD_DECIDED:
      return {Procurement::STATE_CANCELLED};
    case Procurement::STATE_STANDSTILL:
      return {Procurement::STATE_CONCLUDED, Procurement::STATE_CANCELLED};
    default:
      return {};
  }
}

}  // namespace

absl::Status ValidateOrganisationNumber(absl::string_view text, absl::string_view field) {
  if (text.empty()) return InvalidField(field, "required");
  if (text.size() != 11 || text[6] != '-') {
    return InvalidField(field,
                        absl::StrCat("\"", text, "\" must be NNNNNN-NNNN, e.g. 556016-0680"));
  }
  std::string digits;  // the ten digits around the hyphen
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != 6) digits.push_back(text[i]);
  }
  if (!std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) {
    return InvalidField(field,
                        absl::StrCat("\"", text, "\" must be NNNNNN-NNNN, e.g. 556016-0680"));
  }
  // Luhn over the first nine digits, weights 2, 1, 2, ... from the left.
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  const int check = (10 - sum % 10) % 10;
  if (digits[9] - '0' != check) {
    return InvalidField(
        field, absl::StrCat("\"", text, "\" has the check digit ", std::string(1, digits[9]),
                            "; the first nine digits give ", check));
  }
  return absl::OkStatus();
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  absl::CivilMonth month = absl::CivilMonth(day) + months;
  absl::CivilDay first(month);
  absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  absl::CivilDay wanted = first + (day.day() - 1);
  return std::min(wanted, last);
}

absl::CivilDay StandstillEnd(absl::CivilDay notice_sent, v1::NoticeMeans means) {
  const int days = means == v1::NOTICE_MEANS_ELECTRONIC ? 10 : 15;
  return platform::StatutoryDeadline(notice_sent + days);
}

absl::Status CheckProcurementTransition(ProcurementState from, ProcurementState to) {
  std::vector<ProcurementState> allowed = TransitionsFrom(from);
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return absl::OkStatus();
  std::vector<std::string> names;
  for (ProcurementState s : allowed) names.push_back(StateName(s));
  std::string hint;
  if (from == Procurement::STATE_EVALUATION) hint = "; an award is recorded with RecordAward";
  if (from == Procurement::STATE_AWARD_DECIDED) {
    hint = "; the standstill starts with the award notice (RecordAward with notice_date)";
  }
  if (from == Procurement::STATE_UNDER_REVIEW) hint = "; record the court's outcome first";
  if (names.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("state: a procurement in ", StateName(from),
                                                      " cannot move to ", StateName(to), hint));
  }
  return absl::FailedPreconditionError(absl::StrCat("state: a procurement in ", StateName(from),
                                                    " may move to ", absl::StrJoin(names, " or "),
                                                    ", not ", StateName(to), hint));
}

absl::Status CheckStandstillOver(const v1::Procurement& p, absl::CivilDay today) {
  absl::CivilDay end = ToCivil(p.standstill_end());
  if (today > end) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("state: the standstill of ", p.name(), " lasts until ", DayText(end),
                   " inclusive; no agreement may be concluded before ", DayText(end + 1)));
}

absl::Status CheckReviewRequest(const v1::Procurement& p, absl::CivilDay filed) {
  if (p.state() != Procurement::STATE_STANDSTILL) {
    return absl::FailedPreconditionError(
        absl::StrCat("state: ", p.name(), " is in ", StateName(p.state()),
                     "; a request for review is recorded during the standstill"));
  }
  absl::CivilDay end = ToCivil(p.standstill_end());
  if (filed > end) {
    return InvalidField(
        "review.filed_date",
        absl::StrCat(DayText(filed), " is after the standstill ended on ", DayText(end)));
  }
  return absl::OkStatus();
}

ProcurementState StateAfterReview(v1::ReviewOutcome outcome) {
  switch (outcome) {
    case v1::REVIEW_OUTCOME_CORRECTION:
      return Procurement::STATE_EVALUATION;
    case v1::REVIEW_OUTCOME_REDO:
      return Procurement::STATE_PLANNED;
    default:  // rejected or withdrawn: the award stands
      return Procurement::STATE_STANDSTILL;
  }
}

absl::CivilDay LongestEnd(const v1::Terms& terms) {
  // `end` already includes the options used.
  int months = 0;
  for (const v1::ExtensionOption& e : terms.extensions()) {
    if (!e.used()) months += e.months();
  }
  return AddMonths(ToCivil(terms.end()), months);
}

absl::Status CheckFourYearRule(const v1::Terms& terms, absl::string_view special_reason) {
  if (terms.type() != v1::AGREEMENT_TYPE_FRAMEWORK) return absl::OkStatus();
  const absl::CivilDay start = ToCivil(terms.start());
  const absl::CivilDay last_allowed = AddMonths(start, 48) - 1;
  const absl::CivilDay longest = LongestEnd(terms);
  if (longest <= last_allowed || !absl::StripAsciiWhitespace(special_reason).empty()) {
    return absl::OkStatus();
  }
  return InvalidField("agreement.special_reason",
                      absl::StrCat("a framework agreement runs at most four years (from ",
                                   DayText(start), " to ", DayText(last_allowed),
                                   ") unless a special reason is recorded; "
                                   "with every extension this one runs to ",
                                   DayText(longest)));
}

Expiry ExpiryOf(const v1::Terms& terms) {
  int unused_months = 0, unused = 0;
  for (const v1::ExtensionOption& e : terms.extensions()) {
    if (e.used()) continue;
    unused_months += e.months();
    ++unused;
  }
  Expiry expiry;
  expiry.final_end = AddMonths(ToCivil(terms.end()), unused_months);
  expiry.last_notice_day = AddMonths(expiry.final_end, -terms.notice_months());
  expiry.unused_extensions = unused;
  return expiry;
}

std::optional<HorizonReached> ExpiryHorizonOn(const Expiry& expiry,
                                              const std::vector<int>& horizons,
                                              absl::CivilDay today) {
  if (today > expiry.last_notice_day) return std::nullopt;
  std::vector<int> reached;
  for (int h : horizons) {
    if (today >= AddMonths(expiry.last_notice_day, -h)) reached.push_back(h);
  }
  if (reached.empty()) return std::nullopt;
  std::sort(reached.begin(), reached.end());
  HorizonReached out{reached.front(), {reached.begin() + 1, reached.end()}};
  return out;
}

absl::StatusOr<std::vector<int>> ParseHorizons(absl::string_view text, absl::string_view setting) {
  std::vector<int> horizons;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int months = 0;
    if (!absl::SimpleAtoi(part, &months) || months < 1 || months > 120) {
      return InvalidField(setting, absl::StrCat("\"", text,
                                                "\" must be months 1-120 separated by commas, "
                                                "e.g. 12,6,3"));
    }
    if (std::find(horizons.begin(), horizons.end(), months) != horizons.end()) {
      return InvalidField(setting, absl::StrCat(months, " is given twice"));
    }
    horizons.push_back(months);
  }
  return horizons;
}

std::optional<absl::CivilDay> NextFollowUp(const v1::Agreement& agreement) {
  const int every = agreement.follow_up_routine().every_months();
  if (every <= 0) return std::nullopt;
  absl::CivilDay from = ToCivil(agreement.terms().start());
  for (const v1::FollowUp& f : agreement.follow_ups()) from = std::max(from, ToCivil(f.date()));
  return AddMonths(from, every);
}

bool InForce(const v1::Terms& terms, absl::CivilDay day) {
  return ToCivil(terms.start()) <= day && day <= ToCivil(terms.end());
}

namespace {

absl::Status ValidateTerms(const v1::Terms& t) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(t.type(), v1::AgreementType_descriptor(), "agreement.terms.type"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(t.start(), "agreement.terms.start", true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(t.end(), "agreement.terms.end", true));
  if (ToCivil(t.end()) < ToCivil(t.start())) {
    return InvalidField("agreement.terms.end",
                        absl::StrCat(DayText(ToCivil(t.end())), " is before the start ",
                                     DayText(ToCivil(t.start()))));
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateListLength(t.extensions_size(), "agreement.terms.extensions"));
  for (int i = 0; i < t.extensions_size(); ++i) {
    const v1::ExtensionOption& e = t.extensions(i);
    const std::string at = absl::StrCat("agreement.terms.extensions[", i, "]");
    if (e.months() < 1 || e.months() > 120) {
      return InvalidField(absl::StrCat(at, ".months"), "must be 1 to 120");
    }
    // Options are used in order; a used one carries its day.
    if (e.used() && i > 0 && !t.extensions(i - 1).used()) {
      return InvalidField(absl::StrCat(at, ".used"), "options are used in order");
    }
    ENAMND_RETURN_IF_ERROR(platform::ValidateDate(e.used_date(), at + ".used_date", e.used()));
    if (!e.used() && IsSet(e.used_date())) {
      return InvalidField(absl::StrCat(at, ".used_date"), "set only on a used option");
    }
  }
  if (t.notice_months() < 0 || t.notice_months() > 60) {
    return InvalidField("agreement.terms.notice_months", "must be 0 to 60");
  }
  if (t.call_off_method() != v1::CALL_OFF_METHOD_UNSPECIFIED) {
    ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
        t.call_off_method(), v1::CallOffMethod_descriptor(), "agreement.terms.call_off_method"));
  }
  if (t.estimated_value().ore() < 0) {
    return InvalidField("agreement.terms.estimated_value", "must not be negative");
  }
  return platform::ValidateText(t.index_clause(), "agreement.terms.index_clause",
                                platform::kMaxTitleLength, false);
}

}  // namespace

absl::Status ValidateAgreement(const v1::Agreement& a) {
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(a.title(), "agreement.title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.supplier().display_name(),
                                                "agreement.supplier.display_name",
                                                platform::kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(ValidateOrganisationNumber(a.supplier().organisation_number(),
                                                    "agreement.supplier.organisation_number"));
  ENAMND_RETURN_IF_ERROR(ValidateTerms(a.terms()));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(a.entitled_size(), "agreement.entitled"));
  std::set<std::string> seen;
  for (int i = 0; i < a.entitled_size(); ++i) {
    const std::string field = absl::StrCat("agreement.entitled[", i, "]");
    ENAMND_RETURN_IF_ERROR(platform::ParseMunicipalityName(a.entitled(i), field).status());
    if (!seen.insert(a.entitled(i)).second) {
      return InvalidField(field, absl::StrCat(a.entitled(i), " is listed twice"));
    }
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(a.owner(), "agreement.owner", platform::kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.case_number(), "agreement.case_number",
                                                platform::kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.special_reason(), "agreement.special_reason",
                                                platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.follow_up_routine().description(),
                                                "agreement.follow_up_routine.description",
                                                platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(a.follow_ups_size(), "agreement.follow_ups"));
  for (int i = 0; i < a.follow_ups_size(); ++i) {
    const std::string at = absl::StrCat("agreement.follow_ups[", i, "]");
    ENAMND_RETURN_IF_ERROR(platform::ValidateDate(a.follow_ups(i).date(), at + ".date", true));
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.follow_ups(i).result(), at + ".result",
                                                  platform::kMaxTextLength, true));
    for (int d = 0; d < a.follow_ups(i).deviations_size(); ++d) {
      ENAMND_RETURN_IF_ERROR(platform::ValidateText(a.follow_ups(i).deviations(d),
                                                    absl::StrCat(at, ".deviations[", d, "]"),
                                                    platform::kMaxTextLength, true));
    }
    if (ToCivil(a.follow_ups(i).date()) < ToCivil(a.terms().start())) {
      return InvalidField(at + ".date", "is before the agreement's start");
    }
  }
  if (a.follow_up_routine().every_months() < 0 || a.follow_up_routine().every_months() > 60) {
    return InvalidField("agreement.follow_up_routine.every_months", "must be 0 to 60");
  }
  if (!a.procurement().empty()) {
    absl::string_view p = a.procurement();
    absl::ConsumePrefix(&p, "//contracts/");
    ENAMND_RETURN_IF_ERROR(ProcurementName::Parse(p, "agreement.procurement").status());
  }
  return CheckFourYearRule(a.terms(), a.special_reason());
}

absl::Status CheckUpdateKeepsHistory(const v1::Agreement& before, const v1::Agreement& after) {
  for (const v1::Joining& j : after.joined()) {
    if (std::find(after.entitled().begin(), after.entitled().end(), j.municipality()) ==
        after.entitled().end()) {
      return InvalidField("agreement.entitled",
                          absl::StrCat(j.municipality(), " joined on ",
                                       DayText(ToCivil(j.joined_date())), " and stays entitled"));
    }
    if (!InForce(after.terms(), ToCivil(j.joined_date()))) {
      return InvalidField("agreement.terms", absl::StrCat(j.municipality(), " joined on ",
                                                          DayText(ToCivil(j.joined_date())),
                                                          ", which must stay within the term"));
    }
  }
  bool any_used = false;
  for (int i = 0; i < before.terms().extensions_size(); ++i) {
    const v1::ExtensionOption& was = before.terms().extensions(i);
    if (!was.used()) continue;
    any_used = true;
    if (i >= after.terms().extensions_size() ||
        after.terms().extensions(i).months() != was.months()) {
      return InvalidField(absl::StrCat("agreement.terms.extensions[", i, "]"),
                          absl::StrCat("the option of ", was.months(), " months was used on ",
                                       DayText(ToCivil(was.used_date())), "; it stays"));
    }
  }
  if (any_used && ToCivil(after.terms().end()) != ToCivil(before.terms().end())) {
    return InvalidField("agreement.terms.end",
                        absl::StrCat("is ", DayText(ToCivil(before.terms().end())),
                                     " with the options used; only ExtendAgreement moves it"));
  }
  return absl::OkStatus();
}

const std::set<std::string>& UpdatableAgreementFields() {
  static const auto* fields = new std::set<std::string>{
      "title",    "case_number",       "owner",          "supplier",   "terms",
      "entitled", "follow_up_routine", "special_reason", "procurement"};
  return *fields;
}

absl::Status CheckJoin(const v1::Agreement& a, const std::string& municipality,
                       absl::CivilDay day) {
  if (std::find(a.entitled().begin(), a.entitled().end(), municipality) == a.entitled().end()) {
    return InvalidField("municipality",
                        absl::StrCat(municipality, " is not entitled to call off ", a.name(),
                                     " (entitled: ", absl::StrJoin(a.entitled(), ", "), ")"));
  }
  for (const v1::Joining& j : a.joined()) {
    if (j.municipality() == municipality) {
      return absl::FailedPreconditionError(absl::StrCat("municipality: ", municipality, " joined ",
                                                        a.name(), " on ",
                                                        DayText(ToCivil(j.joined_date()))));
    }
  }
  if (!InForce(a.terms(), day)) {
    return InvalidField("joined_date",
                        absl::StrCat(DayText(day), " is outside the term of ", a.name(), " (",
                                     DayText(ToCivil(a.terms().start())), " to ",
                                     DayText(ToCivil(a.terms().end())), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AgreementFilter> ParseAgreementFilter(absl::string_view filter) {
  ENAMND_ASSIGN_OR_RETURN(
      auto terms, platform::ParseFilter(
                      filter, {"municipality", "date", "in_force", "expiring_within_months"}));
  AgreementFilter out;
  if (terms.count("municipality")) {
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(terms["municipality"], "filter.municipality").status());
    out.municipality = terms["municipality"];
  }
  if (terms.count("date")) {
    if (!out.municipality.has_value()) {
      return InvalidField("filter", "date needs municipality (the day it may call off)");
    }
    ENAMND_ASSIGN_OR_RETURN(out.date, platform::ParseFilterDay(terms["date"], "filter.date"));
  }
  if (terms.count("in_force")) {
    ENAMND_ASSIGN_OR_RETURN(out.in_force,
                            platform::ParseFilterDay(terms["in_force"], "filter.in_force"));
  }
  if (terms.count("expiring_within_months")) {
    int months = 0;
    if (!absl::SimpleAtoi(terms["expiring_within_months"], &months) || months < 0 || months > 120) {
      return InvalidField("filter.expiring_within_months", "must be a number of months, 0 to 120");
    }
    out.expiring_within_months = months;
  }
  return out;
}

}  // namespace enamnd::contracts
