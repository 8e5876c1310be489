// cms/media_library/media_routes.cpp
//
// Upload bytes go to "<id>.part" at the offset the client names, which must be the offset the
// server has; the row's `received` moves only after the bytes are written, so a resumed upload
// asks HEAD where to go on and never leaves a hole. One lock per upload id (striped) keeps two
// requests for one upload from writing at once on this node.
#include "cms/media_library/media_routes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <memory>
#include <mutex>

#include "cms/api/routes.h"
#include "cms/api/time.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/access.h"
#include "cms/media_library/media_file.h"
#include "cms/media_library/media_store.h"
#include "cms/media_library/sniff.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"
#include "core/metrics/registry.h"

namespace hub::cms::media_library {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.media");
  return log;
}

struct Shared {
  std::string dir;
  metrics::Counter* refusedType = nullptr;
  metrics::Counter* refusedSize = nullptr;
  metrics::Counter* badRange = nullptr;
  metrics::Counter* bytes = nullptr;
  std::array<std::mutex, 64> locks;
  std::mutex& lockFor(std::int64_t id) { return locks[static_cast<std::size_t>(id) % locks.size()]; }
  std::string partPath(std::int64_t id) const { return dir + "/" + std::to_string(id) + ".part"; }
  std::string filePath(std::int64_t id) const { return dir + "/" + std::to_string(id); }  // media_file.h
};

std::int64_t limitFor(const config::CmsUpload& c, MediaKind k) {
  switch (k) {
    case MediaKind::Image:
      return c.maxImageBytes;
    case MediaKind::Video:
      return c.maxVideoBytes;
    case MediaKind::Audio:
      return c.maxAudioBytes;
  }
  return 0;
}

std::optional<MediaKind> kindOfMime(std::string_view mime) {
  if (mime.starts_with("image/")) return MediaKind::Image;
  if (mime.starts_with("video/")) return MediaKind::Video;
  if (mime.starts_with("audio/")) return MediaKind::Audio;
  return std::nullopt;
}

struct ContentRange {
  std::int64_t first = 0, last = 0, total = 0;
};

// "bytes 0-1023/4096"
std::optional<ContentRange> parseContentRange(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  auto dash = v.find('-');
  auto slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  ContentRange r;
  auto num = [](std::string_view s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (!num(v.substr(0, dash), r.first) || !num(v.substr(dash + 1, slash - dash - 1), r.last) ||
      !num(v.substr(slash + 1), r.total) || r.last < r.first)
    return std::nullopt;
  return r;
}

Result<std::string> readHead(const std::string& path, std::size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError("media.io", "cannot open the upload file");
  std::string buf(n, '\0');
  ssize_t got = ::pread(fd, buf.data(), n, 0);
  ::close(fd);
  if (got < 0) return makeError("media.io", "cannot read the upload file");
  buf.resize(static_cast<std::size_t>(got));
  return buf;
}

Status writeAt(const std::string& path, std::string_view bytes, std::int64_t offset) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return makeError("media.io", "cannot open the upload file");
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, offset + static_cast<off_t>(done));
    if (n <= 0) {
      ::close(fd);
      return makeError("media.io", "cannot write the upload file");
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return {};
}

Json uploadJson(const MediaItem& m) {
  Json j = toJson(m);
  j["offset"] = m.received;
  return j;
}

// The media row when the actor can see it, else a 404 reply.
Result<std::optional<MediaItem>> visible(CmsContext& ctx, sql::Executor& db, const auth::Actor& actor,
                                         std::int64_t id) {
  auto m = getMedia(db, id);
  if (!m) return m.error();
  if (!*m || !ctx.access.canSee(actor, (*m)->orgId)) return std::optional<MediaItem>();
  return m;
}

}  // namespace

