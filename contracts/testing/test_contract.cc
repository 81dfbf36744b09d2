#include "tidemark/contracts/testing/test_contract.h"

#include <cassert>
#include <memory>

#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts {

namespace {

Result<std::string> KeyArg(const Value& args) {
  const Value* v = args.Find("key");
  if (v == nullptr) return Status::Invalid("key: required");
  if (!v->is_string() || v->as_string().empty()) {
    return Status::Invalid("key: must be a non-empty string");
  }
  return v->as_string();
}

}  // namespace

Status TestContract::Execute(const TxContext&, std::string_view method, const Value& args,
                             StateView& state, EventSink& events) const {
  if (!args.is_map()) return Status::Invalid("args: must be a map");
  if (method == "put") {
    TM_ASSIGN_OR_RETURN(std::string key, KeyArg(args));
    const Value* value = args.Find("value");
    if (value == nullptr) return Status::Invalid("value: required");
    PutValue(state, "test/" + key, *value);
    events.Emit("test.Put", Value::Map{{"key", key}});
    return Status::Ok();
  }
  if (method == "del") {
    TM_ASSIGN_OR_RETURN(std::string key, KeyArg(args));
    state.Delete("test/" + key);
    return Status::Ok();
  }
  if (method == "index") {
    TM_ASSIGN_OR_RETURN(std::string key, KeyArg(args));
    state.Put(state_keys::prov::Index("test", key, 1), {});
    return Status::Ok();
  }
  if (method == "fail") {
    PutValue(state, "test/fail", Value(true));
    events.Emit("test.Failed", Value::Map{});
    return Status::FailedPrecondition("test: asked to fail");
  }
  return Status::Invalid("test: unknown method '" + std::string(method) + "'");
}

Result<std::optional<Value>> TestContractGet(const StateView& view, const std::string& key) {
  return GetValue(view, "test/" + key);
}

}  // namespace tidemark::contracts

namespace tidemark::contracts {

ContractRegistry TestContracts() {
  ContractRegistry r = BuiltinContracts();
  Status s = r.Register(std::make_unique<TestContract>());
  assert(s.ok());
  (void)s;
  return r;
}

}  // namespace tidemark::contracts
