#include "tidemark/contracts/test_contract.h"

#include "args.h"

namespace tidemark::contracts {

Status TestContract::Execute(const TxContext&, std::string_view method, const Value& args,
                             StateView& state, EventSink& events) const {
  TM_RETURN_IF_ERROR(internal::NeedMap(args, "args"));
  if (method == "put") {
    TM_ASSIGN_OR_RETURN(std::string key, internal::Str(args, "key"));
    const Value* value = args.Find("value");
    if (value == nullptr) return Status::Invalid("value: required");
    PutValue(state, "test/" + key, *value);
    events.Emit("test.Put", Value::Map{{"key", key}});
    return Status::Ok();
  }
  if (method == "del") {
    TM_ASSIGN_OR_RETURN(std::string key, internal::Str(args, "key"));
    state.Delete("test/" + key);
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
