// cms/challenge/step_answers.cpp
//
// The stored answers of step submissions (cms_challenge_requests) and their replay.
#include "cms/challenge/step_answers.h"

#include "cms/challenge/statement_widths.h"
#include "cms/challenge/step_batcher.h"
#include "cms/challenge/total_audit.h"
#include "core/http/response.h"

namespace hub::cms::challenge {

Answer answerOf(int status, const Json& body) {
  return Answer{status, body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

Answer answerOf(const ApiError& e) {
  Answer a = answerOf(e.status, e.body());
  a.code = e.code;
  return a;
}

Reply replyOf(const Answer& a) { return Reply::raw(http::Response(a.status, a.text, "application/json")); }

Answer refused(int status, const std::string& code, const std::string& message, const std::string& field) {
  ApiError e{status, code, message, {}, {}};
  if (!field.empty()) e.fields[field] = message;
  return answerOf(e);
}

Prior priorOf(const sql::Row& r) {
  return Prior{r.getString("body_hash"),
               Answer{static_cast<int>(r.getInt("status")), r.getString("response"), {}}};
}

Result<std::optional<Prior>> priorAnswer(sql::Executor& db, std::int64_t appId, const std::string& key) {
  auto rows = db.query(
      "SELECT body_hash, status, response FROM cms_challenge_requests WHERE app_id = ? AND idem_key = ?",
      {appId, key});
  if (!rows) return rows.error().wrap("idempotency");
  if (rows->empty()) return std::optional<Prior>();
  return std::optional<Prior>(priorOf((*rows)[0]));
}

Status storeAnswers(sql::Executor& db, const std::vector<sql::Params>& rows) {
  if (rows.empty()) return {};
  sql::Params params;
  for (const auto& r : rows) params.insert(params.end(), r.begin(), r.end());
  auto r = db.exec(
      "INSERT INTO cms_challenge_requests (app_id, idem_key, body_hash, challenge_id, day, status, response, "
      "created_at, member_id, actor_id, actor_name, peer, day_best, total_before, total_after, cause) "
      "VALUES " +
          placeholders(rows.size(), 16),
      params);
  if (!r) return r.error();
  return {};
}

sql::Params answerRow(const Submission& s, std::int64_t challengeId, Day day, const Answer& a,
                      std::int64_t now, const TotalChange* change) {
  sql::Params row{s.app.id,
                  s.key,
                  s.hash,
                  challengeId,
                  static_cast<std::int64_t>(day),
                  static_cast<std::int64_t>(a.status),
                  a.text,
                  now};
  row.reserve(16);
  appendChange(row, change);
  return row;
}

Reply replay(const Prior& p, const std::string& hash) {
  if (p.hash != hash)
    return ApiError{422, "idempotency.conflict", "this Idempotency-Key was used with another body", {}, {}};
  Reply r = replyOf(p.answer);
  r.header("Idempotent-Replayed", "true");
  return r;
}

}  // namespace hub::cms::challenge
