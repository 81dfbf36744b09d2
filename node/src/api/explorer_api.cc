// The explorer's REST reads (explorer_api.h): search, statistics, organisations, accounts, traces.
#include "tidemark/node/api/explorer_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/http/static_files.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

namespace {

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

Result<uint64_t> ParseCount(const HttpRequest& req, const std::string& name, uint64_t dflt,
                            uint64_t max) {
  const std::string* s = req.Query(name);
  if (s == nullptr) return dflt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || ec != std::errc() || p != s->data() + s->size() || v == 0 || v > max) {
    return Status::Invalid(name + ": must be an integer from 1 to " + std::to_string(max));
  }
  return v;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json RolesJson(const std::vector<contracts::Role>& roles) {
  json out = json::array();
  for (contracts::Role r : roles) out.push_back(std::string(contracts::RoleName(r)));
  return out;
}

json KeyJson(const contracts::KeyRecord& k) {
  const char* kind = k.kind == contracts::KeyKind::kAdmin     ? "admin"
                     : k.kind == contracts::KeyKind::kService ? "service"
                                                              : "member";
  return json{{"key", k.key.Hex()},
              {"org", k.org},
              {"kind", kind},
              {"roles", RolesJson(k.roles)},
              {"label", k.label},
              {"active", k.active},
              {"enrolled_height", k.enrolled_height},
              {"revoked_height", k.revoked_height}};
}

json OrgJson(const contracts::OrgRecord& o) {
  json admins = json::array();
  for (const auto& k : o.admin_keys) admins.push_back(k.Hex());
  return json{{"id", o.id},
              {"name", o.name},
              {"roles", RolesJson(o.roles)},
              {"active", o.active},
              {"admin_keys", admins},
              {"validator_key", o.validator_key ? json(o.validator_key->Hex()) : json(nullptr)},
              {"service_key", o.service_key ? json(o.service_key->Hex()) : json(nullptr)}};
}

// "https://id.gs1.org/01/..." -> "/01/..." (the resolver path on this node).
std::string PathOfLink(const std::string& link) {
  size_t scheme = link.find("://");
  if (scheme == std::string::npos) return link;
  size_t slash = link.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : link.substr(slash);
}

const char* CodeKind(const contracts::Gs1Id& id) {
  switch (id.kind) {
    case contracts::IdKind::kGtin:
      return "product";
    case contracts::IdKind::kLgtin:
      return "lot";
    case contracts::IdKind::kSgtin:
      return "item";
    default:
      return "code";
  }
}

class Explorer {
 public:
  Explorer(LedgerApi* ledger, ExplorerOptions o) : ledger_(ledger), o_(o) {}

  HttpResponse Search(const HttpRequest& req) {
    const std::string* q = req.Query("q");
    if (q == nullptr || q->empty()) return Fail(Status::Invalid("q: required"), req);
    if (q->size() > 512) return Fail(Status::Invalid("q: longer than 512 characters"), req);
    std::string s = *q;
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    if (s.empty()) return Fail(Status::Invalid("q: only blanks"), req);
    json results = json::array();
    if (IsDigits(s) && s.size() <= 19) {
      uint64_t h = std::stoull(s);
      if (auto b = ledger_->CertifiedBlockAt(h); b.ok()) {
        results.push_back(Hit("block", std::to_string(h), "Block " + std::to_string(h),
                              "/blocks/" + std::to_string(h)));
      }
    }
    if (IsHex64(s)) SearchHash(Lower(s), &results);
    if (s.find('/') != std::string::npos || s.rfind("urn:", 0) == 0 ||
        (IsDigits(s) && (s.size() == 8 || s.size() == 12 || s.size() == 13 || s.size() == 14))) {
      SearchCode(IsDigits(s) ? "/01/" + std::string(14 - s.size(), '0') + s : s, &results);
    }
    SearchOrgs(s, &results);
    if (results.size() > o_.max_search_results)
      results.erase(results.begin() + o_.max_search_results, results.end());
    return http::JsonResponse(200, json{{"query", s}, {"results", results}});
  }

