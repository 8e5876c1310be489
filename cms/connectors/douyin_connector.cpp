// cms/connectors/douyin_connector.cpp
#include "cms/connectors/douyin_connector.h"

#include <fstream>
#include <sstream>

#include "cms/connectors/http_outcome.h"

namespace hub::cms::connectors {
namespace {

// Douyin's documented "busy / try later" codes; token codes need a new authorization.
bool retryableCode(long code) { return code == 2100004 || code == 2100005 || code == 2190004; }

std::string videoText(const PublishRequest& r) {
  std::string t = r.variant.value("title", "");
  std::string b = r.variant.value("body", "");
  return b.empty() ? t : (t.empty() ? b : t + " " + b);
}

PublishResult withProgress(PublishResult p, const Json& progress) {
  p.progress = progress;
  return p;
}

}  // namespace

HttpRequest DouyinConnector::request(const PublishRequest& r, const std::string& path) const {
  HttpRequest req;
  req.method = "POST";
  req.url =
      base(r) + "/api/douyin/v1/video/" + path + "/?open_id=" + urlEncode(r.account.value("open_id", ""));
  req.headers["access-token"] = r.account.value("access_token", "");
  req.headers["Content-Type"] = "application/json";
  return req;
}

PublishResult DouyinConnector::publish(const PublishRequest& r) {
  Json progress = r.progress.is_object() ? r.progress : Json::object();
  if (r.variant.contains("douyin_video_id")) progress["video_id"] = r.variant["douyin_video_id"];
  if (!progress.contains("video_id")) {
    std::string path = r.variant.value("video_path", "");
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in) {
      PublishResult out;
      out.outcome = Outcome::Permanent;
      out.code = "douyin.no_video";
      out.message = "a Douyin post needs a video";
      return out;
    }
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string boundary = "hub-douyin-upload-boundary";
    HttpRequest up = request(r, "upload_video");
    up.headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    up.body = "--" + boundary +
              "\r\nContent-Disposition: form-data; name=\"video\"; filename=\"video.mp4\"\r\n" +
              "Content-Type: video/mp4\r\n\r\n" + bytes.str() + "\r\n--" + boundary + "--\r\n";
    HttpResponse resp = http_.send(up);
    // An uploaded but unused video is not a post: any failure here may be retried.
    if (!resp.ok() || resp.status != 200) {
      PublishResult out = resp.ok() ? statusResult(resp) : transportOutcome(resp);
      if (out.outcome == Outcome::Unknown) out.outcome = Outcome::Retryable;
      return out;
    }
    Json j = parseBody(resp.body).value("data", Json::object());
    long code = j.value("error_code", 0L);
    if (code != 0) {
      PublishResult out;
      out.outcome = retryableCode(code) ? Outcome::Retryable : Outcome::Permanent;
      out.code = "douyin." + std::to_string(code);
      out.message = j.value("description", "");
      return out;
    }
    progress["video_id"] = idText(j.value("video", Json::object()).value("video_id", Json()));
  }
  HttpRequest create = request(r, "create_video");
  create.body = Json{{"video_id", progress["video_id"]}, {"text", videoText(r)}}.dump();
  HttpResponse resp = http_.send(create);
  if (!resp.ok()) return withProgress(transportOutcome(resp), progress);
  if (resp.status != 200) return withProgress(statusResult(resp), progress);
  Json j = parseBody(resp.body).value("data", Json::object());
  long code = j.value("error_code", 0L);
  PublishResult out;
  out.progress = progress;
  if (code == 0 && j.contains("item_id")) {
    out.outcome = Outcome::Posted;
    out.remoteId = idText(j["item_id"]);
    return out;
  }
  out.outcome =
      code == 0 ? Outcome::Unknown : (retryableCode(code) ? Outcome::Retryable : Outcome::Permanent);
  out.code = "douyin." + std::to_string(code);
  out.message = j.value("description", "");
  return out;
}

LookupResult DouyinConnector::lookup(const PublishRequest& r) {
  LookupResult out;
  out.progress = r.progress;
  HttpRequest req = request(r, "video_list");
  req.method = "GET";
  req.url += "&cursor=0&count=20";
  req.headers.erase("Content-Type");
  HttpResponse resp = http_.send(req);
  if (!resp.ok() || resp.status != 200) {
    out.message = resp.ok() ? "video_list answered HTTP " + std::to_string(resp.status) : resp.error;
    return out;
  }
  Json data = parseBody(resp.body).value("data", Json::object());
  if (data.value("error_code", 0L) != 0 || !data.contains("list")) {
    out.message = "video_list: " + data.value("description", std::string("no list"));
    return out;
  }
  std::string want = videoText(r);
  for (const auto& v : data["list"]) {
    if (v.value("title", "") == want) {
      out.found = Found::Yes;
      out.remoteId = idText(v.value("item_id", Json()));
      return out;
    }
  }
  out.found = Found::No;
  return out;
}

}  // namespace hub::cms::connectors
