// tidemark-ceiling: prints the machine's signature-verification ceiling (see ceiling.h).
#include <cstdio>
#include <cstdlib>

#include "ceiling.h"

int main(int argc, char** argv) {
  size_t validators = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4;
  if (validators == 0) {
    std::fprintf(stderr, "usage: tidemark-ceiling [validators>0]\n");
    return 2;
  }
  auto c = tidemark::bench::MeasureCeiling(validators);
  std::printf("ed25519 verify/s per core (median of 5): %.0f\n", c.verify_per_core);
  std::printf("sha256 MiB/s per core (median of 5):      %.0f\n", c.sha256_mib_per_s);
  std::printf("cores: %u  validators: %zu\n", c.cores, c.validators);
  std::printf("ceiling = verify_per_core x cores / validators = %.0f tx/s\n", c.tx_per_s);
  return 0;
}
