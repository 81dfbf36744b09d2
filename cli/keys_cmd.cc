// `tidemark keys add|list|show|export|import|remove`: the local keystore under <home>/keys.
#include <memory>

#include "commands.h"
#include "password.h"
#include "tidemark/keystore.h"

namespace tidemark::cli {

namespace {

struct KeysArgs {
  std::string name;
  std::string password_file;
  std::string kdf = "default";
  std::string seed_file;
  std::string key_file;
  bool seed = false;
  bool yes = false;
};

Keystore OpenKeystore(const Context& ctx, const std::string& kdf) {
  Keystore::Options opts;
  if (kdf == "interactive") opts.kdf = KdfParams::Interactive();
  if (kdf == "moderate") opts.kdf = KdfParams::Moderate();
  return Keystore(ctx.Home() / "keys", opts);
}

nlohmann::ordered_json KeyJson(const KeyInfo& k) {
  return {{"name", k.name}, {"public_key", k.public_key.Hex()}};
}

void AddName(CLI::App* cmd, KeysArgs& a) {
  cmd->add_option("name", a.name, "Key name: 1-64 of [A-Za-z0-9_-]")
      ->required()
      ->check(
          StatusValidator([](const std::string& n) { return Keystore::ValidateName(n); }, "NAME"));
}

void AddPasswordFile(CLI::App* cmd, KeysArgs& a) {
  cmd->add_option("--password-file", a.password_file,
                  "Read the password from FILE (else $TIDEMARK_PASSWORD, else a prompt)")
      ->check(CLI::ExistingFile);
}

void AddKdf(CLI::App* cmd, KeysArgs& a) {
  cmd->add_option("--kdf", a.kdf, "Argon2id cost: default (~0.5 s), interactive, moderate (~3 s)")
      ->check(CLI::IsMember({"default", "interactive", "moderate"}))
      ->capture_default_str();
}

Status Added(Context& ctx, const Keystore& ks, const KeyInfo& k, const char* verb) {
  auto j = KeyJson(k);
  j["file"] = (ks.dir() / (k.name + ".json")).string();
  ctx.Emit(j, std::string(verb) + " key \"" + k.name + "\"\npublic key: " + k.public_key.Hex() +
                  "\nfile: " + j["file"].get<std::string>());
  return Status::Ok();
}

Status DoAdd(Context& ctx, const KeysArgs& a) {
  Keystore ks = OpenKeystore(ctx, a.kdf);
  TM_RETURN_IF_ERROR(Keystore::ValidateName(a.name));
  if (ks.Show(a.name).ok()) {
    return Status::AlreadyExists("a key named \"" + a.name + "\" already exists");
  }
  TM_ASSIGN_OR_RETURN(std::string pw,
                      ReadPassword(a.password_file, "New password for " + a.name, true));
  TM_ASSIGN_OR_RETURN(KeyInfo k, ks.Add(a.name, pw));
  return Added(ctx, ks, k, "Added");
}

Status DoList(Context& ctx) {
  Keystore ks = OpenKeystore(ctx, "default");
  TM_ASSIGN_OR_RETURN(auto keys, ks.List());
  auto arr = nlohmann::ordered_json::array();
  std::string text;
  for (const auto& k : keys) {
    arr.push_back(KeyJson(k));
    text += (text.empty() ? "" : "\n") + k.name + "  " + k.public_key.Hex();
  }
  if (keys.empty()) text = "no keys in " + ks.dir().string();
  ctx.Emit({{"keys", arr}}, text);
  return Status::Ok();
}

Status DoShow(Context& ctx, const KeysArgs& a) {
  TM_ASSIGN_OR_RETURN(KeyInfo k, OpenKeystore(ctx, "default").Show(a.name));
  ctx.Emit(KeyJson(k), "name: " + k.name + "\npublic key: " + k.public_key.Hex());
  return Status::Ok();
}

Status DoExport(Context& ctx, const KeysArgs& a) {
  Keystore ks = OpenKeystore(ctx, "default");
  TM_RETURN_IF_ERROR(ks.Show(a.name).status());
  TM_ASSIGN_OR_RETURN(std::string pw,
                      ReadPassword(a.password_file, "Password for " + a.name, false));
  if (a.seed) {
    TM_ASSIGN_OR_RETURN(KeyPair k, ks.Load(a.name, pw));
    ctx.Emit({{"name", a.name}, {"public_key", k.public_key().Hex()}, {"seed", k.seed().Hex()}},
             k.seed().Hex());
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(std::string file, ks.ExportFile(a.name, pw));
  auto parsed = nlohmann::ordered_json::parse(file, nullptr, false);
  std::string text = file;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  ctx.Emit({{"name", a.name}, {"key_file", parsed}}, text);
  return Status::Ok();
}

Status DoImport(Context& ctx, const KeysArgs& a) {
  Keystore ks = OpenKeystore(ctx, a.kdf);
  if (ks.Show(a.name).ok()) {
    return Status::AlreadyExists("a key named \"" + a.name + "\" already exists");
  }
  if (!a.seed_file.empty()) {
    TM_ASSIGN_OR_RETURN(std::string hex, ReadSecretFile(a.seed_file));
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
    auto seed = Seed::FromHex(hex);
    if (!seed.ok()) return seed.status().WithContext("seed file " + a.seed_file);
    TM_ASSIGN_OR_RETURN(std::string pw,
                        ReadPassword(a.password_file, "New password for " + a.name, true));
    TM_ASSIGN_OR_RETURN(KeyInfo k, ks.ImportSeed(a.name, *seed, pw));
    return Added(ctx, ks, k, "Imported");
  }
  TM_ASSIGN_OR_RETURN(std::string text, ReadSecretFile(a.key_file));
  TM_RETURN_IF_ERROR(KeyFile::Parse(text).status());
  TM_ASSIGN_OR_RETURN(std::string pw,
                      ReadPassword(a.password_file, "Password of the exported key", false));
  TM_ASSIGN_OR_RETURN(KeyInfo k, ks.ImportFile(a.name, text, pw));
  return Added(ctx, ks, k, "Imported");
}

Status DoRemove(Context& ctx, const KeysArgs& a) {
  if (!a.yes) {
    return Status::FailedPrecondition("removing a key cannot be undone; add --yes to confirm");
  }
  TM_RETURN_IF_ERROR(OpenKeystore(ctx, "default").Remove(a.name));
  ctx.Emit({{"name", a.name}, {"removed", true}}, "Removed key \"" + a.name + "\"");
  return Status::Ok();
}

// Registers `cmd` to run `fn` with the shared args after a successful parse.
template <typename Fn>
void OnRun(CLI::App* cmd, Context& ctx, std::shared_ptr<KeysArgs> a, Fn fn) {
  cmd->callback([&ctx, a, fn] { ctx.SetAction([&ctx, a, fn] { return fn(ctx, *a); }); });
}

}  // namespace

void RegisterKeysCommands(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<KeysArgs>();
  auto* keys = app.add_subcommand("keys", "Manage the local keystore (<home>/keys)");
  keys->require_subcommand(1);

  auto* add = keys->add_subcommand("add", "Generate a new Ed25519 key, encrypted with a password");
  AddName(add, *a);
  AddPasswordFile(add, *a);
  AddKdf(add, *a);
  OnRun(add, ctx, a, DoAdd);

  auto* list = keys->add_subcommand("list", "List key names and public keys");
  OnRun(list, ctx, a, [](Context& c, const KeysArgs&) { return DoList(c); });

  auto* show = keys->add_subcommand("show", "Show a key's public key (no password needed)");
  AddName(show, *a);
  OnRun(show, ctx, a, DoShow);

  auto* exp = keys->add_subcommand(
      "export", "Print the encrypted key file, or with --seed the secret seed in hex");
  AddName(exp, *a);
  AddPasswordFile(exp, *a);
  exp->add_flag("--seed", a->seed, "Print the raw 32-byte seed (hex): anyone with it owns the key");
  OnRun(exp, ctx, a, DoExport);

  auto* imp =
      keys->add_subcommand("import", "Import a key from a seed file or an exported key file");
  AddName(imp, *a);
  AddPasswordFile(imp, *a);
  AddKdf(imp, *a);
  auto* source = imp->add_option_group("source", "Where the key comes from (exactly one)");
  source->add_option("--seed-file", a->seed_file, "File holding the 32-byte seed in hex")
      ->check(CLI::ExistingFile);
  source->add_option("--key-file", a->key_file, "An exported key file (`keys export`)")
      ->check(CLI::ExistingFile);
  source->require_option(1);
  OnRun(imp, ctx, a, DoImport);

  auto* rm = keys->add_subcommand("remove", "Delete a key file");
  AddName(rm, *a);
  rm->add_flag("--yes", a->yes, "Confirm the deletion");
  OnRun(rm, ctx, a, DoRemove);
}

}  // namespace tidemark::cli
