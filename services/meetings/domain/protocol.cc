#include "services/meetings/domain/protocol.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/meetings/domain/secrecy.h"
#include "services/platform/calendar.h"

namespace enamnd::meetings {
namespace {

using platform::Block;

std::string Day(const enamnd::common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Clock(const enamnd::common::v1::TimeOfDay& t) {
  return absl::StrFormat("%02d:%02d", t.hours(), t.minutes());
}

absl::CivilDay CivilDayOf(const v1::Meeting& m) {
  return absl::CivilDay(m.date().year(), m.date().month(), m.date().day());
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

std::vector<int> Numbers(const google::protobuf::RepeatedField<int32_t>& numbers) {
  return std::vector<int>(numbers.begin(), numbers.end());
}

// Beslutande (members present, serving substitutes and for whom), the
// substitutes present without serving, the absent and others present.
void AddAttendance(const ProtocolInput& in, const std::vector<int>& numbers,
                   std::vector<Block>* out) {
  const v1::Attendance& a = in.meeting.attendance();
  std::map<std::string, const v1::SeatAttendance*> by_seat;
  for (const auto& s : a.seats()) by_seat[s.municipality()] = &s;
  std::vector<Block> members, substitutes, idle_substitutes, absent;
  for (const v1::Seat& seat : in.body.seats()) {
    std::string where = MunicipalityText(in, seat.municipality());
    auto it = by_seat.find(seat.municipality());
    const v1::SeatAttendance* s = it == by_seat.end() ? nullptr : it->second;
    bool member = s != nullptr && s->member_present();
    bool served = s != nullptr && s->substitute_served();
    if (member) {
      std::string line = absl::StrCat(PersonText(seat.member()), ", ", where);
      if (served) {
        absl::StrAppend(&line, ", ej tjänstgörande ",
                        FormatParagraphRange(Numbers(s->substitute_paragraphs())));
      }
      members.push_back({Block::kItem, line});
    }
    if (served) {
      std::vector<int> p = Numbers(s->substitute_paragraphs());
      substitutes.push_back(
          {Block::kItem,
           absl::StrCat(PersonText(seat.substitute()), ", ", where, ", för ",
                        seat.member().display_name(), ", ",
                        p.empty() ? FormatParagraphRange(numbers) : FormatParagraphRange(p))});
    } else if (s != nullptr && s->substitute_present() &&
               !seat.substitute().display_name().empty()) {
      idle_substitutes.push_back(
          {Block::kItem, absl::StrCat(PersonText(seat.substitute()), ", ", where)});
    }
    if (!member && !served) {
      absent.push_back({Block::kItem, absl::StrCat(PersonText(seat.member()), ", ", where)});
    }
  }
  for (const v1::Person& p : a.other_substitutes()) {
    idle_substitutes.push_back({Block::kItem, PersonText(p)});
  }
  out->push_back({Block::kHeading, "Beslutande ledamöter"});
  out->insert(out->end(), members.begin(), members.end());
  if (!substitutes.empty()) {
    out->push_back({Block::kHeading, "Tjänstgörande ersättare"});
    out->insert(out->end(), substitutes.begin(), substitutes.end());
  }
  if (!idle_substitutes.empty()) {
    out->push_back({Block::kHeading, "Ersättare, ej tjänstgörande"});
    out->insert(out->end(), idle_substitutes.begin(), idle_substitutes.end());
  }
  if (!absent.empty()) {
    out->push_back({Block::kHeading, "Frånvarande ledamöter"});
    out->insert(out->end(), absent.begin(), absent.end());
  }
  if (a.others_present_size() > 0) {
    out->push_back({Block::kHeading, "Övriga närvarande"});
    for (const auto& p : a.others_present()) out->push_back({Block::kItem, PersonText(p)});
  }
}

// Who adjusts, where and when; then the signature block with the paragraphs
// it covers.
void AddJustering(const ProtocolInput& in, const std::vector<int>& numbers,
                  std::vector<Block>* out) {
  const v1::Attendance& a = in.meeting.attendance();
  v1::Person chair = in.chair.display_name().empty() ? a.chair() : in.chair;
  std::vector<v1::Person> adjusters = in.adjusters;
  if (adjusters.empty()) adjusters.assign(a.adjusters().begin(), a.adjusters().end());
  std::vector<std::string> names;
  for (const auto& p : adjusters) names.push_back(PersonText(p));
  // Who the meeting appointed (the attendance), who may differ from who
  // signs (a replacement).
  std::vector<std::string> appointed;
  for (const auto& p : a.adjusters()) appointed.push_back(PersonText(p));
  out->push_back({Block::kHeading, "Justering"});
  out->push_back(
      {Block::kLine, absl::StrCat("Utses att justera: ",
                                  absl::StrJoin(appointed.empty() ? names : appointed, ", "))});
  std::vector<std::string> place_and_time;
  if (!in.adjustment_place.empty()) place_and_time.push_back(in.adjustment_place);
  if (in.has_adjusted_date) place_and_time.push_back(Day(in.adjusted_date));
  out->push_back(
      {Block::kLine, absl::StrCat("Justeringens plats och tid: ",
                                  place_and_time.empty() ? std::string("ej bestämd")
                                                         : absl::StrJoin(place_and_time, ", "))});
  if (in.late) {
    out->push_back({Block::kLine, absl::StrCat("Justerat senare än ", kJusteringWithinDays,
                                               " dagar efter sammanträdet (",
                                               in.adjusted_date - CivilDayOf(in.meeting),
                                               " dagar). Skäl: ", in.late_reason)});
  }
  out->push_back({Block::kHeading, "Underskrifter"});
  out->push_back({Block::kLine, absl::StrCat("Paragrafer: ", FormatParagraphRange(numbers))});
  out->push_back({Block::kLine, absl::StrCat("Sekreterare: ", PersonText(a.secretary()))});
  out->push_back({Block::kLine, absl::StrCat("Ordförande: ", PersonText(chair))});
  out->push_back({Block::kLine, absl::StrCat("Justerare: ", absl::StrJoin(names, ", "))});
}

void AddParagraph(const ProtocolInput& in, const v1::Paragraph& p, std::vector<Block>* out) {
  out->push_back({Block::kHeading, absl::StrCat("§ ", p.number(), " ", p.title())});
  out->push_back({Block::kLine, absl::StrCat("Ärendenr ", p.case_number())});
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
  if (in.kind != DocumentKind::kExtract) {
    out.push_back({Block::kLine, absl::StrCat("Sammanträde: ", m.kind() == v1::Meeting::KIND_EXTRA
                                                                   ? "extra sammanträde"
                                                                   : "ordinarie sammanträde")});
  }
  if (m.has_start_time()) {
    std::string time = Clock(m.start_time());
    if (m.has_end_time()) absl::StrAppend(&time, "–", Clock(m.end_time()));
    out.push_back({Block::kLine, absl::StrCat("Tid: ", time)});
  }
  if (!m.location().empty()) out.push_back({Block::kLine, absl::StrCat("Plats: ", m.location())});
  out.push_back({Block::kLine, absl::StrCat("Paragrafer: ", FormatParagraphRange(numbers))});
  if (in.kind != DocumentKind::kExtract) {
    AddAttendance(in, numbers, &out);
    AddJustering(in, numbers, &out);
  }
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

bool IsLateJustering(absl::CivilDay meeting, absl::CivilDay adjusted) {
  // A deadline on a Sunday or holiday moves to the next weekday, as for the
  // notice and the appeal.
  return adjusted > platform::StatutoryDeadline(meeting + kJusteringWithinDays);
}

absl::Status CheckJusteringReason(absl::CivilDay meeting, absl::CivilDay adjusted,
                                  absl::string_view late_reason) {
  if (IsLateJustering(meeting, adjusted) && late_reason.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("late_reason: required: the justering on ", Day(adjusted), " is ",
                     adjusted - meeting, " days after the meeting, later than the ",
                     kJusteringWithinDays, " days of kommunallagen; say why"));
  }
  if (!IsLateJustering(meeting, adjusted) && !late_reason.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "late_reason: only for a justering later than ", kJusteringWithinDays,
        " days after the meeting; ", Day(adjusted), " is ", adjusted - meeting, " days after"));
  }
  return absl::OkStatus();
}

std::string JusteringPlace(absl::string_view given, const v1::Meeting& meeting) {
  if (!given.empty()) return std::string(given);
  if (!meeting.attendance().adjustment_place().empty()) {
    return meeting.attendance().adjustment_place();
  }
  return meeting.location();
}

RenderedDocument RenderDocument(const ProtocolInput& input) {
  RenderedDocument doc;
  doc.blocks = BuildBlocks(input);  // never empty: the title comes first
  doc.text = platform::RenderBlocksAsText(doc.blocks);
  doc.html = platform::RenderBlocksAsHtml(
      doc.blocks, absl::StrCat(doc.blocks.front().text, " ", input.body.display_name(), " ",
                               Day(input.meeting.date())));
  return doc;
}

// ------------------------------------------------------------ PDF

namespace {

// Uppercase for the page header: ASCII and the Swedish letters.
std::string UpperSwedish(absl::string_view text) {
  std::string out = absl::AsciiStrToUpper(text);
  for (auto [lower, upper] : {std::pair{"å", "Å"}, {"ä", "Ä"}, {"ö", "Ö"}, {"é", "É"}}) {
    out = absl::StrReplaceAll(out, {{lower, upper}});
  }
  return out;
}

std::string NameOf(const PdfContext& c, const std::string& municipality) {
  auto it = c.municipality_names.find(municipality);
  return it == c.municipality_names.end() ? municipality : it->second;
}

std::string DocumentWord(DocumentKind kind) {
  return kind == DocumentKind::kExtract ? "Protokollsutdrag" : "Protokoll";
}

}  // namespace

PdfContext PdfContextOf(const ProtocolInput& in) {
  PdfContext c;
  c.kind = in.kind;
  c.body = in.body;
  c.meeting = in.meeting;
  c.municipality_names = in.municipality_names;
  return c;
}

std::vector<Block> NoticeBlocks(const PdfContext& c) {
  // On a page of its own, as the municipalities post it.
  std::vector<Block> out = {{Block::kPageBreak, ""}};
  out.push_back({Block::kHeading, "Anslag/bevis"});
  const Block archive{Block::kLine,
                      absl::StrCat("Förvaringsplats för protokollet: ",
                                   c.body.protocol_archive().empty() ? std::string("ej angiven")
                                                                     : c.body.protocol_archive())};
  if (!c.adjustment.has_value()) {
    out.push_back({Block::kLine, "Protokollet är inte justerat; anslag sker efter justering."});
    out.push_back(archive);
  } else {
    const v1::Adjustment& a = *c.adjustment;
    out.push_back({Block::kLine,
                   "Protokollet är justerat. Justeringen tillkännages genom anslag "
                   "på varje medlemskommuns anslagstavla."});
    out.push_back({Block::kLine, absl::StrCat("Organ: ", c.body.display_name())});
    out.push_back({Block::kLine, absl::StrCat("Sammanträdesdatum: ", Day(c.meeting.date()))});
    out.push_back(
        {Block::kLine, absl::StrCat("Justerat: ", Day(a.adjusted_date()), ", ",
                                    FormatParagraphRange(Numbers(a.paragraph_numbers())))});
    out.push_back({Block::kLine, absl::StrCat("Anslag senast: ", Day(a.notice_deadline()))});
    out.push_back(archive);
    const bool running = a.has_appeal_deadline();
    out.push_back({Block::kLine,
                   running ? absl::StrCat("Sista dag för överklagande: ", Day(a.appeal_deadline()))
                           : std::string("Sista dag för överklagande: tre veckor från den dag "
                                         "anslaget satts upp hos den sista medlemskommunen")});
    std::map<std::string, const v1::NoticePosting*> posted;
    for (const auto& n : a.notices()) posted[n.municipality()] = &n;
    out.push_back({Block::kHeaderRow,
                   "Kommun\tAnslaget uppsatt\tAnslaget tas ned\tSista dag för överklagande"});
    for (const std::string& m : a.required_municipalities()) {
      auto it = posted.find(m);
      if (it == posted.end()) {
        out.push_back({Block::kRow, absl::StrCat(NameOf(c, m), "\tinte registrerat\t–\t–")});
        continue;
      }
      const v1::NoticePosting& n = *it->second;
      std::string up = Day(n.posted_date());
      if (n.late()) absl::StrAppend(&up, " (sent)");
      // The notice stays up through the appeal period, which runs from the
      // last member's posting.
      out.push_back({Block::kRow, absl::StrCat(NameOf(c, m), "\t", up, "\t",
                                               running ? Day(a.legal_force_date()) : "–", "\t",
                                               running ? Day(a.appeal_deadline()) : "–")});
    }
  }
  return out;
}

std::string PdfFileName(const PdfContext& c, absl::string_view paragraph_suffix) {
  absl::string_view body = c.body.name();
  absl::ConsumePrefix(&body, "bodies/");
  return absl::StrCat(c.kind == DocumentKind::kExtract ? "protokollsutdrag-" : "protokoll-", body,
                      "-", Day(c.meeting.date()), paragraph_suffix, ".pdf");
}

platform::PdfDocument ProtocolPdf(std::vector<Block> blocks, const PdfContext& c) {
  platform::PdfDocument pdf;
  pdf.blocks = std::move(blocks);
  if (c.kind != DocumentKind::kExtract) {
    std::vector<Block> notice = NoticeBlocks(c);
    pdf.blocks.insert(pdf.blocks.end(), notice.begin(), notice.end());
  }
  const std::string body_and_day = absl::StrCat(c.body.display_name(), " ", Day(c.meeting.date()));
  std::string keeper = c.body.keeping_municipality().empty()
                           ? c.body.display_name()
                           : NameOf(c, c.body.keeping_municipality());
  platform::PageFrame& f = pdf.frame;
  f.header_left = {UpperSwedish(keeper)};
  f.header_right = {c.kind == DocumentKind::kExtract ? "PROTOKOLLSUTDRAG" : "SAMMANTRÄDESPROTOKOLL",
                    body_and_day};
  f.footer_boxes = {"Justerandes signatur", "Utdragsbestyrkande"};
  f.footer_left = absl::StrCat(DocumentWord(c.kind), " ", body_and_day);
  absl::CivilDay created = CivilDayOf(c.meeting);
  if (c.kind == DocumentKind::kExtract) {
    f.footer_note = absl::StrCat("(Utdrag, SHA-256 ", c.extract_sha256, "; ur protokoll justerat ",
                                 c.adjustment ? Day(c.adjustment->adjusted_date()) : "",
                                 ", SHA-256 ", c.adjustment ? c.adjustment->sha256() : "", ")");
    created = c.certified_date;
  } else if (c.adjustment.has_value()) {
    f.footer_note = absl::StrCat("(Justerat ", Day(c.adjustment->adjusted_date()), ", SHA-256 ",
                                 c.adjustment->sha256(), ")");
    const auto& d = c.adjustment->adjusted_date();
    created = absl::CivilDay(d.year(), d.month(), d.day());
  } else {
    f.footer_note = "Utkast: inte justerat";
  }
  pdf.info.title = absl::StrCat(DocumentWord(c.kind), " ", body_and_day);
  pdf.info.author = keeper;
  pdf.info.subject =
      c.kind == DocumentKind::kExtract ? "Protokollsutdrag" : "Sammanträdesprotokoll";
  pdf.info.created = absl::CivilSecond(created);
  return pdf;
}

}  // namespace enamnd::meetings
