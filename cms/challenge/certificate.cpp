// cms/challenge/certificate.cpp
//
// The certificate: an RGB canvas, shapes drawn with coverage-based anti-aliasing, text laid out
// line by line (centred, shrunk to fit) from FreeType's grey glyph bitmaps, then libpng's
// simplified write API to memory.
#include "cms/challenge/certificate.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>

namespace hub::cms::challenge {
namespace {

constexpr int W = kCertificateWidth, H = kCertificateHeight;

struct Rgb {
  std::uint8_t r, g, b;
};
constexpr Rgb kPaper{253, 248, 236};
constexpr Rgb kRed{178, 34, 34};
constexpr Rgb kGold{191, 149, 63};
constexpr Rgb kInk{51, 41, 33};
constexpr Rgb kGrey{112, 100, 88};

class Canvas {
 public:
  Canvas() : px_(static_cast<std::size_t>(W) * H * 3) {
    for (std::size_t i = 0; i < px_.size(); i += 3) {
      px_[i] = kPaper.r;
      px_[i + 1] = kPaper.g;
      px_[i + 2] = kPaper.b;
    }
  }
  // Mixes `c` into pixel (x, y) with coverage a in [0, 1].
  void blend(int x, int y, Rgb c, double a) {
    if (x < 0 || y < 0 || x >= W || y >= H || a <= 0) return;
    a = std::min(a, 1.0);
    auto* p = &px_[(static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * 3];
    auto mix = [a](std::uint8_t dst, std::uint8_t src) {
      return static_cast<std::uint8_t>(std::lround(dst + (src - dst) * a));
    };
    p[0] = mix(p[0], c.r);
    p[1] = mix(p[1], c.g);
    p[2] = mix(p[2], c.b);
  }
  void fill(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) blend(x, y, c, 1);
  }
  // The outline of a rectangle, `t` pixels thick, inside [x0, x1) x [y0, y1).
  void frame(int x0, int y0, int x1, int y1, int t, Rgb c) {
    fill(x0, y0, x1, y0 + t, c);
    fill(x0, y1 - t, x1, y1, c);
    fill(x0, y0 + t, x0 + t, y1 - t, c);
    fill(x1 - t, y0 + t, x1, y1 - t, c);
  }
  // A diamond (|dx| + |dy| <= r), anti-aliased at its edge.
  void diamond(int cx, int cy, int r, Rgb c) {
    for (int y = cy - r - 1; y <= cy + r + 1; ++y)
      for (int x = cx - r - 1; x <= cx + r + 1; ++x)
        blend(x, y, c, r + 0.5 - (std::abs(x - cx) + std::abs(y - cy)));
  }
  // A ring between radii r0 and r1, with `alpha` opacity.
  void ring(int cx, int cy, double r0, double r1, Rgb c, double alpha) {
    for (int y = cy - static_cast<int>(r1) - 1; y <= cy + static_cast<int>(r1) + 1; ++y)
      for (int x = cx - static_cast<int>(r1) - 1; x <= cx + static_cast<int>(r1) + 1; ++x) {
        const double d = std::hypot(x - cx, y - cy);
        blend(x, y, c, alpha * std::clamp(std::min(d - r0 + 0.5, r1 - d + 0.5), 0.0, 1.0));
      }
  }
  const std::vector<std::uint8_t>& pixels() const { return px_; }

 private:
  std::vector<std::uint8_t> px_;
};

std::vector<char32_t> decodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<std::size_t>(n) > s.size()) {
      out.push_back(U'\uFFFD');
      ++i;
      continue;
    }
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    bool ok = true;
    for (int k = 1; k < n; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cont & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (cont & 0x3F);
    }
    out.push_back(ok ? c : U'\uFFFD');
    i += ok ? static_cast<std::size_t>(n) : 1;
  }
  return out;
}

struct LibraryDeleter {
  void operator()(FT_Library l) const { FT_Done_FreeType(l); }
};
struct FaceDeleter {
  void operator()(FT_Face f) const { FT_Done_Face(f); }
};
using Library = std::unique_ptr<std::remove_pointer_t<FT_Library>, LibraryDeleter>;
using Face = std::unique_ptr<std::remove_pointer_t<FT_Face>, FaceDeleter>;

