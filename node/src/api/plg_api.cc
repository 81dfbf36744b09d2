// The pledge registry reads (plg_api.h, docs/api.md §Pledge registry and regulator,
// docs/finance.md §17).
#include "tidemark/node/api/plg_api.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <optional>
#include <vector>

#include "answer_util.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;
namespace plg = state_keys::plg;

namespace {

// "ipp_", "eqp_" or "wr_" + lower-case hex/alnum, at most 80 characters (docs/finance.md §12).
bool OnlyOf(std::string_view s, std::string_view chars, size_t max) {
  return !s.empty() && s.size() <= max && s.find_first_not_of(chars) == std::string_view::npos;
}

// An IP asset id "<kind>:<NUMBER>" (docs/finance.md §13): kind [a-z_], number [A-Z0-9.].
bool IsIpAssetId(std::string_view id) {
  const size_t colon = id.find(':');
  return colon != std::string_view::npos && !id.starts_with("eqh:") &&
         OnlyOf(id.substr(0, colon), "abcdefghijklmnopqrstuvwxyz_", 32) &&
         OnlyOf(id.substr(colon + 1), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.", 32);
}

// A record id: ipp_/eqp_/wr_ + lower-case hex, an IP asset id, or a holding id
// "eqh:<org>:<uscc>" (docs/finance.md §14).
Status CheckRecordId(std::string_view id) {
  bool prefix = id.starts_with("ipp_") || id.starts_with("eqp_") || id.starts_with("wr_");
  if (prefix && OnlyOf(id, "0123456789abcdefghijklmnopqrstuvwxyz_", 80)) return Status::Ok();
  if (IsIpAssetId(id)) return Status::Ok();
  if (id.starts_with("eqh:")) {
    const size_t colon = id.find(':', 4);
    if (colon != std::string_view::npos &&
        OnlyOf(id.substr(4, colon - 4), "abcdefghijklmnopqrstuvwxyz0123456789_-", 64) &&
        OnlyOf(id.substr(colon + 1), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 18)) {
      return Status::Ok();
    }
  }
  return Status::Invalid(
      "record id: expected ipp_, eqp_ or wr_ followed by lower-case hex, an IP asset "
      "<kind>:<NUMBER> or a holding eqh:<org>:<uscc>");
}

// A registration number: printable, no space or slash, at most 80 characters.
Status CheckRegistrationNo(std::string_view no) {
  if (no.empty() || no.size() > 80) return Status::Invalid("registration_no: 1 to 80 characters");
  for (char c : no) {
    if (c <= ' ' || c == '/' || c > '~') {
      return Status::Invalid("registration_no: printable ASCII without space or '/'");
    }
  }
  return Status::Ok();
}

// The regulator, a party (an IP asset: a current owner; a holding: the holder) and, for an IP
// asset, any IP_REGISTRY reader (any registry key keeps any asset, docs/finance.md §13).
bool MayRead(const Reader& reader, std::string_view id, const Value& rec) {
  return reader.Has(contracts::Role::kRegulator) ||
         (IsIpAssetId(id) && reader.Has(contracts::Role::kIpRegistry)) ||
         (!reader.org.empty() && contracts::IsPlgParty(rec, reader.org));
}

// The (height, index, k) of an alert key "<ns>alert/<h> <i> <k>" (fixed-width digits).
Result<std::vector<uint64_t>> AlertPosition(std::string_view suffix) {
  std::vector<uint64_t> out;
  while (!suffix.empty() || out.empty()) {
    size_t sp = suffix.find(' ');
    std::string_view part = suffix.substr(0, sp);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size()) {
      return Status::Corruption("not an alert key: " + std::string(suffix));
    }
    out.push_back(v);
    suffix = sp == std::string_view::npos ? std::string_view() : suffix.substr(sp + 1);
  }
  if (out.size() != 3) return Status::Corruption("not an alert key");
  return out;
}

// A signed decimal int64 query parameter (required).
Result<int64_t> IntParam(const HttpRequest& req, const std::string& name) {
  const std::string* s = req.Query(name);
  if (s == nullptr) return Status::Invalid(name + ": required (unix ms)");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || ec != std::errc() || p != s->data() + s->size()) {
    return Status::Invalid(name + ": expected an integer (unix ms)");
  }
  return v;
}

