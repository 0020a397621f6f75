// Each resource name: Parse and ToString agree, and malformed text is
// INVALID_ARGUMENT naming the field.
#include "services/meetings/domain/names.h"

#include "gtest/gtest.h"

namespace enamnd::meetings {
namespace {

class NamesTest : public ::testing::Test {
 protected:
  // Parses `text` as Name and prints it again.
  template <typename Name>
  static std::string RoundTrip(const std::string& text) {
    absl::StatusOr<Name> name = Name::Parse(text, "f");
    return name.ok() ? name->ToString() : name.status().ToString();
  }
  // Rejected, with the field first in the message.
  template <typename Name>
  static bool Rejects(const std::string& text) {
    absl::StatusOr<Name> name = Name::Parse(text, "the.field");
    return !name.ok() && name.status().code() == absl::StatusCode::kInvalidArgument &&
           name.status().message().rfind("the.field: ", 0) == 0;
  }
};

TEST_F(NamesTest, Municipality) {
  EXPECT_EQ(RoundTrip<MunicipalityName>("municipalities/2584"), "municipalities/2584");
  EXPECT_EQ(MunicipalityName::Parse("municipalities/2584", "f")->code, "2584");
  EXPECT_TRUE(Rejects<MunicipalityName>("2584"));
  EXPECT_TRUE(Rejects<MunicipalityName>("municipalities/258"));
  EXPECT_TRUE(Rejects<MunicipalityName>("municipalities/"));
}

TEST_F(NamesTest, Body) {
  EXPECT_EQ(RoundTrip<BodyName>("bodies/e-namnden"), "bodies/e-namnden");
  EXPECT_EQ(BodyName::Parse("bodies/e-namnden", "f")->body_id, "e-namnden");
  EXPECT_TRUE(Rejects<BodyName>("bodies/"));
  EXPECT_TRUE(Rejects<BodyName>("bodies/E"));
  EXPECT_TRUE(Rejects<BodyName>("bodies/a/b"));
  EXPECT_TRUE(Rejects<BodyName>("body/a"));
}

TEST_F(NamesTest, ParagraphSeries) {
  EXPECT_EQ(RoundTrip<ParagraphSeriesName>("bodies/x/paragraph-series/2022"),
            "bodies/x/paragraph-series/2022");
  EXPECT_TRUE(Rejects<ParagraphSeriesName>("bodies/x/paragraph-series/0"));
  EXPECT_TRUE(Rejects<ParagraphSeriesName>("bodies/x/series/2022"));
}

TEST_F(NamesTest, Meeting) {
  const std::string text = "bodies/e-namnden/meetings/2022-06-22";
  EXPECT_EQ(RoundTrip<MeetingName>(text), text);
  absl::StatusOr<MeetingName> m = MeetingName::Parse(text, "f");
  EXPECT_EQ(m->body.body_id, "e-namnden");
  EXPECT_EQ(m->meeting_id, "2022-06-22");
  EXPECT_TRUE(Rejects<MeetingName>("bodies/e-namnden"));
  EXPECT_TRUE(Rejects<MeetingName>("bodies/e-namnden/meeting/1"));
  EXPECT_TRUE(Rejects<MeetingName>("bodies/e-namnden/meetings/"));
  EXPECT_TRUE(Rejects<MeetingName>("bodies/e-namnden/meetings/1/paragraphs/1"));
}

TEST_F(NamesTest, Paragraph) {
  const std::string text = "bodies/b/meetings/m/paragraphs/8";
  EXPECT_EQ(RoundTrip<ParagraphName>(text), text);
  EXPECT_EQ(ParagraphName::Parse(text, "f")->number, 8);
  EXPECT_EQ(ParagraphName::Parse(text, "f")->meeting.ToString(), "bodies/b/meetings/m");
  EXPECT_TRUE(Rejects<ParagraphName>("bodies/b/meetings/m/paragraphs/0"));
  EXPECT_TRUE(Rejects<ParagraphName>("bodies/b/meetings/m/paragraphs/08"));
  EXPECT_TRUE(Rejects<ParagraphName>("bodies/b/meetings/m/paragraphs/-1"));
  EXPECT_TRUE(Rejects<ParagraphName>("bodies/b/meetings/m/paragraphs/x"));
  EXPECT_TRUE(Rejects<ParagraphName>("bodies/b/meetings/M/paragraphs/1"));
}

TEST_F(NamesTest, Case) {
  EXPECT_EQ(RoundTrip<CaseName>("cases/2022-9"), "cases/2022-9");
  EXPECT_EQ(CaseName::Parse("cases/2022-9", "f")->sequence, 9);
  EXPECT_TRUE(Rejects<CaseName>("cases/2022"));
  EXPECT_TRUE(Rejects<CaseName>("cases/2022-09"));
  EXPECT_TRUE(Rejects<CaseName>("cases/2022-0"));
  EXPECT_TRUE(Rejects<CaseName>("cases/2022-9-1"));
  EXPECT_TRUE(Rejects<CaseName>("case/2022-9"));
}

TEST_F(NamesTest, Adjustment) {
  const std::string text = "bodies/b/meetings/m/adjustments/2";
  EXPECT_EQ(RoundTrip<AdjustmentName>(text), text);
  EXPECT_EQ(AdjustmentName::Parse(text, "f")->meeting.meeting_id, "m");
  EXPECT_TRUE(Rejects<AdjustmentName>("bodies/b/meetings/m/adjustments/0"));
  EXPECT_TRUE(Rejects<AdjustmentName>("bodies/b/meetings/m/adjustment/1"));
}

TEST_F(NamesTest, ParagraphItems) {
  const std::string p = "bodies/b/meetings/m/paragraphs/8";
  EXPECT_EQ(RoundTrip<ExtractName>(p + "/extracts/1"), p + "/extracts/1");
  EXPECT_EQ(RoundTrip<CorrectionName>(p + "/corrections/2"), p + "/corrections/2");
  EXPECT_EQ(RoundTrip<AppealName>(p + "/appeals/3"), p + "/appeals/3");
  EXPECT_EQ(AppealName::Parse(p + "/appeals/3", "f")->paragraph.number, 8);
  EXPECT_TRUE(Rejects<ExtractName>(p + "/appeals/1"));
  EXPECT_TRUE(Rejects<CorrectionName>(p + "/corrections/0"));
  EXPECT_TRUE(Rejects<AppealName>(p));
}

}  // namespace
}  // namespace enamnd::meetings
