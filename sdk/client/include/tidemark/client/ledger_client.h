// ledger_client.h — the typed SDK client: submit signed txs, wait for finality, and read state
// with a proof that is checked here, against a validator set the caller trusts.
//
//   TM_ASSIGN_OR_RETURN(Url url, Url::Parse("http://127.0.0.1:8080"));
//   LedgerClient client(url, "tidemark-local");
//   tx.SignWith(key);
//   TM_ASSIGN_OR_RETURN(TxOutcome out, client.Submit(tx, /*wait_commit=*/true));
//   TM_ASSIGN_OR_RETURN(VerifiedState s, client.ReadVerified(AsBytes("test/k"), genesis_validators));
//   // s.value is proven: proof -> state root -> header -> commit certificate of 2f+1 validators
//
// What ReadVerified checks: the latest block's header hashes to its id; its commit certificate
// verifies against `validators` (QuorumCert::Verify) and commits that id (directly, or a
// descendant when committed transitively — then only a direct certificate is accepted here);
// the proof for the header's exec_height verifies against the header's state_root.
//
// Thread safety: one client per thread (it owns an HttpClient).
#pragma once

#include <optional>
#include <string>

#include "tidemark/client/http_client.h"
#include "tidemark/types.h"

namespace tidemark::client {

struct TxOutcome {
  Hash256 id;
  std::string status;  // "pending", "committed", "rejected"
  uint64_t height = 0;
  std::string reason;
};

struct VerifiedState {
  std::optional<Bytes> value;  // nullopt: proven absent
  uint64_t state_height = 0;   // the state after executing this block
  uint64_t block_height = 0;   // the certified block whose header carries the root
};

class LedgerClient {
 public:
  LedgerClient(Url url, std::string chain_id) : http_(std::move(url)), chain_id_(std::move(chain_id)) {}

  Result<TxOutcome> Submit(const Transaction& tx, bool wait_commit);
  Result<TxOutcome> GetTx(const Hash256& id);
  Result<VerifiedState> ReadVerified(ByteView key, const ValidatorSet& validators);

  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
  std::string chain_id_;
};

// The checks of ReadVerified on answers already fetched (exposed for tests and offline use):
// `block` is a GET /v1/blocks/{id} answer, `proof` a GET /v1/state/{key}/proof answer.
Result<VerifiedState> VerifyStateAnswer(const std::string& block_json,
                                        const std::string& proof_json, ByteView key,
                                        const ValidatorSet& validators, std::string_view chain_id);

}  // namespace tidemark::client
