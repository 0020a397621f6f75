// Secrecy (sekretess) as pure rules: validation of the legal ground, the
// marking, what a reader without the confidential role gets of a paragraph,
// who may change a marking, and the rendered document.
#include "services/meetings/domain/secrecy.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/meetings/domain/content.h"
#include "services/meetings/domain/protocol.h"

namespace enamnd::meetings {
namespace {

using enamnd::common::v1::Secrecy;

constexpr char kSecretText[] = "Bistånd beviljas Anna Svensson, född 1950.";

Secrecy Ground(int chapter, const std::string& section, const std::string& title = "") {
  Secrecy s;
  s.set_chapter(chapter);
  s.set_section(section);
  s.set_public_title(title);
  return s;
}

// A paragraph with text in every field that can carry content.
v1::Paragraph FullParagraph() {
  v1::Paragraph p;
  p.set_name("bodies/e-namnden/meetings/2022-06-22/paragraphs/9");
  p.set_number(9);
  p.set_case_("cases/2022-10");
  p.set_case_number("2022/10-1.1");
  p.set_title("Ansökan om bistånd, Anna Svensson");
  p.mutable_decision()->set_kind(v1::DECISION_KIND_APPROVE);
  p.mutable_decision()->set_text(kSecretText);
  p.set_summary("Anna Svensson har ansökt om bistånd.");
  p.set_description("Utredningen visar behov.");
  p.set_meeting_notes("Ärendet föredrogs av socialsekreteraren.");
  auto* proposal = p.mutable_procedure()->add_proposals();
  proposal->mutable_mover()->set_display_name("Ledamot 2584");
  proposal->set_text("Bifall till ansökan om bistånd.");
  p.mutable_procedure()->set_order_put("Ordföranden finner bifall.");
  p.mutable_procedure()->add_votes()->set_question("Bifall mot avslag för Anna Svensson");
  auto* reservation = p.add_reservations();
  reservation->mutable_person()->set_display_name("Ledamot 2523");
  reservation->set_text("Jag reserverar mig mot biståndet.");
  auto* conflict = p.add_conflicts_of_interest();
  conflict->mutable_person()->set_display_name("Ledamot 2505");
  conflict->set_note("Släkt med Anna Svensson.");
  p.add_documents()->set_title("Läkarintyg Anna Svensson");
  p.add_recipients()->set_municipality("municipalities/2584");
  p.add_recipients()->set_named("Anna Svensson");
  auto* correction = p.add_corrections();
  correction->set_field("decision.text");
  correction->set_corrected_text("Bistånd beviljas Anna Svensson, född 1951.");
  correction->set_reason("Fel födelseår för Anna Svensson.");
  correction->mutable_recorded_by()->set_display_name("Sekreteraren");
  auto* appeal = p.add_appeals();
  appeal->set_appellant("Anna Svensson");
  appeal->set_note("Överklagar beslutet om bistånd.");
  appeal->set_court_reference("FR 123-22");
  p.set_legal_state(v1::Paragraph::LEGAL_STATE_APPEALED);
  p.set_adjustment("bodies/e-namnden/meetings/2022-06-22/adjustments/1");
  p.set_etag("3");
  *p.mutable_secrecy() = Ground(26, "1", "Ärende om bistånd");
  return p;
}

TEST(SecrecyTest, MarkingNamesTheLegalGround) {
  EXPECT_EQ(LegalGround(Ground(21, "7")), "OSL 21 kap. 7 §");
  EXPECT_EQ(SecrecyMarking(Ground(21, "7")), "Sekretess enligt OSL 21 kap. 7 §");
  EXPECT_EQ(SecrecyMarking(Ground(26, "1 a")), "Sekretess enligt OSL 26 kap. 1 a §");
  EXPECT_EQ(PublicTitle(Ground(21, "7")), "Ärende som omfattas av sekretess");
  EXPECT_EQ(PublicTitle(Ground(21, "7", "Personalärende")), "Personalärende");
}

TEST(SecrecyTest, ValidatesChapterAndSection) {
  struct Case {
    Secrecy secrecy;
    std::string bad_field;  // empty: valid
  };
  const std::vector<Case> cases = {
      {Ground(21, "7"), ""},
      {Ground(1, "1"), ""},
      {Ground(44, "999"), ""},
      {Ground(26, "7 a"), ""},
      {Ground(0, "7"), "paragraph.secrecy.chapter"},
      {Ground(45, "7"), "paragraph.secrecy.chapter"},
      {Ground(-3, "7"), "paragraph.secrecy.chapter"},
      {Ground(21, ""), "paragraph.secrecy.section"},
      {Ground(21, "0"), "paragraph.secrecy.section"},
      {Ground(21, "07"), "paragraph.secrecy.section"},
      {Ground(21, "1000"), "paragraph.secrecy.section"},
      {Ground(21, "7a"), "paragraph.secrecy.section"},
      {Ground(21, "7 A"), "paragraph.secrecy.section"},
      {Ground(21, "7 ab"), "paragraph.secrecy.section"},
      {Ground(21, "7 §"), "paragraph.secrecy.section"},
      {Ground(21, " 7"), "paragraph.secrecy.section"},
      {Ground(21, "kap. 7"), "paragraph.secrecy.section"},
      {Ground(21, "7", std::string(501, 'x')), "paragraph.secrecy.public_title"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.secrecy.ShortDebugString());
    absl::Status status = ValidateSecrecy(c.secrecy, "paragraph.secrecy");
    if (c.bad_field.empty()) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(absl::StrContains(status.message(), c.bad_field)) << status;
    }
  }
}

TEST(SecrecyTest, ParagraphContentValidatesTheMarking) {
  v1::Paragraph p = FullParagraph();
  p.clear_corrections();
  p.clear_appeals();
  EXPECT_TRUE(ValidateParagraphContent(p).ok()) << ValidateParagraphContent(p);
  p.mutable_secrecy()->set_chapter(0);
  EXPECT_TRUE(absl::StrContains(ValidateParagraphContent(p).message(), "secrecy.chapter"));
  // A marking sent empty is not "no marking".
  p.mutable_secrecy()->Clear();
  EXPECT_EQ(ValidateParagraphContent(p).code(), absl::StatusCode::kInvalidArgument);
  p.clear_secrecy();
  EXPECT_TRUE(ValidateParagraphContent(p).ok());
}

// Each row: a field of the redacted paragraph and what it must be.
TEST(SecrecyTest, RedactionHidesContentAndKeepsRegistryFacts) {
  const v1::Paragraph full = FullParagraph();
  const v1::Paragraph r = Redacted(full);
  struct Row {
    std::string field;
    std::function<bool(const v1::Paragraph&)> holds;
  };
  const std::vector<Row> rows = {
      {"redacted", [](const auto& p) { return p.redacted(); }},
      {"title is the public title", [](const auto& p) { return p.title() == "Ärende om bistånd"; }},
      {"decision.text is the marking",
       [](const auto& p) { return p.decision().text() == "Sekretess enligt OSL 26 kap. 1 §"; }},
      {"decision.kind kept",
       [](const auto& p) { return p.decision().kind() == v1::DECISION_KIND_APPROVE; }},
      {"summary cleared", [](const auto& p) { return p.summary().empty(); }},
      {"description cleared", [](const auto& p) { return p.description().empty(); }},
      {"meeting_notes cleared", [](const auto& p) { return p.meeting_notes().empty(); }},
      {"procedure cleared", [](const auto& p) { return !p.has_procedure(); }},
      {"documents cleared", [](const auto& p) { return p.documents_size() == 0; }},
      {"reservation person kept, text cleared",
       [](const auto& p) {
         return p.reservations_size() == 1 &&
                p.reservations(0).person().display_name() == "Ledamot 2523" &&
                p.reservations(0).text().empty();
       }},
      {"conflict person kept, note cleared",
       [](const auto& p) {
         return p.conflicts_of_interest_size() == 1 &&
                p.conflicts_of_interest(0).person().display_name() == "Ledamot 2505" &&
                p.conflicts_of_interest(0).note().empty();
       }},
      {"municipality recipients kept, named ones dropped",
       [](const auto& p) {
         return p.recipients_size() == 1 && p.recipients(0).municipality() == "municipalities/2584";
       }},
      {"correction field kept, text is the marking, reason cleared",
       [](const auto& p) {
         return p.corrections_size() == 1 && p.corrections(0).field() == "decision.text" &&
                p.corrections(0).corrected_text() == "Sekretess enligt OSL 26 kap. 1 §" &&
                p.corrections(0).reason().empty();
       }},
      {"appeal court reference kept, appellant and note cleared",
       [](const auto& p) {
         return p.appeals_size() == 1 && p.appeals(0).court_reference() == "FR 123-22" &&
                p.appeals(0).appellant().empty() && p.appeals(0).note().empty();
       }},
      {"name, number, case, case_number kept",
       [&](const auto& p) {
         return p.name() == full.name() && p.number() == 9 && p.case_() == full.case_() &&
                p.case_number() == full.case_number();
       }},
      {"legal state, adjustment, etag and the marking kept",
       [&](const auto& p) {
         return p.legal_state() == full.legal_state() && p.adjustment() == full.adjustment() &&
                p.etag() == full.etag() &&
                p.secrecy().SerializeAsString() == full.secrecy().SerializeAsString();
       }},
  };
  for (const Row& row : rows) EXPECT_TRUE(row.holds(r)) << row.field;
  // Whatever else changes later, no secret word survives anywhere.
  std::string all = r.DebugString();
  for (const char* secret : {"Anna", "Svensson", "1950", "1951", "Läkarintyg", "Bistånd beviljas",
                             "föredrogs", "Utredningen", "reserverar", "Släkt"}) {
    EXPECT_FALSE(absl::StrContains(all, secret)) << secret << " in " << all;
  }
}

TEST(SecrecyTest, ParagraphsWithoutMarkingAreUnchanged) {
  v1::Paragraph p = FullParagraph();
  p.clear_secrecy();
  EXPECT_EQ(Redacted(p).SerializeAsString(), p.SerializeAsString());
  v1::Paragraph copy = p;
  RedactFor(false, &copy);
  EXPECT_EQ(copy.SerializeAsString(), p.SerializeAsString());
}

TEST(SecrecyTest, RedactForDependsOnTheConfidentialRole) {
  v1::Paragraph entitled = FullParagraph();
  RedactFor(true, &entitled);
  EXPECT_EQ(entitled.decision().text(), kSecretText);
  EXPECT_FALSE(entitled.redacted());
  v1::Paragraph other = FullParagraph();
  RedactFor(false, &other);
  EXPECT_TRUE(other.redacted());
  EXPECT_EQ(other.decision().text(), "Sekretess enligt OSL 26 kap. 1 §");
  // Idempotent.
  v1::Paragraph twice = Redacted(Redacted(FullParagraph()));
  EXPECT_EQ(twice.SerializeAsString(), Redacted(FullParagraph()).SerializeAsString());
}

TEST(SecrecyTest, OnlyTheConfidentialRoleChangesAMarking) {
  v1::Paragraph secret = FullParagraph();
  v1::Paragraph open = secret;
  open.clear_secrecy();
  v1::Paragraph other_ground = secret;
  other_ground.mutable_secrecy()->set_section("2");
  v1::Paragraph edited = secret;
  edited.set_summary("Ny sammanfattning.");
  struct Case {
    const v1::Paragraph* before;
    const v1::Paragraph* after;
    bool confidential;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {&secret, &open, false, false},          // lifting secrecy
      {&secret, &other_ground, false, false},  // another ground (or public title)
      {&secret, &open, true, true},
      {&secret, &other_ground, true, true},
      {&secret, &edited, false, true},  // writing content, not the marking
      {&open, &secret, false, true},    // anyone who may write may mark
      {&open, &open, false, true},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    absl::Status s = CheckSecrecyChange(*cases[i].before, *cases[i].after, cases[i].confidential);
    EXPECT_EQ(s.ok(), cases[i].allowed) << i << ": " << s;
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_TRUE(absl::StrContains(s.message(), "confidential")) << s;
    }
  }
}

