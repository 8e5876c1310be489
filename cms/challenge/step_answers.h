// cms/challenge/step_answers.h
//
// The answers of step submissions and their idempotency (issue 7). The first answer to
// (credential, Idempotency-Key) is stored in cms_challenge_requests with a hash of the
// challenge id and the body, in the transaction that applies the report; a repeat with the same
// body gets that answer again (header Idempotent-Replayed: true), with another body 422
// "idempotency.conflict". An answer's JSON is written once: the same bytes are sent and stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cms/challenge/challenge_module.h"
#include "cms/challenge/day.h"
#include "core/sql/executor.h"

namespace hub::cms::challenge {

struct Submission;
struct TotalChange;

struct Answer {
  int status = 200;
  std::string text;
  std::string code;  // a refusal's error code, for the log
};

Answer answerOf(int status, const Json& body);
Answer answerOf(const ApiError& e);
Answer refused(int status, const std::string& code, const std::string& message,
               const std::string& field = "");
Reply replyOf(const Answer& a);

// A stored answer and the hash of the body it answered.
struct Prior {
  std::string hash;
  Answer answer;
};

// From a row with body_hash, status and response.
Prior priorOf(const sql::Row& r);
// The stored answer of (appId, key), if any.
Result<std::optional<Prior>> priorAnswer(sql::Executor& db, std::int64_t appId, const std::string& key);
// `p` again for a body hashed `hash`, or 422 idempotency.conflict for another body.
Reply replay(const Prior& p, const std::string& hash);

// The stored answer's row, for storeAnswers(); with the change of a total it made, if any
// (total_audit.h: the answer's row is then its audit row too).
sql::Params answerRow(const Submission& s, std::int64_t challengeId, Day day, const Answer& a,
                      std::int64_t now, const TotalChange* change = nullptr);
// The rows in one multi-row insert; a key stored before fails it (sql.constraint).
Status storeAnswers(sql::Executor& db, const std::vector<sql::Params>& rows);

}  // namespace hub::cms::challenge