// One field of a CSV record (RFC 4180): quoted when it holds a comma, quote, CR or LF, with
// quotes doubled.
void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string JsonText(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.is_null() ? std::string() : j.dump();
}

// The regulator's export (docs/api.md §Pledge registry and regulator): the hlog rows of fin/ and
// plg/ in [from_ms, to_ms), merged in key order (time, height, tx index, k; fin/ first on a tie,
// which one tx cannot produce), each joined with its history entry. Rows of blocks above the
// state version the request was answered at are skipped: hlog rows and history entries are only
// ever added, never rewritten or deleted, so every page read later sees exactly the rows of that
// version: one consistent snapshot, without holding the state for the whole export.
class ExportStream : public http::BodyStream {
 public:
  static constexpr const char* kCsvHeader =
      "ns,time_ms,height,tx_index,k,id,seq,action,org,signer,tx,args,extra\r\n";

  ExportStream(LedgerApi* ledger, int64_t from_ms, int64_t to_ms, uint64_t version, bool csv,
               size_t page_rows)
      : ledger_(ledger), version_(version), csv_(csv), page_rows_(std::max<size_t>(1, page_rows)) {
    for (std::string_view ns : {std::string_view("fin/"), std::string_view("plg/")}) {
      sources_.push_back(Source{.ns = std::string(ns),
                                .prefix = state_keys::alerts::HistLogPrefix(ns),
                                .next = state_keys::alerts::HistLogFrom(ns, from_ms),
                                .end = state_keys::alerts::HistLogFrom(ns, to_ms)});
    }
  }

  Result<std::string> Next() override {
    if (finished_) return std::string();
    std::string out;
    if (!started_) {
      out = csv_ ? kCsvHeader : "[";
      started_ = true;
    }
    // One piece: up to page_rows_ rows, merged from both namespaces.
    std::vector<Row> rows;
    while (rows.size() < page_rows_) {
      Source* min = nullptr;
      for (Source& src : sources_) {
        // (A refill may find only rows above the version: read on until some or the end.)
        while (src.buf.empty() && !src.done) TM_RETURN_IF_ERROR(Refill(src));
        if (!src.buf.empty() && (min == nullptr || src.buf.front().pos < min->buf.front().pos)) {
          min = &src;
        }
      }
      if (min == nullptr) break;
      rows.push_back(std::move(min->buf.front()));
      min->buf.pop_front();
    }
    if (!rows.empty()) TM_RETURN_IF_ERROR(Format(rows, &out));
    if (rows.size() < page_rows_) {
      if (!csv_) out += "]\n";
      finished_ = true;
    }
    return out;
  }

 private:
  struct Row {
    std::string ns;
    std::string pos;  // the key after "<ns>hlog/": fixed-width parts, so it orders as they do
    int64_t time_ms = 0;
    uint64_t height = 0, index = 0, k = 0;
    std::string id;
    uint64_t seq = 0;
  };
  struct Source {
    std::string ns, prefix;
    std::string next;  // the first key not read yet
    std::string end;   // HistLogFrom(to_ms): the first key past the range
    bool done = false;
    std::deque<Row> buf;
  };

