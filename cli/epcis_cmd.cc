// `tidemark epcis capture|query|token`: GS1 EPCIS 2.0 documents and queries.
//
//   tidemark epcis capture shipment.jsonld --key-file admin_key.json   # signs one prov.capture tx
//   tidemark epcis query --param MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017
//       --param EQ_bizStep=shipping
//   tidemark epcis token --ttl 30d   # a bearer token for POST /epcis/capture, its SHA-256, expiry
//
// `capture` validates the whole document here first (a bad document is a usage error naming the
// field; nothing is sent), then signs and submits one prov.capture tx and waits for its receipt.
#include <sodium.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "commands.h"
#include "password.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/event_hash.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/hash.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

struct EpcisArgs {
  std::string file;
  std::string token_file;
  std::vector<std::string> params;
};

inline constexpr const char* kTokenEnv = "TIDEMARK_CAPTURE_TOKEN";

// The bearer token for REST capture: --token-file, else $TIDEMARK_CAPTURE_TOKEN, else "".
Result<std::string> CaptureToken(const EpcisArgs& a) {
  if (!a.token_file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string t, ReadSecretFile(a.token_file));
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    if (t.empty()) return Status::Invalid("--token-file: empty");
    return t;
  }
  const char* env = std::getenv(kTokenEnv);
  return std::string(env != nullptr ? env : "");
}

Status DoRestCapture(Context& ctx, const std::string& file, const std::string& token) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  TM_ASSIGN_OR_RETURN(client::Url url, client::Url::Parse(ctx.Node()));
  client::LedgerClient c(url, "");
  TM_ASSIGN_OR_RETURN(std::string job_text, c.CaptureEpcisDocument(ss.str(), token));
  auto job = nlohmann::ordered_json::parse(job_text, nullptr, false);
  std::string text = "capture " + job.value("captureID", std::string("?")) +
                     "\nstatus: " + job.value("status", std::string("?"));
  if (job.contains("height")) text += " at height " + job["height"].dump();
  if (job.value("success", false)) {
    ctx.Emit(job, text);
    return Status::Ok();
  }
  if (ctx.json()) ctx.Emit(job, text);
  std::string why = job.contains("errors") && !job["errors"].empty()
                        ? job["errors"][0].value("detail", std::string())
                        : std::string("unknown");
  return Status::FailedPrecondition("capture " + job.value("captureID", std::string()) +
                                    " rejected: " + why);
}

Result<Value> CaptureArgs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  Value::List context;  // the document's namespace declarations travel with its events
  auto events = contracts::ParseEpcisDocumentText(ss.str(), &context);
  if (!events.ok()) return events.status().WithContext(path);
  Value::Map arg_map{{"events", Value(Value::List(events->begin(), events->end()))}};
  if (!context.empty()) {
    Value ctx(std::move(context));
    TM_RETURN_IF_ERROR(contracts::CheckCaptureContext(ctx).WithContext(path));
    arg_map["context"] = std::move(ctx);
  }
  Value args(std::move(arg_map));
  size_t size = args.Encode().size();
  if (size > kMaxArgsLen) {
    return Status::Invalid(path + ": " + std::to_string(events->size()) + " events take " +
                           std::to_string(size) + " bytes, one tx holds " +
                           std::to_string(kMaxArgsLen) + ": split the document");
  }
  return args;
}

Result<std::map<std::string, std::string>> QueryParams(const std::vector<std::string>& list) {
  std::map<std::string, std::string> params;
  for (const auto& p : list) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Invalid("--param \"" + p + "\": expected NAME=VALUE");
    }
    params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  TM_RETURN_IF_ERROR(contracts::EventQuery::FromParams(params).status());
  return params;
}

std::string EventLine(const nlohmann::ordered_json& e) {
  std::string ids;
  for (const char* list : {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}) {
    if (!e.contains(list) || !e[list].is_array()) continue;
    for (const auto& id : e[list]) {
      if (id.is_string()) ids += (ids.empty() ? "" : " ") + id.get<std::string>();
    }
  }
  if (ids.size() > 120) ids = ids.substr(0, 117) + "...";
  return e.value("eventTime", std::string("?")) + "  " + e.value("type", std::string("?")) + " " +
         e.value("action", std::string("")) + "  " + e.value("bizStep", std::string("-")) + "  " +
         ids;
}

Status DoQuery(Context& ctx, const std::map<std::string, std::string>& params) {
  TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
  TM_ASSIGN_OR_RETURN(std::string body, c.QueryEpcisEvents(params));
  auto doc = nlohmann::ordered_json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Status::Invalid("the node's answer is not JSON");
  std::string text;
  size_t n = 0;
  auto list = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  if (list.is_array()) {
    for (const auto& e : list) {
      text += (text.empty() ? "" : "\n") + EventLine(e);
      ++n;
    }
  }
  text += (text.empty() ? "" : "\n") + std::to_string(n) + " event(s)";
  ctx.Emit(doc, text);
  return Status::Ok();
}

