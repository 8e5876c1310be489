// cms/content/markdown.cpp
//
// Blocks first (lines into headings, code, quotes, lists, paragraphs), then inlines inside
// them. Nothing from the source reaches the output unescaped.
#include "cms/content/markdown.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace hub::cms::content {
namespace {

constexpr int kMaxDepth = 16;           // quotes/lists/emphasis nested deeper render as text
constexpr std::size_t kMaxSpan = 2000;  // how far a closing marker is looked for

bool isPunct(char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; }

std::string_view trimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view trim(std::string_view s) {
  s = trimLeft(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
std::size_t indentOf(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if (c == ' ')
      ++n;
    else if (c == '\t')
      n += 4;
    else
      break;
  }
  return n;
}
// Drops up to n columns of leading spaces.
std::string_view dedent(std::string_view s, std::size_t n) {
  while (n > 0 && !s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
    --n;
  }
  if (n > 0 && !s.empty() && s.front() == '\t') s.remove_prefix(1);
  return s;
}
bool blank(std::string_view s) { return trim(s).empty(); }

class Inline {
 public:
  explicit Inline(int depth) : depth_(depth) {}

  std::string render(std::string_view s, bool allowLinks) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '\\' && i + 1 < s.size() && isPunct(s[i + 1])) {
        out += escapeHtml(s.substr(i + 1, 1));
        i += 2;
      } else if (c == '`') {
        i = code(s, i, out);
      } else if (c == '!' && allowLinks && i + 1 < s.size() && s[i + 1] == '[') {
        i = link(s, i + 1, out, true, i);
      } else if (c == '[' && allowLinks) {
        i = link(s, i, out, false, i);
      } else if ((c == '*' || c == '_') && depth_ < kMaxDepth &&
                 !(c == '_' && i > 0 && std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
        i = emphasis(s, i, out, allowLinks);
      } else if (c == '\n') {
        // a hard break when the line ended with two spaces, else a soft one
        if (out.size() >= 2 && out.ends_with("  ")) {
          out.resize(out.size() - 2);
          out += "<br>\n";
        } else {
          out += '\n';
        }
        ++i;
      } else {
        out += escapeHtml(s.substr(i, 1));
        ++i;
      }
    }
    return out;
  }

 private:
  std::size_t code(std::string_view s, std::size_t i, std::string& out) {
    std::size_t run = 0;
    while (i + run < s.size() && s[i + run] == '`') ++run;
    const std::string fence(run, '`');
    const std::string_view window = s.substr(0, std::min(s.size(), i + run + kMaxSpan));
    std::size_t close = window.find(fence, i + run);
    while (close != std::string_view::npos && close + run < s.size() && s[close + run] == '`')
      close = window.find(fence, close + run + 1);
    if (close == std::string_view::npos) {
      out += fence;
      return i + run;
    }
    out += "<code>" + escapeHtml(trim(s.substr(i + run, close - i - run))) + "</code>";
    return close + run;
  }