  HttpResponse Stats(const HttpRequest& req) {
    auto n = ParseCount(req, "blocks", o_.default_stats_blocks, o_.max_stats_blocks);
    if (!n.ok()) return Fail(n.status(), req);
    auto vs = ledger_->Validators();
    if (!vs.ok()) return Fail(vs.status(), req);
    NodeStatus st = ledger_->Status();
    uint64_t head = st.height;
    uint64_t first = head >= *n ? head - *n + 1 : 1;
    std::vector<uint64_t> signed_n(vs->validators.size()), proposed(vs->validators.size());
    json blocks = json::array();
    std::map<uint64_t, uint64_t> times;  // height -> timestamp, to estimate finality
    uint64_t counted = 0, in_epoch = 0, txs = 0;
    for (uint64_t h = first; h <= head && head > 0; ++h) {
      auto b = ledger_->CertifiedBlockAt(h);
      if (!b.ok()) continue;
      const BlockHeader& hd = b->block.header;
      times[h] = hd.timestamp_ms;
      json signers = json::array();
      // Validator indexes refer to the set of the block's epoch: count only the current one's.
      bool this_epoch = hd.epoch == vs->epoch;
      if (b->commit_cert) {
        for (const auto& [index, sig] : b->commit_cert->signatures) {
          signers.push_back(index);
          if (this_epoch && index < signed_n.size()) ++signed_n[index];
        }
      }
      if (this_epoch && hd.proposer < proposed.size()) ++proposed[hd.proposer];
      if (this_epoch) ++in_epoch;
      ++counted;
      txs += hd.tx_count;
      json bj{{"height", h},
              {"timestamp_ms", hd.timestamp_ms},
              {"tx_count", hd.tx_count},
              {"proposer", hd.proposer},
              {"round", hd.round},
              {"signers", signers}};
      // The certificate that commits h was formed on block cert.height; the block after that one
      // carries it: its timestamp bounds when h became final.
      if (b->commit_cert) bj["certified_at"] = b->commit_cert->data.height + 1;
      blocks.push_back(std::move(bj));
    }
    std::vector<uint64_t> fin = AddFinality(&blocks, &times);
    json validators = json::array();
    for (size_t i = 0; i < vs->validators.size(); ++i) {
      validators.push_back(json{{"index", i},
                                {"org", vs->validators[i].org},
                                {"key", vs->validators[i].key.Hex()},
                                {"signed", signed_n[i]},
                                {"missed", in_epoch - signed_n[i]},
                                {"proposed", proposed[i]}});
    }
    json out{{"height", head},     {"blocks_counted", counted},    {"tx_count", txs},
             {"blocks", blocks},   {"validators", validators},     {"quorum", vs->Quorum()},
             {"epoch", vs->epoch}, {"mempool_txs", st.mempool_txs}};
    if (counted >= 2) {
      uint64_t t0 = blocks.front()["timestamp_ms"], t1 = blocks.back()["timestamp_ms"];
      uint64_t span = t1 > t0 ? t1 - t0 : 0;
      out["avg_block_ms"] = span / (counted - 1);
      uint64_t after_first = txs - blocks.front()["tx_count"].get<uint64_t>();
      out["tps"] = span > 0 ? json(static_cast<double>(after_first) * 1000.0 / span) : json(0);
    } else {
      out["avg_block_ms"] = nullptr;
      out["tps"] = 0;
    }
    // What a tx waits: measured from admission to commit when this node has seen txs committed
    // since it started; otherwise the blocks' own finality, of the blocks that carry txs (an
    // empty heartbeat block is final two blocks later, ~2 s on an idle network, and nobody waits
    // for it).
    json block_finality = nullptr;
    if (!fin.empty()) {
      std::sort(fin.begin(), fin.end());
      block_finality = fin[fin.size() / 2];
    }
    out["block_finality_ms"] = block_finality;
    const mempool::RecentFinality recent = ledger_->TxFinality();
    out["finality_txs"] = recent.txs;
    if (recent.txs > 0) {
      out["finality_ms"] = recent.p50_ms;
      out["finality_source"] = "txs";
    } else {
      out["finality_ms"] = block_finality;
      out["finality_source"] = block_finality.is_null() ? json(nullptr) : json("blocks");
    }
    return http::JsonResponse(200, out);
  }

