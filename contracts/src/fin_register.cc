// fin.register (with its duplicate audit) and fin.confirm (with its delivery evidence).
#include <set>

#include "fin_internal.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/alerts.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts::fin {

namespace {

Result<int64_t> AmountArg(const Value& m, const std::string& field, int64_t min) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_int()) return Bad("args", field + ": must be an integer (minor units)");
  if (v->as_int() < min || v->as_int() > kMaxFinAmount) {
    return Bad("args", field + ": " + std::to_string(min) + " to 10^15 minor units");
  }
  return v->as_int();
}

Result<std::string> DateArg(const Value& m, const std::string& field) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_string() || !IsIsoDate(v->as_string())) {
    return Bad("args", field + ": must be a YYYY-MM-DD calendar date");
  }
  return v->as_string();
}

bool IsRefType(const std::string& t) {
  if (t.empty() || t.size() > 32) return false;
  for (char ch : t) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// A delivery reference id: 1..256 printable bytes without spaces, after trimming (the form the
// provenance contract indexes a bizTransaction under, "biztx").
bool IsRefId(const std::string& id) {
  if (id.empty() || id.size() > 256) return false;
  for (char ch : id) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) return false;
  }
  return true;
}

// "rule fin-args: x" -> "x".
std::string Why(const Status& st) {
  const std::string& m = st.message();
  size_t p = m.find(": ");
  return p == std::string::npos ? m : m.substr(p + 2);
}

struct Invoice {
  Value value;  // as stored in the record
  std::string fp, ik;
};

