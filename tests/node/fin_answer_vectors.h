// fin_answer_vectors.h — the "fin_answers" of tests/vectors/proof_vectors.json: finance answers
// as the node serves them (GET /v1/fin/check, GET /v1/fin/receivables/{id}; docs/finance.md §10)
// over a real state tree and a certified header, and tampered variants, which the C++ verifiers
// (fin_answer.h; tests/node/fin_answer_test.cc) and the JS ones (sdk/js/src/finance.js;
// sdk/js/test/finance.test.js) must judge alike.
//
//   OJson cases = tidemark::prooftest::FinAnswerCases();   // [{name, kind, ask, answer, expect}]
//
// Deterministic (fixed keys, no clock). Thread safety: pure functions (test helper).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proof_fixture.h"
#include "tidemark/fin_answer.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/finance.h"

namespace tidemark::prooftest {

namespace fin_vectors {

using OJson = nlohmann::ordered_json;

inline const std::string kRcv = "rcv_0a1b2c3d4e5f60718293";
inline const std::string kOther = "rcv_99aa88bb77cc66dd55ee";

inline InvoiceFields Invoice() {
  return InvoiceFields{.creditor = "bondedwh",
                       .debtor = "platform",
                       .number = "INV-2026/0001",
                       .amount = 1250000,
                       .date = "2026-03-30"};
}
// An invoice nobody registered.
inline InvoiceFields NewInvoice() {
  InvoiceFields f = Invoice();
  f.number = "INV-2026/0002";
  return f;
}

// A receivable split in two, one part pledged to a bank (docs/finance.md §5).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
inline Value Receivable(const std::string& id, const std::string& state,
                        const std::string& due_date) {
  InvoiceHashes h = *InvoiceFingerprint(Invoice());
  const std::string p1 = id + ".1", p2 = id + ".2";
  Value::Map parts{{id, Value::Map{{"id", id},
                                   {"parent", ""},
                                   {"amount", 1250000},
                                   {"holder", "bondedwh"},
                                   {"state", "SPLIT"},
                                   {"children", Value::List{Value(p1), Value(p2)}}}},
                   {p1, Value::Map{{"id", p1},
                                   {"parent", id},
                                   {"amount", 1000000},
                                   {"holder", "bondedwh"},
                                   {"state", "ACTIVE"},
                                   {"children", Value::List{}},
                                   {"encumbrance", Value::Map{{"kind", "pledge"},
                                                              {"financier", "bank-a"},
                                                              {"amount", 800000},
                                                              {"state", "ACTIVE"},
                                                              {"since_height", 8}}}}},
                   {p2, Value::Map{{"id", p2},
                                   {"parent", id},
                                   {"amount", 250000},
                                   {"holder", "trucker"},
                                   {"state", "ACTIVE"},
                                   {"children", Value::List{}}}}};
  return Value::Map{{"id", id},
                    {"creditor", "bondedwh"},
                    {"debtor", "platform"},
                    {"currency", "CNY"},
                    {"amount", 1250000},
                    {"contract", Value::Map{{"number", "C-2026-17"},
                                            {"hash", Sha256(AsBytes("contract")).Hex()}}},
                    {"invoices", Value::List{Value::Map{{"number", "INV-2026/0001"},
                                                        {"amount", 1250000},
                                                        {"tax", 162500},
                                                        {"date", "2026-03-30"},
                                                        {"hash", Sha256(AsBytes("invoice")).Hex()},
                                                        {"fingerprint", h.fingerprint.Hex()},
                                                        {"invoice_key", h.invoice_key.Hex()}}}},
                    {"issue_date", "2026-03-30"},
                    {"due_date", due_date},
                    {"refs", Value::List{Value::Map{{"type", "po"}, {"id", "PO-7"}}}},
                    {"require_delivery", true},
                    {"state", state},
                    {"parties", Value::List{Value("bank-a"), Value("bondedwh"), Value("platform"),
                                            Value("trucker")}},
                    {"parts", parts},
                    {"created_height", 3},
                    {"confirmed_height", 5},
                    {"next_hist", 6}};
}
#pragma GCC diagnostic pop

// A state tree holding the registered invoice's fingerprint and invoice key, two receivables
// (kRcv, due before the certified block's day: overdue; kOther, due later) among filler keys,
// and a 3-of-4 certified header over it (height 12, time 2026-05-28T20:26:40Z).
struct FinFixture {
  node::MemoryKvStore kv;
  TrustAnchor trust{.chain_id = kChainId, .genesis = SetOf(0, {0, 1, 2, 3})};
  BlockHeader header;
  QuorumCert cert;

