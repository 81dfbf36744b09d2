// prov_lifecycle.h (internal) — item states and the rules that bind items commissioned on the
// ledger (docs/provenance.md §State machine).
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/identity.h"

namespace tidemark::contracts::prov {

// What one step does to the objects it names.
struct Step {
  std::string target;     // new state, "" if the event moves nothing
  std::string org;        // the signer's organisation
  Value entry;            // timeline entry (seq, eventID, bizStep, time, tx, height, ...)
  std::string location;   // canonical bizLocation, "" if none
  int64_t event_day = 0;  // event date (days since epoch), for lot expiry
  bool has_event_day = false;
  bool customs = false;     // the signer holds CUSTOMS (acts on goods under customs control)
  bool regulator = false;   // the signer holds REGULATOR (may destroy / recall)
  std::string handover_to;  // a shipping event's addressee org ("" if none): offers custody
  int64_t event_ms = 0;     // the event's own time (eventTime), for ordering against customs
  bool has_event_ms = false;
  bool bonded_place = false;  // bizLocation is a bonded location (IsBondedLocation)
  bool dest_bonded = false;   // a shipping event's destination is a bonded location / operator
  bool verdict = false;       // an inspection verdict by INSPECTOR / CUSTOMS: may observe any goods
};

// Whether the registered location `canonical` is bonded: kind bonded_warehouse / bonded_zone /
// bonded, or registered by an organisation holding BONDED_WAREHOUSE (docs/provenance.md,
// "Customs clearance").
Result<bool> IsBondedLocation(const StateView& view, const std::string& canonical);
// Whether organisation `org` may take over goods under bonded control (BONDED_WAREHOUSE,
// PLATFORM, FORWARDER, CUSTOMS_BROKER, CUSTOMS).
Result<bool> InBondedRegime(const StateView& view, const std::string& org);
// Whether `obj` is under bonded customs control (stored / received bonded, no release yet).
bool UnderBondedControl(const Value& obj);
// Rule prov-bonded-unreleased for transfer_custody: `obj` may be offered to `to`.
Status CheckBondedTransfer(const StateView& view, const Value& obj, const std::string& to);

// An inspection verdict (bizStep inspecting + disposition conformant / non_conformant) captured
// by an INSPECTOR or CUSTOMS: sets `conformance` on the lots of the tracked objects `ids` (and
// their contents) and on the lot ids `lots` (prov_contract.cc).
Status ApplyInspection(StateView& view, const std::vector<std::string>& ids,
                       const std::vector<std::string>& lots, const std::string& result,
                       const Value& entry);

// Checks that `obj` (a stored item / container record) may take `step` — the lifecycle rules, then
// whether the signer's org may act on it (prov_auth.h); the error names the rule.
Status CheckStep(const StateView& view, const Value& obj, const Step& step);
// Rule prov-pledged (docs/finance.md §15): refuses while plg/wr/item/<id> names a receipt in
// state ISSUED or PLEDGED. Called for every item an event would move out (CheckStep for any
// step whose target is not a warehouse state or that offers custody; unpacking; transfer_custody;
// customs_declare).
Status CheckNotPledged(const StateView& view, const std::string& id);
// Applies `step` to `obj` (state, custody, handover, location, timeline). REQUIRES: CheckStep
// was OK.
void ApplyStep(Value& obj, const Step& step, const std::string& via);
// Applies `step` to the object `id` (if tracked) and, recursively, to what it contains.
Status StepObject(StateView& view, const std::string& id, const Step& step, const std::string& via,
                  int depth = 0);

// The state a CBV bizStep / disposition / action moves an item to ("" for none).
std::string TargetState(const std::string& type, const std::string& action,
                        const std::string& biz_step, const std::string& disposition,
                        bool bonded_warehouse);

// A new item record (commissioned on the ledger).
Value NewItem(const std::string& id, const std::string& gtin, const std::string& lot,
              const std::string& serial, uint64_t height);
Value NewContainer(const std::string& id, uint64_t height);

}  // namespace tidemark::contracts::prov
