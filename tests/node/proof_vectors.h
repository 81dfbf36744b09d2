// proof_vectors.h — the shared proof-bundle vectors (tests/vectors/proof_vectors.json) that the
// C++ verifier (proof_vectors_test.cc) and the JS verifier (sdk/js/test/proof_bundle.test.js)
// must both judge the same way: valid bundles with their expected contents, and every kind of
// tampering, each expected to be rejected. The finance answers are in fin_answer_vectors.h.
//
//   std::string text = tidemark::prooftest::ProofVectorsText();   // what the file holds
//   build/dev/tests/node/tidemark-proof-vectors tests/vectors/proof_vectors.json   # regenerate
//
// Deterministic (fixed keys, no clock). Thread safety: pure functions (test helper).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "fin_answer_vectors.h"
#include "proof_fixture.h"

namespace tidemark::prooftest {

using OJson = nlohmann::ordered_json;

inline OJson FromValue(const Value& v) { return OJson::parse(v.ToJson().dump()); }

inline OJson BundleCase(const std::string& name, const Bytes& bytes, bool ok) {
  return OJson{{"name", name}, {"hex", ToHex(bytes)}, {"expect", ok ? "ok" : "reject"}};
}

inline OJson StateCases() {
  OJson out = OJson::array();
  ProofFixture f(0, 40);
  const StateBundle good = f.Bundle(f.trace_keys);
  OJson ok = BundleCase("trace_epoch0", good.Encode(), true);
  ok["height"] = good.header.height;
  ok["state_version"] = good.header.exec_height;
  ok["signers"] = OJson::array({0, 1, 2});
  OJson entries = OJson::array();
  for (const auto& e : good.state.entries) {
    entries.push_back({{"key", std::string(e.key.begin(), e.key.end())},
                       {"value", e.value ? OJson(ToHex(*e.value)) : OJson(nullptr)}});
  }
  ok["entries"] = entries;
  out.push_back(ok);
  auto tampered = [&](const std::string& name, auto mutate) {
    StateBundle b = good;
    mutate(b);
    out.push_back(BundleCase(name, b.Encode(), false));
  };
  tampered("value", [](StateBundle& b) { (*b.state.entries[0].value)[2] ^= 1; });
  tampered("values_swapped",
           [](StateBundle& b) { std::swap(b.state.entries[0].value, b.state.entries[1].value); });
  tampered("sibling", [](StateBundle& b) { b.state.siblings[1].data[31] ^= 1; });
  tampered("dropped_key", [](StateBundle& b) { b.state.entries.pop_back(); });
  tampered("header_timestamp", [](StateBundle& b) { b.header.timestamp_ms += 1; });
  tampered("header_state_root", [](StateBundle& b) { b.header.state_root.data[0] ^= 1; });
  tampered("header_chain_id", [](StateBundle& b) { b.header.chain_id = "tidemark-evil"; });
  tampered("signature", [](StateBundle& b) { b.cert.signatures[1].second.data[7] ^= 1; });
  tampered("signer_outside_set", [](StateBundle& b) {
    b.cert = CommitCert(b.header, {0, 1, 7}, {0, 1, 3});
  });
  tampered("too_few_signers", [](StateBundle& b) {
    b.cert = CommitCert(b.header, {0, 1}, {0, 1});
  });
  tampered("cert_for_another_block", [](StateBundle& b) {
    BlockHeader other = b.header;
    other.height += 1;
    b.cert = CommitCert(other, {0, 1, 2}, {0, 1, 2});
  });
  Bytes enc = good.Encode();
  out.push_back(BundleCase("truncated", Bytes(enc.begin(), enc.end() - 1), false));
  Bytes longer = enc;
  longer.push_back(0);
  out.push_back(BundleCase("trailing_byte", longer, false));

  // Absences of both kinds among the keys.
  std::vector<Bytes> keys = f.trace_keys;
  for (const char* k : {"absent/0", "absent/1", "absent/2", "absent/3"}) keys.push_back(B(k));
  OJson abs = BundleCase("with_absences", f.Bundle(keys).Encode(), true);
  abs["absent"] = OJson::array({"absent/0", "absent/1", "absent/2", "absent/3"});
  out.push_back(abs);

  // Epoch 1: the genesis set hands over to validators 4..7.
  ProofFixture g(1, 40);
  const StateBundle e1 = g.Bundle(g.trace_keys);
  OJson ok1 = BundleCase("epoch1_with_chain", e1.Encode(), true);
  ok1["epoch"] = 1;
  out.push_back(ok1);
  StateBundle stale = e1;
  stale.epochs.clear();
  out.push_back(BundleCase("stale_epoch_no_chain", stale.Encode(), false));
  StateBundle forged = e1;
  forged.epochs[0].proof.value = SetOf(1, {4, 5, 6, 8}).Encode();
  out.push_back(BundleCase("epoch_link_forged_set", forged.Encode(), false));
  StateBundle self_signed = e1;
  self_signed.epochs[0].cert = CommitCert(e1.epochs[0].header, {4, 5, 6}, {0, 1, 2});
  out.push_back(BundleCase("epoch_link_signed_by_new_set", self_signed.Encode(), false));
  return out;
}

inline OJson TxCases() {
  OJson out = OJson::array();
  ProofFixture f(0, 10);
  ScanBlock block = MakeScanBlock(f);
  const std::vector<Transaction>& txs = block.txs;
  const std::vector<Receipt>& receipts = block.receipts;
  const TxBundle& good = block.bundle;
  OJson ok = BundleCase("tx_with_receipt", good.Encode(), true);
  ok["tx_id"] = txs[3].Id().Hex();
  ok["height"] = 10;
  ok["index"] = 3;
  out.push_back(ok);
  auto tampered = [&](const std::string& name, auto mutate) {
    TxBundle b = good;
    mutate(b);
    out.push_back(BundleCase(name, b.Encode(), false));
  };
  tampered("tx_nonce", [](TxBundle& b) {
    b.tx.nonce += 1;
    b.tx.SignWith(ValidatorKey(9));
  });
  tampered("tx_path", [](TxBundle& b) { b.tx_path.path[0].data[0] ^= 1; });
  tampered("receipt_event", [](TxBundle& b) { b.receipt->receipt.events[0].type = "prov.Forged"; });
  tampered("receipt_of_another_tx", [&](TxBundle& b) {
    b.receipt->receipt = receipts[2];
    b.receipt->path = MerkleProveFromLeafHashes(block.receipt_leaves, 2);
  });
  tampered("receipt_header_signature",
           [](TxBundle& b) { b.receipt->cert.signatures[0].second.data[0] ^= 1; });
  tampered("tx_header_too_few_signers", [](TxBundle& b) {
    b.cert = CommitCert(b.header, {0, 2}, {0, 2});
  });
  return out;
}

// A resolver answer as the node serves it (fields of contracts::Trace over the fixture's records).
inline OJson TraceAnswer(const StateBundle& b) {
  auto recs = TraceRecords();
  const Value& obj = recs[0].second;
  OJson a{{"id", obj.Find("id")->as_string()}, {"tracked", true}};
  for (const char* f :
       {"state", "custody", "location", "parent", "import_mode", "customs_status"}) {
    a[f] = obj.Find(f)->as_string();
  }
  a["timeline"] = FromValue(*obj.Find("timeline"));
  a["product"] = FromValue(recs[1].second);
  a["lot"] = FromValue(recs[2].second);
  a["customs"] = FromValue(recs[3].second);
  a["certificates"] = OJson::array({FromValue(recs[4].second)});
  a["scans"] = FromValue(recs[5].second);
  a["origin_country"] = "NZ";
  // Derived from the records by the rules of DeriveTraceWarnings (docs/proofs.md "Warnings").
  a["warnings"] = OJson::array(
      {{{"kind", "scanned"}, {"params", {{"count", 2}, {"first_time", "2026-03-06T12:00:00Z"}}}}});
  OJson keys = OJson::array();
  for (const auto& [k, v] : recs) keys.push_back(k);
  a["state_keys"] = keys;
  a["as_of"] = {{"state_version", b.header.exec_height}, {"height", b.header.height}};
  if (!b.state.entries.empty() && !b.state.entries[0].value) {  // hash-only: ship the records
    OJson records = OJson::object();
    for (const auto& [k, v] : recs) records[k] = FromValue(v);
    a["records"] = records;
  }
  a["proof"] = {{"format", "tidemark-state-bundle/v1"},
                {"bundle", ToHex(b.Encode())},
                {"height", b.header.height},
                {"state_version", b.header.exec_height}};
  return a;
}

inline OJson AnswerCases() {
  OJson out = OJson::array();
  ProofFixture f(0, 40);
  StateBundle hashed = f.Bundle(f.trace_keys);
  out.push_back(
      {{"name", "answer_ok_values_in_bundle"}, {"answer", TraceAnswer(hashed)}, {"expect", "ok"}});
  hashed.state.StripValues();
  const OJson good = TraceAnswer(hashed);  // what the resolver serves
  out.push_back({{"name", "answer_ok"}, {"answer", good}, {"expect", "ok"}});
  auto bad = [&](const std::string& name, auto mutate) {
    OJson a = good;
    mutate(a);
    out.push_back({{"name", name}, {"answer", a}, {"expect", "reject"}});
  };
  bad("answer_state_changed", [](OJson& a) { a["state"] = "SOLD"; });
  bad("answer_product_renamed", [](OJson& a) { a["product"]["name"] = "Something else"; });
  bad("answer_customs_status", [](OJson& a) { a["customs_status"] = "DECLARED"; });
  bad("answer_scan_count", [](OJson& a) { a["scans"]["count"] = 1; });
  bad("answer_certificate_dropped", [](OJson& a) { a["certificates"] = OJson::array(); });
  bad("answer_unproven_key", [](OJson& a) { a["state_keys"].push_back("prov/obj/other"); });
  bad("answer_no_proof", [](OJson& a) { a.erase("proof"); });
  bad("answer_record_and_field_altered", [](OJson& a) {
    a["state"] = "SOLD";
    a["records"]["prov/obj//01/09521234543213/21/7001"]["state"] = "SOLD";
  });
  bad("answer_record_missing", [](OJson& a) { a["records"].erase("prov/product/09521234543213"); });
  // Unproven summary fields that contradict the records: verified, but flagged.
  auto flagged = [&](const std::string& name, auto mutate) {
    OJson a = good;
    mutate(a);
    out.push_back({{"name", name}, {"answer", a}, {"expect", "flagged"}});
  };
  flagged("answer_warnings_emptied", [](OJson& a) { a["warnings"] = OJson::array(); });
  flagged("answer_warning_added", [](OJson& a) {
    a["warnings"].push_back(
        {{"kind", "recalled"}, {"params", {{"recall_id", "R-9"}, {"lot", ""}, {"reason", "x"}}}});
  });
  flagged("answer_origin_changed", [](OJson& a) { a["origin_country"] = "CN"; });
  ProofFixture g(0, 40);
  std::vector<Bytes> fewer(g.trace_keys.begin(), g.trace_keys.end() - 1);
  bad("answer_bundle_missing_a_key",
      [&](OJson& a) { a["proof"]["bundle"] = ToHex(g.Bundle(fewer).Encode()); });
  return out;
}

inline OJson ProofVectors() {
  ProofFixture f(0, 0);
  return OJson{
      {"format", "tidemark-proof-vectors/v1"},
      {"trust", {{"chain_id", kChainId}, {"validator_set", ToHex(f.trust.genesis.Encode())}}},
      {"state_bundles", StateCases()},
      {"tx_bundles", TxCases()},
      {"trace_answers", AnswerCases()},
      {"fin_answers", FinAnswerCases()}};
}

inline std::string ProofVectorsText() { return ProofVectors().dump(1) + "\n"; }

}  // namespace tidemark::prooftest
