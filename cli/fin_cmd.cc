// `tidemark fin ...`: supply-chain finance receivables (docs/finance.md): what a supplier, its
// customer (the core enterprise) and a bank run. Every argument is checked here before anything is
// sent (a bad one exits 2 naming the flag); writes are `fin` txs signed with --key / --key-file;
// reads are signed REST reads (docs/api.md, Signed reads) by the same key options.
//
//   tidemark fin fingerprint --creditor hzbonded --debtor platform --number INV-2026/0001
//       --amount 1250000 --date 2026-11-30                 # local: fingerprint + invoice key
//   tidemark fin register --invoice invoice.json --key-file hzbonded.json
//   tidemark fin register --debtor platform --currency CNY --contract-number WS-2026-014
//       --contract-doc contract.pdf --number INV-2026/0001 --amount 1250000 --date 2026-11-30
//       --invoice-doc inv.pdf --due-date 2027-05-29 --ref po:urn:epcglobal:cbv:bt:...:PO-88121
//       --require-delivery --key-file hzbonded.json
//   tidemark fin confirm rcv_0a1b2c3d4e5f60718293 --key-file platform.json     (the debtor)
//   tidemark fin split rcv_0a1b2c3d4e5f60718293 --amounts 750000,500000          (the holder)
//   tidemark fin transfer rcv_0a1b2c3d4e5f60718293.2 --to trucking              (the holder)
//   tidemark fin offer rcv_0a1b2c3d4e5f60718293.1 --bank bank --kind pledge --amount 700000
//   tidemark fin accept rcv_0a1b2c3d4e5f60718293.1 --key-file bank.json          (that bank)
//   tidemark fin settle rcv_0a1b2c3d4e5f60718293                                 (the debtor)
//   tidemark fin show rcv_0a1b2c3d4e5f60718293 --proof    tidemark fin history rcv_...
//   tidemark fin list --org platform
//   tidemark fin check --invoice invoice.json --key-file bank.json   # any BANK: free or not,
//   proven
//
// The invoice file (--invoice) is the `register` args of docs/finance.md §7 plus "creditor" (the
// issuing org; `register` refuses a file whose creditor is not the signer's org):
//   {"creditor": "hzbonded", "debtor": "platform", "currency": "CNY",
//    "contract": {"number": "WS-2026-014", "hash": "<64 hex>"},
//    "invoices": [{"number": "INV-2026/0001", "amount": 1250000, "tax": 0,
//                  "date": "2026-11-30", "hash": "<64 hex>"}],
//    "issue_date": "2026-11-30", "due_date": "2027-05-29",
//    "refs": [{"type": "po", "id": "urn:epcglobal:cbv:bt:6901234000017:PO-88121"}],
//    "require_delivery": true}
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "commands.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/fin_answer.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/hash.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/trace_answer.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct FinArgs {
  // The invoice: a file, or flags for a one-invoice receivable.
  std::string invoice_file;
  std::string creditor, debtor, currency, contract_number, contract_hash, contract_doc;
  std::string number, amount, tax = "0", date, invoice_hash, invoice_doc;
  std::string issue_date, due_date;
  std::vector<std::string> refs;
  bool require_delivery = false;
  // The other operations.
  std::string id, reason, reason_file, reason_hash, amounts, to, bank, kind, org, cursor, genesis;
  bool proof = false;
};

// An invoice as the CLI holds it: the register args and, when known, the creditor.
struct InvoiceDoc {
  std::string creditor;
  client::FinReceivable r;
};

// A 64-hex document hash (upper case folded), or the SHA-256 of `file` when given.
Result<std::string> DocHash(const std::string& hex, const std::string& file,
                            const std::string& what) {
  if (!hex.empty() && !file.empty()) {
    return Status::Invalid(what + ": give the hash or the document, not both");
  }
  if (!file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string body, ReadWhole(file));
    return Sha256(AsBytes(body)).Hex();
  }
  std::string h = hex;
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!IsLowerHex(h, 64))
    return Status::Invalid(what + ": 64 hex digits (SHA-256), got '" + hex + "'");
  return h;
}

// Minor units: decimal digits only, 1..10^15 (`allow_zero` for tax).
Result<int64_t> ParseAmount(const std::string& text, const std::string& what, bool allow_zero) {
  bool digits = !text.empty() && text.size() <= 16 &&
                text.find_first_not_of("0123456789") == std::string::npos &&
                (text == "0" || text[0] != '0');
  if (!digits) {
    return Status::Invalid(what + ": an amount in minor units (cents), digits only, got '" + text +
                           "'");
  }
  int64_t v = std::stoll(text);
  if (v > kMaxFinAmount || (v == 0 && !allow_zero)) {
    return Status::Invalid(what + ": between " + std::string(allow_zero ? "0" : "1") +
                           " and 10^15 minor units, got " + text);
  }
  return v;
}

Status CheckOrg(const std::string& org, const std::string& what) {
  return contracts::IsValidOrgId(org)
             ? Status::Ok()
             : Status::Invalid(what + ": an organisation id ([a-z0-9_-]{1,64}), got '" + org + "'");
}

Status CheckDate(const std::string& d, const std::string& what) {
  return IsIsoDate(d) ? Status::Ok()
                      : Status::Invalid(what + ": a date YYYY-MM-DD, got '" + d + "'");
}

// "rcv_" + 20 lower-case hex digits.
bool IsReceivableId(const std::string& id) {
  return id.size() == 24 && id.rfind("rcv_", 0) == 0 && IsLowerHex(id.substr(4), 20);
}

Status CheckReceivableId(const std::string& id) {
  return IsReceivableId(id)
             ? Status::Ok()
             : Status::Invalid("ID: a receivable id rcv_<20 hex digits>, got '" + id + "'");
}

