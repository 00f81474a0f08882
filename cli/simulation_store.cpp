#include "cli/simulation_store.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "cli/sqlite_database.h"

namespace scoville::cli {
namespace {

using simulator::LatencyHistogram;
using simulator::RequestMetrics;
using simulator::SimulationResult;

// The version of the schema below, kept in the file's PRAGMA user_version. A new file (version
// 0) gets the schema; a file of this version is appended to; any other version was written by
// another scoville and is left alone. A change to the tables needs a new version, with a
// migration from the previous one.
constexpr std::int64_t kSchemaVersion = 1;

// One row in `runs` per stored run; the other tables hold rows of one run each (run_id), and
// deleting a run deletes them. Counts are of requests unless named otherwise; latencies,
// durations and objectives are in seconds; shares (utilization, mean_kv_utilization) are in
// [0, 1]. The PRAGMA at the end must set kSchemaVersion.
constexpr const char* kSchema = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,            -- 1, 2, ... in the order runs were stored
  created_at TEXT NOT NULL,          -- UTC, ISO-8601: 2025-01-31T09:30:00Z
  seed INTEGER NOT NULL,             -- the same seed and document reproduce the run
  duration_seconds REAL NOT NULL,    -- simulated, from t = 0 to the last completion
  requests INTEGER NOT NULL,         -- arrived
  finished INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  events INTEGER NOT NULL,           -- simulator events processed
  document TEXT NOT NULL             -- the simulation document (fleet, workload, seed), JSON
);

-- Per compute class of requests.
CREATE TABLE class_results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  class TEXT NOT NULL,
  finished INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  sla_met INTEGER NOT NULL,               -- finished within both objectives below
  input_tokens INTEGER NOT NULL,          -- prompt tokens of finished requests
  output_tokens INTEGER NOT NULL,
  cached_prompt_tokens INTEGER NOT NULL,  -- prompt tokens served from the prefix cache
  preempted_requests INTEGER NOT NULL,
  ttft_slo_seconds REAL NOT NULL,
  tpot_slo_seconds REAL NOT NULL
);
CREATE INDEX class_results_run_id ON class_results(run_id);

-- Per replica group; counts are summed over its replicas, rates are per replica.
CREATE TABLE group_results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  device TEXT NOT NULL,
  model TEXT NOT NULL,
  compute_class TEXT NOT NULL,
  precision TEXT NOT NULL,
  replicas INTEGER NOT NULL,
  tensor_parallel INTEGER NOT NULL,
  utilization REAL NOT NULL,              -- busy share of the run
  mean_batch_sequences REAL NOT NULL,     -- per step
  mean_kv_utilization REAL NOT NULL,      -- over busy time
  steps INTEGER NOT NULL,
  preemptions INTEGER NOT NULL,
  prefix_hits INTEGER NOT NULL,
  prefix_lookups INTEGER NOT NULL,
  hourly_cost_usd REAL NOT NULL,          -- the whole group, at the measured utilization
  tokens_per_second_busy REAL NOT NULL,   -- served tokens per busy second
  cost_usd_per_mtok REAL NOT NULL,        -- blended over input and output tokens
  input_cost_usd_per_mtok REAL NOT NULL,
  output_cost_usd_per_mtok REAL NOT NULL
);
CREATE INDEX group_results_run_id ON group_results(run_id);

-- Latency distributions: of all requests (scope 'overall', name 'all'), of a compute class
-- or of a replica group (name as in class_results.class or group_results.name). ttft: arrival
-- to first token; tpot: per output token after the first, per request; itl: between tokens,
-- per token; e2e: arrival to last token. count is of observations.
CREATE TABLE latencies (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  scope TEXT NOT NULL CHECK (scope IN ('overall', 'class', 'group')),
  name TEXT NOT NULL,
  metric TEXT NOT NULL CHECK (metric IN ('ttft', 'tpot', 'itl', 'e2e')),
  count INTEGER NOT NULL,
  mean_seconds REAL NOT NULL,
  p50_seconds REAL NOT NULL,
  p90_seconds REAL NOT NULL,
  p95_seconds REAL NOT NULL,
  p99_seconds REAL NOT NULL,
  max_seconds REAL NOT NULL
);
CREATE INDEX latencies_run_id ON latencies(run_id);

