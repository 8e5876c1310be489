// cms/challenge/tests/challenge_api_batch_route_test.cpp
//
// The batch route, POST /api/v1/challenges/{id}/steps/batch: many reports in one request, each
// answered in `results` (in the request's order) as the single route answers it, with the same
// idempotency; the body's shape refused as a whole, a bad report refused alone.
#include "cms/challenge/step_submit.h"
#include "cms/challenge/tests/challenge_api_fixture.h"

namespace hub::cms::challenge {

void ChallengeApi::ManyReportsInOneRequest() {
  const auto cid = createChallenge();
  const auto app = createApp();
  const std::string path = "/api/v1/challenges/" + std::to_string(cid) + "/steps/batch";
  Json reports = Json::array({report("k1", "m1", today_, 7000), report("k2", "m2", today_ - 1, 40000),
                              report("k3", "m1", today_, 9000), Json{{"member_no", "m3"}},
                              report("k5", "m4", today_, -5), report("k6", "b1", today_, 1000),
                              report("k7", "m5", today_, 90000), Json::array()});
  auto first = submitBatchText(app.bearer, cid, Json{{"submissions", reports}}.dump());
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.header("cache-control"), "no-store");
  const Json& r = first.body["results"];
  ASSERT_EQ(r.size(), reports.size());
  auto expectItem = [&](std::size_t i, const char* key, int status, const char* state) {
    EXPECT_EQ(r[i]["idempotency_key"], key) << i;
    EXPECT_EQ(r[i]["status"], status) << r[i];
    EXPECT_FALSE(r[i].contains("replayed")) << r[i];
    if (status < 300)
      EXPECT_EQ(r[i]["body"]["status"], state) << r[i];
    else
      EXPECT_EQ(r[i]["body"]["error"]["code"], state) << r[i];
  };
  expectItem(0, "k1", 200, "counted");
  expectItem(1, "k2", 200, "counted");
  expectItem(2, "k3", 200, "counted");
  expectItem(3, "", 400, "idempotency.key_required");
  expectItem(4, "k5", 422, "steps.negative");
  expectItem(5, "k6", 403, "member.outside_scope");
  expectItem(6, "k7", 202, "held");
  expectItem(7, "", 400, "batch.bad_report");
  // Two reports of one member in a request see each other, in order; the cap holds.
  EXPECT_EQ(r[0]["body"]["total"], 7000);
  EXPECT_EQ(r[1]["body"]["total"], 30000);
  EXPECT_EQ(r[2]["body"]["total"], 9000);