// A part: a receivable id, then ".k" steps with k in 1..16 (no leading zeros).
Status CheckPartId(const std::string& part) {
  auto bad = [&] {
    return Status::Invalid(
        "PART: a receivable id or a part of it (rcv_<20 hex>[.k]..., k 1-16, at most " +
        std::to_string(contracts::kMaxFinPartIdLen) + " characters), got '" + part + "'");
  };
  if (part.size() < 24 || part.size() > contracts::kMaxFinPartIdLen ||
      !IsReceivableId(part.substr(0, 24))) {
    return bad();
  }
  std::string rest = part.substr(24);
  while (!rest.empty()) {
    if (rest[0] != '.') return bad();
    size_t end = rest.find('.', 1);
    std::string k = rest.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    if (k.empty() || k.size() > 2 || k.find_first_not_of("0123456789") != std::string::npos ||
        k[0] == '0' || std::stoi(k) > 16) {
      return bad();
    }
    rest = end == std::string::npos ? "" : rest.substr(end);
  }
  return Status::Ok();
}

// Everything `register` checks that can be checked without the ledger (docs/finance.md §7:
// fin-args, fin-term, fin-parties as far as known, fin-duplicate within the tx,
// fin-delivery-refs).
Status CheckReceivable(const InvoiceDoc& doc) {
  const client::FinReceivable& r = doc.r;
  TM_RETURN_IF_ERROR(CheckOrg(r.debtor, "debtor"));
  if (!doc.creditor.empty()) {
    TM_RETURN_IF_ERROR(CheckOrg(doc.creditor, "creditor"));
    if (doc.creditor == r.debtor) {
      return Status::Invalid("debtor: must differ from the creditor (rule fin-parties)");
    }
  }
  bool currency_ok = r.currency.size() == 3;
  for (char c : r.currency) currency_ok = currency_ok && c >= 'A' && c <= 'Z';
  if (!currency_ok) {
    return Status::Invalid("currency: an ISO 4217 code like CNY, got '" + r.currency + "'");
  }
  if (r.contract_number.empty()) return Status::Invalid("contract number: required");
  if (!IsLowerHex(r.contract_hash, 64)) return Status::Invalid("contract hash: 64 hex digits");
  if (r.invoices.empty() || r.invoices.size() > contracts::kMaxFinInvoices) {
    return Status::Invalid("invoices: 1 to " + std::to_string(contracts::kMaxFinInvoices));
  }
  if (r.refs.size() > contracts::kMaxFinRefs) {
    return Status::Invalid("refs: at most " + std::to_string(contracts::kMaxFinRefs));
  }
  int64_t total = 0;
  std::set<std::string> seen;
  for (size_t i = 0; i < r.invoices.size(); ++i) {
    const client::FinInvoice& inv = r.invoices[i];
    std::string what = "invoices[" + std::to_string(i) + "]";
    auto norm = NormaliseInvoiceNumber(inv.number);
    if (!norm.ok()) return norm.status().WithContext(what + ".number");
    if (inv.amount < 1 || inv.amount > kMaxFinAmount) {
      return Status::Invalid(what + ".amount: between 1 and 10^15 minor units");
    }
    if (inv.tax < 0 || inv.tax > kMaxFinAmount) {
      return Status::Invalid(what + ".tax: between 0 and 10^15 minor units");
    }
    TM_RETURN_IF_ERROR(CheckDate(inv.date, what + ".date"));
    if (!IsLowerHex(inv.hash, 64)) return Status::Invalid(what + ".hash: 64 hex digits");
    if (!seen.insert(*norm + "\n" + inv.date).second) {
      return Status::Invalid(what + ": invoice " + *norm + " of " + inv.date +
                             " is listed twice (rule fin-duplicate)");
    }
    total += inv.amount;
    if (total > kMaxFinAmount) return Status::Invalid("invoices: the total exceeds 10^15");
  }
  TM_RETURN_IF_ERROR(CheckDate(r.issue_date, "issue date"));
  TM_RETURN_IF_ERROR(CheckDate(r.due_date, "due date"));
  int64_t term = IsoDateToDays(r.due_date) - IsoDateToDays(r.issue_date);
  if (term <= 0 || term > 366) {
    return Status::Invalid("due date: after the issue date and at most 366 days later, got " +
                           r.issue_date + " .. " + r.due_date + " (rule fin-term)");
  }
  for (const client::FinRef& ref : r.refs) {
    if (ref.type.empty() || ref.id.empty()) return Status::Invalid("refs: each needs type and id");
  }
  if (r.require_delivery && r.refs.empty()) {
    return Status::Invalid(
        "require_delivery needs refs naming the PO / despatch advice (rule fin-delivery-refs)");
  }
  return Status::Ok();
}

Result<std::string> JStr(const json& j, const char* field, const std::string& what,
                         bool required = true) {
  if (!j.contains(field)) {
    if (!required) return std::string();
    return Status::Invalid(what + "." + field + ": required");
  }
  if (!j[field].is_string()) return Status::Invalid(what + "." + field + ": a string");
  return j[field].get<std::string>();
}

Result<int64_t> JAmount(const json& j, const char* field, const std::string& what,
                        bool allow_zero) {
  if (!j.contains(field)) {
    if (allow_zero) return int64_t{0};
    return Status::Invalid(what + "." + field + ": required");
  }
  if (!j[field].is_number_integer()) {
    return Status::Invalid(what + "." + field + ": an integer in minor units");
  }
  return ParseAmount(j[field].dump(), what + "." + field, allow_zero);
}

