// app.h — the `tidemark` command-line tool's frame: global options, output, exit codes.
//
// Each command group (keys, network, tx, trace, verify, watch…) lives in its own file and exposes
// one `void Register<Group>Commands(CLI::App& app, Context& ctx)` listed in commands.cc. A command
// parses its own flags into variables it owns and, in its CLI11 callback, hands the work to
// `ctx.SetAction(...)`; Run() executes that action after parsing succeeded.
//
//   void RegisterFooCommands(CLI::App& app, Context& ctx) {
//     auto* foo = app.add_subcommand("foo", "Do foo")->require_subcommand(1);
//     auto* bar = foo->add_subcommand("bar", "Bar a thing");
//     auto name = std::make_shared<std::string>();
//     bar->add_option("name", *name, "What to bar")->required();
//     bar->callback([&ctx, name] { ctx.SetAction([&ctx, name]() -> Status {
//       ctx.Emit({{"barred", *name}}, "barred " + *name);
//       return Status::Ok();
//     }); });
//   }
//
// Exit codes: 0 success, 1 the command failed (the Status is printed as "error: ..."), 2 bad
// command line (unknown command or flag, missing or invalid argument).
// Thread safety: single-threaded, like the process.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "tidemark/status.h"

namespace tidemark::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string home;             // --home; empty: $TIDEMARK_HOME, else ~/.tidemark
  std::string output = "text";  // --output text|json
  std::string node;             // --node URL; empty: $TIDEMARK_NODE, else kDefaultNode
};

inline constexpr const char* kDefaultNode = "http://127.0.0.1:8080";

class Context {
 public:
  Context(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  GlobalOptions global;

  bool json() const { return global.output == "json"; }
  // The resolved home directory and node URL.
  std::filesystem::path Home() const;
  std::string Node() const;

  // Prints `j` (json mode, pretty, one document) or `text` (text mode; a newline is added).
  void Emit(const nlohmann::ordered_json& j, const std::string& text);
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  void SetAction(std::function<Status()> action) { action_ = std::move(action); }
  const std::function<Status()>& action() const { return action_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::function<Status()> action_;
};

// A CLI11 validator for values checked by a Status-returning function: a failure is a usage
// error (exit 2) with the Status message.
CLI::Validator StatusValidator(std::function<Status(const std::string&)> check,
                               const std::string& name);

// Parses argv, runs the selected command, returns the exit code. Never throws.
int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
