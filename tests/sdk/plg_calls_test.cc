// The args the plg SDK calls build are exactly docs/finance.md §13-§15's tables.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tidemark/client/contract_calls.h"

using namespace tidemark;
using namespace tidemark::client;
using nlohmann::json;

namespace {
const std::string kHex(64, 'a');
}

TEST_CASE("plg calls: ip_asset_register / ip_asset_update args; optional ones omitted") {
  IpAsset a{.kind = "invention",
            .number = "ZL2024100001.1",
            .title = "Pump",
            .owners = {"acme", "beta"},
            .filing_date = "2024-01-02",
            .expiry_date = "2044-01-02",
            .status = "valid"};
  CHECK(IpAssetRegisterArgs(a).ToJson() == json{{"kind", "invention"},
                                                {"number", "ZL2024100001.1"},
                                                {"title", "Pump"},
                                                {"owners", {"acme", "beta"}},
                                                {"filing_date", "2024-01-02"},
                                                {"expiry_date", "2044-01-02"},
                                                {"status", "valid"}});
  a.grant_date = "2025-03-04";
  a.annuity_paid_until = "2027-01-02";
  json j = IpAssetRegisterArgs(a).ToJson();
  CHECK(j["grant_date"] == "2025-03-04");
  CHECK(j["annuity_paid_until"] == "2027-01-02");
  CHECK(IpAssetUpdateArgs({.asset = "invention:X1", .status = "fee_unpaid"}).ToJson() ==
        json{{"asset", "invention:X1"}, {"status", "fee_unpaid"}});
  CHECK(IpAssetUpdateArgs({.asset = "invention:X1", .grant_date = "2025-03-04"}).ToJson() ==
        json{{"asset", "invention:X1"}, {"grant_date", "2025-03-04"}});
}

TEST_CASE("plg calls: ip_apply, change, eq, wr args") {
  CHECK(IpApplyArgs({.asset = "invention:X1",
                     .pledgee = "bank1",
                     .debt_amount = 5000000,
                     .currency = "CNY",
                     .debt_start = "2026-01-01",
                     .debt_due = "2027-01-01",
                     .contract_hash = kHex})
            .ToJson() == json{{"asset", "invention:X1"},
                              {"pledgee", "bank1"},
                              {"debt_amount", 5000000},
                              {"currency", "CNY"},
                              {"debt_start", "2026-01-01"},
                              {"debt_due", "2027-01-01"},
                              {"contract_hash", kHex}});
  CHECK(PlgChangeArgs({.pledge = "ipp_1", .debt_due = "2028-01-01", .application_hash = kHex})
            .ToJson() ==
        json{{"pledge", "ipp_1"}, {"debt_due", "2028-01-01"}, {"application_hash", kHex}});
  CHECK(PlgChangeArgs({.pledge = "eqp_1", .amount = 7, .application_hash = kHex}).ToJson() ==
        json{{"pledge", "eqp_1"}, {"amount", 7}, {"application_hash", kHex}});
  CHECK(EqHoldingArgs({.org = "acme",
                       .uscc = "91350100M000100Y43",
                       .company = "Co",
                       .listed = true,
                       .amount = 100})
            .ToJson() == json{{"org", "acme"},
                              {"uscc", "91350100M000100Y43"},
                              {"company", "Co"},
                              {"listed", true},
                              {"amount", 100}});
  CHECK(EqApplyArgs({.uscc = "U",
                     .pledgee = "bank1",
                     .amount = 10,
                     .debt_amount = 20,
                     .currency = "CNY",
                     .debt_due = "2027-01-01",
                     .contract_hash = kHex})
            .ToJson() == json{{"uscc", "U"},
                              {"pledgee", "bank1"},
                              {"amount", 10},
                              {"debt_amount", 20},
                              {"currency", "CNY"},
                              {"debt_due", "2027-01-01"},
                              {"contract_hash", kHex}});
  CHECK(WrIssueArgs({.items = {"a", "b"}}).ToJson() == json{{"items", {"a", "b"}}});
  CHECK(WrIssueArgs({.items = {"a"}, .depositor = "acme", .description = "milk"}).ToJson() ==
        json{{"items", {"a"}}, {"depositor", "acme"}, {"description", "milk"}});
  CHECK(WrOfferArgs({.receipt = "wr_1",
                     .bank = "bank1",
                     .amount = 9,
                     .currency = "CNY",
                     .debt_due = "2027-01-01"})
            .ToJson() == json{{"receipt", "wr_1"},
                              {"bank", "bank1"},
                              {"amount", 9},
                              {"currency", "CNY"},
                              {"debt_due", "2027-01-01"}});
  CHECK(WrReleaseArgs("wr_1", {}, 0).ToJson() == json{{"receipt", "wr_1"}});
  CHECK(WrReleaseArgs("wr_1", {}, 3).ToJson() == json{{"receipt", "wr_1"}, {"quantity", 3}});
  CHECK(WrReleaseArgs("wr_1", {"x"}, 3).ToJson() == json{{"receipt", "wr_1"}, {"items", {"x"}}});
}

TEST_CASE("plg calls: PlgIdOf is prefix + the first 20 hex digits of the tx id") {
  Hash256 h{};
  h.data[0] = 0xab;
  CHECK(PlgIdOf("ipp_", h) == "ipp_ab" + std::string(18, '0'));
}
