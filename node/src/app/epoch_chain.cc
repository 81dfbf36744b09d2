#include "tidemark/node/app/epoch_chain.h"

#include "tidemark/consensus/messages.h"

namespace tidemark::node {

namespace {

Result<EpochChange> LinkFor(const Ledger& ledger, uint64_t epoch) {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, ledger.EpochProof(epoch));
  if (!raw) return Status::NotFound("no stored end of epoch " + std::to_string(epoch));
  TM_ASSIGN_OR_RETURN(consensus::Message msg, consensus::DecodeMessage(*raw));
  const auto* proof = std::get_if<consensus::EpochProof>(&msg);
  if (proof == nullptr) return Status::Corruption("stored epoch proof is another message");
  // The certificate names the epoch's last block, or (when one certificate committed several
  // blocks) a later block of the same epoch that consensus dropped and kept in the proof's tail.
  std::optional<BlockHeader> header;
  for (const Block& t : proof->tail) {
    if (t.Id() == proof->cert.data.commit_id) header = t.header;
  }
  if (!header) {
    TM_ASSIGN_OR_RETURN(std::optional<Block> block,
                        ledger.blocks().BlockById(proof->cert.data.commit_id));
    if (block) header = block->header;
  }
  if (!header)
    return Status::NotFound("block committed by epoch " + std::to_string(epoch) +
                            "'s last certificate");
  EpochChange link{.header = *header, .cert = proof->cert};
  TM_ASSIGN_OR_RETURN(link.proof,
                      ledger.tree().Prove(link.header.exec_height, AsBytes(kValidatorSetStateKey)));
  std::optional<ValidatorSet> next;
  if (link.proof.value) {
    auto set = ValidatorSet::Decode(*link.proof.value);
    if (set.ok()) next = std::move(*set);
  }
  if (!next || next->epoch != epoch + 1) {
    return Status::Corruption("the header that ended epoch " + std::to_string(epoch) +
                              " does not certify the next validator set");
  }
  return link;
}

}  // namespace

Result<std::vector<EpochChange>> BuildEpochChain(const Ledger& ledger, uint64_t epoch) {
  std::vector<EpochChange> out;
  for (uint64_t e = 0; e < epoch; ++e) {
    TM_ASSIGN_OR_RETURN(EpochChange link, LinkFor(ledger, e));
    out.push_back(std::move(link));
  }
  return out;
}

}  // namespace tidemark::node
