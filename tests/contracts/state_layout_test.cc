// The contracts write their state exactly where tidemark/state_keys/*.h says: a story that touches
// every contract leaves no key outside the exported layout, and every record it wrote is found
// again by the builder the node, the CLI and the verifiers use (docs/contracts.md, "State key
// layout"). A contract that spells a key by hand, or a builder that drifts from the contract,
// fails here.
#include <catch2/catch.hpp>
#include <set>

#include "prov_util.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/governance.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/state_keys/system.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace sk = state_keys;

const std::string kGtin = "10614141073464";
const std::string kItemA = "https://id.gs1.org/01/10614141073464/10/L1/21/A1";
const std::string kItemB = "https://id.gs1.org/01/10614141073464/10/L1/21/B1";
const std::string kPallet = "urn:epc:id:sscc:0614141.1234567890";
const std::string kLot = "/01/10614141073464/10/L1";
const std::string kBonded = "urn:epc:id:sgln:0012345.22222.0";
const std::string kEventId = "urn:uuid:11111111-1111-1111-1111-111111111111";
const std::string kHash = std::string(64, 'b');

std::string Canon(const std::string& id) { return *CanonicalId(id); }

bool AllDigits(std::string_view s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789") == std::string_view::npos;
}
bool IsHexKey(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}
// The rest of `key` after `prefix`, or nullopt if it does not start with it.
std::optional<std::string_view> After(std::string_view key, std::string_view prefix) {
  if (!sk::HasPrefix(key, prefix)) return std::nullopt;
  return key.substr(prefix.size());
}
// "<a> <b>" -> {a, b} when both are non-empty and there is exactly one space.
std::optional<std::pair<std::string, std::string>> SplitSpace(std::string_view s) {
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 == s.size() ||
      s.find(' ', sp + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return std::pair<std::string, std::string>(s.substr(0, sp), s.substr(sp + 1));
}

// The name of the layout entry `key` belongs to, after checking that rebuilding it with that
// entry's builder gives the same key; "" if it belongs to none.
std::string Classify(const std::string& key) {
  for (std::string_view exact : {sk::sys::kGenesis, sk::gov::kNextProposal, sk::gov::kValidators,
                                 sk::gov::kValidatorsPending, sk::prov::kNextSeq}) {
    if (key == exact) return std::string(exact);
  }
  if (auto r = After(key, sk::sys::kNoncePrefix)) {
    auto pk = PublicKey::FromHex(*r);
    return IsHexKey(*r) && pk.ok() && sk::sys::Nonce(*pk) == key ? "sys.nonce" : "";
  }
  if (auto r = After(key, sk::identity::kOrgPrefix)) {
    return IsValidOrgId(*r) && sk::identity::Org(*r) == key ? "identity.org" : "";
  }
  if (auto r = After(key, sk::identity::kKeyPrefix)) {
    auto pk = PublicKey::FromHex(*r);
    return IsHexKey(*r) && pk.ok() && sk::identity::Key(*pk) == key ? "identity.key" : "";
  }
  if (auto r = After(key, sk::identity::kOrgKeyPrefix)) {
    size_t slash = r->find('/');
    if (slash == std::string_view::npos) return "";
    std::string_view org = r->substr(0, slash), hex = r->substr(slash + 1);
    auto pk = PublicKey::FromHex(hex);
    return IsValidOrgId(org) && IsHexKey(hex) && pk.ok() && sk::identity::OrgKey(org, *pk) == key
               ? "identity.orgKey"
               : "";
  }
  if (auto r = After(key, sk::gov::kProposalPrefix)) {
    return AllDigits(*r, 16) && sk::gov::Proposal(std::stoull(std::string(*r))) == key
               ? "gov.proposal"
               : "";
  }
  if (auto r = After(key, sk::gov::kParamPrefix)) {
    return !r->empty() && sk::gov::Param(*r) == key ? "gov.param" : "";
  }
  if (auto r = After(key, sk::prov::kEventPrefix)) {
    return AllDigits(*r, 16) && sk::prov::Event(std::stoull(std::string(*r))) == key ? "prov.event"
                                                                                     : "";
  }
  if (auto r = After(key, sk::prov::kIndexPrefix)) {
    static const std::set<std::string, std::less<>> kIndexes = {
        "epc", "any", "parent", "class", "type", "step", "disp", "loc", "time", "biztx"};
    size_t slash = r->find('/');
    if (slash == std::string_view::npos || !kIndexes.count(r->substr(0, slash))) return "";
    std::string index(r->substr(0, slash));
    std::string_view rest = r->substr(slash + 1);
    size_t sp = rest.rfind(' ');
    if (sp == std::string_view::npos || !AllDigits(rest.substr(sp + 1), 16)) return "";
    std::string value(rest.substr(0, sp));
    if (index == "time" && !AllDigits(value, 20)) return "";
    uint64_t seq = std::stoull(std::string(rest.substr(sp + 1)));
    return sk::prov::Index(index, value, seq) == key ? "prov.index" : "";
  }
  if (auto r = After(key, sk::prov::kEdgePrefix)) {
    static const std::set<std::string, std::less<>> kRels = {"in", "has", "made", "from",
                                                             "lotitem"};
    size_t slash = r->find('/');
    if (slash == std::string_view::npos || !kRels.count(r->substr(0, slash))) return "";
    auto ends = SplitSpace(r->substr(slash + 1));
    if (!ends) return "";
    std::string rel(r->substr(0, slash));
    return sk::prov::Edge(rel, ends->first, ends->second) == key &&
                   sk::HasPrefix(key, sk::prov::EdgePrefix(rel, ends->first))
               ? "prov.edge"
               : "";
  }
  if (auto r = After(key, sk::prov::kDelegPrefix)) {
    auto parts = SplitSpace(*r);
    return parts && sk::prov::Deleg(parts->first, parts->second) == key ? "prov.deleg" : "";
  }
  if (auto r = After(key, sk::fin::kReceivablePrefix)) {
    return ReceivableOfPart(*r) == *r && sk::fin::Receivable(*r) == key ? "fin.receivable" : "";
  }
  using HexBuilder = std::string (*)(std::string_view);
  const std::pair<std::string_view, std::pair<const char*, HexBuilder>> hex_records[] = {
      {sk::fin::kFingerprintPrefix, {"fin.fingerprint", &sk::fin::Fingerprint}},
      {sk::fin::kInvoiceKeyPrefix, {"fin.invoiceKey", &sk::fin::InvoiceKey}},
      {sk::fin::kFingerprintIdPrefix, {"fin.fingerprintId", &sk::fin::FingerprintId}}};
  for (const auto& [prefix, entry] : hex_records) {
    if (auto r = After(key, prefix)) {
      return IsHexKey(*r) && entry.second(*r) == key ? entry.first : "";
    }
  }
  if (auto r = After(key, sk::fin::kPartyPrefix)) {
    auto parts = SplitSpace(*r);
    return parts && IsValidOrgId(parts->first) &&
                   ReceivableOfPart(parts->second) == parts->second &&
                   sk::fin::Party(parts->first, parts->second) == key &&
                   sk::HasPrefix(key, sk::fin::PartyPrefix(parts->first))
               ? "fin.party"
               : "";
  }
  if (auto r = After(key, sk::fin::kHistoryPrefix)) {
    auto parts = SplitSpace(*r);
    return parts && ReceivableOfPart(parts->first) == parts->first &&
                   AllDigits(parts->second, 16) &&
                   sk::fin::History(parts->first, std::stoull(parts->second)) == key
               ? "fin.history"
               : "";
  }
  if (auto r = After(key, sk::alerts::HistLogPrefix("fin/"))) {
    // "<time:20 (offset by 2^63)> <height:16> <index:16> <k:16>"
    if (r->size() != 20 + 3 * 17 || (*r)[20] != ' ' || (*r)[37] != ' ' || (*r)[54] != ' ')
      return "";
    std::string_view t = r->substr(0, 20), h = r->substr(21, 16), i = r->substr(38, 16),
                     k = r->substr(55, 16);
    if (!AllDigits(t, 20) || !AllDigits(h, 16) || !AllDigits(i, 16) || !AllDigits(k, 16)) return "";
    const auto time_ms = static_cast<int64_t>(std::stoull(std::string(t)) - (uint64_t{1} << 63));
    return sk::alerts::HistLog("fin/", time_ms, std::stoull(std::string(h)),
                               static_cast<uint32_t>(std::stoul(std::string(i))),
                               static_cast<uint32_t>(std::stoul(std::string(k)))) == key
               ? "fin.hlog"
               : "";
  }
  if (auto r = After(key, sk::alerts::AlertPrefix("fin/"))) {
    // "<height:16> <index:16> <k:16>"
    if (r->size() != 3 * 16 + 2 || (*r)[16] != ' ' || (*r)[33] != ' ') return "";
    std::string_view h = r->substr(0, 16), i = r->substr(17, 16), k = r->substr(34, 16);
    if (!AllDigits(h, 16) || !AllDigits(i, 16) || !AllDigits(k, 16)) return "";
    return sk::alerts::Alert("fin/", std::stoull(std::string(h)),
                             static_cast<uint32_t>(std::stoul(std::string(i))),
                             static_cast<uint32_t>(std::stoul(std::string(k)))) == key
               ? "fin.alert"
               : "";
  }
  if (auto r = After(key, std::string_view("fin/alerted/"))) {
    // "<kind> <subject>"
    auto parts = SplitSpace(*r);
    return parts && sk::alerts::Alerted("fin/", parts->first, parts->second) == key ? "fin.alerted"
                                                                                    : "";
  }
  if (auto r = After(key, sk::fin::kAttemptPrefix)) {
    // "<fingerprint hex> <height:16> <index:8>"
    if (r->size() != 64 + 1 + 16 + 1 + 8 || (*r)[64] != ' ' || (*r)[81] != ' ') return "";
    std::string_view fp = r->substr(0, 64), h = r->substr(65, 16), i = r->substr(82, 8);
    if (!IsHexKey(fp) || !AllDigits(h, 16) || !AllDigits(i, 8)) return "";
    return sk::fin::Attempt(fp, std::stoull(std::string(h)),
                            static_cast<uint32_t>(std::stoul(std::string(i)))) == key
               ? "fin.attempt"
               : "";
  }
  using Builder = std::string (*)(std::string_view);
  const std::pair<std::string_view, std::pair<const char*, Builder>> records[] = {
      {sk::prov::kEventIdPrefix, {"prov.eventId", &sk::prov::EventId}},
      {sk::prov::kErrPrefix, {"prov.err", &sk::prov::Err}},
      {sk::prov::kObjPrefix, {"prov.obj", &sk::prov::Obj}},
      {sk::prov::kLotPrefix, {"prov.lot", &sk::prov::Lot}},
      {sk::prov::kProductPrefix, {"prov.product", &sk::prov::Product}},
      {sk::prov::kLocationPrefix, {"prov.location", &sk::prov::Location}},
      {sk::prov::kPartyPrefix, {"prov.party", &sk::prov::Party}},
      {sk::prov::kCustomsPrefix, {"prov.customs", &sk::prov::Customs}},
      {sk::prov::kCertPrefix, {"prov.cert", &sk::prov::Cert}},
      {sk::prov::kRecallPrefix, {"prov.recall", &sk::prov::Recall}},
      {sk::prov::kScanPrefix, {"prov.scan", &sk::prov::Scan}}};
  for (const auto& [prefix, entry] : records) {
    if (auto r = After(key, prefix)) {
      return !r->empty() && entry.second(*r) == key ? entry.first : "";
    }
  }
  return "";
}

void Must(const Receipt& r) {
  INFO(r.reason);
  REQUIRE(Ok(r));
}

// The finance chapter: the warehouse invoices the retailer, which confirms against its receiving
// event; a split, a transfer, a bank's finance, two refused (audited) re-registrations (the second
// alerted), settlement.
std::string FinanceStory(Chain& c) {
  Value::List refs{Value::Map{{"type", "po"}, {"id", "PO-1"}}};
  Receipt reg = c.Call("warehouse/admin", "fin", "register",
                       Value::Map{{"debtor", "retail"},
                                  {"currency", "CNY"},
                                  {"contract", Value::Map{{"number", "C-1"}, {"hash", kHash}}},
                                  {"invoices", Value::List{Value::Map{{"number", "INV-1"},
                                                                      {"amount", 1000},
                                                                      {"tax", 130},
                                                                      {"date", "2024-03-01"},
                                                                      {"hash", kHash}}}},
                                  {"issue_date", "2024-03-01"},
                                  {"due_date", "2024-06-01"},
                                  {"refs", Value(refs)},
                                  {"require_delivery", true}});
  Must(reg);
  const std::string id = ReceivableIdFor(reg.tx_id);
  auto receive =
      Ev("ObjectEvent", "OBSERVE", "receiving", {"urn:epc:id:sgtin:0614141.107346.2018"});
  receive["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", "PO-1"}}};
  Must(Capture(c, "retail/admin", {receive}));
  Must(c.Call("retail/admin", "fin", "confirm", Value::Map{{"id", id}}));
  Must(c.Call("warehouse/admin", "fin", "split",
              Value::Map{{"part", id}, {"amounts", Value::List{400, 600}}}));
  Must(c.Call("warehouse/admin", "fin", "transfer",
              Value::Map{{"part", id + ".1"}, {"to", "forwarder"}}));
  Must(c.Call(
      "warehouse/admin", "fin", "offer_finance",
      Value::Map{{"part", id + ".2"}, {"bank", "bank"}, {"kind", "pledge"}, {"amount", 500}}));
  Must(c.Call("bank/admin", "fin", "accept_finance", Value::Map{{"part", id + ".2"}}));
  const Value again_args(Value::Map{
      {"debtor", "retail"},
      {"currency", "CNY"},
      {"contract", Value::Map{{"number", "C-1"}, {"hash", kHash}}},
      {"invoices",
       Value::List{Value::Map{
           {"number", "INV-1"}, {"amount", 1000}, {"date", "2024-03-01"}, {"hash", kHash}}}},
      {"issue_date", "2024-03-01"},
      {"due_date", "2024-06-01"}});
  Receipt again = c.Call("warehouse/admin", "fin", "register", again_args);
  REQUIRE(again.status == TxStatus::kRejected);
  // A second refused attempt on the invoice: the repeated-registration alert (audit).
  Receipt third = c.Call("warehouse/admin", "fin", "register", again_args);
  REQUIRE(third.status == TxStatus::kRejected);
  Must(c.Call("retail/admin", "fin", "settle", Value::Map{{"id", id}}));
  return id;
}