  // "<time:20> <height> <index> <k>" (state_keys::TimePart / SeqPart).
  static Result<Row> ParseRow(const Source& src, const std::string& key, const Bytes& raw) {
    Row r{.ns = src.ns, .pos = key.substr(src.prefix.size())};
    std::string_view rest = r.pos;
    uint64_t f[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      size_t sp = rest.find(' ');
      std::string_view part = rest.substr(0, sp);
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), f[i]);
      if (part.empty() || ec != std::errc() || p != part.data() + part.size() ||
          (i < 3) != (sp != std::string_view::npos)) {
        return Status::Corruption(key + ": not a history log key");
      }
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    r.time_ms = static_cast<int64_t>(f[0] ^ (uint64_t{1} << 63));
    r.height = f[1];
    r.index = f[2];
    r.k = f[3];
    auto v = Value::Decode(raw);
    const Value* id = v.ok() && v->is_map() ? v->Find("id") : nullptr;
    const Value* seq = v.ok() && v->is_map() ? v->Find("seq") : nullptr;
    if (id == nullptr || !id->is_string() || seq == nullptr || !seq->is_int() ||
        seq->as_int() < 0) {
      return Status::Corruption(key + ": expected {id, seq}");
    }
    r.id = id->as_string();
    r.seq = static_cast<uint64_t>(seq->as_int());
    return r;
  }

  // Reads up to page_rows_ rows of `src` from its position (one short read of the state).
  Status Refill(Source& src) {
    return ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      Status inner;
      size_t n = 0;
      bool stopped = false;
      view.Scan(src.prefix, src.next, [&](const std::string& k, const Bytes& raw) {
        if (k >= src.end) {
          src.done = true;
          return false;
        }
        if (n == page_rows_) {
          stopped = true;
          return false;
        }
        ++n;
        src.next = k + '\0';
        auto row = ParseRow(src, k, raw);
        if (!row.ok()) {
          inner = row.status();
          return false;
        }
        if (row->height <= version_) src.buf.push_back(std::move(*row));
        return true;
      });
      if (!stopped && inner.ok()) src.done = true;
      return inner;
    });
  }

  // The history entries of `rows`, read in one short read of the state, appended to `out`.
  Status Format(const std::vector<Row>& rows, std::string* out) {
    return ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      for (const Row& r : rows) {
        const std::string key = r.ns == "fin/" ? state_keys::fin::History(r.id, r.seq)
                                               : state_keys::plg::History(r.id, r.seq);
        std::optional<Bytes> raw = view.Get(key);
        if (!raw) return Status::Corruption(key + ": the history log names a missing entry");
        auto v = Value::Decode(*raw);
        if (!v.ok()) return Status::Corruption(key + ": " + v.status().message());
        json entry = v->ToJson();
        if (!entry.is_object()) return Status::Corruption(key + ": not a map");
        const std::string ns = r.ns.substr(0, 3);
        if (!csv_) {
          entry["ns"] = ns;
          entry["id"] = r.id;
          entry["tx_index"] = r.index;
          entry["k"] = r.k;
          if (emitted_++ > 0) out->push_back(',');
          *out += "\n" + entry.dump();
          continue;
        }
        json extra = json::object();
        for (const auto& item : entry.items()) {
          static const char* const kColumns[] = {"seq", "height", "time_ms", "tx", "action",
                                                 "org", "signer", "args",    "id"};
          const std::string& name = item.key();  // (not a binding: clang 14 cannot capture one)
          if (std::find_if(std::begin(kColumns), std::end(kColumns),
                           [&](const char* c) { return name == c; }) == std::end(kColumns)) {
            extra[name] = item.value();
          }
        }
        const std::string fields[] = {ns,
                                      std::to_string(r.time_ms),
                                      std::to_string(r.height),
                                      std::to_string(r.index),
                                      std::to_string(r.k),
                                      r.id,
                                      std::to_string(r.seq),
                                      JsonText(entry.value("action", json())),
                                      JsonText(entry.value("org", json())),
                                      JsonText(entry.value("signer", json())),
                                      JsonText(entry.value("tx", json())),
                                      entry.contains("args") ? entry["args"].dump() : "",
                                      extra.empty() ? "" : extra.dump()};
        for (size_t i = 0; i < std::size(fields); ++i) {
          if (i > 0) out->push_back(',');
          AppendCsvField(out, fields[i]);
        }
        *out += "\r\n";
      }
      return Status::Ok();
    });
  }

  LedgerApi* ledger_;
  const uint64_t version_;
  const bool csv_;
  const size_t page_rows_;
  std::vector<Source> sources_;
  bool started_ = false;
  bool finished_ = false;
  size_t emitted_ = 0;
};

}  // namespace

PlgApi::PlgApi(LedgerApi* ledger, PlgOptions options)
    : ledger_(ledger), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = WallClockMs;
}

void PlgApi::Register(http::Router* r) {
  r->Add("GET", "/v1/plg/records/{id}",
         [this](const HttpRequest& req, const PathParams& p) { return Record(req, p.at("id")); });
  r->Add("GET", "/v1/plg/records/{id}/history",
         [this](const HttpRequest& req, const PathParams& p) { return History(req, p.at("id")); });
  r->Add("GET", "/v1/plg/parties/{org}/records",
         [this](const HttpRequest& req, const PathParams& p) {
           return PartyRecords(req, p.at("org"));
         });
  r->Add("GET", "/v1/plg/gazette/{registration_no}",
         [this](const HttpRequest& req, const PathParams& p) {
           return Gazette(req, p.at("registration_no"));
         });
  r->Add("GET", "/v1/reg/alerts",
         [this](const HttpRequest& req, const PathParams&) { return Alerts(req); });
  r->Add("GET", "/v1/reg/export",
         [this](const HttpRequest& req, const PathParams&) { return Export(req); });
}

