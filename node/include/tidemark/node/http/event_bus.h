// event_bus.h — in-process publish / subscribe for server-sent events, with a replay ring.
//
//   EventBus bus({.ring_capacity = 4096});
//   bus.Publish("block", R"({"height":7})");               // id 1, 2, ... per process
//   auto sub = bus.Subscribe(/*last_event_id=*/std::nullopt, /*max_queue=*/256);
//   sub->SetWakeup([] { /* post a drain to the connection */ });
//   for (const BusEvent& e : sub->Drain()) Send(FormatSseFrame(e));
//
// Resuming with a Last-Event-ID replays every buffered event after it. If that id is older than
// the ring (events were lost) the subscriber first gets an event of type "gap" (data
// {"last_event_id", "oldest_available"}); if it is newer than anything published (the node
// restarted) it gets "reset". A subscriber that lags more than max_queue live events is never
// dropped (issue #17: a block of more txs than that must not cut the explorer's stream): it stops
// queueing and its next Drain() takes what it missed from the ring — preceded by a "gap" event if
// the ring has already moved past it. A consumer that stops reading altogether is the server's
// to cut (write deadline). Nothing is ever dropped silently: an event a subscriber does not get
// is announced by a "gap" event, counted in stats().lost_events (GET /metrics:
// tidemark_sse_lost_events_total). The ring's default holds a full block's events (a block of
// up to 2000 txs publishes one "block" and one "tx" event per tx), so a subscriber that lags by a
// block catches up whole.
//
// A listener (AddListener) sees every published event synchronously, with no queue and no drop:
// the REST layer completes parked ?wait=commit requests from the "tx" events.
//
// Thread safety: all methods of EventBus and Subscription are thread-safe. The wakeup callbacks
// and listeners are called with no lock held, from the publishing thread; they must not block.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/status.h"

namespace tidemark::node::http {

struct BusEvent {
  uint64_t id = 0;  // 0 for the synthetic "gap" / "reset" events (no `id:` line)
  std::string type;
  std::string data;  // one JSON document
};

// "id: 7\nevent: block\ndata: {...}\n\n" (multi-line data becomes several data: lines).
std::string FormatSseFrame(const BusEvent& e);

class EventBus;

class Subscription {
 public:
  std::vector<BusEvent> Drain();
  void SetWakeup(std::function<void()> wakeup);
  // Unsubscribes; idempotent.
  void Close();

 private:
  friend class EventBus;
  void Push(const BusEvent& e, std::function<void()>* wakeup_out);

  mutable std::mutex mu_;  // after EventBus::mu_ when both are held
  std::deque<BusEvent> queue_;
  size_t max_queue_ = 0;
  bool lagging_ = false;  // the queue overflowed: the rest comes from the ring
  uint64_t last_id_ = 0;  // the newest event id queued for (or skipped by) this subscriber
  bool closed_ = false;
  std::function<void()> wakeup_;
  std::weak_ptr<EventBus*> bus_alive_;  // expires with the bus
};

struct EventBusOptions {
  size_t ring_capacity = 4096;
  size_t max_subscribers = 1024;  // = http::ServerOptions::max_sse_streams
};

// What the bus did for its subscribers since it started (pipeline metrics, docs/api.md).
struct EventBusStats {
  uint64_t catch_ups = 0;    // times a lagging subscriber was served from the ring
  uint64_t gaps = 0;         // "gap" events sent (a catch-up or a resumption that lost events)
  uint64_t lost_events = 0;  // events those "gap" events announced as lost
  size_t subscribers = 0;
  size_t deepest_backlog = 0;  // events published but not yet drained, most behind subscriber
};

class EventBus {
 public:
  explicit EventBus(EventBusOptions options = {});
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Returns the event's id.
  uint64_t Publish(std::string type, std::string data_json);
  // ResourceExhausted when max_subscribers are connected.
  Result<std::shared_ptr<Subscription>> Subscribe(std::optional<uint64_t> last_event_id,
                                                  size_t max_queue);
  size_t subscriber_count() const;
  EventBusStats stats() const;
  uint64_t last_id() const;
  // `fn` is called after each Publish with the event. Listeners live as long as the bus.
  void AddListener(std::function<void(const BusEvent&)> fn);

 private:
  friend class Subscription;
  void Unsubscribe(Subscription* s);
  // A lagging subscriber's queue, then the ring after its last id (a "gap" first if lost).
  std::vector<BusEvent> CatchUp(Subscription* s);
  // A "gap" event for a subscriber whose last event was `last` when the ring starts at `oldest`,
  // counted in the stats. REQUIRES: mu_ held.
  BusEvent Gap(uint64_t last, uint64_t oldest);

  const EventBusOptions options_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::deque<BusEvent> ring_;
  uint64_t catch_ups_ = 0;    // guarded by mu_
  uint64_t gaps_ = 0;         // guarded by mu_
  uint64_t lost_events_ = 0;  // guarded by mu_
  std::vector<std::shared_ptr<Subscription>> subscribers_;
  std::vector<std::shared_ptr<const std::function<void(const BusEvent&)>>> listeners_;
  std::shared_ptr<EventBus*> alive_;
};

}  // namespace tidemark::node::http
