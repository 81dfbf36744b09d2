// Finance answers (fin_answer.h, docs/finance.md §10).
#include "tidemark/fin_answer.h"

#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/value.h"

namespace tidemark {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 86'400'000;

Status Unauth(const std::string& m) { return Status::Unauthenticated(m); }

bool IsString(const json& j, const char* f) {
  return j.is_object() && j.contains(f) && j[f].is_string();
}

// The bundle of `answer`, verified from the trust anchor; it proves exactly `wanted`.
Result<VerifiedState> ProvenExactly(const json& a, const TrustAnchor& trust,
                                    const std::vector<std::string>& wanted) {
  if (!a.is_object()) return Unauth("answer: not an object");
  if (!a.contains("proof") || !a["proof"].is_object() || !IsString(a["proof"], "bundle")) {
    return Unauth("answer: carries no proof bundle");
  }
  auto raw = FromHex(a["proof"]["bundle"].get<std::string>());
  if (!raw.ok()) return Unauth("bundle: " + raw.status().message());
  auto bundle = StateBundle::Decode(*raw);
  if (!bundle.ok()) return Unauth("bundle: " + bundle.status().message());
  TM_ASSIGN_OR_RETURN(VerifiedState v, VerifyStateBundle(trust, *bundle));
  for (const std::string& k : wanted) {
    if (v.Find(k) == nullptr) return Unauth("answer: the bundle does not prove " + k);
  }
  if (v.entries.size() != wanted.size()) {
    return Unauth("answer: the bundle proves keys that were not asked");
  }
  // What the answer says of the header it speaks for must be the certified header.
  auto u64_is = [](const json& o, const char* f, uint64_t want) {
    return o.contains(f) && o[f].is_number_unsigned() && o[f].get<uint64_t>() == want;
  };
  auto str_is = [](const json& o, const char* f, const std::string& want) {
    return IsString(o, f) && o[f] == want;
  };
  const json& p = a["proof"];
  if ((p.contains("height") && !u64_is(p, "height", v.height)) ||
      (p.contains("state_version") && !u64_is(p, "state_version", v.exec_height)) ||
      (p.contains("epoch") && !u64_is(p, "epoch", v.epoch)) ||
      (p.contains("block_id") && !str_is(p, "block_id", v.block_id.Hex())) ||
      (p.contains("state_root") && !str_is(p, "state_root", v.state_root.Hex()))) {
    return Unauth("answer: proof's header fields differ from the certified header");
  }
  // as_of: the certified header the answer speaks for (required: a reader shows it).
  if (!a.contains("as_of") || !a["as_of"].is_object()) return Unauth("answer: no as_of");
  const json& as_of = a["as_of"];
  if (!u64_is(as_of, "height", v.height) || !str_is(as_of, "block_id", v.block_id.Hex()) ||
      !u64_is(as_of, "time_ms", v.timestamp_ms) ||
      (as_of.contains("state_version") && !u64_is(as_of, "state_version", v.exec_height))) {
    return Unauth("answer: as_of differs from the certified header");
  }
  return v;
}

// The canonical bytes of a JSON record (kUnauthenticated if it is not a Value).
Result<Bytes> RecordBytes(const json& record, const std::string& what) {
  auto v = Value::FromJson(record);
  if (!v.ok()) return Unauth("answer: " + what + " is not a Value: " + v.status().message());
  return v->Encode();
}

// What is proven about a fingerprint / invoice key (`hex`, state key `key`), checked against the
// answer's `field` ({value: hex, key, state}; value and key optional). A hash-only entry is matched
// with the answer's records[key] if shipped, else with {state} as the answer claims it (the
// record's whole shape, docs/finance.md §4).
Result<FinKeyState> CheckKey(const json& a, const VerifiedState& v, const std::string& hex,
                             const std::string& key, const char* field) {
  if (!a.contains(field) || !IsString(a[field], "state")) {
    return Unauth(std::string("answer: no ") + field + ".state");
  }
  const std::string claimed = a[field]["state"].get<std::string>();
  const json& f = a[field];
  if ((f.contains("key") && f["key"] != key) || (f.contains("value") && f["value"] != hex)) {
    return Unauth(std::string("answer: ") + field + " names another key than the one asked");
  }
  const MultiStateProof::Entry* e = v.Find(key);
  FinKeyState out{.key = key};
  if (!e->present()) {
    out.state = std::string(kFinFree);
  } else {
    Bytes bytes;
    if (e->value) {
      bytes = *e->value;
    } else {
      json shipped = a.contains("records") && a["records"].is_object() && a["records"].contains(key)
                         ? a["records"][key]
                         : json{{"state", claimed}};
      TM_ASSIGN_OR_RETURN(bytes, RecordBytes(shipped, key));
      if (!e->MatchesValue(bytes)) {
        return Unauth("answer: " + std::string(field) + " differs from the proven record");
      }
    }
    auto rec = Value::Decode(bytes);
    if (!rec.ok()) return Unauth("answer: the record of " + key + " is not a canonical Value");
    out.record = rec->ToJson();
    if (!IsString(*out.record, "state") || (*out.record)["state"] == kFinFree) {
      return Unauth("answer: the record of " + key + " has no state");
    }
    out.state = (*out.record)["state"].get<std::string>();
  }
  if (claimed != out.state) {
    return Unauth(std::string("answer: ") + field + ".state \"" + claimed +
                  "\" is not the proven \"" + out.state + "\"");
  }
  return out;
}

}  // namespace

