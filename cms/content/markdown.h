// cms/content/markdown.h
//
// A small Markdown renderer for content bodies, safe by construction: every character of the
// source is HTML-escaped on its way out, raw HTML in the source is shown as text, and only
// the tags this renderer writes itself can appear. Links and images keep their URL only when
// it is http(s) or relative (javascript:, data:, vbscript: and every other scheme are dropped,
// leaving the text). Supports ATX headings, paragraphs, emphasis and strong, inline code,
// fenced code blocks, links, images, ordered and unordered (nested) lists, block quotes and
// thematic breaks. Input is limited in size and nesting, so a hostile body cannot blow the
// stack.
#pragma once

#include <string>
#include <string_view>

namespace hub::cms::content {

// Body in, sanitized HTML fragment out.
std::string renderMarkdown(std::string_view markdown);

// True when `url` may be put in an href/src: http:, https: (any case), or relative (no
// scheme). Control characters and whitespace anywhere refuse it.
bool isSafeUrl(std::string_view url);

// & < > " ' escaped; safe in text and in quoted attributes.
std::string escapeHtml(std::string_view text);

}  // namespace hub::cms::content
