// tx_support.h — what every command that signs a transaction shares: the signer options, key
// loading, argument checks that end in a usage error, and submitting with a printed receipt.
//
//   auto signer = std::make_shared<SignerOptions>();
//   AddSignerOptions(cmd, *signer);                       // --key NAME | --key-file FILE
//   OnSubmit(cmd, ctx, signer, "prov", "recall", [a] () -> Result<Value> {
//     if (a->lot.empty()) return Status::Invalid("--lot: required");   // -> exit 2, nothing sent
//     return Value::MakeMap({{"lot", a->lot}, {"reason", a->reason}});
//   });
//
// The args are built and checked while the command line is parsed: a failure is a usage error
// (exit 2) and nothing is submitted. Then the tx is signed at the signer's next nonce, submitted
// to --node, and the command waits for the final receipt and prints the tx id and the receipt;
// a rejected tx exits 1 with its reason.
// Thread safety: single-threaded (the CLI process).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/crypto.h"
#include "tidemark/value.h"

namespace tidemark::cli {

struct SignerOptions {
  std::string key_name;  // --key: a keystore key (password: --password-file / env / prompt)
  std::string key_file;  // --key-file: a plain {"public_key", "seed"} file (network init keys)
  std::string password_file;
};

void AddSignerOptions(CLI::App* cmd, SignerOptions& s);
// Usage check of the options alone (exactly one of --key / --key-file).
Status CheckSignerOptions(const SignerOptions& s);
Result<KeyPair> LoadSigner(const Context& ctx, const SignerOptions& s);
// A {"public_key": hex, "seed": hex} key file, as `tidemark network init` writes.
Result<KeyPair> LoadPlainKeyFile(const std::string& path);

// A client for --node; the chain id is read from the node.
Result<client::LedgerClient> Connect(const Context& ctx);

// Throws CLI::ValidationError (exit 2) when `s` is not OK.
void UsageCheck(const Status& s);

// Prints a final outcome (tx id, status, height, receipt events) and turns a rejection into an
// error naming the reason. `extra` fields (e.g. the id of what the tx created) are added to the
// JSON answer and printed as "name: value" lines when the tx committed.
Status ReportOutcome(Context& ctx, const client::TxOutcome& out,
                     const nlohmann::ordered_json& extra = nlohmann::ordered_json::object());

// Registers `cmd` to build args with `build` at parse time (errors: usage) and then sign,
// submit and report `contract.method`.
void OnSubmit(CLI::App* cmd, Context& ctx, std::shared_ptr<SignerOptions> signer,
              std::string contract, std::string method, std::function<Result<Value>()> build);

// The whole file at `path` (INVALID_ARGUMENT naming it if it cannot be read).
Result<std::string> ReadWhole(const std::string& path);

// Exactly `len` lower-case hex digits.
bool IsLowerHex(const std::string& s, size_t len);

// "A,B,C" -> {"A", "B", "C"} (empty parts dropped).
std::vector<std::string> SplitList(const std::string& s, char sep = ',');

}  // namespace tidemark::cli
