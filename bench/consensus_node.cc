// tidemark-consensus-node — one validator of `tidemark-bench --consensus-only` (issue #17): the
// node's consensus without its application, for comparison with published BFT cores such as
// libhotstuff (docs/benchmarks.md, "Consensus only").
//
// What runs is the node's own code for everything but execution: consensus::Replica (two-chain
// HotStuff with timeout certificates), Ed25519 votes and certificates, the encrypted p2p
// transport (p2p::Transport: handshake, secretstream frames), and persistence on LevelDB — every
// vote's block and safety record in one synced write before the vote is sent (as
// ConsensusDriver::Run), every commit's blocks, certificate and tip in one synced write. What it
// leaves out: the mempool, execution, the state tree and receipts. A command is an opaque 32-byte
// payload carried in a block as an unsigned tx of contract `bench`, method `cmd` (its wire form
// is ~160 bytes; the report gives it): bytes 0-7 the creation time (CLOCK_MONOTONIC ns, shared
// by the processes of one machine), 8-15 the node that made it, 16-23 its sequence number.
//
// Load: each node is the entry point of its share of the clients — it makes rate / nodes commands
// per second (open loop, on a 2 ms timer) into its own queue, and proposes from that queue when
// it leads (at most --block-max per block, as soon as the parent is certified). A command is
// final when the block holding it commits; its latency (creation -> commit) is taken by the node
// that made it. Blocks of its that lose their height go back to the queue.
//
//   tidemark-consensus-node --index 0 --nodes 4 --base-port 21000 --dir /tmp/c0 --rate 20000
//       --block-max 400 --t0-ms <CLOCK_REALTIME ms> --warmup-s 3 --duration-s 20 --report r0.json
//
// Every node measures the window [t0 + warmup, t0 + warmup + duration] (same clock) and stays
// in the network for --linger-s after it, so its peers' windows close on a live network; then it
// writes the report (JSON) and exits 0. Exit 2: bad arguments; 1: it could not start.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ceiling.h"
#include "tidemark/consensus/crypto.h"
#include "tidemark/consensus/messages.h"
#include "tidemark/consensus/replica.h"
#include "tidemark/consensus/safety.h"
#include "tidemark/node/p2p/transport.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

using namespace tidemark;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr char kChain[] = "tidemark-consensus-bench";
constexpr size_t kCommandBytes = 32;

struct Opts {
  int index = -1;
  int nodes = 4;
  int base_port = 0;
  std::string dir;
  double rate = 0;         // commands per second, all nodes together
  size_t block_max = 400;  // commands per block
  uint64_t t0_ms = 0;      // CLOCK_REALTIME ms: the run's start, shared by all nodes
  double warmup_s = 3;
  double duration_s = 20;
  double linger_s = 2;
  size_t max_queue = 400'000;  // commands waiting in one node; beyond, new ones are dropped
  std::string report;
};

const char* kUsage =
    "usage: tidemark-consensus-node --index I --nodes N --base-port P --dir DIR --rate CMDS_PER_S\n"
    "         --t0-ms MS --report FILE [--block-max 400] [--warmup-s 3] [--duration-s 20]\n"
    "         [--linger-s 2] [--max-queue 400000]\n";

bool ParseNum(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end != nullptr && *end == '\0' && std::isfinite(*out) && *out >= 0;
}

bool Parse(int argc, char** argv, Opts* o) {
  auto bad = [](const std::string& why) {
    std::fprintf(stderr, "tidemark-consensus-node: %s\n%s", why.c_str(), kUsage);
    return false;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return bad(a + ": expected a value");
    std::string v = argv[++i];
    double d = 0;
    if (a == "--dir") {
      o->dir = v;
      continue;
    }
    if (a == "--report") {
      o->report = v;
      continue;
    }
    if (!ParseNum(v, &d)) return bad(a + ": not a non-negative number: " + v);
    if (a == "--index") {
      o->index = static_cast<int>(d);
    } else if (a == "--nodes") {
      o->nodes = static_cast<int>(d);
    } else if (a == "--base-port") {
      o->base_port = static_cast<int>(d);
    } else if (a == "--rate") {
      o->rate = d;
    } else if (a == "--block-max") {
      o->block_max = static_cast<size_t>(d);
    } else if (a == "--t0-ms") {
      o->t0_ms = static_cast<uint64_t>(d);
    } else if (a == "--warmup-s") {
      o->warmup_s = d;
    } else if (a == "--duration-s") {
      o->duration_s = d;
    } else if (a == "--linger-s") {
      o->linger_s = d;
    } else if (a == "--max-queue") {
      o->max_queue = static_cast<size_t>(d);
    } else {
      return bad("unknown flag " + a);
    }
  }
  if (o->nodes < 4 || o->nodes > 64) return bad("--nodes: 4 to 64");
  if (o->index < 0 || o->index >= o->nodes) return bad("--index: 0 to nodes - 1");
  if (o->base_port <= 0 || o->base_port + o->nodes > 65535) return bad("--base-port: required");
  if (o->dir.empty() || o->report.empty()) return bad("--dir and --report are required");
  if (o->block_max < 1 || o->block_max > kMaxTxsPerBlock) {
    return bad("--block-max: 1 to " + std::to_string(kMaxTxsPerBlock));
  }
  if (o->t0_ms == 0) return bad("--t0-ms: required");
  if (o->duration_s <= 0) return bad("--duration-s: more than 0");
  return true;
}

