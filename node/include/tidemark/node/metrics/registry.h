// registry.h — counters, gauges and histograms rendered in the Prometheus text format (0.0.4).
//
//   Registry reg;
//   Counter* reqs = reg.GetCounter("tidemark_http_requests_total", "HTTP requests",
//                                  {{"route", "/v1/status"}, {"code", "200"}});
//   reqs->Inc();
//   Histogram* lat = reg.GetHistogram("tidemark_http_request_seconds", "Latency", {},
//                                     {0.001, 0.01, 0.1, 1});
//   lat->Observe(0.004);
//   std::string text = reg.Render();    // served at GET /metrics
//
// A metric is identified by name + labels; Get* returns the same object for the same pair, and the
// pointer stays valid for the registry's lifetime. A name used with two kinds is a bug (the second
// Get* returns a detached metric that is never rendered).
//
// Thread safety: everything is thread-safe; updates are lock-free atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tidemark::node::metrics {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Cumulative counts per bound, then +Inf; sum.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_micros_{0};              // sum in millionths
};

class Registry {
 public:
  Counter* GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                          std::vector<double> bounds);
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family* FamilyFor(const std::string& name, const std::string& help, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::unique_ptr<Counter>> detached_counters_;
  std::vector<std::unique_ptr<Gauge>> detached_gauges_;
  std::vector<std::unique_ptr<Histogram>> detached_histograms_;
};

// Default latency buckets in seconds: 1 ms .. 10 s.
std::vector<double> LatencyBuckets();

}  // namespace tidemark::node::metrics
