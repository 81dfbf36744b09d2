// The protected finance reads (fin_api.h, docs/api.md §Finance, docs/finance.md §1).
#include "tidemark/node/api/fin_api.h"

#include <charconv>
#include <cstdio>
#include <optional>
#include <vector>

#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;
namespace fin = state_keys::fin;

namespace {

constexpr size_t kMaxIdLen = 80;

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

bool WantsProof(const HttpRequest& req) {
  const std::string* p = req.Query("proof");
  return p != nullptr && (*p == "true" || *p == "1");
}

bool IsLowerHex(std::string_view s) {
  return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A receivable id as the contract names them ("rcv_" + hex; docs/finance.md §2), bounded and
// free of the space that separates composite keys.
Status CheckReceivableId(std::string_view id) {
  if (id.size() < 5 || id.size() > kMaxIdLen || id.substr(0, 4) != "rcv_" ||
      id.substr(4).find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz_") !=
          std::string_view::npos) {
    return Status::Invalid(
        "receivable id: expected rcv_ followed by lower-case hex digits (at most 80 characters)");
  }
  return Status::Ok();
}

Result<uint64_t> PageLimit(const HttpRequest& req, size_t dflt, size_t max) {
  const std::string* s = req.Query("limit");
  if (s == nullptr) return dflt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || ec != std::errc() || p != s->data() + s->size() || v == 0 || v > max) {
    return Status::Invalid("limit: must be an integer from 1 to " + std::to_string(max));
  }
  return v;
}

// 64 hex digits (either case) of a query parameter, lower-cased.
Result<std::string> HexParam(const HttpRequest& req, const std::string& name) {
  const std::string* s = req.Query(name);
  if (s == nullptr) return Status::Invalid(name + ": required (64 hex digits)");
  std::string out = *s;
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  if (out.size() != 64 || !IsLowerHex(out))
    return Status::Invalid(name + ": expected 64 hex digits");
  return out;
}

Result<std::optional<Value>> LoadValue(const contracts::StateView& view, const std::string& key) {
  std::optional<Bytes> raw = view.Get(key);
  if (!raw) return std::optional<Value>();
  auto v = Value::Decode(*raw);
  if (!v.ok()) return Status::Corruption(key + ": " + v.status().message());
  return std::optional<Value>(std::move(*v));
}

std::string StrField(const Value& rec, const std::string& name) {
  const Value* f = rec.is_map() ? rec.Find(name) : nullptr;
  return f != nullptr && f->is_string() ? f->as_string() : std::string();
}

// The one access rule of receivables (docs/finance.md §1): the record's parties, as the contract
// defines them (contracts::IsFinParty), and any REGULATOR.
bool IsParty(const Value& rec, std::string_view org) {
  return rec.is_map() && !org.empty() && contracts::IsFinParty(rec, org);
}

bool MayRead(const Reader& reader, const Value& rec) {
  return reader.Has(contracts::Role::kRegulator) || IsParty(rec, reader.org);
}

// What `org` is to the receivable now: creditor, debtor, holder (of an ACTIVE part), financier
// (of an ACTIVE encumbrance); "party" if none of these any more.
json RolesOf(const Value& rec, const std::string& org) {
  json roles = json::array();
  if (StrField(rec, "creditor") == org) roles.push_back("creditor");
  if (StrField(rec, "debtor") == org) roles.push_back("debtor");
  bool holder = false, financier = false;
  if (const Value* parts = rec.Find("parts"); parts != nullptr && parts->is_map()) {
    for (const auto& [pid, part] : parts->as_map()) {
      if (!part.is_map()) continue;
      if (StrField(part, "holder") == org && StrField(part, "state") == "ACTIVE") holder = true;
      if (const Value* enc = part.Find("encumbrance"); enc != nullptr && enc->is_map()) {
        if (StrField(*enc, "financier") == org && StrField(*enc, "state") == "ACTIVE") {
          financier = true;
        }
      }
    }
  }
  if (holder) roles.push_back("holder");
  if (financier) roles.push_back("financier");
  if (roles.empty()) roles.push_back("party");
  return roles;
}

// CONFIRMED and past its due date at the block time `time_ms` (contracts::IsOverdue).
bool Overdue(const Value& rec, uint64_t time_ms) {
  return rec.is_map() && contracts::IsOverdue(rec, static_cast<int64_t>(time_ms));
}

json AsOf(const BlockHeader& h) {
  return json{{"height", h.height},
              {"block_id", h.Id().Hex()},
              {"time_ms", h.timestamp_ms},
              {"state_version", h.exec_height}};
}

json AsOfLatest(LedgerApi& ledger, uint64_t state_version) {
  NodeStatus st = ledger.Status();
  return json{{"height", st.height},
              {"block_id", st.head_id.Hex()},
              {"time_ms", st.head_timestamp_ms},
              {"state_version", state_version}};
}

// The {state} of a fingerprint / invoice key record, "free" when absent. The record must hold
// nothing but its state: this answer (and its proof, which carries the value) goes to any bank.
Result<std::string> UniquenessState(const std::optional<Value>& v, const std::string& key) {
  if (!v) return std::string("free");
  if (!v->is_map() || v->as_map().size() != 1 || v->Find("state") == nullptr ||
      !v->Find("state")->is_string()) {
    return Status::Internal(key + ": expected exactly {state}; refusing to serve more");
  }
  return v->Find("state")->as_string();
}

}  // namespace

