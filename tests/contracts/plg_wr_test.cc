// Warehouse receipts (docs/finance.md §15): issue against provenance custody, offer, accept by the
// bank, the provenance block, partial and full release, cancel, transfer, wrong callers.
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace pk = tidemark::state_keys::plg;

const std::string kGtin = "10614141073464";
const std::string kA = "https://id.gs1.org/01/10614141073464/10/L1/21/A1";
const std::string kB = "https://id.gs1.org/01/10614141073464/10/L1/21/B1";
const std::string kC = "https://id.gs1.org/01/10614141073464/10/L1/21/C1";
const std::string kWh = "urn:epc:id:sgln:0012345.22222.0";
const std::string kOther = "urn:epc:id:sgln:0012345.33333.0";

std::string Canon(const std::string& id) { return *CanonicalId(id); }

void Setup(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"forwarder", {Role::kForwarder, Role::kExporter}},
          {"warehouse", {Role::kBondedWarehouse}},
          {"warehouse2", {Role::kBondedWarehouse}},
          {"retail", {Role::kRetailer}},
          {"bank", {Role::kBank}},
          {"bank2", {Role::kBank}},
          {"regulator", {Role::kRegulator}}});
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                    Value::Map{{"gtin", kGtin},
                               {"name", "Face cream 50 ml"},
                               {"origin_country", "FR"},
                               {"company_prefix_length", 7}})));
  auto commission = Ev("ObjectEvent", "ADD", "commissioning", {kA, kB, kC});
  commission["bizLocation"] = {{"id", "urn:epc:id:sgln:0614141.00888.0"}};
  REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
  REQUIRE(Ok(c.Call("warehouse/admin", "prov", "register_location",
                    Value::Map{{"gln", kWh}, {"name", "Bonded warehouse"}})));
  REQUIRE(Ok(c.Call("warehouse2/admin", "prov", "register_location",
                    Value::Map{{"gln", kOther}, {"name", "Other warehouse"}})));
}

// A, B, C handed to the warehouse and stored at its location.
void Store(Chain& c) {
  REQUIRE(Ok(Handover(c, "brand/admin", "warehouse", {kA, kB, kC})));
  auto store = Ev("ObjectEvent", "OBSERVE", "storing", {kA, kB, kC});
  store["bizLocation"] = {{"id", kWh}};
  REQUIRE(Ok(Capture(c, "warehouse/admin", {store})));
  REQUIRE(StateOf(c, kA) == "IN_BONDED_WAREHOUSE");
}

Value Items(std::vector<std::string> ids) { return Value::List(ids.begin(), ids.end()); }

void Refused(Chain&, const Receipt& r, const std::string& needle) {
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find(needle) != std::string::npos);
}

void RefusedNoChange(Chain& c, const std::string& signer, const std::string& method,
                     const Value& args, const std::string& needle) {
  const auto before = Snapshot(c);
  Refused(c, c.Call(signer, "plg", method, args), needle);
  CHECK(Snapshot(c) == before);
}

std::string Issue(Chain& c, std::vector<std::string> items) {
  Receipt r = c.Call("warehouse/admin", "plg", "wr_issue", Value::Map{{"items", Items(items)}});
  INFO(r.reason);
  REQUIRE(Ok(r));
  return PlgIdFor("wr", r.tx_id);
}

std::string S(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}
Value Rec(Chain& c, const std::string& id) { return **GetValue(c.state, pk::Receipt(id)); }
bool Has(Chain& c, const std::string& key) { return GetValue(c.state, key)->has_value(); }

Value OfferArgs(const std::string& id, const std::string& bank) {
  return Value::Map{{"receipt", id},
                    {"bank", bank},
                    {"amount", 1000000},
                    {"currency", "CNY"},
                    {"debt_due", "2027-01-01"}};
}