// A story through every contract: genesis, a member key, a governance vote, master data, events
// with an error declaration, custody, a broker's delegation, customs, a certificate, a scan, a
// recall and a receivable.
std::string Story(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"forwarder", {Role::kForwarder, Role::kExporter}},
          {"broker", {Role::kCustomsBroker}},
          {"customs", {Role::kCustoms}},
          {"inspector", {Role::kInspector}},
          {"warehouse", {Role::kBondedWarehouse}},
          {"retail", {Role::kRetailer}},
          {"bank", {Role::kBank}},
          {"regulator", {Role::kRegulator}}});
  Must(c.Call("brand/admin", "identity", "enrol_key",
              Value::Map{{"key", KeyFor("brand/clerk").public_key().Hex()},
                         {"roles", Value::List{"BRAND"}}}));
  Must(c.Call("brand/admin", "gov", "propose",
              Value::Map{{"kind", "set_param"}, {"name", "x"}, {"value", 42}}));
  for (const char* org :
       {"brand", "forwarder", "broker", "customs", "inspector", "warehouse", "retail"}) {
    Must(c.Call(std::string(org) + "/admin", "gov", "vote",
                Value::Map{{"proposal", 1}, {"yes", true}}));
  }
  REQUIRE(GetIntParam(c.state, "x", 0) == 42);
  Must(c.Call("brand/admin", "prov", "register_product",
              Value::Map{{"gtin", kGtin},
                         {"name", "Face cream 50 ml"},
                         {"origin_country", "FR"},
                         {"company_prefix_length", 7}}));
  Must(c.Call("brand/admin", "prov", "register_lot",
              Value::Map{{"gtin", kGtin}, {"lot", "L1"}, {"expiry_date", "2027-01-10"}}));
  Must(c.Call("warehouse/admin", "prov", "register_location",
              Value::Map{{"gln", kBonded}, {"name", "Bonded warehouse"}}));
  Must(c.Call("retail/admin", "prov", "register_party",
              Value::Map{{"id", "retail-shop-1"}, {"name", "Retail shop"}}));
  auto commission = Ev("ObjectEvent", "ADD", "commissioning", {kItemA, kItemB});
  commission["bizLocation"] = {{"id", "urn:epc:id:sgln:0614141.00888.0"}};
  commission["eventID"] = kEventId;
  Must(Capture(c, "brand/admin", {commission}));
  auto decl = commission;
  decl["errorDeclaration"] = {{"declarationTime", "2024-03-02T00:00:00Z"},
                              {"reason", "incorrect_data"}};
  Must(Capture(c, "brand/admin", {decl}));
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kItemA, kItemB});
  pack["parentID"] = kPallet;
  Must(Capture(c, "brand/admin", {pack}));
  Must(Handover(c, "brand/admin", "forwarder", {kPallet}));
  Must(EngageBroker(c, "forwarder", "broker"));
  Must(c.Call("broker/admin", "prov", "customs_declare",
              Value::Map{{"declaration_no", "D-1"},
                         {"mode", "9610"},  // direct B2C: 1210 needs goods stored bonded
                         {"order_no", "ORD-1"},
                         {"payment_no", "PAY-1"},
                         {"waybill_no", "WB-1"},
                         {"items", Value::List{kPallet}},
                         {"origin_country", "FR"}}));
  Must(c.Call("inspector/admin", "prov", "certify",
              Value::Map{{"certificate_id", "C-1"},
                         {"result", "conformant"},
                         {"report_sha256", std::string(64, 'a')},
                         {"issue_date", "2024-02-01"},
                         {"expiry_date", "2025-02-01"},
                         {"lots", Value::List{kLot}}}));
  Must(c.Call("retail/service", "prov", "scan", Value::Map{{"code", kItemA}}));
  Must(c.Call("brand/admin", "prov", "recall",
              Value::Map{{"lot", kLot}, {"reason", "contamination"}, {"recall_id", "R-1"}}));
  return FinanceStory(c);
}

