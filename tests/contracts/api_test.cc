// Stories over the contracts service's API, in-process with the meetings
// service that registers the members: a procurement through its award,
// standstill and review; agreements with their rules and queries; the
// expiry watch and overdue follow-ups raised once; the roles; decisions
// linked from the meetings stream; bad input that writes nothing.
#include "absl/strings/match.h"
#include "enamnd/contracts/v1/events.pb.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/contracts/api/contracts_api.h"
#include "services/platform/api_util.h"
#include "tests/contracts/fixture.h"
#include "tests/support/principals.h"

namespace enamnd::contracts {
namespace {

using testing::Day;
using Stub = v1::ContractsService::Stub;
using v1::Procurement;

class ContractsApiTest : public ContractsFixture {
 protected:
  void SetUp() override {
    ContractsFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(RegisterMembers({"2580", "2582", "2584"}));
  }

  v1::Agreement Create(const v1::CreateAgreementRequest& request) {
    v1::Agreement out;
    grpc::Status status = Contracts(&Stub::CreateAgreement, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status Move(const std::string& id, Procurement::State state, common::v1::Date date,
                    v1::Procurement* out) {
    v1::TransitionProcurementRequest request;
    request.set_name("procurements/" + id);
    request.set_state(state);
    *request.mutable_date() = date;
    return Contracts(&Stub::TransitionProcurement, request, out);
  }
  void RunDeadlines(absl::CivilDay today) {
    ContractsApi api(contracts_->db(), contracts_->outbox(), contracts_->clock());
    absl::Status status = api.RunDeadlines(today);
    ASSERT_TRUE(status.ok()) << status;
  }
  std::vector<std::string> Names(const std::string& filter, int* total = nullptr) {
    v1::ListAgreementsRequest request;
    request.set_filter(filter);
    v1::ListAgreementsResponse response;
    grpc::Status status = Contracts(&Stub::ListAgreements, request, &response);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    if (total != nullptr) *total = response.total_size();
    std::vector<std::string> names;
    for (const auto& a : response.agreements()) names.push_back(a.name());
    return names;
  }
};

TEST_F(ContractsApiTest, AProcurementThroughAwardStandstillAndReview) {
  v1::CreateProcurementRequest create;
  create.set_procurement_id("social-services-system");
  create.mutable_procurement()->set_title(
      "Upphandling Verksamhetssystem Socialtjänsten Norrbotten");
  create.mutable_procurement()->set_initiative("//projects/initiatives/social-services-system");
  *create.mutable_since_date() = Day(2022, 1, 10);
  v1::Procurement p;
  ASSERT_TRUE(Contracts(&Stub::CreateProcurement, create, &p).ok());
  EXPECT_EQ(p.state(), Procurement::STATE_PLANNED);
  EXPECT_EQ(Move("social-services-system", Procurement::STATE_EVALUATION, Day(2022, 2, 1), &p)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // not advertised yet
  ASSERT_TRUE(
      Move("social-services-system", Procurement::STATE_ADVERTISED, Day(2022, 2, 1), &p).ok());
  ASSERT_TRUE(
      Move("social-services-system", Procurement::STATE_EVALUATION, Day(2022, 4, 1), &p).ok());

  v1::RecordAwardRequest award;
  award.set_name("procurements/social-services-system");
  *award.mutable_decision_date() = Day(2022, 6, 29);
  *award.mutable_notice_date() = Day(2022, 6, 30);
  award.set_notice_means(v1::NOTICE_MEANS_ELECTRONIC);
  ASSERT_TRUE(Contracts(&Stub::RecordAward, award, &p).ok());
  EXPECT_EQ(p.state(), Procurement::STATE_STANDSTILL);
  // 30 June + 10 days is Sunday 10 July: the standstill lasts to Monday 11 July.
  EXPECT_EQ(platform::ToCivil(p.standstill_end()), absl::CivilDay(2022, 7, 11));
  grpc::Status early =
      Move("social-services-system", Procurement::STATE_CONCLUDED, Day(2022, 7, 8), &p);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(early.error_message(), "lasts until 2022-07-11"))
      << early.error_message();

  v1::RecordReviewRequestRequest review;
  review.set_name("procurements/social-services-system");
  *review.mutable_review()->mutable_filed_date() = Day(2022, 7, 5);
  review.mutable_review()->set_court("Förvaltningsrätten i Luleå");
  ASSERT_TRUE(Contracts(&Stub::RecordReviewRequest, review, &p).ok());
  EXPECT_EQ(p.state(), Procurement::STATE_UNDER_REVIEW);
  EXPECT_EQ(Move("social-services-system", Procurement::STATE_CANCELLED, Day(2022, 7, 6), &p)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // held until the outcome
  v1::RecordReviewOutcomeRequest outcome;
  outcome.set_name("procurements/social-services-system");
  outcome.set_outcome(v1::REVIEW_OUTCOME_REJECTED);
  *outcome.mutable_decided_date() = Day(2022, 7, 7);
  ASSERT_TRUE(Contracts(&Stub::RecordReviewOutcome, outcome, &p).ok());
  EXPECT_EQ(p.state(), Procurement::STATE_STANDSTILL);
  EXPECT_EQ(p.reviews(0).outcome(), v1::REVIEW_OUTCOME_REJECTED);
  EXPECT_EQ(EventCount("ProcurementStateChanged"), 5);
  EXPECT_EQ(EventCount("AwardDecided"), 1);
  {
    auto tx = contracts_->db()->BeginRead();
    auto row =
        tx->QueryOne("SELECT event FROM outbox WHERE type = 'enamnd.contracts.v1.AwardDecided'");
    ASSERT_TRUE(row.ok() && row->has_value());
    io::cloudevents::v1::CloudEvent stored;
    ASSERT_TRUE(stored.ParseFromString((*row)->Text(0)));
    v1::AwardDecided awarded;
    ASSERT_TRUE(stored.proto_data().UnpackTo(&awarded));
    EXPECT_EQ(awarded.procurement().state(), Procurement::STATE_STANDSTILL);
    EXPECT_EQ(platform::ToCivil(awarded.procurement().standstill_end()),
              absl::CivilDay(2022, 7, 11));
  }
  EXPECT_EQ(EventCount("ReviewRequested"), 1);
  EXPECT_EQ(EventCount("ReviewDecided"), 1);
}

TEST_F(ContractsApiTest, AgreementsAMunicipalityMayUseAndThoseInForce) {
  v1::Agreement consultants = Create(AgreementRequest("it-konsulter", {"2582", "2584"}));
  EXPECT_EQ(platform::ToCivil(consultants.final_end()), absl::CivilDay(2024, 12, 31));
  EXPECT_EQ(platform::ToCivil(consultants.last_notice_day()), absl::CivilDay(2024, 9, 30));
  v1::CreateAgreementRequest later = AgreementRequest("e-arkiv", {"2580"});
  *later.mutable_agreement()->mutable_terms()->mutable_start() = Day(2022, 9, 1);
  *later.mutable_agreement()->mutable_terms()->mutable_end() = Day(2024, 8, 31);
  Create(later);

  int total = 0;
  EXPECT_EQ(Names("in_force = 2022-06-22", &total),
            std::vector<std::string>{"agreements/it-konsulter"});
  EXPECT_EQ(total, 1);
  Names("", &total);
  EXPECT_EQ(total, 2);
  EXPECT_EQ(Names("municipality = \"municipalities/2584\" AND date = 2022-06-22"),
            std::vector<std::string>{"agreements/it-konsulter"});
  EXPECT_TRUE(Names("municipality = \"municipalities/2580\" AND date = 2022-06-22").empty());
  EXPECT_EQ(Names("municipality = \"municipalities/2580\" AND date = 2022-09-01"),
            std::vector<std::string>{"agreements/e-arkiv"});

  v1::JoinAgreementRequest join;
  join.set_name("agreements/it-konsulter");
  join.set_municipality("municipalities/2584");
  *join.mutable_joined_date() = Day(2021, 3, 1);
  v1::Agreement out;
  ASSERT_TRUE(Contracts(&Stub::JoinAgreement, join, &out).ok());
  EXPECT_EQ(Contracts(&Stub::JoinAgreement, join, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // joined already
  join.set_municipality("municipalities/2580");
  EXPECT_INVALID_FIELD(Contracts(&Stub::JoinAgreement, join, &out),
                       "municipality: municipalities/2580 is not entitled");

  v1::ExtendAgreementRequest extend;
  extend.set_name("agreements/it-konsulter");
  *extend.mutable_date() = Day(2022, 6, 1);
  ASSERT_TRUE(Contracts(&Stub::ExtendAgreement, extend, &out).ok());
  EXPECT_EQ(platform::ToCivil(out.terms().end()), absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(platform::ToCivil(out.final_end()), absl::CivilDay(2024, 12, 31));  // unchanged
  EXPECT_TRUE(out.terms().extensions(0).used());

  // An update after the extension: the used option is not counted twice.
  v1::UpdateAgreementRequest owner;
  owner.mutable_agreement()->set_name("agreements/it-konsulter");
  owner.mutable_agreement()->set_owner("IT-chefen i Kiruna");
  owner.mutable_update_mask()->add_paths("owner");
  ASSERT_TRUE(Contracts(&Stub::UpdateAgreement, owner, &out).ok());
  // What happened stays: Kiruna joined, and the option was used.
  v1::UpdateAgreementRequest entitled;
  entitled.mutable_agreement()->set_name("agreements/it-konsulter");
  entitled.mutable_agreement()->add_entitled("municipalities/2582");
  entitled.mutable_update_mask()->add_paths("entitled");
  EXPECT_INVALID_FIELD(Contracts(&Stub::UpdateAgreement, entitled, &out),
                       "agreement.entitled: municipalities/2584 joined on 2021-03-01");
  v1::UpdateAgreementRequest terms;
  terms.mutable_agreement()->set_name("agreements/it-konsulter");
  *terms.mutable_agreement()->mutable_terms() =
      AgreementRequest("it-konsulter", {}).agreement().terms();  // the end before the extension
  terms.mutable_update_mask()->add_paths("terms");
  EXPECT_INVALID_FIELD(Contracts(&Stub::UpdateAgreement, terms, &out), "agreement.terms.end");

  v1::RecordFollowUpRequest follow_up;
  follow_up.set_name("agreements/it-konsulter");
  *follow_up.mutable_follow_up()->mutable_date() = Day(2022, 7, 1);
  follow_up.mutable_follow_up()->set_result("Leveranser enligt avtal");
  ASSERT_TRUE(Contracts(&Stub::RecordFollowUp, follow_up, &out).ok());
  ASSERT_TRUE(Contracts(&Stub::RecordFollowUp, follow_up, &out).ok());  // a retry
  EXPECT_EQ(out.follow_ups_size(), 1);
  EXPECT_EQ(EventCount("FollowUpRecorded"), 1);
  *follow_up.mutable_follow_up()->mutable_date() = Day(2020, 12, 1);
  EXPECT_INVALID_FIELD(Contracts(&Stub::RecordFollowUp, follow_up, &out), "follow_up.date");
}

TEST_F(ContractsApiTest, BadInputNamesTheFieldAndWritesNothing) {
  v1::Agreement out;
  struct Case {
    std::string what;
    void (*change)(v1::CreateAgreementRequest*);
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"check digit",
            [](v1::CreateAgreementRequest* r) {
              r->mutable_agreement()->mutable_supplier()->set_organisation_number("556016-0681");
            },
            "agreement.supplier.organisation_number"},
           {"end before start",
            [](v1::CreateAgreementRequest* r) {
              *r->mutable_agreement()->mutable_terms()->mutable_end() = Day(2020, 12, 31);
            },
            "agreement.terms.end"},
           {"four years without a reason",
            [](v1::CreateAgreementRequest* r) {
              r->mutable_agreement()->mutable_terms()->add_extensions()->set_months(12);
            },
            "agreement.special_reason"},
           {"unknown municipality",
            [](v1::CreateAgreementRequest* r) {
              r->mutable_agreement()->add_entitled("municipalities/2510");
            },
            "agreement.entitled[1]: municipalities/2510 is not a member municipality"},
           {"malformed procurement",
            [](v1::CreateAgreementRequest* r) {
              r->mutable_agreement()->set_procurement("//projects/initiatives/x");
            },
            "agreement.procurement"},
       }) {
    v1::CreateAgreementRequest request = AgreementRequest("x", {"2582"});
    c.change(&request);
    SCOPED_TRACE(c.what);
    EXPECT_INVALID_FIELD(Contracts(&Stub::CreateAgreement, request, &out), c.field);
  }
  EXPECT_EQ(Rows("agreements"), 0);
  EXPECT_EQ(Rows("outbox WHERE type LIKE 'enamnd.contracts.%'"), 0);
  v1::CreateAgreementRequest with_reason = AgreementRequest("x", {"2582"});
  with_reason.mutable_agreement()->mutable_terms()->add_extensions()->set_months(12);
  with_reason.mutable_agreement()->set_special_reason("Systembytet kräver fem år");
  EXPECT_TRUE(Contracts(&Stub::CreateAgreement, with_reason, &out).ok());
}

TEST_F(ContractsApiTest, TheExpiryWatchAndOverdueFollowUpsRaiseOnce) {
  // Ends 2022-12-31 without options, three months' notice: the last day
  // to give notice is 2022-09-30, so on 2022-07-08 the 3-month horizon is
  // reached (the wider ones are passed without an event).
  v1::CreateAgreementRequest soon = AgreementRequest("skrivare", {"2582", "2584"});
  soon.mutable_agreement()->mutable_terms()->clear_extensions();
  Create(soon);
  // Last notice 2024-09-30: no horizon yet.
  Create(AgreementRequest("it-konsulter", {"2582"}));
  for (int run = 0; run < 3; ++run) RunDeadlines(absl::CivilDay(2022, 7, 8));
  EXPECT_EQ(EventCount("AgreementExpiring"), 1);
  {
    auto tx = contracts_->db()->BeginRead();
    auto row = tx->QueryOne(
        "SELECT audience FROM outbox WHERE type = 'enamnd.contracts.v1.AgreementExpiring'");
    ASSERT_TRUE(row.ok() && row->has_value());
    EXPECT_EQ((*row)->Text(0), "2582,2584");
  }
  RunDeadlines(absl::CivilDay(2023, 10, 1));  // it-konsulter's 12-month horizon
  RunDeadlines(absl::CivilDay(2023, 10, 1));
  EXPECT_EQ(EventCount("AgreementExpiring"), 2);

  // Both are followed up every six months from their start (2021-01-01):
  // overdue since 2021-07-01, raised once each.
  EXPECT_EQ(EventCount("FollowUpOverdue"), 2);
  v1::ListOverdueFollowUpsResponse overdue;
  ASSERT_TRUE(
      Contracts(&Stub::ListOverdueFollowUps, v1::ListOverdueFollowUpsRequest(), &overdue).ok());
  EXPECT_EQ(overdue.agreements_size(), 2);
  v1::RecordFollowUpRequest follow_up;
  follow_up.set_name("agreements/skrivare");
  *follow_up.mutable_follow_up()->mutable_date() = Day(2022, 7, 1);
  follow_up.mutable_follow_up()->set_result("Leveranser enligt avtal");
  v1::Agreement out;
  ASSERT_TRUE(Contracts(&Stub::RecordFollowUp, follow_up, &out).ok());
  EXPECT_EQ(platform::ToCivil(out.next_follow_up()), absl::CivilDay(2023, 1, 1));
  ASSERT_TRUE(
      Contracts(&Stub::ListOverdueFollowUps, v1::ListOverdueFollowUpsRequest(), &overdue).ok());
  EXPECT_EQ(overdue.agreements_size(), 1);
}

TEST_F(ContractsApiTest, AMunicipalitySystemReadsWhatItsMunicipalityMayUse) {
  Create(AgreementRequest("it-konsulter", {"2582", "2584"}));
  Create(AgreementRequest("e-arkiv", {"2580"}));
  auto kiruna = contracts_service_.StubAs(testing::kSystem2584);
  v1::GetAgreementRequest get;
  get.set_name("agreements/it-konsulter");
  v1::Agreement out;
  EXPECT_TRUE(testing::Call(kiruna.get(), &Stub::GetAgreement, get, &out).ok());
  get.set_name("agreements/e-arkiv");
  EXPECT_EQ(testing::Call(kiruna.get(), &Stub::GetAgreement, get, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAgreementsRequest list;
  v1::ListAgreementsResponse listed;
  EXPECT_EQ(testing::Call(kiruna.get(), &Stub::ListAgreements, list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // must name its municipality
  list.set_filter("municipality = \"municipalities/2580\"");
  EXPECT_EQ(testing::Call(kiruna.get(), &Stub::ListAgreements, list, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  list.set_filter("municipality = \"municipalities/2584\"");
  ASSERT_TRUE(testing::Call(kiruna.get(), &Stub::ListAgreements, list, &listed).ok());
  ASSERT_EQ(listed.agreements_size(), 1);
  EXPECT_EQ(listed.agreements(0).name(), "agreements/it-konsulter");

  // Writes need the coordinator.
  auto secretary = contracts_service_.StubAs(testing::kSecretary);
  EXPECT_EQ(
      testing::Call(secretary.get(), &Stub::CreateAgreement, AgreementRequest("x", {"2582"}), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      testing::Call(kiruna.get(), &Stub::CreateAgreement, AgreementRequest("x", {"2584"}), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  auto coordinator = contracts_service_.StubAs(testing::kCoordinator);
  ASSERT_TRUE(testing::Call(coordinator.get(), &Stub::CreateAgreement,
                            AgreementRequest("x", {"2582"}), &out)
                  .ok());
  EXPECT_EQ(out.create_principal(), testing::kCoordinator);
}

TEST_F(ContractsApiTest, DecisionsAboutAProcurementAreLinkedToIt) {
  meetings::v1::DecisionRecorded d;
  d.mutable_paragraph()->set_name("bodies/e-namnden/meetings/2022-06-22/paragraphs/17");
  d.mutable_paragraph()->set_number(17);
  d.mutable_paragraph()->set_title("Tilldelningsbeslut");
  *d.mutable_meeting_date() = Day(2022, 6, 22);
  d.set_case_subject("//contracts/procurements/social-services-system");
  io::cloudevents::v1::CloudEvent event;
  event.set_source("//enamnd/meetings");
  event.set_id("77");
  event.set_type("enamnd.meetings.v1.DecisionRecorded");
  event.mutable_proto_data()->PackFrom(d);
  ContractsApi api(contracts_->db(), contracts_->outbox(), contracts_->clock());
  for (int i = 0; i < 2; ++i) {
    auto tx = contracts_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(api.HandleMeetingsEvent(*tx, event).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(EventCount("DecisionLinked"), 1);
  v1::CreateProcurementRequest create;
  create.set_procurement_id("social-services-system");
  create.mutable_procurement()->set_title("Upphandling");
  *create.mutable_since_date() = Day(2022, 1, 10);
  v1::Procurement p;
  ASSERT_TRUE(Contracts(&Stub::CreateProcurement, create, &p).ok());
  ASSERT_EQ(p.decisions_size(), 1);
  EXPECT_EQ(p.decisions(0).paragraph_number(), 17);
}

}  // namespace
}  // namespace enamnd::contracts
