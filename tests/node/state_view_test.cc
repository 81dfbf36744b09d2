// Tests of TreeStateView, the contracts' StateView over committed state (built only when the
// contracts module is present, as in the merged tree).
#include <catch2/catch.hpp>

#include "tidemark/node/state/tree_state_view.h"

#ifdef TIDEMARK_HAVE_CONTRACTS_STATE

#include <string>
#include <vector>

#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

void Commit(KvStore& kv, uint64_t h, const std::vector<StateChange>& changes) {
  Result<StateUpdate> up = StateTree(kv).ApplyChanges(h, changes);
  REQUIRE(up.ok());
  REQUIRE(kv.Write(up->writes, true).ok());
}

std::vector<StateChange> Lots() {
  std::vector<StateChange> changes;
  for (int i = 0; i < 600; ++i) changes.push_back({B("prov/" + std::to_string(1000 + i)), B("x")});
  changes.push_back({B("zzz/other"), B("y")});
  return changes;
}

TEST_CASE("TreeStateView reads and scans committed state across pages") {
  MemoryKvStore kv;
  Commit(kv, 0, Lots());
  StateTree tree(kv);
  TreeStateView view(tree);
  CHECK(view.Get("prov/1000") == B("x"));
  CHECK(view.Get("prov/9999") == std::nullopt);
  std::vector<std::string> keys;
  view.Scan("prov/", [&](const std::string& k, const Bytes&) {
    keys.push_back(k);
    return true;
  });
  REQUIRE(keys.size() == 600);  // more than two pages
  CHECK(keys.front() == "prov/1000");
  CHECK(keys.back() == "prov/1599");
  keys.clear();
  view.Scan("prov/", "prov/1590", [&](const std::string& k, const Bytes&) {
    keys.push_back(k);
    return keys.size() < 5;  // stop early
  });
  CHECK(keys ==
        std::vector<std::string>{"prov/1590", "prov/1591", "prov/1592", "prov/1593", "prov/1594"});
  CHECK(view.status().ok());
}

TEST_CASE("block execution over overlays produces the change list the tree applies") {
  MemoryKvStore kv;
  Commit(kv, 0, Lots());
  StateTree tree(kv);
  TreeStateView committed(tree);
  contracts::OverlayStateView block(committed);
  {
    // Cast: OverlayStateView(block) would call the implicit copy constructor and stack the
    // tx on the committed view instead of on the block overlay.
    contracts::OverlayStateView tx(static_cast<contracts::StateView&>(block));
    tx.Put("prov/1000", B("changed"));
    tx.Delete("prov/1001");
    tx.Put("new/1", B("n"));
    tx.Commit();
  }
  {
    contracts::OverlayStateView failed_tx(static_cast<contracts::StateView&>(block));
    failed_tx.Put("prov/1002", B("never"));
    failed_tx.Discard();
  }
  Result<StateUpdate> up = tree.ApplyChanges(1, ToStateChanges(block.Changes()));
  REQUIRE(up.ok());
  REQUIRE(kv.Write(up->writes, true).ok());
  CHECK(committed.Get("prov/1000") == B("changed"));
  CHECK(committed.Get("prov/1001") == std::nullopt);
  CHECK(committed.Get("prov/1002") == B("x"));
  CHECK(committed.Get("new/1") == B("n"));
  CHECK(committed.status().ok());
}

TEST_CASE("TreeStateView records failures instead of inventing state") {
  FaultInjectingKvStore kv;
  Commit(kv, 0, Lots());
  StateTree tree(kv);
  TreeStateView view(tree);
  view.Put("prov/1", B("x"));
  CHECK(view.status().code() == Code::kInternal);

  TreeStateView reader(tree);
  kv.Crash();
  CHECK(reader.Get("prov/1000") == std::nullopt);
  CHECK(reader.status().code() == Code::kIoError);
  int seen = 0;
  reader.Scan("prov/", [&](const std::string&, const Bytes&) { return ++seen > 0; });
  CHECK(seen == 0);
}

}  // namespace
}  // namespace tidemark::node

#endif  // TIDEMARK_HAVE_CONTRACTS_STATE