Result<int64_t> ParseTtl(const std::string& text) {
  // "<n>d", "<n>h" or "<n>m": days, hours, minutes; at most 5 years.
  if (text.size() < 2) {
    return Status::Invalid("--ttl: expected <n>d, <n>h or <n>m, got '" + text + "'");
  }
  char unit = text.back();
  int64_t per = unit == 'd' ? 86'400'000 : unit == 'h' ? 3'600'000 : unit == 'm' ? 60'000 : 0;
  std::string digits = text.substr(0, text.size() - 1);
  if (per == 0 || digits.empty() || digits.size() > 6 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("--ttl: expected <n>d, <n>h or <n>m, got '" + text + "'");
  }
  int64_t ms = std::stoll(digits) * per;
  if (ms <= 0 || ms > 5 * 366 * int64_t{86'400'000}) {
    return Status::Invalid("--ttl: between 1 minute and 5 years, got '" + text + "'");
  }
  return ms;
}

Status DoToken(Context& ctx, int64_t ttl_ms) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string token = "tmk_" + ToHex(ByteView(raw, sizeof raw));
  std::string sha = Sha256(AsBytes(token)).Hex();
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  int64_t expires_ms = (now_ms + ttl_ms) / 1000 * 1000;
  std::string expires = contracts::FormatEpcisTime(expires_ms);
  nlohmann::ordered_json entry{{"token_sha256", sha},
                               {"key_file", "<member key file>"},
                               {"label", "<client name>"},
                               {"expires_at", expires}};
  ctx.Emit(
      {{"token", token}, {"token_sha256", sha}, {"expires_at", expires}, {"config_entry", entry}},
      "token: " + token + "\ntoken_sha256: " + sha + "\nexpires_at: " + expires +
          "\nAdd to the node's config (keep the token itself only with the client):\n"
          "  \"capture_tokens\": [" +
          entry.dump() + "]");
  return Status::Ok();
}

}  // namespace

void RegisterEpcisCommands(CLI::App& app, Context& ctx) {
  auto* epcis = app.add_subcommand("epcis", "GS1 EPCIS 2.0 capture and queries");
  epcis->require_subcommand(1);
  auto a = std::make_shared<EpcisArgs>();
  auto signer = std::make_shared<SignerOptions>();

  auto* capture = epcis->add_subcommand(
      "capture",
      "Capture an EPCISDocument as one tx: signed here with --key / --key-file, or sent to "
      "POST /epcis/capture with a bearer token (--token-file or $TIDEMARK_CAPTURE_TOKEN) for "
      "the node to sign");
  capture->add_option("file", a->file, "EPCISDocument (JSON / JSON-LD)")
      ->required()
      ->check(CLI::ExistingFile);
  AddSignerOptions(capture, *signer);
  capture->add_option("--token-file", a->token_file, "File holding a capture bearer token")
      ->check(CLI::ExistingFile);
  capture->callback([&ctx, a, signer] {
    Result<Value> args = CaptureArgs(a->file);
    UsageCheck(args.status());
    bool signed_here = !signer->key_name.empty() || !signer->key_file.empty();
    if (!signed_here || !a->token_file.empty()) {
      auto token = CaptureToken(*a);
      UsageCheck(token.status());
      if (signed_here || token->empty()) {
        UsageCheck(
            Status::Invalid("give exactly one of --key, --key-file (sign here) or "
                            "--token-file / $TIDEMARK_CAPTURE_TOKEN (the node signs)"));
      }
      std::string t = *token, file = a->file;
      ctx.SetAction([&ctx, file, t] { return DoRestCapture(ctx, file, t); });
      return;
    }
    UsageCheck(CheckSignerOptions(*signer));
    Value v = std::move(*args);
    ctx.SetAction([&ctx, signer, v]() -> Status {
      TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, *signer));
      TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
      TM_ASSIGN_OR_RETURN(client::TxOutcome out, c.Call(key, "prov", "capture", v));
      return ReportOutcome(ctx, out);
    });
  });

  auto* query = epcis->add_subcommand("query", "GET /epcis/events with query parameters");
  query->add_option("--param", a->params,
                    "NAME=VALUE (repeat): the EPCIS 2.0 simple event query parameters "
                    "(eventType, GE_eventTime, EQ_action, MATCH_epc, EQ_bizTransaction_po, "
                    "GT_value, EQ_example:myField, perPage, orderBy, ...; docs/api.md, EPCIS "
                    "query); several values: a|b");
  query->callback([&ctx, a] {
    auto params = QueryParams(a->params);
    UsageCheck(params.status());
    auto p = *params;
    ctx.SetAction([&ctx, p] { return DoQuery(ctx, p); });
  });

  auto* token = epcis->add_subcommand(
      "token", "Make a bearer token for POST /epcis/capture (prints it and its SHA-256)");
  auto ttl = std::make_shared<std::string>("90d");
  token->add_option("--ttl", *ttl, "Lifetime: <n>d, <n>h or <n>m (the node refuses it after)")
      ->capture_default_str();
  token->callback([&ctx, ttl] {
    auto ms = ParseTtl(*ttl);
    UsageCheck(ms.status());
    int64_t v = *ms;
    ctx.SetAction([&ctx, v] { return DoToken(ctx, v); });
  });
}

}  // namespace tidemark::cli
