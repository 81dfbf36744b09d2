// plg_wr.cc — warehouse receipts, the wr_* methods of the "plg" contract (docs/finance.md §15).
// Custody is read from the provenance records (prov/obj/<id>, prov/location/<id>).
#include <algorithm>

#include "plg_internal.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts::plg {

namespace {

namespace pkeys = ::tidemark::state_keys::prov;

bool In(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* e : set) {
    if (s == e) return true;
  }
  return false;
}

Value::List ToList(const std::vector<std::string>& v) { return Value::List(v.begin(), v.end()); }

// items: 1-1000 ids, canonicalised, containers expanded to their contents (plg-args / plg-custody).
Result<std::vector<std::string>> ItemsArg(const Call& c, const std::string& field) {
  const Value* v = c.args.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_list() || v->as_list().empty() || v->as_list().size() > 1000) {
    return Bad("args", field + ": must be a list of 1 to 1000 ids");
  }
  std::vector<std::string> out;
  for (const Value& e : v->as_list()) {
    if (!e.is_string() || e.as_string().empty() || e.as_string().size() > 256) {
      return Bad("args", field + ": each id must be a string of 1 to 256 bytes");
    }
    auto canon = CanonicalId(e.as_string());
    std::string id = canon.ok() ? *canon : e.as_string();
    std::vector<std::string> todo{id};
    while (!todo.empty()) {
      std::string cur = todo.back();
      todo.pop_back();
      if (std::find(out.begin(), out.end(), cur) != out.end()) continue;
      out.push_back(cur);
      if (out.size() > 1000) return Bad("args", field + ": more than 1000 items once expanded");
      TM_ASSIGN_OR_RETURN(std::optional<Value> obj, GetValue(c.view, pkeys::Obj(cur)));
      if (obj) {
        for (const auto& kid : Strings(*obj, "children")) todo.push_back(kid);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The receipt, or plg-receipt refused exactly like one the signer has no role in.
Result<Value> LoadReceipt(const Call& c, const std::string& id) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, GetValue(c.view, keys::Receipt(id)));
  if (!rec || !IsPlgParty(*rec, c.signer.org)) {
    return Deny("receipt", "no receipt " + id + " of org " + c.signer.org);
  }
  return *rec;
}

// Writes plg/wr/item rows and plg/enc/wr for a live receipt (state ISSUED / PLEDGED).
void Mark(Call& c, const Value& rec) {
  const std::string id = S(rec, "id");
  const std::string st = S(rec, "state");
  const bool live = st == "ISSUED" || st == "PLEDGED";
  for (const auto& item : Strings(rec, "items")) {
    if (live) {
      PutValue(c.view, keys::ReceiptItem(item), Value::Map{{"receipt", id}, {"state", st}});
    } else {
      c.view.Delete(keys::ReceiptItem(item));
    }
  }
  if (live) {
    PutValue(c.view, keys::EncReceipt(id),
             Value::Map{{"state", st == "PLEDGED" ? "pledged" : "issued"}});
  } else {
    c.view.Delete(keys::EncReceipt(id));
  }
}

Status Issue(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"items", "depositor", "description"}));
  TM_ASSIGN_OR_RETURN(std::vector<std::string> items, ItemsArg(c, "items"));
  TM_ASSIGN_OR_RETURN(std::string depositor, OptStrArg(c.args, "depositor"));
  TM_ASSIGN_OR_RETURN(std::string description, OptStrArg(c.args, "description", 1024));
  if (!c.signer.HasRole(Role::kBondedWarehouse)) {
    return Deny("caller", "wr_issue needs a BONDED_WAREHOUSE key");
  }
  const std::string org = c.signer.org;
  if (depositor.empty()) depositor = org;
  TM_RETURN_IF_ERROR(ActiveOrg(c, depositor, "depositor").status());
  for (const auto& id : items) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, GetValue(c.view, pkeys::Obj(id)));
    if (!obj) return Refuse("custody", "item " + id + " is not commissioned on the ledger");
    const std::string st = S(*obj, "state");
    const Value* recalled = obj->Find("recalled");
    if (In(st, {"SOLD", "RECALLED", "DESTROYED"}) || (recalled && !recalled->is_null())) {
      return Refuse("item-state", "item " + id + " is " + (st.empty() ? "recalled" : st));
    }
    const Value* ho = obj->Find("handover");
    if (S(*obj, "custody") != org || (ho != nullptr && !ho->is_null())) {
      return Refuse("custody",
                    "item " + id + " is not held by org " + org + " without a pending handover");
    }
    const bool container = obj->Find("children") != nullptr;
    if (!container && !In(st, {"RECEIVED", "STORED", "IN_BONDED_WAREHOUSE"})) {
      return Refuse("item-state",
                    "item " + id + " is " + st + ", not RECEIVED, STORED or IN_BONDED_WAREHOUSE");
    }
    if (!container) {
      const std::string loc = S(*obj, "location");
      std::optional<Value> lrec;
      if (!loc.empty()) {
        TM_ASSIGN_OR_RETURN(lrec, GetValue(c.view, pkeys::Location(loc)));
      }
      if (!lrec || S(*lrec, "owner") != org) {
        return Refuse("location", "item " + id + " is at " + (loc.empty() ? "no location" : loc) +
                                      ", not a location registered by org " + org);
      }
    }
    TM_ASSIGN_OR_RETURN(std::optional<Value> row, GetValue(c.view, keys::ReceiptItem(id)));
    if (row) {
      return Refuse("receipt-taken",
                    "item " + id + " is under warehouse receipt " + S(*row, "receipt"));
    }
  }
  const std::string id = PlgIdFor("wr", c.ctx.tx_id);
  Value rec = Value::Map{{"id", id},
                         {"state", "ISSUED"},
                         {"issuer", org},
                         {"holder", depositor},
                         {"items", Value(ToList(items))},
                         {"released", Value::List{}},
                         {"description", description},
                         {"parties", Value::List{}},
                         {"created_height", static_cast<int64_t>(c.ctx.height)},
                         {"next_hist", 1}};
  AddParty(c, rec, org);
  AddParty(c, rec, depositor);
  Mark(c, rec);
  Save(c, rec, keys::Receipt(id), "wr_issue");
  c.events.Emit("plg.wr_issued", Value::Map{{"receipt", id}});
  return Status::Ok();
}

