#include "app.h"

#include <cstdlib>
#include <iostream>

#include "commands.h"

namespace tidemark::cli {

std::filesystem::path Context::Home() const {
  if (!global.home.empty()) return global.home;
  if (const char* env = std::getenv("TIDEMARK_HOME"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".tidemark";
}

std::string Context::Node() const {
  if (!global.node.empty()) return global.node;
  if (const char* env = std::getenv("TIDEMARK_NODE"); env != nullptr && *env != '\0') return env;
  return kDefaultNode;
}

void Context::Emit(const nlohmann::ordered_json& j, const std::string& text) {
  if (json()) {
    out_ << j.dump(2) << "\n";
  } else {
    out_ << text << "\n";
  }
}

CLI::Validator StatusValidator(std::function<Status(const std::string&)> check,
                               const std::string& name) {
  return CLI::Validator(
      [check = std::move(check)](std::string& value) -> std::string {
        Status s = check(value);
        return s.ok() ? std::string() : s.message();
      },
      "", name);
}

namespace {

void AddGlobalOptions(CLI::App& app, Context& ctx) {
  app.add_option("--home", ctx.global.home,
                 "Tidemark home directory (default: $TIDEMARK_HOME, else ~/.tidemark)");
  app.add_option("-o,--output", ctx.global.output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--node", ctx.global.node,
                 std::string("Node REST URL (default: $TIDEMARK_NODE, else ") + kDefaultNode + ")");
}

int RunParsed(Context& ctx) {
  if (!ctx.action()) {
    ctx.err() << "error: no command given; run with --help\n";
    return kExitUsage;
  }
  Status s;
  try {
    s = ctx.action()();
  } catch (const std::exception& e) {  // a bug in a command must not abort the process
    s = Status::Internal(e.what());
  }
  if (s.ok()) return kExitOk;
  if (ctx.json()) {
    nlohmann::ordered_json j{{"error", {{"code", CodeName(s.code())}, {"message", s.message()}}}};
    ctx.err() << j.dump() << "\n";
  } else {
    ctx.err() << "error: " << s.message() << "\n";
  }
  return kExitFailure;
}

}  // namespace

int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  Context ctx(out, err);
  CLI::App app("tidemark — client for the Tidemark provenance and supply-chain finance ledger",
               "tidemark");
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too
  AddGlobalOptions(app, ctx);
  for (Registrar reg : CommandGroups()) reg(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "error: " << e.what() << "\n"
        << "Run with --help for more information.\n";
    return kExitUsage;
  }
  return RunParsed(ctx);
}

}  // namespace tidemark::cli
