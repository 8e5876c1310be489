// cms/challenge/step_batcher.cpp
//
// Step submissions applied in batches (group commit); one at a time, the fallback, in
// step_report.cpp.
//
// Idempotency (step_answers.h): answers 401, 429 and 5xx are not stored (the app retries).
#include "cms/challenge/step_batcher.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "cms/api/time.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/statement_widths.h"
#include "cms/challenge/step_answers.h"
#include "cms/challenge/step_apply.h"
#include "cms/challenge/step_report.h"
#include "cms/challenge/total_audit.h"
#include "core/http/response_batch.h"
#include "core/log/log.h"
#include "core/loop/thread_name.h"
#include "core/sql/errors.h"

namespace hub::cms::challenge {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.challenge");
  return log;
}

}  // namespace

StepBatcher::StepBatcher(Module& m, unsigned threads, std::size_t maxBatch)
    : m_(m),
      maxBatch_(maxBatch),
      batches_(m.ctx.base.metrics.counter("hub_challenge_step_batches_total",
                                          "Step submission batches taken by the group commit")),
      reports_(m.ctx.base.metrics.counter("hub_challenge_step_batch_reports_total",
                                          "Step submissions taken in those batches")),
      keyConflicts_(m.ctx.base.metrics.counter(
          "hub_challenge_step_batch_key_conflicts_total",
          "Batches applied again with their Idempotency-Keys read first (a key was stored before)")),
      stages_(m.ctx.base.metrics),
      gather_(threads <= 1),
      settled_(std::chrono::steady_clock::now()) {
  finisher_ = hub::loop::namedThread("hub-steps-done", [this] { runFinisher(); });
  for (unsigned i = 0; i < std::max(threads, 1u); ++i)
    threads_.push_back(hub::loop::namedThread("hub-steps", [this] { run(); }));
}

StepBatcher::~StepBatcher() { stop(); }

void StepBatcher::submit(Submission s) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(s));
      if (waiting_ > 0 && queue_.size() >= wakeAt_) cv_.notify_one();
      return;
    }
  }
  s.done(ApiError{503, "unavailable", "the server is stopping", {}, {}});
}

void StepBatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  {
    std::lock_guard lock(finMu_);
    finStopping_ = true;
  }
  finCv_.notify_all();
  if (finisher_.joinable()) finisher_.join();
}

void StepBatcher::run() {
  using Steady = std::chrono::steady_clock;
  std::size_t last = 0;  // this thread's last batch
  BatchStages stages = stages_;
  for (;;) {
    std::vector<Submission> batch;
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
      stages.start();
      const std::size_t whole = std::min(last, maxBatch_);
      if (gather_ && !stopping_ && whole > 1 && queue_.size() < whole) {
        // Up to kGather after the first arrival or after the finisher answered the batches it
        // holds, whichever is later: their clients come back only after their answers.
        wakeAt_ = whole;
        auto until = Steady::now() + kGather;
        while (!stopping_ && queue_.size() < whole) {
          if (unanswered_ > 0) {
            cv_.wait(lock);
            until = std::max(until, Steady::now() + kGather);
          } else if (cv_.wait_until(lock, until) == std::cv_status::timeout) {
            break;
          }
        }
        wakeAt_ = 1;
      }
      --waiting_;
      if (stopping_ && queue_.empty()) break;
      while (!queue_.empty() && batch.size() < maxBatch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    last = batch.size();
    if (!batch.empty()) {
      stages.mark(Stage::Gather);
      batches_.inc();
      reports_.inc(static_cast<double>(batch.size()));
      bool checkKeys = false;
      for (int n = checkedBatches_.load(); n > 0 && !checkKeys;)
        checkKeys = checkedBatches_.compare_exchange_weak(n, n - 1);
      process(batch, checkKeys, stages);
    }
  }
}

namespace {

enum class Kind { Answered, Follows, Refused, Held, Accepted };

struct Item {
  Kind kind = Kind::Answered;
  std::size_t leader = 0;  // Follows: the earlier item with the same key
  Checked k;
  Answer answer;
  Applied applied;
};

// A participant's row, then a day's best, as the batch goes.
struct Participant {
  std::int64_t total = 0;
  int qualifiedDays = 0;
  bool exists = false, write = false;
  std::int64_t orgId = 0;
};
struct DayBest {
  int best = 0;
  bool write = false;
};

// The replies of a committed batch, each HTTP loop woken once for the whole batch.
void answer(std::vector<Submission>& batch, std::vector<Item>& items) {
  http::ResponseBatch handOver;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& it = items[i];
    auto& s = batch[i];
    switch (it.kind) {
      case Kind::Answered:
        break;
      case Kind::Follows: {
        const auto& lead = items[it.leader];
        if (lead.kind == Kind::Answered)
          s.done(replyOf(lead.answer));
        else
          s.done(replay(Prior{batch[it.leader].hash, lead.answer}, s.hash));
        break;
      }
      case Kind::Refused:
        logRefusal(s, it.answer);
        s.done(replyOf(it.answer));
        break;
      case Kind::Held:
        s.done(replyOf(it.answer));
        break;
      case Kind::Accepted:
        s.done(replyOf(it.answer));
        break;
    }
  }
}

}  // namespace

