// state_keys/pledge.h — the state layout of the pledge registry contract ("plg/…": IP assets and
// pledges, equity pledges, warehouse receipts; contracts/pledge.h; docs/finance.md §12-§17 say
// what each record holds). The alert and history-log keys it shares with "fin" are in alerts.h.
// A space separates the parts of composite keys: it cannot occur in an org id, a record id, an
// asset id, a USCC or an EPC URN, so a prefix scan never runs into a longer id.
//
//   GetValue(view, state_keys::plg::IpAsset("trademark:12345678"));
//   view.Scan(state_keys::plg::PartyPrefix("acme"), ...);     // the records acme is a party of
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/state_keys/alerts.h"
#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys {

namespace plg {

inline constexpr std::string_view kPrefix = "plg/";

// IP asset record, by asset id "<kind>:<number>" (docs/finance.md §13).
inline constexpr std::string_view kIpAssetPrefix = "plg/ip/asset/";
inline std::string IpAsset(std::string_view asset_id) { return Cat({kIpAssetPrefix, asset_id}); }
// "" — `org` is a registered owner (or co-owner) of the asset.
inline constexpr std::string_view kOwnerPrefix = "plg/ip/owner/";
inline std::string OwnerPrefix(std::string_view org) { return Cat({kOwnerPrefix, org, " "}); }
inline std::string Owner(std::string_view org, std::string_view asset_id) {
  return Cat({kOwnerPrefix, org, " ", asset_id});
}
// An IP pledge record, by pledge id "ipp_<20 hex>".
inline constexpr std::string_view kIpPledgePrefix = "plg/ip/pledge/";
inline std::string IpPledge(std::string_view id) { return Cat({kIpPledgePrefix, id}); }
// {pledgee, action, to, height}: the pledgee's consent to one transfer / licence of pledged IP.
inline std::string IpConsent(std::string_view pledge_id, std::string_view action,
                             std::string_view to) {
  return Cat({"plg/ip/consent/", pledge_id, " ", action, " ", to});
}

// An equity pledge record, by pledge id "eqp_<20 hex>".
inline constexpr std::string_view kEqPledgePrefix = "plg/eq/pledge/";
inline std::string EqPledge(std::string_view id) { return Cat({kEqPledgePrefix, id}); }
// {amount, registrar, height}: what the registrar records `org` holds in company `uscc`.
inline constexpr std::string_view kHoldingPrefix = "plg/eq/holding/";
inline std::string HoldingPrefix(std::string_view org) { return Cat({kHoldingPrefix, org, " "}); }
inline std::string Holding(std::string_view org, std::string_view uscc) {
  return Cat({kHoldingPrefix, org, " ", uscc});
}

// A warehouse receipt record, by receipt id "wr_<20 hex>".
inline constexpr std::string_view kReceiptPrefix = "plg/wr/receipt/";
inline std::string Receipt(std::string_view id) { return Cat({kReceiptPrefix, id}); }
// {receipt, state}: the item / container (prov object id) is covered by a live receipt. The
// provenance contract reads this before any event that would move the goods out.
inline constexpr std::string_view kReceiptItemPrefix = "plg/wr/item/";
inline std::string ReceiptItem(std::string_view obj_id) {
  return Cat({kReceiptItemPrefix, obj_id});
}

// {state}: the encumbrance standing of an asset, exactly this one field (absent: free), served
// with a proof to any BANK: "pledged" (IP, a receipt) or "pledged" / "fully-pledged" (equity).
inline constexpr std::string_view kEncPrefix = "plg/enc/";
inline std::string EncIp(std::string_view asset_id) { return Cat({kEncPrefix, "ip/", asset_id}); }
inline std::string EncEquity(std::string_view org, std::string_view uscc) {
  return Cat({kEncPrefix, "eq/", org, " ", uscc});
}
inline std::string EncReceipt(std::string_view receipt_id) {
  return Cat({kEncPrefix, "wr/", receipt_id});
}

// The public gazette entry of a registered pledge, by registration number (what a registry
// publishes and no more; served to anyone).
inline constexpr std::string_view kGazettePrefix = "plg/gazette/";
inline std::string Gazette(std::string_view registration_no) {
  return Cat({kGazettePrefix, registration_no});
}

// "" — the org is or was a party of the pledge / receipt.
inline constexpr std::string_view kPartyPrefix = "plg/party/";
inline std::string PartyPrefix(std::string_view org) { return Cat({kPartyPrefix, org, " "}); }
inline std::string Party(std::string_view org, std::string_view id) {
  return Cat({kPartyPrefix, org, " ", id});
}
// History entries of a pledge, receipt or IP asset, in order.
inline constexpr std::string_view kHistoryPrefix = "plg/hist/";
inline std::string HistoryPrefix(std::string_view id) { return Cat({kHistoryPrefix, id, " "}); }
inline std::string History(std::string_view id, uint64_t seq) {
  return Cat({kHistoryPrefix, id, " ", SeqPart(seq)});
}

}  // namespace plg
}  // namespace tidemark::state_keys
