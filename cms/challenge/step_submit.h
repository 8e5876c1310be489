// cms/challenge/step_submit.h
//
// What the two step submission routes share: POST /api/v1/challenges/:id/steps (one report, its
// Idempotency-Key in a header) and POST /api/v1/challenges/:id/steps/batch (up to
// kMaxBatchReports reports, each with its own key, answered together in one reply, each as the
// single route would answer it). Both queue their reports on the same StepBatcher.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cms/challenge/challenge_module.h"
#include "core/http/request.h"
#include "core/http/response.h"
#include "core/http/server.h"
#include "core/metrics/registry.h"

namespace hub::cms::challenge {

class StepBatcher;

inline constexpr std::size_t kMaxBatchReports = 500;

// 1 to 64 visible ASCII characters.
bool validIdempotencyKey(std::string_view key);
// What a stored answer keeps of the request it answered: the challenge and the body's bytes.
std::string bodyHash(std::int64_t challengeId, std::string_view bytes);
// The path's challenge id: a positive decimal int64 (nullopt: 404).
std::optional<std::int64_t> parseChallengeId(std::string_view text);

// A Reply as sent (Cache-Control, the error counter).
using Finish = std::function<http::Response(const Reply&)>;

// The batch route after the app credential was accepted: the body's shape, the rate limit (one
// per report), each report's key, then every report onto `batcher`; `res` gets
// {"results": [...]} once the last report is answered.
// `refused` counts the requests refused before the batcher (bad JSON), as the single route does.
void submitBatch(Module& m, StepBatcher& batcher, const http::Request& req, const http::Responder& res,
                 const App& app, const Finish& finish, metrics::Counter& refused);

}  // namespace hub::cms::challenge