void addRoutes(CmsContext& ctx) {
  auto shared = std::make_shared<Shared>();
  shared->dir = mediaDir(ctx.base.config.data.dir);
  const std::string refused = "cms_media_upload_refused_total";
  const std::string refusedHelp = "CMS media uploads or chunks refused, by reason";
  shared->refusedType = &ctx.base.metrics.counter(refused, refusedHelp, {{"reason", "type"}});
  shared->refusedSize = &ctx.base.metrics.counter(refused, refusedHelp, {{"reason", "size"}});
  shared->badRange = &ctx.base.metrics.counter(refused, refusedHelp, {{"reason", "range"}});
  shared->bytes =
      &ctx.base.metrics.counter("cms_media_upload_bytes_total", "bytes stored by CMS media uploads");
  std::error_code dirError;
  std::filesystem::create_directories(shared->dir, dirError);
  if (dirError) logger()->error("media dir {}: {}", shared->dir, dirError.message());
  const config::CmsUpload& limits = ctx.base.config.cmsUpload;

  addRoute(ctx, http::Method::Post, "/api/v1/media/uploads", Guard::Signed,
           [&ctx, shared, &limits](CmsRequest& req) -> Reply {
             if (!req.body.is_object()) return ApiError::validation({{"body", "a JSON object"}});
             std::map<std::string, std::string> errors;
             MediaItem m;
             const Json& b = req.body;
             std::optional<std::string_view> claimed;
             if (!b.contains("name") || !b["name"].is_string() || b["name"].get<std::string>().empty() ||
                 b["name"].get<std::string>().size() > 255)
               errors["name"] = "required file name, at most 255 bytes";
             else if (m.name = b["name"].get<std::string>(); !(claimed = mimeForName(m.name)))
               errors["name"] = "not an allowed type (jpg, png, gif, webp, mp4, mp3)";
             if (!b.contains("org_id") || !b["org_id"].is_number_integer())
               errors["org_id"] = "required organisation id";
             else if (m.orgId = b["org_id"].get<std::int64_t>(); !ctx.orgs.exists(m.orgId))
               errors["org_id"] = "no such organisation";
             if (!b.contains("size") || !b["size"].is_number_integer() || b["size"].get<std::int64_t>() <= 0)
               errors["size"] = "required byte count above 0";
             else
               m.size = b["size"].get<std::int64_t>();
             if (claimed && !errors.count("size")) {
               const auto kind = *kindOfMime(*claimed);
               if (m.size > limitFor(limits, kind)) shared->refusedSize->inc();
               if (m.size > limitFor(limits, kind))
                 errors["size"] = "larger than the " + std::to_string(limitFor(limits, kind)) +
                                  " bytes allowed for " + std::string(kindName(kind));
             }
             if (!errors.empty()) return ApiError::validation(errors);
             if (!ctx.access.can(req.actor, {Role::Editor}, m.orgId))
               return ApiError::forbidden("auth.forbidden", "you may not upload to this organisation");
             m.createdBy = req.actor.userId;
             m.createdAt = nowSeconds(ctx.base.clock);
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               auto id = insertMedia(tx, m);
               if (!id) return id.error();
               int fd = ::open(shared->partPath(*id).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
               if (fd < 0) return makeError("media.io", "cannot create the upload file");
               ::close(fd);
               auto fresh = getMedia(tx, *id);
               if (!fresh || !*fresh)
                 return fresh ? Reply(ApiError::notFound("upload")) : Reply(fresh.error());
               return Reply::created(uploadJson(**fresh));
             });
           });

  auto status = [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("upload");
    auto m = visible(ctx, ctx.base.db, req.actor, *id);
    if (!m) return m.error();
    if (!*m) return ApiError::notFound("upload");
    Reply r(uploadJson(**m));
    r.header("Upload-Offset", std::to_string((*m)->received));
    r.header("Upload-Length", std::to_string((*m)->size));
    r.header("Cache-Control", "no-store");
    return r;
  };
  addRoute(ctx, http::Method::Get, "/api/v1/media/uploads/:id", Guard::Signed, status);
  addRoute(ctx, http::Method::Head, "/api/v1/media/uploads/:id", Guard::Signed, status);

  addRoute(
      ctx, http::Method::Put, "/api/v1/media/uploads/:id", Guard::Signed,
      [&ctx, shared](CmsRequest& req) -> Reply {
        auto id = req.idParam("id");
        if (!id) return ApiError::notFound("upload");
        std::lock_guard lock(shared->lockFor(*id));
        auto m = visible(ctx, ctx.base.db, req.actor, *id);
        if (!m) return m.error();
        if (!*m) return ApiError::notFound("upload");
        MediaItem item = **m;
        if (!ctx.access.can(req.actor, {Role::Editor}, item.orgId))
          return ApiError::forbidden("auth.forbidden", "you may not upload to this organisation");
        if (item.state != "uploading") return ApiError::conflict("media.complete", "this upload is complete");
        auto range = parseContentRange(req.http.header("content-range"));
        if (!range) return ApiError::validation({{"Content-Range", "required: bytes first-last/size"}});
        const auto& body = req.http.body;
        if (range->total != item.size)
          return ApiError::validation(
              {{"Content-Range", "size differs from the upload's " + std::to_string(item.size)}});
        if (range->last - range->first + 1 != static_cast<std::int64_t>(body.size()))
          return ApiError::validation({{"Content-Range", "range length differs from the body length"}});
        if (range->last >= item.size) shared->refusedSize->inc();
        if (range->last >= item.size)
          return ApiError{.status = 413,
                          .code = "media.too_large",
                          .message = "bytes past the declared size",
                          .fields = {},
                          .headers = {}};
        if (range->first != item.received) {
          shared->badRange->inc();
          ApiError e = ApiError::conflict("media.offset_mismatch",
                                          "resume from offset " + std::to_string(item.received));
          e.headers.emplace_back("Upload-Offset", std::to_string(item.received));
          return e;
        }
        // The type, as soon as enough bytes are here: a lying name is refused early.
        std::string head;
        if (item.received == 0) head = body.substr(0, 16);
        std::string mime = item.mime, kind = item.kind;
        if (item.received == 0 &&
            (body.size() >= 16 || static_cast<std::int64_t>(body.size()) == item.size)) {
          auto sniffed = sniff(head);
          auto claimed = mimeForName(item.name);
          if (!sniffed || !claimed || sniffed->mime != *claimed) {
            shared->refusedType->inc();
            logger()->warn("[media={} user={}] refused: bytes are {}, name claims {}", item.id,
                           req.actor.userId, sniffed ? sniffed->mime : "unknown",
                           claimed ? *claimed : "nothing");
            (void)inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
              if (auto st = deleteMedia(tx, item.id); !st) return st.error();
              return Reply::noContent();
            });
            std::error_code ignored;
            std::filesystem::remove(shared->partPath(item.id), ignored);
            return ApiError{.status = 415,
                            .code = "media.type_mismatch",
                            .message = std::string("the bytes are ") +
                                       (sniffed ? std::string(sniffed->mime) : "no allowed type") +
                                       ", the name claims " + std::string(claimed.value_or("nothing")),
                            .fields = {},
                            .headers = {}};
          }
          mime = sniffed->mime;
          kind = kindName(sniffed->kind);
        }
        if (auto st = writeAt(shared->partPath(item.id), body, range->first); !st) return st.error();
        const std::int64_t next = item.received + static_cast<std::int64_t>(body.size());
        shared->bytes->inc(static_cast<double>(body.size()));
        auto moved =
            advanceMedia(ctx.base.db, item.id, item.received, next, mime, kind, nowSeconds(ctx.base.clock));
        if (!moved) return moved.error();
        if (!*moved) return ApiError::conflict("media.offset_mismatch", "another request moved this upload");
        item.received = next;
        item.mime = mime;
        item.kind = kind;
        Reply r(uploadJson(item));
        r.header("Upload-Offset", std::to_string(next));
        return r;
      },
      RouteOptions{.parseJson = false});

  addRoute(ctx, http::Method::Post, "/api/v1/media/uploads/:id/complete", Guard::Signed,
           [&ctx, shared](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("upload");
             std::lock_guard lock(shared->lockFor(*id));
             auto m = visible(ctx, ctx.base.db, req.actor, *id);
             if (!m) return m.error();
             if (!*m) return ApiError::notFound("upload");
             MediaItem item = **m;
             if (!ctx.access.can(req.actor, {Role::Editor}, item.orgId))
               return ApiError::forbidden("auth.forbidden", "you may not upload to this organisation");
             if (item.state == "complete") return toJson(item);
             if (item.received != item.size) {
               ApiError e =
                   ApiError::conflict("media.incomplete", std::to_string(item.received) + " of " +
                                                              std::to_string(item.size) + " bytes received");
               e.headers.emplace_back("Upload-Offset", std::to_string(item.received));
               return e;
             }
             auto head = readHead(shared->partPath(item.id), 16);
             if (!head) return head.error();
             auto sniffed = sniff(*head);
             auto claimed = mimeForName(item.name);
             if (!sniffed || !claimed || sniffed->mime != *claimed)
               return ApiError{.status = 415,
                               .code = "media.type_mismatch",
                               .message = "the bytes are not the type the name claims",
                               .fields = {},
                               .headers = {}};
             std::error_code ec;
             std::filesystem::rename(shared->partPath(item.id), shared->filePath(item.id), ec);
             if (ec) return makeError("media.io", "cannot finish the upload file");
             return inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = completeMedia(tx, item.id, nowSeconds(ctx.base.clock)); !st) return st.error();
               auto fresh = getMedia(tx, item.id);
               if (!fresh || !*fresh)
                 return fresh ? Reply(ApiError::notFound("upload")) : Reply(fresh.error());
               if (auto st = ctx.audit.record(tx, req.actor, "media.upload", "media", std::to_string(item.id),
                                              nullptr, toJson(**fresh));
                   !st)
                 return st.error();
               return toJson(**fresh);
             });
           });

  addRoute(ctx, http::Method::Get, "/api/v1/media", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto filter = ctx.access.pathFilter(req.actor, auth::Access::anyRole());
    auto before = req.intQuery("before", 0, 0, INT64_MAX);
    auto limit = req.intQuery("limit", 50, 1, 500);
    std::string kind(req.query("kind").value_or(""));
    if (!before || !limit || (!kind.empty() && kind != "image" && kind != "video" && kind != "audio"))
      return ApiError::validation({{"query", "before: id, limit: 1..500, kind: image|video|audio"}});
    auto list = listMedia(ctx.base.db, filter.sql, filter.params, kind, *before, static_cast<int>(*limit));
    if (!list) return list.error();
    Json items = Json::array();
    for (const auto& m : *list) items.push_back(toJson(m));
    return Json{{"items", items}};
  });

  addRoute(ctx, http::Method::Get, "/api/v1/media/:id", Guard::Signed, [&ctx](CmsRequest& req) -> Reply {
    auto id = req.idParam("id");
    if (!id) return ApiError::notFound("media");
    auto m = visible(ctx, ctx.base.db, req.actor, *id);
    if (!m) return m.error();
    if (!*m) return ApiError::notFound("media");
    return toJson(**m);
  });

  addRoute(ctx, http::Method::Get, "/api/v1/media/:id/file", Guard::Signed,
           [&ctx, shared](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("media");
             auto m = visible(ctx, ctx.base.db, req.actor, *id);
             if (!m) return m.error();
             if (!*m || (*m)->state != "complete") return ApiError::notFound("media");
             auto r = mediaFileResponse(shared->filePath(*id), (*m)->mime, "private, max-age=3600");
             if (!r) return ApiError::notFound("media file");
             return Reply::raw(std::move(*r));
           });

  addRoute(ctx, http::Method::Delete, "/api/v1/media/:id", Guard::Signed,
           [&ctx, shared](CmsRequest& req) -> Reply {
             auto id = req.idParam("id");
             if (!id) return ApiError::notFound("media");
             std::lock_guard lock(shared->lockFor(*id));
             auto m = visible(ctx, ctx.base.db, req.actor, *id);
             if (!m) return m.error();
             if (!*m) return ApiError::notFound("media");
             if (!ctx.access.can(req.actor, {Role::Editor}, (*m)->orgId))
               return ApiError::forbidden("auth.forbidden", "you may not delete media of this organisation");
             Reply r = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
               if (auto st = deleteMedia(tx, *id); !st) return st.error();
               if (auto st = ctx.audit.record(tx, req.actor, "media.delete", "media", std::to_string(*id),
                                              toJson(**m), nullptr);
                   !st)
                 return st.error();
               return Reply::noContent();
             });
             if (!r.isError()) {
               std::error_code ec;
               std::filesystem::remove(shared->filePath(*id), ec);
               std::filesystem::remove(shared->partPath(*id), ec);
             }
             return r;
           });
}

}  // namespace hub::cms::media_library
