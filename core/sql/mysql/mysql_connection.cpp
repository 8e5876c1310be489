// core/sql/mysql/mysql_connection.cpp
//
// Every driver call sits inside guard(), which turns sql::SQLException into an Error and
// records whether the session was lost and whether the statement may have run, for the retry
// rule in PooledDatabase. Statements the server cannot prepare (ER_UNSUPPORTED_PS, e.g. KILL
// or some DDL) fall back to the text protocol when they take no parameters.
#include "core/sql/mysql/mysql_connection.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>

#include <sstream>
#include <unordered_set>

#include "core/sql/errors.h"
#include "core/sql/mysql/mysql_driver.h"
#include "core/sql/statement_cache.h"
#include "core/sql/statement_splitter.h"

namespace hub::sql {
namespace {

constexpr int kUnsupportedPs = 1295;  // ER_UNSUPPORTED_PS
constexpr int kServerGone = 2006;     // CR_SERVER_GONE_ERROR: raised before anything was sent

Value readValue(::sql::ResultSet& rs, ::sql::ResultSetMetaData& md, unsigned i) {
  if (rs.isNull(i)) return Value();
  switch (md.getColumnType(i)) {
    case ::sql::DataType::BIT:
    case ::sql::DataType::TINYINT:
    case ::sql::DataType::SMALLINT:
    case ::sql::DataType::MEDIUMINT:
    case ::sql::DataType::INTEGER:
    case ::sql::DataType::BIGINT:
    case ::sql::DataType::YEAR:
      if (!md.isSigned(i)) return Value(static_cast<std::int64_t>(rs.getUInt64(i)));
      return Value(static_cast<std::int64_t>(rs.getInt64(i)));
    case ::sql::DataType::REAL:
    case ::sql::DataType::DOUBLE:
      return Value(static_cast<double>(rs.getDouble(i)));
    case ::sql::DataType::BINARY:
    case ::sql::DataType::VARBINARY:
    case ::sql::DataType::LONGVARBINARY:
      return Value(Blob{rs.getString(i).asStdString()});
    default:  // text, DECIMAL (kept exact as text), dates, JSON, ENUM
      return Value(rs.getString(i).asStdString());
  }
}

Rows readRows(::sql::ResultSet& rs) {
  Rows rows;
  ::sql::ResultSetMetaData* md = rs.getMetaData();  // owned by the result set
  unsigned n = md->getColumnCount();
  auto cols = std::make_shared<Columns>();
  for (unsigned i = 1; i <= n; ++i) cols->push_back(md->getColumnLabel(i).asStdString());
  rows.columns = cols;
  while (rs.next()) {
    std::vector<Value> values;
    values.reserve(n);
    for (unsigned i = 1; i <= n; ++i) values.push_back(readValue(rs, *md, i));
    rows.rows.emplace_back(rows.columns, std::move(values));
  }
  return rows;
}

class MysqlConnection final : public Connection {
 public:
  MysqlConnection(Url url, const Options& options)
      : url_(std::move(url)), options_(options), cache_(options.statementCacheSize) {}

  Status connect() {
    mysql::ensureThreadInit();
    cache_.clear();
    textOnly_.clear();
    conn_.reset();
    lost_ = true;  // until this succeeds
    ::sql::ConnectOptionsMap o;
    o["hostName"] = ::sql::SQLString("tcp://" + url_.host + ":" + std::to_string(url_.port));
    o["userName"] = ::sql::SQLString(url_.user);
    o["password"] = ::sql::SQLString(url_.password);
    if (!url_.database.empty()) o["schema"] = ::sql::SQLString(url_.database);
    int timeoutSec = static_cast<int>((options_.connectTimeout.count() + 999) / 1000);
    o["OPT_CONNECT_TIMEOUT"] = timeoutSec > 0 ? timeoutSec : 1;
    o["OPT_RECONNECT"] = false;
    // Affected rows = rows matched, as SQLite counts them, not only rows whose value changed.
    o["CLIENT_FOUND_ROWS"] = true;
    o["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
    std::string where = url_.host + ":" + std::to_string(url_.port);
    try {
      conn_.reset(mysql::driver().connect(o));
      std::unique_ptr<::sql::Statement> st(conn_->createStatement());
      // UTC sessions: NOW() and TIMESTAMP columns then read the same on every node.
      st->execute("SET time_zone = '+00:00'");
    } catch (const ::sql::SQLException& e) {
      conn_.reset();
      Error err = mysql::toError(e).wrap("connect to " + where + " as " + url_.user);
      err.code = errc::kUnavailable;
      return err;
    }
    lost_ = false;
    return {};
  }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    return guard<Rows>([&]() -> Result<Rows> {
      if (params.empty() && unpreparable(sql)) {
        std::unique_ptr<::sql::Statement> st(conn_->createStatement());
        executing_ = true;
        std::unique_ptr<::sql::ResultSet> rs(st->executeQuery(::sql::SQLString(std::string(sql))));
        return readRows(*rs);
      }
      ::sql::PreparedStatement* stmt = prepare(sql);
      Blobs blobs;
      bind(*stmt, params, blobs);
      executing_ = true;
      std::unique_ptr<::sql::ResultSet> rs(stmt->executeQuery());
      return readRows(*rs);
    });
  }

