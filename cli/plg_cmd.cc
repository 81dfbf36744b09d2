// `tidemark ip|equity|wr|plg|reg ...`: the pledge registry (docs/finance.md §12-§17) — IP assets
// and pledges, equity holdings and pledges, warehouse receipts, their signed reads and the
// regulator's alerts and export. Every argument is checked here before anything is sent (a bad
// one exits 2 naming the flag); writes are `plg` txs signed with --key / --key-file (args built
// by the SDK's builders, contract_calls.h), waiting for the final receipt; reads are signed REST
// reads (docs/api.md §Pledge registry and regulator) with the same key options.
//
//   tidemark ip asset-register --kind invention --number ZL2024100001.1 --title Pump
//       --owner acme --filing-date 2024-01-02 --grant-date 2025-03-04 --expiry-date 2044-01-02
//       --annuity-paid-until 2027-01-02 --key-file cnipa.json               (an IP_REGISTRY key)
//   tidemark ip apply --asset invention:ZL2024100001.1 --pledgee bank --debt-amount 5000000
//       --currency CNY --debt-start 2026-12-01 --debt-due 2027-12-01 --contract-doc loan.pdf
//       --key-file acme.json                                 (an owner; prints the ipp_ id)
//   tidemark ip accept ipp_0a1b2c3d4e5f60718293 --key-file bank.json          (the pledgee)
//   tidemark ip register ipp_0a1b2c3d4e5f60718293 --registration-no Y2026990001 (the registry)
//   tidemark equity holding --org acme --uscc 91350100M000100Y43 --company "Acme Ltd"
//       --amount 1000000 --key-file samr.json                                 (the registrar)
//   tidemark equity apply --uscc 91350100M000100Y43 --pledgee bank --amount 400000
//       --debt-amount 2000000 --currency CNY --debt-due 2027-12-01 --contract-hash <64 hex>
//   tidemark wr issue --item urn:epc:id:sgtin:6901234.000017.1 --depositor acme   (a warehouse)
//   tidemark wr offer wr_0a1b2c3d4e5f60718293 --bank bank --amount 900000 --currency CNY
//       --debt-due 2027-06-01                                                  (the holder)
//   tidemark wr release wr_0a1b2c3d4e5f60718293 --quantity 10                  (the bank)
//   tidemark plg show ipp_0a1b2c3d4e5f60718293    tidemark plg history ...   plg list --org acme
//   tidemark plg gazette Y2026990001              (public: no key)
//   tidemark reg alerts --key-file regulator.json
//   tidemark reg export --from 2026-12-01 --to 2026-12-31 --format csv --out dec.csv
#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "commands.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/hash.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/trace_answer.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

using nlohmann::ordered_json;

// Everything the plg commands take (one command runs per process).
struct PlgArgs {
  std::string id;  // the positional ASSET / PLEDGE / RECEIPT / ID / REGISTRATION_NO
  // IP assets.
  std::string kind, number, title, filing_date, grant_date, expiry_date, annuity_paid_until;
  std::string status;
  std::vector<std::string> owners, to;
  std::string asset, licensee, action;
  // Pledges.
  std::string pledgee, debt_amount, currency, debt_start, debt_due, contract_hash, contract_doc;
  std::string application_hash, application_doc, registration_no;
  std::string reason, reason_file, reason_hash;
  bool acknowledge_invalidation = false, upheld = false, dismissed = false;
  // Equity.
  std::string org, uscc, company, amount;
  bool listed = false;
  // Warehouse receipts.
  std::vector<std::string> items;
  std::string items_file, depositor, description, bank, quantity, to_org;
  // Reads.
  std::string cursor, limit, from_height, from, until, format = "json", out_file, genesis;
  bool proof = false;
};

// A 64-hex document hash (upper case folded), or the SHA-256 of `file`; exactly one is needed.
Result<std::string> DocHash(const std::string& hex, const std::string& file,
                            const std::string& what) {
  if (!hex.empty() && !file.empty()) {
    return Status::Invalid(what + ": give the hash or the document, not both");
  }
  if (hex.empty() && file.empty()) {
    return Status::Invalid(what + ": required (only the document's SHA-256 goes on the ledger)");
  }
  if (!file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string body, ReadWhole(file));
    return Sha256(AsBytes(body)).Hex();
  }
  std::string h = hex;
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!IsLowerHex(h, 64)) {
    return Status::Invalid(what + ": 64 hex digits (SHA-256), got '" + hex + "'");
  }
  return h;
}

// Minor units (or shares): decimal digits only, 1..10^15.
Result<int64_t> ParseAmount(const std::string& text, const std::string& what) {
  bool digits = !text.empty() && text.size() <= 16 &&
                text.find_first_not_of("0123456789") == std::string::npos && text[0] != '0';
  if (!digits) {
    return Status::Invalid(what + ": a positive integer in minor units, digits only, got '" + text +
                           "'");
  }
  int64_t v = std::stoll(text);
  if (v > kMaxFinAmount) return Status::Invalid(what + ": at most 10^15, got " + text);
  return v;
}

Status CheckOrg(const std::string& org, const std::string& what) {
  return contracts::IsValidOrgId(org)
             ? Status::Ok()
             : Status::Invalid(what + ": an organisation id ([a-z0-9_-]{1,64}), got '" + org + "'");
}

// Organisation ids, 1..max, none twice; sorted (the contract keeps owners sorted, and a pledgee's
// consent to a transfer names the new owners sorted and joined by ",").
Result<std::vector<std::string>> CheckOrgs(std::vector<std::string> orgs, const std::string& what,
                                           size_t max) {
  if (orgs.empty() || orgs.size() > max) {
    return Status::Invalid(what + ": 1 to " + std::to_string(max) + " organisations");
  }
  for (const auto& o : orgs) TM_RETURN_IF_ERROR(CheckOrg(o, what));
  std::sort(orgs.begin(), orgs.end());
  if (std::adjacent_find(orgs.begin(), orgs.end()) != orgs.end()) {
    return Status::Invalid(what + ": an organisation is listed twice");
  }
  return orgs;
}

Status CheckDate(const std::string& d, const std::string& what) {
  return IsIsoDate(d) ? Status::Ok()
                      : Status::Invalid(what + ": a date YYYY-MM-DD, got '" + d + "'");
}

Status CheckOptDate(const std::string& d, const std::string& what) {
  return d.empty() ? Status::Ok() : CheckDate(d, what);
}

Status CheckCurrency(const std::string& c) {
  bool ok = c.size() == 3;
  for (char ch : c) ok = ok && ch >= 'A' && ch <= 'Z';
  return ok ? Status::Ok()
            : Status::Invalid("--currency: an ISO 4217 code like CNY, got '" + c + "'");
}

// Printable text of 1..max bytes (no control characters), as the contract's string args.
Status CheckText(const std::string& s, const std::string& what, size_t max) {
  if (s.empty() || s.size() > max) {
    return Status::Invalid(what + ": 1 to " + std::to_string(max) + " bytes");
  }
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return Status::Invalid(what + ": control characters are not allowed");
    }
  }
  return Status::Ok();
}

// "<prefix>_" + 20 lower-case hex digits (docs/finance.md §12).
Status CheckRecordId(const std::string& id, const std::string& prefix, const std::string& what) {
  bool ok = id.size() == prefix.size() + 21 && id.rfind(prefix + "_", 0) == 0 &&
            IsLowerHex(id.substr(prefix.size() + 1), 20);
  return ok ? Status::Ok()
            : Status::Invalid(what + ": a " + prefix + "_<20 hex digits> id, got '" + id + "'");
}