// Opens `path`; in a collection, the face whose family names Simplified Chinese ("SC").
Result<Face> openFace(FT_Library lib, const std::string& path) {
  FT_Face probe = nullptr;
  if (FT_New_Face(lib, path.c_str(), -1, &probe) != 0)
    return makeError("certificate.font", "cannot read the font " + path);
  const FT_Long faces = probe->num_faces;
  FT_Done_Face(probe);
  FT_Long chosen = 0;
  for (FT_Long i = 0; i < faces && faces > 1; ++i) {
    FT_Face f = nullptr;
    if (FT_New_Face(lib, path.c_str(), i, &f) != 0) continue;
    const std::string family = f->family_name ? f->family_name : "";
    FT_Done_Face(f);
    if (family.size() >= 3 && family.compare(family.size() - 3, 3, " SC") == 0) {
      chosen = i;
      break;
    }
  }
  FT_Face face = nullptr;
  if (FT_New_Face(lib, path.c_str(), chosen, &face) != 0)
    return makeError("certificate.font", "cannot read the font " + path);
  Face owned(face);
  if (FT_Get_Char_Index(face, U'证') == 0 || FT_Get_Char_Index(face, U'步') == 0)
    return makeError("certificate.font", "the font " + path + " has no Chinese glyphs");
  return owned;
}

// One run of text in one face and size; `bold` thickens outlines when no bold face exists.
struct Style {
  FT_Face face;
  int px;
  bool embolden;
  int spacing;  // extra pixels after each character
};

int measure(const Style& s, const std::vector<char32_t>& text) {
  FT_Set_Pixel_Sizes(s.face, 0, static_cast<FT_UInt>(s.px));
  long width = 0;
  for (char32_t c : text) {
    if (FT_Load_Char(s.face, c, FT_LOAD_DEFAULT) != 0) continue;
    width += (s.face->glyph->advance.x >> 6) + s.spacing + (s.embolden ? s.px / 24 : 0);
  }
  return static_cast<int>(width - (text.empty() ? 0 : s.spacing));
}

void draw(Canvas& canvas, const Style& s, const std::vector<char32_t>& text, int x, int baseline, Rgb color) {
  FT_Set_Pixel_Sizes(s.face, 0, static_cast<FT_UInt>(s.px));
  for (char32_t c : text) {
    if (FT_Load_Char(s.face, c, FT_LOAD_DEFAULT) != 0) continue;
    FT_GlyphSlot g = s.face->glyph;
    if (s.embolden && g->format == FT_GLYPH_FORMAT_OUTLINE) FT_Outline_Embolden(&g->outline, s.px * 64 / 24);
    if (FT_Render_Glyph(g, FT_RENDER_MODE_NORMAL) != 0) continue;
    const FT_Bitmap& bm = g->bitmap;
    for (unsigned row = 0; row < bm.rows; ++row)
      for (unsigned col = 0; col < bm.width; ++col) {
        const std::uint8_t cover = bm.buffer[static_cast<long>(row) * bm.pitch + col];
        canvas.blend(x + g->bitmap_left + static_cast<int>(col),
                     baseline - g->bitmap_top + static_cast<int>(row), color, cover / 255.0);
      }
    x += static_cast<int>(g->advance.x >> 6) + s.spacing + (s.embolden ? s.px / 24 : 0);
  }
}

// Draws `text` centred on the page at `baseline`, shrinking from `px` (not below `minPx`) to
// fit `maxWidth`; when even that is too wide, leading characters give way to "…".
void centred(Canvas& canvas, Style s, std::string_view utf8, int baseline, Rgb color, int maxWidth,
             int minPx) {
  auto text = decodeUtf8(utf8);
  while (s.px > minPx && measure(s, text) > maxWidth) s.px -= 2;
  while (text.size() > 1 && measure(s, text) > maxWidth) {
    text.erase(text.begin(), text.begin() + (text.front() == U'…' ? 2 : 1));
    text.insert(text.begin(), U'…');
  }
  draw(canvas, s, text, (W - measure(s, text)) / 2, baseline, color);
}

std::string groupThousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// 100000 -> "10万", 1500000 -> "150万", 12345 -> "12,345".
std::string stepsInWan(std::int64_t n) {
  return n >= 10000 && n % 10000 == 0 ? std::to_string(n / 10000) + "万" : groupThousands(n);
}

std::string chineseDate(const std::string& date) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (date.size() == 10 && std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
    return std::to_string(y) + "年" + std::to_string(m) + "月" + std::to_string(d) + "日";
  return date;
}

Result<std::string> encodePng(const Canvas& canvas) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = W;
  image.height = H;
  image.format = PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, canvas.pixels().data(), 0, nullptr))
    return makeError("certificate.png", image.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, canvas.pixels().data(), 0, nullptr))
    return makeError("certificate.png", image.message);
  out.resize(size);
  return out;
}

}  // namespace

