#include "tidemark/node/api/proof_api.h"

#include <charconv>
#include <chrono>

#include "tidemark/contracts/provenance.h"
#include "tidemark/hash.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/node/http/static_files.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::json;

namespace {

constexpr const char* kStateBundleFormat = "tidemark-state-bundle/v1";
constexpr const char* kTxBundleFormat = "tidemark-tx-bundle/v1";
constexpr uint64_t kReceiptHeaderSearch = 64;

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

bool WantsProof(const HttpRequest& req) {
  const std::string* p = req.Query("proof");
  return p != nullptr && (*p == "true" || *p == "1");
}

// Browsers ask for text/html first; API clients for application/json (or anything).
bool WantsHtml(const HttpRequest& req) {
  std::string accept = req.Header("accept");
  size_t html = accept.find("text/html");
  size_t js = accept.find("application/json");
  return html != std::string::npos && (js == std::string::npos || html < js);
}

json ValueJsonOrNull(ByteView bytes) {
  auto v = Value::Decode(bytes);
  return v.ok() ? v->ToJson() : json(nullptr);
}

json BundleJson(const Bytes& bundle, const BlockHeader& h, bool tampered) {
  json j{{"format", kStateBundleFormat},   {"bundle", ToHex(bundle)},
         {"bytes", bundle.size()},         {"height", h.height},
         {"state_version", h.exec_height}, {"epoch", h.epoch},
         {"block_id", h.Id().Hex()},       {"state_root", h.state_root.Hex()}};
  if (tampered) j["tampered"] = true;
  return j;
}

}  // namespace

Result<BlockRecord> CertifiedAnchor(LedgerApi& ledger) {
  uint64_t h = ledger.Status().height;
  if (h == 0) return Status::Unavailable("no committed block yet: nothing certifies the state");
  TM_ASSIGN_OR_RETURN(BlockRecord rec, ledger.BlockAt(h));
  if (!rec.commit_cert) return Status::Unavailable("tip block has no commit certificate");
  return rec;
}

json StateBundleJson(const StateBundle& bundle, const BundleTamper& tamper) {
  Bytes enc = bundle.Encode();
  if (tamper) enc = tamper(BundleKind::kState, enc);
  return BundleJson(enc, bundle.header, tamper != nullptr);
}

Result<std::optional<BlockRecord>> ReadForAnswer(LedgerApi& ledger, bool with_proof,
                                                 const LedgerApi::StateReader& read) {
  if (!with_proof) {
    TM_RETURN_IF_ERROR(ledger.ReadState(read));
    return std::optional<BlockRecord>();
  }
  TM_ASSIGN_OR_RETURN(BlockRecord anchor, CertifiedAnchor(ledger));
  TM_RETURN_IF_ERROR(ledger.ReadStateAt(anchor.block.header.exec_height, read));
  return std::optional<BlockRecord>(std::move(anchor));
}

Result<StateBundle> BuildStateBundle(LedgerApi& ledger, const BlockRecord& anchor,
                                     const std::vector<Bytes>& keys) {
  const BlockHeader& h = anchor.block.header;
  std::vector<StateProof> proofs;
  for (const Bytes& k : keys) {
    TM_ASSIGN_OR_RETURN(StateProofAnswer a, ledger.ProveState(k, h.exec_height));
    if (a.state_root != h.state_root) {
      return Status::Internal("state version " + std::to_string(h.exec_height) +
                              " has another root than the certified header");
    }
    TM_ASSIGN_OR_RETURN(StateProof p, StateProof::Decode(a.proof));
    proofs.push_back(std::move(p));
  }
  StateBundle b{.header = h, .cert = *anchor.commit_cert};
  TM_ASSIGN_OR_RETURN(b.epochs, ledger.EpochChain(h.epoch));
  TM_ASSIGN_OR_RETURN(b.state, MultiStateProof::FromProofs(std::move(proofs)));
  return b;
}