// Any record: ipp_, eqp_ or wr_.
bool IsIpKind(const std::string& k) {
  return std::any_of(std::begin(client::kIpKinds), std::end(client::kIpKinds),
                     [&](const char* x) { return k == x; });
}

std::string IpKinds() {
  std::string out;
  for (const char* k : client::kIpKinds) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

// An IP number: [A-Z0-9.]{1,32} once upper-cased (docs/finance.md §13).
Result<std::string> IpNumber(const std::string& n, const std::string& what) {
  std::string u = n;
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.empty() || u.size() > 32 ||
      u.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.") != std::string::npos) {
    return Status::Invalid(what + ": an IP number of 1-32 characters [A-Z0-9.], got '" + n + "'");
  }
  return u;
}

// The three patent kinds: annuities apply to them only (docs/finance.md §13).
bool IsPatentKind(const std::string& k) {
  return k == "invention" || k == "utility_model" || k == "design";
}

// As plg_ip.cc: grant and expiry not before filing; an annuity date for patents only. `filing`
// empty: not known here (ip asset-update).
Status CheckIpDates(const std::string& kind, const std::string& filing, const std::string& grant,
                    const std::string& expiry, const std::string& annuity) {
  if (!filing.empty() && !grant.empty() && grant < filing) {
    return Status::Invalid("--grant-date: before the filing date " + filing);
  }
  if (!filing.empty() && !expiry.empty() && expiry < filing) {
    return Status::Invalid("--expiry-date: before the filing date " + filing);
  }
  if (!annuity.empty() && !IsPatentKind(kind)) {
    return Status::Invalid(
        "--annuity-paid-until: annuities apply to the patent kinds only "
        "(invention, utility_model, design), not " +
        kind);
  }
  return Status::Ok();
}

// An IP asset id "<kind>:<number>" (the number upper-cased).
Result<std::string> AssetId(const std::string& id, const std::string& what) {
  size_t colon = id.find(':');
  if (colon == std::string::npos || !IsIpKind(id.substr(0, colon))) {
    return Status::Invalid(what + ": an IP asset id <kind>:<number> with kind one of " + IpKinds() +
                           ", got '" + id + "'");
  }
  TM_ASSIGN_OR_RETURN(std::string n, IpNumber(id.substr(colon + 1), what));
  return id.substr(0, colon + 1) + n;
}

// A registration number: [A-Za-z0-9-]{1,64}.
Status CheckRegNo(const std::string& no, const std::string& what) {
  bool ok = !no.empty() && no.size() <= 64;
  for (char c : no) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  return ok ? Status::Ok()
            : Status::Invalid(what + ": a registration number [A-Za-z0-9-]{1,64}, got '" + no +
                              "'");
}

// GB 32100-2015 unified social credit code (docs/finance.md §14).
Status CheckUscc(const std::string& u) {
  static constexpr std::string_view kChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                   29, 25, 13, 8,  24, 10, 30, 28};
  auto bad = [&](const std::string& why) {
    return Status::Invalid("--uscc: '" + u +
                           "' is not a unified social credit code (18 characters of "
                           "0-9A-HJ-NP-RTUW-Y, the last the GB 32100-2015 check character): " +
                           why);
  };
  if (u.size() != 18) return bad(std::to_string(u.size()) + " characters");
  int sum = 0;
  for (size_t i = 0; i < 18; ++i) {
    size_t v = kChars.find(u[i]);
    if (v == std::string_view::npos) {
      return bad("character '" + std::string(1, u[i]) + "' at position " + std::to_string(i + 1));
    }
    if (i < 17) sum += static_cast<int>(v) * kWeights[i];
  }
  char want = kChars[(31 - sum % 31) % 31];
  if (want != u[17]) return bad("the check character should be " + std::string(1, want));
  return Status::Ok();
}

// Any record `plg show` / `plg history` can read: a pledge or receipt id, an IP asset id (its
// number upper-cased, as AssetId) or a holding id eqh:<org>:<uscc>. Returns the id to send.
Result<std::string> AnyRecordId(const std::string& id) {
  for (const char* p : {"ipp", "eqp", "wr"}) {
    if (CheckRecordId(id, p, "ID").ok()) return id;
  }
  if (id.rfind("eqh:", 0) == 0) {
    const size_t colon = id.find(':', 4);
    const std::string org = colon == std::string::npos ? "" : id.substr(4, colon - 4);
    bool ok = !org.empty() && org.size() <= 64;
    for (char ch : org) {
      ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-');
    }
    if (ok && CheckUscc(id.substr(colon + 1)).ok()) return id;
  } else if (auto asset = AssetId(id, "ID"); asset.ok()) {
    return *asset;
  }
  return Status::Invalid(
      "ID: a pledge registry record id (ipp_, eqp_ or wr_ + 20 hex digits), an IP asset id "
      "<kind>:<number> or a holding id eqh:<org>:<uscc>, got '" +
      id + "'");
}

// A reason hash from --reason TEXT, --reason-file FILE or --reason-hash HEX.
Result<std::string> ReasonHash(const PlgArgs& a) {
  int given = int{!a.reason.empty()} + int{!a.reason_file.empty()} + int{!a.reason_hash.empty()};
  if (given != 1) {
    return Status::Invalid(
        "give exactly one of --reason TEXT, --reason-file FILE or --reason-hash HEX (only the "
        "SHA-256 goes on the ledger)");
  }
  if (!a.reason.empty()) return Sha256(AsBytes(a.reason)).Hex();
  return DocHash(a.reason_hash, a.reason_file, "--reason-hash/--reason-file");
}

// Item ids of a receipt: from --item (repeatable, comma-separated) and --items-file (one a line).
Result<std::vector<std::string>> Items(const PlgArgs& a, bool required) {
  std::vector<std::string> out = a.items;
  if (!a.items_file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string text, ReadWhole(a.items_file));
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty()) out.push_back(line);
    }
  }
  if (out.empty()) {
    if (!required) return out;
    return Status::Invalid("--item / --items-file: at least one item id required");
  }
  if (out.size() > 1000) return Status::Invalid("--item: at most 1000 items");
  for (const auto& it : out) TM_RETURN_IF_ERROR(CheckText(it, "--item '" + it + "'", 256));
  return out;
}

// ---- submitting ----

// Registers `cmd` to build its args at parse time (a failure: exit 2, nothing sent), then sign,
// submit `plg.<method>`, wait for the final receipt and print it; `extra` names what the tx made.
using Extra = std::function<ordered_json(const Hash256& tx)>;
void OnPlg(CLI::App* cmd, Context& ctx, std::shared_ptr<SignerOptions> signer, std::string method,
           std::function<Result<Value>()> build, Extra extra = nullptr) {
  cmd->callback([&ctx, signer, method, build, extra] {
    UsageCheck(CheckSignerOptions(*signer));
    Result<Value> args = build();
    UsageCheck(args.status());
    Value v = std::move(*args);
    ctx.SetAction([&ctx, signer, method, v, extra]() -> Status {
      TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, *signer));
      TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
      TM_ASSIGN_OR_RETURN(client::TxOutcome out, c.Call(key, "plg", method, v));
      return ReportOutcome(ctx, out, extra ? extra(out.id) : ordered_json::object());
    });
  });
}

Extra Creates(const char* field, const char* prefix) {
  return [field, prefix](const Hash256& tx) {
    return ordered_json{{field, client::PlgIdOf(prefix, tx)}};
  };
}

CLI::App* Cmd(CLI::App* group, const char* name, const char* help, PlgArgs& a,
              SignerOptions& signer, const char* positional = nullptr,
              const char* positional_help = nullptr) {
  auto* cmd = group->add_subcommand(name, help);
  if (positional != nullptr) cmd->add_option(positional, a.id, positional_help)->required();
  AddSignerOptions(cmd, signer);
  return cmd;
}

