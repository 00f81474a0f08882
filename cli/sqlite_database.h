#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "config/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace scoville::cli {

// A value bound to a statement parameter. Unsigned counts have no alternative on purpose:
// SQLite integers are signed 64-bit, so the caller decides how to convert them.
using SqliteValue = std::variant<std::nullptr_t, std::int64_t, double, std::string_view>;

// A prepared statement of a SqliteDatabase, finalized when it goes out of scope. It must not
// outlive the database that prepared it.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Binds `values` to the parameters ?1, ?2, ... and runs the statement to completion,
  // ignoring any rows; the statement can then be run again with other values. `what` says
  // what the statement does, for an error ("database runs.db: cannot <what>: <reason>").
  Result<void> run(std::initializer_list<SqliteValue> values, std::string_view what);

  // Runs a statement that yields one row and returns its first column as an integer.
  Result<std::int64_t> query_integer(std::string_view what);

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3_stmt* statement, const std::string& path);

  Result<void> bind(int index, const SqliteValue& value, std::string_view what);
  std::unexpected<Error> error(std::string_view what) const;

  sqlite3_stmt* statement_ = nullptr;
  std::string path_;  // of the database, for messages
};

// An open connection to a SQLite database file, closed when it goes out of scope. Every
// failure is an Error that names the file and says what went wrong, in SQLite's words unless
// clearer ones are known ("it is a directory").
class SqliteDatabase {
 public:
  // Opens `path` for reading and writing, creating an empty database when no file is there,
  // with foreign keys enforced and a busy timeout. `path` is a file name only (never
  // ":memory:" or a "file:" URI). A file that is not a database is an error.
  static Result<SqliteDatabase> open(const std::string& path);

  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  const std::string& path() const { return path_; }

  // Runs `sql`, one or more statements without parameters (schema, pragmas, transactions).
  Result<void> execute(const char* sql, std::string_view what);

  Result<SqliteStatement> prepare(const char* sql, std::string_view what);

  // The rowid of the last row this connection inserted.
  std::int64_t last_insert_rowid() const;

  // Runs `body` (a callable returning a Result) inside BEGIN IMMEDIATE ... COMMIT, so that
  // either all of its writes land or none does: an error from `body` or from COMMIT rolls the
  // transaction back. IMMEDIATE takes the write lock up front, so two processes appending at
  // once wait for each other (up to the busy timeout) instead of failing midway.
  template <typename Body>
  auto in_transaction(Body&& body) -> decltype(body()) {
    if (Result<void> begun = execute("BEGIN IMMEDIATE", "start a transaction"); !begun) {
      return std::unexpected(begun.error());
    }
    auto result = body();
    if (result) {
      Result<void> committed = execute("COMMIT", "commit");
      if (committed) return result;
      result = std::unexpected(committed.error());
    }
    rollback();
    return result;
  }

 private:
  SqliteDatabase(sqlite3* database, std::string path);

  // Abandons the open transaction; a failure here changes nothing for the caller, whose
  // error already explains what went wrong.
  void rollback();
  std::unexpected<Error> error(std::string_view what) const;

  sqlite3* database_ = nullptr;
  std::string path_;
};

}  // namespace scoville::cli