Result<InvoiceDoc> InvoiceFromFile(const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string text, ReadWhole(path));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid(path + ": not a JSON object");
  static const std::set<std::string> kFields = {
      "creditor",   "debtor",   "currency", "contract",         "invoices",
      "issue_date", "due_date", "refs",     "require_delivery",
  };
  for (const auto& [k, v] : j.items()) {
    if (!kFields.count(k)) return Status::Invalid(path + ": unknown field '" + k + "'");
  }
  InvoiceDoc d;
  TM_ASSIGN_OR_RETURN(d.creditor, JStr(j, "creditor", path, false));
  TM_ASSIGN_OR_RETURN(d.r.debtor, JStr(j, "debtor", path));
  TM_ASSIGN_OR_RETURN(d.r.currency, JStr(j, "currency", path));
  if (!j.contains("contract") || !j["contract"].is_object()) {
    return Status::Invalid(path + ".contract: {number, hash} required");
  }
  TM_ASSIGN_OR_RETURN(d.r.contract_number, JStr(j["contract"], "number", path + ".contract"));
  TM_ASSIGN_OR_RETURN(std::string ch, JStr(j["contract"], "hash", path + ".contract"));
  TM_ASSIGN_OR_RETURN(d.r.contract_hash, DocHash(ch, "", path + ".contract.hash"));
  if (!j.contains("invoices") || !j["invoices"].is_array()) {
    return Status::Invalid(path + ".invoices: a list required");
  }
  for (size_t i = 0; i < j["invoices"].size(); ++i) {
    const json& ij = j["invoices"][i];
    std::string what = path + ".invoices[" + std::to_string(i) + "]";
    if (!ij.is_object()) return Status::Invalid(what + ": an object");
    client::FinInvoice inv;
    TM_ASSIGN_OR_RETURN(inv.number, JStr(ij, "number", what));
    TM_ASSIGN_OR_RETURN(inv.amount, JAmount(ij, "amount", what, false));
    TM_ASSIGN_OR_RETURN(inv.tax, JAmount(ij, "tax", what, true));
    TM_ASSIGN_OR_RETURN(inv.date, JStr(ij, "date", what));
    TM_ASSIGN_OR_RETURN(std::string h, JStr(ij, "hash", what));
    TM_ASSIGN_OR_RETURN(inv.hash, DocHash(h, "", what + ".hash"));
    d.r.invoices.push_back(inv);
  }
  TM_ASSIGN_OR_RETURN(d.r.issue_date, JStr(j, "issue_date", path));
  TM_ASSIGN_OR_RETURN(d.r.due_date, JStr(j, "due_date", path));
  if (j.contains("refs")) {
    if (!j["refs"].is_array()) return Status::Invalid(path + ".refs: a list");
    for (const json& rj : j["refs"]) {
      if (!rj.is_object()) return Status::Invalid(path + ".refs: objects {type, id}");
      client::FinRef ref;
      TM_ASSIGN_OR_RETURN(ref.type, JStr(rj, "type", path + ".refs[]"));
      TM_ASSIGN_OR_RETURN(ref.id, JStr(rj, "id", path + ".refs[]"));
      d.r.refs.push_back(ref);
    }
  }
  if (j.contains("require_delivery")) {
    if (!j["require_delivery"].is_boolean()) {
      return Status::Invalid(path + ".require_delivery: true or false");
    }
    d.r.require_delivery = j["require_delivery"].get<bool>();
  }
  return d;
}

// The invoice flags of `fin fingerprint` / `check` (creditor, debtor, number, amount, date).
void AddInvoiceKeyOptions(CLI::App* cmd, FinArgs& a) {
  cmd->add_option("--invoice", a.invoice_file, "Invoice JSON file (see `fin register --help`)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--creditor", a.creditor, "The issuing organisation (org id)");
  cmd->add_option("--debtor", a.debtor, "The invoiced organisation (org id)");
  cmd->add_option("--number", a.number, "Invoice number as printed (normalised here)");
  cmd->add_option("--amount", a.amount, "Invoice amount in minor units (cents)");
  cmd->add_option("--date", a.date, "Invoice date YYYY-MM-DD");
}

// The invoices whose fingerprints `fingerprint` / `check` compute: from the file or the flags.
Result<std::vector<InvoiceFields>> InvoiceKeyFields(const FinArgs& a) {
  std::vector<InvoiceFields> out;
  if (!a.invoice_file.empty()) {
    if (!a.debtor.empty() || !a.number.empty() || !a.amount.empty() || !a.date.empty()) {
      return Status::Invalid("give the invoice as --invoice FILE or as flags, not both");
    }
    TM_ASSIGN_OR_RETURN(InvoiceDoc d, InvoiceFromFile(a.invoice_file));
    std::string creditor = a.creditor.empty() ? d.creditor : a.creditor;
    if (creditor.empty()) return Status::Invalid("--creditor or the file's creditor: required");
    if (!d.creditor.empty() && creditor != d.creditor) {
      return Status::Invalid("--creditor " + a.creditor + " differs from the file's " + d.creditor);
    }
    for (const auto& inv : d.r.invoices) {
      out.push_back(InvoiceFields{.creditor = creditor,
                                  .debtor = d.r.debtor,
                                  .number = inv.number,
                                  .amount = inv.amount,
                                  .date = inv.date});
    }
  } else {
    for (auto [v, name] : {std::pair{&a.creditor, "--creditor"},
                           {&a.debtor, "--debtor"},
                           {&a.number, "--number"},
                           {&a.amount, "--amount"},
                           {&a.date, "--date"}}) {
      if (v->empty()) return Status::Invalid(std::string(name) + ": required (or --invoice FILE)");
    }
    TM_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(a.amount, "--amount", false));
    out.push_back(InvoiceFields{.creditor = a.creditor,
                                .debtor = a.debtor,
                                .number = a.number,
                                .amount = amount,
                                .date = a.date});
  }
  for (auto& f : out) {
    for (std::string* org : {&f.creditor, &f.debtor}) {  // §3: upper case is folded
      for (char& c : *org) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    TM_RETURN_IF_ERROR(CheckOrg(f.creditor, "creditor"));
    TM_RETURN_IF_ERROR(CheckOrg(f.debtor, "debtor"));
    TM_RETURN_IF_ERROR(InvoiceFingerprint(f).status());
  }
  return out;
}

