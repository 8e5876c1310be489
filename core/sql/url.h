// core/sql/url.h
//
// Database URLs: `sqlite:///abs/path.db`, `sqlite://relative/path.db`, `sqlite://:memory:` and
// `mysql://user:pass@host:port/db` (port 3306 by default; user and password may be
// percent-encoded). redactUrl() is what goes into logs and error messages.
#pragma once

#include <string>
#include <string_view>

#include "core/util/result.h"

namespace hub::sql {

struct Url {
  enum class Scheme { Sqlite, Mysql };
  Scheme scheme = Scheme::Sqlite;
  std::string path;  // sqlite: file path as given (absolute or relative to the working dir)
  std::string user;  // mysql from here on
  std::string password;
  std::string host;
  int port = 3306;
  std::string database;  // may be empty: no default schema
};

Result<Url> parseUrl(std::string_view url);

// The URL with its password replaced by ***; anything else is returned unchanged.
std::string redactUrl(std::string_view url);

// Builds the mysql:// URL back (user and password percent-encoded), e.g. to switch database.
std::string formatUrl(const Url& url);

}  // namespace hub::sql
