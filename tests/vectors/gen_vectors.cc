// tidemark-vectors: writes the cross-language test vectors (docs/encoding.md).
//
//   tidemark-vectors                  # vectors.json on stdout
//   tidemark-vectors OUT.json         # to a file
//   tidemark-vectors --corpus DIR     # DIR/<kind>/<name> raw files: the fuzzers' seed corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "vectors.h"

namespace {

int WriteCorpus(const std::filesystem::path& dir) {
  using tidemark::vectors::Json;
  Json doc = tidemark::vectors::Generate();
  size_t n = 0;
  for (const char* list : {"vectors", "rejects"}) {
    for (const auto& e : doc[list]) {
      auto bytes = tidemark::FromHex(e["hex"].get<std::string>());
      if (!bytes.ok()) return 1;
      std::filesystem::path sub = dir / e["kind"].get<std::string>();
      std::filesystem::create_directories(sub);
      std::ofstream f(sub / (std::string(list) + "_" + e["name"].get<std::string>()),
                      std::ios::binary);
      f.write(reinterpret_cast<const char*>(bytes->data()),
              static_cast<std::streamsize>(bytes->size()));
      if (!f) {
        std::fprintf(stderr, "tidemark-vectors: cannot write into %s\n", sub.c_str());
        return 1;
      }
      ++n;
    }
  }
  std::fprintf(stderr, "tidemark-vectors: wrote %zu corpus files under %s\n", n, dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--corpus") return WriteCorpus(argv[2]);
  if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
    std::fprintf(stderr, "usage: tidemark-vectors [OUT.json] | --corpus DIR\n");
    return 2;
  }
  std::string text = tidemark::vectors::GenerateText();
  if (argc == 1) {
    std::cout << text;
    return std::cout ? 0 : 1;
  }
  std::ofstream f(argv[1], std::ios::binary);
  f << text;
  return f ? 0 : 1;
}
