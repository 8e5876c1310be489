// cms/challenge/tests/certificate_test.cpp
//
// The certificate PNG, decoded back with libpng: its size, the border and the text bands have
// ink, the member's name and the step total land centred in their own bands (two certificates
// differing only there differ only there), Chinese glyphs are really drawn (two names give two
// images), and a missing or glyph-less font is a clear error.
#include "cms/challenge/certificate.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hub::cms::challenge {
namespace {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  const std::uint8_t* at(int x, int y) const { return &rgb[(static_cast<std::size_t>(y) * width + x) * 3]; }
};

Image decode(const std::string& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  Image out;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) {
    ADD_FAILURE() << "not a PNG: " << image.message;
    return out;
  }
  image.format = PNG_FORMAT_RGB;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) ADD_FAILURE() << image.message;
  return out;
}

CertificateData sample() {
  return CertificateData{.memberName = "张三丰",
                         .organisation = {"省总工会", "市总工会 3", "县总工会 57", "基层工会 12345"},
                         .challengeName = "2026 秋季万步有约健步走",
                         .totalSteps = 1234567,
                         .qualifyingDays = 21,
                         .milestones = {100000, 500000, 1000000},
                         .date = "2026-11-29"};
}

Image render(const CertificateData& d) {
  auto png = renderCertificate(d);
  EXPECT_TRUE(png) << png.error().code << ": " << png.error().message;
  if (!png) return {};
  EXPECT_EQ(png->substr(1, 3), "PNG");
  return decode(*png);
}

bool paper(const std::uint8_t* p) { return p[0] == 253 && p[1] == 248 && p[2] == 236; }

// Pixels that are not plain paper inside [x0, x1) x [y0, y1).
int ink(const Image& img, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += paper(img.at(x, y)) ? 0 : 1;
  return n;
}

struct Box {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
};

// The bounding box of the pixels where a and b differ.
Box difference(const Image& a, const Image& b) {
  Box box;
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      if (std::memcmp(a.at(x, y), b.at(x, y), 3) != 0) {
        box.x0 = std::min(box.x0, x);
        box.y0 = std::min(box.y0, y);
        box.x1 = std::max(box.x1, x);
        box.y1 = std::max(box.y1, y);
      }
  return box;
}

TEST(Certificate, IsAPortraitPngWithBorderAndInkedTextBands) {
  Image img = render(sample());
  ASSERT_EQ(img.width, kCertificateWidth);
  ASSERT_EQ(img.height, kCertificateHeight);
  // The corners are paper; the frame 30 px in is gold on all four sides.
  EXPECT_TRUE(paper(img.at(5, 5)));
  for (auto [x, y] : {std::pair{540, 34}, std::pair{540, 1405}, std::pair{34, 720}, std::pair{1045, 720}}) {
    const auto* p = img.at(x, y);
    EXPECT_EQ(p[0], 191) << x << "," << y;
    EXPECT_EQ(p[1], 149) << x << "," << y;
  }
  // Title, name and total bands carry ink; the margins between the frame and the text do not.
  EXPECT_GT(ink(img, 120, 140, 960, 280), 5000) << "title";
  EXPECT_GT(ink(img, 120, 500, 960, 610), 3000) << "name";
  EXPECT_GT(ink(img, 120, 860, 960, 1010), 8000) << "step total";
  EXPECT_EQ(ink(img, 70, 70, 110, 1370), 0) << "left margin";
  // The title is red.
  int red = 0;
  for (int y = 140; y < 280; ++y)
    for (int x = 120; x < 960; ++x) red += img.at(x, y)[0] == 178 && img.at(x, y)[1] == 34 ? 1 : 0;
  EXPECT_GT(red, 1000);
}

TEST(Certificate, NameAndTotalAreCentredInTheirOwnBands) {
  const Image base = render(sample());
  auto other = sample();
  other.memberName = "李四";
  const Box name = difference(base, render(other));
  ASSERT_GE(name.x1, 0) << "two names, one image";
  EXPECT_GE(name.y0, 480);
  EXPECT_LE(name.y1, 620);
  EXPECT_NEAR((name.x0 + name.x1) / 2.0, kCertificateWidth / 2.0, 12);

  other = sample();
  other.totalSteps = 987654;
  const Box total = difference(base, render(other));
  ASSERT_GE(total.x1, 0);
  EXPECT_GT(total.y0, name.y1) << "the total sits below the name";
  EXPECT_LE(total.y1, 1040);
  EXPECT_NEAR((total.x0 + total.x1) / 2.0, kCertificateWidth / 2.0, 12);
}

TEST(Certificate, LongTextStaysInsideTheBorder) {
  auto d = sample();
  d.memberName = std::string(60, 'W');
  d.organisation = std::vector<std::string>(8, "一个名字非常非常长的基层工会委员会");
  d.totalSteps = 123456789012;
  Image img = render(d);
  ASSERT_EQ(img.width, kCertificateWidth);
  EXPECT_EQ(ink(img, 70, 70, 110, 1370), 0) << "left margin";
  EXPECT_EQ(ink(img, 970, 70, 1010, 1250), 0) << "right margin";
}

TEST(Certificate, MissingOrWrongFontIsAClearError) {
  auto missing = renderCertificate(sample(), {.fontPath = "/nonexistent/NotoSansCJK-Regular.ttc"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "certificate.font");
  EXPECT_NE(missing.error().message.find("/nonexistent/NotoSansCJK-Regular.ttc"), std::string::npos);

  // DejaVu (fonts-dejavu-core, a build dependency) has no Chinese: refused, not boxes.
  auto latin = renderCertificate(sample(), {.fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});
  ASSERT_FALSE(latin);
  EXPECT_EQ(latin.error().code, "certificate.font");

  auto d = sample();
  d.memberName.clear();
  auto empty = renderCertificate(d);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, "certificate.input");
}

TEST(Certificate, RendersWithTheFallbackFont) {
  // fonts-wqy-zenhei, the fallback when fonts-noto-cjk is absent.
  auto png = renderCertificate(sample(), {.fontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"});
  ASSERT_TRUE(png) << png.error().message;
  Image img = decode(*png);
  EXPECT_GT(ink(img, 120, 500, 960, 610), 3000);
  if (const char* dir = std::getenv("HUB_CERTIFICATE_OUT")) {  // to look at them by eye
    if (std::FILE* f = std::fopen((std::string(dir) + "/certificate_wqy.png").c_str(), "wb")) {
      std::fwrite(png->data(), 1, png->size(), f);
      std::fclose(f);
    }
    auto noto = renderCertificate(sample());
    if (std::FILE* f = noto ? std::fopen((std::string(dir) + "/certificate.png").c_str(), "wb") : nullptr) {
      std::fwrite(noto->data(), 1, noto->size(), f);
      std::fclose(f);
    }
  }
}

}  // namespace
}  // namespace hub::cms::challenge