void AddDocOptions(CLI::App* cmd, std::string& hash, std::string& doc, const char* what) {
  std::string w = what;
  cmd->add_option("--" + w + "-hash", hash, "SHA-256 of the " + w + " document (hex)");
  cmd->add_option("--" + w + "-doc", doc,
                  "The " + w +
                      " document (hashed here; only the hash "
                      "is sent)")
      ->check(CLI::ExistingFile);
}

// ---- reads ----

Result<ordered_json> Answer(const Result<client::HttpResponse>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  ordered_json j = ordered_json::parse(r->body, nullptr, false);
  if (r->status >= 400) {
    std::string detail =
        j.is_object() ? j.value("detail", j.value("title", std::string())) : std::string();
    if (detail.empty()) detail = "HTTP " + std::to_string(r->status);
    Code code = r->status == 404   ? Code::kNotFound
                : r->status == 401 ? Code::kUnauthenticated
                : r->status == 403 ? Code::kPermissionDenied
                : r->status >= 500 ? Code::kUnavailable
                                   : Code::kInvalidArgument;
    return Status(code, what + ": " + detail);
  }
  if (j.is_discarded()) return Status::Invalid(what + ": the node's answer is not JSON");
  return j;
}

Result<ordered_json> SignedRead(Context& ctx, const SignerOptions& signer, const std::string& path,
                                const std::string& what) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  return Answer(c.SignedGet(key, path), what);
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

// A record as "id  STATE" and one "field: value" line per other field.
std::string RecordText(const ordered_json& rec) {
  std::string text = S(rec, "id") + "  " + S(rec, "state");
  if (!rec.is_object()) return text;
  for (const auto& [k, v] : rec.items()) {
    if (k == "id" || k == "state") continue;
    text += "\n  " + k + ": " + S(rec, k.c_str());
  }
  return text;
}

const ordered_json& Field(const ordered_json& j, const char* f) {
  static const ordered_json kNull;
  return j.is_object() && j.contains(f) ? j[f] : kNull;
}

// The trust anchor of --proof: --genesis FILE (a network genesis.json or a saved /v1/genesis
// answer), else the node's /v1/genesis (then the answer is only as good as that node's claim).
Result<TrustAnchor> ProofTrust(client::LedgerClient& c, const std::string& genesis_file) {
  nlohmann::json g;
  if (!genesis_file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string text, ReadWhole(genesis_file));
    g = nlohmann::json::parse(text, nullptr, false);
    if (g.is_discarded()) return Status::Invalid(genesis_file + ": not JSON");
    if (g.contains("orgs")) {
      TM_ASSIGN_OR_RETURN(contracts::Genesis gen, contracts::Genesis::FromJson(g));
      return TrustAnchor{.chain_id = gen.chain_id, .genesis = gen.Validators()};
    }
  } else {
    TM_ASSIGN_OR_RETURN(client::HttpResponse r, c.http().Get("/v1/genesis"));
    g = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200 || g.is_discarded()) {
      return Status::Unavailable("GET /v1/genesis: HTTP " + std::to_string(r.status));
    }
  }
  return TrustFromGenesisJson(g);
}

Status Unauth(const std::string& why) { return Status::Unauthenticated(why); }

// docs/finance.md §10's checks for one pledge registry key: the bundle verifies from the trust
// anchor and proves exactly `key`, present; the answer's `field` (the record / gazette entry)
// re-encoded canonically is the proven value; `key` and `as_of` name what is proven.
Result<VerifiedState> VerifyPlgAnswer(const ordered_json& answer, const TrustAnchor& trust,
                                      const std::string& key, const char* field) {
  const ordered_json& p = Field(answer, "proof");
  if (!p.is_object() || !p.contains("bundle") || !p["bundle"].is_string()) {
    return Unauth("the answer carries no proof bundle");
  }
  auto raw = FromHex(p["bundle"].get<std::string>());
  if (!raw.ok()) return Unauth("bundle: " + raw.status().message());
  auto bundle = StateBundle::Decode(*raw);
  if (!bundle.ok()) return Unauth("bundle: " + bundle.status().message());
  TM_ASSIGN_OR_RETURN(VerifiedState v, VerifyStateBundle(trust, *bundle));
  const MultiStateProof::Entry* e = v.Find(key);
  if (e == nullptr || v.entries.size() != 1) return Unauth("the bundle does not prove " + key);
  if (!e->present()) return Unauth(key + " is proven absent");
  if (answer.contains("key") && answer["key"] != key) {
    return Unauth("the answer names another key than " + key);
  }
  auto value = Value::FromJson(nlohmann::json::parse(Field(answer, field).dump()));
  if (!value.ok()) return Unauth(std::string(field) + ": not a Value: " + value.status().message());
  if (!e->MatchesValue(value->Encode())) {
    return Unauth(std::string("the answer's ") + field + " differs from the proven value");
  }
  const ordered_json& as_of = Field(answer, "as_of");
  auto u64_is = [&](const char* f, uint64_t want) {
    return as_of.contains(f) && as_of[f].is_number_unsigned() && as_of[f].get<uint64_t>() == want;
  };
  if (!u64_is("height", v.height) || !u64_is("time_ms", v.timestamp_ms) ||
      S(as_of, "block_id") != v.block_id.Hex()) {
    return Unauth("as_of differs from the certified header");
  }
  return v;
}

// Verifies `j`'s proof of `key` (exit 1 if it fails) and says so in `text`.
Status CheckProof(client::LedgerClient& c, ordered_json& j, std::string& text,
                  const std::string& key, const char* field, const std::string& genesis) {
  TM_ASSIGN_OR_RETURN(TrustAnchor trust, ProofTrust(c, genesis));
  auto v = VerifyPlgAnswer(j, trust, key, field);
  if (!v.ok()) {
    return v.status().WithContext("the node's answer for " + key +
                                  " does not verify; do not rely on it");
  }
  j["verified"] = true;
  text += "\nverified: proven at height " + std::to_string(v->height) + " (" +
          std::to_string(v->signers.size()) + " validator signatures)";
  if (genesis.empty()) text += "\ntrust anchor: the node's /v1/genesis (--genesis FILE: yours)";
  return Status::Ok();
}

std::string RecordKey(const std::string& id) { return contracts::PlgRecordKey(id); }

