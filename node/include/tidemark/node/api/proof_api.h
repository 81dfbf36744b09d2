// proof_api.h — verifiable answers over REST (docs/proofs.md) and the GS1 Digital Link resolver.
//
//   api::ProofApi proofs(&ledger, {.explorer_dir = cfg.explorer_dir, .on_scan = record_scan});
//   proofs.Register(&router);
//
// Routes:
//   GET /v1/genesis                      chain id + genesis validator set: the light-client anchor
//   GET /v1/epochs[?to=N]                epoch-change links from genesis to epoch N (default: now)
//   GET /v1/state/{key}[?proof=true]     a value (key in hex) and, with proof, a StateBundle;
//                                        keys under "fin/" are refused (ProtectedReadRefusal)
//   GET /01/{gtin}[/10/{lot}][/21/{serial}][?proof=true]
//        Accept: application/json -> the trace (contracts::Trace) at one state version, with the
//        bundle proving every key of its state_keys when ?proof=true; text/html -> the explorer's
//        index.html (client-side routed page that fetches the same URL as JSON).
// GET /v1/txs/{id}?proof=true is RestApi's route; it calls TxProofJson below.
//
// Thread safety: Register() once; handlers are then safe from any thread (the LedgerApi is).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/http/router.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node::api {

enum class BundleKind { kState, kTx };
// A hook that alters every encoded bundle before it is served; answers then carry
// "tampered": true. Only the test binary `tidemark-node-test --tamper-proofs` sets one (through
// NodeExtensions); the production node has no way to (docs/proofs.md, "Test switch").
using BundleTamper = std::function<Bytes(BundleKind kind, const Bytes& encoded)>;

struct ProofOptions {
  std::string explorer_dir;  // "" : browsers get a 406 problem instead of the page
  BundleTamper tamper;       // null in production
  // Called after a Digital Link was answered as JSON (the node's scan recorder).
  std::function<void(const std::string& code)> on_scan;
};

// The newest committed block with its commit certificate: its header certifies state version
// header.exec_height.
Result<BlockRecord> CertifiedAnchor(LedgerApi& ledger);

// Proves `keys` at the anchor's state version, with the epoch chain to the anchor's epoch.
Result<StateBundle> BuildStateBundle(LedgerApi& ledger, const BlockRecord& anchor,
                                     const std::vector<Bytes>& keys);

// Runs `read` over the state a proof can certify (the version the certified tip's header commits
// to; returns that tip) or, without a proof, over the latest executed state (nullopt).
Result<std::optional<BlockRecord>> ReadForAnswer(LedgerApi& ledger, bool with_proof,
                                                 const LedgerApi::StateReader& read);

// The "proof" object of a state answer: {"format": "tidemark-state-bundle/v1", "bundle" (hex),
// "bytes", "height", "state_version", "epoch", "block_id", "state_root", "tampered"?}; `tamper`
// (null in production) alters the encoded bundle first.
nlohmann::json StateBundleJson(const StateBundle& bundle, const BundleTamper& tamper);

// {"format", "bundle" (hex), "bytes", "height", "state_version", "epoch", "tampered"?} or, if
// the tx is not committed or no header certifies its receipt, what is missing. A private
// contract's tx (json.h, IsPrivateContract) has none: the bundle would carry its args.
nlohmann::json TxProofJson(LedgerApi& ledger, const TxInfo& info, const BundleTamper& tamper);

class ProofApi {
 public:
  ProofApi(LedgerApi* ledger, ProofOptions options);
  void Register(http::Router* router);

 private:
  http::HttpResponse Genesis(const http::HttpRequest& req);
  http::HttpResponse Epochs(const http::HttpRequest& req);
  http::HttpResponse StateRead(const http::HttpRequest& req, const std::string& key_hex);
  http::HttpResponse Resolve(const http::HttpRequest& req, const std::string& code);

  LedgerApi* ledger_;
  ProofOptions options_;
};

}  // namespace tidemark::node::api