struct Hashed {
  InvoiceFields f;
  std::string normalised;
  InvoiceHashes h;
};

Result<std::vector<Hashed>> HashAll(const std::vector<InvoiceFields>& fields) {
  std::vector<Hashed> out;
  for (const auto& f : fields) {
    TM_ASSIGN_OR_RETURN(InvoiceHashes h, InvoiceFingerprint(f));
    TM_ASSIGN_OR_RETURN(std::string n, NormaliseInvoiceNumber(f.number));
    out.push_back(Hashed{f, n, h});
  }
  return out;
}

Status DoFingerprint(Context& ctx, const std::vector<InvoiceFields>& fields) {
  TM_ASSIGN_OR_RETURN(std::vector<Hashed> all, HashAll(fields));
  ordered_json arr = ordered_json::array();
  std::string text;
  for (const Hashed& x : all) {
    arr.push_back({{"creditor", x.f.creditor},
                   {"debtor", x.f.debtor},
                   {"number", x.f.number},
                   {"normalised_number", x.normalised},
                   {"amount", x.f.amount},
                   {"date", x.f.date},
                   {"fingerprint", x.h.fingerprint.Hex()},
                   {"invoice_key", x.h.invoice_key.Hex()}});
    text += (text.empty() ? "" : "\n") + std::string("invoice ") + x.normalised + " (" +
            x.f.creditor + " -> " + x.f.debtor + ", " + std::to_string(x.f.amount) + ", " +
            x.f.date + ")\n  fingerprint: " + x.h.fingerprint.Hex() +
            "\n  invoice_key: " + x.h.invoice_key.Hex();
  }
  ctx.Emit({{"invoices", arr}}, text);
  return Status::Ok();
}

// The register flags (one invoice) or --invoice FILE.
Result<InvoiceDoc> RegisterDoc(const FinArgs& a) {
  bool flags = !a.debtor.empty() || !a.currency.empty() || !a.contract_number.empty() ||
               !a.number.empty() || !a.amount.empty() || !a.date.empty() || !a.due_date.empty() ||
               !a.refs.empty() || a.require_delivery || !a.contract_hash.empty() ||
               !a.contract_doc.empty() || !a.invoice_hash.empty() || !a.invoice_doc.empty() ||
               !a.issue_date.empty() || a.tax != "0" || !a.creditor.empty();
  InvoiceDoc d;
  if (!a.invoice_file.empty()) {
    if (flags) return Status::Invalid("give the invoice as --invoice FILE or as flags, not both");
    TM_ASSIGN_OR_RETURN(d, InvoiceFromFile(a.invoice_file));
  } else {
    for (auto [v, name] : {std::pair{&a.debtor, "--debtor"},
                           {&a.currency, "--currency"},
                           {&a.contract_number, "--contract-number"},
                           {&a.number, "--number"},
                           {&a.amount, "--amount"},
                           {&a.date, "--date"},
                           {&a.due_date, "--due-date"}}) {
      if (v->empty()) return Status::Invalid(std::string(name) + ": required (or --invoice FILE)");
    }
    d.creditor = a.creditor;
    d.r.debtor = a.debtor;
    d.r.currency = a.currency;
    d.r.contract_number = a.contract_number;
    TM_ASSIGN_OR_RETURN(d.r.contract_hash,
                        DocHash(a.contract_hash, a.contract_doc, "--contract-hash/--contract-doc"));
    client::FinInvoice inv{.number = a.number, .date = a.date};
    TM_ASSIGN_OR_RETURN(inv.amount, ParseAmount(a.amount, "--amount", false));
    TM_ASSIGN_OR_RETURN(inv.tax, ParseAmount(a.tax, "--tax", true));
    TM_ASSIGN_OR_RETURN(inv.hash,
                        DocHash(a.invoice_hash, a.invoice_doc, "--invoice-hash/--invoice-doc"));
    d.r.invoices.push_back(inv);
    d.r.issue_date = a.issue_date.empty() ? a.date : a.issue_date;
    d.r.due_date = a.due_date;
    for (const std::string& ref : a.refs) {
      size_t colon = ref.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == ref.size()) {
        return Status::Invalid("--ref \"" + ref + "\": expected TYPE:ID (e.g. po:urn:...:PO-1)");
      }
      d.r.refs.push_back(client::FinRef{ref.substr(0, colon), ref.substr(colon + 1)});
    }
    d.r.require_delivery = a.require_delivery;
  }
  TM_RETURN_IF_ERROR(CheckReceivable(d));
  return d;
}

// The signer's organisation, from its key record on the ledger.
Result<std::string> SignerOrg(client::LedgerClient& c, const KeyPair& key) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec,
                      c.ReadValue(state_keys::identity::Key(key.public_key())));
  const Value* org = rec ? rec->Find("org") : nullptr;
  if (org == nullptr || !org->is_string()) {
    return Status::PermissionDenied("the key " + key.public_key().Hex() +
                                    " is not enrolled on this ledger");
  }
  return org->as_string();
}

