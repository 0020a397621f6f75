// The document the PDF tests render, shared by pdf_test.cc and the
// pdf_render_sample program (a render in a process of its own): a protocol
// with `sections` paragraphs, Swedish text, lists, a table and long text.
#ifndef ENAMND_TESTS_PLATFORM_PDF_SAMPLE_H_
#define ENAMND_TESTS_PLATFORM_PDF_SAMPLE_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/platform/pdf.h"

namespace enamnd::testing {

// `words` words of running text, different for each `seed`.
inline std::string SampleProse(int seed, int words) {
  static constexpr const char* kWords[] = {
      "nämnden", "beslutar", "att",     "godkänna",   "förslaget", "överförmyndare",
      "år",      "–",        "ärendet", "”remissen”", "éntre",     "Åtgärdsplan",
      "samt",    "enligt",   "bilaga",  "och",        "kommunens", "e-tjänster"};
  std::string text;
  for (int i = 0; i < words; ++i) {
    absl::StrAppend(&text, i == 0 ? "" : " ", kWords[(seed * 7 + i * 5) % 18]);
  }
  return text;
}

inline platform::PdfDocument SampleProtocol(int sections) {
  using platform::Block;
  platform::PdfDocument document;
  document.frame.header_left = {"LULEÅ KOMMUN", "Norrbottens e-nämnd"};
  document.frame.header_right = {"SAMMANTRÄDESPROTOKOLL", "Sammanträdesdatum 2022-06-22"};
  document.frame.footer_boxes = {"Justerandes signatur", "Utdragsbestyrkande"};
  document.frame.footer_left = "Protokoll Norrbottens e-nämnd 2022-06-22";
  document.frame.footer_note = "(Signerat, SHA-256 A43C 91F0 77AB)";
  document.info.title = "Protokoll Norrbottens e-nämnd 2022-06-22";
  document.info.author = "Norrbottens e-nämnd";
  document.info.subject = "Sammanträdesprotokoll";
  document.info.created = absl::CivilSecond(2022, 6, 22, 15, 30, 5);

  auto add = [&](Block::Kind kind, std::string text) {
    document.blocks.push_back(Block{kind, std::move(text)});
  };
  add(Block::kTitle, "Protokoll – Norrbottens e-nämnd");
  add(Block::kLine, "Plats och tid: Kommunhuset i Luleå, 2022-06-22 kl. 13.00–15.30");
  add(Block::kHeaderRow, "Ledamot\tRoll\tNärvaro");
  add(Block::kRow, "Åsa Öberg (S), Luleå\tOrdförande\tNärvarande");
  add(Block::kRow, "Émile Ärlig (M), Piteå\tVice ordförande\tFrånvarande");
  for (int s = 1; s <= sections; ++s) {
    add(Block::kHeading,
        absl::StrCat("§ ", s, " Ärende ", s, " – ”Överförmyndarnämndens” åtgärder"));
    add(Block::kLine, absl::StrCat("Ärendenr 2022/", s, "-2.2.0.1"));
    add(Block::kSubheading, "Beslut");
    add(Block::kText, absl::StrCat(SampleProse(s, 40 + s % 5 * 15), "\n", SampleProse(s + 1, 12)));
    add(Block::kItem, absl::StrCat("Punkt ", s, ".1: ", SampleProse(s + 2, 25)));
    add(Block::kItem, absl::StrCat("Punkt ", s, ".2: kort"));
    add(Block::kSubheading, "Beskrivning av ärendet");
    add(Block::kText, SampleProse(s + 3, 60 + s % 3 * 40));
    if (s % 4 == 0) {
      add(Block::kHeaderRow, "Post\tBudget\tUtfall");
      add(Block::kRow, absl::StrCat("Rad ", s, "-a ", SampleProse(s, 14), "\t120 000\t98 500"));
      add(Block::kRow, absl::StrCat("Rad ", s, "-b\t1 200\t", SampleProse(s, 9)));
    }
  }
  return document;
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_PLATFORM_PDF_SAMPLE_H_