std::string EncodeHistoryCursor(uint64_t next_seq) { return EncodeCursor("h1", {next_seq}); }

Result<uint64_t> DecodeHistoryCursor(std::string_view cursor) {
  TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, DecodeCursor(cursor, "h1", 1));
  return f[0];
}

Result<std::string> EncodePartyCursor(std::string_view next_id) {
  std::string_view hex = next_id.substr(std::min<size_t>(4, next_id.size()));
  if (next_id.substr(0, 4) != "rcv_" || hex.size() != 20 || !IsLowerHex(hex)) {
    return Status::Internal("receivable id '" + std::string(next_id.substr(0, kMaxIdLen)) +
                            "' is not rcv_ + 20 hex digits");
  }
  uint64_t hi = std::stoull(std::string(hex.substr(0, 16)), nullptr, 16);
  uint64_t lo = std::stoull(std::string(hex.substr(16)), nullptr, 16);
  return EncodeCursor("p1", {hi, lo});
}

Result<std::string> DecodePartyCursor(std::string_view cursor) {
  TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, DecodeCursor(cursor, "p1", 2));
  if (f[1] > 0xffff) return Status::Invalid("cursor: not a cursor this server issued");
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx%04llx", static_cast<unsigned long long>(f[0]),
                static_cast<unsigned long long>(f[1]));
  return "rcv_" + std::string(buf);
}

FinApi::FinApi(LedgerApi* ledger, FinOptions options)
    : ledger_(ledger), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = WallClockMs;
}

void FinApi::Register(http::Router* r) {
  r->Add("GET", "/v1/fin/receivables/{id}", [this](const HttpRequest& req, const PathParams& p) {
    return Receivable(req, p.at("id"));
  });
  r->Add("GET", "/v1/fin/receivables/{id}/history",
         [this](const HttpRequest& req, const PathParams& p) { return History(req, p.at("id")); });
  r->Add("GET", "/v1/fin/parties/{org}/receivables",
         [this](const HttpRequest& req, const PathParams& p) {
           return PartyReceivables(req, p.at("org"));
         });
  r->Add("GET", "/v1/fin/check",
         [this](const HttpRequest& req, const PathParams&) { return Check(req); });
  r->Add("GET", "/v1/fin/txs/{id}",
         [this](const HttpRequest& req, const PathParams& p) { return Tx(req, p.at("id")); });
}

