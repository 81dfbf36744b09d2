// ledger_client.h — the typed SDK client: submit signed txs, wait for finality, and read state
// with a proof that is checked here, against a validator set the caller trusts.
//
//   TM_ASSIGN_OR_RETURN(Url url, Url::Parse("http://127.0.0.1:8080"));
//   LedgerClient client(url, "tidemark-local");
//   tx.SignWith(key);
//   TM_ASSIGN_OR_RETURN(TxOutcome out, client.Submit(tx, /*wait_commit=*/true));
//   TM_ASSIGN_OR_RETURN(VerifiedState s, client.ReadVerified(AsBytes("test/k"),
//   genesis_validators));
//   // s.value is proven: proof -> state root -> header -> commit certificate of 2f+1 validators
//
//   // A protected read (docs/api.md, Signed reads): signed by a member key, party-only.
//   TM_ASSIGN_OR_RETURN(std::string rcv, client.FinReceivable(bank_key, "rcv_0a1b...", true));
//
// What ReadVerified checks: the latest block's header hashes to its id; its commit certificate
// verifies against `validators` (QuorumCert::Verify) and commits that id (directly, or a
// descendant when committed transitively — then only a direct certificate is accepted here);
// the proof for the header's exec_height verifies against the header's state_root.
//
// Thread safety: one client per thread (it owns an HttpClient).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "tidemark/client/http_client.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

namespace tidemark::client {

struct TxOutcome {
  Hash256 id;
  std::string status;  // "pending", "committed", "rejected"
  uint64_t height = 0;
  std::string reason;
  std::string answer_json;  // the node's GET /v1/txs/{id} answer (tx and receipt), when known
};

struct VerifiedState {
  std::optional<Bytes> value;  // nullopt: proven absent
  uint64_t state_height = 0;   // the state after executing this block
  uint64_t block_height = 0;   // the certified block whose header carries the root
};

class LedgerClient {
 public:
  LedgerClient(Url url, std::string chain_id)
      : http_(std::move(url)), chain_id_(std::move(chain_id)) {}

  Result<TxOutcome> Submit(const Transaction& tx, bool wait_commit);
  Result<TxOutcome> GetTx(const Hash256& id);
  Result<VerifiedState> ReadVerified(ByteView key, const ValidatorSet& validators);

  // The node's chain id (GET /v1/status); used when the client was made with an empty one.
  Result<std::string> ChainId();
  // The nonce `signer`'s next tx must carry: the committed one (state key sys/nonce/<hex>, read
  // without a proof) or, if higher, one past the last tx this client submitted for it.
  Result<uint64_t> NextNonce(const PublicKey& signer);
  // Signs {contract, method, args} with `key` at its next nonce, submits it and waits until it is
  // committed or rejected (polling past the server's wait cap until `timeout`). A tx the node
  // refuses to admit is an error; a tx rejected in a block is an outcome with status "rejected".
  Result<TxOutcome> Call(const KeyPair& key, const std::string& contract, const std::string& method,
                         const Value& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Polls GET /v1/txs/{id} (with ?wait=commit) until the tx is final or `timeout` passes.
  Result<TxOutcome> WaitFinal(const Hash256& id, std::chrono::milliseconds timeout);
  // Reads one state record (a canonical Value) without a proof; nullopt when absent.
  Result<std::optional<Value>> ReadValue(const std::string& key);

  // GS1 EPCIS: GET /epcis/events with the standard query parameters; the EPCISQueryDocument.
  Result<std::string> QueryEpcisEvents(const std::map<std::string, std::string>& params);
  // GS1 EPCIS REST capture: POST /epcis/capture with `Authorization: Bearer <token>` (the node
  // signs with the member key its config maps the token to), then polls the capture job until it
  // is final or `timeout` passes. Returns the job JSON ({"captureID", "running", "success",
  // "errors", "tx", "height", ...}); a document the node refuses (400, 401, 403, 413) is an error.
  Result<std::string> CaptureEpcisDocument(
      const std::string& document, const std::string& token,
      std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Signed reads of protected data (docs/api.md, Signed reads): GET `path` (path plus query, as
  // sent) with `Authorization: Tidemark-Read key=..,ts=..,sig=..` signed by `reader` at the local
  // clock. The raw answer: the caller looks at the status (401 unauthenticated, 403 not a party).
  Result<HttpResponse> SignedGet(const KeyPair& reader, const std::string& path);

  // Supply-chain finance reads (docs/finance.md, /v1/fin/...), signed by `reader`: the node's JSON
  // answer. Errors: kPermissionDenied (403: not a party, or not a BANK for Check),
  // kUnauthenticated (401), kNotFound (404, only ever told to a party).
  // GET /v1/fin/receivables/{id}[?proof=true]: the record (and its proof bundle).
  Result<std::string> FinReceivable(const KeyPair& reader, const std::string& id,
                                    bool proof = false);
  // GET /v1/fin/receivables/{id}/history: the history entries.
  Result<std::string> FinHistory(const KeyPair& reader, const std::string& id);
  // GET /v1/fin/parties/{org}/receivables[?cursor=]: the receivables `org` is a party of (all
  // of them to `org` itself and the regulator; to anyone else those it is a party of too).
  Result<std::string> FinPartyReceivables(const KeyPair& reader, const std::string& org,
                                          const std::string& cursor = "");
  // GET /v1/fin/check?fingerprint=&invoice_key=: free / registered / encumbered / closed and the
  // proof (verify it with tidemark/fin_answer.h); computed client-side
  // (tidemark/fin_fingerprint.h).
  Result<std::string> FinCheck(const KeyPair& reader, const Hash256& fingerprint,
                               const Hash256& invoice_key);

  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
  std::string chain_id_;
  std::map<PublicKey, uint64_t> submitted_next_;  // per signer: one past the last submitted nonce
};

// Percent-encodes a query-string component (RFC 3986 unreserved characters kept).
std::string UrlEncode(std::string_view s);

// The checks of ReadVerified on answers already fetched (exposed for tests and offline use):
// `block` is a GET /v1/blocks/{id} answer, `proof` a GET /v1/state/{key}/proof answer.
Result<VerifiedState> VerifyStateAnswer(const std::string& block_json,
                                        const std::string& proof_json, ByteView key,
                                        const ValidatorSet& validators, std::string_view chain_id);

}  // namespace tidemark::client