// Parses and validates every argument of register (fin-args), in the record's form.
Status ParseRegister(Call& c, Value::Map& rec, std::vector<Invoice>& invoices) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"debtor", "currency", "contract", "invoices", "issue_date",
                                         "due_date", "refs", "require_delivery"}));
  TM_ASSIGN_OR_RETURN(std::string debtor, StrArg(c.args, "debtor", 64));
  for (char& ch : debtor) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  if (!IsValidOrgId(debtor)) return Bad("args", "debtor: not an organisation id");
  TM_ASSIGN_OR_RETURN(std::string currency, StrArg(c.args, "currency", 3));
  bool iso = currency.size() == 3;
  for (char ch : currency) iso = iso && ch >= 'A' && ch <= 'Z';
  if (!iso) return Bad("args", "currency: an ISO 4217 code, three capital letters (CNY, USD)");
  const Value* contract = c.args.Find("contract");
  if (contract == nullptr || !contract->is_map()) return Bad("args", "contract: must be a map");
  if (Status st = OnlyFields(*contract, {"number", "hash"}); !st.ok()) {
    return Bad("args", "contract." + Why(st));
  }
  auto contract_no = StrArg(*contract, "number", 128);
  if (!contract_no.ok()) return Bad("args", "contract." + Why(contract_no.status()));
  auto contract_hash = HashArg(*contract, "hash");
  if (!contract_hash.ok()) return Bad("args", "contract." + Why(contract_hash.status()));
  TM_ASSIGN_OR_RETURN(std::string issue, DateArg(c.args, "issue_date"));
  TM_ASSIGN_OR_RETURN(std::string due, DateArg(c.args, "due_date"));
  const Value* list = c.args.Find("invoices");
  if (list == nullptr || !list->is_list() || list->as_list().empty() ||
      list->as_list().size() > kMaxFinInvoices) {
    return Bad("args", "invoices: a list of 1 to " + std::to_string(kMaxFinInvoices));
  }
  int64_t total = 0;
  for (size_t i = 0; i < list->as_list().size(); ++i) {
    const Value& in = list->as_list()[i];
    const std::string at = "invoices[" + std::to_string(i) + "]";
    if (!in.is_map()) return Bad("args", at + ": must be a map");
    Status fields = OnlyFields(in, {"number", "amount", "tax", "date", "hash"});
    if (!fields.ok()) return Bad("args", at + "." + Why(fields));
    auto sub = [&](const Status& st) { return Bad("args", at + "." + Why(st)); };
    auto number = StrArg(in, "number", 128);
    if (!number.ok()) return sub(number.status());
    auto norm = NormaliseInvoiceNumber(*number);
    if (!norm.ok()) return Bad("args", at + ".number: " + norm.status().message());
    auto amount = AmountArg(in, "amount", 1);
    if (!amount.ok()) return sub(amount.status());
    int64_t tax = 0;
    if (in.Find("tax") != nullptr) {
      auto t = AmountArg(in, "tax", 0);
      if (!t.ok()) return sub(t.status());
      tax = *t;
    }
    auto date = DateArg(in, "date");
    if (!date.ok()) return sub(date.status());
    auto hash = HashArg(in, "hash");
    if (!hash.ok()) return sub(hash.status());
    if (*amount > kMaxFinAmount - total) {
      return Bad("args", "invoices: the amounts add up to more than 10^15 minor units");
    }
    total += *amount;
    auto hashes = InvoiceFingerprint({.creditor = c.signer.org,
                                      .debtor = debtor,
                                      .number = *number,
                                      .amount = *amount,
                                      .date = *date});
    if (!hashes.ok()) return Bad("args", at + ": " + hashes.status().message());
    Invoice inv{.fp = hashes->fingerprint.Hex(), .ik = hashes->invoice_key.Hex()};
    inv.value = Value::Map{{"number", *number},    {"amount", *amount}, {"tax", tax},
                           {"date", *date},        {"hash", *hash},     {"fingerprint", inv.fp},
                           {"invoice_key", inv.ik}};
    invoices.push_back(std::move(inv));
  }
  Value::List refs;
  if (const Value* r = c.args.Find("refs"); r != nullptr && !r->is_null()) {
    if (!r->is_list() || r->as_list().size() > kMaxFinRefs) {
      return Bad("args", "refs: a list of at most " + std::to_string(kMaxFinRefs));
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < r->as_list().size(); ++i) {
      const Value& ref = r->as_list()[i];
      const std::string at = "refs[" + std::to_string(i) + "]";
      if (!ref.is_map() || !OnlyFields(ref, {"type", "id"}).ok()) {
        return Bad("args", at + ": must be a map {type, id}");
      }
      const std::string type = S(ref, "type"), id = Trim(S(ref, "id"));
      if (!IsRefType(type)) return Bad("args", at + ".type: 1 to 32 of a-z 0-9 _ (po, desadv)");
      if (!IsRefId(id)) return Bad("args", at + ".id: 1 to 256 printable bytes, no spaces");
      if (!seen.insert(id).second) return Bad("args", at + ".id: listed twice");
      refs.push_back(Value::Map{{"type", type}, {"id", id}});
    }
  }
  const Value* rd = c.args.Find("require_delivery");
  if (rd != nullptr && !rd->is_null() && !rd->is_bool()) {
    return Bad("args", "require_delivery: must be true or false");
  }
  const bool require_delivery = rd != nullptr && rd->is_bool() && rd->as_bool();
  rec = Value::Map{{"creditor", c.signer.org},
                   {"debtor", debtor},
                   {"currency", currency},
                   {"amount", total},
                   {"contract", Value::Map{{"number", *contract_no}, {"hash", *contract_hash}}},
                   {"issue_date", issue},
                   {"due_date", due},
                   {"refs", Value(std::move(refs))},
                   {"require_delivery", require_delivery}};
  Value::List inv_values;
  for (const auto& inv : invoices) inv_values.push_back(inv.value);
  rec["invoices"] = Value(std::move(inv_values));
  return Status::Ok();
}