  FinFixture() {
    InvoiceHashes h = *InvoiceFingerprint(Invoice());
    std::vector<node::StateChange> changes;
    for (int i = 0; i < 40; ++i) {
      changes.push_back({B("fin/hist/" + kRcv + " " + state_keys::SeqPart(i)),
                         Value(Value::Map{{"seq", i}}).Encode()});
    }
    const Value encumbered = Value::Map{{"state", "encumbered"}};
    changes.push_back({B(state_keys::fin::Fingerprint(h.fingerprint.Hex())), encumbered.Encode()});
    changes.push_back({B(state_keys::fin::InvoiceKey(h.invoice_key.Hex())), encumbered.Encode()});
    changes.push_back({B(state_keys::fin::Receivable(kRcv)),
                       Receivable(kRcv, "CONFIRMED", "2026-05-27").Encode()});
    changes.push_back({B(state_keys::fin::Receivable(kOther)),
                       Receivable(kOther, "CONFIRMED", "2026-08-31").Encode()});
    std::sort(changes.begin(), changes.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    auto up = node::StateTree(kv).ApplyChanges(0, changes);
    (void)kv.Write(up->writes, true);
    header = ProofFixture::HeaderAt(0, 12, 11, up->root, trust.genesis);
    cert = CommitCert(header, {1, 2, 3}, {1, 2, 3});
  }

  StateBundle Bundle(const std::vector<std::string>& keys) {
    std::vector<StateProof> proofs;
    for (const std::string& k : keys) proofs.push_back(*node::StateTree(kv).Prove(0, B(k)));
    return StateBundle{
        .header = header, .cert = cert, .state = *MultiStateProof::FromProofs(proofs)};
  }
};

// The shapes of node/src/api/fin_api.cc and proof_api.cc (StateBundleJson).
inline OJson AsOf(const BlockHeader& h) {
  return {{"height", h.height},
          {"block_id", h.Id().Hex()},
          {"time_ms", h.timestamp_ms},
          {"state_version", h.exec_height}};
}

inline OJson ProofJson(const StateBundle& b) {
  const Bytes enc = b.Encode();
  return {{"format", "tidemark-state-bundle/v1"},
          {"bundle", ToHex(enc)},
          {"bytes", enc.size()},
          {"height", b.header.height},
          {"state_version", b.header.exec_height},
          {"epoch", b.header.epoch},
          {"block_id", b.header.Id().Hex()},
          {"state_root", b.header.state_root.Hex()}};
}

// {fingerprint: {value, key, state}, invoice_key: {...}, as_of, proof}: as the node answers.
inline OJson CheckAnswer(FinFixture& f, const InvoiceHashes& ask, bool hash_only = false) {
  const std::string fp = state_keys::fin::Fingerprint(ask.fingerprint.Hex());
  const std::string ik = state_keys::fin::InvoiceKey(ask.invoice_key.Hex());
  StateBundle b = f.Bundle({fp, ik});
  auto state_of = [&](const std::string& key) -> std::string {
    const MultiStateProof::Entry* e = nullptr;
    for (const auto& x : b.state.entries) {
      if (std::string(x.key.begin(), x.key.end()) == key) e = &x;
    }
    if (!e->value) return "free";
    return Value::Decode(*e->value)->Find("state")->as_string();
  };
  const std::string s_fp = state_of(fp), s_ik = state_of(ik);
  if (hash_only) b.state.StripValues();
  return OJson{{"fingerprint", {{"value", ask.fingerprint.Hex()}, {"key", fp}, {"state", s_fp}}},
               {"invoice_key", {{"value", ask.invoice_key.Hex()}, {"key", ik}, {"state", s_ik}}},
               {"as_of", AsOf(b.header)},
               {"proof", ProofJson(b)}};
}

inline OJson ReceivableAnswer(FinFixture& f, const std::string& id, const std::string& due,
                              bool overdue, bool hash_only = false) {
  StateBundle b = f.Bundle({state_keys::fin::Receivable(id)});
  if (hash_only) b.state.StripValues();
  return OJson{{"id", id},
               {"key", state_keys::fin::Receivable(id)},
               {"receivable", OJson::parse(Receivable(id, "CONFIRMED", due).ToJson().dump())},
               {"overdue", overdue},
               {"as_of", AsOf(b.header)},
               {"proof", ProofJson(b)}};
}

inline OJson Ask(const InvoiceHashes& h) {
  return {{"fingerprint", h.fingerprint.Hex()}, {"invoice_key", h.invoice_key.Hex()}};
}

// The last byte of the bundle (a sibling hash of the state proof) flipped.
inline void FlipBundleByte(OJson& a) {
  std::string hex = a["proof"]["bundle"];
  hex.back() = hex.back() == '0' ? '1' : '0';
  a["proof"]["bundle"] = hex;
}

}  // namespace fin_vectors

inline nlohmann::ordered_json FinAnswerCases() {
  using namespace fin_vectors;
  OJson out = OJson::array();
  FinFixture f;
  const InvoiceHashes reg = *InvoiceFingerprint(Invoice());
  const InvoiceHashes fresh = *InvoiceFingerprint(NewInvoice());
  // The registered invoice's fingerprint with a fresh invoice key: one present, one absent.
  const InvoiceHashes mixed{.fingerprint = reg.fingerprint, .invoice_key = fresh.invoice_key};
  auto check = [&](const std::string& name, const InvoiceHashes& ask, const OJson& answer,
                   const char* expect, const char* state = nullptr) {
    OJson c{{"name", name},
            {"kind", "check"},
            {"ask", Ask(ask)},
            {"answer", answer},
            {"expect", expect}};
    if (state) c["state"] = state;
    auto v = VerifyFinCheckAnswer(nlohmann::json::parse(answer.dump()), f.trust, ask.fingerprint,
                                  ask.invoice_key);
    if (!v.ok()) c["reason"] = v.status().message();  // what both verifiers say
    out.push_back(c);
  };
  const OJson registered = CheckAnswer(f, reg);
  const OJson mixed_answer = CheckAnswer(f, mixed);
  const OJson free_answer = CheckAnswer(f, fresh);
  check("check_registered", reg, registered, "ok", "encumbered");
  check("check_present_fingerprint_absent_invoice_key", mixed, mixed_answer, "ok", "encumbered");
  check("check_free", fresh, free_answer, "ok", "free");
  check("check_registered_hash_only", reg, CheckAnswer(f, reg, true), "ok", "encumbered");
  auto bad_check = [&](const std::string& name, const InvoiceHashes& ask, OJson a, auto mutate) {
    mutate(a);
    check(name, ask, a, "reject");
  };
  bad_check("check_fingerprint_state_flipped_to_free", mixed, mixed_answer,
            [](OJson& a) { a["fingerprint"]["state"] = "free"; });
  bad_check("check_absent_invoice_key_claimed_registered", mixed, mixed_answer,
            [](OJson& a) { a["invoice_key"]["state"] = "registered"; });
  bad_check("check_free_claimed_for_registered", reg, registered, [](OJson& a) {
    a["fingerprint"]["state"] = "free";
    a["invoice_key"]["state"] = "free";
  });
  bad_check("check_fingerprint_value_of_another_invoice", reg, registered,
            [&](OJson& a) { a["fingerprint"]["value"] = fresh.fingerprint.Hex(); });
  bad_check("check_summary_state_altered", reg, registered,
            [](OJson& a) { a["state"] = "registered"; });
  bad_check("check_hash_only_state_altered", reg, CheckAnswer(f, reg, true),
            [](OJson& a) { a["fingerprint"]["state"] = "registered"; });
  // Hash-only, the records shipped beside it (as the resolver ships trace records).
  OJson shipped = CheckAnswer(f, reg, true);
  shipped["records"] = {
      {shipped["fingerprint"]["key"].get<std::string>(), {{"state", "encumbered"}}},
      {shipped["invoice_key"]["key"].get<std::string>(), {{"state", "encumbered"}}}};
  check("check_hash_only_records_shipped", reg, shipped, "ok", "encumbered");
  bad_check("check_hash_only_shipped_record_altered", reg, shipped, [](OJson& a) {
    a["fingerprint"]["state"] = "closed";
    a["records"][a["fingerprint"]["key"].get<std::string>()]["state"] = "closed";
  });
  // A true answer about another invoice (free) passed off as the answer for the registered one.
  check("check_proof_for_another_invoice", reg, free_answer, "reject");
  bad_check("check_bundle_without_invoice_key", mixed, mixed_answer, [&](OJson& a) {
    a["proof"]["bundle"] =
        ToHex(f.Bundle({state_keys::fin::Fingerprint(mixed.fingerprint.Hex())}).Encode());
  });
  bad_check("check_bundle_with_an_extra_key", mixed, mixed_answer, [&](OJson& a) {
    a["proof"]["bundle"] = ToHex(f.Bundle({state_keys::fin::Fingerprint(mixed.fingerprint.Hex()),
                                           state_keys::fin::InvoiceKey(mixed.invoice_key.Hex()),
                                           state_keys::fin::Receivable(kRcv)})
                                     .Encode());
  });
  bad_check("check_bundle_byte_flipped", mixed, mixed_answer, FlipBundleByte);
  bad_check("check_as_of_height", reg, registered, [](OJson& a) { a["as_of"]["height"] = 13; });
  bad_check("check_no_proof", reg, registered, [](OJson& a) { a.erase("proof"); });

  auto rcv = [&](const std::string& name, const std::string& id, const OJson& answer,
                 const char* expect) {
    OJson c{{"name", name},
            {"kind", "receivable"},
            {"ask", {{"id", id}}},
            {"answer", answer},
            {"expect", expect}};
    auto v = VerifyReceivableAnswer(nlohmann::json::parse(answer.dump()), f.trust, id);
    if (!v.ok()) c["reason"] = v.status().message();
    out.push_back(c);
  };
  const OJson overdue = ReceivableAnswer(f, kRcv, "2026-05-27", true);
  const OJson current = ReceivableAnswer(f, kOther, "2026-08-31", false);
  rcv("receivable_overdue", kRcv, overdue, "ok");
  rcv("receivable_not_yet_due", kOther, current, "ok");
  rcv("receivable_hash_only", kRcv, ReceivableAnswer(f, kRcv, "2026-05-27", true, true), "ok");
  auto bad_rcv = [&](const std::string& name, const std::string& id, OJson a, auto mutate) {
    mutate(a);
    rcv(name, id, a, "reject");
  };
  const std::string p2 = kRcv + ".2";
  bad_rcv("receivable_part_holder_swapped", kRcv, overdue,
          [&](OJson& a) { a["receivable"]["parts"][p2]["holder"] = "bondedwh"; });
  bad_rcv("receivable_encumbrance_dropped", kRcv, overdue,
          [&](OJson& a) { a["receivable"]["parts"][kRcv + ".1"].erase("encumbrance"); });
  bad_rcv("receivable_state_settled", kRcv, overdue,
          [](OJson& a) { a["receivable"]["state"] = "SETTLED"; });
  bad_rcv("receivable_hash_only_amount_changed", kRcv,
          ReceivableAnswer(f, kRcv, "2026-05-27", true, true),
          [](OJson& a) { a["receivable"]["amount"] = 1250001; });
  bad_rcv("receivable_overdue_hidden", kRcv, overdue, [](OJson& a) { a["overdue"] = false; });
  bad_rcv("receivable_overdue_invented", kOther, current, [](OJson& a) { a["overdue"] = true; });
  // A true answer about another receivable passed off as the one asked.
  rcv("receivable_proof_for_another_id", kRcv, current, "reject");
  bad_rcv("receivable_bundle_byte_flipped", kRcv, overdue, FlipBundleByte);
  bad_rcv("receivable_as_of_time", kRcv, overdue,
          [](OJson& a) { a["as_of"]["time_ms"] = a["as_of"]["time_ms"].get<uint64_t>() + 1; });
  bad_rcv("receivable_no_record", kRcv, overdue, [](OJson& a) { a.erase("receivable"); });
  bad_rcv("receivable_id_field_of_another", kRcv, overdue, [](OJson& a) { a["id"] = kOther; });
  bad_rcv("receivable_proof_state_root", kRcv, overdue,
          [](OJson& a) { a["proof"]["state_root"] = std::string(64, '0'); });
  // The record under the name the brief gave it ("record") is read as well.
  OJson renamed = overdue;
  renamed["record"] = renamed["receivable"];
  renamed.erase("receivable");
  rcv("receivable_as_record", kRcv, renamed, "ok");
  bad_rcv("receivable_record_and_receivable_disagree", kRcv, overdue, [](OJson& a) {
    a["record"] = a["receivable"];
    a["record"]["amount"] = 1;
  });
  return out;
}

}  // namespace tidemark::prooftest
