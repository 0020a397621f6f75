#include "services/meetings/domain/filters.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/meetings/domain/names.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"

namespace enamnd::meetings {
namespace {

using Terms = std::map<std::string, std::string>;

absl::StatusOr<std::optional<int64_t>> Year(const Terms& terms) {
  auto it = terms.find("year");
  if (it == terms.end()) return std::optional<int64_t>();
  int64_t year = 0;
  if (!absl::SimpleAtoi(it->second, &year)) {
    return platform::InvalidField("filter", "year must be a number");
  }
  return std::optional<int64_t>(year);
}

// The body of bodies/{body_id}; none for bodies/- (every body).
absl::StatusOr<std::optional<std::string>> BodyOrAll(absl::string_view parent) {
  if (parent == "bodies/-") return std::optional<std::string>();
  ENAMND_ASSIGN_OR_RETURN(BodyName body, BodyName::Parse(parent, "parent"));
  return std::optional<std::string>(body.body_id);
}

absl::StatusOr<std::optional<int64_t>> Enum(const Terms& terms, const std::string& key,
                                            const google::protobuf::EnumDescriptor* type) {
  auto it = terms.find(key);
  if (it == terms.end()) return std::optional<int64_t>();
  ENAMND_ASSIGN_OR_RETURN(int value, platform::ParseEnumValue(it->second, type, "filter." + key));
  return std::optional<int64_t>(value);
}

}  // namespace

absl::StatusOr<MeetingFilter> ParseMeetingFilter(absl::string_view parent,
                                                 absl::string_view filter) {
  MeetingFilter f;
  ENAMND_ASSIGN_OR_RETURN(f.body_id, BodyOrAll(parent));
  ENAMND_ASSIGN_OR_RETURN(Terms terms, platform::ParseFilter(filter, {"year", "state"}));
  ENAMND_ASSIGN_OR_RETURN(f.year, Year(terms));
  ENAMND_ASSIGN_OR_RETURN(f.state, Enum(terms, "state", v1::Meeting::State_descriptor()));
  return f;
}

absl::StatusOr<CaseFilter> ParseCaseFilter(absl::string_view filter) {
  CaseFilter f;
  ENAMND_ASSIGN_OR_RETURN(Terms terms, platform::ParseFilter(filter, {"year", "subject"}));
  ENAMND_ASSIGN_OR_RETURN(f.year, Year(terms));
  if (terms.count("subject")) f.subject = terms["subject"];
  return f;
}

absl::StatusOr<ParagraphFilter> ParseParagraphFilter(absl::string_view parent,
                                                     absl::string_view filter) {
  ParagraphFilter f;
  absl::StatusOr<MeetingName> meeting = MeetingName::Parse(parent, "parent");
  if (meeting.ok()) {
    f.meeting = meeting->ToString();
  } else if (absl::StrContains(parent, "/meetings/")) {
    return meeting.status();
  } else {
    auto body = BodyOrAll(parent);
    if (!body.ok()) {
      return platform::InvalidField("parent", "a meeting name, bodies/{body_id} or bodies/-");
    }
    f.body_id = *body;
  }
  ENAMND_ASSIGN_OR_RETURN(Terms terms,
                          platform::ParseFilter(filter, {"recipient", "case", "year", "kind"}));
  if (terms.count("recipient")) {
    ENAMND_ASSIGN_OR_RETURN(MunicipalityName m,
                            MunicipalityName::Parse(terms["recipient"], "filter recipient"));
    f.recipient_code = m.code;
  }
  if (terms.count("case")) {
    ENAMND_ASSIGN_OR_RETURN(CaseName c, CaseName::Parse(terms["case"], "filter case"));
    f.case_name = c.ToString();
  }
  ENAMND_ASSIGN_OR_RETURN(f.year, Year(terms));
  ENAMND_ASSIGN_OR_RETURN(f.kind, Enum(terms, "kind", v1::DecisionKind_descriptor()));
  return f;
}

absl::StatusOr<AdjustmentFilter> ParseAdjustmentParent(absl::string_view parent) {
  AdjustmentFilter f;
  if (absl::StrContains(parent, "/meetings/")) {
    ENAMND_ASSIGN_OR_RETURN(MeetingName meeting, MeetingName::Parse(parent, "parent"));
    f.meeting = meeting.ToString();
  } else {
    ENAMND_ASSIGN_OR_RETURN(BodyName body, BodyName::Parse(parent, "parent"));
    f.body_id = body.body_id;
  }
  return f;
}

}  // namespace enamnd::meetings