  HttpResponse Orgs(const HttpRequest& req) {
    json orgs = json::array();
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(std::vector<contracts::OrgRecord> list, contracts::ListOrgs(view));
      for (const auto& o : list) orgs.push_back(OrgJson(o));
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
    return http::JsonResponse(200, json{{"orgs", orgs}});
  }

  HttpResponse Org(const HttpRequest& req, const std::string& id) {
    if (!contracts::IsValidOrgId(id)) {
      return Fail(Status::Invalid("org id: expected [a-z0-9_-]{1,64}"), req);
    }
    json out;
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
      TM_ASSIGN_OR_RETURN(std::optional<contracts::OrgRecord> org, contracts::LoadOrg(view, id));
      if (!org) return Status::NotFound("no organisation '" + id + "'");
      out = OrgJson(*org);
      out["height"] = h;
      std::vector<PublicKey> keys;
      std::string prefix = state_keys::identity::OrgKeyPrefix(id);
      view.Scan(prefix, [&](const std::string& k, const Bytes&) {
        auto pk = PublicKey::FromHex(std::string_view(k).substr(prefix.size()));
        if (pk.ok()) keys.push_back(*pk);
        return keys.size() < 1000;
      });
      json list = json::array();
      for (const auto& pk : keys) {
        TM_ASSIGN_OR_RETURN(std::optional<contracts::KeyRecord> rec, contracts::LoadKey(view, pk));
        if (rec) list.push_back(KeyJson(*rec));
      }
      out["keys"] = list;
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
    return http::JsonResponse(200, out);
  }

  HttpResponse Account(const HttpRequest& req, const std::string& key_hex) {
    auto key = PublicKey::FromHex(key_hex);
    if (!key.ok()) return Fail(key.status().WithContext("account key"), req);
    json out{{"key", key->Hex()}};
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(std::optional<contracts::KeyRecord> rec, contracts::LoadKey(view, *key));
      out["record"] = rec ? KeyJson(*rec) : json(nullptr);
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
    return http::JsonResponse(200, out);
  }

  HttpResponse AccountTxs(const HttpRequest& req, const std::string& key_hex) {
    auto key = PublicKey::FromHex(key_hex);
    if (!key.ok()) return Fail(key.status().WithContext("account key"), req);
    auto limit = ParseCount(req, "limit", o_.default_page_size, o_.max_page_size);
    if (!limit.ok()) return Fail(limit.status(), req);
    std::optional<TxLocationRef> after;
    if (const std::string* c = req.Query("cursor")) {
      auto a = DecodeAccountCursor(*c);
      if (!a.ok()) return Fail(a.status(), req);
      after = *a;
    }
    auto refs = ledger_->TxsBySigner(*key, after, *limit + 1);
    if (!refs.ok()) return Fail(refs.status(), req);
    bool more = refs->size() > *limit;
    if (more) refs->resize(*limit);
    json txs = json::array();
    for (const SignerTxRef& r : *refs) {
      json t{{"id", r.tx_id.Hex()}, {"height", r.location.height}, {"index", r.location.index}};
      if (auto info = ledger_->GetTx(r.tx_id); info.ok()) {
        t["status"] = mempool::TxStateName(info->record.state);
        if (info->tx) {
          t["nonce"] = info->tx->nonce;
          t["contract"] = info->tx->contract;
          t["method"] = info->tx->method;
        }
        if (info->receipt && !info->receipt->reason.empty()) {
          bool redact = info->tx && IsPrivateContract(info->tx->contract);
          t["reason"] = redact ? RedactedReason(info->receipt->reason) : info->receipt->reason;
        }
      }
      txs.push_back(std::move(t));
    }
    json next =
        more && !refs->empty() ? json(EncodeAccountCursor(refs->back().location)) : json(nullptr);
    return http::JsonResponse(200, json{{"key", key->Hex()}, {"txs", txs}, {"next_cursor", next}});
  }

  HttpResponse Trace(const HttpRequest& req) {
    const std::string* code = req.Query("code");
    if (code == nullptr || code->empty()) return Fail(Status::Invalid("code: required"), req);
    if (code->size() > 512) return Fail(Status::Invalid("code: longer than 512 characters"), req);
    json out;
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
      TM_ASSIGN_OR_RETURN(Value v, contracts::Trace(view, *code, 0));
      out = v.ToJson();
      out["height"] = h;
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
    return http::JsonResponse(200, out);
  }

