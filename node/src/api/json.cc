#include "tidemark/node/api/json.h"

#include "tidemark/hash.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using nlohmann::json;

namespace {

// Decoded Value as JSON, or null with the decoding error beside it.
void PutValue(json& out, const char* field, const Bytes& encoded) {
  auto v = Value::Decode(encoded);
  if (v.ok()) {
    out[field] = v->ToJson();
  } else {
    out[field] = nullptr;
    out[std::string(field) + "_error"] = v.status().message();
  }
}

}  // namespace

bool IsPrivateContract(std::string_view contract) { return contract == "fin" || contract == "plg"; }

bool IsPrivateEventType(std::string_view type) {
  return type.substr(0, 4) == "fin." || type.substr(0, 4) == "plg.";
}

bool IsProtectedStateKey(std::string_view key) {
  if (state_keys::HasPrefix(key, state_keys::fin::kPrefix)) return true;
  return state_keys::HasPrefix(key, state_keys::plg::kPrefix) &&
         !state_keys::HasPrefix(key, state_keys::plg::kGazettePrefix);
}

json RedactedJson(ByteView bytes, std::string_view what) {
  return json{{"redacted", true}, {std::string(what) + "_sha256", Sha256(bytes).Hex()}};
}

std::string RedactedReason(std::string_view reason) {
  std::string code;
  size_t colon = reason.find(": ");
  if (colon != std::string_view::npos && colon > 0 &&
      reason.substr(0, colon).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
          std::string_view::npos) {
    code = std::string(reason.substr(0, colon)) + ": ";
  }
  // The first "fin-<rule>" or "plg-<rule>" (the private contracts' rules) that starts a word.
  for (size_t at = 0; at + 4 <= reason.size(); ++at) {
    if (reason.substr(at, 4) != "fin-" && reason.substr(at, 4) != "plg-") continue;
    if (at > 0) {
      char before = reason[at - 1];
      if ((before >= 'a' && before <= 'z') || (before >= '0' && before <= '9') || before == '-' ||
          before == '_') {
        continue;
      }
    }
    size_t end = at + 4;
    while (end < reason.size() &&
           ((reason[end] >= 'a' && reason[end] <= 'z') ||
            (reason[end] >= '0' && reason[end] <= '9') || reason[end] == '-')) {
      ++end;
    }
    if (end == at + 4) continue;
    return code + "rule " + std::string(reason.substr(at, end - at)) + " (details redacted)";
  }
  return code + "(details redacted)";
}

json TxToJson(const Transaction& tx, bool redact_private) {
  if (redact_private && IsPrivateContract(tx.contract)) {
    json j{{"id", tx.Id().Hex()},
           {"chain_id", tx.chain_id},
           {"signer", tx.signer.Hex()},
           {"nonce", tx.nonce},
           {"contract", tx.contract},
           {"method", tx.method},
           {"args", RedactedJson(tx.args, "args")},
           {"args_hex", nullptr},
           {"signature", tx.signature.Hex()},
           {"raw", nullptr},
           {"redacted", true}};
    j["expiry_height"] = tx.expiry_height ? json(*tx.expiry_height) : json(nullptr);
    return j;
  }
  json j{
      {"id", tx.Id().Hex()},        {"chain_id", tx.chain_id},         {"signer", tx.signer.Hex()},
      {"nonce", tx.nonce},          {"contract", tx.contract},         {"method", tx.method},
      {"args_hex", ToHex(tx.args)}, {"signature", tx.signature.Hex()}, {"raw", ToHex(tx.Encode())}};
  PutValue(j, "args", tx.args);
  j["expiry_height"] = tx.expiry_height ? json(*tx.expiry_height) : json(nullptr);
  return j;
}

json HeaderToJson(const BlockHeader& h) {
  return json{{"chain_id", h.chain_id},
              {"epoch", h.epoch},
              {"round", h.round},
              {"height", h.height},
              {"parent", h.parent.Hex()},
              {"justify_hash", h.justify_hash.Hex()},
              {"proposer", h.proposer},
              {"timestamp_ms", h.timestamp_ms},
              {"tx_root", h.tx_root.Hex()},
              {"tx_count", h.tx_count},
              {"exec_height", h.exec_height},
              {"state_root", h.state_root.Hex()},
              {"receipts_root", h.receipts_root.Hex()},
              {"validators_hash", h.validators_hash.Hex()}};
}

json QcToJson(const QuorumCert& qc) {
  json sigs = json::array();
  for (const auto& [index, sig] : qc.signatures) {
    sigs.push_back(json{{"index", index}, {"signature", sig.Hex()}});
  }
  return json{{"epoch", qc.data.epoch},
              {"round", qc.data.round},
              {"height", qc.data.height},
              {"block_id", qc.data.block_id.Hex()},
              {"commit_height", qc.data.commit_height},
              {"commit_id", qc.data.commit_id.Hex()},
              {"signatures", sigs},
              {"raw", ToHex(qc.Encode())}};
}

