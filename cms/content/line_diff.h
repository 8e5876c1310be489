// cms/content/line_diff.h
//
// Line diff between two texts (revision bodies and titles): the longest common subsequence of
// lines, as a list of kept, removed and added lines in order. Quadratic in the number of
// lines, so above a cell budget it reports "everything removed, everything added" instead of
// spending the worker's time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hub::cms::content {

struct DiffLine {
  enum class Op { Equal, Delete, Insert };
  Op op = Op::Equal;
  std::string text;
};

std::vector<DiffLine> lineDiff(std::string_view before, std::string_view after);

// "equal", "delete", "insert".
std::string_view opName(DiffLine::Op op);

// A unified-style rendering: "  kept", "- removed", "+ added", one per line.
std::string unifiedText(const std::vector<DiffLine>& diff);

}  // namespace hub::cms::content