Status DoRegister(Context& ctx, const SignerOptions& signer, const InvoiceDoc& doc) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(std::string org, SignerOrg(c, key));
  if (!doc.creditor.empty() && doc.creditor != org) {
    return Status::FailedPrecondition("the invoice's creditor is " + doc.creditor +
                                      " but the key signs for " + org + "; nothing was sent");
  }
  if (org == doc.r.debtor) {
    return Status::FailedPrecondition("the debtor " + org +
                                      " is the signer's own organisation (rule fin-parties); "
                                      "nothing was sent");
  }
  ordered_json fps = ordered_json::array();
  for (const auto& inv : doc.r.invoices) {
    TM_ASSIGN_OR_RETURN(InvoiceHashes h, InvoiceFingerprint({.creditor = org,
                                                             .debtor = doc.r.debtor,
                                                             .number = inv.number,
                                                             .amount = inv.amount,
                                                             .date = inv.date}));
    fps.push_back(h.fingerprint.Hex());
  }
  TM_ASSIGN_OR_RETURN(client::TxOutcome out, client::FinRegister(c, key, doc.r));
  return ReportOutcome(ctx, out,
                       {{"receivable", client::ReceivableIdOf(out.id)}, {"fingerprints", fps}});
}

// A 64-hex reason hash from --reason TEXT, --reason-file FILE or --reason-hash HEX.
Result<std::string> ReasonHash(const FinArgs& a) {
  int given = int{!a.reason.empty()} + int{!a.reason_file.empty()} + int{!a.reason_hash.empty()};
  if (given != 1) {
    return Status::Invalid(
        "give exactly one of --reason TEXT, --reason-file FILE or --reason-hash HEX (only the "
        "SHA-256 goes on the ledger)");
  }
  if (!a.reason.empty()) return Sha256(AsBytes(a.reason)).Hex();
  return DocHash(a.reason_hash, a.reason_file, "--reason-hash/--reason-file");
}

Result<std::vector<int64_t>> ParseAmounts(const std::string& list) {
  std::vector<std::string> parts = SplitList(list);
  if (parts.size() < 2 || parts.size() > 16 ||
      std::count(list.begin(), list.end(), ',') + 1 != static_cast<long>(parts.size())) {
    return Status::Invalid("--amounts: 2 to 16 amounts in minor units, comma-separated, got '" +
                           list + "'");
  }
  std::vector<int64_t> out;
  for (const auto& p : parts) {
    TM_ASSIGN_OR_RETURN(int64_t v, ParseAmount(p, "--amounts", false));
    out.push_back(v);
  }
  return out;
}

// ---- reads ----

Result<ordered_json> ParseOrdered(const std::string& body) {
  ordered_json j = ordered_json::parse(body, nullptr, false);
  if (j.is_discarded()) return Status::Invalid("the node's answer is not JSON");
  return j;
}

// A field as text: strings bare, lists of strings joined by ",", anything else as JSON.
std::string S(const ordered_json& j, const char* f) {
  if (!j.is_object() || !j.contains(f)) return "";
  const ordered_json& v = j[f];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() &&
      std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_string(); })) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ",") + x.get<std::string>();
    return out;
  }
  return v.dump();
}

std::string ReceivableText(const ordered_json& rec, bool overdue) {
  std::string text = S(rec, "id") + "  " + S(rec, "state") + "  " + S(rec, "creditor") + " -> " +
                     S(rec, "debtor") + "  " + S(rec, "amount") + " " + S(rec, "currency") +
                     " (minor units)  issued " + S(rec, "issue_date") + ", due " +
                     S(rec, "due_date");
  if (overdue) text += "  OVERDUE";
  if (rec.contains("refs") && rec["refs"].is_array() && !rec["refs"].empty()) {
    text += "\nrefs:";
    for (const auto& r : rec["refs"]) text += " " + S(r, "type") + ":" + S(r, "id");
    if (rec.value("require_delivery", false)) text += "  (delivery evidence required)";
  }
  if (rec.contains("parts") && rec["parts"].is_object()) {
    text += "\nparts:";
    for (const auto& [pid, p] : rec["parts"].items()) {
      size_t depth = std::count(pid.begin(), pid.end(), '.');
      text += "\n  " + std::string(2 * depth, ' ') + pid + "  " + S(p, "state") + "  " +
              S(p, "amount") + "  held by " + S(p, "holder");
      if (p.contains("encumbrance") && p["encumbrance"].is_object()) {
        const auto& e = p["encumbrance"];
        text += "  [" + S(e, "kind") + " " + S(e, "amount") + " by " + S(e, "financier") + ", " +
                S(e, "state") + "]";
      }
      if (p.contains("offer") && p["offer"].is_object()) {
        const auto& o = p["offer"];
        text += "  [offered: " + S(o, "kind") + " " + S(o, "amount") + " to " + S(o, "bank") + "]";
      }
    }
  }
  if (rec.contains("settled") && rec["settled"].is_object()) {
    text += "\nsettled at height " + S(rec["settled"], "height") + ", paid to:";
    for (const auto& p : rec["settled"].value("payees", ordered_json::array())) {
      text += "\n  " + S(p, "org") + "  " + S(p, "amount") + "  (" + S(p, "as") + ", part " +
              S(p, "part") + ")";
    }
  }
  return text;
}

Result<TrustAnchor> CheckTrust(client::LedgerClient& c, const std::string& genesis_file,
                               bool* from_node);

// The record in an answer: {"receivable": {...}, ...} or the record itself.
const ordered_json& RecordOf(const ordered_json& answer) {
  if (answer.contains("receivable") && answer["receivable"].is_object()) {
    return answer["receivable"];
  }
  return answer;
}

