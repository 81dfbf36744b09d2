// tidemark-proof-vectors: writes tests/vectors/proof_vectors.json (proof_vectors.h).
//   tidemark-proof-vectors             # to stdout
//   tidemark-proof-vectors OUT.json    # to a file
#include <fstream>
#include <iostream>

#include "proof_vectors.h"

int main(int argc, char** argv) {
  std::string text = tidemark::prooftest::ProofVectorsText();
  if (argc == 1) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  return out ? 0 : 1;
}
