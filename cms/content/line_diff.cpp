// cms/content/line_diff.cpp
//
// Common prefix and suffix first (most edits touch a few lines), then an LCS table over the
// middle.
#include "cms/content/line_diff.h"

#include <cstdint>

namespace hub::cms::content {
namespace {

constexpr std::size_t kMaxCells = 16'000'000;

std::vector<std::string_view> lines(std::string_view s) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string_view opName(DiffLine::Op op) {
  switch (op) {
    case DiffLine::Op::Equal:
      return "equal";
    case DiffLine::Op::Delete:
      return "delete";
    case DiffLine::Op::Insert:
      return "insert";
  }
  return "equal";
}

std::vector<DiffLine> lineDiff(std::string_view before, std::string_view after) {
  const auto a = lines(before);
  const auto b = lines(after);
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  const std::size_t n = a.size() - pre - suf;
  const std::size_t m = b.size() - pre - suf;

  std::vector<DiffLine> out;
  for (std::size_t i = 0; i < pre; ++i) out.push_back({DiffLine::Op::Equal, std::string(a[i])});
  if ((n + 1) * (m + 1) > kMaxCells) {
    for (std::size_t i = 0; i < n; ++i) out.push_back({DiffLine::Op::Delete, std::string(a[pre + i])});
    for (std::size_t j = 0; j < m; ++j) out.push_back({DiffLine::Op::Insert, std::string(b[pre + j])});
  } else {
    // lcs[i][j]: length of the LCS of a[pre+i..] and b[pre+j..]
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.push_back({DiffLine::Op::Equal, std::string(a[pre + i])});
        ++i;
        ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        out.push_back({DiffLine::Op::Delete, std::string(a[pre + i])});
        ++i;
      } else {
        out.push_back({DiffLine::Op::Insert, std::string(b[pre + j])});
        ++j;
      }
    }
  }
  for (std::size_t k = a.size() - suf; k < a.size(); ++k)
    out.push_back({DiffLine::Op::Equal, std::string(a[k])});
  return out;
}

std::string unifiedText(const std::vector<DiffLine>& diff) {
  std::string out;
  for (const auto& d : diff) {
    out += d.op == DiffLine::Op::Equal ? "  " : d.op == DiffLine::Op::Delete ? "- " : "+ ";
    out += d.text;
    out += '\n';
  }
  return out;
}

}  // namespace hub::cms::content