struct StepBatcher::Finished {
  std::vector<Submission> batch;
  std::vector<Item> items;
  std::vector<std::pair<std::shared_ptr<const Challenge>, std::vector<Boards::Fed>>> fed;
};

void StepBatcher::finish(std::unique_ptr<Finished> f) {
  std::unique_lock lock(finMu_);
  finRoomCv_.wait(lock, [&] { return finished_.size() < 2; });
  finished_.push_back(std::move(f));
  finCv_.notify_one();
}

void StepBatcher::runFinisher() {
  using Steady = std::chrono::steady_clock;
  BatchStages stages = stages_;
  for (;;) {
    std::unique_ptr<Finished> f;
    {
      std::unique_lock lock(finMu_);
      finCv_.wait_for(lock, std::chrono::seconds(1), [&] { return finStopping_ || !finished_.empty(); });
      if (finished_.empty() && finStopping_) break;
      if (!finished_.empty()) {
        f = std::move(finished_.front());
        finished_.pop_front();
        finRoomCv_.notify_all();
      }
    }
    stages.start();
    if (f) {
      for (const auto& [c, list] : f->fed)
        if (auto st = m_.boards.feed(*c, list); !st)
          logger()->warn("[challenge={}] boards (batch of {}): {}", c->id, list.size(), st.error().message);
      stages.mark(Stage::Feed);
      answer(f->batch, f->items);
      stages.mark(Stage::Answer);
      {
        std::lock_guard lock(mu_);
        --unanswered_;
      }
      cv_.notify_all();
    }
    if (Steady::now() - settled_ >= std::chrono::seconds(1)) {
      settled_ = Steady::now();
      if (auto st = m_.boards.settle(); !st) logger()->warn("boards (average, rate): {}", st.error().message);
      stages.mark(Stage::Settle);
    }
  }
}

