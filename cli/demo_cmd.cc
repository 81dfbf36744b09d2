// `tidemark demo load`: loads a realistic provenance story into a running network through the
// REST API a platform would use (signed txs to POST /v1/txs, each awaited until final).
//
//   tidemark demo load --url http://127.0.0.1:8080 --network run/local-4
//
// The story: a New Zealand infant-formula brand (stage 1 made in NZ, stage 2 by a contract
// manufacturer in Australia) registers its products (GTIN-14), lots and locations, commissions
// serialised cans, packs them on pallets (SSCC), exports them into a Hangzhou bonded warehouse
// (where they are under customs control, docs/provenance.md "Customs clearance"), a third-party
// inspector certifies the lots; a consumer's online order is declared by the platform as a bonded
// import (customs mode 1210, with the order / payment / waybill numbers), customs inspects and
// releases it and the can is sold (a sale before the release is refused); five cans are cleared
// as a general-trade import (0110), received by a Shanghai shop, stocked and sold; a parcel comes
// in as a direct B2C import (9610); finally one lot is recalled. Customs records carry their own
// declared / release times, and every sale is dated after its release.
//
// The finance chapter, on the same import (docs/finance.md): the bonded warehouse's operator
// invoices the platform for the consignment of PO-88121 and asks for delivery evidence; the
// platform's confirmation is refused until the platform itself has captured the `receiving` event
// of the pallets naming PO-88121 and the despatch advice in its bizTransactionList; then the
// operator splits the receivable and transfers a part to its trucking sub-contractor, a bank
// checks the invoice by its fingerprint (a verified proof) and finances that part, a second
// bank's attempt is refused, so is a re-registration of the invoice, and the platform settles at
// the end: the ledger names who is paid what. Organisations the genesis lacks for this (a
// warehouse operator and a sub-contractor other than the platform's org, a bank, a second bank —
// local-4 has one BANK org) are admitted by a governance vote of every organisation, with an
// admin key derived like the personas' keys and written to <network>/demo-keys/ too.
//
// The pledge chapter (docs/finance.md §12-§16, "Demo, pledge chapter"), after the settlement: the
// bonded warehouse issues a warehouse receipt over a pallet, the bank takes it as collateral, a
// sale of a can on it is refused (prov-pledged), the bank releases two cans and they are sold;
// the regulator records the brand's holding in its Chinese subsidiary and registers a share pledge
// to the bank; an IP registry (admitted by a vote: local-4's IP_REGISTRY org is the bank itself)
// refuses the brand's trademark pledge while its fee is unpaid (plg-annuity), then registers it.
// The regulator's alert list must be empty at the end.
//
// Every act is legitimate under the ownership rules (docs/provenance.md, "Who may do what to
// whose object"): where two personas belong to different organisations, the holder hands goods
// over (prov.transfer_custody, accepted by the receiver) or names the next organisation's
// location in the shipping event's destinationList, a location's owner delegates it to the
// organisation that records events there, and the goods' holder engages the customs broker before
// it declares them (prov.delegate {holder, org, acts: [customs]}). Where they share an
// organisation nothing is needed.
//
// Keys: each persona (brand, forwarder, broker, customs, inspector, warehouse, retailer,
// platform) is a member key enrolled by the admin of the first organisation in the genesis that
// holds the persona's roles; the member key is derived from that admin's seed and the persona
// name, so a second run finds the same keys. It is written to <network>/demo-keys/<persona>.json.
// A second run after a complete load changes nothing and prints the links again; a run after a
// load that stopped half-way refuses (start from a fresh network).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "commands.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/fin_answer.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/hash.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/trace_answer.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct DemoArgs {
  std::string url = kDefaultNode;
  std::string network;
};

std::string WithCheck(const std::string& body) { return body + contracts::Gs1CheckDigit(body); }

// The story's identifiers.
const std::string kStage1 = WithCheck("0942123410001");  // GTIN-14, NZ company prefix 9421234
const std::string kStage2 = WithCheck("0931234520002");  // GTIN-14, AU company prefix 9312345
const std::string kLotA = "KG1-2601A";                   // stage 1, conformant, sold
const std::string kLotB = "KG1-2601B";                   // stage 1, recalled
const std::string kLotC = "KG2-2601C";                   // stage 2
const std::string kRecallId = "RC-2026-KG1-2601B";
const std::string kFactoryNz = "urn:epc:id:sgln:9421234.00011.0";
const std::string kPlantAu = "urn:epc:id:sgln:9312345.00018.0";
const std::string kDepotAkl = "urn:epc:id:sgln:9429876.00015.0";
const std::string kBondedHz = "urn:epc:id:sgln:6901234.00017.0";
const std::string kShopSh = "urn:epc:id:sgln:6905678.00013.0";
// The finance chapter's documents: the export's purchase order and despatch advice (named by the
// shipping and receiving events), the warehouse operator's invoice.
const std::string kPo = "urn:epcglobal:cbv:bt:6901234000017:PO-88121";
const std::string kDesadv = "urn:epcglobal:cbv:bt:9429876000015:DESADV-5521";
const std::string kInvoiceNo = "HZB-2026/0206";
constexpr int64_t kInvoiceAmount = 18'640'000;  // CNY 186,400.00
constexpr int64_t kTruckingPart = 7'000'000;    // CNY 70,000.00 to the sub-contractor

std::string Can(const std::string& gtin, const std::string& lot, int serial) {
  return "https://id.gs1.org/01/" + gtin + "/10/" + lot + "/21/" + std::to_string(serial);
}
std::string Pallet(int n) {
  std::string ref = std::to_string(n);
  return "https://id.gs1.org/00/" + WithCheck("09421234" + std::string(9 - ref.size(), '0') + ref);
}
std::vector<std::string> Cans(const std::string& gtin, const std::string& lot, int from, int to) {
  std::vector<std::string> out;
  for (int s = from; s <= to; ++s) out.push_back(Can(gtin, lot, s));
  return out;
}
template <typename... V>
std::vector<std::string> Concat(std::vector<std::string> a, const V&... rest) {
  (a.insert(a.end(), rest.begin(), rest.end()), ...);
  return a;
}

struct Persona {
  const char* name;
  std::vector<contracts::Role> roles;
};

const std::vector<Persona>& Personas() {
  using contracts::Role;
  static const std::vector<Persona> kPersonas = {
      {"brand", {Role::kBrand, Role::kManufacturer}},
      {"forwarder", {Role::kForwarder}},
      {"broker", {Role::kCustomsBroker}},
      {"customs", {Role::kCustoms}},
      {"inspector", {Role::kInspector}},
      {"warehouse", {Role::kBondedWarehouse}},
      {"retailer", {Role::kRetailer}},
      {"platform", {Role::kPlatform}},
  };
  return kPersonas;
}

json Event(const std::string& type, const std::string& action, const std::string& step,
           const std::vector<std::string>& epcs, const std::string& time, const std::string& offset,
           const std::string& location) {
  json e = {
      {"type", type}, {"eventTime", time}, {"eventTimeZoneOffset", offset}, {"bizStep", step}};
  if (!action.empty()) e["action"] = action;
  e[type == "AggregationEvent" ? "childEPCs" : "epcList"] = epcs;
  if (!location.empty()) {
    e["bizLocation"] = {{"id", location}};
    e["readPoint"] = {{"id", location}};
  }
  return e;
}

class Story {
 public:
  Story(Context& ctx, client::LedgerClient& c, fs::path net) : ctx_(ctx), c_(c), net_(net) {}

  Status Run(const std::string& url);

 private:
  Status LoadGenesis();
  Status EnrolPersonas();
  Status Tx(const std::string& who, const std::string& what, const std::string& contract,
            const std::string& method, const Value& args);
  Status Capture(const std::string& who, const std::string& what, std::vector<json> events);
  // `from` hands `items` over to `to` (offer + acceptance) when they are different orgs.
  Status Handover(const std::string& from, const std::string& to,
                  const std::vector<std::string>& items, const std::string& what);
  // `owner` lets `grantee` record events at `location` when they are different orgs.
  // `holder` engages the `broker` persona's organisation to declare the goods it holds.
  Status EngageBroker(const std::string& holder, const std::string& broker);
  Status GrantLocation(const std::string& owner, const std::string& grantee,
                       const std::string& location, const std::string& name);
  Status Load();
  void PrintLinks(const std::string& url, bool already);

