// cms/challenge/statement_widths.cpp
#include "cms/challenge/statement_widths.h"

namespace hub::cms::challenge {

std::size_t paddedWidth(std::size_t n) {
  if (n <= 32) {
    std::size_t w = 1;
    while (w < n) w *= 2;
    return w;
  }
  if (n <= 256) return (n + 31) / 32 * 32;
  return (n + 63) / 64 * 64;
}

std::string placeholders(std::size_t groups, std::size_t width) {
  std::string one = "(";
  for (std::size_t i = 0; i < width; ++i) one += i ? ", ?" : "?";
  one += ")";
  std::string out;
  for (std::size_t i = 0; i < groups; ++i) out += (i ? "," : "") + one;
  return out;
}

}  // namespace hub::cms::challenge