Status DoShow(Context& ctx, const SignerOptions& signer, const std::string& id, bool proof,
              const std::string& genesis) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  std::string path = "/v1/plg/records/" + client::UrlEncode(id) + (proof ? "?proof=true" : "");
  TM_ASSIGN_OR_RETURN(ordered_json j, Answer(c.SignedGet(key, path), "record " + id));
  std::string text = RecordText(Field(j, "record"));
  if (proof) TM_RETURN_IF_ERROR(CheckProof(c, j, text, RecordKey(id), "record", genesis));
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoHistory(Context& ctx, const SignerOptions& signer, const std::string& id) {
  TM_ASSIGN_OR_RETURN(
      ordered_json j,
      SignedRead(ctx, signer, "/v1/plg/records/" + client::UrlEncode(id) + "/history",
                 "history of " + id));
  std::string text;
  for (const auto& e : Field(j, "entries")) {
    ordered_json rest = e;
    for (const char* f : {"seq", "height", "time_ms", "tx", "action", "org", "signer"}) {
      rest.erase(f);
    }
    text += (text.empty() ? "" : "\n") + S(e, "seq") + "  height " + S(e, "height") + "  " +
            S(e, "action") + " by " + S(e, "org") + (rest.empty() ? "" : "  " + rest.dump());
  }
  if (text.empty()) text = "(no history entries)";
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoList(Context& ctx, const SignerOptions& signer, const std::string& org) {
  TM_ASSIGN_OR_RETURN(
      ordered_json j,
      SignedRead(ctx, signer, "/v1/plg/parties/" + client::UrlEncode(org) + "/records",
                 "records of " + org));
  std::string text;
  size_t n = 0;
  for (const auto& r : Field(j, "records")) {
    ++n;
    const ordered_json& rec = Field(r, "record");
    text += (text.empty() ? "" : "\n") + S(r, "id") + "  " + S(rec, "state");
  }
  text += (text.empty() ? "" : "\n") + std::to_string(n) + " record(s)";
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoGazette(Context& ctx, const std::string& no, bool proof, const std::string& genesis) {
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(ordered_json j,
                      Answer(c.http().Get("/v1/plg/gazette/" + client::UrlEncode(no) +
                                          (proof ? "?proof=true" : "")),
                             "gazette entry " + no));
  const ordered_json& e = Field(j, "entry");
  std::string text = S(e, "registration_no") + "  " + S(e, "kind") + "  " + S(e, "state");
  for (const char* f :
       {"asset", "asset_kind", "title", "company", "uscc", "pledgor", "pledgee", "registered_on"}) {
    if (e.is_object() && e.contains(f)) text += "\n  " + std::string(f) + ": " + S(e, f);
  }
  for (const auto& ch : Field(e, "changes")) text += "\n  " + S(ch, "on") + "  " + S(ch, "what");
  if (proof) {
    TM_RETURN_IF_ERROR(CheckProof(c, j, text, state_keys::plg::Gazette(no), "entry", genesis));
  }
  ctx.Emit(j, text);
  return Status::Ok();
}

Status DoAlerts(Context& ctx, const SignerOptions& signer, const std::string& cursor,
                const std::string& limit, const std::string& from_height) {
  std::string q;
  if (!from_height.empty()) q += "from_height=" + from_height + "&";
  if (!cursor.empty()) q += "cursor=" + client::UrlEncode(cursor);
  if (!limit.empty()) q += (q.empty() ? "" : "&") + std::string("limit=") + limit;
  TM_ASSIGN_OR_RETURN(
      ordered_json j,
      SignedRead(ctx, signer, "/v1/reg/alerts" + (q.empty() ? "" : "?" + q), "alerts"));
  std::string text;
  size_t n = 0;
  for (const auto& al : Field(j, "alerts")) {
    ++n;
    text += (text.empty() ? "" : "\n") + std::string("height ") + S(al, "height") + "  " +
            S(al, "ns") + " " + S(al, "kind") + "  " + S(al, "subject") + "  orgs " +
            S(al, "orgs") + "  " + S(al, "detail");
  }
  text += (text.empty() ? "" : "\n") + std::to_string(n) + " alert(s)";
  std::string next = S(j, "next_cursor");
  if (!next.empty() && next != "null") text += "\nmore: --cursor " + next;
  ctx.Emit(j, text);
  return Status::Ok();
}

// --from / --to of `reg export`: a day (YYYY-MM-DD, UTC; --to covers the whole day) or a time in
// ms since the epoch. The node takes entries whose block time is in [from_ms, to_ms) (docs/api.md),
// so --to DAY is sent as 00:00 UTC of the next day.
Result<int64_t> ExportTime(const std::string& v, const std::string& what, bool end_of_day) {
  if (IsIsoDate(v)) {
    return (IsoDateToDays(v) + (end_of_day ? 1 : 0)) * 86'400'000;
  }
  bool digits = !v.empty() && v.size() <= 15 &&
                v.find_first_not_of("0123456789") == std::string::npos && (v == "0" || v[0] != '0');
  if (!digits) {
    return Status::Invalid(what + ": a day YYYY-MM-DD (UTC) or a time in ms since 1970, got '" + v +
                           "'");
  }
  return std::stoll(v);
}

Status DoExport(Context& ctx, const SignerOptions& signer, int64_t from_ms, int64_t to_ms,
                const std::string& format, const std::string& out_file) {
  TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, signer));
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  std::string path = "/v1/reg/export?from_ms=" + std::to_string(from_ms) +
                     "&to_ms=" + std::to_string(to_ms) + "&format=" + format;
  TM_ASSIGN_OR_RETURN(client::HttpResponse r, c.SignedGet(key, path));
  if (r.status >= 400) return Answer(r, "export").status();
  if (!out_file.empty()) {
    std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
    out << r.body;
    if (!out) return Status::IoError("cannot write " + out_file);
    ctx.Emit({{"file", out_file}, {"bytes", r.body.size()}, {"format", format}},
             "wrote " + std::to_string(r.body.size()) + " bytes (" + format + ") to " + out_file);
    return Status::Ok();
  }
  ctx.out() << r.body;
  if (!r.body.empty() && r.body.back() != '\n') ctx.out() << "\n";
  return Status::Ok();
}

// A read command: checks the key options and `check` at parse time, then runs `action`.
void OnRead(CLI::App* cmd, Context& ctx, std::shared_ptr<SignerOptions> signer,
            std::function<Status()> check, std::function<Status()> action) {
  cmd->callback([&ctx, signer, check, action] {
    if (signer) UsageCheck(CheckSignerOptions(*signer));
    UsageCheck(check());
    ctx.SetAction(action);
  });
}

// ---- the groups ----

