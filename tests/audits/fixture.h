// In-process audits and meetings services sharing one real redis-server,
// and builders of the audits test data the story tests share.
#ifndef ENAMND_TESTS_AUDITS_FIXTURE_H_
#define ENAMND_TESTS_AUDITS_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/audits/api/audits_api.h"
#include "services/audits/api/service.h"
#include "services/meetings/api/service.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/service_fixture.h"

namespace enamnd::audits {

// A review of `year` audited by municipalities `codes` (the first names it).
inline v1::CreateReviewRequest ReviewRequest(int year, const std::vector<std::string>& codes) {
  v1::CreateReviewRequest request;
  v1::Review* r = request.mutable_review();
  r->set_year(year);
  for (const auto& c : codes) r->add_auditing_municipalities("municipalities/" + c);
  r->set_kind(v1::Review::KIND_BASIC);
  r->set_title(absl::StrCat("Grundläggande granskning ", year));
  auto* a = r->mutable_assessments();
  a->mutable_appropriate_administration()->set_answer(v1::ANSWER_YES);
  a->mutable_appropriate_administration()->set_text("8 av 8 verksamhetsmål uppfyllda");
  a->mutable_internal_control()->set_answer(v1::ANSWER_IN_ALL_ESSENTIALS);
  return request;
}

// A recommendation of `review` given by `given_by` (codes), due on `due`
// when set.
inline v1::CreateRecommendationRequest RecommendationRequest(
    const std::string& review, const std::vector<std::string>& given_by,
    std::optional<common::v1::Date> due = std::nullopt) {
  v1::CreateRecommendationRequest request;
  request.set_review(review);
  v1::Recommendation* r = request.mutable_recommendation();
  r->set_text("Upprätta ett årshjul med direktiv för rapportering.");
  for (const auto& c : given_by) r->add_given_by("municipalities/" + c);
  if (due.has_value()) *r->mutable_due_date() = *due;
  return request;
}

class AuditsFixture : public ::testing::Test {
 protected:
  using AuditsStub = v1::AuditsService::Stub;
  using MeetingsStub = meetings::v1::MeetingsService::Stub;

  void SetUp() override {
    ASSERT_TRUE(audits_service_.Start().ok());
    ASSERT_TRUE(meetings_service_.Start().ok());
    audits_ = audits_service_.runner();
    meetings_ = meetings_service_.runner();
    audits_stub_ = audits_service_.stub();
    meetings_stub_ = meetings_service_.stub();
  }
  void TearDown() override {
    meetings_service_.Stop();
    audits_service_.Stop();
  }

  template <typename Request, typename Response>
  grpc::Status Audits(grpc::Status (AuditsStub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                      const Request& request, Response* response) {
    return enamnd::testing::Call(audits_stub_, method, request, response);
  }
  template <typename Request, typename Response>
  grpc::Status Meetings(grpc::Status (MeetingsStub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                        const Request& request, Response* response) {
    return enamnd::testing::Call(meetings_stub_, method, request, response);
  }
  grpc::Status CreateReview(int year, const std::vector<std::string>& codes, v1::Review* out) {
    return enamnd::testing::Call(audits_stub_, &AuditsStub::CreateReview,
                                 ReviewRequest(year, codes), out);
  }
  grpc::Status Recommend(const std::string& review, const std::vector<std::string>& given_by,
                         v1::Recommendation* out,
                         std::optional<common::v1::Date> due = std::nullopt) {
    return enamnd::testing::Call(audits_stub_, &AuditsStub::CreateRecommendation,
                                 RecommendationRequest(review, given_by, due), out);
  }
  // Events of `type` (e.g. "ReviewHandled") in the audits outbox.
  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(audits_->db(), "enamnd.audits.v1." + type);
  }
  void RunDeadlines(absl::CivilDay today) {
    AuditsApi api(audits_->db(), audits_->outbox(), audits_->clock());
    absl::Status status = api.RunDeadlines(today);
    ASSERT_TRUE(status.ok()) << status;
  }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  enamnd::testing::InProcess<v1::AuditsService> audits_service_{
      "audits", NewAuditsService, dir_.path() + "/audits", redis_.address()};
  enamnd::testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  platform::ServerRunner* audits_ = nullptr;
  platform::ServerRunner* meetings_ = nullptr;
  AuditsStub* audits_stub_ = nullptr;
  MeetingsStub* meetings_stub_ = nullptr;
};

}  // namespace enamnd::audits

#endif  // ENAMND_TESTS_AUDITS_FIXTURE_H_
