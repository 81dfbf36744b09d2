#include "commands.h"

namespace tidemark::cli {

const std::vector<Registrar>& CommandGroups() {
  static const std::vector<Registrar> kGroups = {
      RegisterKeysCommands, RegisterNetworkCommands, RegisterOrgCommands,
      RegisterProvCommands, RegisterEpcisCommands,   RegisterFinCommands,
      RegisterPlgCommands,  RegisterDemoCommands,    RegisterProofCommands,
  };
  return kGroups;
}

}  // namespace tidemark::cli