TEST_CASE("every key the contracts write is in the exported layout, rebuilt by its builder") {
  Chain c;
  Story(c);
  std::set<std::string> seen;
  std::vector<std::string> outside;
  c.state.Scan("", [&](const std::string& key, const Bytes&) {
    std::string entry = Classify(key);
    if (entry.empty()) {
      outside.push_back(key);
    } else {
      seen.insert(entry);
    }
    return true;
  });
  CHECK(outside == std::vector<std::string>{});
  // The story reached every entry of the layout but the pending validator set and the edges of
  // transformations (prov/g/made, from: covered by the same "prov.edge" builder).
  const std::set<std::string> expected = {
      "sys/genesis",       "gov/next_proposal", "gov/validators",  "prov/next_seq",
      "sys.nonce",         "identity.org",      "identity.key",    "identity.orgKey",
      "gov.proposal",      "gov.param",         "prov.event",      "prov.index",
      "prov.edge",         "prov.deleg",        "prov.eventId",    "prov.err",
      "prov.obj",          "prov.lot",          "prov.product",    "prov.location",
      "prov.party",        "prov.customs",      "prov.cert",       "prov.recall",
      "prov.scan",         "fin.receivable",    "fin.fingerprint", "fin.invoiceKey",
      "fin.fingerprintId", "fin.party",         "fin.history",     "fin.attempt",
      "fin.hlog",          "fin.alert",         "fin.alerted"};
  CHECK(seen == expected);
}

