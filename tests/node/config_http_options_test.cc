// The one table of HTTP options (config/http_options.h): every row is parsed, range-checked,
// written back and documented; a bad value is an error naming the option.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tidemark/node/api/epcis_api.h"
#include "tidemark/node/api/rest_api.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/config/http_options.h"
#include "tidemark/node/http/event_bus.h"

using namespace tidemark;
using namespace tidemark::node::config;
using nlohmann::json;

namespace {

Result<NodeConfig> ParseHttp(const json& http) {
  return ParseNodeConfig(json{{"chain_id", "c"}, {"http", http}});
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "2097152 (2 MiB)", "10000 (10 s)", "64".
std::string FormatDefault(const HttpOption& o) {
  uint64_t v = o.Default();
  std::string out = std::to_string(v);
  std::string name = o.name;
  if (EndsWith(name, "_bytes") && v >= 1024 && v % 1024 == 0) {
    out += v % (1 << 20) == 0 ? " (" + std::to_string(v >> 20) + " MiB)"
                              : " (" + std::to_string(v >> 10) + " KiB)";
  } else if (EndsWith(name, "_ms") && v >= 1000 && v % 1000 == 0) {
    uint64_t s = v / 1000;
    out += s % 3600 == 0 ? " (" + std::to_string(s / 3600) + " h)"
           : s % 60 == 0 ? " (" + std::to_string(s / 60) + " min)"
                         : " (" + std::to_string(s) + " s)";
  }
  return out;
}

std::string FormatRange(const HttpOption& o) {
  if (o.max != HttpOption::kNoMax) return std::to_string(o.min) + " to " + std::to_string(o.Max());
  return ">= " + std::to_string(o.min);
}

// The table docs/api.md holds between its markers.
std::string OptionsMarkdown() {
  std::ostringstream md;
  md << "| `http.` key | default | accepted | what it bounds |\n|---|---|---|---|\n";
  for (const HttpOption& o : kHttpOptions) {
    md << "| `" << o.name << "` | " << FormatDefault(o) << " | " << FormatRange(o) << " | " << o.doc
       << " |\n";
  }
  return md.str();
}

const char* kBegin =
    "<!-- http options: generated from kHttpOptions (node/include/tidemark/node/config/"
    "http_options.h) by tests/node/config_http_options_test.cc; TIDEMARK_UPDATE_DOCS=1 rewrites "
    "it -->\n";
const char* kEnd = "<!-- end of http options -->\n";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("http options: one row per option, names unique, defaults within their range") {
  std::set<std::string> names;
  for (const HttpOption& o : kHttpOptions) {
    INFO(o.name);
    CHECK(names.insert(o.name).second);
    CHECK(std::string(o.doc).find('\n') == std::string::npos);
    CHECK(std::string(o.doc).find('|') == std::string::npos);  // a markdown table cell
    CHECK(o.min <= o.Default());
    CHECK(o.Default() <= o.Max());
  }
  CHECK(names.count("listen") == 0);  // the address is not a number: its own key
  CHECK(names.size() == 24);
}

TEST_CASE("http options: an absent option keeps its default") {
  auto c = ParseNodeConfig(json{{"chain_id", "c"}});
  REQUIRE(c.ok());
  for (const HttpOption& o : kHttpOptions) {
    INFO(o.name);
    CHECK(o.Get(c->http) == o.Default());
  }
  // The server's limits have their defaults in http::ServerOptions.
  CHECK(c->http.max_body_bytes == node::http::ServerOptions{}.max_body_bytes);
  CHECK(c->http.sse_max_clients == node::http::ServerOptions{}.max_sse_streams);
}

TEST_CASE(
    "http options: the defaults of the layers used without a config agree with HttpConfig's") {
  // The REST layer, the EPCIS route and the event bus keep defaults of their own for users of the
  // libraries without a node.json (tests, fuzz targets); they must not drift from the config's.
  HttpConfig d;
  node::api::RestOptions rest;
  CHECK(rest.max_json_depth == d.max_json_depth);
  CHECK(rest.wait_commit_timeout_ms == d.wait_commit_timeout_ms);
  CHECK(rest.max_commit_waiters == d.max_commit_waiters);
  CHECK(rest.sse_queue == d.sse_queue);
  CHECK(node::api::EpcisOptions{}.max_json_depth == d.max_json_depth);
  CHECK(node::http::EventBusOptions{}.ring_capacity == d.sse_ring);
  CHECK(node::http::EventBusOptions{}.max_subscribers == d.sse_max_clients);
}

TEST_CASE("http options: every option is read, and written back by NodeConfigToJson") {
  json http = json::object();
  uint64_t v = 2;
  for (const HttpOption& o : kHttpOptions) http[o.name] = std::min<uint64_t>(v++, o.Max());
  auto c = ParseHttp(http);
  REQUIRE(c.ok());
  for (const HttpOption& o : kHttpOptions) {
    INFO(o.name);
    CHECK(o.Get(c->http) == http[o.name].get<uint64_t>());
  }
  json written = NodeConfigToJson(*c)["http"];
  CHECK(written.size() == std::size(kHttpOptions) + 1);  // + listen
  for (const HttpOption& o : kHttpOptions) CHECK(written[o.name] == http[o.name]);
  auto again = ParseNodeConfig(NodeConfigToJson(*c));
  REQUIRE(again.ok());
  CHECK(NodeConfigToJson(*again) == NodeConfigToJson(*c));
}

TEST_CASE("http options: a bad value is an error naming the option, at each bound") {
  for (const HttpOption& o : kHttpOptions) {
    std::string key = std::string("config: http.") + o.name;
    INFO(key);
    auto text = ParseHttp({{o.name, "12"}});
    REQUIRE_FALSE(text.ok());
    CHECK(text.status().code() == Code::kInvalidArgument);
    CHECK(text.status().message() == key + ": expected a non-negative integer, got string");
    auto negative = ParseHttp({{o.name, -1}});
    REQUIRE_FALSE(negative.ok());
    CHECK(negative.status().message() ==
          key + ": expected a non-negative integer, got a negative integer");
    auto fraction = ParseHttp({{o.name, 1.5}});
    REQUIRE_FALSE(fraction.ok());
    CHECK(fraction.status().message().rfind(key + ": ", 0) == 0);
    if (o.min > 0) {
      auto low = ParseHttp({{o.name, o.min - 1}});
      REQUIRE_FALSE(low.ok());
      CHECK(low.status().message() == key + ": must be > 0");
    } else {
      CHECK(ParseHttp({{o.name, 0}}).ok());
    }
    CHECK(ParseHttp({{o.name, o.min}}).ok());
    CHECK(ParseHttp({{o.name, o.Max()}}).ok());
    if (o.Max() < std::numeric_limits<uint64_t>::max()) {  // else JSON cannot go beyond
      auto high = ParseHttp({{o.name, o.Max() + 1}});
      REQUIRE_FALSE(high.ok());
      CHECK(high.status().message() == key + (o.max != HttpOption::kNoMax
                                                  ? ": at most " + std::to_string(o.max)
                                                  : std::string(": too large")));
    }
  }
  // The thread counts have their own ceilings.
  CHECK(ParseHttp({{"io_threads", 65}}).status().message() ==
        "config: http.io_threads: at most 64");
  CHECK(ParseHttp({{"handler_threads", 257}}).status().message() ==
        "config: http.handler_threads: at most 256");
}

TEST_CASE("http options: docs/api.md holds the generated table and names no other http option") {
  const std::string path = std::string(TIDEMARK_SOURCE_DIR) + "/docs/api.md";
  std::string doc = Slurp(path);
  size_t begin = doc.find(kBegin);
  size_t end = doc.find(kEnd);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  REQUIRE(begin < end);
  begin += std::string(kBegin).size();
  std::string expected = OptionsMarkdown();
  if (doc.substr(begin, end - begin) != expected && std::getenv("TIDEMARK_UPDATE_DOCS")) {
    doc.replace(begin, end - begin, expected);
    std::ofstream(path, std::ios::binary) << doc;
    WARN("rewrote the http options table in " << path);
  }
  INFO(
      "docs/api.md's http options table differs; paste this (or run with TIDEMARK_UPDATE_DOCS=1)"
      ":\n"
      << expected);
  CHECK(doc.substr(begin, end - begin) == expected);
  // Every `http.<key>` the docs name is an option (no stale or misspelt names).
  std::set<std::string> known{"listen"};
  for (const HttpOption& o : kHttpOptions) known.insert(o.name);
  std::regex key(R"(\bhttp\.([a-z_]+)\b(?!\())");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), key); it != std::sregex_iterator();
       ++it) {
    INFO((*it)[0].str());
    CHECK(known.count((*it)[1].str()) == 1);
  }
}
