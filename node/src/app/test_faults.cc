#include "tidemark/node/app/test_faults.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace tidemark::node {

bool TestFaultsEnabled() {
  const char* v = std::getenv("TIDEMARK_TEST_FAULTS");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

Result<std::set<PublicKey>> ReadTestFaults(const std::string& path) {
  std::set<PublicKey> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    auto key = PublicKey::FromHex(line.substr(start));
    if (!key.ok()) return key.status().WithContext(path + ":" + std::to_string(n));
    out.insert(*key);
  }
  return out;
}

}  // namespace tidemark::node
