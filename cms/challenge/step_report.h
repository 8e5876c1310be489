// cms/challenge/step_report.h
//
// One step report: the checks before any write, the held report's row, and a submission applied
// alone in its own transaction (the fallback of a failed batch). The batcher (step_batcher.h)
// runs the same checks and holds for each report of a batch.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cms/challenge/member_cache.h"
#include "cms/challenge/scoring.h"
#include "cms/challenge/step_answers.h"
#include "cms/challenge/step_batcher.h"

namespace hub::cms::challenge {

using FindMember = std::function<Result<std::optional<Member>>(const std::string&)>;

// What check() found out about an acceptable report.
struct Checked {
  std::shared_ptr<const Challenge> c;
  Member mem;
  Day day = 0;
  int steps = 0;
  std::string source, holdMessage;
  Verdict verdict = Verdict::Accept;
};

// The checks before any write: an Answer when the report is refused.
std::optional<Answer> check(Module& m, const App& app, const Result<std::shared_ptr<const Challenge>>& got,
                            const Json& b, const FindMember& findMem, Checked& out);

// The actor an app credential's reports are audited as.
auth::Actor appActor(const App& app, const std::string& peer);

void logRefusal(const Submission& s, const Answer& a);

// The held report's row and its answer.
Result<Answer> hold(sql::Executor& tx, const Checked& k, std::int64_t now);

// One submission alone in its own transaction (the fallback of a failed batch).
Reply submitOne(Module& m, const Submission& s);

}  // namespace hub::cms::challenge
