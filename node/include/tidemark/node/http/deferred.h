// deferred.h — an answer a handler cannot give yet, completed later without holding a thread.
//
// POST /v1/txs?wait=commit must not keep a handler thread blocked until the tx commits: the
// handler returns at once with a DeferredResponse, the server parks the connection (no thread),
// and the answer is produced on a handler thread when someone Signal()s it (the tx committed)
// or when `timeout` has passed, whichever is first:
//
//   auto d = std::make_shared<DeferredResponse>(5000ms, [id](bool timed_out) {
//     return JsonResponse(timed_out ? 202 : 200, Lookup(id));      // runs exactly once
//   });
//   waiters.Add(id, d);                      // ... on commit: d->Signal();
//   HttpResponse r; r.deferred = d; return r;
//
// Thread safety: every method is thread-safe. The signal callback (server side) is called with
// the internal lock held, so it must only post work and never call back into this object.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "tidemark/node/http/message.h"

namespace tidemark::node::http {

class DeferredResponse {
 public:
  using Producer = std::function<HttpResponse(bool timed_out)>;
  DeferredResponse(std::chrono::milliseconds timeout, Producer produce)
      : timeout_(timeout), produce_(std::move(produce)) {}

  // The answer is ready to be produced. Idempotent; any thread.
  void Signal();
  std::chrono::milliseconds timeout() const { return timeout_; }

  // ---- For the server.
  // `fn` is called once on Signal() (at once if already signalled). Detach() forgets it.
  void OnSignal(std::function<void()> fn);
  void Detach();
  // True exactly once: the caller then Produce()s the answer (from a signal or the timeout).
  bool Claim();
  bool claimed() const;
  HttpResponse Produce(bool timed_out) const { return produce_(timed_out); }

 private:
  const std::chrono::milliseconds timeout_;
  const Producer produce_;
  mutable std::mutex mu_;
  bool signalled_ = false;
  bool claimed_ = false;
  std::function<void()> on_signal_;
};

}  // namespace tidemark::node::http
