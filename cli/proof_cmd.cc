// `tidemark verify <file|url>` and `tidemark trace <digital-link> [--verify]`: verifiable answers
// (docs/proofs.md). The trust anchor is --genesis FILE (a network genesis.json or a saved
// GET /v1/genesis answer); without it the node's /v1/genesis is used and its hash printed, which
// only proves consistency with that node's claim of the genesis.
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "tidemark/client/http_client.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/fin_answer.h"
#include "tidemark/trace_answer.h"
#include "tidemark/value.h"

namespace tidemark::cli {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct ProofArgs {
  std::string target;
  std::string genesis;
  std::string url;
  bool verify = false;
  // What a finance answer was asked about (default: what the answer itself names).
  std::string fingerprint, invoice_key, receivable;
};

Result<json> ParseJson(const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Invalid(what + ": not JSON");
  return j;
}

bool IsHttp(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// "http://host:port/path?q" -> base "http://host:port" and "/path?q".
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  size_t start = url.find("://") + 3;
  size_t slash = url.find('/', start);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

Result<json> FetchJson(const std::string& base, const std::string& path) {
  TM_ASSIGN_OR_RETURN(client::Url url, client::Url::Parse(base));
  client::HttpClient http(url);
  TM_ASSIGN_OR_RETURN(client::HttpResponse r, http.Get(path, {{"Accept", "application/json"}}));
  if (r.status != 200) {
    return Status::Unavailable("GET " + path + ": HTTP " + std::to_string(r.status) + " " +
                               r.body.substr(0, 300));
  }
  return ParseJson(r.body, "GET " + path);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --genesis FILE (network genesis.json or /v1/genesis JSON), else the node's /v1/genesis.
Result<TrustAnchor> LoadTrust(Context& ctx, const ProofArgs& a, const std::string& node) {
  json g;
  if (!a.genesis.empty()) {
    TM_ASSIGN_OR_RETURN(std::string text, ReadFile(a.genesis));
    TM_ASSIGN_OR_RETURN(g, ParseJson(text, a.genesis));
    if (!g.contains("validator_set")) {
      auto genesis = contracts::Genesis::FromJson(g);
      if (!genesis.ok()) return genesis.status().WithContext(a.genesis);
      return TrustAnchor{.chain_id = genesis->chain_id, .genesis = genesis->Validators()};
    }
  } else {
    TM_ASSIGN_OR_RETURN(g, FetchJson(node, "/v1/genesis"));
    if (!ctx.json()) {
      ctx.err() << "note: trusting the genesis validator set served by " << node
                << " (pin it with --genesis FILE)\n";
    }
  }
  return TrustFromGenesisJson(g);
}

std::string SignersText(const std::vector<Signer>& signers, size_t of) {
  std::string s;
  for (const auto& v : signers) s += (s.empty() ? "" : ", ") + v.org;
  return s + " (" + std::to_string(signers.size()) + " of " + std::to_string(of) + " validators)";
}

ordered_json SignersJson(const std::vector<Signer>& signers) {
  ordered_json out = ordered_json::array();
  for (const auto& v : signers) {
    out.push_back({{"index", v.index}, {"org", v.org}, {"key", v.key.Hex()}});
  }
  return out;
}

Status EmitTrace(Context& ctx, const TrustAnchor& trust, const json& answer, bool verified) {
  ordered_json out{{"verified", verified},
                   {"chain_id", trust.chain_id},
                   {"genesis_hash", trust.genesis.Hash().Hex()}};
  std::string text;
  json warnings = answer.contains("warnings") ? answer["warnings"] : json::array();
  if (verified) {
    auto v = VerifyTraceAnswer(answer, trust);
    if (!v.ok()) return v.status().WithContext("verification failed");
    out["height"] = v->state.height;
    out["state_version"] = v->state.exec_height;
    out["epoch"] = v->state.epoch;
    out["signers"] = SignersJson(v->state.signers);
    out["checked"] = v->checked;
    out["proven_keys"] = ordered_json::array();
    for (const auto& [k, r] : v->records) out["proven_keys"].push_back(k);
    text = "VERIFIED at height " + std::to_string(v->state.height) + " (state after block " +
           std::to_string(v->state.exec_height) + "), signed by " +
           SignersText(v->state.signers, trust.genesis.size()) + "\nproven: ";
    for (const auto& f : v->checked) text += f + " ";
    text += "\n";
    // What is proven: the warnings derived from the records, not the answer's own list.
    warnings = v->warnings;
    out["warnings"] = v->warnings;
    out["disagreements"] = v->disagreements;
    for (const auto& d : v->disagreements) {
      text += "DISAGREES: the answer's " + d.value("field", "") + " is not what its proof says\n";
    }
  }
  out["answer"] = answer;
  auto field = [&](const char* f) {
    return answer.contains(f) && answer[f].is_string() ? answer[f].get<std::string>() : "";
  };
  std::string product = answer.contains("product") && answer["product"].is_object()
                            ? answer["product"].value("name", "")
                            : "";
  text += field("digital_link") + "\n  product: " + product +
          "\n  origin:  " + field("origin_country") + "\n  state:   " + field("state") +
          "\n  customs: " + field("import_mode") + " " + field("customs_status") + "\n";
  if (answer.contains("certificates")) {
    for (const auto& c : answer["certificates"]) {
      text +=
          "  certificate: " + c.value("certificate_id", "") + " " + c.value("result", "") + "\n";
    }
  }
  if (answer.contains("timeline")) {
    for (const auto& e : answer["timeline"]) {
      // EPCIS events: business step and location; customs steps: the step, declaration, org.
      std::string what;
      if (e.value("type", "") == "customs") {
        what = "customs " + e.value("action", "");
        if (std::string no = e.value("declaration_no", ""); !no.empty()) what += " " + no;
        if (std::string org = e.value("org", ""); !org.empty()) what += " by " + org;
      } else {
        what = e.value("bizStep", "");
        if (what.empty()) what = e.value("type", "event");
        if (std::string at = e.value("location", ""); !at.empty()) what += " at " + at;
      }
      text += "  event: " + e.value("eventTime", "") + " " + what + " (tx " +
              e.value("tx", "").substr(0, 12) + ", height " +
              std::to_string(e.value("height", int64_t{0})) + ")\n";
    }
  }
  if (warnings.is_array()) {
    for (const auto& w : warnings) {
      // {kind, params}: "recalled recall_id=R-1 lot=... reason=..."
      std::string line = w.is_object() ? w.value("kind", "") : w.dump();
      if (w.is_object() && w.contains("params") && w["params"].is_object()) {
        for (const auto& [k, p] : w["params"].items()) {
          line += " " + k + "=" + (p.is_string() ? p.get<std::string>() : p.dump());
        }
      }
      text += "  WARNING: " + line + "\n";
    }
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  ctx.Emit(out, text);
  return Status::Ok();
}

// The answer's own name for what was asked (fingerprint.value, id), when no flag gives it.
std::string Named(const json& doc, const char* obj, const char* field) {
  if (obj == nullptr) return doc.contains(field) && doc[field].is_string() ? doc[field] : "";
  return doc.contains(obj) && doc[obj].is_object() ? doc[obj].value(field, "") : "";
}

// A finance answer (docs/finance.md §10): a bank check or a receivable read.
Status EmitFin(Context& ctx, const TrustAnchor& trust, const json& doc, const ProofArgs& a) {
  ordered_json out{{"verified", true}, {"chain_id", trust.chain_id}};
  std::string text, asked_note;
  const VerifiedState* proof = nullptr;
  VerifiedFinCheck check;
  VerifiedReceivable rcv;
  if (doc.contains("fingerprint") || !a.fingerprint.empty() || !a.invoice_key.empty()) {
    std::string fp = a.fingerprint, ik = a.invoice_key;
    if (fp.empty() || ik.empty()) asked_note = " (as the answer names them: compare with yours)";
    if (fp.empty()) fp = Named(doc, "fingerprint", "value");
    if (ik.empty()) ik = Named(doc, "invoice_key", "value");
    TM_ASSIGN_OR_RETURN(Hash256 fp_hash, Hash256::FromHex(fp));
    TM_ASSIGN_OR_RETURN(Hash256 ik_hash, Hash256::FromHex(ik));
    auto v = VerifyFinCheckAnswer(doc, trust, fp_hash, ik_hash);
    if (!v.ok()) return v.status().WithContext("verification failed");
    check = std::move(*v);
    proof = &check.proof;
    out["what"] = "fin_check";
    out["state"] = check.state;
    out["fingerprint"] = {{"value", fp}, {"state", check.fingerprint.state}};
    out["invoice_key"] = {{"value", ik}, {"state", check.invoice_key.state}};
    text = "invoice: " + check.state + asked_note + "\n  fingerprint " + fp + ": " +
           check.fingerprint.state + "\n  invoice key " + ik + ": " + check.invoice_key.state;
  } else {
    std::string id = a.receivable;
    if (id.empty()) id = Named(doc, nullptr, "id");
    if (id.empty() && doc.contains("receivable")) id = Named(doc, "receivable", "id");
    if (id.empty() && doc.contains("record")) id = Named(doc, "record", "id");
    if (a.receivable.empty()) asked_note = " (as the answer names it)";
    auto v = VerifyReceivableAnswer(doc, trust, id);
    if (!v.ok()) return v.status().WithContext("verification failed");
    rcv = std::move(*v);
    proof = &rcv.proof;
    out["what"] = "fin_receivable";
    out["id"] = id;
    out["state"] = rcv.record.value("state", "");
    out["overdue"] = rcv.overdue;
    out["receivable"] = ordered_json::parse(rcv.record.dump());
    text = "receivable " + id + asked_note + ": " + rcv.record.value("state", "") +
           (rcv.overdue ? " (OVERDUE)" : "") + ", " +
           std::to_string(rcv.record.value("amount", 0)) + " " + rcv.record.value("currency", "") +
           ", due " + rcv.record.value("due_date", "");
  }
  out["height"] = proof->height;
  out["state_version"] = proof->exec_height;
  out["block_time_ms"] = proof->timestamp_ms;
  out["signers"] = SignersJson(proof->signers);
  out["checked"] = proof == &check.proof ? check.checked : rcv.checked;
  ctx.Emit(out, "VERIFIED at height " + std::to_string(proof->height) + " (state after block " +
                    std::to_string(proof->exec_height) + "), signed by " +
                    SignersText(proof->signers, trust.genesis.size()) + "\n" + text);
  return Status::Ok();
}

bool IsFinAnswer(const json& doc, const ProofArgs& a) {
  if (!a.fingerprint.empty() || !a.invoice_key.empty() || !a.receivable.empty()) return true;
  if (Named(doc, nullptr, "key").rfind("fin/", 0) == 0) return true;
  return (doc.contains("fingerprint") && doc["fingerprint"].is_object() &&
          doc.contains("invoice_key")) ||
         (doc.contains("overdue") && (doc.contains("receivable") || doc.contains("record")));
}

Status DoVerify(Context& ctx, const ProofArgs& a) {
  json doc;
  std::string node = ctx.Node();
  if (IsHttp(a.target)) {
    auto [base, path] = SplitUrl(a.target);
    node = base;
    std::string sep = path.find('?') == std::string::npos ? "?" : "&";
    if (path.find("proof=") == std::string::npos) path += sep + "proof=true";
    TM_ASSIGN_OR_RETURN(doc, FetchJson(base, path));
  } else {
    TM_ASSIGN_OR_RETURN(std::string text, ReadFile(a.target));
    TM_ASSIGN_OR_RETURN(doc, ParseJson(text, a.target));
  }
  TM_ASSIGN_OR_RETURN(TrustAnchor trust, LoadTrust(ctx, a, node));
  if (!doc.is_object() || !doc.contains("proof") || !doc["proof"].is_object()) {
    return Status::Invalid(
        "nothing to verify: the document has no \"proof\" (ask with ?proof=true)");
  }
  const json& proof = doc["proof"];
  std::string format = proof.value("format", "");
  if (doc.contains("state_keys")) return EmitTrace(ctx, trust, doc, true);
  if (IsFinAnswer(doc, a)) return EmitFin(ctx, trust, doc, a);
  if (!proof.contains("bundle") || !proof["bundle"].is_string()) {
    return Status::Invalid("proof not available: " + proof.value("reason", std::string("?")));
  }
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex(proof["bundle"].get<std::string>()));
  if (format == "tidemark-tx-bundle/v1") {
    TM_ASSIGN_OR_RETURN(TxBundle b, TxBundle::Decode(raw));
    auto v = VerifyTxBundle(trust, b);
    if (!v.ok()) return v.status().WithContext("verification failed");
    std::string receipt = v->receipt
                              ? (v->receipt->status == TxStatus::kCommitted
                                     ? "receipt proven: committed"
                                     : "receipt proven: rejected (" + v->receipt->reason + ")")
                              : "receipt not proven";
    ctx.Emit({{"verified", true},
              {"what", "tx"},
              {"tx", v->tx_id.Hex()},
              {"height", v->height},
              {"index", v->index},
              {"receipt_proven", v->receipt.has_value()},
              {"signers", SignersJson(v->signers)}},
             "VERIFIED tx " + v->tx_id.Hex() + " in block " + std::to_string(v->height) +
                 " at index " + std::to_string(v->index) + ", signed by " +
                 SignersText(v->signers, trust.genesis.size()) + "\n" + receipt);
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(StateBundle b, StateBundle::Decode(raw));
  auto v = VerifyStateBundle(trust, b);
  if (!v.ok()) return v.status().WithContext("verification failed");
  ordered_json entries = ordered_json::array();
  std::string text = "VERIFIED at height " + std::to_string(v->height) + " (state after block " +
                     std::to_string(v->exec_height) + "), signed by " +
                     SignersText(v->signers, trust.genesis.size());
  for (const auto& e : v->entries) {
    std::string key(e.key.begin(), e.key.end());
    if (doc.contains("key") && doc["key"] == ToHex(e.key)) {
      bool claimed_present = doc["value"].is_string();
      auto claimed = FromHex(claimed_present ? doc["value"].get<std::string>() : "");
      if (claimed_present != e.present() || !claimed.ok() ||
          (claimed_present && !e.MatchesValue(*claimed))) {
        return Status::Unauthenticated(
            "verification failed: the answer's value is not the proven one");
      }
    }
    ordered_json j{{"key", key}, {"present", e.present()}};
    if (e.value) {
      auto val = Value::Decode(*e.value);
      j["value"] =
          val.ok() ? ordered_json::parse(val->ToJson().dump()) : ordered_json(ToHex(*e.value));
    } else if (e.value_hash) {
      j["value_sha256"] = e.value_hash->Hex();
    }
    text += "\n  " + key +
            (e.present() ? " = " + (e.value ? j["value"].dump().substr(0, 200)
                                            : "sha256:" + e.value_hash->Hex())
                         : " is absent");
    entries.push_back(j);
  }
  ctx.Emit({{"verified", true},
            {"what", "state"},
            {"height", v->height},
            {"state_version", v->exec_height},
            {"signers", SignersJson(v->signers)},
            {"entries", entries}},
           text);
  return Status::Ok();
}

Status DoTrace(Context& ctx, const ProofArgs& a) {
  std::string code = a.target;
  std::string base = a.url.empty() ? ctx.Node() : a.url;
  if (IsHttp(code)) {
    auto [host, path] = SplitUrl(code);
    if (host.find("id.gs1.org") == std::string::npos && a.url.empty()) base = host;
    code = path;
  }
  if (code.rfind("/01/", 0) != 0) {
    return Status::Invalid("digital link: expected /01/{gtin}[/10/{lot}][/21/{serial}] or a URL");
  }
  std::string path = code + (a.verify ? (code.find('?') == std::string::npos ? "?" : "&") +
                                            std::string("proof=true")
                                      : "");
  TM_ASSIGN_OR_RETURN(json answer, FetchJson(base, path));
  TrustAnchor trust;
  if (a.verify) {
    TM_ASSIGN_OR_RETURN(trust, LoadTrust(ctx, a, base));
  }
  return EmitTrace(ctx, trust, answer, a.verify);
}

}  // namespace

void RegisterProofCommands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ProofArgs>();
  auto* verify = app.add_subcommand(
      "verify",
      "Verify a proof-bearing answer (file or URL): what is proven, by whom, at which height");
  verify->add_option("source", args->target, "A saved JSON answer, or its URL (?proof=true added)")
      ->required();
  verify
      ->add_option("--genesis", args->genesis,
                   "Trust anchor: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  verify->add_option("--fingerprint", args->fingerprint,
                     "A bank check: the invoice fingerprint you asked about (hex)");
  verify->add_option("--invoice-key", args->invoice_key,
                     "A bank check: the invoice key you asked about (hex)");
  verify->add_option("--receivable", args->receivable,
                     "A receivable read: the receivable id you asked about");
  verify->callback([&ctx, args] { ctx.SetAction([&ctx, args] { return DoVerify(ctx, *args); }); });

  auto* trace =
      app.add_subcommand("trace", "Trace a product code (GS1 Digital Link) on the ledger");
  trace
      ->add_option("digital_link", args->target,
                   "/01/{gtin}[/10/{lot}][/21/{serial}] or https://id.gs1.org/01/...")
      ->required();
  trace->add_flag("--verify", args->verify,
                  "Ask for the proof bundle and verify it from the genesis validator set");
  trace->add_option("--url", args->url, "The resolver's base URL (default: --node)");
  trace
      ->add_option("--genesis", args->genesis,
                   "Trust anchor: a network genesis.json or a saved /v1/genesis answer")
      ->check(CLI::ExistingFile);
  trace->callback([&ctx, args] { ctx.SetAction([&ctx, args] { return DoTrace(ctx, *args); }); });
}

}  // namespace tidemark::cli
