// The "fin" contract: dispatch, the pure reads of finance.h, and the helpers every method shares.
#include <algorithm>

#include "fin_internal.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace fin {

Status OnlyFields(const Value& args, std::initializer_list<std::string_view> allowed) {
  if (!args.is_map()) return Bad("args", "args must be a map");
  for (const auto& [k, v] : args.as_map()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Bad("args", k + ": unknown field");
    }
  }
  return Status::Ok();
}

Result<std::string> StrArg(const Value& args, const std::string& field, size_t max) {
  const Value* v = args.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > max) {
    return Bad("args", field + ": must be a string of 1 to " + std::to_string(max) + " bytes");
  }
  for (char ch : v->as_string()) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return Bad("args", field + ": control characters are not allowed");
    }
  }
  return v->as_string();
}

Result<std::string> HashArg(const Value& m, const std::string& field) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  std::string h = v->is_string() ? v->as_string() : std::string();
  bool ok = h.size() == 64;
  for (char& ch : h) {
    if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  }
  if (!ok) return Bad("args", field + ": must be a SHA-256 as 64 hex digits");
  return h;
}

Result<Value> LoadForRole(const Call& c, const std::string& id, std::string_view rule,
                          std::string_view role_field) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadReceivable(c.view, id));
  if (!rec || S(*rec, std::string(role_field)) != c.signer.org) {
    return Deny(rule, "org " + c.signer.org + " is not the " + std::string(role_field) +
                          " of receivable " + id);
  }
  return *rec;
}

Result<Value> LoadForHolder(const Call& c, const std::string& part_id) {
  const std::string id = ReceivableOfPart(part_id);
  auto deny = [&] {
    return Deny("holder", "org " + c.signer.org + " is not the holder of part " + part_id);
  };
  if (id.empty()) return deny();
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadReceivable(c.view, id));
  if (!rec) return deny();
  auto it = Parts(*rec).find(part_id);
  if (it == Parts(*rec).end() || S(it->second, "holder") != c.signer.org) return deny();
  return *rec;
}

Status NeedState(const Value& rec, std::initializer_list<std::string_view> states) {
  const std::string st = S(rec, "state");
  if (std::find(states.begin(), states.end(), st) != states.end()) return Status::Ok();
  std::string want;
  for (std::string_view s : states) want += (want.empty() ? "" : " or ") + std::string(s);
  return Refuse("state", "receivable " + S(rec, "id") + " is " + st + ", not " + want);
}

Status NeedFreeLeaf(const Value& part) {
  const std::string pid = S(part, "id");
  if (S(part, "state") != kPartActive) {
    return Refuse("leaf", "part " + pid + " is " + S(part, "state") + ", not an ACTIVE leaf");
  }
  if (const Value* e = part.Find("encumbrance"); e != nullptr && S(*e, "state") == kEncActive) {
    return Refuse("encumbered", "part " + pid + " is financed by " + S(*e, "financier") + " (" +
                                    S(*e, "kind") + "); the financier releases it first");
  }
  if (const Value* o = part.Find("offer"); o != nullptr) {
    return Refuse("encumbered", "part " + pid + " has a pending finance offer to " + S(*o, "bank") +
                                    "; withdraw it first");
  }
  return Status::Ok();
}

void AddParty(Call& c, Value& rec, const std::string& org) {
  Value::List& parties = M(rec)["parties"].as_list();
  Value v(org);
  auto it = std::lower_bound(parties.begin(), parties.end(), v, [](const Value& a, const Value& b) {
    return a.as_string() < b.as_string();
  });
  if (it != parties.end() && *it == v) return;
  parties.insert(it, v);
  c.view.Put(keys::Party(org, S(rec, "id")), {});
}

namespace {

void PutFpState(StateView& view, const std::string& key, const std::string& state) {
  Value want = Value::Map{{"state", state}};
  auto have = GetValue(view, key);
  if (have.ok() && have->has_value() && **have == want) return;
  PutValue(view, key, want);
}

}  // namespace