void RegisterIp(CLI::App& app, Context& ctx, std::shared_ptr<PlgArgs> a,
                std::shared_ptr<SignerOptions> signer) {
  auto* ip = app.add_subcommand(
      "ip",
      "IP assets (kept by the IP registry) and pledges over them: apply, accept, consent, "
      "register, change, object, release, enforce, expire (docs/finance.md §13)");
  ip->require_subcommand(1);
  const char* kPledge = "pledge";
  const char* kPledgeHelp = "IP pledge id (ipp_...)";

  auto* reg = Cmd(ip, "asset-register", "Record an IP asset (an IP_REGISTRY key)", *a, *signer);
  reg->add_option("--kind", a->kind, "One of " + IpKinds())->required();
  reg->add_option("--number", a->number, "Patent / registration number [A-Z0-9.]{1,32}")
      ->required();
  reg->add_option("--title", a->title, "Title or mark")->required();
  reg->add_option("--owner", a->owners, "Owner organisation (repeat or comma-separate, 1-8)")
      ->required()
      ->delimiter(',');
  reg->add_option("--filing-date", a->filing_date, "YYYY-MM-DD")->required();
  reg->add_option("--grant-date", a->grant_date, "YYYY-MM-DD (absent: not granted yet)");
  reg->add_option("--expiry-date", a->expiry_date, "YYYY-MM-DD")->required();
  reg->add_option("--annuity-paid-until", a->annuity_paid_until, "YYYY-MM-DD (patents)");
  reg->add_option("--status", a->status, "Legal status (default: valid)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(client::kIpStatuses),
                                                     std::end(client::kIpStatuses))));
  OnPlg(
      reg, ctx, signer, "ip_asset_register",
      [a]() -> Result<Value> {
        if (!IsIpKind(a->kind)) {
          return Status::Invalid("--kind: one of " + IpKinds() + ", got '" + a->kind + "'");
        }
        TM_ASSIGN_OR_RETURN(std::string number, IpNumber(a->number, "--number"));
        TM_RETURN_IF_ERROR(CheckText(a->title, "--title", 256));
        TM_ASSIGN_OR_RETURN(std::vector<std::string> owners, CheckOrgs(a->owners, "--owner", 8));
        TM_RETURN_IF_ERROR(CheckDate(a->filing_date, "--filing-date"));
        TM_RETURN_IF_ERROR(CheckOptDate(a->grant_date, "--grant-date"));
        TM_RETURN_IF_ERROR(CheckDate(a->expiry_date, "--expiry-date"));
        TM_RETURN_IF_ERROR(CheckOptDate(a->annuity_paid_until, "--annuity-paid-until"));
        TM_RETURN_IF_ERROR(CheckIpDates(a->kind, a->filing_date, a->grant_date, a->expiry_date,
                                        a->annuity_paid_until));
        return client::IpAssetRegisterArgs({.kind = a->kind,
                                            .number = number,
                                            .title = a->title,
                                            .owners = owners,
                                            .filing_date = a->filing_date,
                                            .grant_date = a->grant_date,
                                            .expiry_date = a->expiry_date,
                                            .annuity_paid_until = a->annuity_paid_until,
                                            .status = a->status.empty() ? "valid" : a->status});
      },
      [a](const Hash256&) {
        std::string n = a->number;
        for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return ordered_json{{"asset", a->kind + ":" + n}};
      });

  auto* upd =
      Cmd(ip, "asset-update", "Change an asset's status, annuity or expiry (an IP_REGISTRY key)",
          *a, *signer, "asset", "IP asset id <kind>:<number>");
  upd->add_option("--status", a->status, "New legal status")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(client::kIpStatuses),
                                                     std::end(client::kIpStatuses))));
  upd->add_option("--annuity-paid-until", a->annuity_paid_until, "YYYY-MM-DD");
  upd->add_option("--expiry-date", a->expiry_date, "YYYY-MM-DD");
  upd->add_option("--grant-date", a->grant_date, "YYYY-MM-DD (a grant recorded later)");
  OnPlg(upd, ctx, signer, "ip_asset_update", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string asset, AssetId(a->id, "ASSET"));
    if (a->status.empty() && a->annuity_paid_until.empty() && a->expiry_date.empty() &&
        a->grant_date.empty()) {
      return Status::Invalid(
          "give at least one of --status, --annuity-paid-until, --expiry-date, --grant-date");
    }
    TM_RETURN_IF_ERROR(CheckOptDate(a->annuity_paid_until, "--annuity-paid-until"));
    TM_RETURN_IF_ERROR(CheckOptDate(a->expiry_date, "--expiry-date"));
    TM_RETURN_IF_ERROR(CheckOptDate(a->grant_date, "--grant-date"));
    TM_RETURN_IF_ERROR(
        CheckIpDates(asset.substr(0, asset.find(':')), "", "", "", a->annuity_paid_until));
    Value v = client::IpAssetUpdateArgs({.asset = asset,
                                         .status = a->status,
                                         .annuity_paid_until = a->annuity_paid_until,
                                         .expiry_date = a->expiry_date});
    if (!a->grant_date.empty()) v.as_map()["grant_date"] = a->grant_date;
    return v;
  });

  auto* tr = Cmd(ip, "transfer",
                 "Transfer an asset to new owners (an owner; a pledged asset needs the pledgee's "
                 "consent first)",
                 *a, *signer, "asset", "IP asset id <kind>:<number>");
  tr->add_option("--to", a->to, "The new owners (repeat or comma-separate, 1-8)")
      ->required()
      ->delimiter(',');
  OnPlg(tr, ctx, signer, "ip_transfer", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string asset, AssetId(a->id, "ASSET"));
    TM_ASSIGN_OR_RETURN(std::vector<std::string> to, CheckOrgs(a->to, "--to", 8));
    Value::List l(to.begin(), to.end());
    return Value::MakeMap({{"asset", asset}, {"to", Value(l)}});
  });

  auto* lic = Cmd(ip, "licence", "Licence an asset (an owner; pledged: the pledgee's consent)", *a,
                  *signer, "asset", "IP asset id <kind>:<number>");
  lic->add_option("--licensee", a->licensee, "The licensee organisation")->required();
  AddDocOptions(lic, a->contract_hash, a->contract_doc, "contract");
  OnPlg(lic, ctx, signer, "ip_licence", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string asset, AssetId(a->id, "ASSET"));
    TM_RETURN_IF_ERROR(CheckOrg(a->licensee, "--licensee"));
    TM_ASSIGN_OR_RETURN(std::string h, DocHash(a->contract_hash, a->contract_doc,
                                               "--contract-hash/--contract-doc"));
    return Value::MakeMap({{"asset", asset}, {"licensee", a->licensee}, {"contract_hash", h}});
  });

  auto* pc = Cmd(ip, "pledgee-consent",
                 "Consent, as the pledgee, to a transfer or licence of the pledged asset", *a,
                 *signer, kPledge, kPledgeHelp);
  pc->add_option("--action", a->action, "transfer or licence")
      ->required()
      ->check(CLI::IsMember({"transfer", "licence"}));
  pc->add_option("--to", a->to, "transfer: the new owners; licence: the licensee")
      ->required()
      ->delimiter(',');
  OnPlg(pc, ctx, signer, "ip_pledgee_consent", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    TM_ASSIGN_OR_RETURN(std::vector<std::string> to,
                        CheckOrgs(a->to, "--to", a->action == "licence" ? 1 : 8));
    std::string joined;
    for (const auto& o : to) joined += (joined.empty() ? "" : ",") + o;
    return Value::MakeMap({{"pledge", a->id}, {"action", a->action}, {"to", joined}});
  });

  auto* ap = Cmd(ip, "apply", "Apply to pledge an asset you own to a bank (an owner: the pledgor)",
                 *a, *signer);
  ap->add_option("--asset", a->asset, "IP asset id <kind>:<number>")->required();
  ap->add_option("--pledgee", a->pledgee, "The lending bank (org id)")->required();
  ap->add_option("--debt-amount", a->debt_amount, "The secured debt in minor units")->required();
  ap->add_option("--currency", a->currency, "ISO 4217 code, e.g. CNY")->required();
  ap->add_option("--debt-start", a->debt_start, "YYYY-MM-DD")->required();
  ap->add_option("--debt-due", a->debt_due, "YYYY-MM-DD")->required();
  AddDocOptions(ap, a->contract_hash, a->contract_doc, "contract");
  OnPlg(
      ap, ctx, signer, "ip_apply",
      [a]() -> Result<Value> {
        TM_ASSIGN_OR_RETURN(std::string asset, AssetId(a->asset, "--asset"));
        TM_RETURN_IF_ERROR(CheckOrg(a->pledgee, "--pledgee"));
        TM_ASSIGN_OR_RETURN(int64_t debt, ParseAmount(a->debt_amount, "--debt-amount"));
        TM_RETURN_IF_ERROR(CheckCurrency(a->currency));
        TM_RETURN_IF_ERROR(CheckDate(a->debt_start, "--debt-start"));
        TM_RETURN_IF_ERROR(CheckDate(a->debt_due, "--debt-due"));
        if (a->debt_due < a->debt_start) {
          return Status::Invalid("--debt-due: before --debt-start " + a->debt_start + ", got " +
                                 a->debt_due);
        }
        TM_ASSIGN_OR_RETURN(std::string h, DocHash(a->contract_hash, a->contract_doc,
                                                   "--contract-hash/--contract-doc"));
        return client::IpApplyArgs({.asset = asset,
                                    .pledgee = a->pledgee,
                                    .debt_amount = debt,
                                    .currency = a->currency,
                                    .debt_start = a->debt_start,
                                    .debt_due = a->debt_due,
                                    .contract_hash = h});
      },
      Creates("pledge", "ipp_"));

  auto* acc = Cmd(ip, "accept", "Accept a pledge application (a BANK key of the pledgee)", *a,
                  *signer, kPledge, kPledgeHelp);
  acc->add_flag("--acknowledge-invalidation", a->acknowledge_invalidation,
                "Accept although an invalidation request is pending against the asset");
  OnPlg(acc, ctx, signer, "ip_accept", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    Value::Map m{{"pledge", a->id}};
    if (a->acknowledge_invalidation) m["acknowledge_invalidation"] = true;
    return Value(m);
  });

  auto* rg = Cmd(ip, "register", "Register a pledge: the right arises (an IP_REGISTRY key)", *a,
                 *signer, kPledge, kPledgeHelp);
  rg->add_option("--registration-no", a->registration_no, "[A-Za-z0-9-]{1,64}")->required();
  OnPlg(rg, ctx, signer, "ip_register", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    TM_RETURN_IF_ERROR(CheckRegNo(a->registration_no, "--registration-no"));
    return Value::MakeMap({{"pledge", a->id}, {"registration_no", a->registration_no}});
  });

  auto* ch = Cmd(ip, "change", "Record a change of the secured debt (an IP_REGISTRY key)", *a,
                 *signer, kPledge, kPledgeHelp);
  ch->add_option("--debt-amount", a->debt_amount, "New debt amount in minor units");
  ch->add_option("--debt-due", a->debt_due, "New due date YYYY-MM-DD (later: EXTENDED)");
  AddDocOptions(ch, a->application_hash, a->application_doc, "application");
  OnPlg(ch, ctx, signer, "ip_change", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    if (a->debt_amount.empty() && a->debt_due.empty()) {
      return Status::Invalid("give --debt-amount and/or --debt-due");
    }
    client::PlgChange c{.pledge = a->id, .debt_due = a->debt_due};
    if (!a->debt_amount.empty()) {
      TM_ASSIGN_OR_RETURN(c.debt_amount, ParseAmount(a->debt_amount, "--debt-amount"));
    }
    TM_RETURN_IF_ERROR(CheckOptDate(a->debt_due, "--debt-due"));
    TM_ASSIGN_OR_RETURN(c.application_hash, DocHash(a->application_hash, a->application_doc,
                                                    "--application-hash/--application-doc"));
    return client::PlgChangeArgs(c);
  });

  auto* ob = Cmd(ip, "object", "Object to a registered pledge (pledgor, pledgee or a co-owner)", *a,
                 *signer, kPledge, kPledgeHelp);
  ob->add_option("--reason", a->reason, "Why (only its SHA-256 is recorded)");
  ob->add_option("--reason-file", a->reason_file, "A document saying why (hashed here)")
      ->check(CLI::ExistingFile);
  ob->add_option("--reason-hash", a->reason_hash, "SHA-256 of the reason document (hex)");
  OnPlg(ob, ctx, signer, "ip_object", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    TM_ASSIGN_OR_RETURN(std::string h, ReasonHash(*a));
    return Value::MakeMap({{"pledge", a->id}, {"reason_hash", h}});
  });

  auto* rs = Cmd(ip, "resolve",
                 "Decide an objection (an IP_REGISTRY key): --upheld releases the pledge, "
                 "--dismissed restores its prior state",
                 *a, *signer, kPledge, kPledgeHelp);
  rs->add_flag("--upheld", a->upheld, "The objection is upheld");
  rs->add_flag("--dismissed", a->dismissed, "The objection is dismissed");
  OnPlg(rs, ctx, signer, "ip_resolve_objection", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    if (a->upheld == a->dismissed)
      return Status::Invalid("give exactly one of --upheld, --dismissed");
    return Value::MakeMap({{"pledge", a->id}, {"upheld", a->upheld}});
  });

  auto* en = Cmd(ip, "enforce", "Record enforcement: the asset goes to --to (an IP_REGISTRY key)",
                 *a, *signer, kPledge, kPledgeHelp);
  en->add_option("--to", a->to, "The new owners (repeat or comma-separate, 1-8)")
      ->required()
      ->delimiter(',');
  OnPlg(en, ctx, signer, "ip_enforce", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
    TM_ASSIGN_OR_RETURN(std::vector<std::string> to, CheckOrgs(a->to, "--to", 8));
    Value::List l(to.begin(), to.end());
    return Value::MakeMap({{"pledge", a->id}, {"to", Value(l)}});
  });

  struct ByPledge {
    const char* name;
    const char* method;
    const char* help;
  };
  for (const ByPledge& m : {
           ByPledge{"consent", "ip_consent", "Consent to a pledge application (a co-owner)"},
           ByPledge{"release", "ip_release", "Release a pledge on repayment (the pledgee)"},
           ByPledge{"expire", "ip_expire", "Record that a pledge expired (an IP_REGISTRY key)"},
           ByPledge{"withdraw", "ip_withdraw", "Withdraw an application (the pledgor)"},
       }) {
    auto* cmd = Cmd(ip, m.name, m.help, *a, *signer, kPledge, kPledgeHelp);
    OnPlg(cmd, ctx, signer, m.method, [a]() -> Result<Value> {
      TM_RETURN_IF_ERROR(CheckRecordId(a->id, "ipp", "PLEDGE"));
      return Value::MakeMap({{"pledge", a->id}});
    });
  }

  auto* rv = Cmd(ip, "review",
                 "Re-evaluate an asset's time-based alerts (any active key; docs/finance.md §16)",
                 *a, *signer, "asset", "IP asset id <kind>:<number>");
  OnPlg(rv, ctx, signer, "review", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string asset, AssetId(a->id, "ASSET"));
    return Value::MakeMap({{"subject", asset}});
  });
}

