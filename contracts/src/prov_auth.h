// prov_auth.h (internal) — who may act on whose object in the provenance contract: ownership of
// products, lots and locations, delegation, custody and handovers (docs/provenance.md
// "Who may do what to whose object").
//
//   TM_RETURN_IF_ERROR(RequireGtinOwner(view, gtin, signer.org, "lot"));
//   // PERMISSION_DENIED: rule gtin-owner: ... when signer.org neither owns nor is delegated
//
// Every refusal is PERMISSION_DENIED with a message that starts "rule <name>: ". The rules:
//   gtin-owner       lots and commissioning under a registered GTIN: its owner or a delegate
//   location-owner   an event at a registered location: its owner or a delegate
//   holder           any other event naming a tracked object, and offering its custody: the holder
//                    (CUSTOMS too while the object is under customs control)
//   custody-handover taking custody: the holder, or the addressee of a pending handover
//   destroy          the holder, the owner or its delegate, a REGULATOR, CUSTOMS under control
//   recall           the owner or its delegate, a REGULATOR
//   delegation       delegating a GTIN or a location: its owner; engaging a broker: the holder
//   customs-engagement  a customs declaration: every covered item is held by the broker's org or
//                    by an org that engaged it (prov.delegate {holder, org, acts: [customs]})
//   event-owner      an error declaration about a recorded event: the org that recorded it, or a
//                    REGULATOR (prov_capture.cc)
// Thread safety: stateless functions.
#pragma once

#include <string>

#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/state.h"
#include "tidemark/status.h"
#include "tidemark/value.h"

namespace tidemark::contracts::prov {

// A refusal naming the rule: PERMISSION_DENIED "rule <rule>: <why>".
Status Deny(const std::string& rule, const std::string& why);

// `st` with `context` added after its rule name ("rule holder: events[2]: item ..."), or as
// WithContext for statuses that name no rule: the rule stays first in every refusal.
Status WithRuleContext(const Status& st, const std::string& context);

// Delegation scopes: a product "/01/<gtin14>", a location's canonical id "/414/...", or a holder
// "/org/<org>" (whatever that organisation holds; the act a holder grants is "customs").
inline std::string GtinScope(const std::string& gtin14) { return "/01/" + gtin14; }
inline std::string HolderScope(const std::string& org) { return "/org/" + org; }
// Delegation record at state_keys::prov::Deleg(scope, org): {scope, kind, org, acts, by, height,
// tx}.
// Whether `org` holds a delegation of `scope` that covers `act`.
Result<bool> IsDelegate(const StateView& view, const std::string& scope, const std::string& org,
                        const std::string& act);

// The owner of a registered product ("" if the GTIN is not registered).
Result<std::string> GtinOwner(const StateView& view, const std::string& gtin14);
// OK if `org` owns the registered product `gtin14` or holds its delegation for `act`. A GTIN
// nobody registered has no owner: `allow_unregistered` decides (commissioning stays open so that
// observational EPCIS documents about unregistered goods keep working; lots need a product).
Status RequireGtinOwner(const StateView& view, const std::string& gtin14, const std::string& org,
                        const std::string& act, bool allow_unregistered);
// OK if the location `canonical` is not registered, or `org` registered it or is its delegate
// (act "event"). `field` names the event field in the refusal.
Status RequireLocationAccess(const StateView& view, const std::string& canonical,
                             const std::string& org, const std::string& field);

// The organisation an object belongs to: its registered product's owner, else the org that
// created it on the ledger, else its holder.
Result<std::string> ObjectOwner(const StateView& view, const Value& obj);

// Targets after which the signer's organisation holds the object.
bool TakesCustody(const std::string& target);
// Whether the signer's key and its organisation both hold `role`.
Result<bool> SignerHolds(const StateView& view, const KeyRecord& signer, Role role);

// OK if the organisation `broker_org` may declare `obj` to customs: it holds the object, or the
// holder engaged it (a delegation of HolderScope(holder) with act "customs").
Status RequireCustomsEngagement(const StateView& view, const Value& obj,
                                const std::string& broker_org);

// Whether an object is under customs control (a CUSTOMS key may act on it).
bool UnderCustomsControl(const Value& obj);

// Who acts, as the lifecycle sees it.
struct Actor {
  std::string org;
  bool customs = false;    // signer holds CUSTOMS
  bool regulator = false;  // signer holds REGULATOR
};

// Whether `actor` may record an event moving `obj` to `target` ("" = no state change).
Status AuthoriseEvent(const StateView& view, const Value& obj, const std::string& target,
                      const Actor& actor);

}  // namespace tidemark::contracts::prov
