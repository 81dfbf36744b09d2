// static_files.h — serves the explorer's built files from one directory.
//
//   StaticFiles files("/opt/tidemark/explorer");
//   router.SetFallback(files.AsHandler());    // GET /assets/app.js -> <root>/assets/app.js
//
// "/" and directories serve their index.html. Content types come from the extension. Every answer
// carries `Content-Security-Policy: default-src 'self'` and `X-Content-Type-Options: nosniff`.
// Paths are percent-decoded, then any "..", ".", empty, NUL or backslash segment is refused (404),
// and the canonical file path must stay under the canonical root (symlinks cannot escape).
// An empty root serves nothing (404).
//
// Thread safety: immutable after construction; Serve() is safe from any thread.
#pragma once

#include <filesystem>
#include <string>

#include "tidemark/node/http/router.h"

namespace tidemark::node::http {

class StaticFiles {
 public:
  static constexpr size_t kMaxFileBytes = 32 << 20;

  explicit StaticFiles(std::filesystem::path root);
  HttpResponse Serve(const HttpRequest& req) const;
  // The root's index.html, whatever the request's path: the single-page app's answer to a page
  // path it routes itself (a block page, a Digital Link).
  HttpResponse ServeIndex(const HttpRequest& req) const;
  Handler AsHandler() const;

 private:
  std::filesystem::path root_;  // canonical, or empty
};

// "text/html; charset=utf-8" for ".html", ... "application/octet-stream" when unknown.
std::string ContentTypeForPath(const std::filesystem::path& p);

}  // namespace tidemark::node::http