HttpResponse FinApi::Receivable(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckReceivableId(id); !s.ok()) return Fail(s, req);
  const std::string key = fin::Receivable(id);
  std::optional<Value> rec;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    TM_ASSIGN_OR_RETURN(rec, LoadValue(view, key));
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  // Absent or not the reader's: one answer.
  if (!rec || !MayRead(*reader, *rec)) return ProtectedReadRefusal();
  const std::optional<BlockRecord>& anchor = *answered;
  json as_of = anchor ? AsOf(anchor->block.header) : AsOfLatest(*ledger_, version);
  json j{{"id", id},
         {"key", key},
         {"receivable", rec->ToJson()},
         {"overdue", Overdue(*rec, as_of["time_ms"].get<uint64_t>())},
         {"as_of", as_of}};
  if (anchor) {
    auto b = BuildStateBundle(*ledger_, *anchor, {Bytes(key.begin(), key.end())});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse FinApi::History(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckReceivableId(id); !s.ok()) return Fail(s, req);
  auto limit = PageLimit(req, options_.default_page_size, options_.max_page_size);
  if (!limit.ok()) return Fail(limit.status(), req);
  uint64_t from = 0;
  if (const std::string* c = req.Query("cursor")) {
    auto f = DecodeHistoryCursor(*c);
    if (!f.ok()) return Fail(f.status(), req);
    from = *f;
  }
  bool refused = false;
  json entries = json::array();
  std::optional<uint64_t> next;
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadValue(view, fin::Receivable(id)));
    if (!rec || !MayRead(*reader, *rec)) {
      refused = true;
      return Status::Ok();
    }
    const std::string prefix = fin::HistoryPrefix(id);
    Status inner;
    view.Scan(prefix, fin::History(id, from), [&](const std::string& k, const Bytes& raw) {
      std::string_view digits = std::string_view(k).substr(prefix.size());
      uint64_t seq = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
        inner = Status::Corruption(k + ": not a history key");
        return false;
      }
      if (entries.size() == *limit) {
        next = seq;
        return false;
      }
      auto v = Value::Decode(raw);
      if (!v.ok()) {
        inner = Status::Corruption(k + ": " + v.status().message());
        return false;
      }
      entries.push_back(v->ToJson());
      return true;
    });
    return inner;
  });
  if (!st.ok()) return Fail(st, req);
  if (refused) return ProtectedReadRefusal();
  return http::JsonResponse(
      200, json{{"id", id},
                {"entries", entries},
                {"next_cursor", next ? json(EncodeHistoryCursor(*next)) : json(nullptr)},
                {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse FinApi::PartyReceivables(const HttpRequest& req, const std::string& org) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!contracts::IsValidOrgId(org)) {
    return Fail(Status::Invalid("org id: expected [a-z0-9_-]{1,64}"), req);
  }
  auto limit = PageLimit(req, options_.default_page_size, options_.max_page_size);
  if (!limit.ok()) return Fail(limit.status(), req);
  std::string from;
  if (const std::string* c = req.Query("cursor")) {
    auto f = DecodePartyCursor(*c);
    if (!f.ok()) return Fail(f.status(), req);
    from = *f;
  }
  // The org itself and the regulator see every entry; another reader those it is a party of.
  const bool sees_all = reader->org == org || reader->Has(contracts::Role::kRegulator);
  json items = json::array();
  std::optional<std::string> next;
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    const std::string prefix = fin::PartyPrefix(org);
    size_t examined = 0;
    Status inner;
    view.Scan(prefix, from.empty() ? std::string() : fin::Party(org, from),
              [&](const std::string& k, const Bytes&) {
                std::string id = k.substr(prefix.size());
                if (items.size() == *limit || examined == options_.max_scan_per_page) {
                  next = id;
                  return false;
                }
                ++examined;
                auto rec = LoadValue(view, fin::Receivable(id));
                if (!rec.ok()) {
                  inner = rec.status();
                  return false;
                }
                if (!*rec || !(sees_all || IsParty(**rec, reader->org))) return true;
                const Value& r = **rec;
                const Value* amount = r.Find("amount");
                items.push_back(json{
                    {"id", id},
                    {"state", StrField(r, "state")},
                    {"amount", amount && amount->is_int() ? json(amount->as_int()) : json(nullptr)},
                    {"currency", StrField(r, "currency")},
                    {"due_date", StrField(r, "due_date")},
                    {"roles", RolesOf(r, org)}});
                return true;
              });
    return inner;
  });
  if (!st.ok()) return Fail(st, req);
  json cursor = nullptr;
  if (next) {
    auto c = EncodePartyCursor(*next);
    if (!c.ok()) return Fail(c.status(), req);
    cursor = *c;
  }
  return http::JsonResponse(200, json{{"org", org},
                                      {"receivables", items},
                                      {"next_cursor", cursor},
                                      {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse FinApi::Check(const HttpRequest& req) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!reader->Has(contracts::Role::kBank) && !reader->Has(contracts::Role::kRegulator)) {
    return ProtectedReadRefusal();
  }
  auto fp = HexParam(req, "fingerprint");
  if (!fp.ok()) return Fail(fp.status(), req);
  auto ik = HexParam(req, "invoice_key");
  if (!ik.ok()) return Fail(ik.status(), req);
  const std::string fp_key = fin::Fingerprint(*fp), ik_key = fin::InvoiceKey(*ik);
  std::optional<Value> fp_val, ik_val;
  auto read = [&](const contracts::StateView& view, uint64_t) -> Status {
    TM_ASSIGN_OR_RETURN(fp_val, LoadValue(view, fp_key));
    TM_ASSIGN_OR_RETURN(ik_val, LoadValue(view, ik_key));
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, /*with_proof=*/true, read);
  if (!answered.ok()) return Fail(answered.status(), req);
  const BlockRecord& anchor = **answered;
  auto fp_state = UniquenessState(fp_val, fp_key);
  if (!fp_state.ok()) return Fail(fp_state.status(), req);
  auto ik_state = UniquenessState(ik_val, ik_key);
  if (!ik_state.ok()) return Fail(ik_state.status(), req);
  auto b = BuildStateBundle(
      *ledger_, anchor, {Bytes(fp_key.begin(), fp_key.end()), Bytes(ik_key.begin(), ik_key.end())});
  if (!b.ok()) return Fail(b.status(), req);
  json j{{"fingerprint", {{"value", *fp}, {"key", fp_key}, {"state", *fp_state}}},
         {"invoice_key", {{"value", *ik}, {"key", ik_key}, {"state", *ik_state}}},
         {"as_of", AsOf(anchor.block.header)},
         {"proof", StateBundleJson(*b, options_.tamper)}};
  return http::JsonResponse(200, j);
}

HttpResponse FinApi::Tx(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  auto h = Hash256::FromHex(id);
  if (id.size() != 64 || !h.ok())
    return Fail(Status::Invalid("tx id: expected 64 hex digits"), req);
  auto info = ledger_->GetTx(*h);
  if (!info.ok() && info.status().code() != Code::kNotFound) return Fail(info.status(), req);
  // Unknown, or not known with its bytes: nothing to show (and the same refusal as for another
  // org's tx).
  if (!info.ok() || !info->tx) return ProtectedReadRefusal();
  bool allowed = reader->Has(contracts::Role::kRegulator);
  if (!allowed) {
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(std::optional<contracts::KeyRecord> signer,
                          contracts::LoadKey(view, info->tx->signer));
      allowed = signer && signer->org == reader->org;
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
  }
  if (!allowed) return ProtectedReadRefusal();
  return http::JsonResponse(200, TxInfoToJson(*info, /*redact_private=*/false));
}

}  // namespace tidemark::node::api