TEST_CASE("wr_issue is refused on every custody ground, changing nothing") {
  Chain c;
  Setup(c);
  // Not the holder (the brand still holds A).
  RefusedNoChange(c, "warehouse/admin", "wr_issue", Value::Map{{"items", Items({kA})}},
                  "rule plg-custody: item " + Canon(kA));
  // Wrong state: handed over but not yet received / stored (COMMISSIONED).
  REQUIRE(Ok(Handover(c, "brand/admin", "warehouse", {kA, kB, kC})));
  RefusedNoChange(c, "warehouse/admin", "wr_issue", Value::Map{{"items", Items({kA})}},
                  "rule plg-item-state: item " + Canon(kA));
  // Location not the issuer's: stored without a location, the item is still where it was
  // commissioned (a location the warehouse did not register).
  REQUIRE(Ok(Capture(c, "warehouse/admin", {Ev("ObjectEvent", "OBSERVE", "storing", {kB})})));
  RefusedNoChange(c, "warehouse/admin", "wr_issue", Value::Map{{"items", Items({kB})}},
                  "rule plg-location: item " + Canon(kB));
  auto store = Ev("ObjectEvent", "OBSERVE", "storing", {kA, kB, kC});
  store["bizLocation"] = {{"id", kWh}};
  REQUIRE(Ok(Capture(c, "warehouse/admin", {store})));
  // Not a BONDED_WAREHOUSE key; another warehouse (not the holder).
  RefusedNoChange(c, "bank/admin", "wr_issue", Value::Map{{"items", Items({kA})}},
                  "rule plg-caller");
  RefusedNoChange(c, "warehouse2/admin", "wr_issue", Value::Map{{"items", Items({kA})}},
                  "rule plg-custody");
  // Unknown item.
  RefusedNoChange(c, "warehouse/admin", "wr_issue",
                  Value::Map{{"items", Items({"urn:epc:id:sgtin:0614141.107346.9"})}},
                  "rule plg-custody");
  // Already under a receipt.
  Issue(c, {kA});
  RefusedNoChange(c, "warehouse/admin", "wr_issue", Value::Map{{"items", Items({kB, kA})}},
                  "rule plg-receipt-taken: item " + Canon(kA) + " is under warehouse receipt wr_");
  // Recalled by the regulator.
  Receipt recall = Capture(c, "regulator/admin", {Ev("ObjectEvent", "OBSERVE", "recalling", {kC})});
  INFO(recall.reason);
  REQUIRE(Ok(recall));
  RefusedNoChange(c, "warehouse/admin", "wr_issue", Value::Map{{"items", Items({kC})}},
                  "rule plg-item-state: item " + Canon(kC) + " is RECALLED");
}

