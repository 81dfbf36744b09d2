// The pledge registry reads (plg_api.h, docs/api.md §Pledge registry and regulator,
// docs/finance.md §17).
#include "tidemark/node/api/plg_api.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;
namespace plg = state_keys::plg;

namespace {

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

bool WantsProof(const HttpRequest& req) {
  const std::string* p = req.Query("proof");
  return p != nullptr && (*p == "true" || *p == "1");
}

// "ipp_", "eqp_" or "wr_" + lower-case hex/alnum, at most 80 characters (docs/finance.md §12).
Status CheckRecordId(std::string_view id) {
  bool prefix = id.starts_with("ipp_") || id.starts_with("eqp_") || id.starts_with("wr_");
  if (!prefix || id.size() > 80 ||
      id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz_") != std::string_view::npos) {
    return Status::Invalid("record id: expected ipp_, eqp_ or wr_ followed by lower-case hex");
  }
  return Status::Ok();
}

// A registration number: printable, no space or slash, at most 80 characters.
Status CheckRegistrationNo(std::string_view no) {
  if (no.empty() || no.size() > 80) return Status::Invalid("registration_no: 1 to 80 characters");
  for (char c : no) {
    if (c <= ' ' || c == '/' || c > '~') {
      return Status::Invalid("registration_no: printable ASCII without space or '/'");
    }
  }
  return Status::Ok();
}

bool MayRead(const Reader& reader, const Value& rec) {
  return reader.Has(contracts::Role::kRegulator) ||
         (!reader.org.empty() && contracts::IsPlgParty(rec, reader.org));
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

// The (height, index, k) of an alert key "<ns>alert/<h> <i> <k>" (fixed-width digits).
Result<std::vector<uint64_t>> AlertPosition(std::string_view suffix) {
  std::vector<uint64_t> out;
  while (!suffix.empty() || out.empty()) {
    size_t sp = suffix.find(' ');
    std::string_view part = suffix.substr(0, sp);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size()) {
      return Status::Corruption("not an alert key: " + std::string(suffix));
    }
    out.push_back(v);
    suffix = sp == std::string_view::npos ? std::string_view() : suffix.substr(sp + 1);
  }
  if (out.size() != 3) return Status::Corruption("not an alert key");
  return out;
}

}  // namespace

PlgApi::PlgApi(LedgerApi* ledger, PlgOptions options)
    : ledger_(ledger), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = WallClockMs;
}

void PlgApi::Register(http::Router* r) {
  r->Add("GET", "/v1/plg/records/{id}",
         [this](const HttpRequest& req, const PathParams& p) { return Record(req, p.at("id")); });
  r->Add("GET", "/v1/plg/records/{id}/history",
         [this](const HttpRequest& req, const PathParams& p) { return History(req, p.at("id")); });
  r->Add("GET", "/v1/plg/parties/{org}/records",
         [this](const HttpRequest& req, const PathParams& p) {
           return PartyRecords(req, p.at("org"));
         });
  r->Add("GET", "/v1/plg/gazette/{registration_no}",
         [this](const HttpRequest& req, const PathParams& p) {
           return Gazette(req, p.at("registration_no"));
         });
  r->Add("GET", "/v1/reg/alerts",
         [this](const HttpRequest& req, const PathParams&) { return Alerts(req); });
}

