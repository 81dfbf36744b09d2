// Property test of the "fin" contract (docs/finance.md §8): seeded random sequences of every
// method, by random parties (strangers and wrong parties included) with arguments drawn from
// the live state (and sometimes nonsense), plus EPCIS receiving events that serve as delivery
// evidence. After every step:
//   - a refused call changed nothing but the signer's nonce (and, for fin-duplicate only, wrote
//     fin/attempt records and repeated-registration alerts), and emitted only the audit events;
//   - a successful call wrote only fin/ keys (and the nonce);
//   - invariants 1-3 and 5 hold for the receivable the call touched, and invariant 4: replaying
//     that receivable's history entries on a fresh ledger rebuilds every fin/ key of it;
//   - an encumbered or offered part never split or moved.
// At the end of each seed: global fingerprint uniqueness, and a replay of all history entries of
// all receivables on a fresh ledger equals the fin/ state (audit records aside: fin/attempt and
// the repeated-registration alerts; the transfer alerts are replayed like any other write).
// A failure prints the seed and the step; rerun with that seed to replay it exactly.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <random>
#include <set>

#include "fin_util.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace fk = state_keys::fin;

const std::vector<std::string> kOrgs = {"supplier", "platform", "trucker",  "bank1",
                                        "bank2",    "stranger", "regulator"};
const std::vector<std::string> kRefs = {"PO-1", "PO-2", "PO-3", "DESADV-1"};

struct World {
  explicit World(uint64_t seed) : rng(seed) {
    FinConsortium(chain);
    for (const auto& [k, v] : chain.state.entries()) base.Put(k, v);
  }

  std::mt19937_64 rng;
  Chain chain;
  MemStateView base;  // genesis and the provenance events: what a replay starts from
  ContractRegistry registry = BuiltinContracts();
  std::vector<std::string> ids;                 // receivables registered so far
  std::map<std::string, std::string> state_of;  // their states
  // Per receivable: its history entries replayed so far on a fresh ledger, and how many.
  std::map<std::string, std::unique_ptr<OverlayStateView>> replay;
  std::map<std::string, int64_t> replayed;

