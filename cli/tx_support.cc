#include "tx_support.h"

#include <fstream>
#include <sstream>

#include "password.h"
#include "tidemark/keystore.h"

namespace tidemark::cli {

void AddSignerOptions(CLI::App* cmd, SignerOptions& s) {
  cmd->add_option("--key", s.key_name, "Sign with this keystore key (see `keys add`)");
  cmd->add_option("--key-file", s.key_file,
                  "Sign with a plain key file {\"public_key\", \"seed\"} (network init writes "
                  "admin_key.json; development only)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--password-file", s.password_file,
                  "Keystore password file (else $TIDEMARK_PASSWORD, else a prompt)")
      ->check(CLI::ExistingFile);
}

Status CheckSignerOptions(const SignerOptions& s) {
  if (s.key_name.empty() == s.key_file.empty()) {
    return Status::Invalid("give exactly one of --key NAME or --key-file FILE to sign with");
  }
  if (!s.key_name.empty()) return Keystore::ValidateName(s.key_name);
  return Status::Ok();
}

Result<KeyPair> LoadPlainKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read key file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePlainKeyFile(ss.str(), path);
}

Result<KeyPair> LoadSigner(const Context& ctx, const SignerOptions& s) {
  TM_RETURN_IF_ERROR(CheckSignerOptions(s));
  if (!s.key_file.empty()) return LoadPlainKeyFile(s.key_file);
  Keystore ks(ctx.Home() / "keys");
  TM_RETURN_IF_ERROR(ks.Show(s.key_name).status());
  TM_ASSIGN_OR_RETURN(std::string pw,
                      ReadPassword(s.password_file, "Password for " + s.key_name, false));
  return ks.Load(s.key_name, pw);
}

Result<client::LedgerClient> Connect(const Context& ctx) {
  TM_ASSIGN_OR_RETURN(client::Url url, client::Url::Parse(ctx.Node()));
  client::LedgerClient c(url, "");
  TM_RETURN_IF_ERROR(c.ChainId().status());
  return c;
}

void UsageCheck(const Status& s) {
  if (!s.ok()) throw CLI::ValidationError(s.message());
}

Status ReportOutcome(Context& ctx, const client::TxOutcome& out,
                     const nlohmann::ordered_json& extra) {
  auto answer = nlohmann::ordered_json::parse(out.answer_json, nullptr, false);
  std::string text = "tx " + out.id.Hex() + "\nstatus: " + out.status;
  if (out.height > 0) text += " at height " + std::to_string(out.height);
  if (out.status == "committed" && extra.is_object()) {
    for (const auto& [k, v] : extra.items()) {
      if (answer.is_object()) answer[k] = v;
      text += "\n" + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  if (answer.is_object() && answer.contains("receipt") && answer["receipt"].is_object()) {
    const auto& r = answer["receipt"];
    text += "\nreceipt: " + r.value("hash", std::string());
    if (r.contains("events") && r["events"].is_array()) {
      for (const auto& e : r["events"]) {
        text += "\n  event " + e.value("type", std::string()) + " " +
                (e.contains("data") ? e["data"].dump() : std::string("null"));
      }
    }
  }
  if (out.status == "rejected") {
    if (ctx.json()) ctx.Emit(answer, text);
    return Status::FailedPrecondition("tx " + out.id.Hex() + " rejected: " + out.reason);
  }
  ctx.Emit(answer.is_object() ? answer : nlohmann::ordered_json{{"id", out.id.Hex()}}, text);
  return Status::Ok();
}

void OnSubmit(CLI::App* cmd, Context& ctx, std::shared_ptr<SignerOptions> signer,
              std::string contract, std::string method, std::function<Result<Value>()> build) {
  cmd->callback([&ctx, signer, contract, method, build] {
    UsageCheck(CheckSignerOptions(*signer));
    Result<Value> args = build();
    UsageCheck(args.status());
    Value v = std::move(*args);
    ctx.SetAction([&ctx, signer, contract, method, v]() -> Status {
      TM_ASSIGN_OR_RETURN(KeyPair key, LoadSigner(ctx, *signer));
      TM_ASSIGN_OR_RETURN(client::LedgerClient c, Connect(ctx));
      TM_ASSIGN_OR_RETURN(client::TxOutcome out, c.Call(key, contract, method, v));
      return ReportOutcome(ctx, out);
    });
  });
}

std::vector<std::string> SplitList(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::stringstream ss(s);
  while (std::getline(ss, cur, sep)) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsLowerHex(const std::string& s, size_t len) {
  return s.size() == len && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace tidemark::cli
