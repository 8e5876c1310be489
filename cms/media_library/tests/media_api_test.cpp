// cms/media_library/tests/media_api_test.cpp
//
// Chunked resumable uploads over real HTTP on SQLite and MariaDB: an upload interrupted after
// some chunks resumes from the offset the server reports and ends byte-identical; a wrong
// offset is refused with the right one; uploads over the size limit and files whose bytes
// are not what their name claims are refused; other organisations see 404.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "cms/tests/support/cms_harness.h"

namespace hub::cms::testing {
namespace {

class MediaApi : public CmsApiTest {
 protected:
  void configure(config::Config& c) override {
    dir_ = std::filesystem::temp_directory_path() / ("cms-media-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    c.data.dir = dir_.string();
    c.cmsContent.credentialsKey = std::string(64, 'e');
    c.cmsUpload.maxImageBytes = 1 << 20;  // 1 MiB
  }
  void TearDown() override {
    CmsApiTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  void orgs() {
    hub().createOrg(1, 0, "省总工会", 1);
    hub().createOrg(2, 1, "甲市", 2);
    hub().createOrg(3, 1, "乙市", 2);
    hub().createUser("ed2", "password-ed2", {{auth::Role::Editor, 2}}, 2);
    hub().createUser("ed3", "password-ed3", {{auth::Role::Editor, 3}}, 3);
  }
  static std::string jpeg(std::size_t size) {
    std::string s = "\xFF\xD8\xFF\xE0";
    std::mt19937 rng(42);
    while (s.size() < size) s += static_cast<char>(rng() & 0xFF);
    return s;
  }
  static HttpReply putChunk(CmsClient& c, const std::string& id, const std::string& bytes, std::size_t first,
                            std::size_t len) {
    const std::string range = "Content-Range: bytes " + std::to_string(first) + "-" +
                              std::to_string(first + len - 1) + "/" + std::to_string(bytes.size()) + "\r\n";
    return c.request("PUT", "/api/v1/media/uploads/" + id, bytes.substr(first, len), range,
                     "application/octet-stream");
  }
  std::filesystem::path dir_;
};

TEST_P(MediaApi, InterruptedUploadResumesFromTheReportedOffsetAndEndsIdentical) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  const std::string file = jpeg(700 * 1000 + 17);
  auto created =
      ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "封面.jpg"}, {"size", file.size()}});
  ASSERT_EQ(created.status, 201) << created.text;
  EXPECT_EQ(created.body["offset"], 0);
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());

  const std::size_t chunk = 256 * 1024;
  auto r1 = putChunk(ed, id, file, 0, chunk);
  ASSERT_EQ(r1.status, 200) << r1.text;
  EXPECT_EQ(r1.body["mime"], "image/jpeg");
  auto r2 = putChunk(ed, id, file, chunk, chunk);
  ASSERT_EQ(r2.status, 200) << r2.text;
  // the client goes away here; later it asks where to go on
  auto status = ed.get("/api/v1/media/uploads/" + id);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["offset"], 2 * chunk);
  EXPECT_EQ(status.header("upload-offset"), std::to_string(2 * chunk));
  EXPECT_NEAR(status.body["progress"].get<double>(), 2.0 * chunk / file.size(), 1e-9);
  EXPECT_EQ(ed.post("/api/v1/media/uploads/" + id + "/complete").errorCode(), "media.incomplete");

  auto wrong = putChunk(ed, id, file, chunk, chunk);  // a repeat of chunk 2
  EXPECT_EQ(wrong.status, 409) << wrong.text;
  EXPECT_EQ(wrong.errorCode(), "media.offset_mismatch");
  EXPECT_EQ(wrong.header("upload-offset"), std::to_string(2 * chunk));

  const std::size_t offset = status.body["offset"].get<std::size_t>();
  auto r3 = putChunk(ed, id, file, offset, file.size() - offset);
  ASSERT_EQ(r3.status, 200) << r3.text;
  EXPECT_EQ(r3.body["offset"], file.size());
  auto done = ed.post("/api/v1/media/uploads/" + id + "/complete");
  ASSERT_EQ(done.status, 200) << done.text;
  EXPECT_EQ(done.body["state"], "complete");
  EXPECT_EQ(done.body["kind"], "image");

  auto back = ed.get("/api/v1/media/" + id + "/file");
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.header("content-type"), "image/jpeg");
  EXPECT_EQ(back.header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(back.text == file) << "bytes differ: got " << back.text.size() << " of " << file.size();
  EXPECT_EQ(ed.get("/api/v1/media").body["items"].size(), 1u);
}