  HttpResponse Product(const HttpRequest& req, const std::string& gtin) {
    if (!IsDigits(gtin) || gtin.size() > 14) {
      return Fail(Status::Invalid("gtin: expected 8, 12, 13 or 14 digits"), req);
    }
    std::string g14 = std::string(14 - gtin.size(), '0') + gtin;
    json out;
    Status st = ledger_->ReadState([&](const contracts::StateView& view, uint64_t h) -> Status {
      TM_ASSIGN_OR_RETURN(Value t, contracts::Trace(view, "/01/" + g14, 0));
      out = json{{"gtin", g14}, {"product", t.Find("product")->ToJson()}, {"height", h}};
      json lots = json::array();
      Status inner;
      const std::string lots_of_product = state_keys::prov::LotPrefixOfProduct(g14);
      view.Scan(lots_of_product, [&](const std::string& k, const Bytes& raw) {
        auto v = Value::Decode(raw);
        if (!v.ok()) {
          inner = Status::Corruption(k + ": " + v.status().message());
          return false;
        }
        json lot = v->ToJson();
        lot["id"] = k.substr(state_keys::prov::kLotPrefix.size());
        lots.push_back(std::move(lot));
        return lots.size() < 200;
      });
      TM_RETURN_IF_ERROR(inner);
      out["lots"] = lots;
      return Status::Ok();
    });
    if (!st.ok()) return Fail(st, req);
    return http::JsonResponse(200, out);
  }

 private:
  // Sets each block's "finality_ms" (timestamp of the block carrying its commit certificate minus
  // its own) and returns those of the blocks that carry txs.
  std::vector<uint64_t> AddFinality(json* blocks, std::map<uint64_t, uint64_t>* times) {
    std::vector<uint64_t> fin;
    for (json& bj : *blocks) {
      if (!bj.contains("certified_at")) continue;
      uint64_t at = bj["certified_at"];
      auto it = times->find(at);
      if (it == times->end()) {
        auto b = ledger_->CertifiedBlockAt(at);
        if (!b.ok()) continue;  // not committed yet
        it = times->emplace(at, b->block.header.timestamp_ms).first;
      }
      uint64_t t0 = bj["timestamp_ms"];
      if (it->second >= t0 && bj["tx_count"].get<uint64_t>() > 0) fin.push_back(it->second - t0);
      bj["finality_ms"] = it->second >= t0 ? json(it->second - t0) : json(nullptr);
    }
    return fin;
  }

  static json Hit(const std::string& kind, const std::string& id, const std::string& label,
                  const std::string& path) {
    return json{{"kind", kind}, {"id", id}, {"label", label}, {"path", path}};
  }

  void SearchHash(const std::string& hex, json* results) {
    auto h = Hash256::FromHex(hex);
    if (!h.ok()) return;
    if (auto b = ledger_->BlockById(*h); b.ok()) {
      results->push_back(Hit("block", hex, "Block " + std::to_string(b->block.header.height),
                             "/blocks/" + std::to_string(b->block.header.height)));
    }
    if (auto t = ledger_->GetTx(*h); t.ok()) {
      std::string label = "Transaction";
      if (t->tx) label += " " + t->tx->contract + "." + t->tx->method;
      results->push_back(Hit("tx", hex, label, "/txs/" + hex));
    }
    auto pk = PublicKey::FromHex(hex);
    if (!pk.ok()) return;
    (void)ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(std::optional<contracts::KeyRecord> rec, contracts::LoadKey(view, *pk));
      if (rec) {
        results->push_back(Hit("account", hex, "Key of " + rec->org, "/accounts/" + hex));
      }
      return Status::Ok();
    });
  }

  void SearchCode(const std::string& code, json* results) {
    auto id = contracts::ParseIdentifier(code);
    if (!id.ok()) return;
    (void)ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(Value t, contracts::Trace(view, code, 0));
      std::string path = PathOfLink(t.Find("digital_link")->as_string());
      std::string kind = CodeKind(*id);
      std::string label = id->canonical;
      const Value* product = t.Find("product");
      if (product != nullptr && product->is_map() && product->Find("name") != nullptr) {
        label = product->Find("name")->as_string() + " — " + label;
      }
      if (kind == "product") {
        results->push_back(Hit("product", id->gtin, label, "/products/" + id->gtin));
      } else {
        results->push_back(Hit(kind, id->canonical, label, path));
      }
      return Status::Ok();
    });
  }

  void SearchOrgs(const std::string& s, json* results) {
    std::string needle = Lower(s);
    (void)ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      TM_ASSIGN_OR_RETURN(std::vector<contracts::OrgRecord> orgs, contracts::ListOrgs(view));
      for (const auto& o : orgs) {
        if (Lower(o.id).find(needle) != std::string::npos ||
            Lower(o.name).find(needle) != std::string::npos) {
          results->push_back(Hit("org", o.id, "Organisation " + o.name, "/orgs/" + o.id));
        }
      }
      return Status::Ok();
    });
  }

  LedgerApi* ledger_;
  ExplorerOptions o_;
};

