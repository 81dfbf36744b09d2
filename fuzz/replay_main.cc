// replay_main.cc — runs a fuzz target without libFuzzer, so the ordinary (gcc, ASan + UBSan) test
// build exercises every target: each file of the given corpus folders as it is, then
// deterministic mutations of them (bit flips, byte changes, truncation, duplication, splices
// and random bytes) until the time budget or the iteration cap is spent. A finding aborts, as
// under libFuzzer, and the input is written to replay-crash-<target>.bin first.
//
//   value_fuzz_replay --seconds 3 --iterations 20000 fuzz/corpus/value build/seeds/value
//
// Coverage-guided search is scripts/fuzz.sh's job (clang + libFuzzer); this is the smoke test
// that runs on every `scripts/test.sh`.
// Thread safety: a single-threaded program.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Input = std::vector<uint8_t>;

const Input* g_current = nullptr;
std::string g_name;

void SaveCurrent(int) {
  if (g_current == nullptr) return;
  std::string path = "replay-crash-" + g_name + ".bin";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(g_current->data(), 1, g_current->size(), f);
    std::fclose(f);
    std::fprintf(stderr, "replay: input that failed written to %s\n", path.c_str());
  }
}

void Run(const Input& in) {
  g_current = &in;
  LLVMFuzzerTestOneInput(in.data(), in.size());
  g_current = nullptr;
}

Input Mutate(const std::vector<Input>& pool, std::mt19937_64& rng) {
  Input x = pool.empty() ? Input{} : pool[rng() % pool.size()];
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!x.empty()) x[rng() % x.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (!x.empty()) {
          static constexpr uint8_t kVals[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '"', '{', '0'};
          x[rng() % x.size()] = kVals[rng() % sizeof(kVals)];
        }
        break;
      case 2:  // truncate
        if (!x.empty()) x.resize(rng() % x.size());
        break;
      case 3: {  // duplicate a slice
        if (x.empty()) break;
        size_t a = rng() % x.size(), n = 1 + rng() % std::min<size_t>(64, x.size() - a);
        Input slice(x.begin() + a, x.begin() + a + n);
        x.insert(x.begin() + rng() % (x.size() + 1), slice.begin(), slice.end());
        break;
      }
      case 4: {  // splice with another input
        if (pool.empty()) break;
        const Input& o = pool[rng() % pool.size()];
        if (o.empty()) break;
        size_t cut = x.empty() ? 0 : rng() % x.size();
        x.resize(cut);
        x.insert(x.end(), o.begin() + rng() % o.size(), o.end());
        break;
      }
      default:  // insert random bytes
        for (size_t n = 1 + rng() % 8; n > 0; --n) {
          x.insert(x.begin() + rng() % (x.size() + 1), static_cast<uint8_t>(rng()));
        }
    }
  }
  if (x.size() > (1u << 20)) x.resize(1u << 20);
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  g_name = std::filesystem::path(argv[0]).filename().string();
  double seconds = 3;
  long iterations = 50'000;
  std::vector<Input> pool;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--iterations" && i + 1 < argc) {
      iterations = std::atol(argv[++i]);
    } else {
      std::error_code ec;
      if (!std::filesystem::is_directory(a, ec)) continue;  // an absent seed folder: none
      for (const auto& e : std::filesystem::recursive_directory_iterator(a, ec)) {
        if (!e.is_regular_file()) continue;
        std::ifstream f(e.path(), std::ios::binary);
        pool.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      }
    }
  }
  std::signal(SIGABRT, SaveCurrent);
  for (const Input& in : pool) Run(in);
  Run(Input{});
  std::mt19937_64 rng(20261129);
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  long runs = 0;
  while (runs < iterations && std::chrono::steady_clock::now() < deadline) {
    Input x = Mutate(pool, rng);
    Run(x);
    ++runs;
  }
  std::printf("%s: %zu corpus inputs, %ld mutated inputs, no finding\n", g_name.c_str(),
              pool.size(), runs);
  return 0;
}