// repeated-registration (docs/finance.md §16): an attempt of this tx on a fingerprint that has
// an earlier refused attempt (fin/attempt, written by earlier txs) raises the alert once per
// fingerprint, through the audit like the attempt itself. Attempts come first: an alert is
// raised only while the audit stays within AuditSink::kMaxAuditWrites (two writes each); one
// left out for lack of room is raised by the fingerprint's next attempt that has room.
Status RepeatedRegistration(Call& c, const std::vector<Value::Map>& attempts) {
  for (const Value::Map& attempt : attempts) {
    const Value at(attempt);
    const std::string fp = S(at, "fingerprint");
    auto mark =
        GetValue(c.view, state_keys::alerts::Alerted(keys::kPrefix, "repeated-registration", fp));
    if (!mark.ok()) return mark.status();
    if (mark->has_value()) continue;
    if (c.events.audit().writes().size() + 2 > AuditSink::kMaxAuditWrites) break;
    std::set<std::string> orgs{c.signer.org};
    Value::List earlier;
    Status st = Status::Ok();
    c.view.Scan(keys::AttemptPrefix(fp), [&](const std::string& key, const Bytes& bytes) {
      auto v = Value::Decode(bytes);
      if (!v.ok()) {
        st = Status::Corruption(key + ": " + v.status().message());
        return false;
      }
      orgs.insert(S(*v, "org"));
      earlier.push_back(Value::Map{{"height", I(*v, "height")}, {"tx", S(*v, "tx")}});
      return earlier.size() < kMaxFinInvoices;
    });
    TM_RETURN_IF_ERROR(st);
    if (earlier.empty()) continue;  // the first attempt is recorded, not alerted
    Value::List org_list;
    for (const auto& o : orgs) org_list.push_back(o);
    RaiseAlert(c, "repeated-registration", fp, std::move(org_list),
               Value::Map{{"fingerprint", fp},
                          {"invoice_key", S(at, "invoice_key")},
                          {"receivable", S(at, "receivable")},
                          {"matched", S(at, "matched")},
                          {"attempts", static_cast<int64_t>(earlier.size() + 1)},
                          {"earlier", Value(std::move(earlier))}},
               /*audit=*/true);
  }
  return Status::Ok();
}

// fin-duplicate: a fingerprint or invoice key known on the ledger (audited) or repeated in the
// tx. Audit records go through events.audit() and survive the refusal (framework.h).
Status CheckDuplicates(Call& c, const std::vector<Invoice>& invoices) {
  std::set<std::string> in_tx;
  Status refusal = Status::Ok();
  std::vector<Value::Map> repeated;  // this tx's attempts, for repeated-registration
  for (size_t i = 0; i < invoices.size(); ++i) {
    const Invoice& inv = invoices[i];
    const std::string at = "invoices[" + std::to_string(i) + "]";
    if (!in_tx.insert(inv.fp).second || !in_tx.insert("ik/" + inv.ik).second) {
      if (refusal.ok()) refusal = Refuse("duplicate", at + ": the same invoice is listed twice");
      continue;
    }
    TM_ASSIGN_OR_RETURN(std::optional<std::string> by_fp, ReceivableOfFingerprint(c.view, inv.fp));
    std::optional<std::string> existing = by_fp;
    std::string matched = "fingerprint";
    if (!existing) {
      TM_ASSIGN_OR_RETURN(std::string ik_state, FinStateOfInvoiceKey(c.view, inv.ik));
      if (ik_state == kFpFree) {
        TM_ASSIGN_OR_RETURN(std::string fp_state, FinStateOfFingerprint(c.view, inv.fp));
        if (fp_state == kFpFree) continue;
      }
      TM_ASSIGN_OR_RETURN(existing, ReceivableOfFingerprint(c.view, inv.ik));
      matched = "invoice_key";
      if (!existing) existing = std::string();
    }
    Value::Map attempt{{"org", c.signer.org},
                       {"tx", c.ctx.tx_id.Hex()},
                       {"height", static_cast<int64_t>(c.ctx.height)},
                       {"time_ms", static_cast<int64_t>(c.ctx.block_time_ms)},
                       {"receivable", *existing},
                       {"matched", matched},
                       {"fingerprint", inv.fp},
                       {"invoice_key", inv.ik}};
    c.events.audit().Put(keys::Attempt(inv.fp, c.ctx.height, c.ctx.index), Value(attempt));
    c.events.audit().Emit("fin.duplicate_attempt", Value(attempt));
    repeated.push_back(attempt);
    if (!refusal.ok()) continue;
    std::string named = "already registered on this ledger";
    if (!existing->empty()) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadReceivable(c.view, *existing));
      if (rec && IsFinParty(*rec, c.signer.org)) named = "already registered as " + *existing;
    }
    refusal = Refuse("duplicate", at + ": invoice " + S(inv.value, "number") + " is " + named +
                                      " (by its " + matched + "; the attempt is recorded)");
  }
  TM_RETURN_IF_ERROR(RepeatedRegistration(c, repeated));
  return refusal;
}

}  // namespace