uint64_t MonoNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}
uint64_t NowMs() {  // the replica's clock (block timestamps)
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

KeyPair NodeKey(int index) {
  Seed seed;
  seed.data.fill(0x5c);
  seed.data[0] = static_cast<uint8_t>(index);
  return KeyPair::FromSeed(seed);
}

std::string HeightKey(char tag, uint64_t h) {
  std::string k(1, tag);
  k.resize(9);
  PutU64(reinterpret_cast<uint8_t*>(k.data()) + 1, h);
  return k;
}
std::string IdKey(char tag, const Hash256& id) {
  return std::string(1, tag) + std::string(id.begin(), id.end());
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

class ConsensusNode final : public consensus::ProposalHost {
 public:
  ConsensusNode(Opts o, asio::io_context& io, std::unique_ptr<node::KvStore> kv)
      : o_(std::move(o)),
        io_(io),
        strand_(asio::make_strand(io)),
        round_timer_(strand_),
        tick_timer_(strand_),
        load_timer_(strand_),
        key_(NodeKey(o_.index)),
        signer_(key_, kChain),
        verifier_(kChain),
        kv_(std::move(kv)) {
    vs_.epoch = 0;
    for (int i = 0; i < o_.nodes; ++i) {
      vs_.validators.push_back({NodeKey(i).public_key(), "v" + std::to_string(i)});
    }
    genesis_.header.chain_id = kChain;
    genesis_.header.tx_root = TxRoot({});
    genesis_.header.validators_hash = vs_.Hash();
    genesis_.justify = consensus::EpochRootQc(0, Hash256{}, 0);
    genesis_.header.justify_hash = genesis_.justify.Hash();
    const uint64_t window_start = o_.t0_ms + static_cast<uint64_t>(o_.warmup_s * 1000);
    window_start_ms_ = window_start;
    window_end_ms_ = window_start + static_cast<uint64_t>(o_.duration_s * 1000);
  }

  Status Start() {
    consensus::ReplicaOptions ro;
    ro.chain_id = kChain;
    ro.base_timeout_ms = 1000;
    ro.min_block_interval_ms = 0;  // propose as soon as the parent is certified and work waits
    ro.idle_block_interval_ms = 1000;
    ro.has_work = [this] { return !queue_.empty(); };
    replica_ = std::make_unique<consensus::Replica>(
        ro,
        consensus::ReplicaInit{
            vs_, genesis_, consensus::SafetyState::ForEpochRoot(0, genesis_.Id(), 0), {}},
        this, &signer_, &verifier_);
    transport_ = std::make_unique<node::p2p::Transport>(
        io_, key_,
        node::p2p::TransportOptions{.chain_id = kChain,
                                    .listen_port = static_cast<uint16_t>(o_.base_port + o_.index)},
        [this](const PublicKey& k) { return vs_.IndexOf(k).has_value(); },
        [this](const PublicKey& from, Bytes m) { OnFrame(from, std::move(m)); });
    TM_RETURN_IF_ERROR(transport_->Listen());
    for (int i = 0; i < o_.nodes; ++i) {
      if (i == o_.index) continue;
      transport_->AddPeer(
          {NodeKey(i).public_key(), "127.0.0.1", static_cast<uint16_t>(o_.base_port + i)});
    }
    load_start_ns_ = MonoNs();
    asio::post(strand_, [this] {
      Run(replica_->Start(NowMs()));
      Tick();
      Load();
      Watch();
    });
    return Status::Ok();
  }

  bool done() const { return done_.load(); }
  void StopTransport() { transport_->Stop(); }

  // ---- ProposalHost ------------------------------------------------------------------------

  std::optional<Block> BuildProposal(const BlockHeader& fields,
                                     const QuorumCert& justify) override {
    Block b;
    b.header = fields;
    b.justify = justify;
    const size_t n = std::min(o_.block_max, queue_.size());
    b.txs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      b.txs.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    b.header.tx_root = TxRoot(b.txs);
    b.header.tx_count = static_cast<uint32_t>(b.txs.size());
    if (!b.txs.empty()) in_flight_[b.Id()] = {b.header.height, b.txs};
    return b;
  }

  Status ValidateProposal(const Block& b) override {
    if (b.header.exec_height != 0 || !b.header.state_root.IsZero() ||
        !b.header.receipts_root.IsZero()) {
      return Status::Invalid("consensus-only blocks carry no execution results");
    }
    for (const Transaction& tx : b.txs) {
      if (tx.chain_id != kChain || tx.contract != "bench" || tx.method != "cmd" ||
          tx.args.size() != kCommandBytes) {
        return Status::Invalid("not a consensus-only command");
      }
    }
    return Status::Ok();
  }

  std::optional<ValidatorSet> EndsEpoch(const Block&, const ValidatorSet&) override {
    return std::nullopt;
  }

  std::optional<Block> LoadCommittedBlock(const Hash256& id) override {
    auto h = kv_->Get(AsBytes(IdKey('i', id)));
    if (!h.ok() || !h->has_value() || (*h)->size() != 8) return std::nullopt;
    auto b = kv_->Get(AsBytes(HeightKey('b', GetU64((*h)->data()))));
    if (!b.ok() || !b->has_value()) return std::nullopt;
    auto block = Block::Decode(**b);
    if (!block.ok()) return std::nullopt;
    return std::move(*block);
  }

  std::optional<consensus::EpochProof> LoadEpochProof(uint64_t) override { return std::nullopt; }

  // ---- the report ------------------------------------------------------------------------------

  std::string ReportJson() const {
    std::vector<double> lat = latencies_ms_;
    char buf[1024];
    const double window_s = o_.duration_s;
    std::snprintf(
        buf, sizeof buf,
        "{\"index\":%d,\"window_s\":%.3f,\"committed_cmds\":%llu,\"committed_blocks\":%llu,"
        "\"cmds_per_s\":%.1f,\"own_committed\":%zu,\"latency_p50_ms\":%.2f,"
        "\"latency_p99_ms\":%.2f,\"latency_max_ms\":%.2f,\"generated\":%llu,\"dropped\":%llu,"
        "\"queue_at_end\":%zu,\"cpu_s\":%.3f,\"cpu_cores\":%.3f,\"peak_rss_mib\":%.1f,"
        "\"store_bytes\":%llu,\"committed_total\":%llu,\"bytes_per_cmd_wire\":%.1f,"
        "\"p2p_bytes_out\":%llu,\"height\":%llu,\"rounds\":%llu}",
        o_.index, window_s, static_cast<unsigned long long>(win_cmds_),
        static_cast<unsigned long long>(win_blocks_), win_cmds_ / window_s, lat.size(),
        lat.empty() ? 0.0 : bench::Percentile(lat, 50),
        lat.empty() ? 0.0 : bench::Percentile(lat, 99),
        lat.empty() ? 0.0 : *std::max_element(lat.begin(), lat.end()),
        static_cast<unsigned long long>(generated_), static_cast<unsigned long long>(dropped_),
        queue_.size(), cpu_window_s_, cpu_window_s_ / window_s, peak_rss_mib_,
        static_cast<unsigned long long>(store_bytes_), static_cast<unsigned long long>(total_cmds_),
        wire_bytes_per_cmd_, static_cast<unsigned long long>(p2p_out_window_),
        static_cast<unsigned long long>(replica_ ? replica_->committed_height() : 0),
        static_cast<unsigned long long>(replica_ ? replica_->round() : 0));
    return buf;
  }

 private:
  void OnFrame(const PublicKey& from, Bytes frame) {
    asio::post(strand_, [this, from, frame = std::move(frame)] {
      if (stopped_) return;
      auto msg = consensus::DecodeMessage(frame);
      if (!msg.ok()) {
        transport_->Ban(from, 30'000, "malformed consensus message: " + msg.status().message());
        return;
      }
      Run(replica_->OnMessage(from, *msg, NowMs()));
    });
  }

  [[noreturn]] static void Fatal(const std::string& what, const Status& s) {
    std::fprintf(stderr, "tidemark-consensus-node: %s: %s\n", what.c_str(), s.ToString().c_str());
    std::exit(1);
  }

  // As ConsensusDriver::Run: consecutive persist actions become one synced write before the next
  // action (a send) runs; the step's commits are written after its sends (a vote never waits
  // for the commit's fsync).
  void Run(std::vector<consensus::Action> actions) {
    std::vector<const consensus::CommitBlocks*> commits;
    node::WriteBatch votes;
    auto persist = [&] {
      if (votes.Count() == 0) return;
      Status s = kv_->Write(votes, /*sync=*/true);
      if (!s.ok()) Fatal("persisting a vote", s);
      votes.Clear();
    };
    for (consensus::Action& a : actions) {
      if (auto* p = std::get_if<consensus::PersistSafety>(&a)) {
        votes.Put(AsBytes("s"), p->state.Encode());
        continue;
      }
      if (auto* pb = std::get_if<consensus::PersistBlock>(&a)) {
        votes.Put(AsBytes(IdKey('p', pb->block.Id())), pb->block.Encode());
        continue;
      }
      persist();
      if (auto* s = std::get_if<consensus::SendTo>(&a)) {
        (void)transport_->Send(s->to, consensus::EncodeMessage(s->msg));
      } else if (auto* b = std::get_if<consensus::Broadcast>(&a)) {
        transport_->Broadcast(consensus::EncodeMessage(b->msg));
      } else if (auto* c = std::get_if<consensus::CommitBlocks>(&a)) {
        commits.push_back(c);
      } else if (auto* t = std::get_if<consensus::ScheduleTimer>(&a)) {
        Schedule(*t);
      }
    }
    persist();
    for (const consensus::CommitBlocks* c : commits) Commit(*c);
  }

  void Commit(const consensus::CommitBlocks& c) {
    node::WriteBatch batch;
    uint64_t last = 0;
    for (const Block& b : c.blocks) {
      const Hash256 id = b.Id();
      const uint64_t h = b.header.height;
      batch.Put(AsBytes(HeightKey('b', h)), b.Encode());
      Bytes h8(8);
      PutU64(h8.data(), h);
      batch.Put(AsBytes(IdKey('i', id)), h8);
      batch.Delete(AsBytes(IdKey('p', id)));
      last = h;
    }
    batch.Put(AsBytes(HeightKey('c', last)), c.cert.Encode());
    Bytes tip(8);
    PutU64(tip.data(), last);
    batch.Put(AsBytes("t"), tip);
    Status s = kv_->Write(batch, /*sync=*/true);
    if (!s.ok()) Fatal("writing committed blocks", s);

    const uint64_t now_ms = NowMs();
    const bool in_window = now_ms >= window_start_ms_ && now_ms < window_end_ms_;
    const uint64_t now_ns = MonoNs();
    for (const Block& b : c.blocks) {
      total_cmds_ += b.txs.size();
      if (in_window) {
        win_cmds_ += b.txs.size();
        ++win_blocks_;
      }
      in_flight_.erase(b.Id());
      for (const Transaction& tx : b.txs) {
        const uint8_t* p = tx.args.data();
        if (GetU64(p + 8) != static_cast<uint64_t>(o_.index)) continue;  // another node's
        if (in_window) latencies_ms_.push_back(static_cast<double>(now_ns - GetU64(p)) / 1e6);
      }
      if (wire_bytes_per_cmd_ == 0 && !b.txs.empty()) {
        wire_bytes_per_cmd_ = static_cast<double>(b.Encode().size()) / b.txs.size();
      }
    }
    // Blocks of ours that lost their height: their commands go back to the front of the queue.
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      if (it->second.first > last) {
        ++it;
        continue;
      }
      for (auto tx = it->second.second.rbegin(); tx != it->second.second.rend(); ++tx) {
        queue_.push_front(std::move(*tx));
      }
      it = in_flight_.erase(it);
    }
  }

  void Schedule(const consensus::ScheduleTimer& t) {
    const uint64_t now = NowMs();
    round_timer_.expires_after(std::chrono::milliseconds(t.at_ms > now ? t.at_ms - now : 0));
    round_timer_.async_wait([this, t](boost::system::error_code ec) {
      if (ec || stopped_) return;
      Run(replica_->OnTimer(t.epoch, t.round, NowMs()));
    });
  }

  void Tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(5));
    tick_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      Run(replica_->OnTick(NowMs()));
      Tick();
    });
  }

  // Open-loop load: the commands due since the start at rate / nodes per second.
  void Load() {
    load_timer_.expires_after(std::chrono::milliseconds(2));
    load_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      const uint64_t now = MonoNs();
      const double share = o_.rate / o_.nodes;
      const auto due =
          static_cast<uint64_t>(static_cast<double>(now - load_start_ns_) / 1e9 * share);
      const bool was_empty = queue_.empty();
      for (; generated_ < due; ++generated_) {
        if (queue_.size() >= o_.max_queue) {
          ++dropped_;
          continue;
        }
        Transaction tx;
        tx.chain_id = kChain;
        tx.nonce = generated_;
        tx.contract = "bench";
        tx.method = "cmd";
        tx.args.assign(kCommandBytes, 0);
        PutU64(tx.args.data(), now);
        PutU64(tx.args.data() + 8, static_cast<uint64_t>(o_.index));
        PutU64(tx.args.data() + 16, generated_);
        queue_.push_back(std::move(tx));
      }
      if (was_empty && !queue_.empty()) Run(replica_->OnTick(NowMs()));
      Load();
    });
  }

  // Marks the window's start and end (CPU, p2p bytes), then stops after the linger.
  void Watch() {
    auto timer = std::make_shared<asio::steady_timer>(strand_);
    timer->expires_after(std::chrono::milliseconds(50));
    timer->async_wait([this, timer](boost::system::error_code ec) {
      if (ec) return;
      const uint64_t now = NowMs();
      if (!window_started_ && now >= window_start_ms_) {
        window_started_ = true;
        cpu_at_start_ = CpuSeconds();
        p2p_out_at_start_ = transport_->stats().bytes_out;
      }
      if (!window_ended_ && now >= window_end_ms_) {
        window_ended_ = true;
        cpu_window_s_ = CpuSeconds() - cpu_at_start_;
        p2p_out_window_ = transport_->stats().bytes_out - p2p_out_at_start_;
      }
      if (now >= window_end_ms_ + static_cast<uint64_t>(o_.linger_s * 1000)) {
        stopped_ = true;
        round_timer_.cancel();
        tick_timer_.cancel();
        load_timer_.cancel();
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        peak_rss_mib_ = static_cast<double>(u.ru_maxrss) / 1024.0;
        store_bytes_ = DirBytes(o_.dir);
        done_ = true;
        return;
      }
      Watch();
    });
  }

  Opts o_;
  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer round_timer_, tick_timer_, load_timer_;
  KeyPair key_;
  consensus::Ed25519Signer signer_;
  consensus::Ed25519Verifier verifier_;
  std::unique_ptr<node::KvStore> kv_;
  ValidatorSet vs_;
  Block genesis_;
  std::unique_ptr<consensus::Replica> replica_;  // strand only
  std::unique_ptr<node::p2p::Transport> transport_;
  std::deque<Transaction> queue_;  // strand only: commands waiting to be proposed
  std::map<Hash256, std::pair<uint64_t, std::vector<Transaction>>> in_flight_;  // our blocks
  uint64_t load_start_ns_ = 0, generated_ = 0, dropped_ = 0;
  uint64_t window_start_ms_ = 0, window_end_ms_ = 0;
  bool window_started_ = false, window_ended_ = false, stopped_ = false;
  std::atomic<bool> done_{false};
  uint64_t win_cmds_ = 0, win_blocks_ = 0, total_cmds_ = 0;
  std::vector<double> latencies_ms_;
  double cpu_at_start_ = 0, cpu_window_s_ = 0, peak_rss_mib_ = 0, wire_bytes_per_cmd_ = 0;
  uint64_t p2p_out_at_start_ = 0, p2p_out_window_ = 0, store_bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Opts o;
  if (!Parse(argc, argv, &o)) return 2;
  spdlog::set_level(spdlog::level::warn);
  std::error_code ec;
  if (fs::exists(o.dir, ec) && !fs::is_empty(o.dir, ec)) {
    std::fprintf(stderr, "tidemark-consensus-node: --dir %s is not empty (a run starts fresh)\n",
                 o.dir.c_str());
    return 2;
  }
  fs::create_directories(o.dir, ec);
  auto kv = node::LevelDbKvStore::Open(o.dir + "/store", {});
  if (!kv.ok()) {
    std::fprintf(stderr, "tidemark-consensus-node: %s\n", kv.status().ToString().c_str());
    return 1;
  }
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  ConsensusNode n(o, io, std::move(*kv));
  if (Status s = n.Start(); !s.ok()) {
    std::fprintf(stderr, "tidemark-consensus-node: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });
  while (!n.done()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  n.StopTransport();
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  std::ofstream(o.report, std::ios::trunc) << n.ReportJson() << "\n";
  return 0;
}
