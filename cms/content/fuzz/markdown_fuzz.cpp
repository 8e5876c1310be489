// cms/content/fuzz/markdown_fuzz.cpp
//
// Fuzzes the Markdown renderer, which sees every editor's body. Any input must render without a
// crash or a hang, and the output may hold only the tags the renderer writes itself, with
// link and image URLs that pass isSafeUrl().
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cms/content/markdown.h"

namespace {

constexpr std::array<std::string_view, 30> kTags{
    "<p>",   "</p>",   "<h1>", "</h1>", "<h2>", "</h2>", "<h3>",     "</h3>",     "<h4>",  "</h4>",
    "<h5>",  "</h5>",  "<h6>", "</h6>", "<em>", "</em>", "<strong>", "</strong>", "<code", "</code>",
    "<pre>", "</pre>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>",     "</li>",     "<hr>",  "<br>"};
constexpr std::array<std::string_view, 5> kMore{"<blockquote>", "</blockquote>", "<a href=\"", "</a>",
                                                "<img src=\""};

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos) std::abort();  // a bare '&' must never reach the output
    std::string_view e = s.substr(i, semi - i + 1);
    out += e == "&amp;"    ? "&"
           : e == "&lt;"   ? "<"
           : e == "&gt;"   ? ">"
           : e == "&quot;" ? "\""
           : e == "&#39;"  ? "'"
                           : "?";
    i = semi;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hub::cms::content;
  const std::string html = renderMarkdown(std::string_view(reinterpret_cast<const char*>(data), size));
  for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    std::string_view rest = std::string_view(html).substr(at);
    bool known = false;
    for (auto t : kTags) known = known || rest.starts_with(t);
    for (auto t : kMore) known = known || rest.starts_with(t);
    if (!known) std::abort();
    for (std::string_view attr : {"<a href=\"", "<img src=\""}) {
      if (!rest.starts_with(attr)) continue;
      auto end = rest.find('"', attr.size());
      if (end == std::string_view::npos) std::abort();
      if (!isSafeUrl(unescape(rest.substr(attr.size(), end - attr.size())))) std::abort();
    }
  }
  return 0;
}
