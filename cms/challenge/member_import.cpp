// cms/challenge/member_import.cpp
//
// The members table and the two-pass CSV import.
#include "cms/challenge/member_import.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <unordered_map>

#include "cms/accounts/csv.h"
#include "cms/challenge/challenge_store.h"
#include "cms/challenge/member_cache.h"
#include "cms/challenge/member_link.h"
#include "cms/challenge/total_audit.h"
#include "core/sql/change_feed.h"

namespace hub::cms::challenge {
namespace {

constexpr std::size_t kBatchRows = 1000;
constexpr std::size_t kMaxNameBytes = 64;

struct CsvMember {
  std::string memberNo, name, phone;
  std::int64_t orgId = 0;
  bool operator==(const CsvMember&) const = default;
};

bool validPhone(std::string_view p) {
  if (p.size() > 20) return false;
  return std::all_of(p.begin(), p.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-'; });
}

std::optional<std::int64_t> parseId(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The checks of one data row; "" when it is good.
std::string check(const accounts::CsvRow& row, std::size_t columns, const org::OrgTree& orgs,
                  std::unordered_map<std::int64_t, bool>& grassroots, CsvMember& out) {
  if (row.fields.size() != columns)
    return "expected " + std::to_string(columns) + " fields, found " + std::to_string(row.fields.size());
  out.memberNo = row.fields[0];
  out.name = row.fields[1];
  out.phone = columns == 4 ? row.fields[3] : "";
  if (!validMemberNo(out.memberNo)) return "member_no: 1 to 32 of A-Z, a-z, 0-9, '-', '_'";
  if (out.name.empty() || out.name.size() > kMaxNameBytes) return "name: 1 to 64 bytes";
  auto org = parseId(row.fields[2]);
  if (!org) return "org_id: a positive whole number";
  out.orgId = *org;
  auto [it, fresh] = grassroots.try_emplace(*org, false);
  if (fresh) it->second = orgs.exists(*org) && orgs.children(*org).empty();
  if (!it->second) return "org_id " + std::to_string(*org) + ": not a grassroots organisation";
  if (!validPhone(out.phone)) return "phone: up to 20 digits, '+' and '-'";
  return "";
}

// Applies one batch: reads what exists, writes what is new or changed.
Status applyBatch(sql::Database& db, std::vector<CsvMember>& batch, std::int64_t now, bool mysql,
                  org::ImportReport& report) {
  std::string select = "SELECT member_no, name, org_id, phone FROM cms_members WHERE member_no IN (";
  sql::Params keys;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    select += i ? ",?" : "?";
    keys.emplace_back(batch[i].memberNo);
  }
  auto rows = db.query(select + ")", keys);
  if (!rows) return rows.error().wrap("member import");
  std::unordered_map<std::string, CsvMember> existing;
  for (const auto& r : *rows)
    existing.emplace(r.getString("member_no"),
                     CsvMember{r.getString("member_no"), r.getString("name"),
                               r.isNull("phone") ? "" : r.getString("phone"), r.getInt("org_id")});
  std::string sql = "INSERT INTO cms_members (member_no, name, org_id, phone, updated_at) VALUES ";
  sql::Params params;
  std::size_t writes = 0;
  for (const auto& m : batch) {
    auto it = existing.find(m.memberNo);
    if (it != existing.end() && it->second == m) {
      ++report.unchanged;
      continue;
    }
    ++(it == existing.end() ? report.created : report.updated);
    sql += writes++ ? ",(?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)";
    params.emplace_back(m.memberNo);
    params.emplace_back(m.name);
    params.emplace_back(m.orgId);
    params.emplace_back(m.phone.empty() ? sql::Value() : sql::Value(m.phone));
    params.emplace_back(now);
  }
  batch.clear();
  if (writes == 0) return {};
  sql += mysql
             ? " ON DUPLICATE KEY UPDATE name = VALUES(name), org_id = VALUES(org_id), phone = VALUES(phone),"
               " updated_at = VALUES(updated_at)"
             : " ON CONFLICT (member_no) DO UPDATE SET name = excluded.name, org_id = excluded.org_id,"
               " phone = excluded.phone, updated_at = excluded.updated_at";
  if (auto r = db.exec(sql, params); !r) return r.error().wrap("member import");
  // Every hub forgets its cached members (member_cache.h).
  if (auto st = sql::bumpChange(db, MemberCache::kTopic); !st) return st.error().wrap("member import");
  return {};
}

}  // namespace

std::vector<sql::Migration> migrations() {
  sql::Migration m;
  m.component = "cms.challenge";
  m.version = 1;
  m.name = "members";
  m.sqlite =
      "CREATE TABLE cms_members (id INTEGER PRIMARY KEY AUTOINCREMENT, member_no VARCHAR(32) NOT NULL UNIQUE,"
      " name VARCHAR(64) NOT NULL, org_id BIGINT NOT NULL, phone VARCHAR(20) NULL, updated_at BIGINT NOT "
      "NULL);"
      "CREATE INDEX cms_members_org ON cms_members (org_id);";
  m.mysql =
      "CREATE TABLE cms_members (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
      " member_no VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
      " name VARCHAR(64) NOT NULL, org_id BIGINT NOT NULL, phone VARCHAR(20) NULL, updated_at BIGINT NOT "
      "NULL,"
      " UNIQUE KEY cms_members_no (member_no), KEY cms_members_org (org_id)) DEFAULT CHARSET=utf8mb4;";
  return {m, challengeTablesMigration(), totalAuditMigration(), answersCarryAuditMigration()};
}

Result<org::ImportReport> importMembers(sql::Database& db, const org::OrgTree& orgs, std::string_view csv,
                                        const Clock& clock) {
  const auto started = std::chrono::steady_clock::now();
  org::ImportReport report;
  std::unordered_map<std::int64_t, bool> grassroots;
  std::size_t columns = 0;
  std::size_t badLines = 0;
  std::vector<std::uint64_t> seen;  // hashes of member numbers, for repeats within the file
  auto problem = [&](std::size_t line, std::string message) {
    ++badLines;
    if (report.problems.size() < org::kMaxListedProblems)
      report.problems.push_back({line, std::move(message)});
  };
  // Pass 1: the header and every row.
  {
    accounts::CsvReader reader(csv);
    auto header = reader.next();
    if (!header) {
      report.problems.push_back({0, header.error().message});
      return report;
    }
    const std::vector<std::string> three = {"member_no", "name", "org_id"};
    const std::vector<std::string> four = {"member_no", "name", "org_id", "phone"};
    if (!*header || ((*header)->fields != three && (*header)->fields != four)) {
      report.problems.push_back({1, "the header must be member_no,name,org_id[,phone]"});
      return report;
    }
    columns = (*header)->fields.size();
    CsvMember m;
    for (;;) {
      auto row = reader.next();
      if (!row) {
        problem(0, row.error().message);
        break;
      }
      if (!*row) break;
      ++report.rows;
      if (auto why = check(**row, columns, orgs, grassroots, m); !why.empty()) problem((*row)->line, why);
      seen.push_back(std::hash<std::string>{}(m.memberNo));
    }
  }
  if (!report.ok()) {
    if (badLines > report.problems.size())
      report.problems.push_back({0, std::to_string(badLines) + " bad lines in all; the first " +
                                        std::to_string(org::kMaxListedProblems) + " are listed"});
    return report;
  }
  std::sort(seen.begin(), seen.end());
  const bool repeats = std::adjacent_find(seen.begin(), seen.end()) != seen.end();
  seen = {};
  // Pass 2: apply in batches. With repeats in the file, a batch keeps each number's last line.
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
  const bool mysql = db.backend() == "mysql";
  accounts::CsvReader reader(csv);
  (void)reader.next();  // the header
  std::vector<CsvMember> batch;
  std::unordered_map<std::string, std::size_t> inBatch;
  CsvMember m;
  for (;;) {
    auto row = reader.next();
    if (!row || !*row) break;
    (void)check(**row, columns, orgs, grassroots, m);
    if (repeats) {
      auto [it, fresh] = inBatch.try_emplace(m.memberNo, batch.size());
      if (!fresh) {
        batch[it->second] = m;
        ++report.unchanged;  // the earlier line of the same member: counted once
        continue;
      }
    }
    batch.push_back(m);
    if (batch.size() == kBatchRows) {
      if (auto st = applyBatch(db, batch, now, mysql, report); !st) return st.error();
      inBatch.clear();
    }
  }
  if (!batch.empty())
    if (auto st = applyBatch(db, batch, now, mysql, report); !st) return st.error();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace hub::cms::challenge
