#include "core/metrics/registry.h"

#include <gtest/gtest.h>

using hub::metrics::Registry;

TEST(Registry, RendersCountersWithLabelsInTextFormat) {
  Registry r;
  r.counter("hub_http_requests_total", "HTTP requests", {{"code", "200"}}).inc();
  r.counter("hub_http_requests_total", "HTTP requests", {{"code", "200"}}).inc(2);
  r.counter("hub_http_requests_total", "HTTP requests", {{"code", "404"}}).inc();
  auto text = r.render();
  EXPECT_NE(text.find("# TYPE hub_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("hub_http_requests_total{code=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("hub_http_requests_total{code=\"404\"} 1\n"), std::string::npos);
}

TEST(Registry, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("lat_seconds", "latency", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = r.render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum 5.55\n"), std::string::npos) << text;
}

TEST(Registry, GaugeFunctionsAreReadAtScrapeTime) {
  Registry r;
  double v = 1;
  r.gaugeFn("hub_bus_up", "bus reachable", [&] { return v; });
  EXPECT_NE(r.render().find("hub_bus_up 1\n"), std::string::npos);
  v = 0;
  EXPECT_NE(r.render().find("hub_bus_up 0\n"), std::string::npos);
}

TEST(Registry, EscapesLabelValues) {
  Registry r;
  r.gauge("g", "h", {{"path", "a\"b\\c"}}).set(2);
  EXPECT_NE(r.render().find("g{path=\"a\\\"b\\\\c\"} 2\n"), std::string::npos);
}
