// The SDK client against the real `tidemark-node` binary: signed txs in, committed state out with
// proofs of inclusion and of absence checked against the genesis validator set.
#include <catch2/catch.hpp>

#include "process_util.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/contracts/genesis.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

TEST_CASE("sdk client: submit, wait for commit, read state with verified inclusion and absence") {
  int base = 12000 + (::getpid() % 1000) * 10;
  NodeProc node = InitSoloNetwork("tidemark-sdk", "tidemark-sdk", base);
  REQUIRE(!node.dir.empty());
  fs::path dir = node.dir.parent_path();
  node.Start();
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  auto genesis = contracts::Genesis::FromJson(json::parse(Slurp(dir / "genesis.json")));
  REQUIRE(genesis.ok());
  ValidatorSet validators = genesis->Validators();
  KeyPair admin = LoadKey(node.dir / "admin_key.json");

  client::LedgerClient c({"127.0.0.1", static_cast<uint16_t>(base), ""}, "tidemark-sdk");
  Transaction tx = TestPut(admin, "tidemark-sdk", 1, "greeting", 42);
  auto out = c.Submit(tx, /*wait_commit=*/true);
  REQUIRE(out.ok());
  CHECK(out->status == "committed");
  CHECK(out->id == tx.Id());
  auto again = c.Submit(tx, /*wait_commit=*/false);  // identical bytes: idempotent
  REQUIRE(again.ok());
  CHECK(again->status == "committed");

  // Inclusion: once a certified header carries the state after the tx's block.
  Bytes key = Bytes{'t', 'e', 's', 't', '/', 'g', 'r', 'e', 'e', 't', 'i', 'n', 'g'};
  std::optional<client::VerifiedState> seen;
  REQUIRE(WaitFor([&] {
    auto s = c.ReadVerified(key, validators);
    if (s.ok() && s->value) seen = *s;
    return seen.has_value();
  }));
  auto v = Value::Decode(*seen->value);
  REQUIRE(v.ok());
  CHECK(*v == Value(int64_t{42}));
  CHECK(seen->state_height >= out->height);

  // Absence.
  Bytes missing = Bytes{'t', 'e', 's', 't', '/', 'n', 'o', 'p', 'e'};
  auto absent = c.ReadVerified(missing, validators);
  REQUIRE(absent.ok());
  CHECK(!absent->value);

  // Tampering with the answer, or trusting another validator set, is caught.
  auto tip = node.Get("/v1/blocks?limit=1");
  REQUIRE(tip);
  auto block = c.http().Get("/v1/blocks/" + (*tip)["blocks"][0]["id"].get<std::string>());
  REQUIRE(block.ok());
  uint64_t exec = json::parse(block->body)["header"]["exec_height"];
  auto proof = c.http().Get("/v1/state/" + ToHex(key) + "/proof?height=" + std::to_string(exec));
  REQUIRE(proof.ok());
  CHECK(client::VerifyStateAnswer(block->body, proof->body, key, validators, "tidemark-sdk").ok());
  json pj = json::parse(proof->body);
  std::string p = pj["proof"];
  p[p.size() - 1] = p[p.size() - 1] == '0' ? '1' : '0';
  pj["proof"] = p;
  CHECK(!client::VerifyStateAnswer(block->body, pj.dump(), key, validators, "tidemark-sdk").ok());
  ValidatorSet stranger;
  Seed s;
  s.data.fill(9);
  stranger.validators.push_back({KeyPair::FromSeed(s).public_key(), "x"});
  CHECK(!client::VerifyStateAnswer(block->body, proof->body, key, stranger, "tidemark-sdk").ok());
  CHECK(!client::VerifyStateAnswer(block->body, proof->body, missing, validators, "tidemark-sdk")
             .ok());

  node.Kill(SIGTERM);
  fs::remove_all(dir);
}

TEST_CASE("real node: malformed and invalid txs get problem answers and change nothing") {
  int base = 14000 + (::getpid() % 1000) * 10;
  NodeProc node = InitSoloNetwork("tidemark-bad", "tidemark-bad", base);
  REQUIRE(!node.dir.empty());
  fs::path dir = node.dir.parent_path();
  node.Start();
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  KeyPair admin = LoadKey(node.dir / "admin_key.json");
  client::LedgerClient c({"127.0.0.1", static_cast<uint16_t>(base), ""}, "tidemark-bad");
  REQUIRE(c.Submit(TestPut(admin, "tidemark-bad", 1, "k", 1), true)->status == "committed");
  auto probe = [&](const std::string& body, const std::string& type) {
    auto r = c.http().Post("/v1/txs", body, type);
    REQUIRE(r.ok());
    CHECK(r->content_type.find("application/problem+json") == 0);
    return r->status;
  };
  Transaction bad_sig = TestPut(admin, "tidemark-bad", 2, "k", 2);
  bad_sig.signature.data[0] ^= 1;
  Transaction wrong_chain = TestPut(admin, "another-chain", 2, "k", 2);
  Transaction reused = TestPut(admin, "tidemark-bad", 1, "k", 3);
  CHECK(probe("{not json", "application/json") == 400);
  CHECK(probe("{}", "text/plain") == 415);
  CHECK(probe(json{{"tx", ToHex(bad_sig.Encode())}}.dump(), "application/json") == 401);
  CHECK(probe(json{{"tx", ToHex(wrong_chain.Encode())}}.dump(), "application/json") == 400);
  CHECK(probe(json{{"tx", ToHex(reused.Encode())}}.dump(), "application/json") == 409);
  CHECK(probe(std::string(3 << 20, 'x'), "application/json") == 413);
  auto unknown = c.http().Get("/v1/nothing-here");
  REQUIRE(unknown.ok());
  CHECK(unknown->status == 404);
  // Nothing was written: the signer's next nonce is still 2, and the key holds the first value.
  auto next = c.Submit(TestPut(admin, "tidemark-bad", 2, "k", 4), true);
  REQUIRE(next.ok());
  CHECK(next->status == "committed");
  node.Kill(SIGTERM);
  fs::remove_all(dir);
}
