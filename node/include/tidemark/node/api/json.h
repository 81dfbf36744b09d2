// json.h — the REST API's JSON shapes for ledger objects (docs/api.md is the reference).
//
// Hashes, keys, signatures and byte strings are lowercase hex; integers are JSON numbers; tx
// arguments and event data are decoded with Value::ToJson (bytes appear as {"$bytes": "<hex>"}).
// Objects that a client verifies also carry their canonical encoding as hex ("raw"), so a browser
// can hash / check signatures over the exact bytes.
//
//   nlohmann::json j = TxToJson(tx);   // {"id": "...", "signer": "...", "args": {...}, ...}
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "tidemark/node/api/ledger_api.h"

namespace tidemark::node::api {

nlohmann::json TxToJson(const Transaction& tx);
nlohmann::json HeaderToJson(const BlockHeader& h);
nlohmann::json QcToJson(const QuorumCert& qc);
nlohmann::json ReceiptToJson(const Receipt& r);
// {"id", "header", "justify", "certificate", "txs", "receipts", "raw_header"}
nlohmann::json BlockToJson(const BlockRecord& b);
// {"id", "height", "timestamp_ms", "tx_count", "proposer", "round"} for lists.
nlohmann::json BlockSummaryToJson(const Block& b);
nlohmann::json ValidatorsToJson(const ValidatorSet& vs);
nlohmann::json StatusToJson(const NodeStatus& s);
nlohmann::json TxInfoToJson(const TxInfo& t);
nlohmann::json TxRecordToJson(const mempool::TxRecord& r);
nlohmann::json StateProofToJson(const StateProofAnswer& p);

}  // namespace tidemark::node::api
