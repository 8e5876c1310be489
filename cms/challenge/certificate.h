// cms/challenge/certificate.h
//
// The shareable completion certificate (issue 7 item 5): a PNG (1080 x 1440, portrait for
// phones) with a border, the title 荣誉证书, the challenge's name, the member's name and
// organisation, a large step total, qualifying days, milestones and the date, Chinese text
// drawn with FreeType from a CJK font and encoded with libpng. Blocking (tens of milliseconds):
// call it from a worker. Thread-safe (each call has its own FreeType library).
//
//   CertificateData d{.memberName = "张三", .organisation = {"省总工会", "市总工会", "基层工会"},
//                     .challengeName = "秋季健步走", .totalSteps = 1234567, .qualifyingDays = 21,
//                     .milestones = {100000, 500000, 1000000}, .date = "2026-11-29"};
//   auto png = renderCertificate(d);  // "certificate.font" when no CJK font is found
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace hub::cms::challenge {

struct CertificateData {
  std::string memberName;                 // UTF-8
  std::vector<std::string> organisation;  // names from the top (province) down to the member's own
  std::string challengeName;
  std::int64_t totalSteps = 0;           // counted (capped) steps
  std::int64_t qualifyingDays = 0;       // days at or above the threshold
  std::vector<std::int64_t> milestones;  // the milestones reached, in steps, ascending
  std::string date;                      // "YYYY-MM-DD" (shown as 2026年11月29日), or text shown as is
};

struct CertificateOptions {
  // A TrueType/OpenType font (or collection) with Chinese glyphs; empty: findCjkFont(). A file
  // beside it with "Bold" for "Regular" in its name is used for the title, name and total.
  std::string fontPath;
};

inline constexpr int kCertificateWidth = 1080;
inline constexpr int kCertificateHeight = 1440;

// The first CJK font found: Noto Serif CJK, Noto Sans CJK (fonts-noto-cjk), WenQuanYi Zen Hei
// (fonts-wqy-zenhei) at their Debian paths, else what `fc-match :lang=zh-cn` names. Looked up
// once per process. "certificate.font" when there is none.
Result<std::string> findCjkFont();

// PNG bytes. Errors: "certificate.font" (no font, or one that cannot be read or lacks Chinese
// glyphs), "certificate.input" (empty member name), "certificate.png" (encoding failed).
Result<std::string> renderCertificate(const CertificateData& data, const CertificateOptions& options = {});

}  // namespace hub::cms::challenge
