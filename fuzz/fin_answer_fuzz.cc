// Fuzz target: the finance answer verifiers (fin_answer.h) and the invoice fingerprint
// (fin_fingerprint.h) on untrusted input — a bank's browser or CLI verifies answers served by any
// node, and fingerprints what a user pastes. Properties: never crashes; an answer that verifies
// proves exactly the keys asked; a normalised invoice number is 1..64 of [A-Z0-9] and normalises
// to itself. Seeds: fuzz/corpus/fin_answer/ (answers of tests/vectors/proof_vectors.json).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tidemark/fin_answer.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/finance.h"

using namespace tidemark;

namespace {

const TrustAnchor& Trust() {
  static const TrustAnchor t = [] {
    TrustAnchor a{.chain_id = "tidemark-test"};
    for (uint8_t i = 0; i < 4; ++i) {
      Seed s;
      s.data.fill(static_cast<uint8_t>(0x40 + i));
      a.genesis.validators.push_back(
          {KeyPair::FromSeed(s).public_key(), "org" + std::to_string(i)});
    }
    return a;
  }();
  return t;
}

// The invoice the vectors registered (tests/node/fin_answer_vectors.h).
const InvoiceHashes& Asked() {
  static const InvoiceHashes h = *InvoiceFingerprint({.creditor = "bondedwh",
                                                      .debtor = "platform",
                                                      .number = "INV-2026/0001",
                                                      .amount = 1250000,
                                                      .date = "2026-03-30"});
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto n = NormaliseInvoiceNumber(text); n.ok()) {
    if (n->empty() || n->size() > 64 ||
        n->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos) {
      __builtin_trap();
    }
    if (auto again = NormaliseInvoiceNumber(*n); !again.ok() || *again != *n) __builtin_trap();
  }
  (void)InvoiceFingerprint(
      {.creditor = text, .debtor = "platform", .number = "1", .amount = 1, .date = text});
  (void)IsIsoDate(text);

  nlohmann::json answer = nlohmann::json::parse(text, nullptr, false);
  if (answer.is_discarded()) return 0;
  const InvoiceHashes& ask = Asked();
  if (auto v = VerifyFinCheckAnswer(answer, Trust(), ask.fingerprint, ask.invoice_key); v.ok()) {
    if (v->proof.entries.size() != 2 ||
        !v->proof.Find(state_keys::fin::Fingerprint(ask.fingerprint.Hex())) ||
        !v->proof.Find(state_keys::fin::InvoiceKey(ask.invoice_key.Hex()))) {
      __builtin_trap();
    }
  }
  const std::string id = "rcv_0a1b2c3d4e5f60718293";
  if (auto v = VerifyReceivableAnswer(answer, Trust(), id); v.ok()) {
    if (v->proof.entries.size() != 1 || v->record.value("id", "") != id) __builtin_trap();
  }
  return 0;
}
