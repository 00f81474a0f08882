// `scoville simulate --db FILE`: each run is appended to a SQLite database, read back here with
// the sqlite3 command-line program as another tool would; a database that cannot be used fails
// the run with one message naming the file and leaves the file as it was.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_support.h"
#include "tests/support/command_runner.h"
#include "tests/support/temp_dir.h"

namespace scoville::cli_test {
namespace {

constexpr const char* kSimulatePrefix = "scoville simulate: ";

// Every simulated request finishes: 300 requests of 500 + 100 tokens on the default fleet.
const std::vector<std::string> kSimulation = {
    "simulate", "--offline",       "--requests", "300",      "--input-tokens",
    "500",      "--output-tokens", "100",        "--format", "json"};

// The fixture of test cases that read the database with the sqlite3 program, as another tool
// would. A missing sqlite3 fails such a case before it starts rather than skipping it: without
// it nothing would check what the binary stored.
class Sqlite3Program {
 public:
  Sqlite3Program() {
    std::optional<std::string> found = test_support::find_program("sqlite3");
    if (!found) {
      FAIL(
          "sqlite3 is not on PATH; install the Debian package sqlite3 (scripts/bootstrap.sh "
          "does)");
    }
    program_ = *found;
  }

  // Runs `sql` on `db` and returns its rows as JSON objects; stops the test case when sqlite3
  // fails. Read-only, so a query cannot create or change the file it checks.
  nlohmann::json query(const std::filesystem::path& db, const std::string& sql) const {
    const CommandResult result =
        run_command(program_, {"-readonly", "-bail", "-json", db.string(), sql});
    INFO(sql, "\n", describe(result));
    REQUIRE(result.exited_with(0));
    REQUIRE(result.stderr_text.empty());
    // sqlite3 prints nothing at all, not [], when there are no rows.
    if (result.stdout_text.find_first_not_of(" \n") == std::string::npos) {
      return nlohmann::json::array();
    }
    nlohmann::json rows = nlohmann::json::parse(result.stdout_text, nullptr, false);
    REQUIRE_FALSE(rows.is_discarded());
    return rows;
  }

  // Runs `sql` on `db` to set up a test, creating the file when missing.
  void execute(const std::filesystem::path& db, const std::string& sql) const {
    const CommandResult result = run_command(program_, {"-bail", db.string(), sql});
    INFO(sql, "\n", describe(result));
    REQUIRE(result.exited_with(0));
  }

 private:
  std::string program_;
};

// Runs the simulation above, appending it to `db`.
CommandResult run_with_db(const std::filesystem::path& db) {
  std::vector<std::string> args = kSimulation;
  args.insert(args.end(), {"--db", db.string()});
  return run_scoville(args);
}

// Runs the simulation above, appending it to `db`, and returns its JSON output; stops the test
// case when the run fails.
nlohmann::json simulate_into(const std::filesystem::path& db) {
  return require_json_output(run_with_db(db));
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The names of the entries of `folder`, to check that a failed run created nothing there.
std::vector<std::string> entries_of(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
  return std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
}

TEST_CASE_FIXTURE(Sqlite3Program,
                  "simulate --db appends each run to the database as runs 1 and 2") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";

  simulate_into(db);
  simulate_into(db);

  CHECK(query(db, "SELECT id FROM runs ORDER BY id") ==
        nlohmann::json::parse(R"([{"id": 1}, {"id": 2}])"));
  CHECK(query(db, "PRAGMA user_version") == nlohmann::json::parse(R"([{"user_version": 1}])"));
  CHECK(query(db, "PRAGMA foreign_key_check").empty());
  CHECK(query(db, "PRAGMA integrity_check") ==
        nlohmann::json::parse(R"([{"integrity_check": "ok"}])"));
  for (const std::string table : {"class_results", "group_results", "latencies"}) {
    INFO(table);
    CHECK(query(db, "SELECT DISTINCT run_id FROM " + table + " ORDER BY run_id") ==
          nlohmann::json::parse(R"([{"run_id": 1}, {"run_id": 2}])"));
  }
}

TEST_CASE_FIXTURE(
    Sqlite3Program,
    "simulate --db stores the finished count, p50 TTFT, classes and groups it prints") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";