  // [text](url "title") or ![alt](url); `open` is the '['. Anything malformed is plain text.
  std::size_t link(std::string_view s, std::size_t open, std::string& out, bool image, std::size_t start) {
    int depth = 0;
    std::size_t close = std::string_view::npos;
    for (std::size_t k = open; k < s.size() && k < open + kMaxSpan; ++k) {
      if (s[k] == '\\') {
        ++k;
        continue;
      }
      if (s[k] == '[') ++depth;
      if (s[k] == ']' && --depth == 0) {
        close = k;
        break;
      }
    }
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != '(') {
      out += escapeHtml(s.substr(start, open + 1 - start));
      return open + 1;
    }
    std::size_t end = std::string_view::npos;
    int parens = 0;
    for (std::size_t k = close + 2; k < s.size() && k < close + kMaxSpan; ++k) {
      if (s[k] == '(') ++parens;
      if (s[k] == ')' && parens-- == 0) {
        end = k;
        break;
      }
    }
    if (end == std::string_view::npos) {
      out += escapeHtml(s.substr(start, open + 1 - start));
      return open + 1;
    }
    std::string_view target = trim(s.substr(close + 2, end - close - 2));
    std::string_view title;
    if (auto sp = target.find(' '); sp != std::string_view::npos) {
      std::string_view rest = trim(target.substr(sp + 1));
      if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') {
        title = rest.substr(1, rest.size() - 2);
        target = target.substr(0, sp);
      }
    }
    if (target.size() >= 2 && target.front() == '<' && target.back() == '>')
      target = target.substr(1, target.size() - 2);
    const std::string_view text = s.substr(open + 1, close - open - 1);
    const bool safe = isSafeUrl(target);
    if (image) {
      if (safe) {
        out += "<img src=\"" + escapeHtml(target) + "\" alt=\"" + escapeHtml(text) + "\"";
        if (!title.empty()) out += " title=\"" + escapeHtml(title) + "\"";
        out += ">";
      } else {
        out += escapeHtml(text);
      }
    } else {
      Inline inner(depth_ + 1);
      const std::string label = inner.render(text, false);
      if (safe) {
        out += "<a href=\"" + escapeHtml(target) + "\"";
        if (!title.empty()) out += " title=\"" + escapeHtml(title) + "\"";
        out += " rel=\"nofollow noopener\">" + label + "</a>";
      } else {
        out += label;
      }
    }
    return end + 1;
  }

  std::size_t emphasis(std::string_view s, std::size_t i, std::string& out, bool allowLinks) {
    const char c = s[i];
    const bool strong = i + 1 < s.size() && s[i + 1] == c;
    const std::string marker(strong ? 2 : 1, c);
    const std::size_t from = i + marker.size();
    // opening marker must be followed by non-space; closing preceded by non-space
    if (from >= s.size() || s[from] == ' ' || s[from] == '\n') {
      out += escapeHtml(marker);
      return from;
    }
    const std::string_view window = s.substr(0, std::min(s.size(), from + kMaxSpan));
    std::size_t close = from;
    while (true) {
      close = window.find(marker, close);
      if (close == std::string_view::npos) break;
      if (s[close - 1] == '\\') {
        close += 1;
        continue;
      }
      if (!strong && close + 1 < window.size() && s[close + 1] == c) {
        close += 2;  // part of a strong marker inside
        continue;
      }
      if (s[close - 1] != ' ' && close > from) {
        while (close + marker.size() < window.size() && s[close + marker.size()] == c) ++close;
        break;
      }
      close += marker.size();
    }
    if (close == std::string_view::npos) {
      out += escapeHtml(marker);
      return from;
    }
    Inline inner(depth_ + 1);
    const char* tag = strong ? "strong" : "em";
    out += std::string("<") + tag + ">" + inner.render(s.substr(from, close - from), allowLinks) + "</" +
           tag + ">";
    return close + marker.size();
  }

  int depth_;
};

struct ListMarker {
  bool ordered = false;
  std::size_t width = 0;  // columns up to the item text
};

std::optional<ListMarker> listMarker(std::string_view line) {
  const std::size_t ind = line.size() - trimLeft(line).size();
  std::string_view s = trimLeft(line);
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && (s[1] == ' ' || s[1] == '\t'))
    return ListMarker{false, ind + 2};
  std::size_t d = 0;
  while (d < s.size() && d < 9 && std::isdigit(static_cast<unsigned char>(s[d]))) ++d;
  if (d > 0 && d + 1 < s.size() && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ')
    return ListMarker{true, ind + d + 2};
  return std::nullopt;
}

bool thematicBreak(std::string_view line) {
  std::string_view s = trim(line);
  if (s.size() < 3) return false;
  const char c = s[0];
  if (c != '-' && c != '*' && c != '_') return false;
  int n = 0;
  for (char x : s) {
    if (x == c)
      ++n;
    else if (x != ' ')
      return false;
  }
  return n >= 3;
}

int headingLevel(std::string_view line) {
  std::string_view s = trimLeft(line);
  int n = 0;
  while (n < static_cast<int>(s.size()) && s[n] == '#') ++n;
  if (n < 1 || n > 6) return 0;
  if (static_cast<std::size_t>(n) < s.size() && s[n] != ' ') return 0;
  return n;
}

bool fence(std::string_view line) {
  std::string_view s = trimLeft(line);
  return s.starts_with("```") || s.starts_with("~~~");
}

bool blockStart(std::string_view line) {
  return headingLevel(line) > 0 || fence(line) || trimLeft(line).starts_with(">") || thematicBreak(line) ||
         listMarker(line).has_value();
}

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    start = nl + 1;
  }
  return lines;
}

std::string join(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t k = from; k < to; ++k) {
    if (k > from) s += '\n';
    s += lines[k];
  }
  return s;
}

std::string renderBlocks(const std::vector<std::string_view>& lines, int depth);