Status Offer(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"receipt", "bank", "amount", "currency", "debt_due"}));
  TM_ASSIGN_OR_RETURN(std::string rid, StrArg(c.args, "receipt"));
  TM_ASSIGN_OR_RETURN(std::string bank, StrArg(c.args, "bank"));
  TM_ASSIGN_OR_RETURN(int64_t amount, AmountArg(c.args, "amount"));
  TM_ASSIGN_OR_RETURN(std::string currency, StrArg(c.args, "currency", 3));
  TM_ASSIGN_OR_RETURN(std::string due, DateArg(c.args, "debt_due"));
  TM_ASSIGN_OR_RETURN(Value rec, LoadReceipt(c, rid));
  if (S(rec, "holder") != c.signer.org)
    return Deny("holder", "org " + c.signer.org + " is not the holder of " + rid);
  const Value* offer = rec.Find("offer");
  if (S(rec, "state") != "ISSUED" || (offer != nullptr && !offer->is_null())) {
    return Refuse("state", rid + " is " + S(rec, "state") +
                               (offer && !offer->is_null() ? " with an offer" : ""));
  }
  TM_ASSIGN_OR_RETURN(OrgRecord b, ActiveOrg(c, bank, "bank"));
  if (!b.HasRole(Role::kBank)) return Refuse("parties", "bank " + bank + " is not a BANK");
  rec.as_map()["offer"] =
      Value::Map{{"bank", bank}, {"amount", amount}, {"currency", currency}, {"debt_due", due}};
  AddParty(c, rec, bank);
  Save(c, rec, keys::Receipt(rid), "wr_offer");
  return Status::Ok();
}

Status Accept(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"receipt"}));
  TM_ASSIGN_OR_RETURN(std::string rid, StrArg(c.args, "receipt"));
  TM_ASSIGN_OR_RETURN(Value rec, LoadReceipt(c, rid));
  const Value* offer = rec.Find("offer");
  if (S(rec, "state") != "ISSUED" || offer == nullptr || offer->is_null() ||
      S(*offer, "bank") != c.signer.org || !c.signer.HasRole(Role::kBank)) {
    return Refuse("offer", rid + " has no offer to a BANK key of org " + c.signer.org);
  }
  Value::Map pledge = offer->as_map();
  pledge["since_height"] = static_cast<int64_t>(c.ctx.height);
  rec.as_map()["pledge"] = Value(pledge);
  rec.as_map()["offer"] = Value();
  rec.as_map()["state"] = "PLEDGED";
  Mark(c, rec);
  Save(c, rec, keys::Receipt(rid), "wr_accept");
  return Status::Ok();
}

