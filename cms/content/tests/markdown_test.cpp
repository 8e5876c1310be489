// cms/content/tests/markdown_test.cpp
//
// The renderer's Markdown subset, and what a hostile body cannot get through: raw HTML,
// script URLs in links and images, attribute breakouts, deep nesting.
#include <gtest/gtest.h>

#include <chrono>

#include "cms/content/markdown.h"

namespace hub::cms::content {
namespace {

TEST(Markdown, HeadingsParagraphsEmphasis) {
  EXPECT_EQ(renderMarkdown("# 标题\n\n第一段 *强调* 和 **加粗**\n第二行"),
            "<h1>标题</h1>\n<p>第一段 <em>强调</em> 和 <strong>加粗</strong>\n第二行</p>\n");
  EXPECT_EQ(renderMarkdown("### three ###"), "<h3>three</h3>\n");
  EXPECT_EQ(renderMarkdown("#nospace"), "<p>#nospace</p>\n");
  EXPECT_EQ(renderMarkdown("snake_case_name"), "<p>snake_case_name</p>\n");
  EXPECT_EQ(renderMarkdown("***both***"), "<p><strong><em>both</em></strong></p>\n");
}

TEST(Markdown, LinksAndImages) {
  EXPECT_EQ(renderMarkdown("[工会](https://example.org/a?b=1&c=2 \"标题\")"),
            "<p><a href=\"https://example.org/a?b=1&amp;c=2\" title=\"标题\" rel=\"nofollow "
            "noopener\">工会</a></p>\n");
  EXPECT_EQ(renderMarkdown("![封面](/media/7)"), "<p><img src=\"/media/7\" alt=\"封面\"></p>\n");
  EXPECT_EQ(renderMarkdown("[rel](../x#y)"), "<p><a href=\"../x#y\" rel=\"nofollow noopener\">rel</a></p>\n");
  EXPECT_EQ(renderMarkdown("[not a link] (x)"), "<p>[not a link] (x)</p>\n");
}

TEST(Markdown, CodeListsQuotesRules) {
  EXPECT_EQ(renderMarkdown("`a < b`"), "<p><code>a &lt; b</code></p>\n");
  EXPECT_EQ(renderMarkdown("```cpp\nint x = 1 < 2;\n<b>\n```"),
            "<pre><code class=\"language-cpp\">int x = 1 &lt; 2;\n&lt;b&gt;\n</code></pre>\n");
  EXPECT_EQ(renderMarkdown("- one\n- two\n  - nested\n- three"),
            "<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>nested</li>\n</ul></li>\n<li>three</li>\n</ul>\n");
  EXPECT_EQ(renderMarkdown("1. first\n2. second"), "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n");
  EXPECT_EQ(renderMarkdown("> quoted *text*\n> more"),
            "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>\n");
  EXPECT_EQ(renderMarkdown("a\n\n---\n\nb"), "<p>a</p>\n<hr>\n<p>b</p>\n");
  EXPECT_EQ(renderMarkdown("\\*not em\\*"), "<p>*not em*</p>\n");
}

TEST(MarkdownXss, RawHtmlIsText) {
  EXPECT_EQ(renderMarkdown("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
  EXPECT_EQ(renderMarkdown("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
  EXPECT_EQ(renderMarkdown("# <svg onload=alert(1)>"), "<h1>&lt;svg onload=alert(1)&gt;</h1>\n");
  const std::string html = renderMarkdown("- <iframe src=//evil>\n> <style>*{}</style>\n\n`</code><script>`");
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(MarkdownXss, ScriptUrlsAreDropped) {
  for (const char* src :
       {"[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x]( javascript:alert(1))", "[x](java\tscript:alert(1))",
        "[x](<javascript:alert(1)>)", "[x](file:///etc/passwd)"}) {
    EXPECT_EQ(renderMarkdown(src), "<p>x</p>\n") << src;
  }
  EXPECT_EQ(renderMarkdown("![alt](javascript:alert(1))"), "<p>alt</p>\n");
  EXPECT_EQ(renderMarkdown("![a\"b](data:image/svg+xml,<svg onload=alert(1)>)"), "<p>a&quot;b</p>\n");
  // an entity-encoded scheme stays text: the browser sees "&#106;..." as a relative path
  EXPECT_EQ(renderMarkdown("[x](&#106;avascript:alert(1))"),
            "<p><a href=\"&amp;#106;avascript:alert(1)\" rel=\"nofollow noopener\">x</a></p>\n");
}

TEST(MarkdownXss, AttributesCannotBeBrokenOutOf) {
  const std::string html = renderMarkdown("[x](https://a.example/\"onmouseover=\"alert(1) \"t'\")");
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos) << html;
  const std::string img = renderMarkdown("![\" onerror=\"alert(1)](/a.png)");
  EXPECT_EQ(img, "<p><img src=\"/a.png\" alt=\"&quot; onerror=&quot;alert(1)\"></p>\n");
}

TEST(MarkdownXss, UrlRules) {
  EXPECT_TRUE(isSafeUrl("https://example.org"));
  EXPECT_TRUE(isSafeUrl("HTTP://example.org"));
  EXPECT_TRUE(isSafeUrl("/a/b?c=d:e"));
  EXPECT_TRUE(isSafeUrl("page.html#x:y"));
  EXPECT_FALSE(isSafeUrl("javascript:alert(1)"));
  EXPECT_FALSE(isSafeUrl("mailto:a@b"));
  EXPECT_FALSE(isSafeUrl("java\nscript:alert(1)"));
  EXPECT_FALSE(isSafeUrl("\x01javascript:alert(1)"));
  EXPECT_FALSE(isSafeUrl(""));
}

TEST(MarkdownXss, HostileNestingAndSizeStayFast) {
  std::string deep(5000, '>');
  deep += " x";
  std::string stars;
  for (int i = 0; i < 20000; ++i) stars += "*a ";
  std::string brackets(50000, '[');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(renderMarkdown(deep).find("x"), std::string::npos);
  EXPECT_NE(renderMarkdown(stars).find("*a"), std::string::npos);
  EXPECT_EQ(renderMarkdown(brackets), "<p>" + brackets + "</p>\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace hub::cms::content