  // The finance chapter (in three parts, between the provenance steps).
  Result<client::TxOutcome> Call(const std::string& who, const std::string& contract,
                                 const std::string& method, const Value& args);
  // A step the ledger must refuse naming `rule`; prints the refusal.
  Status Refused(const std::string& who, const std::string& what, const std::string& contract,
                 const std::string& method, const Value& args, const std::string& rule);
  void Say(const std::string& line);
  // The org playing `persona` (roles `roles`, not one of `not_orgs`): a genesis org with a demo
  // member key, or one admitted by a governance vote under `new_id` with its admin key.
  Status CastFinance(const std::string& persona, contracts::Role role,
                     const std::vector<std::string>& not_orgs, const std::string& new_id,
                     const std::string& name);
  Status AdmitOrg(const std::string& id, const std::string& name, contracts::Role role,
                  const KeyPair& admin);
  Status SaveKey(const std::string& persona, const KeyPair& key, const std::string& org);
  // The bank's check of the invoice, verified; waits up to 10 s for the proven state `want`.
  Status BankCheck(const std::string& bank, const std::string& want);
  Status FinanceInvoice();  // after customs release: admissions, invoice, refused confirm
  Status FinanceTiers();    // after the receiving: confirm, split, transfer, finance, refusals
  Status FinanceSettle();   // at the end: settlement and its payees
  nlohmann::ordered_json FinanceSummary() const;

  // The pledge registry chapter (docs/finance.md §12-§16), after the receivables.
  // A warehouse receipt over `loose` cans re-palletised on pallet 3: pledged, its goods' sale
  // refused, partly released, the released cans sold.
  Status PledgeReceipt(const std::vector<std::string>& loose, const std::string& sold_later);
  Status PledgeEquity();     // a holding recorded, a share pledge applied, accepted, registered
  Status PledgeTrademark();  // refused for unpaid fees (plg-annuity), then registered
  Status NoAlerts();         // the clean story raises no alert (§16): the regulator's read
  nlohmann::ordered_json PledgeSummary() const;

  std::string receipt_, receipt_kept_, equity_pledge_, ip_pledge_;
  std::vector<std::string> alerts_seen_;
  client::TxOutcome last_;  // the last committed step's outcome

  std::string receivable_;
  InvoiceHashes invoice_hashes_;
  nlohmann::ordered_json payees_ = nlohmann::ordered_json::array();
  std::vector<std::string> active_orgs_;  // genesis orgs and admitted ones (the voters)

  Context& ctx_;
  client::LedgerClient& c_;
  fs::path net_;
  contracts::Genesis genesis_;
  std::map<std::string, KeyPair> keys_;
  std::map<std::string, std::string> org_of_;  // persona -> organisation id
  int step_ = 0;
};

Status Story::LoadGenesis() {
  std::ifstream in(net_ / "genesis.json");
  if (!in)
    return Status::NotFound((net_ / "genesis.json").string() +
                            " not found: --network "
                            "must be a folder written by `tidemark network init`");
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded()) return Status::Invalid((net_ / "genesis.json").string() + ": not JSON");
  TM_ASSIGN_OR_RETURN(genesis_, contracts::Genesis::FromJson(j));
  TM_ASSIGN_OR_RETURN(std::string chain, c_.ChainId());
  if (chain != genesis_.chain_id) {
    return Status::FailedPrecondition("the node serves chain '" + chain + "', " + net_.string() +
                                      " is chain '" + genesis_.chain_id + "'");
  }
  return Status::Ok();
}

Status Story::EnrolPersonas() {
  std::error_code ec;
  fs::create_directories(net_ / "demo-keys", ec);
  for (const Persona& p : Personas()) {
    const contracts::OrgRecord* org = nullptr;
    for (const auto& o : genesis_.orgs) {
      bool all = true;
      for (auto r : p.roles) all = all && o.HasRole(r);
      if (all) {
        org = &o;
        break;
      }
    }
    if (!org) {
      return Status::FailedPrecondition(std::string("no organisation in the genesis holds the "
                                                    "roles of the demo's ") +
                                        p.name + " (" + std::string(RoleName(p.roles[0])) + ")");
    }
    TM_ASSIGN_OR_RETURN(KeyPair admin,
                        LoadPlainKeyFile((net_ / org->id / "admin_key.json").string()));
    Seed seed;
    seed.data = Sha256(AsBytes("tidemark-demo/" + admin.seed().Hex() + "/" + p.name)).data;
    KeyPair member = KeyPair::FromSeed(seed);
    keys_.emplace(p.name, member);
    org_of_[p.name] = org->id;
    json kj{
        {"public_key", member.public_key().Hex()}, {"seed", member.seed().Hex()}, {"org", org->id}};
    fs::path kf = net_ / "demo-keys" / (std::string(p.name) + ".json");
    std::ofstream(kf) << kj.dump(2) << "\n";
    ::chmod(kf.c_str(), 0600);
    TM_ASSIGN_OR_RETURN(std::optional<Value> existing,
                        c_.ReadValue(state_keys::identity::Key(member.public_key())));
    if (existing) continue;
    Value::List roles;
    for (auto r : p.roles) roles.push_back(std::string(RoleName(r)));
    keys_.emplace("admin:" + org->id, admin);
    TM_RETURN_IF_ERROR(Tx("admin:" + org->id,
                          std::string("enrol the ") + p.name + " key of " + org->id, "identity",
                          "enrol_key",
                          Value::Map{{"key", member.public_key().Hex()},
                                     {"roles", Value(roles)},
                                     {"label", std::string("demo ") + p.name}}));
  }
  return Status::Ok();
}

Result<client::TxOutcome> Story::Call(const std::string& who, const std::string& contract,
                                      const std::string& method, const Value& args) {
  auto key = keys_.find(who);
  if (key == keys_.end()) return Status::Internal("demo: no key for " + who);
  return c_.Call(key->second, contract, method, args);
}

void Story::Say(const std::string& line) {
  if (!ctx_.json()) ctx_.out() << line << "\n";
}

Status Story::Refused(const std::string& who, const std::string& what, const std::string& contract,
                      const std::string& method, const Value& args, const std::string& rule) {
  ++step_;
  TM_ASSIGN_OR_RETURN(client::TxOutcome out, Call(who, contract, method, args));
  if (out.status == "rejected" && out.reason.find(rule) == std::string::npos &&
      out.reason.find("details redacted") != std::string::npos) {
    // Public views of a plg tx hide its reason; the signer's org reads it in full.
    auto r = c_.SignedGet(keys_.at(who), "/v1/fin/txs/" + out.id.Hex());
    json j = r.ok() && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
    if (j.is_object() && j["reason"].is_string()) out.reason = j["reason"];
  }
  if (out.status != "rejected" || out.reason.find(rule) == std::string::npos) {
    return Status::FailedPrecondition("step " + std::to_string(step_) + " (" + what + ") tx " +
                                      out.id.Hex() + " should have been refused by rule " + rule +
                                      ", it is " + out.status + " " + out.reason);
  }
  last_ = out;
  Say("  " + std::string(step_ < 10 ? " " : "") + std::to_string(step_) + ". " + what +
      "  -> REFUSED (" + who + ", height " + std::to_string(out.height) + "): " + out.reason);
  return Status::Ok();
}

Status Story::Tx(const std::string& who, const std::string& what, const std::string& contract,
                 const std::string& method, const Value& args) {
  ++step_;
  TM_ASSIGN_OR_RETURN(client::TxOutcome out, Call(who, contract, method, args));
  if (out.status != "committed") {
    return Status::FailedPrecondition("step " + std::to_string(step_) + " (" + what + ") tx " +
                                      out.id.Hex() + " " + out.status + ": " + out.reason);
  }
  last_ = out;
  if (!ctx_.json()) {
    ctx_.out() << "  " << (step_ < 10 ? " " : "") << step_ << ". " << what << "  (" << who
               << ", height " << out.height << ", tx " << out.id.Hex().substr(0, 16) << ")\n";
  }
  return Status::Ok();
}

Status Story::Capture(const std::string& who, const std::string& what, std::vector<json> events) {
  Value::List list;
  for (size_t i = 0; i < events.size(); ++i) {
    auto v = contracts::ParseEpcisEvent(events[i], "events[" + std::to_string(i) + "]");
    if (!v.ok()) return v.status().WithContext(what);
    list.push_back(std::move(*v));
  }
  return Tx(who, what, "prov", "capture", Value::Map{{"events", Value(list)}});
}

