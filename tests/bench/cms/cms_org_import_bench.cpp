// tests/bench/cms/cms_org_import_bench.cpp
//
// The organisation import at its real size (141,000 rows by default), driven by
// tests/bench/cms_org_import.sh on SQLite and MariaDB: a first import, the same file again
// (nothing to write), every union renamed, a full file with one bad row at the end (refused,
// nothing applied), and the tree cache's reload. Peer, same run and database: the same rows
// (paths precomputed) written with plain multi-row INSERTs of 500 in one transaction, what the
// database alone costs for writing them. Prints the times and the ratio. Usage:
//   hub_cms_org_import_bench --db URL [--rows 141000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cms/org/org_import.h"
#include "cms/org/org_tree.h"
#include "core/log/log.h"
#include "core/sql/change_feed.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "tests/bench/support/org_csv.h"

using namespace hub;

namespace {

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

cms::org::ImportReport importOk(sql::Database& db, const std::string& csv, const char* what) {
  auto r = must(cms::org::importCsv(db, csv, SystemClock::instance()), what);
  if (!r.ok()) {
    std::fprintf(stderr, "%s: line %zu: %s\n", what, r.problems[0].line, r.problems[0].message.c_str());
    std::exit(1);
  }
  return r;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The peer: the same organisations straight into a table of the same shape.
double plainInsert(sql::Database& db, const bench::OrgCsvShape& shape) {
  must(db.exec("CREATE TABLE bench_orgs_peer (id BIGINT NOT NULL PRIMARY KEY, parent_id BIGINT NULL, name "
               "VARCHAR(200) NOT NULL, level INTEGER NOT NULL, path VARCHAR(400) NOT NULL, updated_at BIGINT "
               "NOT NULL)"),
       "create peer table");
  must(db.exec("CREATE INDEX bench_orgs_peer_path ON bench_orgs_peer (path)"), "peer index");
  must(db.exec("CREATE INDEX bench_orgs_peer_parent ON bench_orgs_peer (parent_id)"), "peer index");
  const std::int64_t firstCounty = 2 + shape.cities;
  auto row = [&](std::int64_t id, sql::Params& p) {
    if (id == 1) {
      p.insert(p.end(), {id, sql::Value(), "省总工会", 1, "/1/"});
    } else if (id < firstCounty) {
      p.insert(p.end(), {id, 1, "市总工会 " + std::to_string(id - 1), 2, "/1/" + std::to_string(id) + "/"});
    } else if (id < bench::firstUnionId(shape)) {
      std::int64_t city = 2 + (id - firstCounty) / shape.countiesPerCity;
      p.insert(p.end(), {id, city, "县总工会 " + std::to_string(id - firstCounty + 1), 3,
                         "/1/" + std::to_string(city) + "/" + std::to_string(id) + "/"});
    } else {
      std::int64_t county = bench::countyOfUnion(shape, id);
      std::int64_t city = 2 + (county - firstCounty) / shape.countiesPerCity;
      p.insert(p.end(), {id, county, "基层工会 " + std::to_string(id), 4,
                         "/1/" + std::to_string(city) + "/" + std::to_string(county) + "/" +
                             std::to_string(id) + "/"});
    }
  };
  auto t0 = std::chrono::steady_clock::now();
  Status st = db.transaction([&](sql::Transaction& tx) -> Status {
    for (std::int64_t start = 1; start <= shape.rows; start += 500) {
      std::int64_t end = std::min(shape.rows + 1, start + 500);
      std::string q = "INSERT INTO bench_orgs_peer (id, parent_id, name, level, path, updated_at) VALUES ";
      sql::Params p;
      for (std::int64_t id = start; id < end; ++id) {
        q += id == start ? "(?,?,?,?,?,0)" : ",(?,?,?,?,?,0)";
        row(id, p);
      }
      if (auto r = tx.exec(q, p); !r) return r.error();
    }
    return {};
  });
  if (!st) {
    std::fprintf(stderr, "peer insert: %s\n", st.error().message.c_str());
    std::exit(1);
  }
  return since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  bench::OrgCsvShape shape;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--db")
      url = v;
    else if (k == "--rows")
      shape.rows = std::stoll(v);
  }
  if (url.empty()) {
    std::fprintf(stderr, "usage: %s --db URL [--rows 141000]\n", argv[0]);
    return 2;
  }
  log::Settings logSettings;
  logSettings.level = "warn";
  log::configure(logSettings);
  auto db = must(sql::open(url, {.poolSize = 4}), "open");
  std::vector<sql::Migration> all = sql::coreMigrations();
  for (auto& m : cms::org::migrations()) all.push_back(m);
  if (Status st = sql::migrate(*db, all); !st) {
    std::fprintf(stderr, "migrate: %s\n", st.error().message.c_str());
    return 1;
  }
  const std::string backend(db->backend());
  const std::string csv = bench::orgCsv(shape);
  std::printf("[%s] %lld organisations, %.1f MB of CSV\n", backend.c_str(),
              static_cast<long long>(shape.rows), static_cast<double>(csv.size()) / 1e6);

  auto first = importOk(*db, csv, "first import");
  if (first.created != static_cast<std::size_t>(shape.rows)) {
    std::fprintf(stderr, "first import created %zu\n", first.created);
    return 1;
  }
  std::printf("[%s] import of %zu new organisations: %.2f s\n", backend.c_str(), first.created,
              first.seconds);

  auto again = importOk(*db, csv, "same file");
  std::printf("[%s] the same file again: %.2f s (%zu unchanged, %zu written)\n", backend.c_str(),
              again.seconds, again.unchanged, again.created + again.updated);

  auto renamed = importOk(*db, bench::orgCsv(shape, "工会 "), "renamed");
  std::printf("[%s] every union renamed: %.2f s (%zu updated)\n", backend.c_str(), renamed.seconds,
              renamed.updated);

  auto t0 = std::chrono::steady_clock::now();
  auto refused = must(
      cms::org::importCsv(*db, csv + "999999999,999999998,orphan,4\n", SystemClock::instance()), "bad file");
  double refusedS = since(t0);
  if (refused.ok()) {
    std::fprintf(stderr, "a file with an unknown parent was accepted\n");
    return 1;
  }
  std::printf("[%s] a full file with one bad last row refused (line %zu): %.2f s\n", backend.c_str(),
              refused.problems[0].line, refusedS);

  cms::org::OrgTree tree(*db);
  t0 = std::chrono::steady_clock::now();
  if (Status st = tree.reload(); !st) {
    std::fprintf(stderr, "reload: %s\n", st.error().message.c_str());
    return 1;
  }
  std::printf("[%s] tree cache reload: %zu organisations in %.2f s\n", backend.c_str(), tree.size(),
              since(t0));

  double peer = plainInsert(*db, shape);
  std::printf("[%s] peer: plain INSERTs of the same rows (500 per statement, one transaction): %.2f s\n",
              backend.c_str(), peer);
  std::printf("[%s] ratio first import / peer = %.2f\n", backend.c_str(),
              peer > 0 ? first.seconds / peer : 0.0);
  return 0;
}
