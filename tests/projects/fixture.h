// In-process projects and meetings services sharing one real redis-server:
// the meetings service registers the members, and the projects service
// learns them (and the committee's decisions) from its events.
#ifndef ENAMND_TESTS_PROJECTS_FIXTURE_H_
#define ENAMND_TESTS_PROJECTS_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "enamnd/projects/v1/projects.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/meetings/api/service.h"
#include "services/projects/api/service.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/members.h"
#include "tests/support/service_fixture.h"

namespace enamnd::projects {

// A pre-study with the given participants (SCB codes), joined 2022-03-16.
inline v1::CreateInitiativeRequest PreStudyRequest(const std::string& id,
                                                   const std::vector<std::string>& codes) {
  v1::CreateInitiativeRequest request;
  request.set_initiative_id(id);
  v1::Initiative* in = request.mutable_initiative();
  in->set_title("Gemensamt personal/HR-system");
  in->set_kind(v1::KIND_PRE_STUDY);
  for (const std::string& code : codes) {
    v1::Participation* p = in->add_participations();
    p->set_municipality("municipalities/" + code);
    *p->mutable_joined_date() = testing::Day(2022, 3, 16);
  }
  in->set_budget_line("//finance/budgets/2022/lines/" + id);
  *request.mutable_since_date() = testing::Day(2022, 3, 16);
  return request;
}

class ProjectsFixture : public ::testing::Test {
 protected:
  using ProjectsStub = v1::ProjectsService::Stub;
  using MeetingsStub = meetings::v1::MeetingsService::Stub;

  void SetUp() override {
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(projects_service_.Start().ok());
    projects_ = projects_service_.runner();
    projects_stub_ = projects_service_.stub();
    meetings_stub_ = meetings_service_.stub();
  }
  void TearDown() override {
    projects_service_.Stop();
    meetings_service_.Stop();
  }

  template <typename Request, typename Response>
  grpc::Status Projects(grpc::Status (ProjectsStub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                        const Request& request, Response* response) {
    return enamnd::testing::Call(projects_stub_, method, request, response);
  }
  template <typename Request, typename Response>
  grpc::Status Meetings(grpc::Status (MeetingsStub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                        const Request& request, Response* response) {
    return enamnd::testing::Call(meetings_stub_, method, request, response);
  }

  // Registers the municipalities with the meetings service and waits until
  // the projects service knows them.
  void RegisterMembers(const std::vector<std::string>& codes) {
    testing::RegisterMembers(meetings_stub_, codes, [&](const std::string& code) {
      v1::GetPortfolioRequest probe;
      probe.set_municipality("municipalities/" + code);
      v1::Portfolio portfolio;
      return Projects(&ProjectsStub::GetPortfolio, probe, &portfolio).ok();
    });
  }

  // Events of `type` (e.g. "ParticipationChanged") in the projects outbox.
  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(projects_->db(), "enamnd.projects.v1." + type);
  }
  // Rows of a projects table.
  int64_t Rows(const std::string& table) { return testing::CountRows(projects_->db(), table); }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  enamnd::testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  enamnd::testing::InProcess<v1::ProjectsService> projects_service_{
      "projects", NewProjectsService, dir_.path() + "/projects", redis_.address()};
  platform::ServerRunner* projects_ = nullptr;
  ProjectsStub* projects_stub_ = nullptr;
  MeetingsStub* meetings_stub_ = nullptr;
};

}  // namespace enamnd::projects

#endif  // ENAMND_TESTS_PROJECTS_FIXTURE_H_
