// prov_methods.h (internal) — the provenance contract's methods, one function each.
// Thread safety: stateless functions.
#pragma once

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts::prov {

Status CaptureEvents(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status RegisterProduct(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status RegisterLot(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status RegisterLocation(const TxContext& ctx, const Value& args, StateView& view,
                        EventSink& events);
Status RegisterParty(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status CustomsDeclare(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
// method: customs_inspect | customs_release | customs_reject | customs_return
Status CustomsDecide(const TxContext& ctx, std::string_view method, const Value& args,
                     StateView& view, EventSink& events);
Status Certify(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status Recall(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
// Delegation of a product (GTIN) or a location by its owner; custody handover (prov_custody.cc).
Status Delegate(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status RevokeDelegation(const TxContext& ctx, const Value& args, StateView& view,
                        EventSink& events);
Status TransferCustody(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status AcceptCustody(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);
Status Scan(const TxContext& ctx, const Value& args, StateView& view, EventSink& events);

}  // namespace tidemark::contracts::prov
