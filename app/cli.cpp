#include "app/cli.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace hub::app {
namespace {

const std::set<std::string> kCommands = {"serve",  "migrate", "stream", "user",      "org",
                                         "member", "version", "token",  "challenge", "help"};
const std::set<std::string> kRoles = {"media", "chat", "cms"};

bool usage(const std::string& message) {
  std::fprintf(stderr, "hub: %s\nRun 'hub --help' for usage.\n", message.c_str());
  return false;
}

void printKeys() {
  std::printf("\nConfiguration (hub.toml key, environment variable, flag):\n");
  for (const auto& k : config::keys())
    std::printf("  %-22s %-24s %s\n      %s\n", k.name.c_str(), k.env.c_str(), k.flag.c_str(),
                k.help.c_str());
}

}  // namespace

bool parse(int argc, char** argv, Invocation& out) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (arg == "--json") {
      out.json = true;
      continue;
    }
    if ((out.command == "user" || out.command == "org") && (arg == "--admin" || arg == "--password-stdin")) {
      out.cmsOptions.emplace_back(arg.substr(2), "1");
      continue;
    }
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg.substr(2), value;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return usage("option --" + name + " needs a value");
      }
      if (name == "config") {
        out.configFile = value;
      } else if ((out.command == "user" && (name == "org" || name == "display-name")) ||
                 (out.command == "challenge" && name == "url")) {
        out.cmsOptions.emplace_back(name, value);
      } else if (out.command == "token" &&
                 (name == "role" || name == "ttl" || name == "id" || name == "room")) {
        out.tokenOptions.emplace_back(name, value);
      } else if (name == "title") {
        out.title = value;
      } else if (name == "role") {
        if (!kRoles.count(value)) return usage("--role must be media, chat or cms, not \"" + value + "\"");
        out.role = value;
      } else {
        out.flags.emplace_back(name, value);
      }
      continue;
    }
    if (out.command.empty()) {
      if (!kCommands.count(arg)) return usage("unknown command \"" + arg + "\"");
      out.command = arg;
    } else {
      out.args.push_back(arg);
    }
  }
  if (out.command.empty()) {
    if (!out.help) return usage("no command given");
    out.command = "help";
  }
  if (out.command == "help") {
    out.help = true;
    if (!out.args.empty()) out.command = out.args.front();
    if (!kCommands.count(out.command)) return usage("unknown command \"" + out.command + "\"");
    out.args.clear();
  }
  if (!out.role.empty() && out.command != "serve") return usage("--role belongs to 'hub serve'");
  if (out.command == "token") {
    const bool guest = out.args.size() == 1 && out.args[0] == "guest";
    const bool user = out.args.size() == 2 && out.args[0] == "user";
    if (!out.help && !guest && !user)
      return usage("usage: hub token guest | hub token user NAME [--role ROLE] [--room ROOM]");
    return true;
  }
  if (out.command == "stream") {
    if (out.help) return true;
    static const std::set<std::string> kActions = {"create", "list", "show", "delete", "rotate-key"};
    if (out.args.empty() || !kActions.count(out.args[0]))
      return usage("hub stream needs create, list, show, delete or rotate-key");
    std::size_t want = out.args[0] == "list" ? 1 : 2;
    if (out.args.size() < want) return usage("hub stream " + out.args[0] + " needs a stream name");
    if (out.args.size() > want) return usage("unexpected argument \"" + out.args[want] + "\"");
    return true;
  }
  if (out.command == "user") {
    if (out.help) return true;
    if (out.args.empty() || (out.args[0] != "create" && out.args[0] != "list"))
      return usage("hub user needs create or list");
    std::size_t want = out.args[0] == "list" ? 1 : 2;
    if (out.args.size() < want) return usage("hub user create needs a user name");
    if (out.args.size() > want) return usage("unexpected argument \"" + out.args[want] + "\"");
    return true;
  }
  if (out.command == "challenge") {
    if (out.help) return true;
    if (out.args.size() != 2 || out.args[0] != "rebuild" ||
        out.args[1].find_first_not_of("0123456789") != std::string::npos)
      return usage("usage: hub challenge rebuild ID [--url http://host:port]");
    return true;
  }
  if (out.command == "org" || out.command == "member") {
    if (out.help) return true;
    if (out.args.size() != 2 || out.args[0] != "import")
      return usage("usage: hub " + out.command + " import FILE.csv");
    return true;
  }
  if (out.json || !out.title.empty()) return usage("--json and --title belong to 'hub stream'");
  if (!out.args.empty()) return usage("unexpected argument \"" + out.args.front() + "\"");
  return true;
}