Status Release(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"receipt", "items", "quantity"}));
  TM_ASSIGN_OR_RETURN(std::string rid, StrArg(c.args, "receipt"));
  const bool by_items = c.args.Find("items") != nullptr;
  const Value* q = c.args.Find("quantity");
  if (by_items == (q != nullptr)) return Bad("args", "exactly one of items, quantity");
  std::vector<std::string> want;
  if (by_items) {
    TM_ASSIGN_OR_RETURN(want, ItemsArg(c, "items"));
  } else if (!q->is_int() || q->as_int() < 1 || q->as_int() > 1000) {
    return Bad("args", "quantity: must be an integer from 1 to 1000");
  }
  TM_ASSIGN_OR_RETURN(Value rec, LoadReceipt(c, rid));
  const Value* pl = rec.Find("pledge");
  if (pl == nullptr || pl->is_null() || S(*pl, "bank") != c.signer.org ||
      !c.signer.HasRole(Role::kBank)) {
    return Deny("pledgee", "org " + c.signer.org + " is not the pledgee of " + rid);
  }
  if (S(rec, "state") != "PLEDGED") return Refuse("state", rid + " is " + S(rec, "state"));
  std::vector<std::string> covered = Strings(rec, "items");
  if (!by_items) {
    if (static_cast<size_t>(q->as_int()) > covered.size()) {
      return Refuse("items", "quantity " + std::to_string(q->as_int()) + " > " +
                                 std::to_string(covered.size()) + " covered");
    }
    want.assign(covered.begin(), covered.begin() + q->as_int());
  }
  for (const auto& w : want) {
    if (std::find(covered.begin(), covered.end(), w) == covered.end()) {
      return Refuse("items", "item " + w + " is not covered by " + rid);
    }
  }
  std::vector<std::string> released = Strings(rec, "released");
  std::vector<std::string> rest;
  for (const auto& it : covered) {
    if (std::find(want.begin(), want.end(), it) == want.end()) rest.push_back(it);
  }
  for (const auto& w : want) {
    c.view.Delete(keys::ReceiptItem(w));
    released.push_back(w);
  }
  std::sort(released.begin(), released.end());
  rec.as_map()["items"] = Value(ToList(rest));
  rec.as_map()["released"] = Value(ToList(released));
  if (rest.empty()) rec.as_map()["state"] = "RELEASED";
  Mark(c, rec);
  Save(c, rec, keys::Receipt(rid), "wr_release");
  return Status::Ok();
}

Status Cancel(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"receipt"}));
  TM_ASSIGN_OR_RETURN(std::string rid, StrArg(c.args, "receipt"));
  TM_ASSIGN_OR_RETURN(Value rec, LoadReceipt(c, rid));
  if (S(rec, "issuer") != c.signer.org || !c.signer.HasRole(Role::kBondedWarehouse)) {
    return Deny("issuer", "org " + c.signer.org + " is not the issuer of " + rid);
  }
  const Value* offer = rec.Find("offer");
  if (S(rec, "state") != "ISSUED" || (offer != nullptr && !offer->is_null())) {
    return Refuse("state", rid + " is " + S(rec, "state") + " or has an offer");
  }
  Value cancelled = rec;
  cancelled.as_map()["state"] = "CANCELLED";
  Mark(c, cancelled);
  Save(c, cancelled, keys::Receipt(rid), "wr_cancel");
  return Status::Ok();
}

Status Transfer(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"receipt", "to"}));
  TM_ASSIGN_OR_RETURN(std::string rid, StrArg(c.args, "receipt"));
  TM_ASSIGN_OR_RETURN(std::string to, StrArg(c.args, "to"));
  TM_ASSIGN_OR_RETURN(Value rec, LoadReceipt(c, rid));
  if (S(rec, "holder") != c.signer.org)
    return Deny("holder", "org " + c.signer.org + " is not the holder of " + rid);
  const Value* offer = rec.Find("offer");
  if (S(rec, "state") != "ISSUED" || (offer != nullptr && !offer->is_null())) {
    return Refuse("state",
                  rid + " is " + S(rec, "state") + "; a pledged receipt needs the bank's release");
  }
  TM_RETURN_IF_ERROR(ActiveOrg(c, to, "to").status());
  rec.as_map()["holder"] = to;
  AddParty(c, rec, to);
  Save(c, rec, keys::Receipt(rid), "wr_transfer");
  return Status::Ok();
}

}  // namespace

Status WrMethod(Call& c, std::string_view method) {
  if (method == "wr_issue") return Issue(c);
  if (method == "wr_offer") return Offer(c);
  if (method == "wr_accept") return Accept(c);
  if (method == "wr_release") return Release(c);
  if (method == "wr_cancel") return Cancel(c);
  if (method == "wr_transfer") return Transfer(c);
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}

}  // namespace tidemark::contracts::plg
