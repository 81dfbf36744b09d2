// The pledge registry reads (plg_api.h, docs/api.md §Pledge registry and regulator,
// docs/finance.md §17).
#include "tidemark/node/api/plg_api.h"

#include <optional>
#include <vector>

#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
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
  r->Add("GET", "/v1/plg/gazette/{no}",
         [this](const HttpRequest& req, const PathParams& p) { return Gazette(req, p.at("no")); });
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

}  // namespace tidemark::node::api