Status Register(Call& c) {
  Value::Map rec;
  std::vector<Invoice> invoices;
  TM_RETURN_IF_ERROR(ParseRegister(c, rec, invoices));
  const Value record_args(rec);
  const std::string issue = S(record_args, "issue_date"), due = S(record_args, "due_date");
  const int64_t term = IsoDateToDays(due) - IsoDateToDays(issue);
  if (term < 1 || term > kMaxFinTermDays) {
    return Bad("term", "due_date " + due + " must be 1 to " + std::to_string(kMaxFinTermDays) +
                           " days after issue_date " + issue);
  }
  const std::string debtor = S(record_args, "debtor");
  if (debtor == c.signer.org) {
    return Refuse("parties", "the debtor must be another organisation than the creditor");
  }
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(c.view, debtor));
  if (!org || !org->active) {
    return Refuse("parties", "debtor " + debtor + " is not an active organisation");
  }
  TM_RETURN_IF_ERROR(CheckDuplicates(c, invoices));
  if (rec["require_delivery"].as_bool() && rec["refs"].as_list().empty()) {
    return Bad("delivery-refs",
               "require_delivery needs refs: the PO / despatch advice ids the debtor's "
               "receiving event will name");
  }
  const std::string id = ReceivableIdFor(c.ctx.tx_id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> clash, LoadReceivable(c.view, id));
  if (clash) return Status::AlreadyExists("receivable " + id + " exists");
  rec["id"] = id;
  rec["state"] = std::string(kRcvRegistered);
  rec["parties"] = Value::List{};
  rec["cancellable"] = true;
  rec["created_height"] = static_cast<int64_t>(c.ctx.height);
  rec["created_time_ms"] = static_cast<int64_t>(c.ctx.block_time_ms);
  rec["next_hist"] = 1;
  const int64_t amount = rec["amount"].as_int();
  rec["parts"] = Value::Map{{id, Value::Map{{"id", id},
                                            {"parent", ""},
                                            {"amount", amount},
                                            {"holder", c.signer.org},
                                            {"state", std::string(kPartActive)},
                                            {"children", Value::List{}}}}};
  Value record(std::move(rec));
  AddParty(c, record, c.signer.org);
  AddParty(c, record, debtor);
  for (const auto& inv : invoices) {
    PutValue(c.view, keys::FingerprintId(inv.fp), Value::Map{{"receivable", id}});
    PutValue(c.view, keys::FingerprintId(inv.ik), Value::Map{{"receivable", id}});
  }
  Save(c, record, "register", {{"id", id}});
  c.events.Emit("fin.registered", Value::Map{{"id", id},
                                             {"creditor", c.signer.org},
                                             {"debtor", debtor},
                                             {"amount", amount},
                                             {"currency", S(record, "currency")}});
  return Status::Ok();
}