json TxProofJson(LedgerApi& ledger, const TxInfo& info, const BundleTamper& tamper) {
  if (info.tx && IsPrivateContract(info.tx->contract)) {
    return json{{"available", false},
                {"reason", "a " + info.tx->contract +
                               " tx has no public proof: its bundle would carry its args "
                               "(docs/finance.md §1)"}};
  }
  if (info.record.state == mempool::TxState::kPending || !info.tx || !info.receipt) {
    return json{{"available", false}, {"reason", "the tx is not in a committed block"}};
  }
  uint64_t height = info.record.height;
  auto rec = ledger.BlockAt(height);
  if (!rec.ok() || !rec->commit_cert) {
    return json{{"available", false}, {"reason", "block or certificate not available"}};
  }
  std::vector<Hash256> leaves;
  for (const Transaction& tx : rec->block.txs) leaves.push_back(MerkleLeafHash(tx.Id().view()));
  TxBundle b{.header = rec->block.header,
             .cert = *rec->commit_cert,
             .tx = *info.tx,
             .tx_path = MerkleProveFromLeafHashes(leaves, info.record.index)};
  auto chain = ledger.EpochChain(b.header.epoch);
  if (!chain.ok()) return json{{"available", false}, {"reason", chain.status().ToString()}};
  b.epochs = std::move(*chain);
  // The receipt is certified by a later header whose exec_height is this block.
  uint64_t tip = ledger.Status().height;
  std::string receipt_note = "no committed header certifies this block's execution yet";
  for (uint64_t h = height + 1; h <= tip && h <= height + kReceiptHeaderSearch; ++h) {
    auto later = ledger.BlockAt(h);
    if (!later.ok() || !later->commit_cert) break;
    if (later->block.header.exec_height < height) continue;
    if (later->block.header.exec_height > height) {
      receipt_note = "execution results of this block were certified together with later ones";
      break;
    }
    std::vector<Hash256> rleaves;
    for (const Receipt& r : rec->receipts.value_or(std::vector<Receipt>{})) {
      rleaves.push_back(MerkleLeafHash(r.Hash().view()));
    }
    if (info.record.index >= rleaves.size()) break;
    b.receipt =
        TxBundle::ReceiptPart{.header = later->block.header,
                              .cert = *later->commit_cert,
                              .receipt = *info.receipt,
                              .path = MerkleProveFromLeafHashes(rleaves, info.record.index)};
    break;
  }
  Bytes enc = b.Encode();
  if (tamper) enc = tamper(BundleKind::kTx, enc);
  json j{{"available", true},
         {"format", kTxBundleFormat},
         {"bundle", ToHex(enc)},
         {"bytes", enc.size()},
         {"height", height},
         {"epoch", b.header.epoch},
         {"receipt_proven", b.receipt.has_value()}};
  if (!b.receipt) j["receipt_note"] = receipt_note;
  if (tamper) j["tampered"] = true;
  return j;
}

ProofApi::ProofApi(LedgerApi* ledger, ProofOptions options)
    : ledger_(ledger), options_(std::move(options)) {}

void ProofApi::Register(http::Router* r) {
  r->Add("GET", "/v1/genesis",
         [this](const HttpRequest& req, const http::PathParams&) { return Genesis(req); });
  r->Add("GET", "/v1/epochs",
         [this](const HttpRequest& req, const http::PathParams&) { return Epochs(req); });
  r->Add("GET", "/v1/state/{key}", [this](const HttpRequest& req, const http::PathParams& p) {
    return StateRead(req, p.at("key"));
  });
  auto dl = [this](const HttpRequest& req, const http::PathParams& p) {
    std::string code = "/01/" + p.at("gtin");
    if (auto it = p.find("lot"); it != p.end()) code += "/10/" + it->second;
    if (auto it = p.find("serial"); it != p.end()) code += "/21/" + it->second;
    return Resolve(req, code);
  };
  r->Add("GET", "/01/{gtin}", dl);
  r->Add("GET", "/01/{gtin}/10/{lot}", dl);
  r->Add("GET", "/01/{gtin}/21/{serial}", dl);
  r->Add("GET", "/01/{gtin}/10/{lot}/21/{serial}", dl);
  // The consumer's scan and what its page needs to verify the answer stay served under load.
  for (const char* p : {"/v1/genesis", "/v1/epochs", "/01/{gtin}", "/01/{gtin}/10/{lot}",
                        "/01/{gtin}/21/{serial}", "/01/{gtin}/10/{lot}/21/{serial}"}) {
    r->MarkEssential("GET", p);
  }
}

