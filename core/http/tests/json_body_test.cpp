// core/http/tests/json_body_test.cpp
//
// JSON bodies: valid ones parse, bad and too-deep ones become clear 400s.
#include "core/http/json_body.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

TEST(ParseJson, ParsesValid) {
  auto j = parseJson(R"({"a":[1,{"b":"]"}]})");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["a"][1]["b"], "]");
}

TEST(ParseJson, MalformedNamesWhere) {
  auto j = parseJson("{\"a\":");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code, "http.bad_json");
  EXPECT_NE(j.error().message.find("line 1"), std::string::npos) << j.error().message;
}

TEST(ParseJson, RefusesDeepNesting) {
  auto j = parseJson(std::string(1000, '[') + std::string(1000, ']'), JsonLimits{.maxDepth = 16});
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find("deeper than 16"), std::string::npos);
  EXPECT_TRUE(parseJson("[[[\"[[[[[[[[[[[[[[[[[[\"]]]", JsonLimits{.maxDepth = 3}));
}

TEST(BadJson, Is400WithErrorObject) {
  auto r = badJson(makeError("http.bad_json", "nope"));
  EXPECT_EQ(r.status, 400);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["error"]["code"], "bad_json");
  EXPECT_EQ(j["error"]["message"], "nope");
}

TEST(ResponseError, HasCodeAndMessage) {
  auto r = Response::error(404, "not_found", "no such stream");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headerValue("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "no such stream");
}

}  // namespace
}  // namespace hub::http
