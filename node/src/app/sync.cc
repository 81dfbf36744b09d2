#include "tidemark/node/app/sync.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <mutex>
#include <optional>

#include "tidemark/codec.h"
#include "tidemark/consensus/messages.h"
#include "tidemark/node/app/fatal.h"

namespace tidemark::node {

namespace asio = boost::asio;

namespace {
constexpr uint8_t kRequest = 0;
constexpr uint8_t kResponse = 1;

uint64_t SteadyMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

Result<SyncResponse> DecodeResponse(Reader& r) {
  SyncResponse out;
  TM_RETURN_IF_ERROR(r.U64(&out.peer_height, "peer_height"));
  uint32_t n;
  TM_RETURN_IF_ERROR(r.Count(&n, 1024, 8, "blocks"));
  for (uint32_t i = 0; i < n; ++i) {
    Bytes block_bytes, cert_bytes;
    TM_RETURN_IF_ERROR(r.Blob(&block_bytes, 64 << 20, "block"));
    TM_RETURN_IF_ERROR(r.Blob(&cert_bytes, 1 << 20, "cert"));
    TM_ASSIGN_OR_RETURN(Block b, Block::Decode(block_bytes));
    TM_ASSIGN_OR_RETURN(QuorumCert c, QuorumCert::Decode(cert_bytes));
    out.blocks.emplace_back(std::move(b), std::move(c));
  }
  TM_RETURN_IF_ERROR(r.Finish());
  return out;
}
}  // namespace

Result<std::variant<SyncRequest, SyncResponse>> DecodeSyncMessage(ByteView body) {
  Reader r(body, "sync");
  uint8_t tag;
  TM_RETURN_IF_ERROR(r.U8(&tag, "tag"));
  if (tag == kRequest) {
    SyncRequest q;
    TM_RETURN_IF_ERROR(r.U64(&q.from_height, "from_height"));
    TM_RETURN_IF_ERROR(r.U32(&q.max_blocks, "max"));
    TM_RETURN_IF_ERROR(r.Finish());
    return std::variant<SyncRequest, SyncResponse>(q);
  }
  if (tag != kResponse) return r.Error("unknown sync message tag");
  TM_ASSIGN_OR_RETURN(SyncResponse resp, DecodeResponse(r));
  return std::variant<SyncRequest, SyncResponse>(std::move(resp));
}

struct BlockSync::Impl : std::enable_shared_from_this<BlockSync::Impl> {
  Impl(asio::io_context& io, Ledger& ledger, ConsensusDriver& driver, SendFn send, PeersFn peers,
       BlockSyncOptions opt)
      : timer(io),
        ledger(ledger),
        driver(driver),
        send(std::move(send)),
        peers(std::move(peers)),
        opt(opt) {}

  asio::steady_timer timer;
  Ledger& ledger;
  ConsensusDriver& driver;
  SendFn send;
  PeersFn peers;
  BlockSyncOptions opt;
  std::atomic<uint64_t> last_progress_ms{SteadyMs()};
  std::atomic<bool> catching_up{false};
  std::atomic<bool> stopped{false};
  std::atomic<size_t> next_peer{0};
  std::atomic<uint64_t> next_request_from{0};  // first height not yet asked for (pipeline)
  // Responses accepted and not yet applied. Fetching is faster than applying: without a bound
  // the pipeline queued most of a long chain in memory (1.6 GiB of RSS catching up 100,000
  // blocks), and a peer sending unsolicited responses could queue without end.
  std::atomic<size_t> queued{0};
  std::mutex held_mu;
  std::optional<std::pair<PublicKey, uint64_t>> held;  // guarded by held_mu: (peer, from) paused

