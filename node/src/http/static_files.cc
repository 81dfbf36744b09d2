#include "tidemark/node/http/static_files.h"

#include <fstream>
#include <sstream>
#include <system_error>

namespace tidemark::node::http {

namespace fs = std::filesystem;

namespace {

void AddSecurityHeaders(HttpResponse* r) {
  r->SetHeader("Content-Security-Policy", "default-src 'self'");
  r->SetHeader("X-Content-Type-Options", "nosniff");
}

HttpResponse NotFound(const HttpRequest& req) {
  HttpResponse r = Problem(404, "not-found", "Not Found", "no file at " + req.path, req.path);
  AddSecurityHeaders(&r);
  return r;
}

bool IsUnder(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), e = root.end();
  auto q = p.begin();
  for (; r != e; ++r, ++q) {
    if (q == p.end() || *q != *r) return false;
  }
  return true;
}

}  // namespace

std::string ContentTypeForPath(const fs::path& p) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
  };
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, t] : kTypes) {
    if (ext == e) return t;
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) {
  if (root.empty()) return;
  std::error_code ec;
  fs::path canon = fs::canonical(root, ec);
  if (!ec && fs::is_directory(canon, ec)) root_ = canon;
}

HttpResponse StaticFiles::Serve(const HttpRequest& req) const {
  if (root_.empty()) return NotFound(req);
  fs::path rel;
  for (const std::string& seg : SplitPath(req.path)) {
    std::string d;
    if (!PercentDecode(seg, &d)) return NotFound(req);
    if (d.empty()) continue;  // "//" or a trailing slash
    if (d == "." || d == ".." || d.find('\0') != std::string::npos ||
        d.find('\\') != std::string::npos || d.find('/') != std::string::npos) {
      return NotFound(req);
    }
    rel /= d;
  }
  std::error_code ec;
  fs::path full = fs::weakly_canonical(root_ / rel, ec);
  if (ec || !IsUnder(root_, full)) return NotFound(req);
  if (fs::is_directory(full, ec)) full /= "index.html";
  full = fs::canonical(full, ec);
  if (ec || !IsUnder(root_, full) || !fs::is_regular_file(full, ec)) return NotFound(req);
  uintmax_t size = fs::file_size(full, ec);
  if (ec || size > kMaxFileBytes) return NotFound(req);
  std::ifstream in(full, std::ios::binary);
  if (!in) return NotFound(req);
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse r = TextResponse(200, ContentTypeForPath(full), body.str());
  AddSecurityHeaders(&r);
  r.SetHeader("Cache-Control", "no-cache");
  return r;
}

HttpResponse StaticFiles::ServeIndex(const HttpRequest& req) const {
  HttpRequest index = req;
  index.path = "/index.html";
  index.target = "/index.html";
  return Serve(index);
}

Handler StaticFiles::AsHandler() const {
  return [self = *this](const HttpRequest& req, const PathParams&) { return self.Serve(req); };
}

}  // namespace tidemark::node::http