// Paths the app routes itself: no file extension in the last segment, outside the API.
bool IsAppPath(const std::string& path) {
  if (path.rfind("/v1/", 0) == 0 || path.rfind("/epcis/", 0) == 0) return false;
  std::string lower = Lower(path);
  if (path.find("/.") != std::string::npos || path.find('\\') != std::string::npos ||
      lower.find("%2f") != std::string::npos || lower.find("%5c") != std::string::npos ||
      lower.find("%00") != std::string::npos || lower.find("%2e") != std::string::npos) {
    return false;  // dot segments, encoded slashes or NULs: not a page of ours
  }
  size_t slash = path.rfind('/');
  std::string last = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return last.find('.') == std::string::npos;
}

}  // namespace

std::string EncodeAccountCursor(const TxLocationRef& after) {
  return EncodeCursor("a1", {after.height, after.index});
}

Result<TxLocationRef> DecodeAccountCursor(std::string_view cursor) {
  TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, DecodeCursor(cursor, "a1", 2));
  if (f[1] > UINT32_MAX) return Status::Invalid("cursor: not a cursor this server issued");
  return TxLocationRef{.height = f[0], .index = static_cast<uint32_t>(f[1])};
}

void RegisterExplorerRoutes(http::Router* r, LedgerApi* ledger, ExplorerOptions options) {
  auto e = std::make_shared<Explorer>(ledger, options);
  auto plain = [e](HttpResponse (Explorer::*fn)(const HttpRequest&)) {
    return [e, fn](const HttpRequest& req, const PathParams&) { return ((*e).*fn)(req); };
  };
  auto with = [e](HttpResponse (Explorer::*fn)(const HttpRequest&, const std::string&),
                  std::string param) {
    return [e, fn, param](const HttpRequest& req, const PathParams& p) {
      return ((*e).*fn)(req, p.at(param));
    };
  };
  r->Add("GET", "/v1/search", plain(&Explorer::Search));
  r->Add("GET", "/v1/stats", plain(&Explorer::Stats));
  r->Add("GET", "/v1/orgs", plain(&Explorer::Orgs));
  r->Add("GET", "/v1/orgs/{id}", with(&Explorer::Org, "id"));
  r->Add("GET", "/v1/accounts/{key}", with(&Explorer::Account, "key"));
  r->Add("GET", "/v1/accounts/{key}/txs", with(&Explorer::AccountTxs, "key"));
  r->Add("GET", "/v1/trace", plain(&Explorer::Trace));
  r->Add("GET", "/v1/products/{gtin}", with(&Explorer::Product, "gtin"));
}

http::Handler ExplorerFallback(const std::string& explorer_dir) {
  http::StaticFiles files(explorer_dir);
  return [files](const HttpRequest& req, const PathParams& p) {
    HttpResponse r = files.Serve(req);
    if (r.status != 404 || !IsAppPath(req.path)) return r;
    std::string accept = req.Header("accept");
    if (!accept.empty() && accept.find("text/html") == std::string::npos &&
        accept.find("*/*") == std::string::npos) {
      return r;
    }
    HttpResponse page = files.ServeIndex(req);
    (void)p;
    return page.status == 200 ? page : r;
  };
}

}  // namespace tidemark::node::api
