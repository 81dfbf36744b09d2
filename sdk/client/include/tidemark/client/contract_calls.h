// contract_calls.h — one typed call per contract operation, over LedgerClient::Call (sign at the
// next nonce, submit, wait for the final receipt). The node's contracts validate everything; the
// CLI (cli/) checks arguments before calling.
//
//   LedgerClient c(url, "");
//   TM_ASSIGN_OR_RETURN(TxOutcome o, RegisterProduct(c, brand_key,
//       {.gtin = "09421234100013", .name = "Stage 1 800 g", .origin_country = "NZ"}));
//   if (o.status != "committed") ...   // o.reason says why
//   TM_ASSIGN_OR_RETURN(o, CustomsDecide(c, customs_key, "release", "D-1"));
//
// Thread safety: like LedgerClient, one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "tidemark/client/ledger_client.h"

namespace tidemark::client {

// identity: org admins manage their org's member keys.
Result<TxOutcome> EnrolKey(LedgerClient& c, const KeyPair& admin, const PublicKey& member,
                           const std::vector<std::string>& roles, const std::string& label = "");
Result<TxOutcome> RevokeKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key);
Result<TxOutcome> SetServiceKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key);

// gov: `proposal` is {kind: add_org | remove_org | add_validator | remove_validator | set_param,
// ...} as in contracts/governance.h.
Result<TxOutcome> Propose(LedgerClient& c, const KeyPair& admin, const Value& proposal);
Result<TxOutcome> Vote(LedgerClient& c, const KeyPair& admin, int64_t proposal, bool yes);

// prov master data.
struct Product {
  std::string gtin, name, origin_country, brand, description;
  int company_prefix_length = 0;  // 0: not given
};
Result<TxOutcome> RegisterProduct(LedgerClient& c, const KeyPair& key, const Product& p);
struct Lot {
  std::string gtin, lot, production_date, expiry_date;  // dates YYYY-MM-DD or ""
};
Result<TxOutcome> RegisterLot(LedgerClient& c, const KeyPair& key, const Lot& l);
struct Location {
  std::string gln, name, country, kind;
};
Result<TxOutcome> RegisterLocation(LedgerClient& c, const KeyPair& key, const Location& l);

Result<TxOutcome> RegisterParty(LedgerClient& c, const KeyPair& key, const std::string& id,
                                const std::string& name, const std::string& country = "");

// prov.capture of parsed EPCIS events (contracts::ParseEpcisEvent / ParseEpcisDocumentText).
Result<TxOutcome> CaptureEvents(LedgerClient& c, const KeyPair& key,
                                const std::vector<Value>& events);

// Customs clearance.
struct Declaration {
  std::string declaration_no, mode, order_no, payment_no, waybill_no, origin_country;
  std::vector<std::string> items;
};
Result<TxOutcome> CustomsDeclare(LedgerClient& c, const KeyPair& broker, const Declaration& d);
// verb: "inspect", "release" or "return".
Result<TxOutcome> CustomsDecide(LedgerClient& c, const KeyPair& customs, const std::string& verb,
                                const std::string& declaration_no);
Result<TxOutcome> CustomsReject(LedgerClient& c, const KeyPair& customs,
                                const std::string& declaration_no, const std::string& reason);

// Inspection certificates and recalls.
struct Certificate {
  std::string certificate_id, result, report_sha256, issue_date, expiry_date;
  std::vector<std::string> lots;
};
Result<TxOutcome> Certify(LedgerClient& c, const KeyPair& inspector, const Certificate& cert);
Result<TxOutcome> Recall(LedgerClient& c, const KeyPair& key, const std::string& lot,
                         const std::string& reason, const std::string& recall_id = "");

// Ownership and custody (docs/provenance.md, "Who may do what to whose object"). A delegation's
// scope is a GTIN, a location, or `holder` (the signer's own org: engaging the customs broker
// `org` for the goods it holds, act "customs") — exactly one non-empty; empty `acts` delegates
// every act.
struct DelegationScope {
  std::string gtin, location, org, holder;
};
Result<TxOutcome> Delegate(LedgerClient& c, const KeyPair& owner, const DelegationScope& scope,
                           const std::vector<std::string>& acts = {});
Result<TxOutcome> RevokeDelegation(LedgerClient& c, const KeyPair& owner,
                                   const DelegationScope& scope);
// The holder offers `items` (containers bring their contents) to `to_org`; the addressee accepts.
Result<TxOutcome> TransferCustody(LedgerClient& c, const KeyPair& holder,
                                  const std::vector<std::string>& items, const std::string& to_org);
Result<TxOutcome> AcceptCustody(LedgerClient& c, const KeyPair& receiver,
                                const std::vector<std::string>& items);

}  // namespace tidemark::client
