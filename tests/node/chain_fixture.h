// chain_fixture.h — test helpers for the node's chain tests: a deterministic key per name, the
// block that follows a parent, signed test-contract puts, and a commit certificate for a block (not
// signed: the ledger, the execution stage and the chain store take certificates as consensus has
// already checked).
//
//   KeyPair admin = fixture::Key("admin");
//   Block b = fixture::ChildBlock(parent, /*exec_height=*/parent.header.height, {tx});
//   ledger->Commit(b, fixture::CommitCertFor(b), std::nullopt);
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tidemark/contracts/genesis.h"
#include "tidemark/crypto.h"
#include "tidemark/hash.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

namespace tidemark::node::fixture {

// The same key for the same name in every test and run.
inline KeyPair Key(const std::string& name) {
  Seed seed;
  seed.data = Sha256(AsBytes(name)).data;
  return KeyPair::FromSeed(seed);
}

// A chain `chain_id` with one organisation, "org-a" (role PLATFORM), whose admin key is
// Key("admin") and validator key Key("node").
inline contracts::Genesis OneOrgGenesis(const std::string& chain_id) {
  contracts::Genesis g;
  g.chain_id = chain_id;
  g.genesis_time_ms = 1'700'000'000'000;
  g.orgs.push_back(contracts::OrgRecord{.id = "org-a",
                                        .name = "Org A",
                                        .roles = {contracts::Role::kPlatform},
                                        .admin_keys = {Key("admin").public_key()},
                                        .validator_key = Key("node").public_key()});
  return g;
}

// The block after `parent` (next height and round, one second later) that certifies the state of
// `exec_height` and carries `txs`; execution roots are left as the parent's.
inline Block ChildBlock(const Block& parent, uint64_t exec_height,
                        std::vector<Transaction> txs = {}) {
  Block b;
  b.header = parent.header;
  b.header.height = parent.header.height + 1;
  b.header.round = parent.header.round + 1;
  b.header.parent = parent.Id();
  b.header.timestamp_ms += 1000;
  b.header.exec_height = exec_height;
  b.txs = std::move(txs);
  b.header.tx_root = TxRoot(b.txs);
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  return b;
}

// `n` signed txs of the test contract's `put` (keys k0..k<n-1>, value `height`), nonces from
// `first_nonce` on: a block's payload whose writes are known.
inline std::vector<Transaction> TestPuts(const KeyPair& signer, const std::string& chain_id,
                                         uint64_t first_nonce, int n, uint64_t height) {
  std::vector<Transaction> txs;
  for (int i = 0; i < n; ++i) {
    Transaction tx{.chain_id = chain_id,
                   .nonce = first_nonce + i,
                   .contract = "test",
                   .method = "put",
                   .args = Value::MakeMap({{"key", "k" + std::to_string(i)},
                                           {"value", static_cast<int64_t>(height)}})
                               .Encode()};
    tx.SignWith(signer);
    txs.push_back(std::move(tx));
  }
  return txs;
}

// A certificate whose commit is `b` (as the QC of b's grandchild carries it).
inline QuorumCert CommitCertFor(const Block& b) {
  QuorumCert cert;
  cert.data = VoteData{.epoch = 0,
                       .round = b.header.round + 1,
                       .height = b.header.height + 1,
                       .block_id = Sha256(AsBytes("child of " + b.Id().Hex())),
                       .commit_height = b.header.height,
                       .commit_id = b.Id()};
  return cert;
}

}  // namespace tidemark::node::fixture
