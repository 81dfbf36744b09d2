#include "tidemark/node/http/event_bus.h"

#include <algorithm>

namespace tidemark::node::http {

std::string FormatSseFrame(const BusEvent& e) {
  std::string out;
  if (e.id != 0) out += "id: " + std::to_string(e.id) + "\n";
  out += "event: " + e.type + "\n";
  size_t start = 0;
  while (true) {
    size_t nl = e.data.find('\n', start);
    out += "data: " + e.data.substr(start, nl == std::string::npos ? nl : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += "\n";
  return out;
}

std::vector<BusEvent> Subscription::Drain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!lagging_ || closed_) {
      std::vector<BusEvent> out(std::make_move_iterator(queue_.begin()),
                                std::make_move_iterator(queue_.end()));
      queue_.clear();
      return out;
    }
  }
  if (auto alive = bus_alive_.lock()) return (*alive)->CatchUp(this);
  return {};
}

void Subscription::SetWakeup(std::function<void()> wakeup) {
  bool pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wakeup_ = std::move(wakeup);
    pending = !queue_.empty() || lagging_;
  }
  if (pending && wakeup_) wakeup_();
}

void Subscription::Push(const BusEvent& e, std::function<void()>* wakeup_out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  if (!lagging_ && queue_.size() >= max_queue_) lagging_ = true;
  if (!lagging_) {
    queue_.push_back(e);
    last_id_ = e.id;
  }
  *wakeup_out = wakeup_;
}

void Subscription::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    wakeup_ = nullptr;
  }
  if (auto alive = bus_alive_.lock()) (*alive)->Unsubscribe(this);
}

EventBus::EventBus(EventBusOptions options)
    : options_(options), alive_(std::make_shared<EventBus*>(this)) {}

EventBus::~EventBus() {
  std::lock_guard<std::mutex> lock(mu_);
  alive_.reset();
  subscribers_.clear();
}

uint64_t EventBus::Publish(std::string type, std::string data_json) {
  std::vector<std::function<void()>> wakeups;
  decltype(listeners_) listeners;
  uint64_t id;
  BusEvent published;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    ring_.push_back(BusEvent{id, std::move(type), std::move(data_json)});
    if (ring_.size() > options_.ring_capacity) ring_.pop_front();
    const BusEvent& e = ring_.back();
    listeners = listeners_;
    if (!listeners.empty()) published = e;
    for (auto& s : subscribers_) {
      std::function<void()> w;
      s->Push(e, &w);
      if (w) wakeups.push_back(std::move(w));
    }
  }
  for (auto& w : wakeups) w();
  for (auto& l : listeners) (*l)(published);
  return id;
}

void EventBus::AddListener(std::function<void(const BusEvent&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::make_shared<const std::function<void(const BusEvent&)>>(std::move(fn)));
}

Result<std::shared_ptr<Subscription>> EventBus::Subscribe(std::optional<uint64_t> last_event_id,
                                                          size_t max_queue) {
  std::lock_guard<std::mutex> lock(mu_);
  if (subscribers_.size() >= options_.max_subscribers) {
    return Status::ResourceExhausted("too many event subscribers (" +
                                     std::to_string(options_.max_subscribers) + ")");
  }
  auto sub = std::make_shared<Subscription>();
  sub->max_queue_ = std::max<size_t>(max_queue, 1);
  sub->bus_alive_ = alive_;
  if (last_event_id) {
    uint64_t last = *last_event_id;
    uint64_t newest = next_id_ - 1;
    uint64_t oldest = ring_.empty() ? next_id_ : ring_.front().id;
    if (last > newest) {
      sub->queue_.push_back(BusEvent{0, "reset",
                                     R"({"last_event_id":)" + std::to_string(last) +
                                         R"(,"newest":)" + std::to_string(newest) + "}"});
    } else if (last + 1 < oldest) {
      sub->queue_.push_back(Gap(last, oldest));
    }
    for (const BusEvent& e : ring_) {
      if (e.id > last) sub->queue_.push_back(e);
    }
    // A replay larger than the queue bound is kept whole: the bound is for live lag.
  }
  sub->last_id_ = next_id_ - 1;
  subscribers_.push_back(sub);
  return sub;
}

std::vector<BusEvent> EventBus::CatchUp(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);  // no Publish runs: the ring and s stay consistent
  std::lock_guard<std::mutex> sub_lock(s->mu_);
  std::vector<BusEvent> out(std::make_move_iterator(s->queue_.begin()),
                            std::make_move_iterator(s->queue_.end()));
  s->queue_.clear();
  uint64_t after = s->last_id_;
  uint64_t oldest = ring_.empty() ? next_id_ : ring_.front().id;
  ++catch_ups_;
  if (after + 1 < oldest) out.push_back(Gap(after, oldest));
  for (const BusEvent& e : ring_) {
    if (e.id > after) out.push_back(e);
  }
  s->last_id_ = next_id_ - 1;
  s->lagging_ = false;
  return out;
}

BusEvent EventBus::Gap(uint64_t last, uint64_t oldest) {
  ++gaps_;
  lost_events_ += oldest - last - 1;
  return BusEvent{0, "gap",
                  R"({"last_event_id":)" + std::to_string(last) + R"(,"oldest_available":)" +
                      std::to_string(oldest) + "}"};
}

EventBusStats EventBus::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  EventBusStats st{.catch_ups = catch_ups_,
                   .gaps = gaps_,
                   .lost_events = lost_events_,
                   .subscribers = subscribers_.size()};
  const uint64_t newest = next_id_ - 1;
  for (const auto& s : subscribers_) {
    std::lock_guard<std::mutex> sub_lock(s->mu_);
    size_t backlog = s->queue_.size() + (s->lagging_ ? newest - s->last_id_ : 0);
    st.deepest_backlog = std::max(st.deepest_backlog, backlog);
  }
  return st;
}

void EventBus::Unsubscribe(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [s](const auto& p) { return p.get() == s; }),
                     subscribers_.end());
}

size_t EventBus::subscriber_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

uint64_t EventBus::last_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_id_ - 1;
}

}  // namespace tidemark::node::http
