#include "cli/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <system_error>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace scoville::cli {
namespace {

// How long a statement waits for another process's lock before failing with "database is
// locked"; a run's transaction holds the lock for milliseconds.
constexpr std::chrono::milliseconds kBusyTimeout{5000};

// Says why `path` could not be opened, in words a user can act on; SQLite itself only says
// "unable to open database file".
std::string open_failure_reason(const std::string& path, const char* sqlite_message) {
  const std::filesystem::path file(path);
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {
    return "it is a directory";
  }
  const std::filesystem::path folder = file.parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder, ignored)) {
    return "folder " + folder.string() + " does not exist";
  }
  return sqlite_message;
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3_stmt* statement, const std::string& path)
    : statement_(statement), path_(path) {}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), path_(std::move(other.path_)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

Result<void> SqliteStatement::run(std::initializer_list<SqliteValue> values,
                                  std::string_view what) {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  int index = 1;
  for (const SqliteValue& value : values) {
    if (Result<void> bound = bind(index++, value, what); !bound) return bound;
  }

  int code = SQLITE_ROW;
  while (code == SQLITE_ROW) code = sqlite3_step(statement_);
  if (code != SQLITE_DONE) {
    return error(what);
  }
  sqlite3_reset(statement_);
  return {};
}

Result<std::int64_t> SqliteStatement::query_integer(std::string_view what) {
  sqlite3_reset(statement_);
  if (sqlite3_step(statement_) != SQLITE_ROW) {
    return error(what);
  }
  const std::int64_t value = sqlite3_column_int64(statement_, 0);
  sqlite3_reset(statement_);
  return value;
}

Result<void> SqliteStatement::bind(int index, const SqliteValue& value, std::string_view what) {
  const int code = std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return sqlite3_bind_null(statement_, index);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return sqlite3_bind_int64(statement_, index, v);
        } else if constexpr (std::is_same_v<T, double>) {
          return sqlite3_bind_double(statement_, index, v);
        } else {
          // SQLITE_TRANSIENT copies the text, so the view need not outlive this call.
          return sqlite3_bind_text64(statement_, index, v.data(), v.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
        }
      },
      value);
  if (code != SQLITE_OK) {
    return error(what);
  }
  return {};
}

std::unexpected<Error> SqliteStatement::error(std::string_view what) const {
  return make_error(fmt::format("database {}: cannot {}: {}", path_, what,
                                sqlite3_errmsg(sqlite3_db_handle(statement_))));
}

Result<SqliteDatabase> SqliteDatabase::open(const std::string& path) {
  // SQLite reads ":memory:" and "file:..." names specially; "./" keeps a relative name a
  // plain file name.
  const std::string file_name = std::filesystem::path(path).is_absolute() ? path : "./" + path;
  sqlite3* handle = nullptr;
  const int code = sqlite3_open_v2(file_name.c_str(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // Even a failed open allocates a handle; `database` closes it.
  SqliteDatabase database(handle, path);
  if (code != SQLITE_OK) {
    return make_error(fmt::format("cannot open database {}: {}", path,
                                  open_failure_reason(path, sqlite3_errstr(code))));
  }

  sqlite3_busy_timeout(handle, static_cast<int>(kBusyTimeout.count()));
  // Opening reads nothing; reading the header now reports a file that is not a database as
  // one that cannot be opened, before anything is written.
  if (sqlite3_exec(handle, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return make_error(fmt::format("cannot open database {}: {}", path, sqlite3_errmsg(handle)));
  }
  if (Result<void> enforced = database.execute("PRAGMA foreign_keys = ON", "enable foreign keys");
      !enforced) {
    return std::unexpected(enforced.error());
  }
  return database;
}

SqliteDatabase::SqliteDatabase(sqlite3* database, std::string path)
    : database_(database), path_(std::move(path)) {}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)), path_(std::move(other.path_)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(database_);
    database_ = std::exchange(other.database_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

// close_v2 defers the close until the last statement is finalized instead of failing.
SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(database_); }

Result<void> SqliteDatabase::execute(const char* sql, std::string_view what) {
  if (sqlite3_exec(database_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return error(what);
  }
  return {};
}

Result<SqliteStatement> SqliteDatabase::prepare(const char* sql, std::string_view what) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(database_, sql, -1, &statement, nullptr) != SQLITE_OK) {
    return error(what);
  }
  return SqliteStatement(statement, path_);
}

std::int64_t SqliteDatabase::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(database_);
}

void SqliteDatabase::rollback() {
  // Fails harmlessly with "no transaction is active" when SQLite already rolled back.
  sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::unexpected<Error> SqliteDatabase::error(std::string_view what) const {
  return make_error(
      fmt::format("database {}: cannot {}: {}", path_, what, sqlite3_errmsg(database_)));
}

}  // namespace scoville::cli