  const nlohmann::json printed = simulate_into(db);

  const nlohmann::json run =
      query(db, "SELECT seed, requests, finished, rejected, events, duration_seconds FROM runs");
  REQUIRE(run.size() == 1);
  CHECK(run[0]["seed"] == 1);
  CHECK(run[0]["requests"] == printed["requests"]);
  CHECK(run[0]["finished"] == printed["overall"]["finished"]);
  CHECK(run[0]["finished"] == 300);
  CHECK(run[0]["rejected"] == printed["overall"]["rejected"]);
  CHECK(run[0]["events"] == printed["events"]);
  CHECK(run[0]["duration_seconds"].get<double>() == printed["duration_seconds"].get<double>());

  // sqlite3 prints 20 significant digits, so a stored double reads back exactly.
  const nlohmann::json ttft =
      query(db,
            "SELECT count, p50_seconds, p99_seconds FROM latencies WHERE scope = 'overall' AND "
            "name = 'all' AND metric = 'ttft'");
  REQUIRE(ttft.size() == 1);
  CHECK(ttft[0]["p50_seconds"].get<double>() ==
        printed["overall"]["ttft_seconds"]["p50"].get<double>());
  CHECK(ttft[0]["p99_seconds"].get<double>() ==
        printed["overall"]["ttft_seconds"]["p99"].get<double>());
  CHECK(ttft[0]["count"] == printed["overall"]["ttft_seconds"]["count"]);

  const nlohmann::json classes =
      query(db, "SELECT class, finished FROM class_results ORDER BY rowid");
  REQUIRE(classes.size() == printed["classes"].size());
  REQUIRE_FALSE(classes.empty());
  for (std::size_t i = 0; i < classes.size(); ++i) {
    CHECK(classes[i]["class"] == printed["classes"][i]["name"]);
    CHECK(classes[i]["finished"] == printed["classes"][i]["finished"]);
  }

  const nlohmann::json groups =
      query(db, "SELECT name, steps, cost_usd_per_mtok FROM group_results ORDER BY rowid");
  REQUIRE(groups.size() == printed["groups"].size());
  REQUIRE_FALSE(groups.empty());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    CHECK(groups[i]["name"] == printed["groups"][i]["name"]);
    CHECK(groups[i]["steps"] == printed["groups"][i]["steps"]);
    CHECK(groups[i]["cost_usd_per_mtok"].get<double>() ==
          printed["groups"][i]["cost_usd_per_mtok"].get<double>());
  }

  // Four metrics each for the fleet, every class and every group.
  const std::size_t scopes = 1 + classes.size() + groups.size();
  CHECK(query(db, "SELECT count(*) AS n FROM latencies")[0]["n"] == 4 * scopes);
}

TEST_CASE_FIXTURE(Sqlite3Program,
                  "simulate --db records the UTC time of each run and its simulation document") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";

  const auto before = std::chrono::system_clock::now();
  simulate_into(db);
  const auto after = std::chrono::system_clock::now();

  const nlohmann::json run =
      query(db, "SELECT created_at, unixepoch(created_at) AS epoch, document FROM runs");
  REQUIRE(run.size() == 1);
  const std::string created_at = run[0]["created_at"];
  CHECK(std::regex_match(created_at, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")));
  REQUIRE(run[0]["epoch"].is_number_integer());
  CHECK(run[0]["epoch"].get<std::int64_t>() >= unix_seconds(before));
  CHECK(run[0]["epoch"].get<std::int64_t>() <= unix_seconds(after));

  const nlohmann::json document = nlohmann::json::parse(run[0]["document"].get<std::string>());
  CHECK(document["workload"]["mode"] == "offline");
  CHECK(document["workload"]["requests"] == 300);
  CHECK(document["workload"]["input_tokens"] == 500);
  CHECK(document["workload"]["output_tokens"] == 100);
}

TEST_CASE_FIXTURE(Sqlite3Program, "simulate --db stores rejected requests by reason") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";

  // Prompts of up to 300,000 tokens: some exceed the model's context window.
  const nlohmann::json printed = require_json_output(run_scoville(
      {"simulate", "--offline", "--requests", "20", "--input-tokens", "uniform:100:300000",
       "--output-tokens", "10", "--format", "json", "--db", db.string()}));
  REQUIRE_FALSE(printed["rejections"].empty());

  const nlohmann::json rows = query(db, "SELECT reason, requests FROM rejections ORDER BY reason");
  REQUIRE(rows.size() == printed["rejections"].size());
  for (const nlohmann::json& row : rows) {
    CHECK(row["requests"] == printed["rejections"].at(row["reason"].get<std::string>()));
  }
  CHECK(query(db, "SELECT rejected FROM runs")[0]["rejected"] == printed["overall"]["rejected"]);
}

