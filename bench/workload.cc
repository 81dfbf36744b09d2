#include "workload.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tidemark/contracts/epcis.h"
#include "tidemark/hash.h"
#include "tidemark/value.h"

namespace tidemark::bench {

namespace {

// `mixed`: mostly single-event captures, as a traceability deployment sees them.
const std::vector<std::pair<TxKind, int>> kMixed = {{TxKind::kCapture1, 50},
                                                    {TxKind::kCapture10, 10},
                                                    {TxKind::kMaster, 15},
                                                    {TxKind::kCustoms, 10},
                                                    {TxKind::kFinance, 15}};

std::string Digits(uint64_t v, int width) {
  std::string s(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && v > 0; --i, v /= 10) s[static_cast<size_t>(i)] = '0' + v % 10;
  return s;
}

// A unique number per (run, seq) in `width` digits.
uint64_t Unique(uint64_t run_id, uint64_t seq, int width) {
  uint64_t mod = 1;
  for (int i = 0; i < width; ++i) mod *= 10;
  return (run_id * 10'000'000 + seq) % mod;
}

Value CaptureEvent(uint64_t run_id, uint64_t seq, int j) {
  uint64_t serial = Unique(run_id, seq * 10 + static_cast<uint64_t>(j), 9);
  // 2026-11-28T09:mm:ss.mmm+08:00, varied so that no two events hash alike.
  uint64_t ms = (seq * 10 + static_cast<uint64_t>(j)) % 3'600'000;
  char when[64];
  std::snprintf(when, sizeof when, "2026-11-28T09:%02llu:%02llu.%03llu+08:00",
                static_cast<unsigned long long>(ms / 60000),
                static_cast<unsigned long long>(ms / 1000 % 60),
                static_cast<unsigned long long>(ms % 1000));
  nlohmann::json ev = {{"type", "ObjectEvent"},
                       {"action", "OBSERVE"},
                       {"bizStep", "receiving"},
                       {"eventTime", when},
                       {"eventTimeZoneOffset", "+08:00"},
                       {"epcList", {"urn:epc:id:sscc:0614141.1" + Digits(serial, 9)}},
                       {"readPoint", {{"id", "urn:epc:id:sgln:0614141.00777.0"}}},
                       {"bizLocation", {{"id", "urn:epc:id:sgln:0614141.00888.0"}}}};
  auto v = contracts::ParseEpcisEvent(ev, "event");
  if (!v.ok()) {
    std::fprintf(stderr, "bench: the capture event does not parse: %s\n",
                 v.status().ToString().c_str());
    std::abort();
  }
  return *v;
}

Value Args(TxKind k, uint64_t run_id, uint64_t seq) {
  switch (k) {
    case TxKind::kCapture1:
    case TxKind::kCapture10: {
      Value::List events;
      int n = k == TxKind::kCapture1 ? 1 : 10;
      for (int j = 0; j < n; ++j) events.push_back(CaptureEvent(run_id, seq, j));
      return Value::MakeMap({{"events", Value(std::move(events))}});
    }
    case TxKind::kMaster: {
      std::string body = "09421" + Digits(Unique(run_id, seq, 8), 8);
      return Value::MakeMap(
          {{"gtin", body + Gs1CheckDigit(body)},
           {"name", "Stage 1 infant formula 800 g, lot series " + Digits(seq % 1000, 3)},
           {"brand", "Kiwi Dairy"},
           {"origin_country", "NZ"},
           {"description", "Benchmark product master data"}});
    }
    case TxKind::kCustoms: {
      std::string no = "D" + std::to_string(run_id) + "-" + std::to_string(seq);
      return Value::MakeMap({{"declaration_no", no},
                             {"mode", "9610"},
                             {"order_no", "ORD-" + no},
                             {"payment_no", "PAY-" + no},
                             {"waybill_no", "WB-" + no},
                             {"origin_country", "NZ"},
                             {"items", Value::List{Value("urn:epc:id:sscc:0614141.2" +
                                                         Digits(Unique(run_id, seq, 9), 9))}}});
    }
    case TxKind::kFinance: {
      std::string no = "INV-" + std::to_string(run_id) + "-" + std::to_string(seq);
      int64_t amount = 100'000 + static_cast<int64_t>(seq % 900'000);
      return Value::MakeMap(
          {{"debtor", "bank"},
           {"currency", "CNY"},
           {"contract", Value::MakeMap({{"number", "BENCH-" + std::to_string(run_id)},
                                        {"hash", Sha256(AsBytes("bench contract")).Hex()}})},
           {"invoices", Value::List{Value::MakeMap({{"number", no},
                                                    {"amount", amount},
                                                    {"tax", amount / 100 * 6},
                                                    {"date", "2026-11-30"},
                                                    {"hash", Sha256(AsBytes(no)).Hex()}})}},
           {"issue_date", "2026-11-30"},
           {"due_date", "2027-05-29"}});
    }
  }
  return Value();
}

}  // namespace

const char* KindName(TxKind k) {
  switch (k) {
    case TxKind::kCapture1:
      return "capture1";
    case TxKind::kCapture10:
      return "capture10";
    case TxKind::kMaster:
      return "master";
    case TxKind::kCustoms:
      return "customs";
    case TxKind::kFinance:
      return "finance";
  }
  return "?";
}

const char* SignerOrg(TxKind k) { return k == TxKind::kCustoms ? "customs" : "platform"; }

std::vector<std::string> SignerRoles(const std::string& org) {
  if (org == "customs") return {"CUSTOMS_BROKER"};
  return {"PLATFORM", "BRAND"};
}

Result<Workload> Workload::Parse(const std::string& name) {
  if (name == "mixed") return Workload{name, kMixed};
  for (TxKind k : kAllKinds) {
    if (name == KindName(k)) return Workload{name, {{k, 1}}};
  }
  return Status::Invalid(
      "--mix: one of capture1, capture10, master, customs, finance, mixed; not '" + name + "'");
}

TxKind Workload::KindAt(uint64_t i) const {
  int total = 0;
  for (const auto& [k, w] : weights) total += w;
  // A fixed permutation of 0..total-1 (stride coprime to 100 and 1) spreads the kinds evenly.
  uint64_t slot = (i * 37) % static_cast<uint64_t>(total);
  for (const auto& [k, w] : weights) {
    if (slot < static_cast<uint64_t>(w)) return k;
    slot -= static_cast<uint64_t>(w);
  }
  return weights.front().first;
}

std::vector<std::string> Workload::Orgs() const {
  std::vector<std::string> out;
  for (const auto& [k, w] : weights) {
    std::string org = SignerOrg(k);
    if (std::find(out.begin(), out.end(), org) == out.end()) out.push_back(org);
  }
  return out;
}

Transaction MakeTx(TxKind k, const std::string& chain, uint64_t run_id, uint64_t seq,
                   uint64_t nonce, const KeyPair& key) {
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = k == TxKind::kFinance ? "fin" : "prov",
                 .method = k == TxKind::kCapture1 || k == TxKind::kCapture10 ? "capture"
                           : k == TxKind::kMaster                            ? "register_product"
                           : k == TxKind::kCustoms                           ? "customs_declare"
                                                                             : "register",
                 .args = Args(k, run_id, seq).Encode()};
  tx.SignWith(key);
  return tx;
}

char Gs1CheckDigit(const std::string& digits) {
  int sum = 0;
  // From the right: weights 3, 1, 3, ...
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    sum += d * (i % 2 == 0 ? 3 : 1);
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

}  // namespace tidemark::bench
