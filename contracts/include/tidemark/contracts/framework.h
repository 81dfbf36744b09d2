// framework.h — native contracts, their registry, and the pure transaction-application function.
//
// A contract is deterministic code over a `StateView`: `Execute(ctx, method, args, state, events)`.
// `ApplyTransaction` is the one entry point the node calls for every transaction of a committed
// block, in block order, over the block's working view:
//
//   ContractRegistry registry = BuiltinContracts();         // identity, gov, prov, fin
//   OverlayStateView block_view(committed_state);
//   for (uint32_t i = 0; i < block.txs.size(); ++i) {
//     TxContext ctx = TxContext::For(block.txs[i], block.header, i);
//     Receipt r = ApplyTransaction(registry, block_view, block.txs[i], ctx);
//   }
//   auto changes = block_view.Changes();   // apply to the state tree, one batch per block
//
// ApplyTransaction checks, in this order: the chain id, expiry height, that the signer is an active
// registered key (identity state), that tx.nonce equals the signer's next nonce, that args decode
// as a Value, that the contract exists; then it runs the contract over an overlay and commits the
// overlay only on success (except the call's AuditSink part, kept either way). The nonce advances
// whenever the nonce check passed (even if the call fails), so a failed tx cannot be replayed. It
// does NOT verify signatures (the mempool does, once per tx). Determinism: no clock (block time
// comes from the header via TxContext), no floats, ordered maps. Thread safety: a registry is
// immutable after construction and may be shared; ApplyTransaction is reentrant but a StateView is
// used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

namespace tidemark::contracts {

// What a contract knows about the transaction it runs in.
struct TxContext {
  std::string chain_id;
  Hash256 tx_id;
  PublicKey signer;
  uint64_t height = 0;         // height of the block that carries the tx
  uint64_t block_time_ms = 0;  // the block header's timestamp_ms (never the local clock)
  uint32_t index = 0;          // position of the tx in its block

  static TxContext For(const Transaction& tx, const BlockHeader& header, uint32_t index) {
    return TxContext{.chain_id = header.chain_id,
                     .tx_id = tx.Id(),
                     .signer = tx.signer,
                     .height = header.height,
                     .block_time_ms = header.timestamp_ms,
                     .index = index};
  }
};

// Audit events and audit writes a contract marks to be kept WHATEVER its call returns
// (docs/contracts.md, "Audit that survives failure"): a refused attempt that the regulator must
// see, such as a second registration of a known invoice (docs/finance.md §7). ApplyTransaction
// keeps them on failure (the receipt stays rejected and carries the audit events; the audit
// writes land in the block view while every other write is discarded) and on success (after the
// call's own writes and events). Rules, checked by ApplyTransaction: audit keys lie in the
// contract's own namespace ("<name>/"), at most kMaxAuditWrites of them; the audit events count
// towards the receipt's event limits. An audit that breaks a rule is dropped whole (a contract
// bug, never the caller's). Use it only for records of refusals, never to let a refused call
// change the state it was refused on.
//
//   events.audit().Emit("fin.duplicate_attempt", Value::Map{{"org", org}});
//   events.audit().Put(state_keys::fin::Attempt(fp_hex, ctx.height, ctx.index), record);
//   return Status::FailedPrecondition("rule fin-duplicate: ...");   // audit kept, rest dropped
class AuditSink {
 public:
  static constexpr size_t kMaxAuditWrites = 64;

  void Emit(std::string type, const Value& data) {
    events_.push_back(Event{.type = std::move(type), .data = data.Encode()});
  }
  // A later Put of the same key replaces the earlier one.
  void Put(const std::string& key, const Value& value) { writes_[key] = value.Encode(); }
  const std::vector<Event>& events() const { return events_; }
  const std::map<std::string, Bytes>& writes() const { return writes_; }
  bool empty() const { return events_.empty() && writes_.empty(); }

 private:
  std::vector<Event> events_;
  std::map<std::string, Bytes> writes_;  // ordered: applied in key order
};

// Collects the events a contract call emits; they reach the receipt only if the call succeeds.
// Its audit() part is kept even when the call fails (AuditSink).
class EventSink {
 public:
  void Emit(std::string type, const Value& data) {
    events_.push_back(Event{.type = std::move(type), .data = data.Encode()});
  }
  const std::vector<Event>& events() const { return events_; }
  std::vector<Event> Take() { return std::move(events_); }
  AuditSink& audit() { return audit_; }
  const AuditSink& audit() const { return audit_; }

 private:
  std::vector<Event> events_;
  AuditSink audit_;
};

class Contract {
 public:
  virtual ~Contract() = default;
  // [a-z0-9_]{1,32}; the `contract` field of a transaction.
  virtual std::string_view name() const = 0;
  // Runs `method`. On a non-OK status the caller discards every write and event except those
  // marked in events.audit().
  virtual Status Execute(const TxContext& ctx, std::string_view method, const Value& args,
                         StateView& state, EventSink& events) const = 0;
};

class ContractRegistry {
 public:
  // Fails (kAlreadyExists) if a contract of that name is registered.
  Status Register(std::unique_ptr<Contract> contract);
  const Contract* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<Contract>, std::less<>> contracts_;
};

// The production registry: "identity", "gov", "prov", "fin". Nothing else: the "test" contract
// lives in the test-only library (tidemark/contracts/testing/test_contract.h, TestContracts()).
ContractRegistry BuiltinContracts();

// Applies one transaction to `view` (the block's working view). Writes of a successful call, the
// audit writes of any call (AuditSink), and the nonce advance of any tx that passed the nonce
// check, land in `view`; nothing else does. The receipt's status is kRejected with reason
// "<CODE>: <message>" when anything failed; a rejected receipt carries only audit events.
Receipt ApplyTransaction(const ContractRegistry& registry, StateView& view, const Transaction& tx,
                         const TxContext& ctx);

// The nonce the signer's next transaction must carry. The first transaction of a key uses 1.
uint64_t NextNonce(const StateView& view, const PublicKey& signer);
// The same from what NonceKey holds (nullopt: not written), for a reader that has the stored
// bytes at hand (the node's signer cache, which follows the written changes).
uint64_t NextNonceFromStored(const std::optional<Bytes>& stored);

// State key of a signer's next nonce: "sys/nonce/<hex key>" (state_keys::sys::Nonce).
std::string NonceKey(const PublicKey& signer);

}  // namespace tidemark::contracts