json ReceiptToJson(const Receipt& r, bool redact) {
  json events = json::array();
  bool redacted = redact && !r.reason.empty();
  for (const Event& e : r.events) {
    json ej{{"type", e.type}};
    if (redact || IsPrivateEventType(e.type)) {
      ej["data"] = RedactedJson(e.data, "data");
      redacted = true;
    } else {
      PutValue(ej, "data", e.data);
    }
    events.push_back(std::move(ej));
  }
  json j{{"tx_id", r.tx_id.Hex()},
         {"height", r.height},
         {"index", r.index},
         {"status", r.status == TxStatus::kCommitted ? "committed" : "rejected"},
         {"reason", redact && !r.reason.empty() ? RedactedReason(r.reason) : r.reason},
         {"events", events},
         {"hash", r.Hash().Hex()}};
  // A verifier cannot rebuild this receipt from its fields: it takes `hash` as the leaf.
  if (redacted) j["redacted"] = true;
  return j;
}

json BlockToJson(const BlockRecord& b) {
  json txs = json::array();
  for (const Transaction& tx : b.block.txs) txs.push_back(TxToJson(tx));
  json j{{"id", b.block.Id().Hex()},
         {"header", HeaderToJson(b.block.header)},
         {"raw_header", ToHex(b.block.header.Encode())},
         {"justify", QcToJson(b.block.justify)},
         {"txs", txs}};
  j["certificate"] = b.commit_cert ? QcToJson(*b.commit_cert) : json(nullptr);
  if (b.receipts) {
    json rs = json::array();
    for (const Receipt& r : *b.receipts) {
      bool redact =
          r.index < b.block.txs.size() && IsPrivateContract(b.block.txs[r.index].contract);
      rs.push_back(ReceiptToJson(r, redact));
    }
    j["receipts"] = rs;
  } else {
    j["receipts"] = nullptr;
  }
  return j;
}

json BlockSummaryToJson(const Block& b) {
  return json{{"id", b.Id().Hex()},
              {"height", b.header.height},
              {"round", b.header.round},
              {"timestamp_ms", b.header.timestamp_ms},
              {"proposer", b.header.proposer},
              {"tx_count", b.header.tx_count}};
}

json ValidatorsToJson(const ValidatorSet& vs) {
  json list = json::array();
  for (size_t i = 0; i < vs.validators.size(); ++i) {
    list.push_back(
        json{{"index", i}, {"key", vs.validators[i].key.Hex()}, {"org", vs.validators[i].org}});
  }
  return json{{"epoch", vs.epoch},
              {"quorum", vs.Quorum()},
              {"max_faulty", vs.MaxFaulty()},
              {"hash", vs.Hash().Hex()},
              {"validators", list}};
}

json StatusToJson(const NodeStatus& s) {
  json j{{"chain_id", s.chain_id},
         {"node_version", s.node_version},
         {"height", s.height},
         {"head_id", s.head_id.Hex()},
         {"head_timestamp_ms", s.head_timestamp_ms},
         {"exec_height", s.exec_height},
         {"state_root", s.state_root.Hex()},
         {"epoch", s.epoch},
         {"validator_count", s.validator_count},
         {"mempool", {{"txs", s.mempool_txs}, {"bytes", s.mempool_bytes}}},
         {"peers", s.peers},
         {"syncing", s.syncing}};
  j["validator_index"] = s.own_validator_index ? json(*s.own_validator_index) : json(nullptr);
  return j;
}

json TxRecordToJson(const mempool::TxRecord& r) {
  json j{{"id", r.id.Hex()}, {"status", mempool::TxStateName(r.state)}};
  if (r.state != mempool::TxState::kPending && r.height > 0) {
    j["height"] = r.height;
    j["index"] = r.index;
  }
  if (r.state == mempool::TxState::kRejected) {
    j["reason"] = r.reason;
    if (r.reject_code != Code::kOk) j["code"] = CodeName(r.reject_code);
  }
  return j;
}

json TxInfoToJson(const TxInfo& t, bool redact_private) {
  json j = TxRecordToJson(t.record);
  bool redact = redact_private && t.tx && IsPrivateContract(t.tx->contract);
  if (redact && j.contains("reason")) j["reason"] = RedactedReason(t.record.reason);
  j["tx"] = t.tx ? TxToJson(*t.tx, redact_private) : json(nullptr);
  j["receipt"] = t.receipt ? ReceiptToJson(*t.receipt, redact) : json(nullptr);
  return j;
}

json StateProofToJson(const StateProofAnswer& p) {
  return json{{"key", ToHex(p.key)},
              {"exists", p.value.has_value()},
              {"value", p.value ? json(ToHex(*p.value)) : json(nullptr)},
              {"height", p.height},
              {"state_root", p.state_root.Hex()},
              {"proof", ToHex(p.proof)}};
}

}  // namespace tidemark::node::api
