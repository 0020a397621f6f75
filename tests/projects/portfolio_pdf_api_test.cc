// RenderPortfolio with RENDER_FORMAT_PDF through the API: the PDF read back
// with pdftotext says what the status list says, its hash is its bytes', and
// the same portfolio gives the same bytes.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "services/platform/sha256.h"
#include "tests/projects/fixture.h"
#include "tests/support/pdf_text.h"

namespace enamnd::projects {
namespace {

using testing::Day;
using Stub = v1::ProjectsService::Stub;

class PortfolioPdfApiTest : public ProjectsFixture {
 protected:
  void SetUp() override {
    ProjectsFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(RegisterMembers({"2580", "2582"}));
  }

  void CreateWithStatus(const std::string& id, const std::vector<std::string>& lines) {
    v1::Initiative in;
    ASSERT_TRUE(Projects(&Stub::CreateInitiative, PreStudyRequest(id, {"2580", "2582"}), &in).ok());
    v1::CreateStatusReportRequest report;
    report.set_initiative("initiatives/" + id);
    *report.mutable_status_report()->mutable_report_date() = Day(2022, 6, 20);
    for (const std::string& line : lines) report.mutable_status_report()->add_status_lines(line);
    v1::StatusReport made;
    grpc::Status status = Projects(&Stub::CreateStatusReport, report, &made);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

TEST_F(PortfolioPdfApiTest, ThePdfSaysWhatTheStatusListSays) {
  const std::vector<std::string> lines = {
      "Förstudie genomförd (avrapporteras i separat ärende)",
      "Upphandling av ny plattform påbörjad; tilldelning väntas efter sommaren, "
      "med en rad som är lång nog att brytas av sidans bredd.",
      "Älvsbyn, Boden och Gällivare är inne i plattformen"};
  ASSERT_NO_FATAL_FAILURE(CreateWithStatus("hr-payroll", {lines[0], lines[1]}));
  ASSERT_NO_FATAL_FAILURE(CreateWithStatus("dcbd", {lines[2]}));

  v1::RenderPortfolioRequest render;
  *render.mutable_portfolio()->mutable_date() = Day(2022, 6, 22);
  render.set_format(v1::RENDER_FORMAT_PDF);
  v1::RenderedPortfolio first;
  grpc::Status status = Projects(&Stub::RenderPortfolio, render, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(first.media_type(), "application/pdf");
  EXPECT_TRUE(first.text().empty());
  const enamnd::common::v1::RenderedFile& pdf = first.pdf();
  EXPECT_EQ(pdf.media_type(), "application/pdf");
  EXPECT_EQ(pdf.file_name(), "portfoljoversikt-2022-06-22.pdf");
  EXPECT_TRUE(absl::StartsWith(pdf.content(), "%PDF-"));
  EXPECT_EQ(pdf.sha256(), platform::Sha256Hex(pdf.content()));

  const std::string text = testing::PdfText(pdf.content());
  for (const std::string& line : lines) {
    EXPECT_TRUE(absl::StrContains(text, testing::OneSpaced(line))) << line << "\n" << text;
  }
  for (const char* shared : {"Aktuella och pågående aktiviteter", "Läge 2022-06-22, 2 aktiviteter.",
                             "STATUS:", "NORRBOTTENS E-NÄMND", "PORTFÖLJÖVERSIKT", "Sida 1 av"}) {
    EXPECT_TRUE(absl::StrContains(text, shared)) << shared << "\n" << text;
  }

  v1::RenderedPortfolio second;
  ASSERT_TRUE(Projects(&Stub::RenderPortfolio, render, &second).ok());
  EXPECT_EQ(second.pdf().sha256(), pdf.sha256());
  EXPECT_TRUE(second.pdf().content() == pdf.content());

  // Markdown is as before, and has no PDF.
  render.set_format(v1::RENDER_FORMAT_MARKDOWN);
  v1::RenderedPortfolio markdown;
  ASSERT_TRUE(Projects(&Stub::RenderPortfolio, render, &markdown).ok());
  EXPECT_FALSE(markdown.has_pdf());
  EXPECT_TRUE(absl::StrContains(markdown.text(), "- " + lines[2])) << markdown.text();
}

TEST_F(PortfolioPdfApiTest, AnUnknownFormatIsRefused) {
  v1::RenderPortfolioRequest render;
  render.set_format(static_cast<v1::RenderFormat>(4));
  v1::RenderedPortfolio rendered;
  EXPECT_INVALID_FIELD(Projects(&Stub::RenderPortfolio, render, &rendered), "format");
}

}  // namespace
}  // namespace enamnd::projects