  // The same batch again, spelt anew (keys in another order, spaces): every remembered answer
  // comes back as it was, marked replayed; the refusals before the batcher are refused again.
  std::string again = "{ \"submissions\" : [";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (i) again += " , ";
    std::string item;
    if (reports[i].is_object()) {
      item = "{";
      for (auto it = reports[i].rbegin(); it != reports[i].rend(); ++it)
        item += (item.size() > 1 ? ", " : "") + Json(it.key()).dump() + ": " + it.value().dump();
      item += "}";
    } else {
      item = reports[i].dump();
    }
    again += item;
  }
  again += "] }";
  auto second = submitBatchText(app.bearer, cid, again);
  ASSERT_EQ(second.status, 200) << second.text;
  for (std::size_t i : {0, 1, 2, 4, 5, 6}) {
    EXPECT_EQ(second.body["results"][i]["replayed"], true) << second.body["results"][i];
    EXPECT_EQ(second.body["results"][i]["body"], r[i]["body"]) << i;
    EXPECT_EQ(second.body["results"][i]["status"], r[i]["status"]) << i;
  }
  EXPECT_EQ(second.body["results"][3]["status"], 400);
  EXPECT_EQ(second.body["results"][7]["status"], 400);

  // A key with another report is refused, in a batch or alone; a key repeated inside one batch is
  // answered like a repeat. A report sent alone as the hub spells JSON is the same report in a batch.
  auto alone = steps(app, cid, "solo", "m6", today_, 5000);
  ASSERT_EQ(alone.status, 200) << alone.text;
  Json mixed = Json::array({report("k1", "m1", today_, 7100), report("k8", "m2", today_, 100),
                            report("k8", "m2", today_, 100), report("k8", "m2", today_, 200),
                            report("solo", "m6", today_, 5000)});
  auto third = submitBatchText(app.bearer, cid, Json{{"submissions", mixed}}.dump());
  ASSERT_EQ(third.status, 200) << third.text;
  const Json& t = third.body["results"];
  EXPECT_EQ(t[0]["status"], 422);
  EXPECT_EQ(t[0]["body"]["error"]["code"], "idempotency.conflict");
  EXPECT_EQ(t[1]["status"], 200);
  EXPECT_EQ(t[2]["status"], 200);
  EXPECT_EQ(t[2]["replayed"], true);
  EXPECT_EQ(t[2]["body"], t[1]["body"]);
  EXPECT_EQ(t[3]["status"], 422);
  EXPECT_EQ(t[3]["body"]["error"]["code"], "idempotency.conflict");
  EXPECT_EQ(t[4]["status"], 200);
  EXPECT_EQ(t[4]["replayed"], true);
  EXPECT_EQ(t[4]["body"], alone.body);

  // The request's shape is refused as a whole, and nothing of it is counted.
  auto refuse = [&](const std::string& text, int status, const char* code) {
    auto x = submitBatchText(app.bearer, cid, text);
    EXPECT_EQ(x.status, status) << text << " -> " << x.text;
    EXPECT_EQ(x.errorCode(), code) << text;
  };
  refuse("", 400, "batch.invalid");
  refuse("[]", 400, "batch.invalid");
  refuse(R"({"submissions":[]})", 400, "batch.invalid");
  refuse(R"({"submissions":{"idempotency_key":"z"}})", 400, "batch.invalid");
  auto& refusedCount = hub().ctx().base.metrics.counter("hub_cms_refused_total", "");
  const double refused0 = refusedCount.value();
  refuse(R"({"submissions":[)", 400, "bad_json");
  EXPECT_EQ(refusedCount.value() - refused0, 1);  // counted as the single route counts it
  Json many = Json::array();
  for (std::size_t i = 0; i <= kMaxBatchReports; ++i)
    many.push_back(report("many" + std::to_string(i), "m3", today_, 100));
  refuse(Json{{"submissions", many}}.dump(), 400, "batch.too_large");
  EXPECT_EQ(hub()
                .client()
                .request("POST", path, Json{{"submissions", mixed}}.dump(), "Authorization: Bearer x.y\r\n")
                .status,
            401);
  // An unknown challenge: each report is answered as alone (404), like any refusal of the batcher's.
  auto unknown = submitBatchText(
      app.bearer, cid + 1000,
      Json{{"submissions", {report("u1", "m1", today_, 100), report("u2", "m2", today_, 100)}}}.dump());
  ASSERT_EQ(unknown.status, 200) << unknown.text;
  for (const auto& x : unknown.body["results"])
    EXPECT_EQ(x["body"]["error"]["code"], "challenge.not_found") << x;

  // A full batch is answered whole, and SQL, the audit, the participants and the board agree.
  many.erase(many.end() - 1);
  auto full = submitBatchText(app.bearer, cid, Json{{"submissions", many}}.dump());
  ASSERT_EQ(full.status, 200) << full.text.substr(0, 200);
  ASSERT_EQ(full.body["results"].size(), kMaxBatchReports);
  for (const auto& x : full.body["results"]) EXPECT_EQ(x["status"], 200) << x;
  expectAgreed(cid, {{"m1", 9000}, {"m2", 30000 + 100}, {"m3", 100}, {"m6", 5000}});
}

}  // namespace hub::cms::challenge