void Save(Call& c, Value& rec, std::string_view action, Value::Map extra) {
  const std::string id = S(rec, "id");
  const int64_t seq = std::max<int64_t>(I(rec, "next_hist"), 1);
  Value::Map entry = std::move(extra);
  entry["seq"] = seq;
  entry["height"] = static_cast<int64_t>(c.ctx.height);
  entry["time_ms"] = static_cast<int64_t>(c.ctx.block_time_ms);
  entry["tx"] = c.ctx.tx_id.Hex();
  entry["action"] = std::string(action);
  entry["org"] = c.signer.org;
  entry["signer"] = c.ctx.signer.Hex();
  entry["args"] = c.args;
  PutValue(c.view, keys::History(id, static_cast<uint64_t>(seq)), Value(std::move(entry)));
  // Its log row, for the regulator's export in time order (docs/finance.md §12).
  PutValue(c.view,
           state_keys::alerts::HistLog("fin/", static_cast<int64_t>(c.ctx.block_time_ms),
                                       c.ctx.height, c.ctx.index, c.next_k++),
           Value(Value::Map{{"id", id}, {"seq", seq}}));
  M(rec)["next_hist"] = seq + 1;
  PutValue(c.view, keys::Receivable(id), rec);
  const std::string state = FingerprintStateOf(rec);
  for (const Value& inv : rec.Find("invoices")->as_list()) {
    PutFpState(c.view, keys::Fingerprint(S(inv, "fingerprint")), state);
    PutFpState(c.view, keys::InvoiceKey(S(inv, "invoice_key")), state);
  }
}

}  // namespace fin

Status FinanceContract::Execute(const TxContext& ctx, std::string_view method, const Value& args,
                                StateView& state, EventSink& events) const {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(state, ctx.signer));
  if (!args.is_map()) return fin::Bad("args", "args must be a map");
  fin::Call c{.ctx = ctx, .args = args, .view = state, .events = events, .signer = signer};
  if (method == "register") return fin::Register(c);
  if (method == "confirm") return fin::Confirm(c);
  if (method == "dispute" || method == "resolve" || method == "reject" || method == "cancel" ||
      method == "settle") {
    return fin::Lifecycle(c, method);
  }
  if (method == "split") return fin::Split(c);
  if (method == "transfer") return fin::Transfer(c);
  if (method == "offer_finance" || method == "withdraw_offer" || method == "accept_finance" ||
      method == "release") {
    return fin::Finance(c, method);
  }
  return Status::Invalid("rule fin-method: the fin contract has no method '" + std::string(method) +
                         "'");
}

std::string ReceivableIdFor(const Hash256& tx_id) { return "rcv_" + tx_id.Hex().substr(0, 20); }

std::string ReceivableOfPart(std::string_view part_id) {
  std::string_view id = part_id.substr(0, part_id.find('.'));
  if (id.size() != 24 || id.substr(0, 4) != "rcv_") return "";
  for (char ch : id.substr(4)) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return "";
  }
  return std::string(id);
}

Result<std::optional<Value>> LoadReceivable(const StateView& view, std::string_view id) {
  if (id.empty() || ReceivableOfPart(id) != id) return std::optional<Value>();
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, GetValue(view, state_keys::fin::Receivable(id)));
  if (rec && (!rec->is_map() || rec->Find("parts") == nullptr || !rec->Find("parts")->is_map() ||
              rec->Find("invoices") == nullptr || !rec->Find("invoices")->is_list() ||
              rec->Find("parties") == nullptr || !rec->Find("parties")->is_list())) {
    return Status::Corruption("receivable " + std::string(id) + ": malformed record");
  }
  return rec;
}

bool IsFinParty(const Value& record, std::string_view org) {
  const Value* parties = record.Find("parties");
  if (parties == nullptr || !parties->is_list() || org.empty()) return false;
  for (const auto& p : parties->as_list()) {
    if (p.is_string() && p.as_string() == org) return true;
  }
  return false;
}

