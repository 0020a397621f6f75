// RenderPdf (services/platform/pdf.h), read back with poppler-utils:
// pdftotext for the text, pdfinfo for the page count and the metadata,
// pdffonts for the fonts.
#include "services/platform/pdf.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/platform/pdf_sample.h"
#include "tests/support/process.h"

namespace enamnd::platform {
namespace {

using ::enamnd::testing::SampleProse;
using ::enamnd::testing::SampleProtocol;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// What a shell command printed; the test fails if it exits non-zero. The
// commands here are poppler-utils on paths in a TempDir (no quoting needed).
std::string RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return "";
  }
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

// pdftotext ends a wrapped line where the renderer broke it (the test cannot
// know where), and turns table cells and the layout's gaps into runs of
// spaces or line ends. The letters and their order are what must survive,
// so text is compared with all whitespace removed.
std::string WithoutSpace(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// Whitespace runs as one space: for text the renderer keeps on one line.
std::string OneSpaced(absl::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = absl::ascii_isspace(static_cast<unsigned char>(c));
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

int Occurrences(absl::string_view text, absl::string_view part) {
  int count = 0;
  for (size_t at = text.find(part); at != absl::string_view::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string Render(const PdfDocument& document) {
  absl::StatusOr<std::string> pdf = RenderPdf(document);
  if (!pdf.ok()) {
    ADD_FAILURE() << pdf.status();
    return "";
  }
  return *std::move(pdf);
}

class PdfTest : public ::testing::Test {
 protected:
  // The PDF as a file in the test's folder, for the poppler tools.
  std::string Save(const std::string& pdf, absl::string_view name = "out.pdf") {
    std::string path = absl::StrCat(dir_.path(), "/", name);
    std::ofstream(path, std::ios::binary) << pdf;
    return path;
  }

  static std::string Text(const std::string& path, absl::string_view options = "") {
    return RunCommand(absl::StrCat("/usr/bin/pdftotext -enc UTF-8 ", options, " ", path, " -"));
  }

  // pdftotext's text page by page (it ends every page with a form feed).
  static std::vector<std::string> PageTexts(const std::string& path,
                                            absl::string_view options = "") {
    std::vector<std::string> pages = absl::StrSplit(Text(path, options), '\f');
    if (!pages.empty() && pages.back().empty()) pages.pop_back();
    return pages;
  }

  // pdfinfo's "Key: value" lines.
  static std::map<std::string, std::string> Info(const std::string& path) {
    std::map<std::string, std::string> info;
    for (absl::string_view line :
         absl::StrSplit(RunCommand("/usr/bin/pdfinfo -isodates " + path), '\n')) {
      std::pair<absl::string_view, absl::string_view> field =
          absl::StrSplit(line, absl::MaxSplits(':', 1));
      info[std::string(field.first)] = std::string(absl::StripAsciiWhitespace(field.second));
    }
    return info;
  }

  static int PageCount(const std::string& path) {
    int pages = 0;
    EXPECT_TRUE(absl::SimpleAtoi(Info(path)["Pages"], &pages));
    return pages;
  }

  // The page (from 1) whose text has `text` (whitespace ignored); 0 if none.
  static int PageWith(const std::vector<std::string>& pages, absl::string_view text) {
    for (size_t i = 0; i < pages.size(); ++i) {
      if (absl::StrContains(WithoutSpace(pages[i]), WithoutSpace(text))) return i + 1;
    }
    return 0;
  }

  // The body's text without whitespace, in the order it was drawn (which
  // is the reading order: a table row cell by cell), pages joined.
  // pdftotext -raw gives that order, and does not join a word broken after
  // a hyphen as plain mode does ("e-" + "tjänster" -> "etjänster"). Each
  // page starts with the frame (drawn first), which must be the one page of
  // a document without blocks but for the page number.
  std::string BodyText(const std::string& path, const PageFrame& frame) {
    PdfDocument frame_only;
    frame_only.frame = frame;
    const std::string frame_text =
        WithoutSpace(Text(Save(Render(frame_only), "frame.pdf"), "-raw"));
    const std::vector<std::string> pages = PageTexts(path, "-raw");
    std::string body;
    for (size_t i = 0; i < pages.size(); ++i) {
      const std::string page_frame = absl::StrReplaceAll(
          frame_text, {{"Sida1av1", absl::StrCat("Sida", i + 1, "av", pages.size())}});
      const std::string page = WithoutSpace(pages[i]);
      if (absl::StartsWith(page, page_frame)) {
        absl::StrAppend(&body, absl::string_view(page).substr(page_frame.size()));
      } else {
        ADD_FAILURE() << "page " << i + 1 << " does not start with the frame";
        absl::StrAppend(&body, page);
      }
    }
    return body;
  }

  enamnd::testing::TempDir dir_;
};

TEST_F(PdfTest, EveryBlocksTextIsInTheExtractedText) {
  const PdfDocument document = SampleProtocol(12);
  const std::string path = Save(Render(document));
  const std::string body = BodyText(path, document.frame);
  const std::string layout = OneSpaced(Text(path, "-layout"));
  int checked = 0;
  for (const Block& block : document.blocks) {
    EXPECT_TRUE(absl::StrContains(body, WithoutSpace(block.text))) << block.text;
    // Lines and headings are short enough for one line: there the spaces
    // must come out as spaces too.
    if (block.kind == Block::kLine || block.kind == Block::kHeading) {
      EXPECT_TRUE(absl::StrContains(layout, block.text)) << block.text;
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST_F(PdfTest, PagesAreNumberedSidaXAvY) {
  const std::string path = Save(Render(SampleProtocol(12)));
  const int pages = PageCount(path);
  ASSERT_GE(pages, 3);
  const std::string text = Text(path);
  EXPECT_EQ(Occurrences(text, "Sida "), pages);
  for (int page = 1; page <= pages; ++page) {
    const std::string number = absl::StrCat("Sida ", page, " av ", pages);
    EXPECT_EQ(Occurrences(text, number), 1) << number;
    EXPECT_THAT(Text(path, absl::StrCat("-f ", page, " -l ", page)), HasSubstr(number));
  }
}

TEST_F(PdfTest, HeaderAndFooterAreOnEveryPage) {
  const PdfDocument document = SampleProtocol(8);
  const std::string path = Save(Render(document));
  const int pages = PageCount(path);
  ASSERT_GE(pages, 3);
  const PageFrame& frame = document.frame;
  std::vector<std::string> expected = frame.header_left;
  expected.insert(expected.end(), frame.header_right.begin(), frame.header_right.end());
  expected.insert(expected.end(), frame.footer_boxes.begin(), frame.footer_boxes.end());
  expected.push_back(frame.footer_left);
  expected.push_back(frame.footer_note);
  for (int page = 1; page <= pages; ++page) {
    const std::string text = Text(path, absl::StrCat("-f ", page, " -l ", page));
    for (const std::string& line : expected) {
      EXPECT_TRUE(absl::StrContains(text, line)) << "page " << page << ": " << line;
    }
  }
}

TEST_F(PdfTest, SwedishLettersDashesAndQuotesSurvive) {
  PdfDocument document;
  document.frame.header_left = {"LULEÅ KOMMUN"};
  document.frame.header_right = {"SAMMANTRÄDESPROTOKOLL"};
  document.blocks = {
      {Block::kHeading, "§ 8 Åtgärder för överförmyndarnämnden"},
      {Block::kLine, "Émile Ärlig föreslår – med stöd av Åsa Öberg – ”bifall”."},
      {Block::kText, "Östersund, Älvsbyn och Åre: ”kafé” – ’citat’ … SLUTÅR"},
  };
  const std::string text = Text(Save(Render(document)));
  for (const char* expected :
       {"LULEÅ KOMMUN", "SAMMANTRÄDESPROTOKOLL", "§ 8 Åtgärder för överförmyndarnämnden",
        "Émile Ärlig föreslår – med stöd av Åsa Öberg – ”bifall”.",
        "Östersund, Älvsbyn och Åre: ”kafé” – ’citat’ … SLUTÅR"}) {
    EXPECT_TRUE(absl::StrContains(text, expected)) << expected << "\nin:\n" << text;
  }
}

TEST_F(PdfTest, MetadataComesFromTheDocumentInfo) {
  const PdfDocument document = SampleProtocol(1);
  std::map<std::string, std::string> info = Info(Save(Render(document)));
  EXPECT_EQ(info["Title"], document.info.title);
  EXPECT_EQ(info["Author"], document.info.author);
  EXPECT_EQ(info["Subject"], document.info.subject);
  EXPECT_EQ(info["Creator"], "enamnd");
  // pdfinfo marks a date without an offset as UTC ("Z").
  EXPECT_THAT(info["CreationDate"], StartsWith("2022-06-22T15:30:05"));
  EXPECT_THAT(info["ModDate"], StartsWith("2022-06-22T15:30:05"));
  EXPECT_EQ(info["Page size"], "595.28 x 841.89 pts (A4)");
}

// Same input, same bytes: twice in this process, and once in another one.
// The other process has other heap and library addresses (ASLR), another
// time zone and locale, a system font configuration without any fonts (the
// renderer must not need it), and runs later. "Later" cannot be made to differ by
// a whole second without a sleep, so the clock is covered the other way
// round too: no date in the file is today's (cairo writes the clock's time
// as the CreationDate unless it is given one).
TEST_F(PdfTest, SameDocumentGivesTheSameBytesInAnyProcess) {
  const PdfDocument document = SampleProtocol(6);
  const std::string first = Render(document);
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(Render(document) == first);

  const std::string child_pdf = absl::StrCat(dir_.path(), "/child.pdf");
  const std::string no_fonts = absl::StrCat(dir_.path(), "/no-fonts.conf");
  std::ofstream(no_fonts) << "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n";
  enamnd::testing::ChildProcess child({PDF_RENDER_SAMPLE, "6", child_pdf},
                                      {{"TZ", "Pacific/Kiritimati"},
                                       {"LC_ALL", "C"},
                                       {"LANG", "C"},
                                       {"LANGUAGE", "en"},
                                       {"FONTCONFIG_FILE", no_fonts}},
                                      absl::StrCat(dir_.path(), "/child.log"));
  ASSERT_EQ(child.Wait(absl::Seconds(60)), 0) << ReadFile(absl::StrCat(dir_.path(), "/child.log"));
  const std::string other = ReadFile(child_pdf);
  EXPECT_EQ(other.size(), first.size());
  EXPECT_TRUE(other == first) << "the PDF differs between processes";

  EXPECT_TRUE(absl::StrContains(first, "20220622153005"));  // info.created
  const absl::Time now = absl::Now();
  for (absl::TimeZone zone : {absl::UTCTimeZone(), absl::LocalTimeZone()}) {
    const std::string today = absl::FormatTime("%Y%m%d", now, zone);
    EXPECT_FALSE(absl::StrContains(first, today)) << "the PDF has today's date " << today;
  }
}

TEST_F(PdfTest, OnlyTheDejaVuFilesAreUsedAndEmbedded) {
  const std::string fonts = RunCommand("/usr/bin/pdffonts " + Save(Render(SampleProtocol(2))));
  std::vector<std::string> names;
  std::vector<absl::string_view> lines = absl::StrSplit(fonts, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 2u);
  for (size_t i = 2; i < lines.size(); ++i) {  // after the heading and its rule
    std::vector<absl::string_view> columns = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    ASSERT_GE(columns.size(), 5u) << lines[i];
    // A subset: "ABCDEF+DejaVuSans"; embedded ("emb" yes).
    absl::string_view name = columns[0];
    if (size_t plus = name.find('+'); plus != absl::string_view::npos) name.remove_prefix(plus + 1);
    names.push_back(std::string(name));
    EXPECT_EQ(columns[3], "yes") << lines[i];
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("DejaVuSans", "DejaVuSans-Bold"));
}

// "<prefix> 1 slut" to "<prefix> <count> slut", one a line.
std::string NumberedLines(absl::string_view prefix, int count) {
  std::string text;
  for (int i = 1; i <= count; ++i) {
    absl::StrAppend(&text, i == 1 ? "" : "\n", prefix, " ", i, " slut");
  }
  return text;
}

// The page (from 1) of each of NumberedLines(prefix, count), in order; the
// test fails unless each is on exactly one page, once.
std::vector<int> PagesOfNumberedLines(const std::vector<std::string>& pages,
                                      absl::string_view prefix, int count) {
  std::vector<int> found;
  for (int i = 1; i <= count; ++i) {
    const std::string line = absl::StrCat(prefix, " ", i, " slut\n");
    int page = 0;
    int seen = 0;
    for (size_t p = 0; p < pages.size(); ++p) {
      const int here = Occurrences(pages[p], line);
      if (here > 0) page = static_cast<int>(p) + 1;
      seen += here;
    }
    EXPECT_EQ(seen, 1) << line;
    found.push_back(page);
  }
  return found;
}

// A text longer than a page goes on line by line: every line once, in
// order, and a page ends only when full.
TEST_F(PdfTest, LongTextContinuesLineByLineOnTheNextPages) {
  PdfDocument document = SampleProtocol(0);
  document.blocks.push_back({Block::kText, NumberedLines("Textrad", 150)});
  const std::vector<std::string> pages = PageTexts(Save(Render(document)));
  ASSERT_GE(pages.size(), 3u);
  const std::vector<int> found = PagesOfNumberedLines(pages, "Textrad", 150);
  EXPECT_TRUE(std::is_sorted(found.begin(), found.end()));
  std::vector<int> lines_on_page(pages.size() + 1, 0);
  for (int page : found) ++lines_on_page[page];
  // A full page holds the same number of lines; only the last has fewer.
  for (size_t p = 2; p + 1 < pages.size(); ++p) {
    EXPECT_EQ(lines_on_page[p], lines_on_page[2]) << "page " << p;
  }
  EXPECT_GT(lines_on_page[2], 40);
}

// A row taller than a page cannot stay whole: it starts where it is and
// goes on over the pages line by line, its heading with its first line.
TEST_F(PdfTest, RowTallerThanAPageGoesOnOverPages) {
  PdfDocument document = SampleProtocol(0);
  document.blocks.push_back({Block::kLine, "Före tabellen"});
  document.blocks.push_back({Block::kHeading, "Tabellen"});
  document.blocks.push_back({Block::kRow, "Etikett\t" + NumberedLines("Cellrad", 150)});
  document.blocks.push_back({Block::kLine, "Efter tabellen"});
  const std::vector<std::string> pages = PageTexts(Save(Render(document)));
  ASSERT_GE(pages.size(), 3u);
  const std::vector<int> found = PagesOfNumberedLines(pages, "Cellrad", 150);
  EXPECT_TRUE(std::is_sorted(found.begin(), found.end()));
  EXPECT_EQ(found.front(), 1);
  EXPECT_EQ(PageWith(pages, "Tabellen"), 1);
  EXPECT_EQ(PageWith(pages, "Etikett"), 1);
  EXPECT_GE(PageWith(pages, "Efter tabellen"), found.back());
}

// Whatever the space left on a page, a heading and a subheading stay with
// the first line of the text after them: the filler before them moves the
// heading through every position at the foot of page 1.
TEST_F(PdfTest, HeadingsStayWithTheTextAfterThem) {
  int moved = 0;
  for (int filler = 30; filler <= 70; ++filler) {
    PdfDocument document = SampleProtocol(0);
    for (int i = 0; i < filler; ++i) {
      document.blocks.push_back({Block::kLine, absl::StrCat("Fyllnad ", i)});
    }
    document.blocks.push_back({Block::kHeading, "Rubriken"});
    // A line under the heading (as a protocol's "Ärendenr") goes with it.
    document.blocks.push_back({Block::kLine, "Ärendenr 2022/9"});
    document.blocks.push_back({Block::kSubheading, "Underrubriken"});
    document.blocks.push_back({Block::kText, "Första raden\nAndra raden"});
    const std::vector<std::string> pages =
        PageTexts(Save(Render(document), absl::StrCat("filler", filler, ".pdf")));
    const int heading = PageWith(pages, "Rubriken");
    EXPECT_NE(heading, 0);
    EXPECT_EQ(PageWith(pages, "Ärendenr 2022/9"), heading) << filler << " lines before";
    EXPECT_EQ(PageWith(pages, "Underrubriken"), heading) << filler << " lines before";
    EXPECT_EQ(PageWith(pages, "Första raden"), heading) << filler << " lines before";
    if (heading == 2 && PageWith(pages, absl::StrCat("Fyllnad ", filler - 1, "\n")) == 1) {
      ++moved;
    }
  }
  // Some of the fillers left room for the heading but not for what follows.
  EXPECT_GT(moved, 1);
}

TEST_F(PdfTest, TableRowsAreNotSplitAcrossPages) {
  PdfDocument document = SampleProtocol(0);
  document.blocks.push_back({Block::kHeaderRow, "Post\tBudget\tUtfall"});
  for (int i = 0; i < 40; ++i) {
    document.blocks.push_back({Block::kRow, absl::StrCat("Post", i, "början ", SampleProse(i, 30),
                                                         " Post", i, "slut\t1 000\t2 000")});
  }
  const std::vector<std::string> pages = PageTexts(Save(Render(document)));
  ASSERT_GE(pages.size(), 3u);
  for (int i = 0; i < 40; ++i) {
    const int page = PageWith(pages, absl::StrCat("Post", i, "början"));
    EXPECT_NE(page, 0) << i;
    EXPECT_EQ(PageWith(pages, absl::StrCat("Post", i, "slut")), page) << i;
  }
}

TEST_F(PdfTest, EmptyDocumentIsOnePage) {
  const std::string path = Save(Render(PdfDocument{}));
  EXPECT_EQ(PageCount(path), 1);
  EXPECT_THAT(Text(path), HasSubstr("Sida 1 av 1"));
}

TEST_F(PdfTest, PageBreakStartsANewPageButNoEmptyOne) {
  PdfDocument document;
  document.blocks = {{Block::kPageBreak, ""},  // at the top: no empty first page
                     {Block::kLine, "Första sidan"},
                     {Block::kPageBreak, ""},
                     {Block::kHeading, "Anslag/bevis"},
                     {Block::kLine, "Andra sidan"}};
  const std::string path = Save(Render(document), "breaks.pdf");
  EXPECT_EQ(PageCount(path), 2);
  const std::vector<std::string> pages = PageTexts(path);
  EXPECT_EQ(PageWith(pages, "Första sidan"), 1);
  EXPECT_EQ(PageWith(pages, "Anslag/bevis"), 2);
  EXPECT_EQ(PageWith(pages, "Andra sidan"), 2);
}

TEST_F(PdfTest, InvalidUtf8IsReplacedNotFatal) {
  PdfDocument document;
  document.blocks = {{Block::kLine, "före \xff\xfe efter"}};
  EXPECT_THAT(Text(Save(Render(document))), HasSubstr("efter"));
}

TEST_F(PdfTest, ConcurrentRendersWaitForEachOther) {
  const PdfDocument document = SampleProtocol(3);
  const std::string expected = Render(document);
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::string& result : results) {
    threads.emplace_back([&document, &result] { result = Render(document); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) EXPECT_TRUE(result == expected);
}

// Not a check: how long a protocol of about 20 pages takes (printed, and a
// property in the test's XML output).
TEST_F(PdfTest, TwentyPagesRenderTime) {
  const PdfDocument document = SampleProtocol(33);
  RenderPdf(document).IgnoreError();  // the font map is built once per process
  const absl::Time start = absl::Now();
  const std::string pdf = Render(document);
  const absl::Duration took = absl::Now() - start;
  const int pages = PageCount(Save(pdf));
  EXPECT_GE(pages, 15);
  std::cout << "RenderPdf: " << pages << " pages, " << pdf.size() << " bytes in "
            << absl::FormatDuration(took) << "\n";
  RecordProperty("render_ms", static_cast<int>(absl::ToInt64Milliseconds(took)));
}

}  // namespace
}  // namespace enamnd::platform