HttpResponse PlgApi::Record(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckRecordId(id); !s.ok()) return Fail(s, req);
  std::optional<Value> rec;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    TM_ASSIGN_OR_RETURN(rec, contracts::LoadPledgeRecord(view, id));
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  if (!rec || !MayRead(*reader, id, *rec)) return ProtectedReadRefusal();
  const std::optional<BlockRecord>& anchor = *answered;
  json j{{"id", id},
         {"record", rec->ToJson()},
         {"as_of", anchor ? AsOf(anchor->block.header) : AsOfLatest(*ledger_, version)}};
  if (anchor) {
    // The record's key: the family is told by the id's shape (state_keys/pledge.h).
    const std::string key = contracts::PlgRecordKey(id);
    j["key"] = key;
    auto b = BuildStateBundle(*ledger_, *anchor, {Bytes(key.begin(), key.end())});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse PlgApi::History(const HttpRequest& req, const std::string& id) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (Status s = CheckRecordId(id); !s.ok()) return Fail(s, req);
  bool refused = false;
  json entries = json::array();
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    TM_ASSIGN_OR_RETURN(std::optional<Value> rec, contracts::LoadPledgeRecord(view, id));
    if (!rec || !MayRead(*reader, id, *rec)) {
      refused = true;
      return Status::Ok();
    }
    TM_ASSIGN_OR_RETURN(std::vector<Value> hist, contracts::LoadPlgHistory(view, id));
    for (const Value& v : hist) entries.push_back(v.ToJson());
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  if (refused) return ProtectedReadRefusal();
  return http::JsonResponse(200, json{{"id", id},
                                      {"entries", entries},
                                      {"next_cursor", nullptr},
                                      {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse PlgApi::PartyRecords(const HttpRequest& req, const std::string& org) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!contracts::IsValidOrgId(org)) {
    return Fail(Status::Invalid("org id: expected [a-z0-9_-]{1,64}"), req);
  }
  json records = json::array();
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    for (const std::string& id :
         contracts::PlgRecordsOfParty(view, org, "", options_.max_party_records)) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec, contracts::LoadPledgeRecord(view, id));
      // Only the records the reader may read itself: a party list is no side door.
      if (!rec || !MayRead(*reader, id, *rec)) continue;
      records.push_back(json{{"id", id}, {"record", rec->ToJson()}});
    }
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  return http::JsonResponse(
      200, json{{"org", org}, {"records", records}, {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse PlgApi::Gazette(const HttpRequest& req, const std::string& no) {
  if (Status s = CheckRegistrationNo(no); !s.ok()) return Fail(s, req);
  const std::string key = plg::Gazette(no);
  std::optional<Bytes> raw;
  uint64_t version = 0;
  auto read = [&](const contracts::StateView& view, uint64_t h) -> Status {
    raw = view.Get(key);
    version = h;
    return Status::Ok();
  };
  auto answered = ReadForAnswer(*ledger_, WantsProof(req), read);
  if (!answered.ok()) return Fail(answered.status(), req);
  if (!raw) return Fail(Status::NotFound("no gazette entry " + no), req);
  auto v = Value::Decode(*raw);
  if (!v.ok()) return Fail(Status::Corruption(key + ": " + v.status().message()), req);
  const std::optional<BlockRecord>& anchor = *answered;
  json j{{"registration_no", no},
         {"key", key},
         {"entry", v->ToJson()},
         {"as_of", anchor ? AsOf(anchor->block.header) : AsOfLatest(*ledger_, version)}};
  if (anchor) {
    auto b = BuildStateBundle(*ledger_, *anchor, {Bytes(key.begin(), key.end())});
    if (!b.ok()) return Fail(b.status(), req);
    j["proof"] = StateBundleJson(*b, options_.tamper);
  }
  return http::JsonResponse(200, j);
}

HttpResponse PlgApi::Alerts(const HttpRequest& req) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!reader->Has(contracts::Role::kRegulator)) return ProtectedReadRefusal();
  auto limit = PageLimit(req, options_.default_page_size, options_.max_page_size);
  if (!limit.ok()) return Fail(limit.status(), req);
  std::vector<uint64_t> from = {0, 0, 0};
  if (const std::string* c = req.Query("cursor")) {
    auto f = DecodeCursor(*c, "a1", 3);
    if (!f.ok()) return Fail(f.status(), req);
    if ((*f)[1] > UINT32_MAX || (*f)[2] > UINT32_MAX) {
      return Fail(Status::Invalid("cursor: not a cursor this server issued"), req);
    }
    from = *f;
  }
  if (req.Query("from_height") != nullptr) {
    const std::string& s = *req.Query("from_height");
    uint64_t h = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), h);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
      return Fail(Status::Invalid("from_height: expected a block height"), req);
    }
    // With a cursor too, the later of the two positions.
    if (h > from[0]) from = {h, 0, 0};
  }
  // Up to limit + 1 alerts of each namespace from the cursor, then merged by position: the
  // fixed-width key suffixes order as their numbers do; ties (never expected) put fin/ first.
  struct Item {
    std::string pos;  // "<h> <i> <k>"
    json alert;
  };
  std::vector<Item> items;
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
    version = h;
    Status inner;
    for (std::string_view ns : {std::string_view("fin/"), std::string_view("plg/")}) {
      const std::string prefix = state_keys::alerts::AlertPrefix(ns);
      size_t n = 0;
      view.Scan(prefix,
                state_keys::alerts::Alert(ns, from[0], static_cast<uint32_t>(from[1]),
                                          static_cast<uint32_t>(from[2])),
                [&](const std::string& k, const Bytes& raw) {
                  auto v = Value::Decode(raw);
                  if (!v.ok()) {
                    inner = Status::Corruption(k + ": " + v.status().message());
                    return false;
                  }
                  json a = v->ToJson();
                  a["ns"] = std::string(ns.substr(0, 3));
                  a["key"] = k;
                  items.push_back({k.substr(prefix.size()), std::move(a)});
                  return ++n <= *limit;
                });
      if (!inner.ok()) return inner;
    }
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.pos < b.pos; });
  json alerts = json::array();
  json next = nullptr;
  for (const Item& it : items) {
    if (alerts.size() == *limit) {
      auto pos = AlertPosition(it.pos);
      if (!pos.ok()) return Fail(pos.status(), req);
      next = EncodeCursor("a1", {(*pos)[0], (*pos)[1], (*pos)[2]});
      break;
    }
    alerts.push_back(it.alert);
  }
  return http::JsonResponse(
      200,
      json{{"alerts", alerts}, {"next_cursor", next}, {"as_of", AsOfLatest(*ledger_, version)}});
}

