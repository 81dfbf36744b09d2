// The "plg" contract: dispatch, the pure reads of pledge.h, and the helpers every family shares
// (plg_internal.h). The families are in plg_ip.cc, plg_eq.cc and plg_wr.cc.
#include <algorithm>
#include <cstdio>

#include "alerts.h"
#include "plg_internal.h"
#include "tidemark/fin_fingerprint.h"

namespace tidemark::contracts {
namespace plg {

Status OnlyFields(const Value& args, std::initializer_list<std::string_view> allowed) {
  if (!args.is_map()) return Bad("args", "args must be a map");
  for (const auto& [k, v] : args.as_map()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Bad("args", k + ": unknown field");
    }
  }
  return Status::Ok();
}

Result<std::string> StrArg(const Value& args, const std::string& field, size_t max) {
  const Value* v = args.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > max) {
    return Bad("args", field + ": must be a string of 1 to " + std::to_string(max) + " bytes");
  }
  for (char ch : v->as_string()) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return Bad("args", field + ": control characters are not allowed");
    }
  }
  return v->as_string();
}

Result<std::string> OptStrArg(const Value& args, const std::string& field, size_t max) {
  if (args.Find(field) == nullptr) return std::string();
  return StrArg(args, field, max);
}

Result<std::string> HashArg(const Value& m, const std::string& field) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  std::string h = v->is_string() ? v->as_string() : std::string();
  bool ok = h.size() == 64;
  for (char& ch : h) {
    if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  }
  if (!ok) return Bad("args", field + ": must be a SHA-256 as 64 hex digits");
  return h;
}

Result<std::string> DateArg(const Value& m, const std::string& field) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_string() || !IsIsoDate(v->as_string())) {
    return Bad("args", field + ": must be a calendar date YYYY-MM-DD");
  }
  return v->as_string();
}

Result<int64_t> AmountArg(const Value& m, const std::string& field) {
  const Value* v = m.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_int() || v->as_int() < 1 || v->as_int() > 1'000'000'000'000'000) {
    return Bad("args", field + ": must be an integer from 1 to 10^15 (minor units)");
  }
  return v->as_int();
}

std::string BlockDay(const TxContext& ctx) {
  // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
  int64_t z = static_cast<int64_t>(ctx.block_time_ms / 86'400'000) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

Result<OrgRecord> ActiveOrg(const Call& c, const std::string& org, std::string_view what) {
  if (!IsValidOrgId(org)) return Bad("args", std::string(what) + ": not an organisation id");
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> rec, LoadOrg(c.view, org));
  if (!rec || !rec->active) {
    return Refuse("parties", std::string(what) + " " + org + " is not an active organisation");
  }
  return *rec;
}

void AddParty(Call& c, Value& rec, const std::string& org) {
  Value::List& parties = rec.as_map()["parties"].as_list();
  auto it = std::lower_bound(
      parties.begin(), parties.end(), Value(org),
      [](const Value& a, const Value& b) { return a.as_string() < b.as_string(); });
  if (it != parties.end() && it->as_string() == org) return;
  parties.insert(it, Value(org));
  PutValue(c.view, keys::Party(org, S(rec, "id")), Value(std::string()));
}

void Save(Call& c, Value& rec, const std::string& key, std::string_view action, Value::Map extra) {
  const std::string id = S(rec, "id");
  const int64_t seq = std::max<int64_t>(I(rec, "next_hist"), 1);
  Value::Map entry = std::move(extra);
  entry["seq"] = seq;
  entry["height"] = static_cast<int64_t>(c.ctx.height);
  entry["time_ms"] = static_cast<int64_t>(c.ctx.block_time_ms);
  entry["tx"] = c.ctx.tx_id.Hex();
  entry["action"] = std::string(action);
  entry["org"] = c.signer.org;
  entry["signer"] = c.ctx.signer.Hex();
  entry["args"] = c.args;
  PutValue(c.view, keys::History(id, static_cast<uint64_t>(seq)), Value(std::move(entry)));
  PutValue(c.view,
           state_keys::alerts::HistLog(keys::kPrefix, static_cast<int64_t>(c.ctx.block_time_ms),
                                       c.ctx.height, c.ctx.index, c.next_k++),
           Value(Value::Map{{"id", id}, {"seq", seq}}));
  rec.as_map()["next_hist"] = seq + 1;
  PutValue(c.view, key, rec);
}

std::vector<std::string> Strings(const Value& m, const std::string& k) {
  std::vector<std::string> out;
  const Value* v = m.Find(k);
  if (v == nullptr || !v->is_list()) return out;
  for (const Value& x : v->as_list()) {
    if (x.is_string()) out.push_back(x.as_string());
  }
  return out;
}

Status StateIs(const Value& p, std::initializer_list<std::string_view> states) {
  for (std::string_view s : states) {
    if (S(p, "state") == s) return Status::Ok();
  }
  return Refuse("state", "pledge " + S(p, "id") + " is " + S(p, "state"));
}