void StepBatcher::process(std::vector<Submission>& batch, bool checkKeys, BatchStages& stages) {
  CmsContext& ctx = m_.ctx;
  auto& db = ctx.base.db;
  const auto now = nowSeconds(ctx.base.clock);
  auto fallback = [&](const Error& e) {
    logger()->info("step batch of {} applied one by one: {}", batch.size(), e.message);
    for (auto& s : batch) s.done(submitOne(m_, s));
  };

  // Reads outside the transaction: challenges, prior answers, members.
  std::map<std::int64_t, Result<std::shared_ptr<const Challenge>>> challenges;
  std::map<std::int64_t, std::set<std::string>> keysByApp;
  std::set<std::string> numbers;
  for (const auto& s : batch) {
    if (!challenges.count(s.challengeId))
      challenges.emplace(s.challengeId, m_.challenges.get(db, s.challengeId));
    keysByApp[s.app.id].insert(s.key);
    if (s.body.is_object() && s.body.contains("member_no") && s.body["member_no"].is_string() &&
        validMemberNo(s.body["member_no"].get<std::string>()))
      numbers.insert(s.body["member_no"].get<std::string>());
  }
  std::map<std::pair<std::int64_t, std::string>, Prior> priors;
  if (checkKeys)
    for (const auto& [app, keys] : keysByApp) {
      sql::Params params{app};
      params.insert(params.end(), keys.begin(), keys.end());
      const std::size_t width = paddedWidth(keys.size());
      params.resize(1 + width, sql::Value(params[1]));
      auto rows = db.query(
          "SELECT idem_key, body_hash, status, response FROM cms_challenge_requests WHERE app_id = ? AND "
          "idem_key IN " +
              placeholders(1, width),
          params);
      if (!rows) return fallback(rows.error());
      for (const auto& r : *rows) priors[{app, r.getString("idem_key")}] = priorOf(r);
    }
  auto found = m_.members.lookup(db, std::vector<std::string>(numbers.begin(), numbers.end()));
  if (!found) return fallback(found.error());
  const std::map<std::string, Member>& members = *found;
  const FindMember findMem = [&](const std::string& no) -> Result<std::optional<Member>> {
    auto it = members.find(no);
    if (it == members.end()) return std::optional<Member>();
    return std::optional<Member>(it->second);
  };

  // Each request's fate, in arrival order.
  std::vector<Item> items(batch.size());
  std::map<std::pair<std::int64_t, std::string>, std::size_t> firstOfKey;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& s = batch[i];
    auto& it = items[i];
    const auto key = std::make_pair(s.app.id, s.key);
    if (auto p = priors.find(key); p != priors.end()) {
      s.done(replay(p->second, s.hash));
      continue;
    }
    if (auto f = firstOfKey.find(key); f != firstOfKey.end()) {
      it.kind = Kind::Follows;
      it.leader = f->second;
      continue;
    }
    firstOfKey[key] = i;
    if (auto no = check(m_, s.app, challenges.at(s.challengeId), s.body, findMem, it.k)) {
      it.answer = *no;
      it.kind = no->status >= 500 ? Kind::Answered : Kind::Refused;
      if (it.kind == Kind::Answered) s.done(replyOf(*no));
      continue;
    }
    it.kind = it.k.verdict == Verdict::Hold ? Kind::Held : Kind::Accepted;
  }
  stages.mark(Stage::Read);

  Status st = db.transaction([&](sql::Transaction& tx) -> Status {
    stages.mark(Stage::Begin);
    const bool mysql = tx.backend() == "mysql";
    // The participants (locked) and days of the accepted reports, per challenge.
    std::map<std::pair<std::int64_t, std::int64_t>, Participant> parts;
    std::map<std::tuple<std::int64_t, std::int64_t, Day>, DayBest> days;
    std::map<std::int64_t, std::pair<std::set<std::int64_t>, std::set<Day>>> wanted;
    for (const auto& it : items)
      if (it.kind == Kind::Accepted) {
        wanted[it.k.c->id].first.insert(it.k.mem.id);
        wanted[it.k.c->id].second.insert(it.k.day);
      }
    // One read per challenge: the participants (locked) with their days of this batch (a day row
    // never exists without its participant: participants are never deleted).
    for (const auto& [cid, w] : wanted) {
      // Both lists padded to fixed widths (a value repeated): the statement's text repeats.
      const std::size_t dw = paddedWidth(w.second.size()), mw = paddedWidth(w.first.size());
      sql::Params params;
      for (Day d : w.second) params.emplace_back(static_cast<std::int64_t>(d));
      params.resize(dw, sql::Value(params[0]));
      params.emplace_back(cid);
      params.insert(params.end(), w.first.begin(), w.first.end());
      params.resize(dw + 1 + mw, sql::Value(params[dw + 1]));
      auto rows = tx.query(
          "SELECT p.member_id, p.total, p.qualified_days, d.day, d.best FROM cms_challenge_participants p "
          "LEFT JOIN cms_challenge_days d ON d.challenge_id = p.challenge_id AND d.member_id = p.member_id "
          "AND d.day IN " +
              placeholders(1, dw) + " WHERE p.challenge_id = ? AND p.member_id IN " + placeholders(1, mw) +
              (mysql ? " FOR UPDATE" : ""),
          params);
      if (!rows) return rows.error().wrap("participants");
      for (const auto& r : *rows) {
        parts[{cid, r.getInt("member_id")}] =
            Participant{r.getInt("total"), static_cast<int>(r.getInt("qualified_days")), true, false, 0};
        if (!r.isNull("day"))
          days[{cid, r.getInt("member_id"), static_cast<Day>(r.getInt("day"))}] =
              DayBest{static_cast<int>(r.getInt("best")), false};
      }
    }
    stages.mark(Stage::Lock);
    // Apply in order, in memory; collect the rows to write.
    std::vector<sql::Params> answers;
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto& it = items[i];
      const auto& s = batch[i];
      if (it.kind == Kind::Refused) answers.push_back(answerRow(s, s.challengeId, 0, it.answer, now));
      if (it.kind == Kind::Held) {
        auto h = hold(tx, it.k, now);
        if (!h) return h.error();
        it.answer = *h;
        answers.push_back(answerRow(s, it.k.c->id, it.k.day, it.answer, now));
      }
      if (it.kind != Kind::Accepted) continue;
      const auto& k = it.k;
      auto& p = parts[{k.c->id, k.mem.id}];
      auto& d = days[{k.c->id, k.mem.id, k.day}];
      Applied& a = it.applied;
      a = Applied{};
      if (!p.exists) {
        a.joined = true;
        p.exists = p.write = true;
        p.orgId = k.mem.orgId;
      }
      a.totalBefore = a.totalAfter = p.total;
      a.qualifiedDays = p.qualifiedDays;
      a.before = a.after = d.best;
      if (k.steps > a.before) {
        const Rules rules = k.c->rules();
        a.after = k.steps;
        a.countedDelta = countedSteps(rules, a.after) - countedSteps(rules, a.before);
        a.totalAfter = a.totalBefore + a.countedDelta;
        if (a.before < rules.qualifyingSteps && a.after >= rules.qualifyingSteps) ++a.qualifiedDays;
        for (auto ms : rules.milestones)
          if (a.totalBefore < ms && a.totalAfter >= ms) a.milestonesReached.push_back(ms);
        d.best = a.after;
        d.write = true;
        p.total = a.totalAfter;
        p.qualifiedDays = a.qualifiedDays;
        p.write = true;
      }
      it.answer = answerOf(200, appliedJson(*k.c, k.mem, k.day, a));
      // The answer's row is the change's audit row too (total_audit.h).
      std::optional<TotalChange> change;
      if (a.countedDelta != 0)
        change = totalChange(appActor(s.app, s.peer), k.c->id, k.mem.id, k.day, a.after, a.totalBefore,
                             a.totalAfter, "app " + std::to_string(s.app.id) + " report");
      answers.push_back(answerRow(s, k.c->id, k.day, it.answer, now, change ? &*change : nullptr));
    }
    stages.mark(Stage::Apply);
    // Writes: days, participants, answers (with the audit rows); a multi-row statement each.
    sql::Params dp, pp;
    std::size_t dn = 0, pn = 0;
    for (const auto& [key, d] : days)
      if (d.write) {
        ++dn;
        dp.insert(dp.end(), std::initializer_list<sql::Value>{std::get<0>(key), std::get<1>(key),
                                                              static_cast<std::int64_t>(std::get<2>(key)),
                                                              static_cast<std::int64_t>(d.best), now});
      }
    if (dn > 0) {
      // Padded with copies of the first row (the same values again: a no-op update).
      const std::size_t dw = paddedWidth(dn);
      const sql::Params first(dp.begin(), dp.begin() + 5);
      for (std::size_t i = dn; i < dw; ++i) dp.insert(dp.end(), first.begin(), first.end());
      dn = dw;
      auto r =
          tx.exec("INSERT INTO cms_challenge_days (challenge_id, member_id, day, best, updated_at) VALUES " +
                      placeholders(dn, 5) +
                      (mysql ? " ON DUPLICATE KEY UPDATE best = VALUES(best), updated_at = VALUES(updated_at)"
                             : " ON CONFLICT (challenge_id, member_id, day) DO UPDATE SET best = "
                               "excluded.best, updated_at = excluded.updated_at"),
                  dp);
      if (!r) return r.error().wrap("days");
    }
    stages.mark(Stage::Days);
    for (const auto& [key, p] : parts)
      if (p.write) {
        ++pn;
        pp.insert(pp.end(), std::initializer_list<sql::Value>{key.first, key.second, p.orgId, now, p.total,
                                                              static_cast<std::int64_t>(p.qualifiedDays)});
      }
    if (pn > 0) {
      // New participants are inserted with their org; existing rows keep org and joined_at. Padded
      // with copies of the first row, like the days.
      const std::size_t pw = paddedWidth(pn);
      const sql::Params first(pp.begin(), pp.begin() + 6);
      for (std::size_t i = pn; i < pw; ++i) pp.insert(pp.end(), first.begin(), first.end());
      pn = pw;
      auto r = tx.exec(
          "INSERT INTO cms_challenge_participants (challenge_id, member_id, org_id, joined_at, total, "
          "qualified_days) VALUES " +
              placeholders(pn, 6) +
              (mysql
                   ? " ON DUPLICATE KEY UPDATE total = VALUES(total), qualified_days = VALUES(qualified_days)"
                   : " ON CONFLICT (challenge_id, member_id) DO UPDATE SET total = excluded.total, "
                     "qualified_days = excluded.qualified_days"),
          pp);
      if (!r) return r.error().wrap("participants");
    }
    stages.mark(Stage::Participants);
    auto stored = storeAnswers(tx, answers);
    stages.mark(Stage::Answers);
    return stored;
  });
  if (!st) {
    std::vector<Submission> rest;
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (items[i].kind != Kind::Answered) rest.push_back(std::move(batch[i]));
    batch = std::move(rest);
    if (!checkKeys && st.error().code == sql::errc::kConstraint) {
      // A key stored before (an app's retry): nothing of this batch was written. Again with the
      // keys read first; the next batches read theirs too, as retries tend to come in runs.
      keyConflicts_.inc();
      checkedBatches_ = 64;
      return process(batch, true, stages);
    }
    return fallback(st.error());
  }
  stages.mark(Stage::Commit);

  // Committed: the finisher feeds the boards, then answers.
  std::map<std::int64_t, std::vector<Boards::Fed>> fed;
  for (const auto& it : items)
    if (it.kind == Kind::Accepted && (it.applied.countedDelta != 0 || it.applied.joined))
      fed[it.k.c->id].push_back(
          Boards::Fed{it.k.mem.id, it.k.mem.orgId, it.k.day, it.applied.countedDelta, it.applied.joined});
  auto done = std::make_unique<Finished>();
  for (auto& [cid, list] : fed)
    if (const auto& got = challenges.at(cid); got && *got) done->fed.emplace_back(*got, std::move(list));
  {
    std::lock_guard lock(mu_);
    ++unanswered_;
  }
  done->batch = std::move(batch);
  done->items = std::move(items);
  finish(std::move(done));
}

}  // namespace hub::cms::challenge