-- Requests turned away, by reason; a run without rejections has no rows.
CREATE TABLE rejections (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  requests INTEGER NOT NULL
);
CREATE INDEX rejections_run_id ON rejections(run_id);

PRAGMA user_version = 1;
)sql";

// SQLite integers are signed 64-bit; no count of a simulation comes near 2^63, but one that
// did would saturate rather than turn negative.
std::int64_t integer(std::uint64_t count) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(count, kMax));
}

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day date(days);
  const std::chrono::hh_mm_ss clock(seconds - days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

// Creates the schema in a new database or checks that an existing one has this version.
Result<void> prepare_schema(SqliteDatabase& db) {
  Result<SqliteStatement> query = db.prepare("PRAGMA user_version", "read the schema version");
  if (!query) return std::unexpected(query.error());
  Result<std::int64_t> version = query->query_integer("read the schema version");
  if (!version) return std::unexpected(version.error());

  if (*version == 0) {
    return db.execute(kSchema, "create the schema");
  }
  if (*version != kSchemaVersion) {
    return make_error(fmt::format(
        "database {} has schema version {}, which this scoville does not know (it writes "
        "version {}); store runs in another file, or use the scoville that created this one",
        db.path(), *version, kSchemaVersion));
  }
  return {};
}

Result<std::int64_t> insert_run(SqliteDatabase& db, const nlohmann::json& document,
                                std::uint64_t seed, const SimulationResult& result,
                                std::chrono::system_clock::time_point created_at) {
  Result<SqliteStatement> insert = db.prepare(
      "INSERT INTO runs (created_at, seed, duration_seconds, requests, finished, rejected, "
      "events, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      "store the run");
  if (!insert) return std::unexpected(insert.error());

  // Bytes that are not UTF-8 (from a command-line value) are replaced, as in JSON output.
  const std::string document_text =
      document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string created_text = iso8601_utc(created_at);
  Result<void> stored =
      insert->run({created_text, integer(seed), result.duration_seconds, integer(result.requests),
                   integer(result.overall.finished), integer(result.overall.rejected),
                   integer(result.events), document_text},
                  "store the run");
  if (!stored) return std::unexpected(stored.error());
  return db.last_insert_rowid();
}

Result<void> insert_classes(SqliteDatabase& db, std::int64_t run_id,
                            const SimulationResult& result) {
  Result<SqliteStatement> insert = db.prepare(
      "INSERT INTO class_results (run_id, class, finished, rejected, sla_met, input_tokens, "
      "output_tokens, cached_prompt_tokens, preempted_requests, ttft_slo_seconds, "
      "tpot_slo_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      "store class results");
  if (!insert) return std::unexpected(insert.error());

  for (const simulator::ClassResult& c : result.classes) {
    const RequestMetrics& m = c.metrics;
    Result<void> stored = insert->run(
        {run_id, c.name, integer(m.finished), integer(m.rejected), integer(m.sla_met),
         integer(m.input_tokens), integer(m.output_tokens), integer(m.cached_prompt_tokens),
         integer(m.preempted_requests), c.ttft_slo_seconds, c.tpot_slo_seconds},
        "store class results");
    if (!stored) return stored;
  }
  return {};
}

Result<void> insert_groups(SqliteDatabase& db, std::int64_t run_id,
                           const SimulationResult& result) {
  Result<SqliteStatement> insert = db.prepare(
      "INSERT INTO group_results (run_id, name, device, model, compute_class, precision, "
      "replicas, tensor_parallel, utilization, mean_batch_sequences, mean_kv_utilization, "
      "steps, preemptions, prefix_hits, prefix_lookups, hourly_cost_usd, "
      "tokens_per_second_busy, cost_usd_per_mtok, input_cost_usd_per_mtok, "
      "output_cost_usd_per_mtok) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
      "store group results");
  if (!insert) return std::unexpected(insert.error());

  for (const simulator::GroupResult& g : result.groups) {
    Result<void> stored = insert->run({run_id,
                                       g.name,
                                       g.device,
                                       g.model,
                                       g.compute_class,
                                       g.precision,
                                       std::int64_t{g.replicas},
                                       std::int64_t{g.tensor_parallel},
                                       g.utilization,
                                       g.mean_batch_sequences,
                                       g.mean_kv_utilization,
                                       integer(g.stats.steps),
                                       g.preemptions,
                                       g.prefix_hits,
                                       g.prefix_lookups,
                                       g.hourly_cost_usd,
                                       g.tokens_per_second_busy,
                                       g.cost.blended_usd_per_mtok,
                                       g.cost.input_usd_per_mtok,
                                       g.cost.output_usd_per_mtok},
                                      "store group results");
    if (!stored) return stored;
  }
  return {};
}

Result<void> insert_latencies(SqliteDatabase& db, std::int64_t run_id,
                              const SimulationResult& result) {
  Result<SqliteStatement> insert = db.prepare(
      "INSERT INTO latencies (run_id, scope, name, metric, count, mean_seconds, p50_seconds, "
      "p90_seconds, p95_seconds, p99_seconds, max_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
      "?8, ?9, ?10, ?11)",
      "store latencies");
  if (!insert) return std::unexpected(insert.error());

  const auto store = [&](std::string_view scope, std::string_view name,
                         const RequestMetrics& m) -> Result<void> {
    const std::pair<std::string_view, const LatencyHistogram*> metrics[] = {
        {"ttft", &m.ttft}, {"tpot", &m.tpot}, {"itl", &m.itl}, {"e2e", &m.e2e}};
    for (const auto& [metric, h] : metrics) {
      Result<void> stored = insert->run(
          {run_id, scope, name, metric, integer(h->count()), h->mean_seconds(), h->percentile(0.50),
           h->percentile(0.90), h->percentile(0.95), h->percentile(0.99), h->max_seconds()},
          "store latencies");
      if (!stored) return stored;
    }
    return {};
  };

  if (Result<void> stored = store("overall", "all", result.overall); !stored) return stored;
  for (const simulator::ClassResult& c : result.classes) {
    if (Result<void> stored = store("class", c.name, c.metrics); !stored) return stored;
  }
  for (const simulator::GroupResult& g : result.groups) {
    if (Result<void> stored = store("group", g.name, g.metrics); !stored) return stored;
  }
  return {};
}

Result<void> insert_rejections(SqliteDatabase& db, std::int64_t run_id,
                               const SimulationResult& result) {
  Result<SqliteStatement> insert = db.prepare(
      "INSERT INTO rejections (run_id, reason, requests) VALUES (?1, ?2, ?3)", "store rejections");
  if (!insert) return std::unexpected(insert.error());

  for (const auto& [reason, requests] : result.rejections) {
    Result<void> stored = insert->run({run_id, reason, integer(requests)}, "store rejections");
    if (!stored) return stored;
  }
  return {};
}

}  // namespace

Result<std::int64_t> store_simulation(const std::string& path, const nlohmann::json& document,
                                      std::uint64_t seed, const SimulationResult& result) {
  return store_simulation(path, document, seed, result, std::chrono::system_clock::now());
}

Result<std::int64_t> store_simulation(const std::string& path, const nlohmann::json& document,
                                      std::uint64_t seed, const SimulationResult& result,
                                      std::chrono::system_clock::time_point created_at) {
  Result<SqliteDatabase> db = SqliteDatabase::open(path);
  if (!db) return std::unexpected(db.error());

  // The schema check is inside the transaction too, so two processes storing their first
  // runs into a new file at once cannot both create the schema.
  return db->in_transaction([&]() -> Result<std::int64_t> {
    if (Result<void> schema = prepare_schema(*db); !schema) {
      return std::unexpected(schema.error());
    }
    Result<std::int64_t> run_id = insert_run(*db, document, seed, result, created_at);
    if (!run_id) return run_id;

    for (const auto insert : {insert_classes, insert_groups, insert_latencies, insert_rejections}) {
      if (Result<void> stored = insert(*db, *run_id, result); !stored) {
        return std::unexpected(stored.error());
      }
    }
    return run_id;
  });
}

}  // namespace scoville::cli