std::string renderList(const std::vector<std::string_view>& lines, std::size_t& i, int depth) {
  const ListMarker first = *listMarker(lines[i]);
  const std::size_t baseIndent = indentOf(lines[i]);
  std::string out = first.ordered ? "<ol>\n" : "<ul>\n";
  while (i < lines.size()) {
    auto m = listMarker(lines[i]);
    if (!m || m->ordered != first.ordered || indentOf(lines[i]) != baseIndent) break;
    std::vector<std::string> item;
    item.emplace_back(lines[i].substr(std::min(lines[i].size(), m->width)));
    ++i;
    bool sawBlank = false;
    while (i < lines.size()) {
      if (blank(lines[i])) {
        sawBlank = true;
        item.emplace_back();
        ++i;
        continue;
      }
      if (indentOf(lines[i]) >= m->width) {
        item.emplace_back(dedent(lines[i], m->width));
        ++i;
        sawBlank = false;
        continue;
      }
      if (!sawBlank && !blockStart(lines[i])) {  // lazy continuation of the item's paragraph
        item.emplace_back(trimLeft(lines[i]));
        ++i;
        continue;
      }
      break;
    }
    while (!item.empty() && item.back().empty()) item.pop_back();
    std::vector<std::string_view> views(item.begin(), item.end());
    std::string inner = renderBlocks(views, depth + 1);
    // tight items: one paragraph shows without <p>
    if (inner.starts_with("<p>") && inner.find("<p>", 3) == std::string::npos) {
      const std::size_t endP = inner.find("</p>\n");
      inner = inner.substr(3, endP - 3) + inner.substr(endP + 4);
    }
    while (!inner.empty() && inner.back() == '\n') inner.pop_back();
    out += "<li>" + inner + "</li>\n";
    while (i < lines.size() && blank(lines[i]) && i + 1 < lines.size() && listMarker(lines[i + 1]) &&
           indentOf(lines[i + 1]) == baseIndent)
      ++i;
  }
  out += first.ordered ? "</ol>\n" : "</ul>\n";
  return out;
}

std::string renderBlocks(const std::vector<std::string_view>& lines, int depth) {
  std::string out;
  if (depth > kMaxDepth) {
    for (auto l : lines) out += escapeHtml(l) + "\n";
    return "<p>" + out + "</p>\n";
  }
  Inline inl(depth);
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string_view line = lines[i];
    if (blank(line)) {
      ++i;
    } else if (fence(line)) {
      const std::string_view open = trimLeft(line);
      const std::string marker(open.substr(0, 3));
      std::string lang(trim(open.substr(3)));
      ++i;
      std::string code;
      while (i < lines.size() && !trimLeft(lines[i]).starts_with(marker)) {
        code += std::string(lines[i]) + "\n";
        ++i;
      }
      if (i < lines.size()) ++i;
      out += "<pre><code";
      if (!lang.empty()) {
        std::string cls;
        for (char c : lang)
          if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+') cls += c;
        if (!cls.empty()) out += " class=\"language-" + cls + "\"";
      }
      out += ">" + escapeHtml(code) + "</code></pre>\n";
    } else if (int level = headingLevel(line); level > 0) {
      std::string_view text = trim(trimLeft(line).substr(static_cast<std::size_t>(level)));
      while (!text.empty() && text.back() == '#') text.remove_suffix(1);
      const std::string h = "h" + std::to_string(level);
      out += "<" + h + ">" + inl.render(trim(text), true) + "</" + h + ">\n";
      ++i;
    } else if (thematicBreak(line)) {
      out += "<hr>\n";
      ++i;
    } else if (trimLeft(line).starts_with(">")) {
      std::vector<std::string> quoted;
      while (i < lines.size() && !blank(lines[i])) {
        std::string_view q = trimLeft(lines[i]);
        if (q.starts_with(">")) {
          q.remove_prefix(1);
          if (!q.empty() && q.front() == ' ') q.remove_prefix(1);
        }
        quoted.emplace_back(q);
        ++i;
      }
      std::vector<std::string_view> views(quoted.begin(), quoted.end());
      out += "<blockquote>\n" + renderBlocks(views, depth + 1) + "</blockquote>\n";
    } else if (listMarker(line)) {
      out += renderList(lines, i, depth);
    } else {
      const std::size_t from = i;
      ++i;
      while (i < lines.size() && !blank(lines[i]) && !blockStart(lines[i])) ++i;
      std::vector<std::string_view> para;
      for (std::size_t k = from; k < i; ++k) para.push_back(trimLeft(lines[k]));
      std::string text = join(para, 0, para.size());
      out += "<p>" + inl.render(text, true) + "</p>\n";
    }
  }
  return out;
}

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool isSafeUrl(std::string_view url) {
  if (url.empty()) return false;
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '\\') return false;
  }
  const std::size_t end = url.find_first_of(":/?#");
  if (end == std::string_view::npos || url[end] != ':') return true;  // relative
  std::string scheme;
  for (char c : url.substr(0, end)) scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "http" || scheme == "https";
}

std::string renderMarkdown(std::string_view markdown) { return renderBlocks(splitLines(markdown), 0); }

}  // namespace hub::cms::content
