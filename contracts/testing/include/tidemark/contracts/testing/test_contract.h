// test_contract.h — TEST ONLY: a tiny "test" contract for node and pipeline tests, and the
// registry the test binaries run (every built-in contract plus this one).
//
//   put {key: "k", value: <any Value>}   -> state "test/<key>" = value; event "test.Put" {key}
//   del {key: "k"}                       -> deletes "test/<key>"
//   index {key: "k"}                     -> state "prov/ix/test/<key> <seq 1>" = "": an index key
//                                           (state_keys::prov::IsIndexKey), flat index only
//   fail {}                              -> writes "test/fail" then fails (FAILED_PRECONDITION),
//                                           so a test can check that a failed call changes
//                                           nothing
// Reads: TestContractGet(view, "k").  Any active registered key may call it.
//
//   ContractRegistry r = TestContracts();   // identity, gov, prov, test
//
// It lives in the `tidemark_contracts_testing` library, which only tests and `tidemark-node-test`
// link: the production registry (BuiltinContracts) and `tidemark-node` do not know it
// (docs/contracts.md, "Test code").
// Thread safety: immutable object; stateless.
#pragma once

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts {

class TestContract : public Contract {
 public:
  std::string_view name() const override { return "test"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

Result<std::optional<Value>> TestContractGet(const StateView& view, const std::string& key);

// BuiltinContracts() plus the "test" contract.
ContractRegistry TestContracts();

}  // namespace tidemark::contracts