  uint64_t U(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  bool P(int percent) { return static_cast<int>(U(100)) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[U(v.size())];
  }

  // One tx in its own block; the changes it made to the state.
  Receipt Apply(const std::string& signer, const std::string& contract, const std::string& method,
                const Value& args, std::vector<StateChange>& changes) {
    KeyPair key = KeyFor(signer);
    Transaction tx{.chain_id = "tidemark-test",
                   .nonce = NextNonce(chain.state, key.public_key()),
                   .contract = contract,
                   .method = method,
                   .args = args.Encode()};
    tx.SignWith(key);
    ++chain.height;
    chain.block_time_ms += 3'600'000;
    TxContext ctx{.chain_id = tx.chain_id,
                  .tx_id = tx.Id(),
                  .signer = tx.signer,
                  .height = chain.height,
                  .block_time_ms = chain.block_time_ms,
                  .index = 0};
    OverlayStateView block(chain.state);
    Receipt r = ApplyTransaction(registry, block, tx, ctx);
    changes = block.Changes();
    block.Commit();
    return r;
  }

  std::vector<std::string> AllParts() {
    std::vector<std::string> out;
    for (const auto& id : ids) {
      auto rec = LoadReceivable(chain.state, id);
      for (const auto& [pid, part] : (*rec)->Find("parts")->as_map()) out.push_back(pid);
    }
    return out;
  }
};

// A random call: (signer, method, args). Arguments come from the live state most of the time.
struct Op {
  std::string signer, method;
  Value args;
  std::string touches;  // receivable id or part id the op names ("" for register)
};

Value RandomRegister(World& w, const std::string& creditor) {
  Value::List invoices;
  const size_t n = 1 + w.U(w.P(80) ? 1 : 3);
  for (size_t i = 0; i < n; ++i) {
    const int64_t amount =
        w.P(90) ? static_cast<int64_t>(1 + w.U(5) * 1000 + w.U(3)) : (w.P(50) ? 0 : kMaxFinAmount);
    invoices.push_back(
        Inv("INV-" + std::to_string(w.U(40)), amount, w.P(95) ? "2026-11-30" : "2026-11-31"));
  }
  std::string debtor = w.P(85) ? "platform" : w.Pick(kOrgs);
  if (w.P(3)) debtor = "nobody";
  Value args = RegArgs(invoices, debtor, "2026-12-01", w.P(95) ? "2027-03-01" : "2028-03-01");
  if (w.P(40)) {
    Value::List refs;
    refs.push_back(Value::Map{{"type", "po"}, {"id", w.Pick(kRefs)}});
    if (w.P(30)) refs.push_back(Value::Map{{"type", "desadv"}, {"id", "DESADV-1"}});
    args.as_map()["refs"] = Value(refs);
    args.as_map()["require_delivery"] = w.P(70);
  } else if (w.P(5)) {
    args.as_map()["require_delivery"] = true;  // without refs: fin-delivery-refs
  }
  (void)creditor;
  return args;
}

// A method the receivable's state makes likely to succeed, most of the time.
std::string MethodFor(World& w, const std::optional<Value>& rec) {
  static const std::vector<std::string> kMethods = {
      "confirm",  "dispute",       "resolve",        "reject",         "cancel",  "split",
      "transfer", "offer_finance", "withdraw_offer", "accept_finance", "release", "settle"};
  const std::string state = rec ? Str(*rec, "state") : "";
  const uint64_t r = w.U(100);
  if (state == "REGISTERED") {
    if (r < 55) return "confirm";
    if (r < 62) return "dispute";
    if (r < 66) return "reject";
    if (r < 70) return "cancel";
  } else if (state == "DISPUTED") {
    if (r < 50) return "resolve";
    if (r < 65) return "reject";
  } else if (state == "CONFIRMED") {
    if (r < 20) return "split";
    if (r < 35) return "transfer";
    if (r < 55) return "offer_finance";
    if (r < 75) return "accept_finance";
    if (r < 85) return "release";
    if (r < 89) return "withdraw_offer";
    if (r < 92) return "settle";
    if (r < 93) return "cancel";
  }
  return w.Pick(kMethods);
}

// A part of `rec`: most often one that `want` selects, if any.
std::string PartFor(World& w, const std::string& id, const std::optional<Value>& rec,
                    const std::function<bool(const Value&)>& want) {
  if (!rec || w.P(3)) return id + ".7";
  std::vector<std::string> all, good;
  for (const auto& [pid, p] : rec->Find("parts")->as_map()) {
    all.push_back(pid);
    if (want(p)) good.push_back(pid);
  }
  return !good.empty() && w.P(85) ? w.Pick(good) : w.Pick(all);
}

Op RandomOp(World& w) {
  Op op;
  // A live receivable most of the time.
  std::vector<std::string> live;
  for (const auto& [id, st] : w.state_of) {
    if (st == "REGISTERED" || st == "CONFIRMED" || st == "DISPUTED") live.push_back(id);
  }
  std::string id = w.ids.empty() ? "rcv_00000000000000000000"
                                 : (!live.empty() && w.P(90) ? w.Pick(live) : w.Pick(w.ids));
  if (w.P(3)) id = "rcv_ffffffffffffffffffff";
  std::optional<Value> rec;
  if (auto r = LoadReceivable(w.chain.state, id); r.ok() && r->has_value()) rec = **r;
  std::string method = MethodFor(w, rec);
  if (w.ids.empty() || live.size() < 3 || w.P(8)) method = "register";
  if (w.P(6)) method = "capture";
  op.method = method;
  op.signer = w.Pick(kOrgs);
  auto role = [&](const std::string& field) {
    return rec && w.P(80) ? Str(*rec, field) : w.Pick(kOrgs);
  };
  auto free_leaf = [](const Value& p) {
    return Str(p, "state") == "ACTIVE" && p.Find("offer") == nullptr &&
           (p.Find("encumbrance") == nullptr || Str(*p.Find("encumbrance"), "state") != "ACTIVE");
  };
  std::function<bool(const Value&)> want = free_leaf;
  if (method == "accept_finance" || method == "withdraw_offer") {
    want = [](const Value& p) { return p.Find("offer") != nullptr; };
  } else if (method == "release") {
    want = [](const Value& p) {
      return p.Find("encumbrance") != nullptr && Str(*p.Find("encumbrance"), "state") == "ACTIVE";
    };
  }
  std::string part = PartFor(w, id, rec, want);
  std::optional<Value> p;
  if (rec && rec->Find("parts")->as_map().count(part)) p = rec->Find("parts")->as_map().at(part);
  auto holder = [&] { return p && w.P(80) ? Str(*p, "holder") : w.Pick(kOrgs); };
  op.touches = id;
  if (method == "register") {
    op.signer = w.P(70) ? "supplier" : w.Pick(kOrgs);
    op.args = RandomRegister(w, op.signer);
    op.touches = "";
  } else if (method == "confirm" || method == "settle") {
    op.signer = role("debtor");
    op.args = Value::Map{{"id", id}};
  } else if (method == "dispute" || method == "reject") {
    op.signer = role("debtor");
    op.args = Value::Map{{"id", id}, {"reason_hash", Hex64('e')}};
  } else if (method == "resolve" || method == "cancel") {
    op.signer = role("creditor");
    op.args = Value::Map{{"id", id}};
  } else if (method == "split") {
    op.signer = holder();
    const int64_t amount = p ? p->Find("amount")->as_int() : 1000;
    Value::List amounts;
    const int64_t k = 2 + static_cast<int64_t>(w.U(3));
    int64_t left = amount;
    for (int64_t i = 0; i < k - 1; ++i) {
      const int64_t a = left > 1 ? 1 + static_cast<int64_t>(w.U(static_cast<uint64_t>(left))) : 1;
      amounts.push_back(std::min(a, left));
      left -= std::min(a, left);
    }
    amounts.push_back(left + (w.P(5) ? 1 : 0));
    op.args = Value::Map{{"part", part}, {"amounts", Value(amounts)}};
    op.touches = part;
  } else if (method == "transfer") {
    op.signer = holder();
    op.args = Value::Map{{"part", part}, {"to", w.Pick(kOrgs)}};
    op.touches = part;
  } else if (method == "offer_finance") {
    op.signer = holder();
    static const std::vector<std::string> kKinds = {"pledge", "factoring_recourse",
                                                    "factoring_nonrecourse"};
    const int64_t amount = p ? p->Find("amount")->as_int() : 1000;
    const int64_t a =
        w.P(90) ? 1 + static_cast<int64_t>(w.U(static_cast<uint64_t>(amount))) : amount + 1;
    op.args = Value::Map{{"part", part},
                         {"bank", w.P(80) ? (w.P(50) ? "bank1" : "bank2") : w.Pick(kOrgs)},
                         {"kind", w.Pick(kKinds)},
                         {"amount", a}};
    op.touches = part;
  } else if (method == "withdraw_offer") {
    op.signer = holder();
    op.args = Value::Map{{"part", part}};
    op.touches = part;
  } else if (method == "accept_finance" || method == "release") {
    const Value* bank =
        p ? (method == "release" ? p->Find("encumbrance") : p->Find("offer")) : nullptr;
    op.signer = bank != nullptr && w.P(75) ? Str(*bank, method == "release" ? "financier" : "bank")
                                           : w.Pick(kOrgs);
    op.args = Value::Map{{"part", part}};
    op.touches = part;
  } else {  // capture: a receiving (or shipping) event naming a reference
    op.signer = w.P(70) ? "platform" : "stranger";
    op.touches = "";
  }
  op.signer += "/admin";
  return op;
}

// Invariants 1, 2, 3 and 5 of one record, against the state.
void CheckRecord(World& w, const Value& rec) {
  const std::string id = Str(rec, "id");
  INFO("receivable " << id);
  const auto& parts = rec.Find("parts")->as_map();
  const int64_t amount = rec.Find("amount")->as_int();
  int64_t invoiced = 0;
  for (const auto& inv : rec.Find("invoices")->as_list()) invoiced += inv.Find("amount")->as_int();
  REQUIRE(invoiced == amount);
  REQUIRE(parts.at(id).Find("amount")->as_int() == amount);
  int64_t leaves = 0;
  const std::string state = Str(rec, "state");
  for (const auto& [pid, part] : parts) {
    INFO("part " << pid);
    const auto& kids = part.Find("children")->as_list();
    const std::string ps = Str(part, "state");
    const Value* enc = part.Find("encumbrance");
    const bool active = enc != nullptr && Str(*enc, "state") == "ACTIVE";
    if (kids.empty()) {
      leaves += part.Find("amount")->as_int();
      REQUIRE(ps != "SPLIT");
    } else {
      REQUIRE(ps == "SPLIT");
      int64_t sum = 0;
      for (const auto& k : kids) {
        REQUIRE(Str(parts.at(k.as_string()), "parent") == pid);
        sum += parts.at(k.as_string()).Find("amount")->as_int();
      }
      REQUIRE(sum == part.Find("amount")->as_int());  // invariant 1
    }
    // Invariant 2: one encumbrance or offer, only on an ACTIVE leaf.
    REQUIRE_FALSE((active && part.Find("offer") != nullptr));
    if (active || part.Find("offer") != nullptr) {
      REQUIRE(ps == "ACTIVE");
      REQUIRE(state == "CONFIRMED");
    }
    REQUIRE(IsFinParty(rec, Str(part, "holder")));
    if (enc != nullptr) REQUIRE(IsFinParty(rec, Str(*enc, "financier")));
    if (ps == "ACTIVE")
      REQUIRE((state == "REGISTERED" || state == "CONFIRMED" || state == "DISPUTED"));
  }
  REQUIRE(leaves == amount);  // invariant 1
  // Parties: sorted, unique, each with its row.
  std::set<std::string> parties;
  std::string prev;
  for (const auto& pv : rec.Find("parties")->as_list()) {
    REQUIRE(pv.as_string() > prev);
    prev = pv.as_string();
    REQUIRE(w.chain.state.Get(fk::Party(pv.as_string(), id)).has_value());
  }
  // Invariant 3: fingerprints and invoice keys follow the record.
  const std::string fp_state = FingerprintStateOf(rec);
  bool any_active = false;
  for (const auto& [pid, part] : parts) {
    const Value* enc = part.Find("encumbrance");
    any_active = any_active || (enc != nullptr && Str(*enc, "state") == "ACTIVE");
  }
  if (state == "SETTLED" || state == "CANCELLED" || state == "REJECTED") {
    REQUIRE(fp_state == "closed");
  } else {
    REQUIRE(fp_state == (any_active ? "encumbered" : "registered"));
  }
  for (const auto& inv : rec.Find("invoices")->as_list()) {
    REQUIRE(*FinStateOfFingerprint(w.chain.state, Str(inv, "fingerprint")) == fp_state);
    REQUIRE(*FinStateOfInvoiceKey(w.chain.state, Str(inv, "invoice_key")) == fp_state);
    REQUIRE(**ReceivableOfFingerprint(w.chain.state, Str(inv, "fingerprint")) == id);
    REQUIRE(**ReceivableOfFingerprint(w.chain.state, Str(inv, "invoice_key")) == id);
  }
  // Invariant 5: settlement pays exactly the amount.
  if (state == "SETTLED") {
    int64_t paid = 0;
    for (const auto& pay : rec.Find("settled")->Find("payees")->as_list()) {
      REQUIRE(pay.Find("amount")->as_int() > 0);
      paid += pay.Find("amount")->as_int();
    }
    REQUIRE(paid == amount);
  }
}

// An audit write of a refused fin.register (never replayed from history): a fin/attempt record,
// or a repeated-registration alert and its mark (docs/finance.md §16).
bool IsAudit(const StateView& state, const std::string& k) {
  namespace al = state_keys::alerts;
  if (k.rfind(fk::kAttemptPrefix, 0) == 0) return true;
  if (k.rfind(al::Alerted("fin/", "repeated-registration", ""), 0) == 0) return true;
  if (k.rfind(al::AlertPrefix("fin/"), 0) != 0) return false;
  auto a = GetValue(state, k);
  return a.ok() && a->has_value() && Str(**a, "kind") == "repeated-registration";
}

// Re-executes one history entry on `view`, as the tx it records.
void ReplayEntry(StateView& view, const Value& e) {
  TxContext ctx{.chain_id = "tidemark-test",
                .tx_id = *Hash256::FromHex(Str(e, "tx")),
                .signer = *PublicKey::FromHex(Str(e, "signer")),
                .height = static_cast<uint64_t>(e.Find("height")->as_int()),
                .block_time_ms = static_cast<uint64_t>(e.Find("time_ms")->as_int()),
                .index = 0};
  EventSink sink;
  Status st = FinanceContract().Execute(ctx, Str(e, "action"), *e.Find("args"), view, sink);
  INFO("replaying " << Str(e, "action") << " at height " << ctx.height << ": " << st.ToString());
  REQUIRE(st.ok());
}

// The fin/ entries a replay wrote over the base.
std::map<std::string, Bytes> FinChanges(const OverlayStateView& view) {
  std::map<std::string, Bytes> out;
  for (auto& [k, v] : view.Changes()) {
    REQUIRE(k.rfind("fin/", 0) == 0);
    REQUIRE(v.has_value());
    out.emplace(k, *v);
  }
  return out;
}

// Re-executes history entries, in block order, on a fresh ledger holding the genesis and the
// provenance events (the delivery evidence); returns its fin/ entries.
std::map<std::string, Bytes> Replay(World& w, std::vector<Value> entries) {
  OverlayStateView fresh(w.base);
  std::stable_sort(entries.begin(), entries.end(), [](const Value& a, const Value& b) {
    return a.Find("height")->as_int() < b.Find("height")->as_int();
  });
  for (const auto& e : entries) ReplayEntry(fresh, e);
  return FinChanges(fresh);
}

// Invariant 4 for one receivable: its history replayed (incrementally: one replay per receivable,
// advanced by each new entry) rebuilds all its fin/ keys.
void CheckReplayOf(World& w, const Value& rec) {
  const std::string id = Str(rec, "id");
  // The receivable's own replay, advanced by the entries written since the last check.
  auto& view = w.replay[id];
  if (!view) view = std::make_unique<OverlayStateView>(w.base);
  const int64_t next = rec.Find("next_hist")->as_int();
  for (int64_t seq = w.replayed[id] + 1; seq < next; ++seq) {
    auto e = GetValue(w.chain.state, fk::History(id, static_cast<uint64_t>(seq)));
    REQUIRE(e.ok());
    REQUIRE(e->has_value());
    ReplayEntry(*view, **e);
  }
  w.replayed[id] = next - 1;
  std::map<std::string, Bytes> mine;
  std::set<std::string> own = {fk::Receivable(id)};
  for (const auto& inv : rec.Find("invoices")->as_list()) {
    for (const char* f : {"fingerprint", "invoice_key"}) {
      own.insert(fk::FingerprintId(Str(inv, f)));
    }
    own.insert(fk::Fingerprint(Str(inv, "fingerprint")));
    own.insert(fk::InvoiceKey(Str(inv, "invoice_key")));
  }
  for (const auto& k : own) {
    auto v = w.chain.state.Get(k);
    if (v) mine.emplace(k, *v);
  }
  auto collect = [&](const std::string& prefix, bool only_mine) {
    w.chain.state.Scan(prefix, [&](const std::string& k, const Bytes& v) {
      if (!only_mine || (k.size() > id.size() &&
                         k.compare(k.size() - id.size() - 1, id.size() + 1, " " + id) == 0)) {
        mine.emplace(k, v);
      }
      return true;
    });
  };
  collect(fk::HistoryPrefix(id), false);
  collect(std::string(fk::kPartyPrefix), true);
  // The history log rows of its entries (fin/hlog/…, value {id, seq}).
  w.chain.state.Scan(state_keys::alerts::HistLogPrefix("fin/"),
                     [&](const std::string& k, const Bytes& v) {
                       auto row = Value::Decode(v);
                       if (row.ok() && Str(*row, "id") == id) mine.emplace(k, v);
                       return true;
                     });
  // The transfer alerts about it (circular-transfer, fan-out-new-parties) and their marks.
  w.chain.state.Scan(
      state_keys::alerts::AlertPrefix("fin/"), [&](const std::string& k, const Bytes& v) {
        auto a = Value::Decode(v);
        if (a.ok() && Str(*a, "kind") != "repeated-registration" &&
            Str(*a->Find("detail"), "receivable") == id) {
          mine.emplace(k, v);
          const std::string mark =
              state_keys::alerts::Alerted("fin/", Str(*a, "kind"), Str(*a, "subject"));
          mine.emplace(mark, *w.chain.state.Get(mark));
        }
        return true;
      });
  REQUIRE(FinChanges(*view) == mine);
}

void RunSeed(uint64_t seed, int steps) {
  World w(seed);
  std::map<std::string, int> ok_by_method;
  for (int step = 0; step < steps; ++step) {
    INFO("seed " << seed << " step " << step);
    Op op = RandomOp(w);
    INFO(op.signer << " " << op.method << " " << op.args.ToJson().dump());
    // Was the part this op names carrying an offer or an active encumbrance?
    bool part_bound = false;
    if (!op.touches.empty()) {
      if (auto rec = LoadReceivable(w.chain.state, ReceivableOfPart(op.touches));
          rec.ok() && rec->has_value()) {
        const auto& parts = (*rec)->Find("parts")->as_map();
        if (auto it = parts.find(op.touches); it != parts.end()) {
          const Value* e = it->second.Find("encumbrance");
          part_bound =
              it->second.Find("offer") != nullptr || (e != nullptr && Str(*e, "state") == "ACTIVE");
        }
      }
    }
    std::vector<StateChange> changes;
    Receipt r;
    if (op.method == "capture") {
      r = [&] {
        auto ev = Ev("ObjectEvent", "OBSERVE", w.P(80) ? "receiving" : "shipping",
                     {"urn:epc:id:sgtin:0614141.107346.2018"});
        ev["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", w.Pick(kRefs)}}};
        Value::List list{*ParseEpcisEvent(ev)};
        return w.Apply(op.signer, "prov", "capture", Value::Map{{"events", Value(list)}}, changes);
      }();
      REQUIRE(Ok(r));
      for (const auto& [k, v] : changes) {
        if (v) w.base.Put(k, *v);
      }
      continue;
    }
    r = w.Apply(op.signer, "fin", op.method, op.args, changes);
    INFO(r.reason);
    const std::string nonce = NonceKey(KeyFor(op.signer).public_key());
    if (!Ok(r)) {
      REQUIRE(r.reason.find(": rule fin-") != std::string::npos);
      const bool dup = r.reason.rfind("FAILED_PRECONDITION: rule fin-duplicate: ", 0) == 0;
      for (const auto& [k, v] : changes) {
        INFO("refused call changed " << k);
        REQUIRE((k == nonce || (dup && IsAudit(w.chain.state, k))));
      }
      for (const auto& e : r.events) {
        REQUIRE((e.type == "fin.duplicate_attempt" || e.type == "fin.alert"));
      }
      if (!dup) REQUIRE(r.events.empty());
      continue;
    }
    ++ok_by_method[op.method];
    for (const auto& [k, v] : changes) {
      INFO("changed " << k);
      REQUIRE((k == nonce || k.rfind("fin/", 0) == 0));
      REQUIRE(k.rfind(fk::kAttemptPrefix, 0) != 0);
    }
    if (op.method == "split" || op.method == "transfer") REQUIRE_FALSE(part_bound);
    if (op.method == "register") w.ids.push_back(IdOf(r));
    const std::string id = op.method == "register" ? IdOf(r) : ReceivableOfPart(op.touches);
    Value rec = Record(w.chain, id);
    w.state_of[id] = Str(rec, "state");
    CheckRecord(w, rec);
    CheckReplayOf(w, rec);
  }
  // Globally: each fingerprint / invoice key names exactly one receivable, which lists it.
  size_t invoices = 0;
  for (const auto& id : w.ids) {
    Value rec = Record(w.chain, id);
    CheckRecord(w, rec);
    invoices += rec.Find("invoices")->as_list().size();
  }
  size_t fps = 0, iks = 0, fpids = 0;
  for (const auto& [k, v] : w.chain.state.entries()) {
    fps += k.rfind(fk::kFingerprintPrefix, 0) == 0;
    iks += k.rfind(fk::kInvoiceKeyPrefix, 0) == 0;
    fpids += k.rfind(fk::kFingerprintIdPrefix, 0) == 0;
  }
  CHECK(fps == invoices);
  CHECK(iks == invoices);
  CHECK(fpids == 2 * invoices);
  // Invariant 4 for the whole ledger: every history entry of every receivable, replayed.
  std::vector<Value> all;
  for (const auto& id : w.ids) {
    auto h = LoadFinHistory(w.chain.state, id);
    REQUIRE(h.ok());
    all.insert(all.end(), h->begin(), h->end());
  }
  std::map<std::string, Bytes> want;
  for (const auto& [k, v] : w.chain.state.entries()) {
    if (k.rfind("fin/", 0) == 0 && !IsAudit(w.chain.state, k)) want.emplace(k, v);
  }
  CHECK(Replay(w, all) == want);
  // The sequences reached every method (the test is not vacuous).
  std::string counts;
  for (const auto& [m, n] : ok_by_method) counts += " " + m + "=" + std::to_string(n);
  std::map<std::string, int> alerts;
  w.chain.state.Scan(state_keys::alerts::AlertPrefix("fin/"),
                     [&](const std::string&, const Bytes& v) {
                       ++alerts[Str(*Value::Decode(v), "kind")];
                       return true;
                     });
  for (const auto& [kind, n] : alerts) counts += " alert:" + kind + "=" + std::to_string(n);
  WARN("seed " << seed << ":" << counts);
  for (const char* m : {"register", "confirm", "split", "transfer", "offer_finance",
                        "accept_finance", "release", "settle"}) {
    INFO("seed " << seed << ": no successful " << m);
    CHECK(ok_by_method[m] > 0);
  }
}

TEST_CASE("fin property: random parties and operations keep invariants 1-5") {
  for (uint64_t seed : {1, 2, 3, 4, 5}) RunSeed(seed, 700);
}

}  // namespace
}  // namespace tidemark::contracts
