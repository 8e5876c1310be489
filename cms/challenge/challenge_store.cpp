// cms/challenge/challenge_store.cpp
//
// The challenge tables, the challenge row and the checks of its fields.
#include "cms/challenge/challenge_store.h"

#include <algorithm>

#include "cms/accounts/platform_limits.h"
#include "cms/org/org_tree.h"

namespace hub::cms::challenge {
namespace {

constexpr const char* kColumns =
    "id, org_id, name, description, cover_media_id, first_day, last_day, registration, daily_cap, "
    "qualify_steps, team_level, milestones, backfill_days, plausible_max, created_by, created_at, updated_at";

Challenge fromRow(const sql::Row& r) {
  Challenge c;
  c.id = r.getInt("id");
  c.orgId = r.getInt("org_id");
  c.name = r.getString("name");
  c.description = r.getString("description");
  if (!r.isNull("cover_media_id")) c.coverMediaId = r.getInt("cover_media_id");
  c.firstDay = static_cast<Day>(r.getInt("first_day"));
  c.lastDay = static_cast<Day>(r.getInt("last_day"));
  c.everyone = r.getString("registration") == "everyone";
  c.dailyCap = static_cast<int>(r.getInt("daily_cap"));
  c.qualifySteps = static_cast<int>(r.getInt("qualify_steps"));
  c.teamLevel = teamLevelFromName(r.getString("team_level")).value_or(TeamLevel::County);
  auto m = Json::parse(r.getString("milestones"), nullptr, false);
  if (m.is_array())
    for (const auto& v : m)
      if (v.is_number_integer()) c.milestones.push_back(v.get<std::int64_t>());
  c.backfillDays = static_cast<int>(r.getInt("backfill_days"));
  c.plausibleMax = static_cast<int>(r.getInt("plausible_max"));
  c.createdBy = r.getInt("created_by");
  c.createdAt = r.getInt("created_at");
  c.updatedAt = r.getInt("updated_at");
  return c;
}

sql::Params rowParams(const Challenge& c) {
  return {c.orgId,
          c.name,
          c.description,
          c.coverMediaId ? sql::Value(*c.coverMediaId) : sql::Value(),
          static_cast<std::int64_t>(c.firstDay),
          static_cast<std::int64_t>(c.lastDay),
          std::string(c.everyone ? "everyone" : "open"),
          static_cast<std::int64_t>(c.dailyCap),
          static_cast<std::int64_t>(c.qualifySteps),
          std::string(teamLevelName(c.teamLevel)),
          Json(c.milestones).dump(),
          static_cast<std::int64_t>(c.backfillDays),
          static_cast<std::int64_t>(c.plausibleMax)};
}

bool intIn(const Json& j, std::int64_t lo, std::int64_t hi) {
  return j.is_number_integer() && j.get<std::int64_t>() >= lo && j.get<std::int64_t>() <= hi;
}

}  // namespace

const char* teamLevelName(TeamLevel level) {
  switch (level) {
    case TeamLevel::City:
      return "city";
    case TeamLevel::County:
      return "county";
    case TeamLevel::Grassroots:
      return "grassroots";
  }
  return "county";
}

std::optional<TeamLevel> teamLevelFromName(std::string_view name) {
  if (name == "city") return TeamLevel::City;
  if (name == "county") return TeamLevel::County;
  if (name == "grassroots") return TeamLevel::Grassroots;
  return std::nullopt;
}

Rules Challenge::rules() const {
  Rules r;
  r.firstDay = firstDay;
  r.lastDay = lastDay;
  r.dailyCap = dailyCap;
  r.qualifyingSteps = qualifySteps;
  r.backfillDays = backfillDays;
  r.implausibleSteps = plausibleMax;
  r.absurdSteps = std::max(300000, plausibleMax);
  r.milestones = milestones;
  return r;
}

sql::Migration challengeTablesMigration() {
  sql::Migration m;
  m.component = "cms.challenge";
  m.version = 2;
  m.name = "challenges";
  const std::string common =
      "CREATE TABLE cms_challenge_participants (challenge_id BIGINT NOT NULL, member_id BIGINT NOT NULL,"
      " org_id BIGINT NOT NULL, joined_at BIGINT NOT NULL, total BIGINT NOT NULL DEFAULT 0,"
      " qualified_days INT NOT NULL DEFAULT 0, PRIMARY KEY (challenge_id, member_id))@;"
      "CREATE TABLE cms_challenge_days (challenge_id BIGINT NOT NULL, member_id BIGINT NOT NULL,"
      " day INT NOT NULL, best INT NOT NULL, updated_at BIGINT NOT NULL,"
      " PRIMARY KEY (challenge_id, member_id, day))@;"
      "CREATE INDEX cms_challenge_days_day ON cms_challenge_days (challenge_id, day);"
      "CREATE TABLE cms_challenge_requests (app_id BIGINT NOT NULL, idem_key VARCHAR(64) NOT NULL,"
      " body_hash CHAR(64) NOT NULL, challenge_id BIGINT NOT NULL, day INT NOT NULL, status INT NOT NULL,"
      " response TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (app_id, idem_key))@;"
      "CREATE INDEX cms_challenge_requests_day ON cms_challenge_requests (challenge_id, day);";
  const std::string sqlite =
      "CREATE TABLE cms_challenges (id INTEGER PRIMARY KEY AUTOINCREMENT, org_id BIGINT NOT NULL,"
      " name VARCHAR(200) NOT NULL, description TEXT NOT NULL, cover_media_id BIGINT NULL,"
      " first_day INT NOT NULL, last_day INT NOT NULL, registration VARCHAR(16) NOT NULL,"
      " daily_cap INT NOT NULL, qualify_steps INT NOT NULL, team_level VARCHAR(16) NOT NULL,"
      " milestones TEXT NOT NULL, backfill_days INT NOT NULL, plausible_max INT NOT NULL,"
      " created_by BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
      "CREATE TABLE cms_challenge_apps (id INTEGER PRIMARY KEY AUTOINCREMENT, org_id BIGINT NOT NULL,"
      " name VARCHAR(200) NOT NULL, secret_sealed TEXT NOT NULL, created_by BIGINT NOT NULL,"
      " created_at BIGINT NOT NULL, revoked_at BIGINT NULL);"
      "CREATE TABLE cms_challenge_held (id INTEGER PRIMARY KEY AUTOINCREMENT, challenge_id BIGINT NOT NULL,"
      " member_id BIGINT NOT NULL, day INT NOT NULL, steps INT NOT NULL, source VARCHAR(64) NOT NULL,"
      " state VARCHAR(16) NOT NULL, created_at BIGINT NOT NULL, decided_by BIGINT NULL, decided_at BIGINT "
      "NULL);";
  const std::string mysql =
      "CREATE TABLE cms_challenges (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, org_id BIGINT NOT NULL,"
      " name VARCHAR(200) NOT NULL, description TEXT NOT NULL, cover_media_id BIGINT NULL,"
      " first_day INT NOT NULL, last_day INT NOT NULL, registration VARCHAR(16) NOT NULL,"
      " daily_cap INT NOT NULL, qualify_steps INT NOT NULL, team_level VARCHAR(16) NOT NULL,"
      " milestones TEXT NOT NULL, backfill_days INT NOT NULL, plausible_max INT NOT NULL,"
      " created_by BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"
      " DEFAULT CHARSET=utf8mb4;"
      "CREATE TABLE cms_challenge_apps (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, org_id BIGINT NOT "
      "NULL,"
      " name VARCHAR(200) NOT NULL, secret_sealed TEXT NOT NULL, created_by BIGINT NOT NULL,"
      " created_at BIGINT NOT NULL, revoked_at BIGINT NULL) DEFAULT CHARSET=utf8mb4;"
      "CREATE TABLE cms_challenge_held (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
      " challenge_id BIGINT NOT NULL, member_id BIGINT NOT NULL, day INT NOT NULL, steps INT NOT NULL,"
      " source VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, created_at BIGINT NOT NULL,"
      " decided_by BIGINT NULL, decided_at BIGINT NULL, KEY cms_challenge_held_state (challenge_id, state))"
      " DEFAULT CHARSET=utf8mb4;";
  auto tables = [&](const std::string& suffix) {
    std::string out;
    for (char ch : common) {
      if (ch == '@')
        out += suffix;
      else
        out += ch;
    }
    return out;
  };
  m.sqlite = sqlite + tables("");
  m.mysql = mysql + tables(" DEFAULT CHARSET=utf8mb4");
  return m;
}

Json toJson(const Challenge& c) {
  return {{"id", c.id},
          {"org_id", c.orgId},
          {"name", c.name},
          {"description", c.description},
          {"cover_media_id", c.coverMediaId ? Json(*c.coverMediaId) : Json(nullptr)},
          {"start_date", formatDay(c.firstDay)},
          {"end_date", formatDay(c.lastDay)},
          {"registration", c.everyone ? "everyone" : "open"},
          {"daily_cap", c.dailyCap},
          {"qualify_steps", c.qualifySteps},
          {"team_level", teamLevelName(c.teamLevel)},
          {"milestones", c.milestones},
          {"backfill_days", c.backfillDays},
          {"plausible_max", c.plausibleMax},
          {"created_by", c.createdBy},
          {"created_at", c.createdAt},
          {"updated_at", c.updatedAt}};
}

void readChallenge(const Json& b, bool create, const org::OrgTree& orgs, Challenge& c,
                   std::map<std::string, std::string>& errors) {
  auto has = [&](const char* f) { return b.contains(f); };
  auto need = [&](const char* f) {
    if (create && !has(f)) errors[f] = "required";
    return has(f);
  };
  if (need("name")) {
    auto len = b["name"].is_string() ? accounts::utf8Length(b["name"].get<std::string>()) : std::nullopt;
    if (!len || *len == 0 || *len > 200)
      errors["name"] = "1 to 200 characters of UTF-8";
    else
      c.name = b["name"].get<std::string>();
  }
  if (has("description")) {
    if (!b["description"].is_string() || b["description"].get<std::string>().size() > 20000)
      errors["description"] = "text of at most 20000 bytes";
    else
      c.description = b["description"].get<std::string>();
  }
  if (has("cover_media_id")) {
    if (b["cover_media_id"].is_null())
      c.coverMediaId.reset();
    else if (!intIn(b["cover_media_id"], 1, INT64_MAX))
      errors["cover_media_id"] = "a media library id or null";
    else
      c.coverMediaId = b["cover_media_id"].get<std::int64_t>();
  }
  if (need("org_id")) {
    if (!b["org_id"].is_number_integer() || !orgs.exists(b["org_id"].get<std::int64_t>()))
      errors["org_id"] = "an existing organisation id";
    else
      c.orgId = b["org_id"].get<std::int64_t>();
  }
  for (const char* f : {"start_date", "end_date"}) {
    if (!need(f)) continue;
    auto d = b[f].is_string() ? parseDay(b[f].get<std::string>()) : std::nullopt;
    if (!d)
      errors[f] = "a date YYYY-MM-DD";
    else
      (std::string_view(f) == "start_date" ? c.firstDay : c.lastDay) = *d;
  }
  if (!errors.count("start_date") && !errors.count("end_date") && c.lastDay < c.firstDay)
    errors["end_date"] = "on or after start_date";
  if (has("registration")) {
    const auto& v = b["registration"];
    if (v != "open" && v != "everyone")
      errors["registration"] = "open or everyone";
    else
      c.everyone = v == "everyone";
  }
  if (has("team_level")) {
    auto level =
        b["team_level"].is_string() ? teamLevelFromName(b["team_level"].get<std::string>()) : std::nullopt;
    if (!level)
      errors["team_level"] = "grassroots, county or city";
    else
      c.teamLevel = *level;
  }
  struct IntField {
    const char* name;
    int* into;
    std::int64_t lo, hi;
  };
  for (const IntField& f : {IntField{"daily_cap", &c.dailyCap, 1, 1000000},
                            IntField{"qualify_steps", &c.qualifySteps, 0, 1000000},
                            IntField{"backfill_days", &c.backfillDays, 0, 366},
                            IntField{"plausible_max", &c.plausibleMax, 1, 1000000}}) {
    if (!has(f.name)) continue;
    if (!intIn(b[f.name], f.lo, f.hi))
      errors[f.name] = "a whole number from " + std::to_string(f.lo) + " to " + std::to_string(f.hi);
    else
      *f.into = static_cast<int>(b[f.name].get<std::int64_t>());
  }
  if (has("milestones")) {
    const auto& v = b["milestones"];
    std::vector<std::int64_t> ms;
    bool ok = v.is_array() && v.size() <= 20;
    if (ok)
      for (const auto& x : v) {
        if (!intIn(x, 1, std::int64_t{1} << 40) || (!ms.empty() && x.get<std::int64_t>() <= ms.back())) {
          ok = false;
          break;
        }
        ms.push_back(x.get<std::int64_t>());
      }
    if (!ok)
      errors["milestones"] = "at most 20 positive step totals, ascending";
    else
      c.milestones = ms;
  }
}

Result<std::optional<Challenge>> getChallenge(sql::Executor& db, std::int64_t id) {
  auto rows = db.query(std::string("SELECT ") + kColumns + " FROM cms_challenges WHERE id = ?", {id});
  if (!rows) return rows.error().wrap("challenge");
  if (rows->empty()) return std::optional<Challenge>();
  return std::optional<Challenge>(fromRow((*rows)[0]));
}

Result<std::int64_t> insertChallenge(sql::Executor& db, const Challenge& c) {
  auto params = rowParams(c);
  params.emplace_back(c.createdBy);
  params.emplace_back(c.createdAt);
  params.emplace_back(c.updatedAt);
  auto r = db.insert(
      "INSERT INTO cms_challenges (org_id, name, description, cover_media_id, first_day, last_day, "
      "registration, daily_cap, qualify_steps, team_level, milestones, backfill_days, plausible_max, "
      "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      params);
  if (!r) return r.error().wrap("challenge");
  return r->lastInsertId;
}

Status updateChallenge(sql::Executor& db, const Challenge& c) {
  auto params = rowParams(c);
  params.emplace_back(c.updatedAt);
  params.emplace_back(c.id);
  auto r = db.exec(
      "UPDATE cms_challenges SET org_id = ?, name = ?, description = ?, cover_media_id = ?, first_day = ?, "
      "last_day = ?, registration = ?, daily_cap = ?, qualify_steps = ?, team_level = ?, milestones = ?, "
      "backfill_days = ?, plausible_max = ?, updated_at = ? WHERE id = ?",
      params);
  if (!r) return r.error().wrap("challenge");
  return {};
}

std::int64_t teamAt(const org::OrgTree& orgs, std::int64_t orgId, TeamLevel level) {
  if (level == TeamLevel::Grassroots) return orgId;
  const std::string path = orgs.pathOf(orgId);  // "/1/5/77/"
  std::vector<std::int64_t> ids;
  std::int64_t cur = -1;
  for (char ch : path) {
    if (ch == '/') {
      if (cur >= 0) ids.push_back(cur);
      cur = 0;
    } else if (ch >= '0' && ch <= '9') {
      cur = cur * 10 + (ch - '0');
    }
  }
  const std::size_t depth = level == TeamLevel::City ? 2 : 3;
  return ids.size() >= depth ? ids[depth - 1] : 0;
}

}  // namespace hub::cms::challenge
