// The "state_keys" vectors: every state-key builder and prefix of sdk/include/tidemark/state_keys/
// with sample arguments and the key it gives, so that the JS twin (sdk/js/src/state_keys.js) is
// checked against the C++ layout the contracts use (docs/encoding.md, section 6).
#include <climits>
#include <tuple>

#include "tidemark/hash.h"
#include "tidemark/state_keys/alerts.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/governance.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/state_keys/system.h"
#include "vectors_internal.h"

namespace tidemark::vectors {

namespace {

namespace sk = state_keys;

class Table {
 public:
  // A builder called with `args` (strings; integers as decimal strings, keys as hex).
  void Call(const char* name, Json args, const std::string& key) {
    out_.push_back(Json{{"name", name}, {"args", std::move(args)}, {"key", key}});
  }
  // A constant: a whole key or a prefix.
  void Constant(const char* name, std::string_view key) {
    out_.push_back(Json{{"name", name}, {"key", std::string(key)}});
  }
  Json Take() { return std::move(out_); }

 private:
  Json out_ = Json::array();
};

const uint64_t kSeqs[] = {0, 1, 42, 9999999999999999ULL, 10000000000000000ULL, UINT64_MAX};
const int64_t kTimes[] = {INT64_MIN, -1, 0, 1, 1767225600000, INT64_MAX};

}  // namespace

Json StateKeyVectors() {
  Table t;
  for (uint64_t n : kSeqs) t.Call("seqPart", {Dec(n)}, sk::SeqPart(n));
  for (int64_t ms : kTimes) t.Call("timePart", {DecSigned(ms)}, sk::TimePart(ms));

  const PublicKey key = TestKey(1).public_key();
  t.Constant("sys.PREFIX", sk::sys::kPrefix);
  t.Constant("sys.NONCE_PREFIX", sk::sys::kNoncePrefix);
  t.Call("sys.nonce", {key.Hex()}, sk::sys::Nonce(key));
  t.Constant("sys.GENESIS", sk::sys::kGenesis);

  t.Constant("identity.PREFIX", sk::identity::kPrefix);
  t.Constant("identity.ORG_PREFIX", sk::identity::kOrgPrefix);
  t.Call("identity.org", {"acme-brand_1"}, sk::identity::Org("acme-brand_1"));
  t.Constant("identity.KEY_PREFIX", sk::identity::kKeyPrefix);
  t.Call("identity.key", {key.Hex()}, sk::identity::Key(key));
  t.Constant("identity.ORG_KEY_PREFIX", sk::identity::kOrgKeyPrefix);
  t.Call("identity.orgKeyPrefix", {"acme"}, sk::identity::OrgKeyPrefix("acme"));
  t.Call("identity.orgKey", {"acme", key.Hex()}, sk::identity::OrgKey("acme", key));

  t.Constant("gov.PREFIX", sk::gov::kPrefix);
  t.Constant("gov.NEXT_PROPOSAL", sk::gov::kNextProposal);
  t.Constant("gov.PROPOSAL_PREFIX", sk::gov::kProposalPrefix);
  for (uint64_t id : {uint64_t{1}, uint64_t{12345}, UINT64_MAX}) {
    t.Call("gov.proposal", {Dec(id)}, sk::gov::Proposal(id));
  }
  t.Constant("gov.VALIDATORS", sk::gov::kValidators);
  t.Constant("gov.VALIDATORS_PENDING", sk::gov::kValidatorsPending);
  t.Constant("gov.PARAM_PREFIX", sk::gov::kParamPrefix);
  t.Call("gov.param", {"max_block_txs"}, sk::gov::Param("max_block_txs"));

  const std::string item = "/01/09506000134352/21/SER-1";
  const std::string pallet = "/00/106141412345678908";
  const std::string lot = "/01/09506000134352/10/LOT-7";
  t.Constant("prov.PREFIX", sk::prov::kPrefix);
  t.Constant("prov.NEXT_SEQ", sk::prov::kNextSeq);
  t.Constant("prov.EVENT_PREFIX", sk::prov::kEventPrefix);
  for (uint64_t n : {uint64_t{1}, UINT64_MAX}) t.Call("prov.event", {Dec(n)}, sk::prov::Event(n));
  t.Constant("prov.EVENT_ID_PREFIX", sk::prov::kEventIdPrefix);
  t.Call("prov.eventId", {"urn:uuid:1"}, sk::prov::EventId("urn:uuid:1"));
  t.Constant("prov.ERR_PREFIX", sk::prov::kErrPrefix);
  t.Call("prov.err", {"urn:uuid:1"}, sk::prov::Err("urn:uuid:1"));
  t.Constant("prov.INDEX_PREFIX", sk::prov::kIndexPrefix);
  t.Call("prov.indexPrefix", {"epc", item}, sk::prov::IndexPrefix("epc", item));
  t.Call("prov.index", {"epc", item, Dec(7)}, sk::prov::Index("epc", item, 7));
  t.Call("prov.index", {"time", sk::TimePart(-5), Dec(8)},
         sk::prov::Index("time", sk::TimePart(-5), 8));
  t.Constant("prov.TIME_INDEX_PREFIX", sk::prov::kTimeIndexPrefix);
  for (int64_t ms : kTimes)
    t.Call("prov.timeIndexFrom", {DecSigned(ms)}, sk::prov::TimeIndexFrom(ms));
  t.Constant("prov.EDGE_PREFIX", sk::prov::kEdgePrefix);
  t.Call("prov.edgePrefix", {"in", item}, sk::prov::EdgePrefix("in", item));
  t.Call("prov.edge", {"in", item, pallet}, sk::prov::Edge("in", item, pallet));
  t.Constant("prov.OBJ_PREFIX", sk::prov::kObjPrefix);
  t.Call("prov.obj", {item}, sk::prov::Obj(item));
  t.Call("prov.obj", {"/01/09506000134352/21/é€"}, sk::prov::Obj("/01/09506000134352/21/é€"));
  t.Constant("prov.LOT_PREFIX", sk::prov::kLotPrefix);
  t.Call("prov.lot", {lot}, sk::prov::Lot(lot));
  t.Call("prov.lotPrefixOfProduct", {"09506000134352"},
         sk::prov::LotPrefixOfProduct("09506000134352"));
  t.Constant("prov.PRODUCT_PREFIX", sk::prov::kProductPrefix);
  t.Call("prov.product", {"09506000134352"}, sk::prov::Product("09506000134352"));
  t.Constant("prov.LOCATION_PREFIX", sk::prov::kLocationPrefix);
  t.Call("prov.location", {"/414/9506000134376"}, sk::prov::Location("/414/9506000134376"));
  t.Constant("prov.PARTY_PREFIX", sk::prov::kPartyPrefix);
  t.Call("prov.party", {"retail-shop-1"}, sk::prov::Party("retail-shop-1"));
  t.Constant("prov.CUSTOMS_PREFIX", sk::prov::kCustomsPrefix);
  t.Call("prov.customs", {"D-1210-1"}, sk::prov::Customs("D-1210-1"));
  t.Constant("prov.CERT_PREFIX", sk::prov::kCertPrefix);
  t.Call("prov.cert", {"C-1"}, sk::prov::Cert("C-1"));
  t.Constant("prov.RECALL_PREFIX", sk::prov::kRecallPrefix);
  t.Call("prov.recall", {"R-1"}, sk::prov::Recall("R-1"));
  t.Constant("prov.SCAN_PREFIX", sk::prov::kScanPrefix);
  t.Call("prov.scan", {item}, sk::prov::Scan(item));
  t.Constant("prov.DELEG_PREFIX", sk::prov::kDelegPrefix);
  t.Call("prov.deleg", {"/01/09506000134352", "acme"},
         sk::prov::Deleg("/01/09506000134352", "acme"));

  const std::string rcv = "rcv_0a1b2c3d4e5f60718293";
  const std::string fp = Sha256(AsBytes("fingerprint")).Hex();
  t.Constant("fin.PREFIX", sk::fin::kPrefix);
  t.Constant("fin.RECEIVABLE_PREFIX", sk::fin::kReceivablePrefix);
  t.Call("fin.receivable", {rcv}, sk::fin::Receivable(rcv));
  t.Constant("fin.FINGERPRINT_PREFIX", sk::fin::kFingerprintPrefix);
  t.Call("fin.fingerprint", {fp}, sk::fin::Fingerprint(fp));
  t.Constant("fin.INVOICE_KEY_PREFIX", sk::fin::kInvoiceKeyPrefix);
  t.Call("fin.invoiceKey", {fp}, sk::fin::InvoiceKey(fp));
  t.Constant("fin.FINGERPRINT_ID_PREFIX", sk::fin::kFingerprintIdPrefix);
  t.Call("fin.fingerprintId", {fp}, sk::fin::FingerprintId(fp));
  t.Constant("fin.PARTY_PREFIX", sk::fin::kPartyPrefix);
  t.Call("fin.partyPrefix", {"acme-bank"}, sk::fin::PartyPrefix("acme-bank"));
  t.Call("fin.party", {"acme-bank", rcv}, sk::fin::Party("acme-bank", rcv));
  t.Constant("fin.HISTORY_PREFIX", sk::fin::kHistoryPrefix);
  t.Call("fin.historyPrefix", {rcv}, sk::fin::HistoryPrefix(rcv));
  for (uint64_t n : {uint64_t{0}, uint64_t{17}, UINT64_MAX}) {
    t.Call("fin.history", {rcv, Dec(n)}, sk::fin::History(rcv, n));
  }
  t.Constant("fin.ATTEMPT_PREFIX", sk::fin::kAttemptPrefix);
  t.Call("fin.attemptPrefix", {fp}, sk::fin::AttemptPrefix(fp));
  for (auto [h, i] : {std::pair<uint64_t, uint32_t>{12, 0}, {UINT64_MAX, 3}, {7, UINT32_MAX}}) {
    t.Call("fin.attempt", {fp, Dec(h), Dec(i)}, sk::fin::Attempt(fp, h, i));
  }
  for (const char* ns : {"fin/", "plg/"}) {
    t.Call("alerts.alertPrefix", {ns}, sk::alerts::AlertPrefix(ns));
    t.Call("alerts.alerted", {ns, "circular-transfer", rcv},
           sk::alerts::Alerted(ns, "circular-transfer", rcv));
    t.Call("alerts.histLogPrefix", {ns}, sk::alerts::HistLogPrefix(ns));
  }
  for (auto [h, i, k] :
       {std::tuple<uint64_t, uint32_t, uint32_t>{12, 0, 0}, {UINT64_MAX, UINT32_MAX, UINT32_MAX}}) {
    t.Call("alerts.alert", {"fin/", Dec(h), Dec(i), Dec(k)}, sk::alerts::Alert("fin/", h, i, k));
  }
  for (int64_t ms : kTimes) {
    t.Call("alerts.histLogFrom", {"plg/", DecSigned(ms)}, sk::alerts::HistLogFrom("plg/", ms));
    t.Call("alerts.histLog", {"fin/", DecSigned(ms), "7", "2", "1"},
           sk::alerts::HistLog("fin/", ms, 7, 2, 1));
  }

  const std::string asset = "trademark:12345678", ipp = "ipp_0a1b2c3d4e5f60718293";
  const std::string eqp = "eqp_0a1b2c3d4e5f60718293", wr = "wr_0a1b2c3d4e5f60718293";
  const std::string uscc = "91350200MA2XYZ1234";
  t.Constant("plg.PREFIX", sk::plg::kPrefix);
  t.Constant("plg.IP_ASSET_PREFIX", sk::plg::kIpAssetPrefix);
  t.Call("plg.ipAsset", {asset}, sk::plg::IpAsset(asset));
  t.Constant("plg.OWNER_PREFIX", sk::plg::kOwnerPrefix);
  t.Call("plg.ownerPrefix", {"acme"}, sk::plg::OwnerPrefix("acme"));
  t.Call("plg.owner", {"acme", asset}, sk::plg::Owner("acme", asset));
  t.Constant("plg.IP_PLEDGE_PREFIX", sk::plg::kIpPledgePrefix);
  t.Call("plg.ipPledge", {ipp}, sk::plg::IpPledge(ipp));
  t.Call("plg.ipConsent", {ipp, "transfer", "beta"}, sk::plg::IpConsent(ipp, "transfer", "beta"));
  t.Constant("plg.EQ_PLEDGE_PREFIX", sk::plg::kEqPledgePrefix);
  t.Call("plg.eqPledge", {eqp}, sk::plg::EqPledge(eqp));
  t.Constant("plg.HOLDING_PREFIX", sk::plg::kHoldingPrefix);
  t.Call("plg.holdingPrefix", {"acme"}, sk::plg::HoldingPrefix("acme"));
  t.Call("plg.holding", {"acme", uscc}, sk::plg::Holding("acme", uscc));
  t.Constant("plg.RECEIPT_PREFIX", sk::plg::kReceiptPrefix);
  t.Call("plg.receipt", {wr}, sk::plg::Receipt(wr));
  t.Constant("plg.RECEIPT_ITEM_PREFIX", sk::plg::kReceiptItemPrefix);
  t.Call("plg.receiptItem", {"/00/095060001343520001"},
         sk::plg::ReceiptItem("/00/095060001343520001"));
  t.Constant("plg.ENC_PREFIX", sk::plg::kEncPrefix);
  t.Call("plg.encIp", {asset}, sk::plg::EncIp(asset));
  t.Call("plg.encEquity", {"acme", uscc}, sk::plg::EncEquity("acme", uscc));
  t.Call("plg.encReceipt", {wr}, sk::plg::EncReceipt(wr));
  t.Constant("plg.GAZETTE_PREFIX", sk::plg::kGazettePrefix);
  t.Call("plg.gazette", {"PLG-2026-000001"}, sk::plg::Gazette("PLG-2026-000001"));
  t.Constant("plg.PARTY_PREFIX", sk::plg::kPartyPrefix);
  t.Call("plg.partyPrefix", {"acme-bank"}, sk::plg::PartyPrefix("acme-bank"));
  t.Call("plg.party", {"acme-bank", wr}, sk::plg::Party("acme-bank", wr));
  t.Constant("plg.HISTORY_PREFIX", sk::plg::kHistoryPrefix);
  t.Call("plg.historyPrefix", {eqp}, sk::plg::HistoryPrefix(eqp));
  for (uint64_t n : {uint64_t{0}, uint64_t{17}, UINT64_MAX}) {
    t.Call("plg.history", {ipp, Dec(n)}, sk::plg::History(ipp, n));
  }
  return t.Take();
}

}  // namespace tidemark::vectors