namespace {

// Events looked at per reference (a bound on confirm's cost; docs/finance.md §7 notes what it
// means: a reference named by more events than this is only searched among its first ones).
constexpr size_t kMaxEvidenceScan = 4096;

// The earliest stored EPCIS event (lowest seq) that proves delivery for one of `refs`: bizStep
// receiving or accepting (any CBV form), captured by `debtor`, naming the ref in its
// bizTransactionList, and neither an error declaration nor declared erroneous; nullopt if none.
// The earliest, so that events captured later never change the evidence a replay finds.
Result<std::optional<Value>> DeliveryEvidence(const StateView& view, const Value& refs,
                                              const std::string& debtor) {
  namespace pk = ::tidemark::state_keys::prov;
  std::optional<Value> best;
  uint64_t best_seq = 0;
  for (const Value& ref : refs.as_list()) {
    const std::string ref_id = S(ref, "id");
    std::vector<uint64_t> seqs;
    const std::string prefix = pk::IndexPrefix("biztx", ref_id);
    view.Scan(prefix, [&](const std::string& key, const Bytes&) {
      const std::string tail = key.substr(prefix.size());
      if (tail.size() == 16 && tail.find_first_not_of("0123456789") == std::string::npos) {
        seqs.push_back(std::stoull(tail));
      }
      return seqs.size() < kMaxEvidenceScan;
    });
    for (uint64_t seq : seqs) {
      if (best && seq >= best_seq) break;  // ascending: nothing earlier follows
      TM_ASSIGN_OR_RETURN(std::optional<Value> stored, GetValue(view, pk::Event(seq)));
      if (!stored || S(*stored, "org") != debtor || stored->Find("errorDeclared") != nullptr) {
        continue;
      }
      const Value* ev = stored->Find("event");
      if (ev == nullptr || !ev->is_map()) continue;
      const std::string step = NormaliseBizStep(S(*ev, "bizStep"));
      if (step != "receiving" && step != "accepting") continue;
      bool named = false;
      if (const Value* btl = ev->Find("bizTransactionList"); btl != nullptr && btl->is_list()) {
        for (const Value& bt : btl->as_list()) {
          named = named || (bt.is_map() && Trim(S(bt, "bizTransaction")) == ref_id);
        }
      }
      if (!named) continue;
      TM_ASSIGN_OR_RETURN(std::optional<Value> declared,
                          GetValue(view, pk::Err(S(*stored, "eventID"))));
      if (declared) continue;
      best_seq = seq;
      best = Value::Map{{"ref", ref_id},
                        {"event_seq", static_cast<int64_t>(seq)},
                        {"eventID", S(*stored, "eventID")},
                        {"bizStep", step},
                        {"tx", S(*stored, "tx")},
                        {"height", I(*stored, "height")}};
      break;
    }
  }
  return best;
}

}  // namespace

Status Confirm(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"id"}));
  TM_ASSIGN_OR_RETURN(std::string id, StrArg(c.args, "id", 64));
  TM_ASSIGN_OR_RETURN(Value rec, LoadForRole(c, id, "debtor", "debtor"));
  TM_RETURN_IF_ERROR(NeedState(rec, {kRcvRegistered}));
  if (const Value* rd = rec.Find("require_delivery"); rd != nullptr && rd->as_bool()) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> evidence,
                        DeliveryEvidence(c.view, *rec.Find("refs"), S(rec, "debtor")));
    if (!evidence) {
      return Refuse("delivery", "receivable " + id +
                                    " requires delivery evidence: no receiving or accepting "
                                    "event captured by org " +
                                    S(rec, "debtor") + " names any of its refs");
    }
    M(rec)["delivery"] = *evidence;
  }
  M(rec)["state"] = std::string(kRcvConfirmed);
  M(rec)["confirmed_height"] = static_cast<int64_t>(c.ctx.height);
  Save(c, rec, "confirm");
  c.events.Emit("fin.confirmed", Value::Map{{"id", id}, {"debtor", c.signer.org}});
  return Status::Ok();
}

}  // namespace tidemark::contracts::fin