Status Story::Handover(const std::string& from, const std::string& to,
                       const std::vector<std::string>& items, const std::string& what) {
  if (org_of_.at(from) == org_of_.at(to)) return Status::Ok();
  Value::List l(items.begin(), items.end());
  TM_RETURN_IF_ERROR(Tx(from, "offer " + what + " to " + to, "prov", "transfer_custody",
                        Value::Map{{"items", Value(l)}, {"to", org_of_.at(to)}}));
  return Tx(to, "the " + to + " accepts " + what, "prov", "accept_custody",
            Value::Map{{"items", Value(l)}});
}

Status Story::GrantLocation(const std::string& owner, const std::string& grantee,
                            const std::string& location, const std::string& name) {
  if (org_of_.at(owner) == org_of_.at(grantee)) return Status::Ok();
  return Tx(
      owner, "let the " + grantee + " record events at " + name, "prov", "delegate",
      Value::Map{
          {"location", location}, {"org", org_of_.at(grantee)}, {"acts", Value::List{"event"}}});
}

Status Story::EngageBroker(const std::string& holder, const std::string& broker) {
  if (org_of_.at(holder) == org_of_.at(broker)) return Status::Ok();
  return Tx(holder, "engage the " + broker + " to declare the goods it holds", "prov", "delegate",
            Value::Map{{"holder", org_of_.at(holder)},
                       {"org", org_of_.at(broker)},
                       {"acts", Value::List{"customs"}}});
}

Value Declaration(const std::string& no, const std::string& mode, const std::string& order,
                  const std::vector<std::string>& items, const std::string& origin,
                  const std::string& declared_time) {
  Value::List l(items.begin(), items.end());
  return Value::Map{{"declaration_no", no},        {"mode", mode},
                    {"order_no", order},           {"payment_no", "PAY-" + order},
                    {"waybill_no", "WB-" + order}, {"items", Value(l)},
                    {"origin_country", origin},    {"declared_time", declared_time}};
}

Value Release(const std::string& no, const std::string& release_time) {
  return Value::Map{{"declaration_no", no}, {"release_time", release_time}};
}

// "186,400.00" for 18640000 minor units.
std::string Money(int64_t minor) {
  std::string units = std::to_string(minor / 100);
  for (int i = static_cast<int>(units.size()) - 3; i > 0; i -= 3) units.insert(i, ",");
  std::string cents = std::to_string(minor % 100);
  return units + "." + (cents.size() < 2 ? "0" : "") + cents;
}

// The data of the first receipt event of `type` in a final outcome, or null.
json EventData(const client::TxOutcome& out, const std::string& type) {
  json a = json::parse(out.answer_json, nullptr, false);
  if (!a.is_object() || !a.contains("receipt") || !a["receipt"].is_object()) return nullptr;
  for (const json& e : a["receipt"].value("events", json::array())) {
    if (e.value("type", "") == type) return e.contains("data") ? e["data"] : json::object();
  }
  return nullptr;
}

Status Story::SaveKey(const std::string& persona, const KeyPair& key, const std::string& org) {
  keys_.insert_or_assign(persona, key);
  org_of_[persona] = org;
  json kj{{"public_key", key.public_key().Hex()}, {"seed", key.seed().Hex()}, {"org", org}};
  fs::path kf = net_ / "demo-keys" / (persona + ".json");
  std::ofstream(kf) << kj.dump(2) << "\n";
  ::chmod(kf.c_str(), 0600);
  return Status::Ok();
}

Status Story::AdmitOrg(const std::string& id, const std::string& name, contracts::Role role,
                       const KeyPair& admin) {
  const std::string proposer = "admin:" + org_of_.at("platform");
  Value org = Value::MakeMap({{"id", id},
                              {"name", name},
                              {"roles", Value::List{std::string(RoleName(role))}},
                              {"admin_keys", Value::List{admin.public_key().Hex()}}});
  TM_ASSIGN_OR_RETURN(
      client::TxOutcome p,
      Call(proposer, "gov", "propose", Value::MakeMap({{"kind", "add_org"}, {"org", org}})));
  json proposed = EventData(p, "gov.Proposed");
  if (p.status != "committed" || !proposed.is_object() || !proposed["id"].is_number_integer()) {
    return Status::FailedPrecondition("proposing to admit " + id + ": tx " + p.id.Hex() + " " +
                                      p.status + " " + p.reason);
  }
  int64_t proposal = proposed["id"];
  size_t yes = 0;
  bool passed = false;
  for (const std::string& voter : active_orgs_) {
    TM_ASSIGN_OR_RETURN(client::TxOutcome v,
                        Call("admin:" + voter, "gov", "vote",
                             Value::MakeMap({{"proposal", proposal}, {"yes", true}})));
    if (v.status != "committed") {
      return Status::FailedPrecondition("the vote of " + voter + " to admit " + id + ": " +
                                        v.reason);
    }
    ++yes;
    if (!EventData(v, "gov.ProposalPassed").is_null()) {
      passed = true;
      break;
    }
  }
  if (!passed) return Status::FailedPrecondition("the proposal to admit " + id + " did not pass");
  ++step_;
  Say("  " + std::string(step_ < 10 ? " " : "") + std::to_string(step_) +
      ". the consortium admits " + id + " (" + name + ", " + std::string(RoleName(role)) +
      "): proposal " + std::to_string(proposal) + ", " + std::to_string(yes) + " of " +
      std::to_string(active_orgs_.size()) + " organisations voted yes");
  active_orgs_.push_back(id);
  keys_.insert_or_assign("admin:" + id, admin);
  return Status::Ok();
}

Status Story::CastFinance(const std::string& persona, contracts::Role role,
                          const std::vector<std::string>& not_orgs, const std::string& new_id,
                          const std::string& name) {
  auto excluded = [&](const std::string& org) {
    return std::find(not_orgs.begin(), not_orgs.end(), org) != not_orgs.end();
  };
  for (const auto& o : genesis_.orgs) {
    if (!o.HasRole(role) || excluded(o.id)) continue;
    // A genesis org: a member key with the role, enrolled by its admin (as EnrolPersonas does).
    TM_ASSIGN_OR_RETURN(KeyPair admin, LoadPlainKeyFile((net_ / o.id / "admin_key.json").string()));
    Seed seed;
    seed.data = Sha256(AsBytes("tidemark-demo/" + admin.seed().Hex() + "/" + persona)).data;
    KeyPair member = KeyPair::FromSeed(seed);
    TM_RETURN_IF_ERROR(SaveKey(persona, member, o.id));
    TM_ASSIGN_OR_RETURN(std::optional<Value> existing,
                        c_.ReadValue(state_keys::identity::Key(member.public_key())));
    if (existing) return Status::Ok();
    return Tx("admin:" + o.id, "enrol the " + persona + " key of " + o.id, "identity", "enrol_key",
              Value::Map{{"key", member.public_key().Hex()},
                         {"roles", Value::List{std::string(RoleName(role))}},
                         {"label", "demo " + persona}});
  }
  // None in the genesis: admit one. Its id must be new.
  std::string id = new_id;
  for (int n = 2; std::any_of(genesis_.orgs.begin(), genesis_.orgs.end(),
                              [&](const auto& o) { return o.id == id; });
       ++n) {
    id = new_id + "-" + std::to_string(n);
  }
  TM_ASSIGN_OR_RETURN(
      KeyPair platform_admin,
      LoadPlainKeyFile((net_ / org_of_.at("platform") / "admin_key.json").string()));
  Seed seed;
  seed.data = Sha256(AsBytes("tidemark-demo/" + platform_admin.seed().Hex() + "/org/" + id)).data;
  KeyPair admin = KeyPair::FromSeed(seed);
  TM_RETURN_IF_ERROR(AdmitOrg(id, name, role, admin));
  return SaveKey(persona, admin, id);
}

