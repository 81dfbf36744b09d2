#include "tidemark/node/http/deferred.h"

#include <utility>

namespace tidemark::node::http {

void DeferredResponse::Signal() {
  std::lock_guard<std::mutex> lock(mu_);
  if (signalled_) return;
  signalled_ = true;
  if (on_signal_) std::exchange(on_signal_, nullptr)();
}

void DeferredResponse::OnSignal(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (signalled_) return fn();
  on_signal_ = std::move(fn);
}

void DeferredResponse::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  on_signal_ = nullptr;
}

bool DeferredResponse::Claim() {
  std::lock_guard<std::mutex> lock(mu_);
  return !std::exchange(claimed_, true);
}

bool DeferredResponse::claimed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return claimed_;
}

}  // namespace tidemark::node::http