TEST_CASE("warehouse receipt: issue, offer, accept, block, partial and full release") {
  Chain c;
  Setup(c);
  Store(c);
  const std::string id = Issue(c, {kA, kB, kC});
  CHECK(S(Rec(c, id), "state") == "ISSUED");
  CHECK(Has(c, pk::ReceiptItem(Canon(kA))));
  CHECK(S(**GetValue(c.state, pk::EncReceipt(id)), "state") == "issued");
  // Offer: only the holder; bank must be a BANK.
  RefusedNoChange(c, "brand/admin", "wr_offer", OfferArgs(id, "bank"), "rule plg-");
  RefusedNoChange(c, "warehouse/admin", "wr_offer", OfferArgs(id, "retail"), "rule plg-parties");
  REQUIRE(Ok(c.Call("warehouse/admin", "plg", "wr_offer", OfferArgs(id, "bank"))));
  RefusedNoChange(c, "warehouse/admin", "wr_cancel", Value::Map{{"receipt", id}}, "rule plg-state");
  // Accept: only the offered bank.
  RefusedNoChange(c, "bank2/admin", "wr_accept", Value::Map{{"receipt", id}}, "rule plg-");
  RefusedNoChange(c, "warehouse/admin", "wr_accept", Value::Map{{"receipt", id}}, "rule plg-");
  REQUIRE(Ok(c.Call("bank/admin", "plg", "wr_accept", Value::Map{{"receipt", id}})));
  CHECK(S(Rec(c, id), "state") == "PLEDGED");
  CHECK(S(**GetValue(c.state, pk::EncReceipt(id)), "state") == "pledged");
  RefusedNoChange(c, "warehouse/admin", "wr_transfer",
                  Value::Map{{"receipt", id}, {"to", "retail"}}, "rule plg-state");
  // The provenance block.
  {
    const auto before = Snapshot(c);
    Refused(c, Capture(c, "warehouse/admin", {Ev("ObjectEvent", "OBSERVE", "shipping", {kA})}),
            "rule prov-pledged: " + Canon(kA) + " is under warehouse receipt " + id + " (PLEDGED)");
    Refused(c,
            c.Call("warehouse/admin", "prov", "transfer_custody",
                   Value::Map{{"items", Items({kB})}, {"to", "retail"}}),
            "rule prov-pledged: " + Canon(kB));
    CHECK(Snapshot(c) == before);
  }
  // Release: only the pledgee.
  RefusedNoChange(c, "bank2/admin", "wr_release", Value::Map{{"receipt", id}, {"quantity", 1}},
                  "rule plg-");
  RefusedNoChange(c, "warehouse/admin", "wr_release", Value::Map{{"receipt", id}, {"quantity", 1}},
                  "rule plg-");
  RefusedNoChange(c, "bank/admin", "wr_release", Value::Map{{"receipt", id}, {"quantity", 4}},
                  "rule plg-items");
  // By items: A.
  REQUIRE(Ok(c.Call("bank/admin", "plg", "wr_release",
                    Value::Map{{"receipt", id}, {"items", Items({kA})}})));
  CHECK_FALSE(Has(c, pk::ReceiptItem(Canon(kA))));
  CHECK(Has(c, pk::ReceiptItem(Canon(kB))));
  REQUIRE(Ok(Handover(c, "warehouse/admin", "forwarder", {kA})));  // the released item moves
  Refused(c,
          c.Call("warehouse/admin", "prov", "transfer_custody",
                 Value::Map{{"items", Items({kB})}, {"to", "retail"}}),
          "rule prov-pledged");
  // By quantity: the first in id order (B), then the last (C) → RELEASED.
  REQUIRE(
      Ok(c.Call("bank/admin", "plg", "wr_release", Value::Map{{"receipt", id}, {"quantity", 1}})));
  CHECK_FALSE(Has(c, pk::ReceiptItem(Canon(kB))));
  CHECK(S(Rec(c, id), "state") == "PLEDGED");
  REQUIRE(
      Ok(c.Call("bank/admin", "plg", "wr_release", Value::Map{{"receipt", id}, {"quantity", 1}})));
  CHECK(S(Rec(c, id), "state") == "RELEASED");
  CHECK_FALSE(Has(c, pk::EncReceipt(id)));
  CHECK_FALSE(Has(c, pk::ReceiptItem(Canon(kC))));
  REQUIRE(Ok(Handover(c, "warehouse/admin", "forwarder", {kB, kC})));
}

TEST_CASE("warehouse receipt: cancel and transfer by the right org only") {
  Chain c;
  Setup(c);
  Store(c);
  const std::string id = Issue(c, {kA});
  RefusedNoChange(c, "brand/admin", "wr_transfer", Value::Map{{"receipt", id}, {"to", "retail"}},
                  "rule plg-");
  REQUIRE(Ok(c.Call("warehouse/admin", "plg", "wr_transfer",
                    Value::Map{{"receipt", id}, {"to", "retail"}})));
  CHECK(S(Rec(c, id), "holder") == "retail");
  RefusedNoChange(c, "warehouse2/admin", "wr_cancel", Value::Map{{"receipt", id}}, "rule plg-");
  REQUIRE(Ok(c.Call("warehouse/admin", "plg", "wr_cancel", Value::Map{{"receipt", id}})));
  CHECK(S(Rec(c, id), "state") == "CANCELLED");
  CHECK_FALSE(Has(c, pk::ReceiptItem(Canon(kA))));
  CHECK_FALSE(Has(c, pk::EncReceipt(id)));
  REQUIRE(Ok(Handover(c, "warehouse/admin", "forwarder", {kA})));
}

}  // namespace
}  // namespace tidemark::contracts