void RegisterEquity(CLI::App& app, Context& ctx, std::shared_ptr<PlgArgs> a,
                    std::shared_ptr<SignerOptions> signer) {
  auto* eq = app.add_subcommand(
      "equity",
      "Equity holdings (kept by the registrar) and pledges over them (docs/finance.md §14)");
  eq->require_subcommand(1);
  const char* kPledge = "pledge";
  const char* kPledgeHelp = "Equity pledge id (eqp_...)";

  auto* ho = Cmd(eq, "holding",
                 "Record what an organisation holds in a company (the registrar: a REGULATOR key)",
                 *a, *signer);
  ho->add_option("--org", a->org, "The holder (org id)")->required();
  ho->add_option("--uscc", a->uscc, "The company's unified social credit code (18 characters)")
      ->required();
  ho->add_option("--company", a->company, "The company's name")->required();
  ho->add_flag("--listed", a->listed, "Listed shares (else registered capital)");
  ho->add_option("--amount", a->amount, "Shares, or registered capital in minor units")->required();
  OnPlg(ho, ctx, signer, "eq_holding", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckOrg(a->org, "--org"));
    TM_RETURN_IF_ERROR(CheckUscc(a->uscc));
    TM_RETURN_IF_ERROR(CheckText(a->company, "--company", 256));
    TM_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(a->amount, "--amount"));
    return client::EqHoldingArgs({.org = a->org,
                                  .uscc = a->uscc,
                                  .company = a->company,
                                  .listed = a->listed,
                                  .amount = amount});
  });

  auto* ap =
      Cmd(eq, "apply", "Apply to pledge shares you hold to a bank (the pledgor)", *a, *signer);
  ap->add_option("--uscc", a->uscc, "The company's unified social credit code")->required();
  ap->add_option("--pledgee", a->pledgee, "The lending bank (org id)")->required();
  ap->add_option("--amount", a->amount, "Shares (or capital in minor units) pledged")->required();
  ap->add_option("--debt-amount", a->debt_amount, "The secured debt in minor units")->required();
  ap->add_option("--currency", a->currency, "ISO 4217 code, e.g. CNY")->required();
  ap->add_option("--debt-due", a->debt_due, "YYYY-MM-DD")->required();
  AddDocOptions(ap, a->contract_hash, a->contract_doc, "contract");
  OnPlg(
      ap, ctx, signer, "eq_apply",
      [a]() -> Result<Value> {
        TM_RETURN_IF_ERROR(CheckUscc(a->uscc));
        TM_RETURN_IF_ERROR(CheckOrg(a->pledgee, "--pledgee"));
        TM_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(a->amount, "--amount"));
        TM_ASSIGN_OR_RETURN(int64_t debt, ParseAmount(a->debt_amount, "--debt-amount"));
        TM_RETURN_IF_ERROR(CheckCurrency(a->currency));
        TM_RETURN_IF_ERROR(CheckDate(a->debt_due, "--debt-due"));
        TM_ASSIGN_OR_RETURN(std::string h, DocHash(a->contract_hash, a->contract_doc,
                                                   "--contract-hash/--contract-doc"));
        return client::EqApplyArgs({.uscc = a->uscc,
                                    .pledgee = a->pledgee,
                                    .amount = amount,
                                    .debt_amount = debt,
                                    .currency = a->currency,
                                    .debt_due = a->debt_due,
                                    .contract_hash = h});
      },
      Creates("pledge", "eqp_"));

  auto* rg = Cmd(eq, "register",
                 "Register a pledge (the registrar; refused if it would pledge more than held)", *a,
                 *signer, kPledge, kPledgeHelp);
  rg->add_option("--registration-no", a->registration_no, "[A-Za-z0-9-]{1,64}")->required();
  OnPlg(rg, ctx, signer, "eq_register", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "eqp", "PLEDGE"));
    TM_RETURN_IF_ERROR(CheckRegNo(a->registration_no, "--registration-no"));
    return Value::MakeMap({{"pledge", a->id}, {"registration_no", a->registration_no}});
  });

  auto* ch = Cmd(eq, "change", "Record a change of a registered pledge (the registrar)", *a,
                 *signer, kPledge, kPledgeHelp);
  ch->add_option("--amount", a->amount, "New pledged amount (re-checked against the holding)");
  ch->add_option("--debt-amount", a->debt_amount, "New debt amount in minor units");
  ch->add_option("--debt-due", a->debt_due, "New due date YYYY-MM-DD");
  AddDocOptions(ch, a->application_hash, a->application_doc, "application");
  OnPlg(ch, ctx, signer, "eq_change", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "eqp", "PLEDGE"));
    if (a->amount.empty() && a->debt_amount.empty() && a->debt_due.empty()) {
      return Status::Invalid("give at least one of --amount, --debt-amount, --debt-due");
    }
    client::PlgChange c{.pledge = a->id, .debt_due = a->debt_due};
    if (!a->amount.empty()) {
      TM_ASSIGN_OR_RETURN(c.amount, ParseAmount(a->amount, "--amount"));
    }
    if (!a->debt_amount.empty()) {
      TM_ASSIGN_OR_RETURN(c.debt_amount, ParseAmount(a->debt_amount, "--debt-amount"));
    }
    TM_RETURN_IF_ERROR(CheckOptDate(a->debt_due, "--debt-due"));
    TM_ASSIGN_OR_RETURN(c.application_hash, DocHash(a->application_hash, a->application_doc,
                                                    "--application-hash/--application-doc"));
    return client::PlgChangeArgs(c);
  });

  struct ByPledge {
    const char* name;
    const char* method;
    const char* help;
  };
  // eq_enforce takes {pledge} only (plg_eq.cc: the registrar then records the new holdings).
  for (const ByPledge& m : {
           ByPledge{"accept", "eq_accept",
                    "Accept a pledge application (a BANK key of the pledgee)"},
           ByPledge{"release", "eq_release", "Release a pledge on repayment (the pledgee)"},
           ByPledge{"enforce", "eq_enforce",
                    "Record enforcement (the registrar; record the new holdings with `equity "
                    "holding`)"},
           ByPledge{"withdraw", "eq_withdraw", "Withdraw an application (the pledgor)"},
       }) {
    auto* cmd = Cmd(eq, m.name, m.help, *a, *signer, kPledge, kPledgeHelp);
    OnPlg(cmd, ctx, signer, m.method, [a]() -> Result<Value> {
      TM_RETURN_IF_ERROR(CheckRecordId(a->id, "eqp", "PLEDGE"));
      return Value::MakeMap({{"pledge", a->id}});
    });
  }
}

