// commands.h — the command groups of the `tidemark` CLI. To add a group: write
// `<group>_cmd.cc` defining `void Register<Group>Commands(CLI::App&, Context&)`, declare it here
// and list it in commands.cc. See app.h for how a command is written. Thread safety:
// single-threaded (the CLI process).
#pragma once

#include <vector>

#include "app.h"

namespace tidemark::cli {

using Registrar = void (*)(CLI::App& app, Context& ctx);

// In the order they appear in --help.
const std::vector<Registrar>& CommandGroups();

void RegisterKeysCommands(CLI::App& app, Context& ctx);     // keys_cmd.cc
void RegisterNetworkCommands(CLI::App& app, Context& ctx);  // network_cmd.cc
void RegisterOrgCommands(CLI::App& app, Context& ctx);      // org_cmd.cc: org, gov
void RegisterProvCommands(CLI::App& app, Context& ctx);     // prov_cmd.cc: prov, customs
void RegisterEpcisCommands(CLI::App& app, Context& ctx);    // epcis_cmd.cc
void RegisterFinCommands(CLI::App& app, Context& ctx);      // fin_cmd.cc
void RegisterPlgCommands(CLI::App& app, Context& ctx);      // plg_cmd.cc: ip, equity, wr, plg, reg
void RegisterDemoCommands(CLI::App& app, Context& ctx);     // demo_cmd.cc
void RegisterProofCommands(CLI::App& app, Context& ctx);    // proof_cmd.cc: verify, trace

}  // namespace tidemark::cli