void printHelp(const std::string& command) {
  if (command == "serve") {
    std::printf(
        "Usage: hub serve [--role media|chat|cms] [--config FILE] [--section-key VALUE ...]\n\n"
        "Runs the hub. Without --role every service runs in this one process on the embedded\n"
        "defaults (SQLite in the data dir, in-process bus): nothing else needs to be running.\n"
        "With --role, only that service runs, for deployments across many machines (then use\n"
        "MySQL/MariaDB and Redis: --sql-url mysql://..., --bus-url redis://...).\n"
        "Migrations are applied at start-up. SIGTERM or SIGINT stop it gracefully.\n");
    printKeys();
  } else if (command == "migrate") {
    std::printf(
        "Usage: hub migrate [--config FILE] [--sql-url URL]\n\n"
        "Applies the database migrations every service needs, then exits. Safe to run again.\n");
  } else if (command == "token") {
    std::printf(
        "Usage: hub token guest [--ttl SECONDS]\n"
        "       hub token user NAME [--role user|moderator|admin] [--id N] [--ttl SECONDS]\n"
        "                           [--room ROOM]\n\n"
        "Prints one chat token signed with the auth secret (auth.secret, or the one generated in\n"
        "the data dir). Default lifetime 86400 s; the user id defaults to a number derived from NAME.\n"
        "With --room the role holds in that room only; elsewhere the token is a plain user.\n");
  } else if (command == "stream") {
    std::printf(
        "Usage: hub stream create NAME [--title TITLE] [--json]\n"
        "       hub stream list [--json]\n"
        "       hub stream show NAME [--json]\n"
        "       hub stream delete NAME\n"
        "       hub stream rotate-key NAME [--json]\n\n"
        "Manages the streams hosts publish to. Each stream has a secret key: in OBS, put the\n"
        "server URL ([rtmp] public_url) as server and the key as stream key. NAME is 1 to 64 of\n"
        "a-z, 0-9, '-' and '_'. With --json one JSON object (an array for list) with name, key,\n"
        "publish_url and playback_url. Writes go to the database directly; a running hub picks\n"
        "them up within a second. Deleting a stream or rotating its key disconnects its publisher.\n");
  } else if (command == "user") {
    std::printf(
        "Usage: hub user create NAME [--admin] [--org ID] [--display-name NAME] [--password-stdin]\n"
        "       hub user list\n\n"
        "Manages CMS users directly in the database (for the first admin; afterwards use the API).\n"
        "--admin grants the admin role on --org ID (default 0: the whole organisation tree). The\n"
        "password is read from standard input with --password-stdin, else asked for twice on the\n"
        "terminal. NAME is 1 to 64 of a-z, 0-9, '.', '_' and '-'. The creation is audited.\n");
  } else if (command == "org") {
    std::printf(
        "Usage: hub org import FILE.csv\n\n"
        "Imports the organisation tree from CSV with the header id,parent_id,name,level (parent_id\n"
        "empty or 0 for the top level). Importing again updates names, levels and parents. Any bad\n"
        "row refuses the whole file (line numbers are printed) and nothing is applied. A running\n"
        "hub picks the change up within a second.\n");
  } else if (command == "member") {
    std::printf(
        "Usage: hub member import FILE.csv\n\n"
        "Imports the members of the walking challenges from the membership system's CSV with the\n"
        "header member_no,name,org_id[,phone]; every member belongs to a grassroots organisation\n"
        "(one without children; import the tree first with hub org import). Importing again\n"
        "updates changed members and adds new ones, never duplicates; an unchanged file writes\n"
        "nothing. Any bad row refuses the whole file (line numbers are printed) and nothing is\n"
        "applied. Sized for millions of rows.\n");
  } else if (command == "challenge") {
    std::printf(
        "Usage: hub challenge rebuild ID [--url http://host:port]\n\n"
        "Asks the running hub (at [http] listen, or --url) to clear every leaderboard of walking\n"
        "challenge ID and rebuild it from the database, with the [admin] token. Prints the number\n"
        "of participants and the time taken.\n");
  } else if (command == "version") {
    std::printf("Usage: hub version\n\nPrints the hub's version.\n");
  } else {
    std::printf(
        "Usage: hub [--config FILE] COMMAND [options]\n\n"
        "The hub: live streaming, chat and new-media CMS in one server.\n\n"
        "Commands:\n"
        "  serve     run the hub (all services, or one with --role media|chat|cms)\n"
        "  migrate   apply database migrations and exit\n"
        "  token     print a signed chat token (guest, or a named user with a role)\n"
        "  stream    create, list, show, delete streams or rotate a stream's key\n"
        "  user      create the first CMS admin (and list CMS users)\n"
        "  org       import the CMS organisation tree from CSV\n"
        "  member    import the walking challenges' members from CSV\n"
        "  challenge rebuild a walking challenge's leaderboards on the running hub\n"
        "  version   print the version\n"
        "  help      help on a command (also: hub COMMAND --help)\n\n"
        "Configuration comes from hub.toml (--config FILE, or HUB_CONFIG, or ./hub.toml), then\n"
        "HUB_<SECTION>_<KEY> environment variables, then --<section>-<key> flags.\n"
        "Exit codes: 0 ok, 2 usage or configuration error, 1 runtime failure.\n");
  }
}

bool loadConfig(const Invocation& inv, config::Config& out) {
  config::Sources sources;
  sources.file = inv.configFile;
  if (sources.file.empty()) {
    if (const char* env = std::getenv("HUB_CONFIG"); env && *env) {
      sources.file = env;
    } else if (std::filesystem::exists("hub.toml")) {
      sources.file = "hub.toml";
    }
  }
  if (!sources.file.empty() && !std::filesystem::exists(sources.file)) {
    std::fprintf(stderr, "hub: config file %s does not exist\n", sources.file.c_str());
    return false;
  }
  sources.env = config::processEnv();
  sources.flags = inv.flags;
  auto cfg = config::load(sources);
  if (!cfg) {
    std::fprintf(stderr, "hub: configuration error: %s\n", cfg.error().message.c_str());
    return false;
  }
  out = std::move(*cfg);
  return true;
}

}  // namespace hub::app
