#include "sim.h"

#include <catch2/catch.hpp>

using namespace tidemark::consensus::sim;

TEST_CASE("the simulator is deterministic: one seed, one trace") {
  SimConfig cfg{.seed = 77, .n = 4};
  cfg.faults = *Faults::Parse("all");
  cfg.keep_full_trace = true;
  SimResult a = RunSim(cfg);
  SimResult b = RunSim(cfg);
  REQUIRE(a.ok);
  REQUIRE(a.trace == b.trace);
  REQUIRE(a.messages == b.messages);
  cfg.seed = 78;
  REQUIRE(RunSim(cfg).trace != a.trace);
}

TEST_CASE("the simulator has teeth: a skipped locking check breaks agreement") {
  SimConfig cfg{.n = 4};
  cfg.faults = *Faults::Parse("fork,partition");
  cfg.test_only_break = tidemark::consensus::TestOnlyBreak::kLockCheck;
  bool found = false;
  for (uint64_t s = 1; s <= 300 && !found; ++s) {
    cfg.seed = s;
    SimResult r = RunSim(cfg);
    if (!r.ok) {
      found = true;
      REQUIRE(r.violation.find("agreement") != std::string::npos);
      REQUIRE_FALSE(r.trace.empty());  // the replayed trace comes with it
      cfg.test_only_break = tidemark::consensus::TestOnlyBreak::kNone;  // the same seed is safe
                                                                        // with the rule in place
      REQUIRE(RunSim(cfg).ok);
    }
  }
  REQUIRE(found);
}

TEST_CASE("Ed25519 and the stand-in crypto give the same run") {
  SimConfig cfg{.seed = 5, .n = 4};
  cfg.faults = *Faults::Parse("drop,partition,equivocate");
  cfg.crypto = CryptoMode::kReal;
  SimResult real = RunSim(cfg);
  cfg.crypto = CryptoMode::kFake;
  SimResult fake = RunSim(cfg);
  REQUIRE(real.ok);
  REQUIRE(real.real_crypto);
  REQUIRE(real.messages == fake.messages);
  REQUIRE(real.committed_blocks == fake.committed_blocks);
}

TEST_CASE("fault names parse and print") {
  REQUIRE(Faults::Parse("drop,twins")->ToString() == "drop,twins");
  REQUIRE_FALSE(Faults::Parse("drop,meteor").ok());
}

TEST_CASE("a restarted replica whose block requests are all lost for a while still catches up") {
  // Issue #15: its one fetch was lost and nothing asked again. Here every block request a
  // restarted replica sends in its first 2 s (up to GST) is dropped: liveness after GST (8 new
  // blocks for every honest replica within the round bound) must still hold.
  SimConfig cfg{.n = 4};
  cfg.faults = *Faults::Parse("crash,drop,partition");
  cfg.lose_fetches_after_restart_ms = 2000;
  for (uint64_t s = 1; s <= 150; ++s) {
    cfg.seed = s;
    SimResult r = RunSim(cfg);
    INFO("seed " << s << ": " << r.violation << "\n" << r.TraceTail(40));
    REQUIRE(r.ok);
  }
}

TEST_CASE(
    "a leader restarted behind its parent's execution defers its proposal and never regresses") {
  // Regression (chaos run, seed 1818): the node's host aborted when it led before writing the
  // blocks its parent's roots cover. The simulated host now behaves as the node's: it defers, and
  // an honest proposal whose exec_height is below its parent's fails the run.
  SimConfig cfg{.n = 4};
  cfg.faults = *Faults::Parse("crash,partition,drop");
  uint64_t deferred = 0;
  for (uint64_t s = 1; s <= 300; ++s) {
    cfg.seed = s;
    SimResult r = RunSim(cfg);
    INFO("seed " << s << ": " << r.violation);
    REQUIRE(r.ok);
    deferred += r.deferred_proposals;
  }
  CHECK(deferred > 0);  // the path is exercised, and liveness held through it
}
