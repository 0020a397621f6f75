// The portfolio overview (services/projects/domain/portfolio.h): who is in
// it on a day, and how it reads when rendered.
#include "services/projects/domain/portfolio.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/projects/domain/initiatives.h"
#include "tests/support/builders.h"

namespace enamnd::projects {
namespace {

using testing::Day;

constexpr absl::CivilDay kToday(2022, 7, 8);

v1::Initiative DataCentre() {
  v1::Initiative in;
  in.set_title("DCBD (gemensamt datacenter)");
  in.set_kind(v1::KIND_SYSTEM_IN_OPERATION);
  for (const char* code : {"2560", "2582", "2523"}) {
    v1::Participation* p = in.add_participations();
    p->set_municipality(absl::StrCat("municipalities/", code));
    *p->mutable_joined_date() = Day(2021, 9, 1);
  }
  return *NewInitiative(InitiativeName{"dcbd"}, in, Day(2021, 1, 1), kToday);
}

v1::StatusReport Report(int month, int day, const std::string& line) {
  v1::StatusReport r;
  *r.mutable_report_date() = Day(2022, month, day);
  r.add_status_lines(line);
  return r;
}

PortfolioFilter Filter(absl::CivilDay day, std::optional<std::string> municipality = std::nullopt,
                       std::optional<v1::Kind> kind = std::nullopt) {
  PortfolioFilter f;
  f.day = day;
  f.municipality = std::move(municipality);
  f.kind = kind;
  return f;
}

const std::map<std::string, std::string> kNames = {{"municipalities/2560", "Älvsbyn"},
                                                   {"municipalities/2582", "Boden"}};

TEST(PortfolioTest, LatestReportOnADay) {
  std::vector<v1::StatusReport> reports = {Report(3, 1, "a"), Report(6, 22, "b")};
  EXPECT_FALSE(LatestReportOn(reports, absl::CivilDay(2022, 2, 1)).has_value());
  EXPECT_EQ(LatestReportOn(reports, absl::CivilDay(2022, 6, 21))->status_lines(0), "a");
  EXPECT_EQ(LatestReportOn(reports, absl::CivilDay(2022, 6, 22))->status_lines(0), "b");
}

TEST(PortfolioTest, WhoIsInThePortfolio) {
  v1::Initiative dcbd = DataCentre();
  PortfolioFilter on_day = Filter(absl::CivilDay(2022, 6, 22));
  auto entry = PortfolioEntryOf(dcbd, std::nullopt, "", on_day, kNames);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->state(), v1::STATE_IN_OPERATION);
  EXPECT_EQ(entry->participants_size(), 3);
  // A code without a registered name shows as its code.
  EXPECT_EQ(entry->participant_display_names(2), "municipalities/2523");

  PortfolioFilter before = Filter(absl::CivilDay(2020, 12, 31));
  EXPECT_FALSE(PortfolioEntryOf(dcbd, std::nullopt, "", before, kNames).has_value());
  PortfolioFilter kiruna = Filter(absl::CivilDay(2022, 6, 22), "municipalities/2584");
  EXPECT_FALSE(PortfolioEntryOf(dcbd, std::nullopt, "", kiruna, kNames).has_value());
  PortfolioFilter boden = Filter(absl::CivilDay(2022, 6, 22), "municipalities/2582");
  EXPECT_TRUE(PortfolioEntryOf(dcbd, std::nullopt, "", boden, kNames).has_value());
  PortfolioFilter pre_studies =
      Filter(absl::CivilDay(2022, 6, 22), std::nullopt, v1::KIND_PRE_STUDY);
  EXPECT_FALSE(PortfolioEntryOf(dcbd, std::nullopt, "", pre_studies, kNames).has_value());

  v1::TransitionInitiativeRequest close;
  close.set_state(v1::STATE_CLOSED);
  *close.mutable_date() = Day(2022, 7, 1);
  ApplyTransition(**PlanTransition(dcbd, close, kToday), &dcbd);
  EXPECT_TRUE(PortfolioEntryOf(dcbd, std::nullopt, "", on_day, kNames).has_value());
  PortfolioFilter after = Filter(absl::CivilDay(2022, 7, 1));
  EXPECT_FALSE(PortfolioEntryOf(dcbd, std::nullopt, "", after, kNames).has_value());
}

TEST(PortfolioTest, RendersLikeTheStatusList) {
  v1::Portfolio portfolio;
  *portfolio.mutable_date() = Day(2022, 6, 22);
  *portfolio.add_entries() = *PortfolioEntryOf(
      DataCentre(), Report(6, 22, "Älvsbyn, Boden och Gällivare är inne i plattformen"), "",
      Filter(absl::CivilDay(2022, 6, 22)), kNames);
  std::string md = RenderPortfolioMarkdown(portfolio, kDefaultPortfolioTitle);
  EXPECT_TRUE(absl::StartsWith(md, "# Aktuella och pågående aktiviteter\n")) << md;
  EXPECT_TRUE(absl::StrContains(md, "## DCBD (gemensamt datacenter)\n")) << md;
  EXPECT_TRUE(
      absl::StrContains(md, "STATUS:\n\n- Älvsbyn, Boden och Gällivare är inne i plattformen\n"))
      << md;
  EXPECT_TRUE(absl::StrContains(md, "i drift sedan 2021-01-01")) << md;

  EXPECT_TRUE(absl::StrContains(md, "Läge 2022-06-22, 1 aktivitet.\n")) << md;
  v1::Milestone* m = portfolio.mutable_entries(0)->mutable_latest_status()->add_milestones();
  m->set_title("Migrering Luleå");
  *m->mutable_planned_date() = Day(2022, 9, 1);
  portfolio.mutable_entries(0)->mutable_latest_status()->set_traffic_light(v1::TRAFFIC_LIGHT_GREEN);
  md = RenderPortfolioMarkdown(portfolio, kDefaultPortfolioTitle);
  EXPECT_TRUE(absl::StrContains(md, "DELMÅL:\n\n- Migrering Luleå: planerat 2022-09-01\n")) << md;
  EXPECT_TRUE(absl::StrContains(md, " · grönt läge · ")) << md;

  portfolio.mutable_entries(0)->set_title("<script>&");
  std::string html = RenderPortfolioHtml(portfolio, "Status");
  EXPECT_TRUE(absl::StrContains(html, "<h2>&lt;script&gt;&amp;</h2>")) << html;
  EXPECT_FALSE(absl::StrContains(html, "<script>"));
  EXPECT_TRUE(
      absl::StrContains(html, "<li>Älvsbyn, Boden och Gällivare är inne i plattformen</li>"));
}

}  // namespace
}  // namespace enamnd::projects