Status Story::BankCheck(const std::string& bank, const std::string& want) {
  TrustAnchor trust{.chain_id = genesis_.chain_id, .genesis = genesis_.Validators()};
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    TM_ASSIGN_OR_RETURN(std::string body, c_.FinCheck(keys_.at(bank), invoice_hashes_.fingerprint,
                                                      invoice_hashes_.invoice_key));
    json answer = json::parse(body, nullptr, false);
    TM_ASSIGN_OR_RETURN(VerifiedFinCheck v,
                        VerifyFinCheckAnswer(answer, trust, invoice_hashes_.fingerprint,
                                             invoice_hashes_.invoice_key));
    // The proof is of the latest certified state, which may trail the last commit by a block.
    if (v.state == want || std::chrono::steady_clock::now() >= until) {
      ++step_;
      Say("  " + std::string(step_ < 10 ? " " : "") + std::to_string(step_) + ". " +
          std::string(bank == "bank" ? "the bank " : "the second bank ") + org_of_.at(bank) +
          " checks invoice " + kInvoiceNo + " by its fingerprint, computed on its side: " +
          v.state + "  (proof verified from the genesis: block " + std::to_string(v.proof.height) +
          ", " + std::to_string(v.proof.signers.size()) + " validator signatures)");
      if (v.state != want) {
        return Status::FailedPrecondition("the bank's check says " + v.state + ", expected " +
                                          want);
      }
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status Story::FinanceInvoice() {
  Say("  Supply-chain finance on the same import:");
  for (const auto& o : genesis_.orgs) {
    active_orgs_.push_back(o.id);
    TM_ASSIGN_OR_RETURN(KeyPair admin, LoadPlainKeyFile((net_ / o.id / "admin_key.json").string()));
    keys_.insert_or_assign("admin:" + o.id, admin);
  }
  const std::string debtor = org_of_.at("platform");
  TM_RETURN_IF_ERROR(CastFinance("operator", contracts::Role::kBondedWarehouse, {debtor},
                                 "hzbonded",
                                 "Hangzhou Bonded Logistics, the warehouse's operator"));
  TM_RETURN_IF_ERROR(CastFinance("trucking", contracts::Role::kForwarder,
                                 {debtor, org_of_.at("operator")}, "trucking",
                                 "Qiantang Trucking, the operator's haulage sub-contractor"));
  TM_RETURN_IF_ERROR(CastFinance("bank", contracts::Role::kBank, {}, "bank", "Harbour Bank"));
  TM_RETURN_IF_ERROR(CastFinance("bank2", contracts::Role::kBank, {org_of_.at("bank")}, "bank2",
                                 "Second Bank (a competitor)"));
  client::FinReceivable r{
      .debtor = debtor,
      .currency = "CNY",
      .contract_number = "HZB-WS-2026-014",
      .contract_hash = Sha256(AsBytes("demo bonded warehouse services contract 2026-014")).Hex(),
      .invoices = {{.number = kInvoiceNo,
                    .amount = kInvoiceAmount,
                    .tax = 1'055'094,
                    .date = "2026-02-06",
                    .hash = Sha256(AsBytes("demo invoice " + kInvoiceNo)).Hex()}},
      .issue_date = "2026-02-06",
      .due_date = "2027-02-05",
      .refs = {{.type = "po", .id = kPo}, {.type = "desadv", .id = kDesadv}},
      .require_delivery = true};
  TM_ASSIGN_OR_RETURN(invoice_hashes_, InvoiceFingerprint({.creditor = org_of_.at("operator"),
                                                           .debtor = debtor,
                                                           .number = kInvoiceNo,
                                                           .amount = kInvoiceAmount,
                                                           .date = "2026-02-06"}));
  ++step_;
  TM_ASSIGN_OR_RETURN(client::TxOutcome reg, client::FinRegister(c_, keys_.at("operator"), r));
  if (reg.status != "committed") {
    return Status::FailedPrecondition("step " + std::to_string(step_) + " (register the invoice) " +
                                      reg.status + ": " + reg.reason);
  }
  receivable_ = client::ReceivableIdOf(reg.id);
  Say("  " + std::to_string(step_) + ". the warehouse operator (" + org_of_.at("operator") +
      ") invoices the " + debtor + " CNY " + Money(kInvoiceAmount) +
      " for bonded storage and handling of PO-88121, due 2027-02-05, payable only against "
      "delivery evidence: receivable " +
      receivable_ + "  (height " + std::to_string(reg.height) + ")");
  return Refused("platform", "the platform tries to confirm before it has received the goods",
                 "fin", "confirm", Value::MakeMap({{"id", receivable_}}), "fin-delivery");
}

Status Story::FinanceTiers() {
  const std::string id = receivable_;
  TM_RETURN_IF_ERROR(Tx("platform",
                        "the platform confirms " + id +
                            " against its receiving event: an irrevocable payment undertaking",
                        "fin", "confirm", Value::MakeMap({{"id", id}})));
  TM_RETURN_IF_ERROR(Tx(
      "operator",
      "the operator splits it: CNY " + Money(kInvoiceAmount - kTruckingPart) + " and " +
          Money(kTruckingPart),
      "fin", "split",
      Value::MakeMap({{"part", id},
                      {"amounts", Value::List{kInvoiceAmount - kTruckingPart, kTruckingPart}}})));
  TM_RETURN_IF_ERROR(Tx("operator",
                        "the operator pays its haulage sub-contractor " + org_of_.at("trucking") +
                            " with part " + id + ".2",
                        "fin", "transfer",
                        Value::MakeMap({{"part", id + ".2"}, {"to", org_of_.at("trucking")}})));
  TM_RETURN_IF_ERROR(Tx("trucking",
                        "the sub-contractor offers part " + id + ".2 to " + org_of_.at("bank") +
                            " for factoring with recourse",
                        "fin", "offer_finance",
                        Value::MakeMap({{"part", id + ".2"},
                                        {"bank", org_of_.at("bank")},
                                        {"kind", "factoring_recourse"},
                                        {"amount", kTruckingPart}})));
  TM_RETURN_IF_ERROR(BankCheck("bank", "registered"));
  TM_RETURN_IF_ERROR(Tx("bank", "the bank accepts: it now finances part " + id + ".2", "fin",
                        "accept_finance", Value::MakeMap({{"part", id + ".2"}})));
  TM_RETURN_IF_ERROR(Refused(
      "trucking", "the sub-contractor offers the same part to " + org_of_.at("bank2") + " as well",
      "fin", "offer_finance",
      Value::MakeMap({{"part", id + ".2"},
                      {"bank", org_of_.at("bank2")},
                      {"kind", "pledge"},
                      {"amount", kTruckingPart}}),
      "fin-encumbered"));
  TM_RETURN_IF_ERROR(Refused("bank2", "the second bank tries to take the part anyway", "fin",
                             "accept_finance", Value::MakeMap({{"part", id + ".2"}}), "fin-offer"));
  TM_RETURN_IF_ERROR(BankCheck("bank2", "encumbered"));
  client::FinReceivable again{
      .debtor = org_of_.at("platform"),
      .currency = "CNY",
      .contract_number = "HZB-WS-2026-014",
      .contract_hash = Sha256(AsBytes("demo bonded warehouse services contract 2026-014")).Hex(),
      .invoices = {{.number = "hzb 2026 0206",
                    .amount = kTruckingPart,
                    .date = "2026-02-06",
                    .hash = Sha256(AsBytes("demo invoice copy")).Hex()}},
      .issue_date = "2026-02-06",
      .due_date = "2026-12-31"};
  return Refused("operator",
                 "the operator registers the same invoice again (another amount, respelled) to "
                 "finance it twice",
                 "fin", "register", client::FinRegisterArgs(again), "fin-duplicate");
}

Status Story::FinanceSettle() {
  TM_RETURN_IF_ERROR(Tx("platform", "at maturity the platform pays: settle " + receivable_, "fin",
                        "settle", Value::MakeMap({{"id", receivable_}})));
  TM_ASSIGN_OR_RETURN(std::string body, c_.FinReceivable(keys_.at("platform"), receivable_));
  json j = json::parse(body, nullptr, false);
  const json* payees = nullptr;
  if (j.is_object() && j.contains("receivable") && j["receivable"].contains("settled")) {
    payees = &j["receivable"]["settled"]["payees"];
  }
  if (payees == nullptr || !payees->is_array()) {
    return Status::FailedPrecondition("the settled receivable names no payees");
  }
  for (const json& p : *payees) {
    payees_.push_back({{"part", p.value("part", "")},
                       {"org", p.value("org", "")},
                       {"amount", p.value("amount", int64_t{0})},
                       {"as", p.value("as", "")}});
    Say("        paid: " + p.value("org", std::string()) + "  CNY " +
        Money(p.value("amount", int64_t{0})) + "  as " + p.value("as", std::string()) +
        " of part " + p.value("part", std::string()));
  }
  std::ofstream(net_ / "demo-keys" / "finance.json") << FinanceSummary().dump(2) << "\n";
  return Status::Ok();
}

nlohmann::ordered_json Story::FinanceSummary() const {
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();
  for (const char* p : {"platform", "operator", "trucking", "bank", "bank2"}) {
    keys[p] = (net_ / "demo-keys" / (std::string(p) + ".json")).string();
  }
  return {{"receivable", receivable_},
          {"invoice", kInvoiceNo},
          {"creditor", org_of_.count("operator") ? org_of_.at("operator") : ""},
          {"debtor", org_of_.count("platform") ? org_of_.at("platform") : ""},
          {"fingerprint", invoice_hashes_.fingerprint.Hex()},
          {"payees", payees_},
          {"key_files", keys}};
}

// The pledge registry's identifiers: the receipt's loan, the shares, the registrar's number.
const std::string kUscc = "91330110MA2KG1N8XB";  // GB 32100-2015 check character B
const std::string kCompany = "Kiwi Gold (Hangzhou) Trading Co., Ltd.";
const std::string kEquityRegNo = "HZ-EQP-2026-0218";
constexpr int64_t kReceiptLoan = 5'000'000;      // CNY 50,000.00 against pallet 3
constexpr int64_t kCapital = 1'000'000'000;      // registered capital CNY 10,000,000.00
constexpr int64_t kSharesPledged = 600'000'000;  // 60 % of it
constexpr int64_t kEquityLoan = 300'000'000;     // CNY 3,000,000.00

Status Story::PledgeReceipt(const std::vector<std::string>& loose, const std::string& sold_later) {
  const std::string p3 = Pallet(103);
  json pack = Event("AggregationEvent", "ADD", "packing", loose, "2026-02-18T10:00:00.000+08:00",
                    "+08:00", kBondedHz);
  pack["parentID"] = p3;
  TM_RETURN_IF_ERROR(Capture("warehouse", "put the 4 cans left of pallet 1 on pallet 3", {pack}));
  TM_RETURN_IF_ERROR(Capture("warehouse", "store pallet 3 in the Hangzhou bonded warehouse",
                             {Event("ObjectEvent", "OBSERVE", "storing", {p3},
                                    "2026-02-18T10:30:00.000+08:00", "+08:00", kBondedHz)}));
  const std::string platform = org_of_.at("platform"), bank = org_of_.at("bank");
  TM_RETURN_IF_ERROR(Tx(
      "warehouse",
      "the bonded warehouse issues a warehouse receipt for pallet 3 (4 cans) to " + platform, "plg",
      "wr_issue",
      client::WrIssueArgs({.items = {p3},
                           .depositor = platform,
                           .description = "Pallet 3: 4 cans Kiwi Gold infant formula, bay H-12"})));
  receipt_ = client::PlgIdOf("wr_", last_.id);
  Say("        receipt " + receipt_);
  TM_RETURN_IF_ERROR(Tx("platform",
                        "the platform offers receipt " + receipt_ + " to " + bank +
                            " as collateral for a CNY " + Money(kReceiptLoan) +
                            " loan due 2026-08-18",
                        "plg", "wr_offer",
                        client::WrOfferArgs({.receipt = receipt_,
                                             .bank = bank,
                                             .amount = kReceiptLoan,
                                             .currency = "CNY",
                                             .debt_due = "2026-08-18"})));
  TM_RETURN_IF_ERROR(Tx("bank", "the bank accepts: the goods on pallet 3 are pledged to it", "plg",
                        "wr_accept", Value::MakeMap({{"receipt", receipt_}})));
  auto sale = [&](const std::vector<std::string>& cans, const std::string& time) {
    json e = Event("ObjectEvent", "OBSERVE", "retail_selling", cans, time, "+08:00", kBondedHz);
    e["disposition"] = "retail_sold";
    return e;
  };
  auto ev =
      contracts::ParseEpcisEvent(sale({sold_later}, "2026-02-19T21:05:00.000+08:00"), "events[0]");
  if (!ev.ok()) return ev.status();
  TM_RETURN_IF_ERROR(Refused("platform", "the platform sells a can of pallet 3 online", "prov",
                             "capture", Value::MakeMap({{"events", Value::List{*ev}}}),
                             "prov-pledged"));
  if (last_.reason.find(receipt_) == std::string::npos) {
    return Status::FailedPrecondition("the refused sale does not name receipt " + receipt_ + ": " +
                                      last_.reason);
  }
  std::vector<std::string> released = {loose[0], loose[1]};
  TM_RETURN_IF_ERROR(Tx("bank",
                        "the platform repays CNY 20,000.00; the bank releases 2 cans from the "
                        "receipt",
                        "plg", "wr_release", client::WrReleaseArgs(receipt_, released, 0)));
  // Still bonded: the consumer's order of the 2 cans is declared and released before the sale.
  TM_RETURN_IF_ERROR(Handover("warehouse", "platform", released, "the 2 released cans"));
  TM_RETURN_IF_ERROR(Tx("platform", "the platform declares the order for the 2 cans (mode 1210)",
                        "prov", "customs_declare",
                        Declaration("HZ2026-1210-000533", "1210", "ORD-88121-0002", released, "NZ",
                                    "2026-02-20T19:00:00.000+08:00")));
  TM_RETURN_IF_ERROR(Tx("customs", "customs releases the 2 cans", "prov", "customs_release",
                        Release("HZ2026-1210-000533", "2026-02-20T19:30:00.000+08:00")));
  TM_RETURN_IF_ERROR(Capture("platform", "sell the 2 released cans online",
                             {sale(released, "2026-02-20T20:40:00.000+08:00")}));
  receipt_kept_ = sold_later;
  return Status::Ok();
}

Status Story::PledgeEquity() {
  TM_RETURN_IF_ERROR(
      CastFinance("registrar", contracts::Role::kRegulator, {}, "regulator", "Market regulator"));
  const std::string platform = org_of_.at("platform"), bank = org_of_.at("bank");
  TM_RETURN_IF_ERROR(Tx("registrar",
                        "the market regulator records " + platform + "'s holding: all of " +
                            kCompany + " (USCC " + kUscc + "), registered capital CNY " +
                            Money(kCapital),
                        "plg", "eq_holding",
                        client::EqHoldingArgs({.org = platform,
                                               .uscc = kUscc,
                                               .company = kCompany,
                                               .listed = false,
                                               .amount = kCapital})));
  TM_RETURN_IF_ERROR(
      Tx("brand",
         "the brand applies to pledge 60% of it (CNY " + Money(kSharesPledged) + ") to " + bank +
             " for a CNY " + Money(kEquityLoan) + " loan",
         "plg", "eq_apply",
         client::EqApplyArgs(
             {.uscc = kUscc,
              .pledgee = bank,
              .amount = kSharesPledged,
              .debt_amount = kEquityLoan,
              .currency = "CNY",
              .debt_due = "2028-02-18",
              .contract_hash = Sha256(AsBytes("demo share pledge contract 2026-0218")).Hex()})));
  equity_pledge_ = client::PlgIdOf("eqp_", last_.id);
  TM_RETURN_IF_ERROR(Tx("bank", "the bank accepts equity pledge " + equity_pledge_, "plg",
                        "eq_accept", Value::MakeMap({{"pledge", equity_pledge_}})));
  TM_RETURN_IF_ERROR(
      Tx("registrar", "the registrar registers it as " + kEquityRegNo + ": the pledge right arises",
         "plg", "eq_register",
         Value::MakeMap({{"pledge", equity_pledge_}, {"registration_no", kEquityRegNo}})));
  // What anyone reads in the gazette: no amount, no contract.
  auto g = c_.http().Get("/v1/plg/gazette/" + kEquityRegNo);
  if (g.ok() && g->status == 200) {
    json j = json::parse(g->body, nullptr, false);
    const json& e = j.contains("entry") ? j["entry"] : j;
    Say("        gazette " + kEquityRegNo + ": " + e.dump());
  }
  return Status::Ok();
}

// The trademark, the IP registry's record of it and the registered pledge's number.
const std::string kMarkNo = "58231477";
const std::string kMark = "trademark:" + kMarkNo;
const std::string kIpRegNo = "TM-PLG-2026-000311";
constexpr int64_t kIpLoan = 800'000'000;  // CNY 8,000,000.00

Status Story::PledgeTrademark() {
  // local-4's IP_REGISTRY org is the bank itself; a pledgee must not register its own pledge, so
  // the registry joins as an organisation of its own.
  TM_RETURN_IF_ERROR(CastFinance("registry", contracts::Role::kIpRegistry, {org_of_.at("bank")},
                                 "cnipa", "National IP Administration (pledge registration)"));
  const std::string platform = org_of_.at("platform"), bank = org_of_.at("bank");
  TM_RETURN_IF_ERROR(
      Tx("registry",
         "the IP registry records the brand's trademark " + kMarkNo + " (KIWI GOLD, class 5) of " +
             platform + ", valid to 2032-01-13; its renewal fee is shown unpaid",
         "plg", "ip_asset_register",
         client::IpAssetRegisterArgs({.kind = "trademark",
                                      .number = kMarkNo,
                                      .title = "KIWI GOLD (word and device), class 5",
                                      .owners = {platform},
                                      .filing_date = "2021-03-02",
                                      .grant_date = "2022-01-14",
                                      .expiry_date = "2032-01-13",
                                      .status = "fee_unpaid"})));
  TM_RETURN_IF_ERROR(Tx(
      "brand",
      "the brand applies to pledge trademark " + kMarkNo + " to " + bank + " for a CNY " +
          Money(kIpLoan) + " loan due 2029-12-31",
      "plg", "ip_apply",
      client::IpApplyArgs(
          {.asset = kMark,
           .pledgee = bank,
           .debt_amount = kIpLoan,
           .currency = "CNY",
           .debt_start = "2026-03-01",
           .debt_due = "2029-12-31",
           .contract_hash = Sha256(AsBytes("demo trademark pledge contract 2026-0301")).Hex()})));
  ip_pledge_ = client::PlgIdOf("ipp_", last_.id);
  TM_RETURN_IF_ERROR(Tx("bank", "the bank accepts IP pledge " + ip_pledge_, "plg", "ip_accept",
                        Value::MakeMap({{"pledge", ip_pledge_}})));
  const Value reg = Value::MakeMap({{"pledge", ip_pledge_}, {"registration_no", kIpRegNo}});
  TM_RETURN_IF_ERROR(Refused("registry", "the registry examines the application", "plg",
                             "ip_register", reg, "plg-annuity"));
  TM_RETURN_IF_ERROR(Tx(
      "registry", "the brand pays the fee; the registry updates trademark " + kMarkNo + ": valid",
      "plg", "ip_asset_update", client::IpAssetUpdateArgs({.asset = kMark, .status = "valid"})));
  TM_RETURN_IF_ERROR(Tx(
      "registry", "the registry registers the pledge as " + kIpRegNo + ": the pledge right arises",
      "plg", "ip_register", reg));
  auto g = c_.http().Get("/v1/plg/gazette/" + kIpRegNo);
  if (g.ok() && g->status == 200) {
    json j = json::parse(g->body, nullptr, false);
    const json& e = j.contains("entry") ? j["entry"] : j;
    Say("        gazette " + kIpRegNo + ": " + e.dump());
  }
  return Status::Ok();
}

Status Story::NoAlerts() {
  TM_ASSIGN_OR_RETURN(client::HttpResponse r,
                      c_.SignedGet(keys_.at("registrar"), "/v1/reg/alerts?limit=100"));
  json j = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !j.is_object() || !j["alerts"].is_array()) {
    return Status::FailedPrecondition("the regulator's alert read answered " +
                                      std::to_string(r.status) + ": " + r.body);
  }
  for (const json& a : j["alerts"]) alerts_seen_.push_back(a.value("kind", std::string("?")));
  ++step_;
  Say("  " + std::string(step_ < 10 ? " " : "") + std::to_string(step_) +
      ". the regulator reads the alerts of the finance and pledge contracts: " +
      (alerts_seen_.empty() ? std::string("none") : std::to_string(alerts_seen_.size())));
  if (!alerts_seen_.empty()) {
    return Status::FailedPrecondition("the clean demo story raised alerts: " + j["alerts"].dump());
  }
  return Status::Ok();
}

nlohmann::ordered_json Story::PledgeSummary() const {
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();
  for (const char* p : {"platform", "warehouse", "bank", "bank2", "registrar", "registry"}) {
    keys[p] = (net_ / "demo-keys" / (std::string(p) + ".json")).string();
  }
  return {{"receipt", receipt_},
          {"pledged_can", receipt_kept_},
          {"equity_pledge", equity_pledge_},
          {"equity_registration_no", kEquityRegNo},
          {"ip_pledge", ip_pledge_},
          {"ip_registration_no", kIpRegNo},
          {"key_files", keys}};
}

Status Story::Load() {
  const auto lot_a = Cans(kStage1, kLotA, 1001, 1006);
  const auto lot_b = Cans(kStage1, kLotB, 2001, 2004);
  const auto lot_c = Cans(kStage2, kLotC, 3001, 3004);
  const auto parcel = Cans(kStage2, kLotC, 3005, 3005);
  const std::string p1 = Pallet(101), p2 = Pallet(102);
  auto product = [&](const std::string& gtin, const std::string& name, const std::string& origin,
                     const std::string& desc) {
    return Tx("brand", "register product " + gtin + " " + name, "prov", "register_product",
              Value::Map{{"gtin", gtin},
                         {"name", name},
                         {"brand", "Kiwi Gold"},
                         {"origin_country", origin},
                         {"company_prefix_length", 7},
                         {"description", desc}});
  };
  TM_RETURN_IF_ERROR(product(kStage1, "Kiwi Gold Stage 1 Infant Formula 800 g", "NZ",
                             "Infant formula from birth, made in Waikato, New Zealand"));
  TM_RETURN_IF_ERROR(product(kStage2, "Kiwi Gold Stage 2 Follow-on Formula 800 g", "AU",
                             "Follow-on formula 6-12 months, made under contract in Victoria"));
  auto lot = [&](const std::string& gtin, const std::string& l, const std::string& made,
                 const std::string& expiry) {
    return Tx(
        "brand", "register lot " + l, "prov", "register_lot",
        Value::Map{{"gtin", gtin}, {"lot", l}, {"production_date", made}, {"expiry_date", expiry}});
  };
  TM_RETURN_IF_ERROR(lot(kStage1, kLotA, "2026-01-12", "2027-07-12"));
  TM_RETURN_IF_ERROR(lot(kStage1, kLotB, "2026-01-14", "2027-07-14"));
  TM_RETURN_IF_ERROR(lot(kStage2, kLotC, "2026-01-16", "2027-07-16"));
  struct Loc {
    const char* who;
    std::string gln;
    const char* name;
    const char* country;
    const char* kind;
  };
  for (const Loc& l :
       {Loc{"brand", kFactoryNz, "Kiwi Gold dryer, Waikato", "NZ", "factory"},
        Loc{"brand", kPlantAu, "Contract plant, Victoria", "AU", "factory"},
        Loc{"forwarder", kDepotAkl, "Export depot, Auckland", "NZ", "depot"},
        Loc{"warehouse", kBondedHz, "Bonded warehouse, Hangzhou", "CN", "bonded_warehouse"},
        Loc{"retailer", kShopSh, "Mother & baby store, Shanghai", "CN", "store"}}) {
    TM_RETURN_IF_ERROR(
        Tx(l.who, std::string("register location ") + l.name, "prov", "register_location",
           Value::Map{{"gln", l.gln}, {"name", l.name}, {"country", l.country}, {"kind", l.kind}}));
  }
  TM_RETURN_IF_ERROR(Capture("brand", "commission 10 stage-1 cans (lots A, B) in NZ",
                             {Event("ObjectEvent", "ADD", "commissioning", Concat(lot_a, lot_b),
                                    "2026-01-15T09:00:00.000+13:00", "+13:00", kFactoryNz)}));
  TM_RETURN_IF_ERROR(Capture("brand", "commission 5 stage-2 cans (lot C) in AU",
                             {Event("ObjectEvent", "ADD", "commissioning", Concat(lot_c, parcel),
                                    "2026-01-17T10:30:00.000+11:00", "+11:00", kPlantAu)}));
  json pack1 = Event("AggregationEvent", "ADD", "packing", Concat(lot_a, lot_c),
                     "2026-01-20T14:00:00.000+13:00", "+13:00", kFactoryNz);
  pack1["parentID"] = p1;
  json pack2 = Event("AggregationEvent", "ADD", "packing", lot_b, "2026-01-20T14:20:00.000+13:00",
                     "+13:00", kFactoryNz);
  pack2["parentID"] = p2;
  TM_RETURN_IF_ERROR(Capture("brand", "pack the cans on two pallets (SSCC)", {pack1, pack2}));
  TM_RETURN_IF_ERROR(Handover("brand", "forwarder", {p1, p2}, "the pallets"));
  json ship = Event("ObjectEvent", "OBSERVE", "shipping", {p1, p2}, "2026-01-22T08:00:00.000+13:00",
                    "+13:00", kDepotAkl);
  ship["disposition"] = "in_transit";
  // Naming the bonded warehouse offers the pallets' custody to its organisation.
  ship["destinationList"] = {{{"type", "location"}, {"destination", kBondedHz}}};
  ship["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", kPo}},
                                {{"type", "desadv"}, {"bizTransaction", kDesadv}}};
  TM_RETURN_IF_ERROR(Capture("forwarder", "export the pallets from Auckland", {ship}));
  // The forwarder engages the broker: it declares the cans the forwarder takes out of the bonded
  // warehouse for the store, and the parcel the forwarder holds later.
  TM_RETURN_IF_ERROR(EngageBroker("forwarder", "broker"));
  Value::List lots{contracts::LotKey(kStage1, kLotA), contracts::LotKey(kStage1, kLotB),
                   contracts::LotKey(kStage2, kLotC)};
  TM_RETURN_IF_ERROR(Tx("inspector", "third-party lab certifies lots A, B, C conformant", "prov",
                        "certify",
                        Value::Map{{"certificate_id", "CIQ-LAB-2026-00731"},
                                   {"result", "conformant"},
                                   {"report_sha256", Sha256(AsBytes("demo report 00731")).Hex()},
                                   {"issue_date", "2026-02-03"},
                                   {"expiry_date", "2027-02-03"},
                                   {"lots", Value(lots)}}));
  TM_RETURN_IF_ERROR(FinanceInvoice());
  // The platform receives its consignment into the bonded warehouse and records it itself,
  // naming the PO and the despatch advice: the delivery evidence the invoice asks for.
  Say("  Back to the goods:");
  TM_RETURN_IF_ERROR(GrantLocation("warehouse", "platform", kBondedHz, "the bonded warehouse"));
  json receiving = Event("ObjectEvent", "OBSERVE", "receiving", {p1, p2},
                         "2026-02-05T08:30:00.000+08:00", "+08:00", kBondedHz);
  receiving["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", kPo}},
                                     {{"type", "desadv"}, {"bizTransaction", kDesadv}}};
  TM_RETURN_IF_ERROR(Capture("platform",
                             "the platform receives the pallets of PO-88121 at the bonded "
                             "warehouse",
                             {receiving}));
  TM_RETURN_IF_ERROR(Capture("warehouse", "store the pallets in the Hangzhou bonded warehouse",
                             {Event("ObjectEvent", "OBSERVE", "storing", {p1, p2},
                                    "2026-02-05T09:00:00.000+08:00", "+08:00", kBondedHz)}));
  Say("  Finance, continued:");
  TM_RETURN_IF_ERROR(FinanceTiers());
  Say("  Back to the goods:");
  json unpack = Event("AggregationEvent", "DELETE", "unpacking", Concat(lot_a, lot_c),
                      "2026-02-06T10:00:00.000+08:00", "+08:00", kBondedHz);
  unpack["parentID"] = p1;
  TM_RETURN_IF_ERROR(Capture("warehouse", "unpack pallet 1", {unpack}));
  json online = Event("ObjectEvent", "OBSERVE", "retail_selling", {lot_a[0]},
                      "2026-02-08T20:15:00.000+08:00", "+08:00", kBondedHz);
  online["disposition"] = "retail_sold";
  TM_RETURN_IF_ERROR(Handover("warehouse", "platform", {lot_a[0]}, "can A-1001"));
  // 1210 as it works: a consumer orders can A-1001; until a release covers it, the can is under
  // customs control in the bonded warehouse and cannot be sold.
  {
    auto early = contracts::ParseEpcisEvent(online, "events[0]");
    if (!early.ok()) return early.status();
    TM_RETURN_IF_ERROR(Refused("platform", "the platform sells can A-1001 before customs release",
                               "prov", "capture", Value::MakeMap({{"events", Value::List{*early}}}),
                               "prov-bonded-unreleased"));
  }
  TM_RETURN_IF_ERROR(Tx("platform",
                        "the platform declares the consumer's order for can A-1001 (mode 1210, "
                        "order / payment / waybill)",
                        "prov", "customs_declare",
                        Declaration("HZ2026-1210-000481", "1210", "ORD-88121-0001", {lot_a[0]},
                                    "NZ", "2026-02-08T19:40:00.000+08:00")));
  TM_RETURN_IF_ERROR(Tx("customs", "customs inspects the order's declaration", "prov",
                        "customs_inspect", Value::Map{{"declaration_no", "HZ2026-1210-000481"}}));
  TM_RETURN_IF_ERROR(Tx("customs", "customs releases can A-1001", "prov", "customs_release",
                        Release("HZ2026-1210-000481", "2026-02-08T20:05:00.000+08:00")));
  TM_RETURN_IF_ERROR(
      Capture("platform", "sell can A-1001 online from the bonded warehouse", {online}));
  std::vector<std::string> to_shop = {lot_a[1], lot_a[2], lot_a[3], lot_c[0], lot_c[1]};
  TM_RETURN_IF_ERROR(GrantLocation("warehouse", "forwarder", kBondedHz, "the bonded warehouse"));
  TM_RETURN_IF_ERROR(Handover("warehouse", "forwarder", to_shop, "5 cans for the store"));
  TM_RETURN_IF_ERROR(Tx("broker",
                        "declare the 5 cans for the store as a general-trade import (0110)", "prov",
                        "customs_declare",
                        Declaration("HZ2026-0110-000112", "0110", "PO-SH-2026-0208", to_shop, "NZ",
                                    "2026-02-08T15:00:00.000+08:00")));
  TM_RETURN_IF_ERROR(Tx("customs", "customs releases the 5 cans", "prov", "customs_release",
                        Release("HZ2026-0110-000112", "2026-02-08T17:00:00.000+08:00")));
  json to_store = Event("ObjectEvent", "OBSERVE", "shipping", to_shop,
                        "2026-02-09T08:00:00.000+08:00", "+08:00", kBondedHz);
  to_store["destinationList"] = {{{"type", "location"}, {"destination", kShopSh}}};
  TM_RETURN_IF_ERROR(Capture("forwarder", "ship 5 cans to the Shanghai store", {to_store}));
  TM_RETURN_IF_ERROR(Capture("retailer", "the store receives and stocks them",
                             {Event("ObjectEvent", "OBSERVE", "receiving", to_shop,
                                    "2026-02-10T09:30:00.000+08:00", "+08:00", kShopSh),
                              Event("ObjectEvent", "OBSERVE", "stocking", to_shop,
                                    "2026-02-10T11:00:00.000+08:00", "+08:00", kShopSh)}));
  json shelf_sale = Event("ObjectEvent", "OBSERVE", "retail_selling", {lot_a[1]},
                          "2026-02-12T16:42:00.000+08:00", "+08:00", kShopSh);
  shelf_sale["disposition"] = "retail_sold";
  TM_RETURN_IF_ERROR(Capture("retailer", "sell can A-1002 at the store", {shelf_sale}));
  // A direct B2C parcel (9610): one stage-2 can posted to a consumer.
  TM_RETURN_IF_ERROR(GrantLocation("brand", "forwarder", kPlantAu, "the Victoria plant"));
  TM_RETURN_IF_ERROR(Handover("brand", "forwarder", parcel, "the parcel"));
  TM_RETURN_IF_ERROR(Capture("forwarder", "post a stage-2 parcel to a consumer",
                             {Event("ObjectEvent", "OBSERVE", "shipping", parcel,
                                    "2026-02-14T08:00:00.000+11:00", "+11:00", kPlantAu)}));
  TM_RETURN_IF_ERROR(Tx("broker", "declare the parcel as a direct B2C import (mode 9610)", "prov",
                        "customs_declare",
                        Declaration("HZ2026-9610-120077", "9610", "ORD-90233", parcel, "AU",
                                    "2026-02-15T09:00:00.000+08:00")));
  TM_RETURN_IF_ERROR(Tx("customs", "customs releases the parcel", "prov", "customs_release",
                        Release("HZ2026-9610-120077", "2026-02-15T10:00:00.000+08:00")));
  json parcel_sale = Event("ObjectEvent", "OBSERVE", "retail_selling", parcel,
                           "2026-02-16T12:00:00.000+08:00", "+08:00", "");
  parcel_sale["disposition"] = "retail_sold";
  TM_RETURN_IF_ERROR(Handover("forwarder", "platform", parcel, "the released parcel"));
  TM_RETURN_IF_ERROR(Capture("platform", "the platform records the parcel's sale", {parcel_sale}));
  Say("  Finance, at maturity:");
  TM_RETURN_IF_ERROR(FinanceSettle());
  Say("  The pledge registry: goods, shares and a trademark as collateral:");
  TM_RETURN_IF_ERROR(PledgeReceipt({lot_a[4], lot_a[5], lot_c[2], lot_c[3]}, lot_c[3]));
  TM_RETURN_IF_ERROR(PledgeEquity());
  TM_RETURN_IF_ERROR(PledgeTrademark());
  TM_RETURN_IF_ERROR(NoAlerts());
  std::ofstream(net_ / "demo-keys" / "pledges.json") << PledgeSummary().dump(2) << "\n";
  Say("  And a recall:");
  return Tx("brand", "recall lot B", "prov", "recall",
            Value::Map{{"lot", contracts::LotKey(kStage1, kLotB)},
                       {"reason", "precautionary: retained sample failed a Cronobacter test"},
                       {"recall_id", kRecallId}});
}