void RegisterWr(CLI::App& app, Context& ctx, std::shared_ptr<PlgArgs> a,
                std::shared_ptr<SignerOptions> signer) {
  auto* wr = app.add_subcommand(
      "wr",
      "Warehouse receipts over goods a bonded warehouse holds, pledged to a bank; pledged goods "
      "cannot move (docs/finance.md §15)");
  wr->require_subcommand(1);
  const char* kReceipt = "receipt";
  const char* kReceiptHelp = "Warehouse receipt id (wr_...)";

  auto* is =
      Cmd(wr, "issue", "Issue a receipt over items you hold in store (a BONDED_WAREHOUSE key)", *a,
          *signer);
  is->add_option("--item", a->items, "An item id (EPC URI); repeat or comma-separate")
      ->delimiter(',');
  is->add_option("--items-file", a->items_file, "A file of item ids, one a line")
      ->check(CLI::ExistingFile);
  is->add_option("--depositor", a->depositor, "The holder of the receipt (default: your org)");
  is->add_option("--description", a->description, "What the goods are");
  OnPlg(
      is, ctx, signer, "wr_issue",
      [a]() -> Result<Value> {
        TM_ASSIGN_OR_RETURN(std::vector<std::string> items, Items(*a, true));
        if (!a->depositor.empty()) TM_RETURN_IF_ERROR(CheckOrg(a->depositor, "--depositor"));
        if (!a->description.empty()) {
          TM_RETURN_IF_ERROR(CheckText(a->description, "--description", 1024));
        }
        return client::WrIssueArgs(
            {.items = items, .depositor = a->depositor, .description = a->description});
      },
      Creates("receipt", "wr_"));

  auto* of = Cmd(wr, "offer", "Offer a receipt you hold to a bank as collateral (the holder)", *a,
                 *signer, kReceipt, kReceiptHelp);
  of->add_option("--bank", a->bank, "The bank (org id)")->required();
  of->add_option("--amount", a->amount, "The secured debt in minor units")->required();
  of->add_option("--currency", a->currency, "ISO 4217 code, e.g. CNY")->required();
  of->add_option("--debt-due", a->debt_due, "YYYY-MM-DD")->required();
  OnPlg(of, ctx, signer, "wr_offer", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "wr", "RECEIPT"));
    TM_RETURN_IF_ERROR(CheckOrg(a->bank, "--bank"));
    TM_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(a->amount, "--amount"));
    TM_RETURN_IF_ERROR(CheckCurrency(a->currency));
    TM_RETURN_IF_ERROR(CheckDate(a->debt_due, "--debt-due"));
    return client::WrOfferArgs({.receipt = a->id,
                                .bank = a->bank,
                                .amount = amount,
                                .currency = a->currency,
                                .debt_due = a->debt_due});
  });

  auto* rl = Cmd(wr, "release",
                 "Release items from a pledged receipt (the pledgee bank): --item ids or "
                 "--quantity n (the first n in id order); none left: the receipt is RELEASED",
                 *a, *signer, kReceipt, kReceiptHelp);
  rl->add_option("--item", a->items, "An item id; repeat or comma-separate")->delimiter(',');
  rl->add_option("--items-file", a->items_file, "A file of item ids, one a line")
      ->check(CLI::ExistingFile);
  rl->add_option("--quantity", a->quantity, "How many items (1-1000)");
  OnPlg(rl, ctx, signer, "wr_release", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "wr", "RECEIPT"));
    TM_ASSIGN_OR_RETURN(std::vector<std::string> items, Items(*a, false));
    if (items.empty() == a->quantity.empty()) {
      return Status::Invalid("give exactly one of --item/--items-file or --quantity");
    }
    int64_t q = 0;
    if (!a->quantity.empty()) {
      bool ok = a->quantity.size() <= 4 &&
                a->quantity.find_first_not_of("0123456789") == std::string::npos &&
                a->quantity[0] != '0';
      if (ok) q = std::stoll(a->quantity);
      if (!ok || q < 1 || q > 1000) {
        return Status::Invalid("--quantity: 1 to 1000, got '" + a->quantity + "'");
      }
    }
    return client::WrReleaseArgs(a->id, items, q);
  });

  auto* tr = Cmd(wr, "transfer", "Transfer an unpledged receipt you hold (the holder)", *a, *signer,
                 kReceipt, kReceiptHelp);
  tr->add_option("--to", a->to_org, "The new holder (org id)")->required();
  OnPlg(tr, ctx, signer, "wr_transfer", [a]() -> Result<Value> {
    TM_RETURN_IF_ERROR(CheckRecordId(a->id, "wr", "RECEIPT"));
    TM_RETURN_IF_ERROR(CheckOrg(a->to_org, "--to"));
    return Value::MakeMap({{"receipt", a->id}, {"to", a->to_org}});
  });

  struct ByReceipt {
    const char* name;
    const char* method;
    const char* help;
  };
  for (const ByReceipt& m : {
           ByReceipt{"accept", "wr_accept", "Accept a receipt offered to your bank (a BANK key)"},
           ByReceipt{"cancel", "wr_cancel",
                     "Cancel an unpledged receipt, freeing its items (the issuing warehouse)"},
       }) {
    auto* cmd = Cmd(wr, m.name, m.help, *a, *signer, kReceipt, kReceiptHelp);
    OnPlg(cmd, ctx, signer, m.method, [a]() -> Result<Value> {
      TM_RETURN_IF_ERROR(CheckRecordId(a->id, "wr", "RECEIPT"));
      return Value::MakeMap({{"receipt", a->id}});
    });
  }
}