TEST_CASE("simulate --db naming a directory fails naming it and prints no results") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";
  std::filesystem::create_directory(db);

  const CommandResult result = run_with_db(db);

  check_input_error(result, kSimulatePrefix);
  CHECK(
      contains(result.stderr_text, "cannot open database " + db.string() + ": it is a directory"));
  CHECK(std::filesystem::is_empty(db));
  CHECK(entries_of(dir.path()) == std::vector<std::string>{"runs.db"});
}

TEST_CASE("simulate --db on a file that is not a sqlite database fails and leaves it as it was") {
  TempDir dir;
  std::string garbage = "scoville runs, honestly\n";
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>(i * 37 % 256));
  const std::filesystem::path db = dir.write_file("runs.db", garbage);

  const CommandResult result = run_with_db(db);

  check_input_error(result, kSimulatePrefix);
  CHECK(contains(result.stderr_text,
                 "cannot open database " + db.string() + ": file is not a database"));
  CHECK(read_bytes(db) == garbage);
  CHECK(entries_of(dir.path()) == std::vector<std::string>{"runs.db"});
}

TEST_CASE("simulate --db in a missing folder fails naming the path and creates nothing") {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "no-such-folder";
  const std::filesystem::path db = folder / "runs.db";

  const CommandResult result = run_with_db(db);

  check_input_error(result, kSimulatePrefix);
  CHECK(contains(result.stderr_text, "cannot open database " + db.string() + ": folder " +
                                         folder.string() + " does not exist"));
  CHECK(entries_of(dir.path()).empty());
}

TEST_CASE_FIXTURE(
    Sqlite3Program,
    "simulate --db refuses a database of a newer schema version and leaves it alone") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";
  execute(db, "CREATE TABLE later (x); PRAGMA user_version = 2;");

  const CommandResult result = run_with_db(db);

  check_input_error(result, kSimulatePrefix);
  CHECK(contains(result.stderr_text, "database " + db.string() + " has schema version 2"));
  CHECK(query(db, "PRAGMA user_version") == nlohmann::json::parse(R"([{"user_version": 2}])"));
  CHECK(query(db, "SELECT name FROM sqlite_schema") ==
        nlohmann::json::parse(R"([{"name": "later"}])"));
}

TEST_CASE_FIXTURE(Sqlite3Program,
                  "simulate --db that fails midway leaves no part of the run in the database") {
  TempDir dir;
  const std::filesystem::path db = dir.path() / "runs.db";
  simulate_into(db);
  // Latencies are written after the run, class and group rows, so this fails the second run
  // once most of it is in the transaction.
  execute(db,
          "CREATE TRIGGER refuse_latencies BEFORE INSERT ON latencies "
          "BEGIN SELECT RAISE(ABORT, 'latencies refused by test trigger'); END;");

  const CommandResult result = run_with_db(db);

  check_input_error(result, kSimulatePrefix);
  CHECK(contains(result.stderr_text, "database " + db.string() +
                                         ": cannot store latencies: latencies refused by test "
                                         "trigger"));
  CHECK(query(db, "SELECT id FROM runs") == nlohmann::json::parse(R"([{"id": 1}])"));
  for (const std::string table : {"class_results", "group_results", "latencies", "rejections"}) {
    INFO(table);
    CHECK(query(db, "SELECT count(*) AS n FROM " + table + " WHERE run_id <> 1") ==
          nlohmann::json::parse(R"([{"n": 0}])"));
  }
}

}  // namespace
}  // namespace scoville::cli_test
