// tests/bench/challenge/challenge_import_bench.cpp
//
// The members' import benchmark (issue 7 item 1), driven by tests/bench/challenge_import.sh.
//   gen    --rows N --out DIR [--orgs 141000]
//          writes DIR/members.csv (member_no,name,org_id,phone: Chinese names, the members spread
//          over the grassroots organisations, 70% with a phone) and DIR/members_1pct.csv (the
//          same file with every 100th member renamed).
//   import --db URL --csv FILE --changed FILE [--orgs 141000]
//          migrates the empty database, imports the organisation tree (a province, 20 cities,
//          400 counties, grassroots organisations up to --orgs rows: tests/bench/support), then runs the
//          hub's MemberImport three times: the file into an empty table, the same file again (nothing to
//          write), then the 1% changed file. Prints one "result <name> <seconds> <rows>" line per run (the
//          script computes the ratios against LOAD DATA) and checks the counts.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cms/challenge/member_import.h"
#include "cms/cms_service.h"
#include "cms/org/org_import.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"
#include "core/sql/change_feed.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/util/clock.h"
#include "tests/bench/support/org_csv.h"

using namespace hub;
using namespace hub::cms;

namespace {

struct Args {
  std::string mode, db, csv, changed, out;
  std::int64_t rows = 200000, orgs = 141000;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}

// Deterministic Chinese names: a surname and one or two given-name characters.
const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                 "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                              "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华"};

std::string nameOf(std::uint64_t i, bool renamed) {
  std::uint64_t h = i * 0x9E3779B97F4A7C15ull;
  std::string n = kSurnames[(h >> 7) % 20];
  n += kGiven[(h >> 17) % 24];
  if ((h >> 29) % 3) n += kGiven[(h >> 37) % 24];
  if (renamed) n += "新";
  return n;
}

void gen(const Args& a) {
  const std::int64_t first = bench::firstUnionId({.rows = a.orgs, .cities = 20, .countiesPerCity = 20});
  const std::int64_t grassroots = a.orgs - first + 1;
  for (int pass = 0; pass < 2; ++pass) {
    const std::string path = a.out + (pass ? "/members_1pct.csv" : "/members.csv");
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) die("cannot write " + path);
    std::string buf = "member_no,name,org_id,phone\n";
    char line[160];
    for (std::int64_t i = 0; i < a.rows; ++i) {
      const auto u = static_cast<std::uint64_t>(i);
      const std::int64_t org = first + static_cast<std::int64_t>((u * 2654435761ull) % grassroots);
      const std::string name = nameOf(u, pass == 1 && i % 100 == 7);
      int n = (u * 7919) % 10 < 7
                  ? std::snprintf(line, sizeof line, "M%09lld,%s,%lld,139%08llu\n", static_cast<long long>(i),
                                  name.c_str(), static_cast<long long>(org),
                                  static_cast<unsigned long long>((u * 104729) % 100000000))
                  : std::snprintf(line, sizeof line, "M%09lld,%s,%lld,\n", static_cast<long long>(i),
                                  name.c_str(), static_cast<long long>(org));
      buf.append(line, static_cast<std::size_t>(n));
      if (buf.size() > (1 << 20)) {
        std::fwrite(buf.data(), 1, buf.size(), f);
        buf.clear();
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), f);
    std::fclose(f);
  }
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

org::ImportReport run(const char* label, sql::Database& db, const org::OrgTree& orgs, const std::string& csv,
                      const Clock& clock) {
  auto r = must(challenge::importMembers(db, orgs, csv, clock), label);
  if (!r.ok())
    die(std::string(label) + ": line " + std::to_string(r.problems[0].line) + ": " + r.problems[0].message);
  std::printf("result %s %.3f %zu created=%zu updated=%zu unchanged=%zu\n", label, r.seconds, r.rows,
              r.created, r.updated, r.unchanged);
  std::fflush(stdout);
  return r;
}

void import(const Args& a) {
  log::Settings logSettings;
  logSettings.level = "warn";
  log::configure(logSettings);
  SystemClock clock;
  auto db = must(sql::open(a.db, {}), "open");
  std::vector<sql::Migration> all = sql::coreMigrations();
  for (auto& m : hub::cms::migrations()) all.push_back(std::move(m));
  if (auto st = sql::migrate(*db, all); !st) die("migrate: " + st.error().message);
  auto orgReport =
      must(org::importCsv(*db, bench::orgCsv({.rows = a.orgs, .cities = 20, .countiesPerCity = 20}), clock),
           "org import");
  if (!orgReport.ok()) die("org import: " + orgReport.problems[0].message);
  std::printf("organisations: %zu imported in %.2f s\n", orgReport.rows, orgReport.seconds);
  org::OrgTree orgs(*db);
  if (auto st = orgs.reload(); !st) die("org reload: " + st.error().message);

  const std::string csv = readFile(a.csv);
  auto first = run("first", *db, orgs, csv, clock);
  if (first.created != first.rows) die("first import: not every row created");
  auto again = run("same", *db, orgs, csv, clock);
  if (again.unchanged != again.rows) die("same file: rows written");
  const std::string changed = readFile(a.changed);
  auto pct = run("changed", *db, orgs, changed, clock);
  const std::size_t expected = (pct.rows + 92) / 100;  // lines 7, 107, 207, ...
  if (pct.updated != expected || pct.created != 0)
    die("1% file: " + std::to_string(pct.updated) + " updated, expected " + std::to_string(expected));
  auto n = must(db->query("SELECT COUNT(*) AS n FROM cms_members"), "count");
  if (n[0].getInt("n") != static_cast<std::int64_t>(first.rows))
    die("cms_members count differs from the file");
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (argc > 1) a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--db")
      a.db = v;
    else if (k == "--csv")
      a.csv = v;
    else if (k == "--changed")
      a.changed = v;
    else if (k == "--out")
      a.out = v;
    else if (k == "--rows")
      a.rows = std::stoll(v);
    else if (k == "--orgs")
      a.orgs = std::stoll(v);
  }
  if (a.mode == "gen" && !a.out.empty()) {
    gen(a);
  } else if (a.mode == "import" && !a.db.empty() && !a.csv.empty() && !a.changed.empty()) {
    import(a);
  } else {
    std::fprintf(stderr,
                 "usage: %s gen --rows N --out DIR [--orgs N]\n"
                 "       %s import --db URL --csv FILE --changed FILE [--orgs N]\n",
                 argv[0], argv[0]);
    return 2;
  }
  return 0;
}
