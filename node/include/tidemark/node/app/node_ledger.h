// node_ledger.h — the REST backend: the node's implementation of the api::LedgerApi port (the
// interface the REST, EPCIS and proof routes call), over its ledger (blocks, receipts, indexes,
// state), mempool (submission, pending txs) and consensus driver (epoch, validator set).
//
//   std::atomic<bool> ready{false};
//   std::unique_ptr<api::LedgerApi> api = MakeNodeLedger(
//       ledger, pool, driver, [&] { return peer_count(); }, [&] { return sync.catching_up(); },
//       [&](ByteView tx) { gossip(tx); }, ready);
//   api::HttpService http(cfg, api.get());
//   ready = true;  // /readyz answers 200 from now on
//
// SubmitTx answers a committed tx from the ledger's indexes; a tx the mempool newly admits as
// pending is handed to `gossip` (once: a tx already pending was gossiped then). Status() asks
// `peers` and `syncing`; Ready() reads `ready`, which the node sets after Start and clears in
// Stop. The ledger, mempool, driver and `ready` must outlive the returned object.
//
// Thread safety: every method may be called concurrently from the HTTP handler threads (the
// ledger, mempool and driver are thread-safe; the callbacks must be too).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "tidemark/bytes.h"
#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/mempool/mempool.h"

namespace tidemark::node {

class Ledger;
class ConsensusDriver;

std::unique_ptr<api::LedgerApi> MakeNodeLedger(Ledger& ledger, mempool::Mempool& pool,
                                               ConsensusDriver& driver,
                                               std::function<size_t()> peers,
                                               std::function<bool()> syncing,
                                               std::function<void(ByteView)> gossip,
                                               const std::atomic<bool>& ready);

}  // namespace tidemark::node