Result<std::optional<Value>> PledgeArg(const Call& c, std::string_view prefix) {
  TM_ASSIGN_OR_RETURN(std::string id, StrArg(c.args, "pledge", 64));
  if (id.rfind(prefix, 0) != 0) return std::optional<Value>();
  return GetValue(c.view, PlgRecordKey(id));
}

Status WithdrawPledge(Call& c, std::string_view prefix, std::string_view action) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, prefix));
  if (!p || S(*p, "pledgor") != c.signer.org) {
    return Deny("pledgor", "only the pledgor withdraws an application");
  }
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  p->as_map()["state"] = "WITHDRAWN";
  Save(c, *p, PlgRecordKey(S(*p, "id")), action);
  return Status::Ok();
}

bool RaiseAlert(Call& c, std::string_view kind, const std::string& subject, Value::List orgs,
                Value::Map detail) {
  return WriteAlert(c.ctx, c.view, c.events, c.next_k, keys::kPrefix, "plg.alert", kind, subject,
                    std::move(orgs), std::move(detail), /*audit=*/false);
}

}  // namespace plg

std::string PlgIdFor(std::string_view prefix, const Hash256& tx_id) {
  return std::string(prefix) + "_" + tx_id.Hex().substr(0, 20);
}

std::string HoldingId(std::string_view org, std::string_view uscc) {
  return "eqh:" + std::string(org) + ":" + std::string(uscc);
}

std::string PlgRecordKey(std::string_view id) {
  namespace keys = state_keys::plg;
  if (id.substr(0, 4) == "ipp_") return keys::IpPledge(id);
  if (id.substr(0, 4) == "eqp_") return keys::EqPledge(id);
  if (id.substr(0, 3) == "wr_") return keys::Receipt(id);
  if (id.substr(0, 4) == "eqh:") {
    const size_t colon = id.find(':', 4);
    if (colon == std::string_view::npos) return "";
    return keys::Holding(id.substr(4, colon - 4), id.substr(colon + 1));
  }
  if (id.find(':') != std::string_view::npos) return keys::IpAsset(id);
  return "";
}

Result<std::optional<Value>> LoadPledgeRecord(const StateView& view, std::string_view id) {
  const std::string key = PlgRecordKey(id);
  if (key.empty()) return std::optional<Value>();
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, GetValue(view, key));
  // A key built from an odd id (a space in it, say) could name another record: only the record
  // that carries this very id answers.
  if (!rec || !rec->is_map() || plg::S(*rec, "id") != id) return std::optional<Value>();
  return rec;
}

bool IsPlgParty(const Value& record, std::string_view org) {
  const Value* parties = record.Find("parties");
  if (parties == nullptr) parties = record.Find("owners");
  if (parties == nullptr || !parties->is_list()) return false;
  for (const Value& p : parties->as_list()) {
    if (p.is_string() && p.as_string() == org) return true;
  }
  return false;
}

std::vector<std::string> PlgRecordsOfParty(const StateView& view, std::string_view org,
                                           std::string_view after, size_t limit) {
  std::vector<std::string> out;
  if (limit == 0) return out;
  const std::string prefix = state_keys::plg::PartyPrefix(org);
  const std::string start = after.empty() ? "" : prefix + std::string(after) + '\x01';
  view.Scan(prefix, start, [&](const std::string& key, const Bytes&) {
    out.push_back(key.substr(prefix.size()));
    return out.size() < limit;
  });
  return out;
}

Result<std::vector<Value>> LoadPlgHistory(const StateView& view, std::string_view id) {
  std::vector<Value> out;
  Status st = Status::Ok();
  view.Scan(state_keys::plg::HistoryPrefix(id), [&](const std::string& key, const Bytes& value) {
    auto v = Value::Decode(value);
    if (!v.ok()) {
      st = Status::Corruption(key + ": " + v.status().message());
      return false;
    }
    out.push_back(std::move(*v));
    return true;
  });
  TM_RETURN_IF_ERROR(st);
  return out;
}

Status PledgeContract::Execute(const TxContext& ctx, std::string_view method, const Value& args,
                               StateView& state, EventSink& events) const {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(state, ctx.signer));
  if (!args.is_map()) return plg::Bad("args", "args must be a map");
  plg::Call c{.ctx = ctx, .args = args, .view = state, .events = events, .signer = signer};
  if (method.substr(0, 3) == "ip_") return plg::IpMethod(c, method);
  if (method.substr(0, 3) == "eq_") return plg::EqMethod(c, method);
  if (method.substr(0, 3) == "wr_") return plg::WrMethod(c, method);
  if (method == "review") return plg::Review(c);
  return plg::Bad("method", "no method " + std::string(method) + " in contract plg");
}

}  // namespace tidemark::contracts
