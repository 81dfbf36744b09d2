// The receivable alerts of docs/finance.md §16: circular-transfer and fan-out-new-parties (raised
// by fin.transfer, in state with the transfer) and the record they share (RaiseAlert, also used
// by fin.register's audit for repeated-registration, fin_register.cc).
#include <algorithm>
#include <map>
#include <set>

#include "alerts.h"
#include "fin_internal.h"
#include "tidemark/state_keys/alerts.h"

namespace tidemark::contracts::fin {

namespace alert_keys = ::tidemark::state_keys::alerts;

bool RaiseAlert(Call& c, std::string_view kind, const std::string& subject, Value::List orgs,
                Value::Map detail, bool audit) {
  return WriteAlert(c.ctx, c.view, c.events, c.next_k, keys::kPrefix, "fin.alert", kind, subject,
                    std::move(orgs), std::move(detail), audit);
}

Result<std::optional<uint64_t>> NewPartySince(const StateView& view, const std::string& org,
                                              uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> rec, LoadOrg(view, org));
  if (!rec) return std::optional<uint64_t>();
  std::optional<uint64_t> earliest;
  for (const PublicKey& k : rec->admin_keys) {
    TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> key, LoadKey(view, k));
    if (key && (!earliest || key->enrolled_height < *earliest)) earliest = key->enrolled_height;
  }
  // Height 0 is genesis; "within the last N blocks" is height - enrolled < N.
  if (!earliest || *earliest == 0 || *earliest > height || height - *earliest >= kNewPartyWindow) {
    return std::optional<uint64_t>();
  }
  return earliest;
}

namespace {

// The part ids from `part_id` up to the root: itself, its parent, ..., the receivable's root.
std::vector<std::string> Lineage(const Value& rec, const std::string& part_id) {
  std::vector<std::string> out;
  const Value::Map& parts = Parts(rec);
  std::string at = part_id;
  while (!at.empty() && out.size() <= kMaxFinParts) {
    out.push_back(at);
    auto it = parts.find(at);
    if (it == parts.end()) break;
    at = S(it->second, "parent");
  }
  return out;
}

Value::List SortedList(const std::set<std::string>& s) {
  Value::List out;
  for (const auto& x : s) out.push_back(x);
  return out;
}

// circular-transfer: `to` held `part_id` or one of its ancestors before. Who held them: the
// creditor (the root at registration; a split leaves its children with the splitter, who held
// the parent) and every `to` of an earlier transfer of one of them (history entries).
Status Circular(Call& c, const Value& rec, const std::string& part_id, const std::string& from,
                const std::string& to) {
  // Raised once per part: no history read once it was.
  auto seen = GetValue(c.view, alert_keys::Alerted(keys::kPrefix, "circular-transfer", part_id));
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) return Status::Ok();
  const std::string id = S(rec, "id");
  const std::vector<std::string> lineage = Lineage(rec, part_id);
  std::string held;  // the part of the lineage `to` held, nearest first
  auto consider = [&](const std::string& pid, const std::string& org) {
    if (org != to) return;
    auto pos = std::find(lineage.begin(), lineage.end(), pid);
    if (pos == lineage.end()) return;
    if (held.empty() || pos < std::find(lineage.begin(), lineage.end(), held)) held = pid;
  };
  consider(id, S(rec, "creditor"));
  TM_ASSIGN_OR_RETURN(std::vector<Value> hist, LoadFinHistory(c.view, id));
  for (const Value& entry : hist) {
    // This transfer's own entry (Save wrote it already) is not "before".
    if (S(entry, "action") != "transfer" || S(entry, "tx") == c.ctx.tx_id.Hex()) continue;
    const Value* args = entry.Find("args");
    if (args == nullptr || !args->is_map()) continue;
    consider(S(*args, "part"), S(*args, "to"));
  }
  if (held.empty()) return Status::Ok();
  RaiseAlert(
      c, "circular-transfer", part_id, SortedList({from, to}),
      Value::Map{
          {"receivable", id}, {"part", part_id}, {"from", from}, {"to", to}, {"held", held}});
  return Status::Ok();
}

// fan-out-new-parties: after the transfer, >= 3 children of the split `part_id` came from are
// held by distinct orgs other than the splitter that are new (NewPartySince).
Status FanOut(Call& c, const Value& rec, const std::string& part_id) {
  const Value::Map& parts = Parts(rec);
  const std::string split = S(parts.at(part_id), "parent");
  if (split.empty()) return Status::Ok();
  auto it = parts.find(split);
  if (it == parts.end()) return Status::Ok();
  const std::string splitter = S(it->second, "holder");  // a split part keeps its holder
  std::map<std::string, uint64_t> fresh;
  const Value* children = it->second.Find("children");
  if (children == nullptr || !children->is_list()) return Status::Ok();
  for (const Value& ch : children->as_list()) {
    if (!ch.is_string()) continue;
    auto child = parts.find(ch.as_string());
    if (child == parts.end()) continue;
    const std::string holder = S(child->second, "holder");
    if (holder == splitter || fresh.count(holder) != 0) continue;
    TM_ASSIGN_OR_RETURN(std::optional<uint64_t> since, NewPartySince(c.view, holder, c.ctx.height));
    if (since) fresh[holder] = *since;
  }
  if (fresh.size() < 3) return Status::Ok();
  std::set<std::string> orgs{splitter};
  Value::List new_parties;
  for (const auto& [org, since] : fresh) {
    orgs.insert(org);
    new_parties.push_back(
        Value::Map{{"org", org}, {"enrolled_height", static_cast<int64_t>(since)}});
  }
  RaiseAlert(c, "fan-out-new-parties", split, SortedList(orgs),
             Value::Map{{"receivable", S(rec, "id")},
                        {"split", split},
                        {"splitter", splitter},
                        {"children", static_cast<int64_t>(children->as_list().size())},
                        {"new_parties", Value(std::move(new_parties))},
                        {"window_blocks", static_cast<int64_t>(kNewPartyWindow)}});
  return Status::Ok();
}

}  // namespace

Status TransferAlerts(Call& c, const Value& rec, const std::string& part_id,
                      const std::string& from, const std::string& to) {
  TM_RETURN_IF_ERROR(Circular(c, rec, part_id, from, to));
  return FanOut(c, rec, part_id);
}

}  // namespace tidemark::contracts::fin
