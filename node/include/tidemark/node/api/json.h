// json.h — the REST API's JSON shapes for ledger objects (docs/api.md is the reference).
//
// Hashes, keys, signatures and byte strings are lowercase hex; integers are JSON numbers; tx
// arguments and event data are decoded with Value::ToJson (bytes appear as {"$bytes": "<hex>"}).
// Objects that a client verifies also carry their canonical encoding as hex ("raw"), so a browser
// can hash / check signatures over the exact bytes.
//
// Private contracts (docs/finance.md §1: the `fin` contract) are redacted here, in one place, for
// every public view — tx, block, receipt, the event stream, the explorer's account list: their
// txs show contract, method, signer, nonce and status, but `args` is
// {"redacted": true, "args_sha256": hex} and `args_hex` / `raw` are null; their events' data is
// {"redacted": true, "data_sha256": hex}; a rejection reason keeps only its code and rule name.
//
//   nlohmann::json j = TxToJson(tx);   // {"id": "...", "signer": "...", "args": {...}, ...}
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tidemark/node/api/ledger_api.h"

namespace tidemark::node::api {

// True for the contracts whose args and event data public views must not show ("fin", "plg").
bool IsPrivateContract(std::string_view contract);
// True for an event type of a private contract ("fin.…", "plg.…"), whatever tx emitted it.
bool IsPrivateEventType(std::string_view type);
// True for the state keys GET /v1/state and its proof route refuse: every "fin/" key and every
// "plg/" key but the public gazette entries ("plg/gazette/…", docs/finance.md §13).
bool IsProtectedStateKey(std::string_view key);
// {"redacted": true, "<what>_sha256": SHA-256 of `bytes`}.
nlohmann::json RedactedJson(ByteView bytes, std::string_view what);
// The public form of a private contract's rejection reason: "CODE: rule fin-x (details
// redacted)" when it names a rule, else "(details redacted)".
std::string RedactedReason(std::string_view reason);

// `redact_private` false only for a reader allowed to see the tx (fin_api.h, GET /v1/fin/txs).
nlohmann::json TxToJson(const Transaction& tx, bool redact_private = true);
nlohmann::json HeaderToJson(const BlockHeader& h);
nlohmann::json QcToJson(const QuorumCert& qc);
// `redact`: the receipt of a private contract's tx (events' data and the reason redacted); events
// of a private type are redacted in any receipt.
nlohmann::json ReceiptToJson(const Receipt& r, bool redact = false);
// {"id", "header", "justify", "certificate", "txs", "receipts", "raw_header"}
nlohmann::json BlockToJson(const BlockRecord& b);
// {"id", "height", "timestamp_ms", "tx_count", "proposer", "round"} for lists.
nlohmann::json BlockSummaryToJson(const Block& b);
nlohmann::json ValidatorsToJson(const ValidatorSet& vs);
nlohmann::json StatusToJson(const NodeStatus& s);
nlohmann::json TxInfoToJson(const TxInfo& t, bool redact_private = true);
nlohmann::json TxRecordToJson(const mempool::TxRecord& r);
nlohmann::json StateProofToJson(const StateProofAnswer& p);

}  // namespace tidemark::node::api
