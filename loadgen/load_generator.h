#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/result.h"
#include "loadgen/bench_report.h"
#include "loadgen/bench_spec.h"
#include "loadgen/bench_stats.h"
#include "loadgen/client_connection.h"
#include "router/asio.h"
#include "simulator/arrival_process.h"
#include "simulator/length_sampler.h"
#include "simulator/random.h"

namespace scoville::loadgen {

// How far a run has come, for a progress line.
struct BenchProgress {
  std::uint64_t finished = 0;  // measured requests that ended, failed or not
  std::uint64_t failed = 0;
  std::optional<std::uint64_t> planned;  // measured requests in all, when bounded by count
  double elapsed_seconds = 0.0;
  double duration_seconds = 0.0;  // the run's length, when bounded by time
};

using ProgressCallback = std::function<void(const BenchProgress&)>;

// Drives a benchmark against an OpenAI-compatible server on one io thread.
//
// Closed loop: `concurrency` connections, each sending its next request as soon as one ends.
// Open loop (a rate): Poisson arrivals from the seed; an arrival takes an idle connection,
// opens a new one while fewer than `concurrency` are open, or else waits in line. Latencies of
// an open loop count from the scheduled arrival, so a server (or a cap) that falls behind
// shows as latency instead of silently slowing the arrivals.
//
// Request i always gets the i-th draw of input length, output length and class, whatever
// order connections finish in, so a seed fixes the requests a run sends.
class LoadGenerator {
 public:
  // `progress`, when set, is called about five times a second while the run lasts.
  explicit LoadGenerator(BenchSpec spec, ProgressCallback progress = {});
  ~LoadGenerator();

  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Resolves the server, looks up the model when the spec names none, and runs until every
  // request has ended. Fails only when the run could not start (an unknown host, no model);
  // failed requests are part of the report. Call it once.
  Result<BenchReport> run();

  // The model the requests asked for: the spec's, or the one the server listed first.
  const std::string& model() const { return spec_.model; }

 private:
  void start_closed_loop();
  void start_open_loop();
  std::optional<double> next_arrival();
  void schedule_arrival();
  void on_arrival();
  void schedule_progress();

  bool more_to_send(Clock::time_point now) const;
  RequestPlan next_plan(Clock::time_point start);
  void dispatch(const RequestPlan& plan);
  ClientConnection& new_connection();
  void on_done(ClientConnection& connection, const RequestPlan& plan, const RequestOutcome& outcome,
               Clock::time_point finished);
  // In a --duration run a connection whose request could not connect waits before its next,
  // longer after each failure in a row, so a run against a server that is down does not spin.
  void back_off(ClientConnection& connection);
  void on_backoff_timer();
  void finish_if_idle();
  void report_progress();
  double seconds_since_start(Clock::time_point time) const;

  // Immutable once run() has started.
  BenchSpec spec_;
  const ProgressCallback progress_;
  std::optional<ConnectionSettings> settings_;
  std::optional<std::uint64_t> planned_requests_;  // warm-up included

  // Owned by the io thread.
  router::asio::io_context io_;
  router::asio::steady_timer arrival_timer_;
  router::asio::steady_timer progress_timer_;
  router::asio::steady_timer backoff_timer_;
  simulator::Random input_random_;
  simulator::Random output_random_;
  simulator::Random class_random_;
  simulator::LengthSampler input_sampler_;
  simulator::LengthSampler output_sampler_;
  std::optional<simulator::ArrivalProcess> arrivals_;
  std::optional<double> next_arrival_seconds_;
  std::vector<std::shared_ptr<ClientConnection>> connections_;
  std::vector<ClientConnection*> idle_;
  std::deque<RequestPlan> waiting_;
  std::vector<ClientConnection*> backing_off_;  // each sends again when the timer fires
  int backoff_rounds_ = 0;                      // waits since a request last got through
  Clock::time_point run_start_;
  std::uint64_t sent_ = 0;
  std::uint64_t in_flight_ = 0;
  bool finished_ = false;
  BenchStats stats_;
};

}  // namespace scoville::loadgen