Status DoShow(Context& ctx, const SignerOptions& signer, const std::string& id, bool proof,
              const std::string& genesis_file) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(std::string body, c.FinReceivable(key, id, proof));
  TM_ASSIGN_OR_RETURN(ordered_json j, ParseOrdered(body));
  std::string text = ReceivableText(RecordOf(j), j.value("overdue", false));
  if (proof) {
    bool from_node = false;
    TM_ASSIGN_OR_RETURN(TrustAnchor trust, CheckTrust(c, genesis_file, &from_node));
    auto v = VerifyReceivableAnswer(json::parse(body), trust, id);
    if (!v.ok()) {
      return v.status().WithContext("the node's answer for " + id +
                                    " does not verify; do not rely on it");
    }
    j["verified"] = true;
    text += "\nverified: the record is proven at height " + std::to_string(v->proof.height) + " (" +
            std::to_string(v->proof.signers.size()) + " validator signatures)";
    if (from_node) text += "\ntrust anchor: the node's /v1/genesis (--genesis FILE: yours)";
  }
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoHistory(Context& ctx, const SignerOptions& signer, const std::string& id) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(std::string body, c.FinHistory(key, id));
  TM_ASSIGN_OR_RETURN(ordered_json j, ParseOrdered(body));
  const ordered_json* list = j.is_array() ? &j : nullptr;
  for (const char* f : {"history", "entries", "items"}) {
    if (!list && j.contains(f) && j[f].is_array()) list = &j[f];
  }
  std::string text;
  if (list) {
    for (const auto& e : *list) {
      ordered_json rest = e;
      for (const char* f : {"seq", "height", "time_ms", "tx", "action", "org"}) rest.erase(f);
      text += (text.empty() ? "" : "\n") + S(e, "seq") + "  height " + S(e, "height") + "  " +
              S(e, "action") + " by " + S(e, "org") + (rest.empty() ? "" : "  " + rest.dump());
    }
  }
  if (text.empty()) text = "(no history entries)";
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoList(Context& ctx, const SignerOptions& signer, const std::string& org,
              const std::string& cursor) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(std::string body, c.FinPartyReceivables(key, org, cursor));
  TM_ASSIGN_OR_RETURN(ordered_json j, ParseOrdered(body));
  std::string text;
  size_t n = 0;
  for (const char* f : {"receivables", "items"}) {
    if (!j.contains(f) || !j[f].is_array()) continue;
    for (const auto& r : j[f]) {
      ++n;
      text += (text.empty() ? "" : "\n") +
              (r.is_string()
                   ? r.get<std::string>()
                   : S(r, "id") + "  " + S(r, "state") + "  " + S(r, "amount") + " " +
                         S(r, "currency") + "  due " + S(r, "due_date") + "  as " + S(r, "roles"));
    }
    break;
  }
  text += (text.empty() ? "" : "\n") + std::to_string(n) + " receivable(s)";
  std::string next = S(j, "next_cursor");
  if (!next.empty() && next != "null") text += "\nmore: --cursor " + next;
  ctx.Emit(j, text);
  return Status::Ok();
}

// The trust anchor of `check`: --genesis FILE (a network genesis.json or a saved /v1/genesis
// answer), else the node's /v1/genesis (then the answer is only as good as that node's claim).
Result<TrustAnchor> CheckTrust(client::LedgerClient& c, const std::string& genesis_file,
                               bool* from_node) {
  *from_node = genesis_file.empty();
  json g;
  if (!genesis_file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string text, ReadWhole(genesis_file));
    g = json::parse(text, nullptr, false);
    if (g.is_discarded()) return Status::Invalid(genesis_file + ": not JSON");
    if (g.contains("orgs")) {
      TM_ASSIGN_OR_RETURN(contracts::Genesis gen, contracts::Genesis::FromJson(g));
      return TrustAnchor{.chain_id = gen.chain_id, .genesis = gen.Validators()};
    }
  } else {
    TM_ASSIGN_OR_RETURN(client::HttpResponse r, c.http().Get("/v1/genesis"));
    g = json::parse(r.body, nullptr, false);
    if (r.status != 200 || g.is_discarded()) {
      return Status::Unavailable("GET /v1/genesis: HTTP " + std::to_string(r.status));
    }
  }
  return TrustFromGenesisJson(g);
}

Status DoCheck(Context& ctx, const SignerOptions& signer, const std::vector<InvoiceFields>& fields,
               const std::string& genesis_file) {
  TM_ASSIGN_OR_RETURN(std::vector<Hashed> all, HashAll(fields));
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  bool from_node = false;
  TM_ASSIGN_OR_RETURN(TrustAnchor trust, CheckTrust(c, genesis_file, &from_node));
  ordered_json arr = ordered_json::array();
  std::string text;
  for (const Hashed& x : all) {
    TM_ASSIGN_OR_RETURN(std::string body, c.FinCheck(key, x.h.fingerprint, x.h.invoice_key));
    json answer = json::parse(body, nullptr, false);
    if (answer.is_discarded()) return Status::Invalid("the node's check answer is not JSON");
    auto v = VerifyFinCheckAnswer(answer, trust, x.h.fingerprint, x.h.invoice_key);
    if (!v.ok()) {
      return v.status().WithContext("the node's answer for invoice " + x.normalised +
                                    " does not verify; do not rely on it");
    }
    arr.push_back({{"number", x.normalised},
                   {"fingerprint", x.h.fingerprint.Hex()},
                   {"invoice_key", x.h.invoice_key.Hex()},
                   {"state", v->state},
                   {"verified", true},
                   {"height", v->proof.height},
                   {"answer", answer}});
    text += (text.empty() ? "" : "\n") + std::string("invoice ") + x.normalised + ": " + v->state +
            "  (verified: proof at height " + std::to_string(v->proof.height) + ")" +
            "\n  fingerprint: " + x.h.fingerprint.Hex() +
            "\n  invoice_key: " + x.h.invoice_key.Hex();
  }
  if (from_node) {
    text += "\ntrust anchor: the node's /v1/genesis (pass --genesis FILE to check against yours)";
  }
  ctx.Emit({{"invoices", arr}, {"trust_from_node", from_node}}, text);
  return Status::Ok();
}

