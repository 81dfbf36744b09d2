// The protected finance reads (fin_api.h, docs/api.md §Finance, docs/finance.md §1).
#include "tidemark/node/api/fin_api.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "answer_util.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;
namespace fin = state_keys::fin;
namespace plg = state_keys::plg;

namespace {

constexpr size_t kMaxIdLen = 80;

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

int64_t IntField(const Value& rec, const std::string& name) {
  const Value* f = rec.is_map() ? rec.Find(name) : nullptr;
  return f != nullptr && f->is_int() ? f->as_int() : 0;
}

// The listed fields of `rec` that it has, as JSON.
json Fields(const Value& rec, std::initializer_list<const char*> names) {
  json out = json::object();
  for (const char* n : names) {
    if (const Value* f = rec.is_map() ? rec.Find(n) : nullptr; f != nullptr) out[n] = f->ToJson();
  }
  return out;
}

// A live equity pledge: REGISTERED or CHANGED (docs/finance.md §14).
bool LiveEquity(const Value& p) {
  std::string st = StrField(p, "state");
  return st == "REGISTERED" || st == "CHANGED";
}

// The standing keys of a borrower answer, each proven (present or absent) in the one bundle.
class Standings {
 public:
  // {key, state} of `key` read from `view` ("free" when absent), and the key remembered.
  Result<json> Of(const contracts::StateView& view, const std::string& key) {
    if (seen_.insert(key).second) keys_.push_back(Bytes(key.begin(), key.end()));
    TM_ASSIGN_OR_RETURN(std::optional<Value> v, LoadValue(view, key));
    TM_ASSIGN_OR_RETURN(std::string state, UniquenessState(v, key));
    return json{{"key", key}, {"state", state}};
  }
  const std::vector<Bytes>& keys() const { return keys_; }

 private:
  std::set<std::string> seen_;
  std::vector<Bytes> keys_;
};

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
  r->Add("GET", "/v1/fin/borrowers/{org}", [this](const HttpRequest& req, const PathParams& p) {
    return Borrower(req, p.at("org"));
  });
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
  // The org itself and the regulator see every entry of the org's index. Another reader walks
  // its OWN index and keeps the receivables `org` is also a party of: so every id it meets, and
  // the next_cursor (the next id of the index walked), is one of its own, and neither a page nor
  // a cursor names a receivable the reader may not read.
  const bool sees_all = reader->org == org || reader->Has(contracts::Role::kRegulator);
  const std::string& walked = sees_all ? org : reader->org;
  json items = json::array();
  std::optional<std::string> next;
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    const std::string prefix = fin::PartyPrefix(walked);
    size_t examined = 0;
    Status inner;
    view.Scan(prefix, from.empty() ? std::string() : fin::Party(walked, from),
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
                if (!*rec || !(sees_all || IsParty(**rec, org))) return true;
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

HttpResponse FinApi::Borrower(const HttpRequest& req, const std::string& org) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  const bool regulator = reader->Has(contracts::Role::kRegulator);
  if (!reader->Has(contracts::Role::kBank) && !regulator) return ProtectedReadRefusal();
  if (!contracts::IsValidOrgId(org)) {
    return Fail(Status::Invalid("org id: expected [a-z0-9_-]{1,64}"), req);
  }
  const size_t max_items = options_.max_borrower_items;
  bool known = false;
  Standings standings;
  json receivables = json::array(), ip = json::array(), equity = json::array(),
       receipts = json::array();
  json truncated = json::array();
  auto may_read_plg = [&](const Value& rec) {
    return regulator || contracts::IsPlgParty(rec, reader->org);
  };
  // Values are read at the certified version; the indexes (party, owner, holding rows) are
  // scanned at the latest one (LedgerApi::ReadStateAt): an index row newer than the certified
  // version names a record that is skipped, or a standing that is proven as it was then.
  auto read = [&](const contracts::StateView& view, uint64_t) -> Status {
    TM_ASSIGN_OR_RETURN(std::optional<contracts::OrgRecord> o, contracts::LoadOrg(view, org));
    known = o.has_value();
    if (!known) return Status::Ok();

    // Receivables the borrower holds a part of or issued, that the reader is a party of (the
    // regulator: all), in the order of the party index; per receivable its ACTIVE
    // encumbrances in part-id order (fin allows one per part: each is first in rank).
    std::vector<std::string> ids;
    bool more = false;
    view.Scan(fin::PartyPrefix(org), [&](const std::string& k, const Bytes&) {
      if (ids.size() == options_.max_scan_per_page) {
        more = true;
        return false;
      }
      ids.push_back(k.substr(fin::PartyPrefix(org).size()));
      return true;
    });
    for (const std::string& id : ids) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadValue(view, fin::Receivable(id)));
      if (!rec || !(regulator || IsParty(*rec, reader->org))) continue;
      json roles = RolesOf(*rec, org);
      bool owns = false;
      for (const auto& r : roles) owns = owns || r == "creditor" || r == "holder";
      if (!owns) continue;
      if (receivables.size() == max_items) {
        more = true;
        break;
      }
      json encs = json::array();
      if (const Value* parts = rec->Find("parts"); parts != nullptr && parts->is_map()) {
        for (const auto& [pid, part] : parts->as_map()) {
          const Value* enc = part.is_map() ? part.Find("encumbrance") : nullptr;
          if (enc == nullptr || !enc->is_map() || StrField(*enc, "state") != "ACTIVE") continue;
          json e = Fields(*enc, {"kind", "financier", "amount", "since_height"});
          e["part"] = pid;
          e["holder"] = StrField(part, "holder");
          e["rank"] = 1;
          encs.push_back(e);
        }
      }
      json invoices = json::array();
      if (const Value* invs = rec->Find("invoices"); invs != nullptr && invs->is_list()) {
        for (const Value& inv : invs->as_list()) {
          std::string fp = StrField(inv, "fingerprint");
          if (fp.empty()) continue;
          TM_ASSIGN_OR_RETURN(json st, standings.Of(view, fin::Fingerprint(fp)));
          invoices.push_back(json{{"number", StrField(inv, "number")}, {"standing", st}});
        }
      }
      json item = Fields(*rec, {"id", "state", "amount", "currency", "due_date"});
      item["roles"] = roles;
      item["encumbrances"] = encs;
      item["invoices"] = invoices;
      receivables.push_back(item);
    }
    if (more) truncated.push_back("receivables");