void Story::PrintLinks(const std::string& url, bool already) {
  struct Link {
    const char* what;
    std::string id;
  };
  const std::vector<Link> links = {
      {"sold online from the bonded warehouse (1210)", Can(kStage1, kLotA, 1001)},
      {"sold at the Shanghai store (general trade, 0110)", Can(kStage1, kLotA, 1002)},
      {"on the shelf", Can(kStage1, kLotA, 1003)},
      {"recalled lot, still in the bonded warehouse", Can(kStage1, kLotB, 2001)},
      {"direct B2C parcel (9610), sold", Can(kStage2, kLotC, 3005)},
      {"on pallet 3, pledged to a bank under a warehouse receipt", Can(kStage2, kLotC, 3004)},
  };
  json arr = json::array();
  std::string text =
      already ? "The demo story is already loaded; nothing was changed.\n" : "Demo story loaded.\n";
  text += "Explorer: " + url + "/\nTrace links:";
  for (const Link& l : links) {
    std::string path = l.id.substr(std::string("https://id.gs1.org").size());
    arr.push_back({{"what", l.what}, {"id", l.id}, {"url", url + path}});
    text += "\n  " + url + path + "   " + l.what;
  }
  // The finance chapter: what this run did, or what the complete load saved.
  nlohmann::ordered_json fin = nullptr;
  if (!receivable_.empty()) {
    fin = FinanceSummary();
  } else {
    std::ifstream in(net_ / "demo-keys" / "finance.json");
    fin = nlohmann::ordered_json::parse(in, nullptr, false);
    if (fin.is_discarded()) fin = nullptr;
  }
  if (fin.is_object()) {
    std::string id = fin.value("receivable", std::string());
    const auto& keys = fin["key_files"];
    text += "\nFinance: receivable " + id + " (invoice " + fin.value("invoice", std::string()) +
            ") is settled; paid:";
    for (const auto& p : fin.value("payees", nlohmann::ordered_json::array())) {
      text += "\n  " + p.value("org", std::string()) + "  CNY " +
              Money(p.value("amount", int64_t{0})) + "  (" + p.value("as", std::string()) +
              ", part " + p.value("part", std::string()) + ")";
    }
    text += "\nRead it as a party (signed reads; a non-party gets 403):\n  tidemark --node " + url +
            " fin show " + id + " --proof --key-file " + keys.value("bank", std::string()) +
            "\n  tidemark --node " + url + " fin history " + id + " --key-file " +
            keys.value("operator", std::string()) + "\n  tidemark --node " + url +
            " fin check --creditor " + fin.value("creditor", std::string("hzbonded")) +
            " --debtor " + fin.value("debtor", std::string("platform")) + " --number " +
            fin.value("invoice", std::string()) + " --amount " + std::to_string(kInvoiceAmount) +
            " --date 2026-02-06 --key-file " + keys.value("bank2", std::string());
  }
  // The pledge chapter: what this run did, or what the complete load saved.
  nlohmann::ordered_json plg = nullptr;
  if (!receipt_.empty()) {
    plg = PledgeSummary();
  } else {
    std::ifstream in(net_ / "demo-keys" / "pledges.json");
    plg = nlohmann::ordered_json::parse(in, nullptr, false);
    if (plg.is_discarded()) plg = nullptr;
  }
  if (plg.is_object()) {
    const auto& keys = plg["key_files"];
    const std::string receipt = plg.value("receipt", std::string());
    text +=
        "\nPledges: warehouse receipt " + receipt + " (pallet 3, partly released), equity pledge " +
        plg.value("equity_pledge", std::string()) + " (gazette " +
        plg.value("equity_registration_no", std::string()) + ")" +
        (plg.value("ip_pledge", std::string()).empty()
             ? std::string()
             : ", trademark pledge " + plg.value("ip_pledge", std::string()) + " (gazette " +
                   plg.value("ip_registration_no", std::string()) + ")") +
        "\n  signed reads, party-only (a non-party such as " + keys.value("bank2", std::string()) +
        " gets 403): GET " + url + "/v1/plg/records/" + receipt + " as " +
        keys.value("bank", std::string()) + "\n  public: curl " + url + "/v1/plg/gazette/" +
        plg.value("equity_registration_no", std::string()) +
        (plg.value("ip_registration_no", std::string()).empty()
             ? std::string()
             : "   " + url + "/v1/plg/gazette/" + plg.value("ip_registration_no", std::string()));
  }
  ctx_.Emit({{"loaded", !already},
             {"explorer", url + "/"},
             {"trace_links", arr},
             {"finance", fin},
             {"pledges", plg}},
            text);
}

