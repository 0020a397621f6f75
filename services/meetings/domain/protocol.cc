#include "services/meetings/domain/protocol.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/meetings/domain/secrecy.h"
#include "services/platform/calendar.h"
#include "services/platform/html.h"

namespace enamnd::meetings {
namespace {

// A neutral document model rendered both as text and as HTML, so the two
// cannot drift apart.
struct Block {
  enum Kind { kTitle, kHeading, kSubheading, kLine, kText, kItem };
  Kind kind;
  std::string text;
};

std::string Day(const enamnd::common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Clock(const enamnd::common::v1::TimeOfDay& t) {
  return absl::StrFormat("%02d:%02d", t.hours(), t.minutes());
}

std::string PersonText(const v1::Person& p) {
  if (p.party().empty()) return p.display_name();
  return absl::StrCat(p.display_name(), " (", p.party(), ")");
}

std::string MunicipalityText(const ProtocolInput& in, const std::string& name) {
  auto it = in.municipality_names.find(name);
  return it == in.municipality_names.end() ? name : it->second;
}

const char* ChoiceText(v1::Ballot::Choice c) {
  switch (c) {
    case v1::Ballot::CHOICE_YES:
      return "Ja";
    case v1::Ballot::CHOICE_NO:
      return "Nej";
    case v1::Ballot::CHOICE_ABSTAIN:
      return "Avstår";
    default:
      return "?";
  }
}

void AddAttendance(const ProtocolInput& in, std::vector<int> numbers, std::vector<Block>* out) {
  const v1::Attendance& a = in.meeting.attendance();
  std::map<std::string, const v1::SeatAttendance*> by_seat;
  for (const auto& s : a.seats()) by_seat[s.municipality()] = &s;
  std::vector<Block> members, substitutes, absent;
  for (const v1::Seat& seat : in.body.seats()) {
    std::string where = MunicipalityText(in, seat.municipality());
    auto it = by_seat.find(seat.municipality());
    const v1::SeatAttendance* s = it == by_seat.end() ? nullptr : it->second;
    bool member = s != nullptr && s->member_present();
    bool served = s != nullptr && s->substitute_served();
    if (member) {
      std::string line = absl::StrCat(PersonText(seat.member()), ", ", where);
      if (served) {
        std::vector<int> p(s->substitute_paragraphs().begin(), s->substitute_paragraphs().end());
        absl::StrAppend(&line, ", ej tjänstgörande ", FormatParagraphRange(p));
      }
      members.push_back({Block::kItem, line});
    }
    if (served) {
      std::vector<int> p(s->substitute_paragraphs().begin(), s->substitute_paragraphs().end());
      substitutes.push_back(
          {Block::kItem,
           absl::StrCat(PersonText(seat.substitute()), ", ", where, ", för ",
                        seat.member().display_name(), ", ",
                        p.empty() ? FormatParagraphRange(numbers) : FormatParagraphRange(p))});
    }
    if (!member && !served) {
      absent.push_back({Block::kItem, absl::StrCat(PersonText(seat.member()), ", ", where)});
    }
  }
  out->push_back({Block::kHeading, "Beslutande ledamöter"});
  out->insert(out->end(), members.begin(), members.end());
  if (!substitutes.empty()) {
    out->push_back({Block::kHeading, "Tjänstgörande ersättare"});
    out->insert(out->end(), substitutes.begin(), substitutes.end());
  }
  if (!absent.empty()) {
    out->push_back({Block::kHeading, "Frånvarande ledamöter"});
    out->insert(out->end(), absent.begin(), absent.end());
  }
  if (a.others_present_size() > 0) {
    out->push_back({Block::kHeading, "Övriga närvarande"});
    for (const auto& p : a.others_present()) out->push_back({Block::kItem, PersonText(p)});
  }
  v1::Person chair = in.chair.display_name().empty() ? a.chair() : in.chair;
  std::vector<v1::Person> adjusters = in.adjusters;
  if (adjusters.empty()) adjusters.assign(a.adjusters().begin(), a.adjusters().end());
  out->push_back({Block::kHeading, "Underskrifter"});
  out->push_back({Block::kLine, absl::StrCat("Sekreterare: ", PersonText(a.secretary()))});
  out->push_back({Block::kLine, absl::StrCat("Ordförande: ", PersonText(chair))});
  std::vector<std::string> names;
  for (const auto& p : adjusters) names.push_back(PersonText(p));
  out->push_back({Block::kLine, absl::StrCat("Justerare: ", absl::StrJoin(names, ", "))});
}

void AddParagraph(const ProtocolInput& in, const v1::Paragraph& p, std::vector<Block>* out) {
  out->push_back({Block::kHeading, absl::StrCat("§ ", p.number(), " ", p.title())});
  out->push_back({Block::kLine, absl::StrCat("Dnr ", p.case_number())});
  // The adjusted (full) text records the marking under its hash; a redacted
  // copy has it in place of the decision below.
  if (IsSecret(p) && !p.redacted()) {
    out->push_back({Block::kLine, SecrecyMarking(p.secrecy())});
  }
  out->push_back({Block::kSubheading, "Beslut"});
  out->push_back({Block::kText, p.decision().text()});
  if (!p.summary().empty()) {
    out->push_back({Block::kSubheading, "Sammanfattning av ärendet"});
    out->push_back({Block::kText, p.summary()});
  }
  if (!p.description().empty()) {
    out->push_back({Block::kSubheading, "Beskrivning"});
    out->push_back({Block::kText, p.description()});
  }
  if (!p.meeting_notes().empty()) {
    out->push_back({Block::kSubheading, "Sammanträdet"});
    out->push_back({Block::kText, p.meeting_notes()});
  }
  const v1::DecisionProcedure& proc = p.procedure();
  if (proc.proposals_size() > 0 || !proc.order_put().empty() || proc.votes_size() > 0) {
    out->push_back({Block::kSubheading, "Beslutsgång"});
    for (const auto& y : proc.proposals()) {
      out->push_back(
          {Block::kItem, absl::StrCat("Yrkande av ", PersonText(y.mover()), ": ", y.text())});
    }
    if (!proc.order_put().empty()) out->push_back({Block::kText, proc.order_put()});
    for (const auto& v : proc.votes()) {
      out->push_back({Block::kLine, absl::StrCat("Omröstning: ", v.question())});
      out->push_back({Block::kLine, absl::StrCat("Ja ", v.yes_count(), ", Nej ", v.no_count(),
                                                 ", Avstår ", v.abstain_count())});
      for (const auto& b : v.ballots()) {
        std::string who = PersonText(b.voter());
        if (!b.municipality().empty()) {
          absl::StrAppend(&who, ", ", MunicipalityText(in, b.municipality()));
        }
        out->push_back({Block::kItem, absl::StrCat(who, ": ", ChoiceText(b.choice()))});
      }
      if (!v.result().empty())
        out->push_back({Block::kLine, absl::StrCat("Resultat: ", v.result())});
    }
  }
  if (p.reservations_size() > 0) {
    out->push_back({Block::kSubheading, "Reservationer"});
    for (const auto& r : p.reservations()) {
      out->push_back({Block::kItem, r.text().empty()
                                        ? PersonText(r.person())
                                        : absl::StrCat(PersonText(r.person()), ": ", r.text())});
    }
  }
  if (p.conflicts_of_interest_size() > 0) {
    out->push_back({Block::kSubheading, "Jäv"});
    for (const auto& c : p.conflicts_of_interest()) {
      out->push_back({Block::kItem, c.note().empty()
                                        ? PersonText(c.person())
                                        : absl::StrCat(PersonText(c.person()), ": ", c.note())});
    }
  }
  if (p.documents_size() > 0) {
    out->push_back({Block::kSubheading, "Beslutsunderlag"});
    for (const auto& d : p.documents()) {
      std::string line = d.title();
      if (!d.sha256().empty()) absl::StrAppend(&line, " (SHA-256 ", d.sha256(), ")");
      if (!d.uri().empty()) absl::StrAppend(&line, " <", d.uri(), ">");
      out->push_back({Block::kItem, line});
    }
  }
  if (p.recipients_size() > 0) {
    out->push_back({Block::kSubheading, "Beslutet skickas till"});
    for (const auto& r : p.recipients()) {
      out->push_back({Block::kItem, r.target_case() == v1::Recipient::kMunicipality
                                        ? MunicipalityText(in, r.municipality())
                                        : r.named()});
    }
  }
}

std::vector<Block> BuildBlocks(const ProtocolInput& in) {
  std::vector<Block> out;
  std::vector<int> numbers;
  for (const auto& p : in.paragraphs) numbers.push_back(p.number());
  switch (in.kind) {
    case DocumentKind::kProtocol:
      out.push_back({Block::kTitle, "Protokoll"});
      break;
    case DocumentKind::kImmediate:
      out.push_back({Block::kTitle, "Protokoll, omedelbart justerade paragrafer"});
      break;
    case DocumentKind::kExtract:
      out.push_back({Block::kTitle, "Protokollsutdrag"});
      break;
  }
  const v1::Meeting& m = in.meeting;
  out.push_back({Block::kLine, in.body.display_name()});
  out.push_back({Block::kLine, absl::StrCat("Sammanträdesdatum: ", Day(m.date()))});
  if (m.has_start_time()) {
    std::string time = Clock(m.start_time());
    if (m.has_end_time()) absl::StrAppend(&time, "–", Clock(m.end_time()));
    out.push_back({Block::kLine, absl::StrCat("Tid: ", time)});
  }
  if (!m.location().empty()) out.push_back({Block::kLine, absl::StrCat("Plats: ", m.location())});
  out.push_back({Block::kLine, absl::StrCat("Paragrafer: ", FormatParagraphRange(numbers))});
  if (in.kind != DocumentKind::kExtract) AddAttendance(in, numbers, &out);
  for (const auto& p : in.paragraphs) AddParagraph(in, p, &out);
  if (in.kind != DocumentKind::kExtract) {
    out.push_back({Block::kHeading, "Protokollkedja"});
    out.push_back({Block::kLine, in.previous_sha256.empty()
                                     ? std::string("Föregående justerade protokoll: inget")
                                     : absl::StrCat("Föregående justerade protokoll SHA-256: ",
                                                    in.previous_sha256)});
  }
  if (in.kind == DocumentKind::kExtract) {
    out.push_back({Block::kHeading, "Utdragsbestyrkande"});
    out.push_back({Block::kLine, "Utdraget överensstämmer med originalprotokollet."});
    out.push_back(
        {Block::kLine, absl::StrCat(Day(in.certified_date), ", ", PersonText(in.certified_by))});
    out.push_back({Block::kLine, absl::StrCat("Protokollet justerat ", Day(in.adjusted_date), ": ",
                                              in.adjustment_name)});
    out.push_back({Block::kLine, absl::StrCat("Justerat protokoll SHA-256: ", in.protocol_sha256)});
  }
  return out;
}

std::string Indent(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (auto& line : lines) line = line.empty() ? line : absl::StrCat("  ", line);
  return absl::StrJoin(lines, "\n");
}

using platform::HtmlEscape;

std::string RenderText(const std::vector<Block>& blocks) {
  std::string out;
  for (const Block& b : blocks) {
    switch (b.kind) {
      case Block::kTitle:
        absl::StrAppend(&out, b.text, "\n", std::string(b.text.size(), '='), "\n");
        break;
      case Block::kHeading:
        absl::StrAppend(&out, "\n", b.text, "\n");
        break;
      case Block::kSubheading:
        absl::StrAppend(&out, "\n", b.text, "\n");
        break;
      case Block::kLine:
        absl::StrAppend(&out, b.text, "\n");
        break;
      case Block::kText:
        absl::StrAppend(&out, Indent(b.text), "\n");
        break;
      case Block::kItem:
        absl::StrAppend(&out, "  - ", b.text, "\n");
        break;
    }
  }
  return out;
}

std::string RenderHtml(const std::vector<Block>& blocks, const std::string& title) {
  std::string out =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                   HtmlEscape(title), "</title>\n</head>\n<body>\n");
  bool in_list = false;
  for (const Block& b : blocks) {
    if (b.kind != Block::kItem && in_list) {
      out += "</ul>\n";
      in_list = false;
    }
    switch (b.kind) {
      case Block::kTitle:
        absl::StrAppend(&out, "<h1>", HtmlEscape(b.text), "</h1>\n");
        break;
      case Block::kHeading:
        absl::StrAppend(&out, "<h2>", HtmlEscape(b.text), "</h2>\n");
        break;
      case Block::kSubheading:
        absl::StrAppend(&out, "<h3>", HtmlEscape(b.text), "</h3>\n");
        break;
      case Block::kLine:
        absl::StrAppend(&out, "<p>", HtmlEscape(b.text), "</p>\n");
        break;
      case Block::kText: {
        std::vector<std::string> lines = absl::StrSplit(b.text, '\n');
        for (auto& l : lines) l = HtmlEscape(l);
        absl::StrAppend(&out, "<p>", absl::StrJoin(lines, "<br>\n"), "</p>\n");
        break;
      }
      case Block::kItem:
        if (!in_list) out += "<ul>\n";
        in_list = true;
        absl::StrAppend(&out, "<li>", HtmlEscape(b.text), "</li>\n");
        break;
    }
  }
  if (in_list) out += "</ul>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace

absl::CivilDay NoticeDeadline(absl::CivilDay adjusted) {
  return platform::StatutoryDeadline(adjusted + 2);
}

absl::CivilDay AppealDeadline(absl::CivilDay last_posting) {
  return platform::StatutoryDeadline(last_posting + 21);
}

absl::CivilDay LegalForceDate(absl::CivilDay appeal_deadline) { return appeal_deadline + 1; }

std::string FormatParagraphRange(std::vector<int> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::vector<std::string> parts;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(numbers[i]) : absl::StrCat(numbers[i], "–", numbers[j]));
    i = j + 1;
  }
  return absl::StrCat("§ ", absl::StrJoin(parts, ", "));
}

RenderedDocument RenderDocument(const ProtocolInput& input) {
  std::vector<Block> blocks = BuildBlocks(input);
  std::string title = absl::StrCat(blocks.front().text, " ", input.body.display_name(), " ",
                                   Day(input.meeting.date()));
  return RenderedDocument{RenderText(blocks), RenderHtml(blocks, title)};
}

}  // namespace enamnd::meetings