// A read command: checks the key options at parse time, then runs `action`.
void OnRead(CLI::App* cmd, Context& ctx, std::shared_ptr<SignerOptions> signer,
            std::function<Status()> check, std::function<Status()> action) {
  cmd->callback([&ctx, signer, check, action] {
    UsageCheck(CheckSignerOptions(*signer));
    UsageCheck(check());
    ctx.SetAction(action);
  });
}

}  // namespace

void RegisterFinCommands(CLI::App& app, Context& ctx) {
  auto* fin = app.add_subcommand(
      "fin",
      "Supply-chain finance: receivables registered from invoices, confirmed by the debtor, "
      "split, transferred, financed once by a bank, settled (docs/finance.md)");
  fin->require_subcommand(1);
  auto a = std::make_shared<FinArgs>();
  auto signer = std::make_shared<SignerOptions>();

  auto* fp = fin->add_subcommand(
      "fingerprint", "Compute an invoice's fingerprint and invoice key here (nothing is sent)");
  AddInvoiceKeyOptions(fp, *a);
  fp->callback([&ctx, a] {
    auto fields = InvoiceKeyFields(*a);
    UsageCheck(fields.status());
    auto f = *fields;
    ctx.SetAction([&ctx, f] { return DoFingerprint(ctx, f); });
  });

  auto* reg = fin->add_subcommand(
      "register",
      "Register a receivable from invoices (a key of the creditor org). The invoice as "
      "--invoice FILE (JSON: the register args plus \"creditor\"; see docs/finance.md, CLI) or "
      "as flags for one invoice");
  reg->add_option("--invoice", a->invoice_file, "Invoice JSON file")->check(CLI::ExistingFile);
  reg->add_option("--creditor", a->creditor,
                  "Your organisation (optional; checked against the signer's)");
  reg->add_option("--debtor", a->debtor, "The invoiced organisation (org id)");
  reg->add_option("--currency", a->currency, "ISO 4217 code, e.g. CNY");
  reg->add_option("--contract-number", a->contract_number, "The underlying contract's number");
  reg->add_option("--contract-hash", a->contract_hash, "SHA-256 of the contract document (hex)");
  reg->add_option("--contract-doc", a->contract_doc, "The contract document (hashed here)")
      ->check(CLI::ExistingFile);
  reg->add_option("--number", a->number, "Invoice number");
  reg->add_option("--amount", a->amount, "Invoice amount in minor units (cents)");
  reg->add_option("--tax", a->tax, "Tax in minor units")->capture_default_str();
  reg->add_option("--date", a->date, "Invoice date YYYY-MM-DD");
  reg->add_option("--invoice-hash", a->invoice_hash, "SHA-256 of the invoice document (hex)");
  reg->add_option("--invoice-doc", a->invoice_doc, "The invoice document (hashed here)")
      ->check(CLI::ExistingFile);
  reg->add_option("--issue-date", a->issue_date, "Issue date YYYY-MM-DD (default: --date)");
  reg->add_option("--due-date", a->due_date, "Due date YYYY-MM-DD (at most 366 days on)");
  reg->add_option("--ref", a->refs,
                  "TYPE:ID of a PO / despatch advice as in the EPCIS bizTransactionList "
                  "(repeat), e.g. po:urn:epcglobal:cbv:bt:6901234000017:PO-88121");
  reg->add_flag("--require-delivery", a->require_delivery,
                "The debtor may confirm only once its receiving / accepting event naming a ref "
                "is on the ledger");
  AddSignerOptions(reg, *signer);
  reg->callback([&ctx, a, signer] {
    UsageCheck(CheckSignerOptions(*signer));
    auto doc = RegisterDoc(*a);
    UsageCheck(doc.status());
    InvoiceDoc d = *doc;
    ctx.SetAction([&ctx, signer, d] { return DoRegister(ctx, *signer, d); });
  });

  // The methods that take a receivable id.
  struct ByIdCmd {
    const char* name;
    const char* method;
    const char* help;
    bool reason;
  };
  for (const ByIdCmd& m : {
           ByIdCmd{"confirm", "confirm",
                   "Confirm: the debtor's irrevocable payment undertaking (the debtor)", false},
           ByIdCmd{"dispute", "dispute", "Dispute a registered receivable (the debtor)", true},
           ByIdCmd{"resolve", "resolve", "Resolve a dispute: back to REGISTERED (the creditor)",
                   false},
           ByIdCmd{"reject", "reject", "Reject a receivable for good (the debtor)", true},
           ByIdCmd{"cancel", "cancel",
                   "Cancel a receivable never split, transferred or financed (the creditor)",
                   false},
           ByIdCmd{"settle", "settle",
                   "Record payment: the ledger computes the payees (the debtor)", false},
       }) {
    auto* cmd = fin->add_subcommand(m.name, m.help);
    cmd->add_option("id", a->id, "Receivable id (rcv_...)")->required();
    if (m.reason) {
      cmd->add_option("--reason", a->reason, "Why (only its SHA-256 is recorded)");
      cmd->add_option("--reason-file", a->reason_file, "A document saying why (hashed here)")
          ->check(CLI::ExistingFile);
      cmd->add_option("--reason-hash", a->reason_hash, "SHA-256 of the reason document (hex)");
    }
    AddSignerOptions(cmd, *signer);
    bool reason = m.reason;
    OnSubmit(cmd, ctx, signer, "fin", m.method, [a, reason]() -> Result<Value> {
      TM_RETURN_IF_ERROR(CheckReceivableId(a->id));
      Value::Map args{{"id", a->id}};
      if (reason) {
        TM_ASSIGN_OR_RETURN(std::string h, ReasonHash(*a));
        args["reason_hash"] = h;
      }
      return Value(args);
    });
  }

  auto* split = fin->add_subcommand(
      "split", "Split a part you hold into 2-16 parts adding up to it (the holder)");
  split->add_option("part", a->id, "Part id (rcv_...[.k...])")->required();
  split->add_option("--amounts", a->amounts, "The parts' amounts, e.g. 750000,500000")->required();
  AddSignerOptions(split, *signer);
  OnSubmit(split, ctx, signer, "fin", "split", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckPartId(a->id));
    TM_ASSIGN_OR_RETURN(std::vector<int64_t> amounts, ParseAmounts(a->amounts));
    return Value::MakeMap(
        {{"part", a->id}, {"amounts", Value(Value::List(amounts.begin(), amounts.end()))}});
  });

  auto* transfer = fin->add_subcommand(
      "transfer", "Transfer a part you hold to another organisation, e.g. a sub-tier supplier");
  transfer->add_option("part", a->id, "Part id")->required();
  transfer->add_option("--to", a->to, "The receiving organisation")->required();
  AddSignerOptions(transfer, *signer);
  OnSubmit(transfer, ctx, signer, "fin", "transfer", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckPartId(a->id));
    TM_RETURN_IF_ERROR(CheckOrg(a->to, "--to"));
    return Value::MakeMap({{"part", a->id}, {"to", a->to}});
  });

  auto* offer = fin->add_subcommand(
      "offer", "Offer a part you hold to a bank for financing (the holder; the bank accepts)");
  offer->add_option("part", a->id, "Part id")->required();
  offer->add_option("--bank", a->bank, "The bank's organisation")->required();
  offer->add_option("--kind", a->kind, "pledge, factoring_recourse or factoring_nonrecourse")
      ->required()
      ->check(CLI::IsMember({"pledge", "factoring_recourse", "factoring_nonrecourse"}));
  offer->add_option("--amount", a->amount, "Financed amount in minor units (<= the part's)")
      ->required();
  AddSignerOptions(offer, *signer);
  OnSubmit(offer, ctx, signer, "fin", "offer_finance", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckPartId(a->id));
    TM_RETURN_IF_ERROR(CheckOrg(a->bank, "--bank"));
    TM_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(a->amount, "--amount", false));
    return Value::MakeMap(
        {{"part", a->id}, {"bank", a->bank}, {"kind", a->kind}, {"amount", amount}});
  });

  struct ByPartCmd {
    const char* name;
    const char* method;
    const char* help;
  };
  for (const ByPartCmd& m : {
           ByPartCmd{"withdraw-offer", "withdraw_offer",
                     "Withdraw a pending finance offer (the holder)"},
           ByPartCmd{"accept", "accept_finance",
                     "Accept a finance offer made to your bank (a BANK key of that bank)"},
           ByPartCmd{"release", "release", "Release your encumbrance on repayment (the financier)"},
       }) {
    auto* cmd = fin->add_subcommand(m.name, m.help);
    cmd->add_option("part", a->id, "Part id")->required();
    AddSignerOptions(cmd, *signer);
    OnSubmit(cmd, ctx, signer, "fin", m.method, [a]() -> Result<Value> {
      TM_RETURN_IF_ERROR(CheckPartId(a->id));
      return Value::MakeMap({{"part", a->id}});
    });
  }

  auto* show = fin->add_subcommand(
      "show", "Show a receivable: parts, holders, encumbrances, settlement (parties only)");
  show->add_option("id", a->id, "Receivable id")->required();
  show->add_flag("--proof", a->proof, "Ask for the proof bundle and verify it here");
  show->add_option("--genesis", a->genesis,
                   "Trust anchor for --proof: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  AddSignerOptions(show, *signer);
  OnRead(
      show, ctx, signer, [a] { return CheckReceivableId(a->id); },
      [&ctx, a, signer] { return DoShow(ctx, *signer, a->id, a->proof, a->genesis); });

  auto* history = fin->add_subcommand("history", "A receivable's history (parties only)");
  history->add_option("id", a->id, "Receivable id")->required();
  AddSignerOptions(history, *signer);
  OnRead(
      history, ctx, signer, [a] { return CheckReceivableId(a->id); },
      [&ctx, a, signer] { return DoHistory(ctx, *signer, a->id); });

  auto* list = fin->add_subcommand(
      "list", "The receivables an organisation is a party of (its own keys, or the regulator)");
  list->add_option("--org", a->org, "Organisation id")->required();
  list->add_option("--cursor", a->cursor, "Continue after a previous page");
  AddSignerOptions(list, *signer);
  OnRead(
      list, ctx, signer, [a] { return CheckOrg(a->org, "--org"); },
      [&ctx, a, signer] { return DoList(ctx, *signer, a->org, a->cursor); });

  auto* check = fin->add_subcommand(
      "check",
      "Before lending (a BANK key): compute the invoice's fingerprint and invoice key here, ask "
      "the ledger whether it is free, registered, encumbered or closed, and verify the proof");
  AddInvoiceKeyOptions(check, *a);
  check
      ->add_option("--genesis", a->genesis,
                   "Trust anchor: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  AddSignerOptions(check, *signer);
  check->callback([&ctx, a, signer] {
    UsageCheck(CheckSignerOptions(*signer));
    auto fields = InvoiceKeyFields(*a);
    UsageCheck(fields.status());
    auto f = *fields;
    std::string genesis = a->genesis;
    ctx.SetAction([&ctx, signer, f, genesis] { return DoCheck(ctx, *signer, f, genesis); });
  });
}

}  // namespace tidemark::cli