Result<std::string> findCjkFont() {
  static std::once_flag once;
  static std::string found;
  std::call_once(once, [] {
    for (const char* p : {"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                          "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                          "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"}) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(p, ec)) {
        found = p;
        return;
      }
    }
    if (std::FILE* f = ::popen("fc-match -f '%{file}' ':lang=zh-cn' 2>/dev/null", "r")) {
      std::array<char, 512> buf{};
      const std::size_t n = std::fread(buf.data(), 1, buf.size() - 1, f);
      ::pclose(f);
      found.assign(buf.data(), n);
    }
  });
  if (found.empty())
    return makeError("certificate.font", "no CJK font found (install fonts-noto-cjk or fonts-wqy-zenhei)");
  return found;
}

Result<std::string> renderCertificate(const CertificateData& data, const CertificateOptions& options) {
  if (data.memberName.empty()) return makeError("certificate.input", "the member's name is empty");
  std::string path = options.fontPath;
  if (path.empty()) {
    auto f = findCjkFont();
    if (!f) return f.error();
    path = *f;
  }
  FT_Library raw = nullptr;
  if (FT_Init_FreeType(&raw) != 0) return makeError("certificate.font", "FreeType did not start");
  Library lib(raw);
  auto regular = openFace(lib.get(), path);
  if (!regular) return regular.error();
  // A bold sibling ("...-Bold.ttc" beside "...-Regular.ttc"), else thickened outlines.
  Face boldFace;
  if (auto at = path.rfind("Regular"); at != std::string::npos) {
    std::string boldPath = path;
    boldPath.replace(at, 7, "Bold");
    std::error_code ec;
    if (std::filesystem::is_regular_file(boldPath, ec))
      if (auto b = openFace(lib.get(), boldPath)) boldFace = std::move(*b);
  }
  FT_Face text = regular->get();
  FT_Face bold = boldFace ? boldFace.get() : text;
  const bool thicken = !boldFace;

  Canvas c;
  // The border: a gold frame, a thin red line inside it, diamonds at the red line's corners.
  c.frame(28, 28, W - 28, H - 28, 12, kGold);
  c.frame(54, 54, W - 54, H - 54, 3, kRed);
  for (int cx : {55, W - 56})
    for (int cy : {55, H - 56}) c.diamond(cx, cy, 16, kGold);
  const int maxWidth = W - 2 * 120;

  centred(c, {bold, 112, thicken, 36}, "荣誉证书", 262, kRed, maxWidth, 112);
  c.fill(W / 2 - 200, 318, W / 2 - 24, 321, kGold);
  c.fill(W / 2 + 24, 318, W / 2 + 200, 321, kGold);
  c.diamond(W / 2, 319, 9, kGold);
  centred(c, {text, 46, false, 2}, data.challengeName.empty() ? "" : "「" + data.challengeName + "」", 408,
          kInk, maxWidth, 28);

  centred(c, {bold, 100, thicken, 8}, data.memberName, 590, kInk, maxWidth, 48);
  c.fill(W / 2 - 240, 622, W / 2 + 240, 624, kGold);
  std::string org;
  for (const auto& name : data.organisation) org += (org.empty() ? "" : " · ") + name;
  centred(c, {text, 34, false, 0}, org, 690, kGrey, maxWidth, 26);

  centred(c, {text, 42, false, 6}, "在本次健步走活动中累计行走", 800, kInk, maxWidth, 30);
  centred(c, {bold, 156, thicken, 4}, groupThousands(data.totalSteps) + " 步", 990, kRed, maxWidth, 72);
  centred(c, {text, 40, false, 2}, "达标 " + std::to_string(data.qualifyingDays) + " 天", 1092, kInk,
          maxWidth, 28);
  if (!data.milestones.empty()) {
    std::string line = "达成里程碑 ";
    for (std::size_t i = 0; i < data.milestones.size(); ++i)
      line += (i ? " · " : "") + stepsInWan(data.milestones[i]);
    centred(c, {text, 34, false, 0}, line + " 步", 1152, kGrey, maxWidth, 24);
  }
  centred(c, {text, 36, false, 2}, "特发此证，以资鼓励", 1240, kInk, maxWidth, 28);
  // The date at the lower right under a translucent red seal ring.
  auto date = decodeUtf8(chineseDate(data.date));
  const Style dateStyle{text, 34, false, 1};
  const int dateWidth = measure(dateStyle, date);
  draw(c, dateStyle, date, W - 150 - dateWidth, 1306, kInk);
  c.ring(W - 150 - dateWidth / 2, 1294, 66, 73, kRed, 0.75);
  c.ring(W - 150 - dateWidth / 2, 1294, 59, 61, kRed, 0.75);
  return encodePng(c);
}

}  // namespace hub::cms::challenge
