// tests/fuzz/replay_main.cpp
//
// Runs a libFuzzer target without libFuzzer (GCC builds, CI): every file of the corpus
// directories given on the command line, then random and mutated inputs for a bounded time
// (HUB_FUZZ_SECONDS, default 5) from a fixed seed, so a crash reproduces. With clang and
// -DHUB_FUZZ=ON the same target links libFuzzer instead and this file is not used.
#include <chrono>
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

int main(int argc, char** argv) {
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        std::ifstream in(e.path(), std::ios::binary);
        corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
    } else if (std::filesystem::exists(p)) {
      std::ifstream in(p, std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  for (const auto& c : corpus) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(c.data()), c.size());

  const char* env = std::getenv("HUB_FUZZ_SECONDS");
  const double seconds = env ? std::atof(env) : 5.0;
  std::mt19937_64 rng(0x6875620000000001ULL);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  unsigned long runs = 0;
  std::string input;
  while (std::chrono::steady_clock::now() < deadline) {
    // Half the time mutate a corpus entry (a few byte flips, a cut, a splice), else random bytes.
    if (!corpus.empty() && rng() % 2) {
      input = corpus[rng() % corpus.size()];
      for (int k = 0, n = 1 + static_cast<int>(rng() % 8); k < n && !input.empty(); ++k)
        input[rng() % input.size()] = static_cast<char>(rng());
      if (!input.empty() && rng() % 4 == 0) input.resize(rng() % input.size());
      if (rng() % 4 == 0) input += corpus[rng() % corpus.size()];
    } else {
      input.resize(rng() % 512);
      for (auto& ch : input) ch = static_cast<char>(rng());
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    ++runs;
  }
  std::printf("fuzz replay: %zu corpus inputs, %lu generated inputs, no crash\n", corpus.size(), runs);
  return 0;
}
