// cms/org/org_import.cpp
//
// CSV parsing, whole-file validation, path computation over the merged tree, batched upserts.
#include "cms/org/org_import.h"

#include <charconv>
#include <chrono>
#include <unordered_map>

#include "cms/org/org_tree.h"
#include "core/sql/change_feed.h"

namespace hub::cms::org {
namespace {

constexpr std::size_t kBatchRows = 500;

struct Node {
  std::int64_t parent = 0;
  std::string name;
  int level = 0;
  std::string path;     // computed
  std::string oldPath;  // in the database before ("" when new)
  std::int64_t oldParent = 0;
  std::string oldName;
  int oldLevel = 0;
  bool inFile = false;
  bool inDb = false;
  std::size_t line = 0;
};

// One CSV record from `text` at `pos` (RFC 4180: quotes, "" escapes, CRLF or LF). Sets
// `lines` to the number of line breaks consumed. False at the end of the input.
bool nextRecord(std::string_view text, std::size_t& pos, std::vector<std::string>& fields, std::size_t& lines,
                std::string& error) {
  fields.clear();
  lines = 0;
  if (pos >= text.size()) return false;
  std::string field;
  bool quoted = false, wasQuoted = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++lines;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !wasQuoted) {
      quoted = wasQuoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      wasQuoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
      ++lines;
      break;
    } else {
      field += c;
    }
  }
  if (quoted) error = "a quoted field is not closed";
  fields.push_back(std::move(field));
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

bool toInt(const std::string& s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

bool validUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

}  // namespace

Json ImportReport::toJson() const {
  Json p = Json::array();
  for (const auto& e : problems) p.push_back({{"line", e.line}, {"message", e.message}});
  return Json{{"rows", rows},
              {"created", created},
              {"updated", updated},
              {"unchanged", unchanged},
              {"paths_rewritten", pathsRewritten},
              {"problems", p},
              {"seconds", seconds}};
}

Result<ImportReport> importCsv(sql::Database& db, std::string_view csv, const Clock& clock) {
  const auto started = std::chrono::steady_clock::now();
  ImportReport report;
  std::size_t badLines = 0;
  auto problem = [&](std::size_t line, std::string message) {
    ++badLines;
    if (report.problems.size() < kMaxListedProblems) report.problems.push_back({line, std::move(message)});
  };
  if (csv.size() >= 3 && csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);

  std::size_t pos = 0, line = 1, lines = 0;
  std::vector<std::string> fields;
  std::string error;
  if (!nextRecord(csv, pos, fields, lines, error) || fields.size() != 4 || trim(fields[0]) != "id" ||
      trim(fields[1]) != "parent_id" || trim(fields[2]) != "name" || trim(fields[3]) != "level") {
    report.problems.push_back({1, "the first line must be the header id,parent_id,name,level"});
    return report;
  }
  line += lines;

  std::unordered_map<std::int64_t, Node> nodes;
  while (true) {
    error.clear();
    const std::size_t at = line;
    if (!nextRecord(csv, pos, fields, lines, error)) break;
    line += lines;
    if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // blank line
    ++report.rows;
    if (!error.empty()) {
      problem(at, error);
      continue;
    }
    if (fields.size() != 4) {
      problem(at, "expected 4 fields (id,parent_id,name,level), found " + std::to_string(fields.size()));
      continue;
    }
    std::int64_t id = 0, parent = 0, level = 0;
    std::string idText = trim(fields[0]), parentText = trim(fields[1]), name = trim(fields[2]),
                levelText = trim(fields[3]);
    if (!toInt(idText, id) || id <= 0) {
      problem(at, "id \"" + idText.substr(0, 32) + "\" is not a positive whole number");
      continue;
    }
    if (!parentText.empty() && (!toInt(parentText, parent) || parent < 0)) {
      problem(at, "parent_id \"" + parentText.substr(0, 32) + "\" is not a whole number");
      continue;
    }
    if (name.empty() || name.size() > 200 || !validUtf8(name)) {
      problem(at, "name must be 1 to 200 bytes of UTF-8");
      continue;
    }
    if (levelText.empty()) levelText = "0";
    if (!toInt(levelText, level) || level < 0 || level > 1000) {
      problem(at, "level \"" + levelText.substr(0, 32) + "\" is not a whole number 0..1000");
      continue;
    }
    if (parent == id) {
      problem(at, "organisation " + idText + " is its own parent");
      continue;
    }
    auto [it, fresh] = nodes.try_emplace(id);
    if (!fresh) {
      problem(at, "id " + idText + " appears again (first on line " + std::to_string(it->second.line) + ")");
      continue;
    }
    it->second.parent = parent;
    it->second.name = std::move(name);
    it->second.level = static_cast<int>(level);
    it->second.inFile = true;
    it->second.line = at;
  }
  if (report.rows == 0 && badLines == 0) problem(0, "the file has no organisations");

  std::optional<ImportReport> out;
  Status st = db.transaction([&](sql::Transaction& tx) -> Status {
    // Merge with what the database holds: a row may name a parent that is only there, and
    // descendants of a moved organisation get new paths.
    auto rows = tx.query("SELECT id, parent_id, name, level, path FROM cms_orgs");
    if (!rows) return rows.error();
    for (const auto& row : *rows) {
      auto [it, fresh] = nodes.try_emplace(row.getInt("id"));
      Node& n = it->second;
      n.inDb = true;
      n.oldParent = row.getInt("parent_id");
      n.oldName = row.getString("name");
      n.oldLevel = static_cast<int>(row.getInt("level"));
      n.oldPath = row.getString("path");
      if (fresh) {
        n.parent = n.oldParent;
        n.name = n.oldName;
        n.level = n.oldLevel;
      }
    }
    for (auto& [id, n] : nodes)
      if (n.inFile && n.parent != 0 && !nodes.count(n.parent))
        problem(n.line, "parent_id " + std::to_string(n.parent) + " is neither in the file nor in the tree");
    // Paths, walking up with memoisation; a walk that meets itself is a cycle.
    std::unordered_map<std::int64_t, int> state;  // 1: on the current walk, 2: done
    std::vector<std::int64_t> chain;
    for (auto& [start, unused] : nodes) {
      if (state[start] == 2) continue;
      chain.clear();
      std::int64_t cur = start;
      bool cycle = false;
      while (cur != 0 && state[cur] != 2) {
        if (state[cur] == 1) {
          cycle = true;
          break;
        }
        state[cur] = 1;
        chain.push_back(cur);
        auto it = nodes.find(cur);
        cur = it == nodes.end() ? 0 : it->second.parent;
        if (it != nodes.end() && it->second.parent != 0 && !nodes.count(it->second.parent)) cur = 0;
      }
      if (cycle) {
        for (auto id : chain) {
          state[id] = 2;
          if (nodes[id].inFile)
            problem(nodes[id].line, "organisation " + std::to_string(id) + " is in a parent cycle");
        }
        continue;
      }
      std::string base = cur == 0 ? "/" : nodes[cur].path;
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        Node& n = nodes[*it];
        n.path = base + std::to_string(*it) + "/";
        if (n.path.size() > 400)
          problem(n.line, "the tree is too deep at organisation " + std::to_string(*it));
        base = n.path;
        state[*it] = 2;
      }
    }
    if (badLines > 0) {
      if (report.problems.empty()) report.problems.push_back({0, "bad rows"});
      out = report;
      return makeError("org.import_refused", "bad rows");
    }
    // The rows to write.
    std::vector<std::int64_t> changed;
    for (const auto& [id, n] : nodes) {
      if (!n.inDb) {
        ++report.created;
        changed.push_back(id);
      } else if (n.parent != n.oldParent || n.name != n.oldName || n.level != n.oldLevel ||
                 n.path != n.oldPath) {
        if (n.inFile)
          ++report.updated;
        else
          ++report.pathsRewritten;
        changed.push_back(id);
      } else if (n.inFile) {
        ++report.unchanged;
      }
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count();
    const bool mysql = tx.backend() == "mysql";
    for (std::size_t i = 0; i < changed.size(); i += kBatchRows) {
      const std::size_t end = std::min(changed.size(), i + kBatchRows);
      std::string sql = "INSERT INTO cms_orgs (id, parent_id, name, level, path, updated_at) VALUES ";
      sql::Params params;
      params.reserve((end - i) * 6);
      for (std::size_t k = i; k < end; ++k) {
        const Node& n = nodes[changed[k]];
        sql += k == i ? "(?, ?, ?, ?, ?, ?)" : ",(?, ?, ?, ?, ?, ?)";
        params.emplace_back(changed[k]);
        params.emplace_back(n.parent == 0 ? sql::Value() : sql::Value(n.parent));
        params.emplace_back(n.name);
        params.emplace_back(n.level);
        params.emplace_back(n.path);
        params.emplace_back(now);
      }
      sql += mysql ? " ON DUPLICATE KEY UPDATE parent_id = VALUES(parent_id), name = VALUES(name),"
                     " level = VALUES(level), path = VALUES(path), updated_at = VALUES(updated_at)"
                   : " ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,"
                     " level = excluded.level, path = excluded.path, updated_at = excluded.updated_at";
      if (auto r = tx.exec(sql, params); !r) return r.error().wrap("org import");
    }
    if (!changed.empty()) {
      if (auto bumped = sql::bumpChange(tx, kTopic); !bumped) return bumped.error();
    }
    out = report;
    return {};
  });
  if (!st && !(out && !out->ok())) return st.error();
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!out->ok() && badLines > out->problems.size())
    out->problems.push_back({0, std::to_string(badLines) + " bad lines in all; the first " +
                                    std::to_string(kMaxListedProblems) + " are listed"});
  return std::move(*out);
}

}  // namespace hub::cms::org
