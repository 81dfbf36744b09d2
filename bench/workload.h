// workload.h — the transactions tidemark-bench pre-signs (docs/benchmarks.md, "Workload mixes").
//
// Every tx is valid and meant to commit with a `committed` receipt on a network made by
// `tidemark network init` (organisations platform, customs, bank, regulator): each kind names the
// organisation whose enrolled member keys sign it and the roles those keys need.
//
//   kinds: capture1   prov.capture, one ObjectEvent (OBSERVE, receiving; ~480-byte tx)
//          capture10  prov.capture, ten such events in one tx
//          master     prov.register_product (a fresh GTIN-14 each)
//          customs    prov.customs_declare (a fresh declaration, 9610 direct import)
//          finance    fin.register: one receivable of one invoice, platform owes bank
//   mixes: one kind each, or `mixed` (weights in kMixed).
//
//   Workload w = Workload::Parse("mixed").value();
//   TxKind k = w.KindAt(i);                       // deterministic in i
//   Transaction tx = MakeTx(k, chain, run_id, i, nonce, signer_key);
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "tidemark/crypto.h"
#include "tidemark/status.h"
#include "tidemark/types.h"

namespace tidemark::bench {

enum class TxKind { kCapture1, kCapture10, kMaster, kCustoms, kFinance };
inline constexpr TxKind kAllKinds[] = {TxKind::kCapture1, TxKind::kCapture10, TxKind::kMaster,
                                       TxKind::kCustoms, TxKind::kFinance};

const char* KindName(TxKind k);
// The organisation whose members sign `k`, and the roles they are enrolled with.
const char* SignerOrg(TxKind k);
std::vector<std::string> SignerRoles(const std::string& org);

struct Workload {
  std::string name;
  std::vector<std::pair<TxKind, int>> weights;  // kind, weight (out of the sum)

  static Result<Workload> Parse(const std::string& name);  // a kind name or "mixed"
  TxKind KindAt(uint64_t i) const;
  std::vector<std::string> Orgs() const;  // the signer organisations it needs
};

// The signed tx number `seq` of run `run_id` (both make ids unique, so that runs against the same
// network do not collide) of kind `k`, at `nonce`, signed by `key`.
Transaction MakeTx(TxKind k, const std::string& chain, uint64_t run_id, uint64_t seq,
                   uint64_t nonce, const KeyPair& key);

// GS1 mod-10 check digit of `digits` (the digits before it).
char Gs1CheckDigit(const std::string& digits);

}  // namespace tidemark::bench