bool FinOverdueAt(const json& record, uint64_t time_ms) {
  if (!IsString(record, "state") || record["state"] != "CONFIRMED") return false;
  if (!IsString(record, "due_date")) return false;
  const std::string due = record["due_date"];
  if (!IsIsoDate(due)) return false;
  const int64_t next_day_ms = (IsoDateToDays(due) + 1) * kDayMs;
  return next_day_ms <= 0 || time_ms >= static_cast<uint64_t>(next_day_ms);
}

Result<VerifiedFinCheck> VerifyFinCheckAnswer(const json& a, const TrustAnchor& trust,
                                              const Hash256& fingerprint,
                                              const Hash256& invoice_key) {
  const std::string fp_key = state_keys::fin::Fingerprint(fingerprint.Hex());
  const std::string ik_key = state_keys::fin::InvoiceKey(invoice_key.Hex());
  VerifiedFinCheck out;
  TM_ASSIGN_OR_RETURN(out.proof, ProvenExactly(a, trust, {fp_key, ik_key}));
  out.checked = {"certificate", "state_root", "keys", "as_of"};
  TM_ASSIGN_OR_RETURN(out.fingerprint,
                      CheckKey(a, out.proof, fingerprint.Hex(), fp_key, "fingerprint"));
  TM_ASSIGN_OR_RETURN(out.invoice_key,
                      CheckKey(a, out.proof, invoice_key.Hex(), ik_key, "invoice_key"));
  out.checked.insert(out.checked.end(), {"fingerprint", "invoice_key"});
  out.state = std::string(kFinFree);
  for (const char* s : {"encumbered", "registered", "closed"}) {
    if (out.fingerprint.state == s || out.invoice_key.state == s) {
      out.state = s;
      break;
    }
  }
  if (out.state == kFinFree &&
      (out.fingerprint.state != kFinFree || out.invoice_key.state != kFinFree)) {
    out.state = out.fingerprint.state != kFinFree ? out.fingerprint.state : out.invoice_key.state;
  }
  if (a.contains("state")) {
    if (a["state"] != out.state) return Unauth("answer: state differs from the proven one");
    out.checked.push_back("state");
  }
  return out;
}

Result<VerifiedReceivable> VerifyReceivableAnswer(const json& a, const TrustAnchor& trust,
                                                  std::string_view id) {
  if (id.empty() || id.find(' ') != std::string_view::npos) {
    return Status::Invalid("receivable id: empty or with a space");
  }
  const std::string key = state_keys::fin::Receivable(id);
  VerifiedReceivable out;
  TM_ASSIGN_OR_RETURN(out.proof, ProvenExactly(a, trust, {key}));
  out.checked = {"certificate", "state_root", "keys", "as_of"};
  const MultiStateProof::Entry* e = out.proof.Find(key);
  if (!e->present()) return Unauth("answer: receivable " + std::string(id) + " is proven absent");
  if ((a.contains("id") && a["id"] != id) || (a.contains("key") && a["key"] != key)) {
    return Unauth("answer: names another receivable than the one asked");
  }
  // The record as the node serves it ("receivable"), or as "record"; whichever are there.
  bool any = false;
  for (const char* f : {"receivable", "record"}) {
    if (!a.contains(f)) continue;
    if (!a[f].is_object()) return Unauth(std::string("answer: ") + f + " is not an object");
    TM_ASSIGN_OR_RETURN(Bytes bytes, RecordBytes(a[f], f));
    if (!e->MatchesValue(bytes)) {
      return Unauth(std::string("answer: ") + f + " differs from the proven record");
    }
    if (!any) out.record = Value::Decode(bytes)->ToJson();
    any = true;
  }
  if (!any) return Unauth("answer: no receivable record");
  if (!IsString(out.record, "id") || out.record["id"] != id) {
    return Unauth("answer: the proven record is not receivable " + std::string(id));
  }
  out.checked.push_back("record");
  out.overdue = FinOverdueAt(out.record, out.proof.timestamp_ms);
  if (!a.contains("overdue") || !a["overdue"].is_boolean() ||
      a["overdue"].get<bool>() != out.overdue) {
    return Unauth("answer: overdue differs from the proven record and block time");
  }
  out.checked.push_back("overdue");
  return out;
}

}  // namespace tidemark