ProtocolInput Input(const std::vector<v1::Paragraph>& paragraphs) {
  ProtocolInput in;
  in.body.set_display_name("Norrbottens e-nämnd");
  in.meeting.mutable_date()->set_year(2022);
  in.meeting.mutable_date()->set_month(6);
  in.meeting.mutable_date()->set_day(22);
  in.paragraphs = paragraphs;
  return in;
}

TEST(SecrecyTest, DocumentsCarryTheMarkingAndTheRedactedOneNoSecret) {
  v1::Paragraph secret = FullParagraph();
  secret.clear_corrections();
  secret.clear_appeals();
  v1::Paragraph open;
  open.set_number(10);
  open.set_case_number("2022/11-1.1");
  open.set_title("Öppet ärende");
  open.mutable_decision()->set_kind(v1::DECISION_KIND_APPROVE);
  open.mutable_decision()->set_text("Nämnden godkänner budgeten.");

  RenderedDocument full = RenderDocument(Input({secret, open}));
  // The adjusted text records the marking and keeps the secret text.
  EXPECT_TRUE(absl::StrContains(full.text, "Sekretess enligt OSL 26 kap. 1 §"));
  EXPECT_TRUE(absl::StrContains(full.text, kSecretText));

  RenderedDocument redacted = RenderDocument(Input({Redacted(secret), Redacted(open)}));
  for (const std::string* doc : {&redacted.text, &redacted.html}) {
    EXPECT_TRUE(absl::StrContains(*doc, "§ 9 Ärende om bistånd"));
    EXPECT_TRUE(absl::StrContains(*doc, "Sekretess enligt OSL 26 kap. 1 §"));
    EXPECT_TRUE(absl::StrContains(*doc, "Nämnden godkänner budgeten."));  // others stay
    EXPECT_FALSE(absl::StrContains(*doc, "Anna")) << *doc;
    EXPECT_FALSE(absl::StrContains(*doc, "Svensson")) << *doc;
    EXPECT_FALSE(absl::StrContains(*doc, "Läkarintyg")) << *doc;
  }
  // The marking stands once, in place of the decision.
  size_t first = redacted.text.find("Sekretess enligt");
  EXPECT_EQ(redacted.text.find("Sekretess enligt", first + 1), std::string::npos);
  // A paragraph without marking renders as before (hashes of old protocols hold).
  EXPECT_FALSE(absl::StrContains(RenderDocument(Input({open})).text, "Sekretess"));
}

}  // namespace
}  // namespace enamnd::meetings