Status Story::Run(const std::string& url) {
  TM_RETURN_IF_ERROR(LoadGenesis());
  TM_ASSIGN_OR_RETURN(std::optional<Value> product,
                      c_.ReadValue(state_keys::prov::Product(kStage1)));
  TM_ASSIGN_OR_RETURN(std::optional<Value> recall,
                      c_.ReadValue(state_keys::prov::Recall(kRecallId)));
  if (product && recall) {
    PrintLinks(url, /*already=*/true);
    return Status::Ok();
  }
  if (product) {
    return Status::FailedPrecondition(
        "a previous demo load stopped half-way (product " + kStage1 +
        " is registered, the final recall is not); load the demo into a fresh network");
  }
  if (!ctx_.json()) ctx_.out() << "Loading the infant-formula demo story into " << url << "\n";
  TM_RETURN_IF_ERROR(EnrolPersonas());
  TM_RETURN_IF_ERROR(Load());
  PrintLinks(url, /*already=*/false);
  return Status::Ok();
}

Status DoLoad(Context& ctx, const DemoArgs& a) {
  TM_ASSIGN_OR_RETURN(client::Url url, client::Url::Parse(a.url));
  client::LedgerClient c(url, "");
  TM_RETURN_IF_ERROR(c.ChainId().status().WithContext("node " + a.url));
  Story story(ctx, c, fs::path(a.network));
  std::string base = url.ToString();
  return story.Run(base);
}

}  // namespace

void RegisterDemoCommands(CLI::App& app, Context& ctx) {
  auto* demo = app.add_subcommand("demo", "Demo data")->require_subcommand(1);
  auto* load = demo->add_subcommand(
      "load",
      "Load the infant-formula provenance story, its supply-chain finance chapter and its "
      "pledge chapter (idempotent: a second run changes nothing)");
  auto a = std::make_shared<DemoArgs>();
  load->add_option("--url", a->url, "REST URL of a node of the network")->capture_default_str();
  load->add_option("--network", a->network,
                   "The folder `tidemark network init` wrote (genesis.json, <org>/admin_key.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  load->callback([&ctx, a] {
    UsageCheck(client::Url::Parse(a->url).status().WithContext("--url"));
    ctx.SetAction([&ctx, a] { return DoLoad(ctx, *a); });
  });
}

}  // namespace tidemark::cli