  Result<ExecResult> exec(std::string_view sql, const Params& params, bool wantId) override {
    return guard<ExecResult>([&]() -> Result<ExecResult> {
      ExecResult out;
      if (params.empty() && unpreparable(sql)) {
        std::unique_ptr<::sql::Statement> st(conn_->createStatement());
        executing_ = true;
        out.affected = st->executeUpdate(::sql::SQLString(std::string(sql)));
      } else {
        ::sql::PreparedStatement* stmt = prepare(sql);
        Blobs blobs;
        bind(*stmt, params, blobs);
        executing_ = true;
        out.affected = stmt->executeUpdate();
      }
      if (wantId) {
        // Connector/C++ 1.1 does not expose mysql_stmt_insert_id(): ask the session.
        std::unique_ptr<::sql::ResultSet> rs(prepare("SELECT LAST_INSERT_ID()")->executeQuery());
        if (rs->next()) out.lastInsertId = static_cast<std::int64_t>(rs->getUInt64(1));
      }
      return out;
    });
  }

  Status begin() override { return text("START TRANSACTION"); }
  Status commit() override { return text("COMMIT"); }
  Status rollback() override { return text("ROLLBACK"); }

  Status validate() override {
    mayHaveRun_ = false;
    bool alive = false;
    try {
      mysql::ensureThreadInit();
      alive = conn_ && conn_->isValid();
    } catch (const ::sql::SQLException&) {
      alive = false;
    }
    return alive && !lost_ ? Status() : reconnect();
  }

  Status reconnect() override {
    mayHaveRun_ = false;
    return connect();
  }

 private:
  using Blobs = std::vector<std::unique_ptr<std::istringstream>>;

  template <class T, class F>
  Result<T> guard(F&& f) {
    mayHaveRun_ = false;
    executing_ = false;
    mysql::ensureThreadInit();
    if (!conn_ || lost_) return makeError(errc::kUnavailable, "connection lost earlier");
    try {
      return f();
    } catch (const ::sql::SQLException& e) {
      int code = e.getErrorCode();
      if (mysql::isConnectionLost(code)) {
        lost_ = true;
        mayHaveRun_ = executing_ && code != kServerGone;
        cache_.clear();  // the statements died with the session
      }
      return mysql::toError(e);
    } catch (const std::exception& e) {
      return makeError(errc::kQuery, e.what());
    }
  }

  Status text(const char* sql) {
    auto r = guard<bool>([&]() -> Result<bool> {
      std::unique_ptr<::sql::Statement> st(conn_->createStatement());
      executing_ = true;
      st->execute(sql);
      return true;
    });
    if (!r) return r.error();
    return {};
  }

  // Throws like the driver; the caller's guard() catches.
  ::sql::PreparedStatement* prepare(std::string_view sql) {
    if (auto* cached = cache_.find(sql)) return cached;
    std::unique_ptr<::sql::PreparedStatement> stmt(
        conn_->prepareStatement(::sql::SQLString(std::string(sql))));
    return cache_.put(sql, std::move(stmt));
  }

  // True when the server refuses to prepare sql; remembered so we ask only once.
  bool unpreparable(std::string_view sql) {
    if (cache_.find(sql)) return false;
    std::string key(sql);
    if (textOnly_.contains(key)) return true;
    try {
      prepare(sql);
      return false;
    } catch (const ::sql::SQLException& e) {
      if (e.getErrorCode() != kUnsupportedPs) throw;
      if (textOnly_.size() >= options_.statementCacheSize) textOnly_.clear();
      textOnly_.insert(std::move(key));
      return true;
    }
  }

  static void bind(::sql::PreparedStatement& stmt, const Params& params, Blobs& blobs) {
    stmt.clearParameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      auto idx = static_cast<unsigned>(i + 1);
      const Value& v = params[i];
      switch (v.kind()) {
        case Value::Kind::Null:
          stmt.setNull(idx, ::sql::DataType::SQLNULL);
          break;
        case Value::Kind::Int:
          stmt.setInt64(idx, std::get<std::int64_t>(v.storage()));
          break;
        case Value::Kind::Double:
          stmt.setDouble(idx, std::get<double>(v.storage()));
          break;
        case Value::Kind::Text:
          stmt.setString(idx, ::sql::SQLString(std::get<std::string>(v.storage())));
          break;
        case Value::Kind::Blob:
          // The driver reads the stream during execute: it must outlive that call.
          blobs.push_back(std::make_unique<std::istringstream>(std::get<Blob>(v.storage()).bytes));
          stmt.setBlob(idx, blobs.back().get());
          break;
      }
    }
  }

  Url url_;
  Options options_;
  std::unordered_set<std::string> textOnly_;  // SQL the server cannot prepare
  bool executing_ = false;                    // the current call got as far as sending its statement
  std::unique_ptr<::sql::Connection> conn_;
  StatementCache<std::unique_ptr<::sql::PreparedStatement>> cache_;  // dies before conn_
};

}  // namespace

Result<std::unique_ptr<Connection>> openMysqlConnection(const Url& url, const Options& options) {
  auto conn = std::make_unique<MysqlConnection>(url, options);
  if (Status st = conn->connect(); !st) return st.error();
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace hub::sql