  void Poll() {
    timer.expires_after(std::chrono::milliseconds(opt.poll_ms));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      // While batches keep arriving the pipeline (OnResponse) asks for the next ones; the poll
      // only restarts it when nothing was committed for stall_ms (a lost answer, a gone peer).
      if (SteadyMs() - self->last_progress_ms > self->opt.stall_ms) self->Request();
      self->Poll();
    });
  }

  void Request() {
    auto ps = peers();
    if (ps.empty()) return;
    uint64_t from = ledger.height() + 1;
    next_request_from = from + opt.max_blocks;
    SendRequest(ps[next_peer++ % ps.size()], from);
  }

  void SendRequest(const PublicKey& to, uint64_t from) {
    Writer w;
    w.U8(kRequest);
    w.U64(from);
    w.U32(opt.max_blocks);
    send(to, w.Take());
  }

  void Serve(const PublicKey& from, Reader& r) {
    uint64_t start;
    uint32_t max;
    if (!r.U64(&start).ok() || !r.U32(&max).ok() || !r.Finish().ok() || start == 0) return;
    max = std::min(max, opt.max_blocks);
    uint64_t tip = ledger.height();
    Writer body;
    uint32_t count = 0;
    for (uint64_t h = start; h <= tip && count < max && body.size() < opt.max_response_bytes; ++h) {
      auto b = ledger.blocks().BlockAt(h);
      auto c = ledger.blocks().CertAt(h);
      if (!b.ok() || !c.ok() || !b->has_value() || !c->has_value()) break;
      body.Blob((*b)->Encode());
      body.Blob((*c)->Encode());
      ++count;
    }
    Writer w;
    w.U8(kResponse);
    w.U64(tip);
    w.U32(count);
    w.Raw(body.bytes());
    send(from, w.Take());
  }

  void OnResponse(const PublicKey& from, Reader& r) {
    auto resp = DecodeResponse(r);
    if (!resp.ok()) {
      spdlog::warn("sync: bad response from {}: {}", from.Hex().substr(0, 12),
                   resp.status().ToString());
      return;
    }
    if (resp->peer_height < ledger.height() + opt.min_gap) {
      catching_up = false;
      return;
    }
    // A response dropped here (applying is behind; it is asked again once a queued one is
    // applied) must not raise the flag: only an applied response can lower it again, and once
    // consensus commits the node's progress no poll asks again — a dropped response that set it
    // left a caught-up node reporting `syncing` for good.
    if (queued.load() >= opt.max_queued_responses) return;
    catching_up = true;
    const size_t waiting = ++queued;
    // Pipelining: ask the same peer (one connection answers in order) for the next range now,
    // so that it is served while this one is verified and applied — unless the queue is full,
    // in which case the request is sent when a queued response has been applied.
    if (!resp->blocks.empty()) {
      uint64_t last = resp->blocks.back().first.header.height;
      uint64_t expected = next_request_from.load();
      if (resp->peer_height > last && last + 1 >= expected) {
        if (waiting >= opt.max_queued_responses) {
          std::lock_guard l(held_mu);
          held.emplace(from, last + 1);
        } else if (next_request_from.compare_exchange_strong(expected, last + 1 + opt.max_blocks)) {
          SendRequest(from, last + 1);
        }
      }
    }
    auto self = shared_from_this();
    driver.RunExclusive([self, resp = std::move(*resp)](ExecutionStage& stage) mutable {
      self->Apply(resp, stage);
      self->OnApplied();
    });
  }

  // A queued response was applied (or refused): resume a pipeline paused at the bound.
  void OnApplied() {
    --queued;
    std::optional<std::pair<PublicKey, uint64_t>> resume;
    {
      std::lock_guard l(held_mu);
      resume.swap(held);
    }
    if (!resume || stopped) return;
    uint64_t from = std::max(resume->second, ledger.height() + 1);
    next_request_from = from + opt.max_blocks;
    SendRequest(resume->first, from);
  }

  // On the driver's strand: serialised with consensus commits, and written through the same
  // execution stage (which holds nothing between the driver's tasks).
  void Apply(SyncResponse& resp, ExecutionStage& stage) {
    // Certificates are checked against the set of the epoch the ledger is in; a block whose
    // header certifies the next set ends the epoch (Ledger::ValidatorsAfter), and the rest of
    // the range is checked against that set.
    auto vs = ledger.ValidatorsAfterTip();
    if (!vs.ok()) return;
    size_t applied = 0;
    std::vector<std::pair<Block, QuorumCert>*> held;  // waiting for the block their cert names
    Hash256 prev = ledger.tip_id();
    uint64_t next_height = ledger.height() + 1;
    for (auto& entry : resp.blocks) {
      const Block& b = entry.first;
      const QuorumCert& cert = entry.second;
      if (b.header.height != next_height || b.header.parent != prev || !b.CheckInternal().ok() ||
          b.header.chain_id != ledger.chain_id() || cert.data.commit_height < b.header.height) {
        break;
      }
      if (!cert.Verify(*vs, ledger.chain_id()).ok()) break;
      held.push_back(&entry);
      prev = b.Id();
      ++next_height;
      if (cert.data.commit_id != prev) continue;
      for (auto* e : held) {  // this certificate commits the held chain
        auto receipts = stage.Apply(e->first, cert);
        if (!receipts.ok()) {
          const std::string what =
              "sync: committing block " + std::to_string(e->first.header.height);
          // A store that fails under us must stop the node, not leave it retrying (fatal.h).
          if (IsStorageFault(receipts.status())) ExitOnStorageFault(what, receipts.status());
          spdlog::error("{}: {}", what, receipts.status().ToString());
          return;
        }
        ++applied;
      }
      held.clear();
      // Stopping here still reports what was applied (below): the driver restarts on it.
      auto next = ledger.ValidatorsAfter(b.header);
      if (!next.ok()) {
        spdlog::error("sync: validator set after height {}: {}", b.header.height,
                      next.status().ToString());
        break;
      }
      if (next->epoch > vs->epoch) {  // b ended the epoch: keep its proof, as consensus does
        Status s = ledger.WriteEpochProof(
            vs->epoch, consensus::EncodeMessage(consensus::EpochProof{cert, {}}));
        if (!s.ok()) {
          if (IsStorageFault(s)) ExitOnStorageFault("sync: storing the end of an epoch", s);
          spdlog::error("sync: cannot store the end of epoch {}: {}", vs->epoch, s.ToString());
          break;
        }
        spdlog::info("sync: epoch {} ended at height {}; now epoch {}", vs->epoch, b.header.height,
                     next->epoch);
        vs = std::move(next);
      }
    }
    if (applied > 0) {
      spdlog::info("sync: applied {} blocks, now at height {}", applied, ledger.height());
      last_progress_ms = SteadyMs();
      driver.Restart();
      // The tail waits for a certificate in the next range, which the pipeline asked for from
      // above this tail: ask again from the tip.
      if (!held.empty()) Request();
    }
    if (ledger.height() + opt.min_gap > resp.peer_height) catching_up = false;
  }
};

BlockSync::BlockSync(asio::io_context& io, Ledger& ledger, ConsensusDriver& driver, SendFn send,
                     PeersFn peers, BlockSyncOptions options)
    : impl_(
          std::make_shared<Impl>(io, ledger, driver, std::move(send), std::move(peers), options)) {}

BlockSync::~BlockSync() { Stop(); }

void BlockSync::Start() { impl_->Poll(); }

void BlockSync::Stop() {
  impl_->stopped = true;
  asio::post(impl_->timer.get_executor(), [impl = impl_] { impl->timer.cancel(); });
}

void BlockSync::OnMessage(const PublicKey& from, ByteView body) {
  Reader r(body, "sync");
  uint8_t tag;
  if (!r.U8(&tag).ok()) return;
  if (tag == kRequest) impl_->Serve(from, r);
  if (tag == kResponse) impl_->OnResponse(from, r);
}

void BlockSync::OnLocalCommit() { impl_->last_progress_ms = SteadyMs(); }

bool BlockSync::catching_up() const { return impl_->catching_up; }

}  // namespace tidemark::node
