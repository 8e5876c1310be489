// app/cms_cli.cpp
#include "app/cms_cli.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/serve.h"
#include "app/services.h"
#include "cms/audit/audit_log.h"
#include "cms/auth/user_store.h"
#include "cms/challenge/member_import.h"
#include "cms/org/org_import.h"
#include "cms/org/org_tree.h"
#include "core/sql/migration.h"

namespace hub::app {
namespace {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "hub: %s\n", message.c_str());
  return code;
}

std::string option(const Invocation& inv, const std::string& name) {
  for (const auto& [k, v] : inv.cmsOptions)
    if (k == name) return v;
  return {};
}

cms::auth::Actor cliActor() {
  cms::auth::Actor a;
  a.username = "cli";
  a.peer = "cli";
  return a;
}

// One line from the terminal without echo.
std::string askHidden(const char* prompt) {
  std::fprintf(stderr, "%s", prompt);
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  return line;
}

Result<std::unique_ptr<sql::Database>> openMigrated(const config::Config& config) {
  auto db = openDatabase(config, nullptr);
  if (!db) return db.error().wrap("sql");
  if (auto st = sql::migrate(**db, allMigrations()); !st) return st.error().wrap("migrate");
  return std::move(*db);
}

}  // namespace

int runUser(const config::Config& config, const Invocation& inv) {
  auto db = openMigrated(config);
  if (!db) return fail(kRuntime, db.error().message);
  cms::auth::UserStore users(**db, SystemClock::instance());

  if (inv.args[0] == "list") {
    auto list = users.list(**db, {"/%"}, 0, 100000);
    if (!list) return fail(kRuntime, list.error().message);
    if (list->empty()) std::printf("no users yet: hub user create NAME --admin --password-stdin\n");
    for (const auto& u : *list) {
      std::string grants;
      for (const auto& g : u.grants)
        grants += (grants.empty() ? "" : ", ") + std::string(cms::auth::roleName(g.role)) + "@" +
                  std::to_string(g.orgId);
      std::printf("%-6lld %-24s org %-8lld %s%s\n", static_cast<long long>(u.id), u.username.c_str(),
                  static_cast<long long>(u.orgId), grants.c_str(), u.disabled ? " (disabled)" : "");
    }
    return kOk;
  }

  cms::auth::NewUser nu;
  nu.username = inv.args[1];
  nu.displayName = option(inv, "display-name");
  const std::string orgText = option(inv, "org");
  if (!orgText.empty()) {
    try {
      std::size_t used = 0;
      nu.orgId = std::stoll(orgText, &used);
      if (used != orgText.size() || nu.orgId < 0) throw std::invalid_argument("org");
    } catch (const std::exception&) {
      return fail(kUsage, "--org needs an organisation id, not \"" + orgText + "\"");
    }
  }
  if (nu.orgId != 0) {
    cms::org::OrgTree tree(**db);
    if (auto st = tree.reload(); !st) return fail(kRuntime, st.error().message);
    if (!tree.exists(nu.orgId))
      return fail(kUsage, "no organisation " + orgText + " (import the tree first: hub org import FILE)");
  }
  if (option(inv, "admin") == "1") nu.grants.push_back({cms::auth::Role::Admin, nu.orgId});
  if (option(inv, "password-stdin") == "1") {
    std::getline(std::cin, nu.password);
    if (!nu.password.empty() && nu.password.back() == '\r') nu.password.pop_back();
  } else {
    nu.password = askHidden("Password: ");
    if (askHidden("Again: ") != nu.password) return fail(kUsage, "the passwords differ");
  }
  cms::audit::AuditLog audit(SystemClock::instance());
  std::optional<cms::auth::User> made;
  Status st = (*db)->transaction([&](sql::Transaction& tx) -> Status {
    auto u = users.create(tx, nu);
    if (!u) return u.error();
    made = *u;
    return audit.record(tx, cliActor(), "user.create", "user", std::to_string(u->id), nullptr, u->toJson());
  });
  if (!st) {
    const auto& e = st.error();
    const bool usage =
        e.code == "auth.bad_username" || e.code == "auth.weak_password" || e.code == "user.exists";
    return fail(usage ? kUsage : kRuntime, e.message);
  }
  std::printf("created user %s (id %lld)%s\n", made->username.c_str(), static_cast<long long>(made->id),
              nu.grants.empty() ? ""
              : nu.orgId == 0   ? ", admin of the whole organisation tree"
                                : (", admin of organisation " + std::to_string(nu.orgId)).c_str());
  return kOk;
}

// The whole of FILE (inv.args[1]), or nullopt when it cannot be read.
std::optional<std::string> readImportFile(const Invocation& inv) {
  std::ifstream in(inv.args[1], std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Prints the report's problems and audits a successful import as `action`.
int finishImport(sql::Database& db, const std::string& file, const cms::org::ImportReport& report,
                 const char* action, const char* objectType) {
  if (!report.ok()) {
    for (const auto& p : report.problems)
      std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), p.line, p.message.c_str());
    return fail(kRuntime, "import refused: nothing was changed");
  }
  cms::audit::AuditLog audit(SystemClock::instance());
  auto summary = report.toJson();
  summary["file"] = file;
  if (auto st = audit.record(db, cliActor(), action, objectType, "", nullptr, summary); !st)
    return fail(kRuntime, st.error().message);
  return kOk;
}

int runOrg(const config::Config& config, const Invocation& inv) {
  const std::string& file = inv.args[1];
  auto text = readImportFile(inv);
  if (!text) return fail(kUsage, "cannot read " + file);
  auto db = openMigrated(config);
  if (!db) return fail(kRuntime, db.error().message);
  auto report = cms::org::importCsv(**db, *text, SystemClock::instance());
  if (!report) return fail(kRuntime, report.error().message);
  if (int rc = finishImport(**db, file, *report, "org.import", "org"); rc != kOk) return rc;
  std::printf(
      "imported %zu organisations from %s in %.2f s: %zu new, %zu updated, %zu unchanged, %zu paths moved\n",
      report->rows, file.c_str(), report->seconds, report->created, report->updated, report->unchanged,
      report->pathsRewritten);
  return kOk;
}

int runMember(const config::Config& config, const Invocation& inv) {
  const std::string& file = inv.args[1];
  auto text = readImportFile(inv);
  if (!text) return fail(kUsage, "cannot read " + file);
  auto db = openMigrated(config);
  if (!db) return fail(kRuntime, db.error().message);
  cms::org::OrgTree orgs(**db);
  if (auto st = orgs.reload(); !st) return fail(kRuntime, st.error().message);
  auto report = cms::challenge::importMembers(**db, orgs, *text, SystemClock::instance());
  if (!report) return fail(kRuntime, report.error().message);
  if (int rc = finishImport(**db, file, *report, "member.import", "member"); rc != kOk) return rc;
  std::printf("imported %zu members from %s in %.2f s: %zu new, %zu updated, %zu unchanged\n", report->rows,
              file.c_str(), report->seconds, report->created, report->updated, report->unchanged);
  return kOk;
}

}  // namespace hub::app