std::vector<std::string> ReceivablesOfParty(const StateView& view, std::string_view org,
                                            std::string_view after, size_t limit) {
  std::vector<std::string> out;
  if (limit == 0) return out;
  const std::string prefix = state_keys::fin::PartyPrefix(org);
  // Keys after `after`: start at "<prefix><after>\x01" (no id contains a byte below '.').
  const std::string start = after.empty() ? "" : prefix + std::string(after) + '\x01';
  view.Scan(prefix, start, [&](const std::string& key, const Bytes&) {
    out.push_back(key.substr(prefix.size()));
    return out.size() < limit;
  });
  return out;
}

Result<std::vector<Value>> LoadFinHistory(const StateView& view, std::string_view id) {
  std::vector<Value> out;
  Status st = Status::Ok();
  view.Scan(state_keys::fin::HistoryPrefix(id), [&](const std::string& key, const Bytes& value) {
    auto v = Value::Decode(value);
    if (!v.ok()) {
      st = Status::Corruption(key + ": " + v.status().message());
      return false;
    }
    out.push_back(std::move(*v));
    return true;
  });
  TM_RETURN_IF_ERROR(st);
  return out;
}

namespace {

Result<std::string> StateAt(const StateView& view, const std::string& key) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> v, GetValue(view, key));
  if (!v) return std::string(kFpFree);
  std::string s = fin::S(*v, "state");
  if (s.empty()) return Status::Corruption(key + ": no state");
  return s;
}

}  // namespace

Result<std::string> FinStateOfFingerprint(const StateView& view, std::string_view fp_hex) {
  return StateAt(view, state_keys::fin::Fingerprint(fp_hex));
}

Result<std::string> FinStateOfInvoiceKey(const StateView& view, std::string_view ik_hex) {
  return StateAt(view, state_keys::fin::InvoiceKey(ik_hex));
}

Result<std::optional<std::string>> ReceivableOfFingerprint(const StateView& view,
                                                           std::string_view hex) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> v, GetValue(view, state_keys::fin::FingerprintId(hex)));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(fin::S(*v, "receivable"));
}

std::string FingerprintStateOf(const Value& record) {
  const std::string st = fin::S(record, "state");
  if (st == kRcvSettled || st == kRcvCancelled || st == kRcvRejected) return std::string(kFpClosed);
  if (const Value* parts = record.Find("parts"); parts != nullptr && parts->is_map()) {
    for (const auto& [pid, part] : parts->as_map()) {
      const Value* e = part.Find("encumbrance");
      if (e != nullptr && fin::S(*e, "state") == kEncActive) return std::string(kFpEncumbered);
    }
  }
  return std::string(kFpRegistered);
}

bool IsOverdue(const Value& record, int64_t now_ms) {
  const std::string due = fin::S(record, "due_date");
  if (fin::S(record, "state") != kRcvConfirmed || !IsIsoDate(due)) return false;
  const int64_t today = now_ms >= 0 ? now_ms / 86'400'000 : (now_ms + 1) / 86'400'000 - 1;
  return today > IsoDateToDays(due);
}

Value::List SettlementPayees(const Value& record) {
  Value::List out;
  const Value* parts = record.Find("parts");
  if (parts == nullptr || !parts->is_map()) return out;
  for (const auto& entry : parts->as_map()) {
    const std::string& pid = entry.first;  // (a named reference: clang 14 cannot capture a binding)
    const Value& part = entry.second;
    if (fin::S(part, "state") != kPartActive) continue;
    const int64_t amount = fin::I(part, "amount");
    const std::string holder = fin::S(part, "holder");
    auto pay = [&](const std::string& org, int64_t a, const char* as) {
      out.push_back(Value::Map{{"part", pid}, {"org", org}, {"amount", a}, {"as", as}});
    };
    const Value* e = part.Find("encumbrance");
    if (e == nullptr || fin::S(*e, "state") != kEncActive) {
      pay(holder, amount, "holder");
    } else if (fin::S(*e, "kind") == "pledge") {
      const int64_t pledged = std::min(fin::I(*e, "amount"), amount);
      pay(fin::S(*e, "financier"), pledged, "pledgee");
      if (amount > pledged) pay(holder, amount - pledged, "holder");
    } else {
      pay(fin::S(*e, "financier"), amount, "factor");
    }
  }
  return out;
}

}  // namespace tidemark::contracts
