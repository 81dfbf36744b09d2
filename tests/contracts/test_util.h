// test_util.h — a 4-organisation genesis and a tx runner for the contract tests.
#pragma once

#include <map>
#include <string>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/state.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"

namespace tidemark::contracts::testing {

inline KeyPair KeyFor(const std::string& name) {
  Seed seed;
  Hash256 h = Sha256(AsBytes("test-key/" + name));
  seed.data = h.data;
  return KeyPair::FromSeed(seed);
}

// A chain with named keys; every tx is signed, numbered and applied in its own block.
class Chain {
 public:
  Chain() : registry_(TestContracts()) {}

  // Orgs: id -> roles. Admin key "<id>/admin", validator "<id>/node", service "<id>/service".
  void Init(const std::map<std::string, std::vector<Role>>& orgs) {
    Genesis g;
    g.chain_id = "tidemark-test";
    g.genesis_time_ms = 1700000000000;
    for (const auto& [id, roles] : orgs) {
      OrgRecord o{.id = id,
                  .name = id,
                  .roles = roles,
                  .admin_keys = {KeyFor(id + "/admin").public_key()},
                  .validator_key = KeyFor(id + "/node").public_key(),
                  .service_key = KeyFor(id + "/service").public_key()};
      g.orgs.push_back(o);
    }
    Status st = WriteGenesisState(g, state);
    assert(st.ok());
    (void)st;
  }

  Receipt Call(const std::string& signer, const std::string& contract, const std::string& method,
               const Value& args, std::optional<uint64_t> nonce = std::nullopt) {
    KeyPair key = KeyFor(signer);
    Transaction tx{.chain_id = "tidemark-test",
                   .nonce = nonce.value_or(NextNonce(state, key.public_key())),
                   .contract = contract,
                   .method = method,
                   .args = args.Encode()};
    tx.SignWith(key);
    ++height;
    block_time_ms += 1000;
    TxContext ctx{.chain_id = tx.chain_id,
                  .tx_id = tx.Id(),
                  .signer = tx.signer,
                  .height = height,
                  .block_time_ms = block_time_ms,
                  .index = 0};
    return ApplyTransaction(registry_, state, tx, ctx);
  }

  MemStateView state;
  uint64_t height = 0;
  uint64_t block_time_ms = 1700000000000;

 private:
  ContractRegistry registry_;
};

inline bool Ok(const Receipt& r) { return r.status == TxStatus::kCommitted; }

}  // namespace tidemark::contracts::testing