TEST_P(MediaApi, OverTheLimitIsRefused) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  auto big = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "big.png"}, {"size", (1 << 20) + 1}});
  ASSERT_EQ(big.status, 422) << big.text;
  EXPECT_NE(big.body["error"]["fields"]["size"].get<std::string>().find("1048576"), std::string::npos);
  auto bad = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "page.html"}, {"size", 0}});
  ASSERT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.body["error"]["fields"].contains("name"));
  EXPECT_TRUE(bad.body["error"]["fields"].contains("size"));

  // bytes past the declared size
  const std::string file = jpeg(1000);
  auto created = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "a.jpg"}, {"size", 1000}});
  ASSERT_EQ(created.status, 201);
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());
  auto past = ed.request("PUT", "/api/v1/media/uploads/" + id, jpeg(1200),
                         "Content-Range: bytes 0-1199/1000\r\n", "application/octet-stream");
  EXPECT_EQ(past.status, 413) << past.text;
  EXPECT_EQ(past.errorCode(), "media.too_large");
  auto otherSize = ed.request("PUT", "/api/v1/media/uploads/" + id, file.substr(0, 10),
                              "Content-Range: bytes 0-9/999\r\n", "application/octet-stream");
  EXPECT_EQ(otherSize.status, 422) << otherSize.text;
  EXPECT_TRUE(otherSize.body["error"]["fields"].contains("Content-Range"));
  EXPECT_EQ(ed.get("/api/v1/media/uploads/" + id).body["offset"], 0) << "nothing was stored";
}

TEST_P(MediaApi, ALyingExtensionIsRefused) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(100, 'p');
  auto created =
      ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "photo.jpg"}, {"size", png.size()}});
  ASSERT_EQ(created.status, 201);
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());
  auto r = putChunk(ed, id, png, 0, png.size());
  EXPECT_EQ(r.status, 415) << r.text;
  EXPECT_EQ(r.errorCode(), "media.type_mismatch");
  EXPECT_EQ(ed.get("/api/v1/media/uploads/" + id).status, 404) << "the refused upload is gone";

  std::string html = "<html><script>alert(1)</script></html>";
  auto fake = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "x.gif"}, {"size", html.size()}});
  const auto fid = std::to_string(fake.body["id"].get<std::int64_t>());
  EXPECT_EQ(putChunk(ed, fid, html, 0, html.size()).status, 415);
}

TEST_P(MediaApi, OtherOrganisationsMediaIs404) {
  orgs();
  auto ed = hub().login("ed2", "password-ed2");
  auto ed3 = hub().login("ed3", "password-ed3");
  const std::string file = jpeg(100);
  auto created = ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "a.jpg"}, {"size", file.size()}});
  const auto id = std::to_string(created.body["id"].get<std::int64_t>());
  ASSERT_EQ(putChunk(ed, id, file, 0, file.size()).status, 200);
  EXPECT_EQ(putChunk(ed3, id, file, 0, file.size()).status, 404);
  ASSERT_EQ(ed.post("/api/v1/media/uploads/" + id + "/complete").status, 200);
  EXPECT_EQ(ed3.get("/api/v1/media/" + id).status, 404);
  EXPECT_EQ(ed3.get("/api/v1/media/" + id + "/file").status, 404);
  EXPECT_EQ(ed3.del("/api/v1/media/" + id).status, 404);
  EXPECT_EQ(ed3.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "b.jpg"}, {"size", 10}}).status, 403);
  EXPECT_EQ(hub().client().get("/api/v1/media/" + id + "/file").status, 401);
  EXPECT_EQ(ed.del("/api/v1/media/" + id).status, 204);
  EXPECT_EQ(ed.get("/api/v1/media/" + id).status, 404);
}

HUB_CMS_BACKENDS(MediaApi);

}  // namespace
}  // namespace hub::cms::testing
