// app/web_app.h
//
// Serves the viewers' web app (player-web/dist, built by Vite) at "/": hashed assets under
// /assets with a year-long immutable cache, everything else revalidated, and index.html for the
// app's own paths (/, /watch/<name>, /replay/<id>, /challenge/<id>) so a shared link opens the
// right page. API routes always win: the files are a static mount, consulted only when no route
// matches.
#pragma once

#include <string>

#include "core/http/server.h"
#include "core/util/result.h"

namespace hub::app {

// The directory to serve: `configured` when set (error "config.invalid" when it holds no
// index.html), else the first of <binary dir>/player-web and the source tree's player-web/dist
// that holds an index.html, else "" (no web app built: the landing page stays).
Result<std::string> findWebRoot(const std::string& configured);

// Mounts `dir` and adds the index.html routes. Error "http.mount" when it cannot be read.
Status addWebApp(http::Server& server, const std::string& dir);

// The built studio (cms/web, issue 8): <binary dir>/studio, else the source tree's cms/web/dist,
// whichever holds an index.html; "" when it is not built.
std::string findStudioRoot();

// Serves the studio at /studio/: hashed assets with an immutable cache, and index.html for every
// page path below /studio/ (the studio's router reads it).
Status addStudio(http::Server& server, const std::string& dir);

}  // namespace hub::app