HttpResponse ProofApi::Genesis(const HttpRequest& req) {
  auto vs = ledger_->GenesisValidators();
  if (!vs.ok()) return Fail(vs.status(), req);
  Bytes enc = vs->Encode();
  json j{{"chain_id", ledger_->Status().chain_id},
         {"epoch", vs->epoch},
         {"validators", ValidatorsToJson(*vs)["validators"]},
         {"validator_set", ToHex(enc)},
         {"validator_set_hash", vs->Hash().Hex()}};
  return http::JsonResponse(200, j);
}

HttpResponse ProofApi::Epochs(const HttpRequest& req) {
  uint64_t to = ledger_->Status().epoch;
  if (const std::string* t = req.Query("to")) {
    auto [p, ec] = std::from_chars(t->data(), t->data() + t->size(), to);
    if (t->empty() || ec != std::errc() || p != t->data() + t->size()) {
      return Fail(Status::Invalid("to: expected an epoch number"), req);
    }
  }
  auto chain = ledger_->EpochChain(to);
  if (!chain.ok()) return Fail(chain.status(), req);
  json links = json::array();
  for (const EpochChange& e : *chain) {
    Writer w;
    e.EncodeTo(w);
    links.push_back(json{{"epoch", e.header.epoch}, {"link", ToHex(w.bytes())}});
  }
  return http::JsonResponse(200, json{{"to_epoch", to}, {"links", links}});
}

HttpResponse ProofApi::StateRead(const HttpRequest& req, const std::string& key_hex) {
  if (key_hex.size() > 2 * kMaxStateKeyLen) return Fail(Status::Invalid("key: too long"), req);
  auto key = FromHex(key_hex);
  if (!key.ok()) return Fail(key.status().WithContext("key"), req);
  if (key->empty()) return Fail(Status::Invalid("key: empty"), req);
  std::string k(key->begin(), key->end());
  if (IsProtectedStateKey(k)) return ProtectedReadRefusal();
  std::optional<Bytes> value;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) {
    value = view.Get(k);
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  std::optional<BlockRecord> anchor = std::move(*answered);
  json j{{"key", key_hex},
         {"value", value ? json(ToHex(*value)) : json(nullptr)},
         {"value_json", value ? ValueJsonOrNull(*value) : json(nullptr)},
         {"state_version", version}};
  if (anchor) {
    auto b = BuildStateBundle(*ledger_, *anchor, {*key});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse ProofApi::Resolve(const HttpRequest& req, const std::string& code) {
  if (WantsHtml(req)) {
    if (options_.explorer_dir.empty()) {
      return http::Problem(406, "not-acceptable", "Not Acceptable",
                           "this node serves no explorer; ask for application/json", req.path);
    }
    return http::StaticFiles(options_.explorer_dir).ServeIndex(req);
  }
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::optional<Value> trace;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    TM_ASSIGN_OR_RETURN(trace, contracts::Trace(view, code, now_ms));
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  std::optional<BlockRecord> anchor = std::move(*answered);
  json j = trace->ToJson();
  j["as_of"] = json{{"state_version", version}};
  if (anchor) {
    std::vector<Bytes> keys;
    for (const Value& k : trace->Find("state_keys")->as_list()) {
      const std::string& s = k.as_string();
      keys.emplace_back(s.begin(), s.end());
    }
    if (keys.empty()) {
      j["proof"] = json{{"available", false}, {"reason", "the answer reads no state record"}};
    } else {
      auto b = BuildStateBundle(*ledger_, *anchor, keys);
      if (!b.ok()) return Fail(b.status(), req);
      // The records travel as JSON beside the proof; the bundle carries their hashes only.
      json records = json::object();
      for (const auto& e : b->state.entries) {
        if (e.value) records[std::string(e.key.begin(), e.key.end())] = ValueJsonOrNull(*e.value);
      }
      b->state.StripValues();
      Bytes enc = b->Encode();
      if (options_.tamper) enc = options_.tamper(BundleKind::kState, enc);
      j["records"] = std::move(records);
      j["proof"] = BundleJson(enc, b->header, options_.tamper != nullptr);
      j["as_of"]["height"] = b->header.height;
    }
  }
  if (options_.on_scan) options_.on_scan(trace->Find("id")->as_string());
  HttpResponse resp = http::JsonResponse(200, j);
  resp.SetHeader("Vary", "Accept");
  resp.SetHeader("Link", "<" + trace->Find("digital_link")->as_string() + ">; rel=\"owl:sameAs\"");
  return resp;
}

}  // namespace tidemark::node::api