HttpResponse PlgApi::Export(const HttpRequest& req) {
  auto reader = AuthenticateRead(*ledger_, options_.chain_id, req, options_.now_ms());
  if (!reader.ok()) return ReadAuthProblem(reader.status(), req);
  if (!reader->Has(contracts::Role::kRegulator)) return ProtectedReadRefusal();
  auto from = IntParam(req, "from_ms");
  if (!from.ok()) return Fail(from.status(), req);
  auto to = IntParam(req, "to_ms");
  if (!to.ok()) return Fail(to.status(), req);
  if (*to <= *from) return Fail(Status::Invalid("to_ms: must be after from_ms"), req);
  const std::string* format = req.Query("format");
  const std::string fmt = format == nullptr ? "json" : *format;
  if (fmt != "json" && fmt != "csv") {
    return Fail(Status::Invalid("format: expected csv or json"), req);
  }
  // The state version the export is of (see ExportStream).
  uint64_t version = 0;
  Status st = ledger_->ReadState([&](const contracts::StateView&, uint64_t h) {
    version = h;
    return Status::Ok();
  });
  if (!st.ok()) return Fail(st, req);
  HttpResponse r;
  r.status = 200;
  const bool csv = fmt == "csv";
  r.SetHeader("Content-Type", csv ? "text/csv; charset=utf-8; header=present" : "application/json");
  r.SetHeader("Content-Disposition", "attachment; filename=\"tidemark-export-" +
                                         std::to_string(*from) + "-" + std::to_string(*to) +
                                         (csv ? ".csv" : ".json") + "\"");
  r.SetHeader("Cache-Control", "no-store");
  r.SetHeader("X-Tidemark-State-Version", std::to_string(version));
  r.body_stream =
      std::make_shared<ExportStream>(ledger_, *from, *to, version, csv, options_.export_page_rows);
  return r;
}

}  // namespace tidemark::node::api
