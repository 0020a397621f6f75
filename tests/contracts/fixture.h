// In-process contracts and meetings services sharing one real redis-server:
// the meetings service registers the members, and the contracts service
// learns them from its events. The contracts service's legal calendar is
// pinned to 2022-07-08, the demo's day.
#ifndef ENAMND_TESTS_CONTRACTS_FIXTURE_H_
#define ENAMND_TESTS_CONTRACTS_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/contracts/v1/contracts.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/contracts/api/service.h"
#include "services/meetings/api/service.h"
#include "tests/support/builders.h"
#include "tests/support/database.h"
#include "tests/support/members.h"
#include "tests/support/service_fixture.h"

namespace enamnd::contracts {

// A framework agreement 2021-01-01 to 2022-12-31 with options 1+1 years,
// three months' notice, entitled to `codes`.
inline v1::CreateAgreementRequest AgreementRequest(const std::string& id,
                                                   const std::vector<std::string>& codes) {
  v1::CreateAgreementRequest request;
  request.set_agreement_id(id);
  v1::Agreement* a = request.mutable_agreement();
  a->set_title("IT-konsulttjänster");
  a->set_case_number("2020/31-4.3.1");
  a->mutable_supplier()->set_display_name("Exempelbolaget AB");
  a->mutable_supplier()->set_organisation_number("556016-0680");
  v1::Terms* t = a->mutable_terms();
  t->set_type(v1::AGREEMENT_TYPE_FRAMEWORK);
  *t->mutable_start() = testing::Day(2021, 1, 1);
  *t->mutable_end() = testing::Day(2022, 12, 31);
  t->add_extensions()->set_months(12);
  t->add_extensions()->set_months(12);
  t->set_notice_months(3);
  t->set_call_off_method(v1::CALL_OFF_METHOD_RANKING);
  t->mutable_estimated_value()->set_ore(1200000000);
  for (const std::string& code : codes) a->add_entitled("municipalities/" + code);
  a->set_owner("Samordnaren");
  a->mutable_follow_up_routine()->set_every_months(6);
  return request;
}

class ContractsFixture : public ::testing::Test {
 protected:
  using ContractsStub = v1::ContractsService::Stub;
  using MeetingsStub = meetings::v1::MeetingsService::Stub;

  void SetUp() override {
    contracts_service_.Configure(
        [](platform::ServerConfig* config) { config->today = absl::CivilDay(2022, 7, 8); });
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(contracts_service_.Start().ok());
    contracts_ = contracts_service_.runner();
    contracts_stub_ = contracts_service_.stub();
    meetings_stub_ = meetings_service_.stub();
  }
  void TearDown() override {
    contracts_service_.Stop();
    meetings_service_.Stop();
  }

  template <typename Request, typename Response>
  grpc::Status Contracts(grpc::Status (ContractsStub::*method)(grpc::ClientContext*, const Request&,
                                                               Response*),
                         const Request& request, Response* response) {
    return enamnd::testing::Call(contracts_stub_, method, request, response);
  }

  // Registers the municipalities and waits until the contracts service
  // knows them.
  void RegisterMembers(const std::vector<std::string>& codes) {
    testing::RegisterMembers(meetings_stub_, codes, [&](const std::string& code) {
      v1::ListAgreementsRequest probe;
      probe.set_filter(absl::StrCat("municipality = \"municipalities/", code, "\""));
      v1::ListAgreementsResponse response;
      return Contracts(&ContractsStub::ListAgreements, probe, &response).ok();
    });
  }

  // Events of `type` (e.g. "AgreementExpiring") in the contracts outbox.
  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(contracts_->db(), "enamnd.contracts.v1." + type);
  }
  int64_t Rows(const std::string& table) { return testing::CountRows(contracts_->db(), table); }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  enamnd::testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  enamnd::testing::InProcess<v1::ContractsService> contracts_service_{
      "contracts", NewContractsService, dir_.path() + "/contracts", redis_.address()};
  platform::ServerRunner* contracts_ = nullptr;
  ContractsStub* contracts_stub_ = nullptr;
  MeetingsStub* meetings_stub_ = nullptr;
};

}  // namespace enamnd::contracts

#endif  // ENAMND_TESTS_CONTRACTS_FIXTURE_H_