TEST_CASE("the records a story wrote are found at the keys the builders give") {
  Chain c;
  const std::string id = Story(c);
  auto has = [&](const std::string& key) { return c.state.Get(key).has_value(); };
  const PublicKey clerk = KeyFor("brand/clerk").public_key();
  CHECK(has(sk::sys::Nonce(KeyFor("brand/admin").public_key())));
  CHECK(has(std::string(sk::sys::kGenesis)));
  CHECK(has(sk::identity::Org("brand")));
  CHECK(has(sk::identity::Key(clerk)));
  CHECK(has(sk::identity::OrgKey("brand", clerk)));
  CHECK(has(sk::gov::Proposal(1)));
  CHECK(has(sk::gov::Param("x")));
  CHECK(has(std::string(sk::gov::kValidators)));
  CHECK(has(sk::prov::Product(kGtin)));
  CHECK(has(sk::prov::Lot(kLot)));
  CHECK(has(sk::prov::Obj(Canon(kItemA))));
  CHECK(has(sk::prov::Obj(Canon(kPallet))));
  CHECK(has(sk::prov::Location(Canon(kBonded))));
  CHECK(has(sk::prov::Party("retail-shop-1")));
  CHECK(has(sk::prov::Customs("D-1")));
  CHECK(has(sk::prov::Cert("C-1")));
  CHECK(has(sk::prov::Recall("R-1")));
  CHECK(has(sk::prov::Scan(Canon(kItemA))));
  CHECK(has(sk::prov::Deleg("/org/forwarder", "broker")));
  CHECK(has(sk::prov::Event(1)));
  CHECK(has(sk::prov::EventId(kEventId)));
  CHECK(has(sk::prov::Err(kEventId)));
  CHECK(has(sk::prov::Index("epc", Canon(kItemA), 1)));
  CHECK(has(sk::prov::Edge("in", Canon(kItemA), Canon(kPallet))));
  size_t biztx = 0;
  c.state.Scan(sk::prov::IndexPrefix("biztx", "PO-1"), [&](const std::string&, const Bytes&) {
    ++biztx;
    return true;
  });
  CHECK(biztx == 1);
  auto h = InvoiceFingerprint({.creditor = "warehouse",
                               .debtor = "retail",
                               .number = "INV-1",
                               .amount = 1000,
                               .date = "2024-03-01"});
  REQUIRE(h.ok());
  CHECK(has(sk::fin::Receivable(id)));
  CHECK(has(sk::fin::Fingerprint(h->fingerprint.Hex())));
  CHECK(has(sk::fin::InvoiceKey(h->invoice_key.Hex())));
  CHECK(has(sk::fin::FingerprintId(h->fingerprint.Hex())));
  CHECK(has(sk::fin::Party("bank", id)));
  CHECK(has(sk::fin::History(id, 1)));
  std::vector<std::string> attempts;
  c.state.Scan(sk::fin::AttemptPrefix(h->fingerprint.Hex()),
               [&](const std::string& key, const Bytes&) {
                 attempts.push_back(key);
                 return true;
               });
  CHECK(attempts.size() == 2);
  CHECK(has(sk::alerts::Alerted("fin/", "repeated-registration", h->fingerprint.Hex())));
  std::vector<std::string> mine;
  c.state.Scan(sk::fin::PartyPrefix("forwarder"), [&](const std::string& key, const Bytes&) {
    mine.push_back(key);
    return true;
  });
  CHECK(mine == std::vector<std::string>{sk::fin::Party("forwarder", id)});
  // The explorer's product page lists lots with this prefix scan.
  std::vector<std::string> lots;
  c.state.Scan(sk::prov::LotPrefixOfProduct(kGtin), [&](const std::string& key, const Bytes&) {
    lots.push_back(key);
    return true;
  });
  CHECK(lots == std::vector<std::string>{sk::prov::Lot(kLot)});
  // The contracts' own key functions are the exported builders.
  CHECK(NonceKey(clerk) == sk::sys::Nonce(clerk));
  CHECK(OrgKey("brand") == sk::identity::Org("brand"));
  CHECK(KeyRecordKey(clerk) == sk::identity::Key(clerk));
  CHECK(SeqKey(42) == sk::SeqPart(42));
}

}  // namespace
}  // namespace tidemark::contracts