HttpResponse PlgApi::Record(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckRecordId(id); !s.ok()) return Fail(s, req);
  std::optional<Value> rec;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    TM_ASSIGN_OR_RETURN(rec, contracts::LoadPledgeRecord(view, id));
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  if (!rec || !MayRead(*reader, *rec)) return ProtectedReadRefusal();
  const std::optional<BlockRecord>& anchor = *answered;
  json j{{"id", id},
         {"record", rec->ToJson()},
         {"as_of", anchor ? AsOf(anchor->block.header) : AsOfLatest(*ledger_, version)}};
  if (anchor) {
    // The record's key: the family is told by the id's prefix (state_keys/pledge.h).
    std::string key = id.starts_with("ipp_")   ? plg::IpPledge(id)
                      : id.starts_with("eqp_") ? plg::EqPledge(id)
                                               : plg::Receipt(id);
    j["key"] = key;
    auto b = BuildStateBundle(*ledger_, *anchor, {Bytes(key.begin(), key.end())});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse PlgApi::History(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckRecordId(id); !s.ok()) return Fail(s, req);
  bool refused = false;
  json entries = json::array();
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    TM_ASSIGN_OR_RETURN(std::optional<Value> rec, contracts::LoadPledgeRecord(view, id));
    if (!rec || !MayRead(*reader, *rec)) {
      refused = true;
      return Status::Ok();
    }
    TM_ASSIGN_OR_RETURN(std::vector<Value> hist, contracts::LoadPlgHistory(view, id));
    for (const Value& v : hist) entries.push_back(v.ToJson());
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  if (refused) return ProtectedReadRefusal();
  return http::JsonResponse(200, json{{"id", id},
                                      {"entries", entries},
                                      {"next_cursor", nullptr},
                                      {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse PlgApi::PartyRecords(const HttpRequest& req, const std::string& org) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!contracts::IsValidOrgId(org)) {
    return Fail(Status::Invalid("org id: expected [a-z0-9_-]{1,64}"), req);
  }
  json records = json::array();
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    for (const std::string& id :
         contracts::PlgRecordsOfParty(view, org, "", options_.max_party_records)) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, contracts::LoadPledgeRecord(view, id));
      // Only the records the reader may read itself: a party list is no side door.
      if (!rec || !MayRead(*reader, *rec)) continue;
      records.push_back(json{{"id", id}, {"record", rec->ToJson()}});
    }
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  return http::JsonResponse(
      200, json{{"org", org}, {"records", records}, {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse PlgApi::Gazette(const HttpRequest& req, const std::string& no) {
  if (Status s = CheckRegistrationNo(no); !s.ok()) return Fail(s, req);
  const std::string key = plg::Gazette(no);
  std::optional<Bytes> raw;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    raw = view.Get(key);
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  if (!raw) return Fail(Status::NotFound("no gazette entry " + no), req);
  auto v = Value::Decode(*raw);
  if (!v.ok()) return Fail(Status::Corruption(key + ": " + v.status().message()), req);
  const std::optional<BlockRecord>& anchor = *answered;
  json j{{"registration_no", no},
         {"key", key},
         {"entry", v->ToJson()},
         {"as_of", anchor ? AsOf(anchor->block.header) : AsOfLatest(*ledger_, version)}};
  if (anchor) {
    auto b = BuildStateBundle(*ledger_, *anchor, {Bytes(key.begin(), key.end())});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse PlgApi::Alerts(const HttpRequest& req) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!reader->Has(contracts::Role::kRegulator)) return ProtectedReadRefusal();
  auto limit = PageLimit(req, options_.default_page_size, options_.max_page_size);
  if (!limit.ok()) return Fail(limit.status(), req);
  std::vector<uint64_t> from = {0, 0, 0};
  if (const std::string* c = req.Query("cursor")) {
    auto f = DecodeCursor(*c, "a1", 3);
    if (!f.ok()) return Fail(f.status(), req);
    if ((*f)[1] > UINT32_MAX || (*f)[2] > UINT32_MAX) {
      return Fail(Status::Invalid("cursor: not a cursor this server issued"), req);
    }
    from = *f;
  }
  // Up to limit + 1 alerts of each namespace from the cursor, then merged by position: the
  // fixed-width key suffixes order as their numbers do; ties (never expected) put fin/ first.
  struct Item {
    std::string pos;  // "<h> <i> <k>"
    json alert;
  };
  std::vector<Item> items;
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    Status inner;
    for (std::string_view ns : {std::string_view("fin/"), std::string_view("plg/")}) {
      const std::string prefix = state_keys::alerts::AlertPrefix(ns);
      size_t n = 0;
      view.Scan(prefix,
                state_keys::alerts::Alert(ns, from[0], static_cast<uint32_t>(from[1]),
                                          static_cast<uint32_t>(from[2])),
                [&](const std::string& k, const Bytes& raw) {
                  auto v = Value::Decode(raw);
                  if (!v.ok()) {
                    inner = Status::Corruption(k + ": " + v.status().message());
                    return false;
                  }
                  json a = v->ToJson();
                  a["ns"] = std::string(ns.substr(0, 3));
                  a["key"] = k;
                  items.push_back({k.substr(prefix.size()), std::move(a)});
                  return ++n <= *limit;
                });
      if (!inner.ok()) return inner;
    }
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.pos < b.pos; });
  json alerts = json::array();
  json next = nullptr;
  for (const Item& it : items) {
    if (alerts.size() == *limit) {
      auto pos = AlertPosition(it.pos);
      if (!pos.ok()) return Fail(pos.status(), req);
      next = EncodeCursor("a1", {(*pos)[0], (*pos)[1], (*pos)[2]});
      break;
    }
    alerts.push_back(it.alert);
  }
  return http::JsonResponse(
      200,
      json{{"alerts", alerts}, {"next_cursor", next}, {"as_of", AsOfLatest(*ledger_, version)}});
}

}  // namespace tidemark::node::api
