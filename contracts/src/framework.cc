#include "tidemark/contracts/framework.h"

#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/state_keys/system.h"

namespace tidemark::contracts {

Status ContractRegistry::Register(std::unique_ptr<Contract> contract) {
  std::string name(contract->name());
  if (contracts_.count(name) != 0) return Status::AlreadyExists("contract " + name);
  contracts_.emplace(std::move(name), std::move(contract));
  return Status::Ok();
}

const Contract* ContractRegistry::Find(std::string_view name) const {
  auto it = contracts_.find(name);
  return it == contracts_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ContractRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, c] : contracts_) out.push_back(name);
  return out;
}

ContractRegistry BuiltinContracts() {
  ContractRegistry r;
  Status s1 = r.Register(std::make_unique<IdentityContract>());
  Status s2 = r.Register(std::make_unique<GovernanceContract>());
  Status s3 = r.Register(std::make_unique<ProvenanceContract>());
  Status s4 = r.Register(std::make_unique<FinanceContract>());
  Status s5 = r.Register(std::make_unique<PledgeContract>());
  assert(s1.ok() && s2.ok() && s3.ok() && s4.ok() && s5.ok());
  (void)s1, (void)s2, (void)s3, (void)s4, (void)s5;
  return r;
}

std::string NonceKey(const PublicKey& signer) { return state_keys::sys::Nonce(signer); }

uint64_t NextNonce(const StateView& view, const PublicKey& signer) {
  return NextNonceFromStored(view.Get(NonceKey(signer)));
}

uint64_t NextNonceFromStored(const std::optional<Bytes>& stored) {
  if (!stored) return 1;
  Result<Value> v = Value::Decode(*stored);
  if (!v.ok() || !v->is_int()) return 1;
  return static_cast<uint64_t>(v->as_int());
}

namespace {

// An audit is kept only if it stays in the contract's namespace and within the limits
// (framework.h, AuditSink); otherwise it is a contract bug and the whole audit is dropped.
bool AuditIsValid(const AuditSink& audit, std::string_view contract) {
  if (audit.writes().size() > AuditSink::kMaxAuditWrites) return false;
  if (audit.events().size() > kMaxEventsPerReceipt) return false;
  const std::string ns = std::string(contract) + "/";
  for (const auto& [key, value] : audit.writes()) {
    if (key.size() <= ns.size() || key.compare(0, ns.size(), ns) != 0) return false;
  }
  for (const auto& e : audit.events()) {
    if (e.data.size() > kMaxEventDataLen) return false;
  }
  return true;
}

void ApplyAudit(const AuditSink& audit, StateView& view, Receipt& receipt) {
  for (const auto& [key, value] : audit.writes()) view.Put(key, value);
  for (const auto& e : audit.events()) {
    if (receipt.events.size() >= kMaxEventsPerReceipt) break;
    receipt.events.push_back(e);
  }
}

Receipt Rejected(Receipt r, const Status& st) {
  r.status = TxStatus::kRejected;
  r.reason = st.ToString();
  if (r.reason.size() > kMaxReasonLen) r.reason.resize(kMaxReasonLen);
  return r;
}

}  // namespace

Receipt ApplyTransaction(const ContractRegistry& registry, StateView& view, const Transaction& tx,
                         const TxContext& ctx) {
  Receipt receipt{.tx_id = ctx.tx_id, .height = ctx.height, .index = ctx.index};
  if (tx.chain_id != ctx.chain_id) {
    return Rejected(std::move(receipt), Status::Invalid("tx is for chain '" + tx.chain_id +
                                                        "', not '" + ctx.chain_id + "'"));
  }
  if (tx.expiry_height && ctx.height > *tx.expiry_height) {
    return Rejected(
        std::move(receipt),
        Status::FailedPrecondition("tx expired at height " + std::to_string(*tx.expiry_height)));
  }
  Result<KeyRecord> signer = ActiveSigner(view, tx.signer);
  if (!signer.ok()) return Rejected(std::move(receipt), signer.status());
  uint64_t expected = NextNonce(view, tx.signer);
  if (tx.nonce != expected) {
    return Rejected(
        std::move(receipt),
        Status::FailedPrecondition("nonce " + std::to_string(tx.nonce) +
                                   " but the signer's next nonce is " + std::to_string(expected)));
  }
  // From here on the nonce is spent, whatever the call does.
  PutValue(view, NonceKey(tx.signer), Value(static_cast<int64_t>(expected + 1)));
  // Service keys exist for consumer scans and can do exactly that (docs/provenance.md).
  if (signer->kind == KeyKind::kService && (tx.contract != "prov" || tx.method != "scan")) {
    return Rejected(std::move(receipt),
                    Status::PermissionDenied("rule service-key: a service key may only call "
                                             "prov.scan, not " +
                                             tx.contract + "." + tx.method));
  }
  Result<Value> args = Value::Decode(tx.args);
  if (!args.ok()) return Rejected(std::move(receipt), args.status().WithContext("args"));
  const Contract* contract = registry.Find(tx.contract);
  if (contract == nullptr) {
    return Rejected(std::move(receipt), Status::NotFound("no contract '" + tx.contract + "'"));
  }
  OverlayStateView overlay(view);
  EventSink events;
  Status st = contract->Execute(ctx, tx.method, *args, overlay, events);
  const AuditSink& audit = events.audit();
  const bool keep_audit = AuditIsValid(audit, contract->name());
  const size_t audit_events = keep_audit ? audit.events().size() : 0;
  if (st.ok() && events.events().size() + audit_events > kMaxEventsPerReceipt) {
    st = Status::ResourceExhausted("too many events");
  }
  for (const auto& e : events.events()) {
    if (st.ok() && e.data.size() > kMaxEventDataLen) {
      st = Status::ResourceExhausted("event " + e.type + " too large");
    }
  }
  if (st.ok()) {
    overlay.Commit();
    receipt.events = events.Take();
  } else {
    overlay.Discard();
    receipt = Rejected(std::move(receipt), st);
  }
  if (keep_audit) ApplyAudit(audit, view, receipt);
  return receipt;
}

}  // namespace tidemark::contracts