void RegisterReads(CLI::App& app, Context& ctx, std::shared_ptr<PlgArgs> a,
                   std::shared_ptr<SignerOptions> signer) {
  auto* plg = app.add_subcommand(
      "plg", "Read the pledge registry: records, history, an organisation's records, the gazette");
  plg->require_subcommand(1);

  auto* show = plg->add_subcommand(
      "show", "Show an IP pledge, equity pledge or warehouse receipt (parties, the regulator)");
  show->add_option("id", a->id, "Record id (ipp_..., eqp_..., wr_...)")->required();
  show->add_flag("--proof", a->proof, "Ask for the record's proof bundle and verify it here");
  show->add_option("--genesis", a->genesis,
                   "Trust anchor for --proof: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  AddSignerOptions(show, *signer);
  OnRead(
      show, ctx, signer,
      [a]() -> Status {
        TM_ASSIGN_OR_RETURN(a->id, AnyRecordId(a->id));
        return Status::Ok();
      },
      [&ctx, a, signer] { return DoShow(ctx, *signer, a->id, a->proof, a->genesis); });

  auto* hist = plg->add_subcommand("history", "A record's history entries (parties, regulator)");
  hist->add_option("id", a->id, "Record id")->required();
  AddSignerOptions(hist, *signer);
  OnRead(
      hist, ctx, signer,
      [a]() -> Status {
        TM_ASSIGN_OR_RETURN(a->id, AnyRecordId(a->id));
        return Status::Ok();
      },
      [&ctx, a, signer] { return DoHistory(ctx, *signer, a->id); });

  auto* list = plg->add_subcommand(
      "list", "The records an organisation is a party of (those you may read yourself)");
  list->add_option("--org", a->org, "Organisation id")->required();
  AddSignerOptions(list, *signer);
  OnRead(
      list, ctx, signer, [a] { return CheckOrg(a->org, "--org"); },
      [&ctx, a, signer] { return DoList(ctx, *signer, a->org); });

  auto* gz = plg->add_subcommand(
      "gazette", "A registered pledge as the registry publishes it (public: no key needed)");
  gz->add_option("registration_no", a->id, "Registration number")->required();
  gz->add_flag("--proof", a->proof, "Ask for the entry's proof bundle and verify it here");
  gz->add_option("--genesis", a->genesis,
                 "Trust anchor for --proof: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  OnRead(
      gz, ctx, nullptr, [a] { return CheckRegNo(a->id, "REGISTRATION_NO"); },
      [&ctx, a] { return DoGazette(ctx, a->id, a->proof, a->genesis); });

  auto* reg = app.add_subcommand(
      "reg",
      "The regulator's view: alerts of both finance contracts, the export of every "
      "history entry (a REGULATOR key)");
  reg->require_subcommand(1);

  auto* alerts = reg->add_subcommand("alerts", "The alerts, oldest first (docs/finance.md §16)");
  alerts->add_option("--cursor", a->cursor, "Continue after a previous page");
  alerts->add_option("--limit", a->limit, "Alerts per page, 1-100 (default 20)");
  alerts->add_option("--from-height", a->from_height, "Only alerts raised at this height or later");
  AddSignerOptions(alerts, *signer);
  OnRead(
      alerts, ctx, signer,
      [a] {
        const std::string& h = a->from_height;
        if (!h.empty() &&
            (h.size() > 19 || h.find_first_not_of("0123456789") != std::string::npos ||
             (h.size() > 1 && h[0] == '0'))) {
          return Status::Invalid("--from-height: a block height, got '" + h + "'");
        }
        if (a->limit.empty()) return Status::Ok();
        bool ok = a->limit.size() <= 3 &&
                  a->limit.find_first_not_of("0123456789") == std::string::npos &&
                  a->limit[0] != '0' && std::stoi(a->limit) <= 100;
        return ok ? Status::Ok() : Status::Invalid("--limit: 1 to 100, got '" + a->limit + "'");
      },
      [&ctx, a, signer] { return DoAlerts(ctx, *signer, a->cursor, a->limit, a->from_height); });

  auto* ex = reg->add_subcommand(
      "export",
      "Every history entry of fin/ and plg/ records in a time range, in time order (GET "
      "/v1/reg/export)");
  ex->add_option("--from", a->from, "Start: a day YYYY-MM-DD (00:00 UTC) or ms since 1970")
      ->required();
  ex->add_option("--to", a->until, "End: a day YYYY-MM-DD (included, UTC) or ms (excluded)")
      ->required();
  ex->add_option("--format", a->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  ex->add_option("--out", a->out_file, "Write the export to this file (default: stdout)");
  AddSignerOptions(ex, *signer);
  ex->callback([&ctx, a, signer] {
    UsageCheck(CheckSignerOptions(*signer));
    auto from = ExportTime(a->from, "--from", false);
    UsageCheck(from.status());
    auto to = ExportTime(a->until, "--to", true);
    UsageCheck(to.status());
    if (*to <= *from) {
      UsageCheck(Status::Invalid("--to: after --from (" + a->from + " .. " + a->until + ")"));
    }
    int64_t f = *from, t = *to;
    ctx.SetAction(
        [&ctx, a, signer, f, t] { return DoExport(ctx, *signer, f, t, a->format, a->out_file); });
  });
}

}  // namespace

void RegisterPlgCommands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<PlgArgs>();
  auto signer = std::make_shared<SignerOptions>();
  RegisterIp(app, ctx, a, signer);
  RegisterEquity(app, ctx, a, signer);
  RegisterWr(app, ctx, a, signer);
  RegisterReads(app, ctx, a, signer);
}

}  // namespace tidemark::cli