    // IP assets of which the borrower is an owner (owner index), with plg/enc/ip/ standing; the
    // live pledge (one per asset: first in rank) for a reader who is its party.
    more = false;
    std::vector<std::string> assets;
    view.Scan(plg::OwnerPrefix(org), [&](const std::string& k, const Bytes&) {
      if (assets.size() == max_items) {
        more = true;
        return false;
      }
      assets.push_back(k.substr(plg::OwnerPrefix(org).size()));
      return true;
    });
    for (const std::string& asset : assets) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadValue(view, plg::IpAsset(asset)));
      json item = rec ? Fields(*rec, {"kind", "number", "title", "owners", "status", "expiry_date"})
                      : json::object();
      item["asset"] = asset;
      TM_ASSIGN_OR_RETURN(item["standing"], standings.Of(view, plg::EncIp(asset)));
      if (std::string pid = rec ? StrField(*rec, "pledge") : ""; !pid.empty()) {
        TM_ASSIGN_OR_RETURN(std::optional<Value> p, LoadValue(view, plg::IpPledge(pid)));
        if (p && may_read_plg(*p)) {
          json pj = Fields(*p, {"id", "pledgee", "state", "registration_no", "debt_amount",
                                "currency", "debt_due"});
          pj["rank"] = 1;
          item["pledge"] = pj;
        }
      }
      ip.push_back(item);
    }
    if (more) truncated.push_back("ip_assets");

    // The borrower's plg records (party rows): its equity pledges and its receipts.
    std::vector<std::string> records =
        contracts::PlgRecordsOfParty(view, org, "", options_.max_scan_per_page);
    if (records.size() == options_.max_scan_per_page) truncated.push_back("plg_records");
    std::map<std::string, std::vector<Value>> live_by_uscc;
    for (const std::string& id : records) {
      if (!id.starts_with("eqp_")) continue;
      TM_ASSIGN_OR_RETURN(std::optional<Value> p, LoadValue(view, plg::EqPledge(id)));
      if (p && StrField(*p, "pledgor") == org && LiveEquity(*p)) {
        live_by_uscc[StrField(*p, "uscc")].push_back(std::move(*p));
      }
    }

    // Equity holdings with plg/enc/eq/ standing; the live pledges over each in registration
    // order (height, tx index: docs/finance.md §14), rank 1 first. Registration number and
    // pledgee are the gazette's (public); the rest only for a reader who is the pledge's party.
    more = false;
    std::vector<std::pair<std::string, Value>> holdings;
    Status inner;
    view.Scan(plg::HoldingPrefix(org), [&](const std::string& k, const Bytes& raw) {
      if (holdings.size() == max_items) {
        more = true;
        return false;
      }
      auto v = Value::Decode(raw);
      if (!v.ok()) {
        inner = Status::Corruption(k + ": " + v.status().message());
        return false;
      }
      holdings.emplace_back(k.substr(plg::HoldingPrefix(org).size()), std::move(*v));
      return true;
    });
    TM_RETURN_IF_ERROR(inner);
    for (auto& [uscc, holding] : holdings) {
      json item = Fields(holding, {"company", "listed", "amount", "height"});
      item["uscc"] = uscc;
      TM_ASSIGN_OR_RETURN(item["standing"], standings.Of(view, plg::EncEquity(org, uscc)));
      std::vector<Value>& live = live_by_uscc[uscc];
      std::sort(live.begin(), live.end(), [](const Value& a, const Value& b) {
        return std::pair(IntField(a, "registered_height"), IntField(a, "registered_index")) <
               std::pair(IntField(b, "registered_height"), IntField(b, "registered_index"));
      });
      json pledges = json::array();
      for (const Value& p : live) {
        json pj = Fields(p, {"registration_no", "pledgee", "registered_height"});
        pj["rank"] = pledges.size() + 1;
        if (may_read_plg(p)) {
          json more_fields =
              Fields(p, {"id", "amount", "state", "debt_amount", "currency", "debt_due"});
          pj.update(more_fields);
        }
        pledges.push_back(pj);
      }
      item["pledges"] = pledges;
      equity.push_back(item);
    }
    if (more) truncated.push_back("equity");

    // Warehouse receipts the borrower holds or issued, with plg/enc/wr/ standing; the record's
    // state, items and pledge (one per receipt) for a reader who is its party.
    for (const std::string& id : records) {
      if (!id.starts_with("wr_")) continue;
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadValue(view, plg::Receipt(id)));
      if (!rec) continue;
      json as = json::array();
      if (StrField(*rec, "holder") == org) as.push_back("holder");
      if (StrField(*rec, "issuer") == org) as.push_back("issuer");
      if (as.empty()) continue;
      if (receipts.size() == max_items) {
        truncated.push_back("receipts");
        break;
      }
      json item{{"id", id}, {"as", as}};
      TM_ASSIGN_OR_RETURN(item["standing"], standings.Of(view, plg::EncReceipt(id)));
      if (may_read_plg(*rec)) {
        item.update(Fields(*rec, {"state", "issuer", "holder"}));
        if (const Value* items = rec->Find("items"); items != nullptr && items->is_list()) {
          item["item_count"] = items->as_list().size();
        }
        if (const Value* pl = rec->Find("pledge"); pl != nullptr && pl->is_map()) {
          json pj = pl->ToJson();
          pj["rank"] = 1;
          item["pledge"] = pj;
        }
      }
      receipts.push_back(item);
    }
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, /*with_proof=*/true, read);
  if (!answered.ok()) return Fail(answered.status(), req);
  if (!known) return Fail(Status::NotFound("no organisation " + org), req);
  const BlockRecord& anchor = **answered;
  json j{{"org", org},
         {"receivables", receivables},
         {"ip_assets", ip},
         {"equity", equity},
         {"receipts", receipts},
         {"truncated", truncated},
         {"as_of", AsOf(anchor.block.header)}};
  if (!standings.keys().empty()) {
    auto b = BuildStateBundle(*ledger_, anchor, standings.keys());
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  } else {
    j["proof"] = nullptr;
  }
  return http::JsonResponse(200, j);
}

}  // namespace tidemark::node::api
