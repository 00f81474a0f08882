#include "loadgen/load_generator.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "loadgen/model_discovery.h"
#include "loadgen/request_body.h"

namespace scoville::loadgen {
namespace {

namespace asio = router::asio;
using router::tcp;

constexpr auto kProgressInterval = std::chrono::milliseconds(200);

// After a connect failure a --duration run waits 5 ms, then twice as long each further time
// in a row, up to a second.
constexpr auto kFirstBackoff = std::chrono::milliseconds(5);
constexpr auto kLongestBackoff = std::chrono::milliseconds(1'000);

// Sub-streams of the seed, one per kind of draw, so that adding a class mix or a rate never
// changes the lengths a seed gives.
constexpr std::uint64_t kInputStream = 1;
constexpr std::uint64_t kOutputStream = 2;
constexpr std::uint64_t kClassStream = 3;
constexpr std::uint64_t kArrivalStream = 4;

// Beyond about 292 years nanoseconds overflow; no run waits that long, so times are capped.
constexpr double kLongestWaitSeconds = 1e9;

Clock::duration to_clock(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::min(seconds, kLongestWaitSeconds)));
}

simulator::Random stream_of(std::uint64_t seed, std::uint64_t stream) {
  return simulator::Random(seed).fork(stream);
}

}  // namespace

LoadGenerator::LoadGenerator(BenchSpec spec, ProgressCallback progress)
    : spec_(std::move(spec)),
      progress_(std::move(progress)),
      arrival_timer_(io_),
      progress_timer_(io_),
      backoff_timer_(io_),
      input_random_(stream_of(spec_.seed, kInputStream)),
      output_random_(stream_of(spec_.seed, kOutputStream)),
      class_random_(stream_of(spec_.seed, kClassStream)),
      input_sampler_(spec_.input_tokens),
      output_sampler_(spec_.max_tokens) {
  if (spec_.requests) {
    planned_requests_ = static_cast<std::uint64_t>(*spec_.requests + spec_.warmup_requests);
  }
}

LoadGenerator::~LoadGenerator() = default;

Result<BenchReport> LoadGenerator::run() {
  tcp::resolver resolver(io_);
  boost::system::error_code ec;
  const tcp::resolver::results_type endpoints =
      resolver.resolve(spec_.url.host, std::to_string(spec_.url.port), ec);
  if (ec) {
    return make_error(fmt::format("cannot resolve {}: {}", spec_.url.host, error_text(ec)));
  }

  const Clock::duration timeout = to_clock(spec_.timeout_seconds);
  if (spec_.model.empty()) {
    Result<std::string> model =
        fetch_first_model(io_, endpoints, spec_.url, spec_.headers,
                          std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    if (!model) {
      return make_error(model.error().message + " (give --model to skip the lookup)");
    }
    spec_.model = std::move(*model);
  }
  settings_.emplace(ConnectionSettings{
      .endpoints = endpoints,
      .authority = spec_.url.authority(),
      .request_head = request_head(spec_),
      .body_writer = RequestBodyWriter(spec_.endpoint, spec_.model, spec_.stream),
      .stream = spec_.stream,
      .timeout = timeout,
  });

  run_start_ = Clock::now();
  if (spec_.rate_per_second) {
    start_open_loop();
  } else {
    start_closed_loop();
  }
  if (progress_) schedule_progress();
  finish_if_idle();
  io_.run();
  return stats_.report();
}

void LoadGenerator::start_closed_loop() {
  std::uint64_t connections = static_cast<std::uint64_t>(spec_.concurrency);
  if (planned_requests_) connections = std::min(connections, *planned_requests_);
  for (std::uint64_t i = 0; i < connections; ++i) {
    ++in_flight_;
    new_connection().send(next_plan(Clock::now()));
  }
}

void LoadGenerator::start_open_loop() {
  simulator::ArrivalSpec arrival;
  arrival.rate_per_second = *spec_.rate_per_second;
  arrivals_.emplace(arrival, stream_of(spec_.seed, kArrivalStream));
  next_arrival_seconds_ = next_arrival();
  schedule_arrival();
}

std::optional<double> LoadGenerator::next_arrival() {
  if (planned_requests_ && sent_ >= *planned_requests_) {
    return std::nullopt;
  }
  const double arrival_seconds = arrivals_->next_arrival_seconds();
  if (spec_.duration_seconds && arrival_seconds >= *spec_.duration_seconds) {
    return std::nullopt;
  }
  return arrival_seconds;
}

// Wait for the next arrival, if there is one left.
void LoadGenerator::schedule_arrival() {
  if (!next_arrival_seconds_) {
    return;
  }
  arrival_timer_.expires_at(run_start_ + to_clock(*next_arrival_seconds_));
  arrival_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    on_arrival();
  });
}

void LoadGenerator::on_arrival() {
  // A late timer may find several arrivals due; each keeps its own scheduled time.
  const Clock::time_point now = Clock::now();
  while (next_arrival_seconds_ && run_start_ + to_clock(*next_arrival_seconds_) <= now) {
    dispatch(next_plan(run_start_ + to_clock(*next_arrival_seconds_)));
    next_arrival_seconds_ = next_arrival();
  }
  schedule_arrival();
  finish_if_idle();
}

// Redraw the progress line, then again after the interval.
void LoadGenerator::schedule_progress() {
  progress_timer_.expires_after(kProgressInterval);
  progress_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || finished_) return;
    report_progress();
    schedule_progress();
  });
}

bool LoadGenerator::more_to_send(Clock::time_point now) const {
  if (planned_requests_) {
    return sent_ < *planned_requests_;
  }
  return now < run_start_ + to_clock(spec_.duration_seconds.value_or(0.0));
}

RequestPlan LoadGenerator::next_plan(Clock::time_point start) {
  RequestPlan plan;
  plan.index = sent_++;
  plan.measured = plan.index >= static_cast<std::uint64_t>(spec_.warmup_requests);
  plan.input_tokens = input_sampler_.sample(input_random_);
  plan.max_tokens = output_sampler_.sample(output_random_);
  plan.compute_class = spec_.class_mix.sample(class_random_);
  plan.start = start;
  return plan;
}

void LoadGenerator::dispatch(const RequestPlan& plan) {
  if (!idle_.empty()) {
    ClientConnection* connection = idle_.back();
    idle_.pop_back();
    ++in_flight_;
    connection->send(plan);
  } else if (connections_.size() < static_cast<std::size_t>(spec_.concurrency)) {
    ++in_flight_;
    new_connection().send(plan);
  } else {
    waiting_.push_back(plan);
  }
}

ClientConnection& LoadGenerator::new_connection() {
  connections_.push_back(std::make_shared<ClientConnection>(
      io_.get_executor(), *settings_,
      [this](ClientConnection& connection, const RequestPlan& plan, const RequestOutcome& outcome,
             Clock::time_point finished) { on_done(connection, plan, outcome, finished); }));
  return *connections_.back();
}

void LoadGenerator::on_done(ClientConnection& connection, const RequestPlan& plan,
                            const RequestOutcome& outcome, Clock::time_point finished) {
  --in_flight_;
  if (plan.measured) {
    stats_.record(outcome, seconds_since_start(plan.start), seconds_since_start(finished));
  }

  const bool connect_failed = outcome.failure == FailureKind::kConnect;
  if (!connect_failed) backoff_rounds_ = 0;

  // The outcome has been read; the connection may take its next request.
  if (!arrivals_ && !planned_requests_ && connect_failed && more_to_send(Clock::now())) {
    back_off(connection);
  } else if (arrivals_ && !waiting_.empty()) {
    const RequestPlan next = waiting_.front();
    waiting_.pop_front();
    ++in_flight_;
    connection.send(next);
  } else if (!arrivals_ && more_to_send(Clock::now())) {
    ++in_flight_;
    connection.send(next_plan(Clock::now()));
  } else {
    idle_.push_back(&connection);
  }
  finish_if_idle();
}

void LoadGenerator::back_off(ClientConnection& connection) {
  backing_off_.push_back(&connection);
  if (backing_off_.size() > 1) return;  // the timer is set already

  // The connections that fail while one wait is set share it; each wait after the first in a
  // row (with no request getting through between) is twice as long, and none passes the
  // run's end.
  const int doublings = std::min(backoff_rounds_++, 16);
  const auto wait = std::min<Clock::duration>(kFirstBackoff * (1 << doublings), kLongestBackoff);
  const Clock::time_point end = run_start_ + to_clock(spec_.duration_seconds.value_or(0.0));
  backoff_timer_.expires_at(std::min(Clock::now() + wait, end));
  backoff_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_backoff_timer();
  });
}

void LoadGenerator::on_backoff_timer() {
  const std::vector<ClientConnection*> ready = std::exchange(backing_off_, {});
  for (ClientConnection* connection : ready) {
    if (more_to_send(Clock::now())) {
      ++in_flight_;
      connection->send(next_plan(Clock::now()));
    } else {
      idle_.push_back(connection);
    }
  }
  finish_if_idle();
}

void LoadGenerator::finish_if_idle() {
  const bool nothing_left = arrivals_ ? !next_arrival_seconds_ : !more_to_send(Clock::now());
  if (finished_ || in_flight_ > 0 || !waiting_.empty() || !backing_off_.empty() || !nothing_left) {
    return;
  }
  finished_ = true;
  arrival_timer_.cancel();
  progress_timer_.cancel();
  backoff_timer_.cancel();
  for (const auto& connection : connections_) connection->close();
  if (progress_) report_progress();
}

void LoadGenerator::report_progress() {
  BenchProgress progress;
  progress.finished = stats_.requests_ok() + stats_.requests_failed();
  progress.failed = stats_.requests_failed();
  if (spec_.requests) progress.planned = static_cast<std::uint64_t>(*spec_.requests);
  progress.elapsed_seconds = seconds_since_start(Clock::now());
  progress.duration_seconds = spec_.duration_seconds.value_or(0.0);
  progress_(progress);
}

double LoadGenerator::seconds_since_start(Clock::time_point time) const {
  return std::chrono::duration<double>(time - run_start_).count();
}

}  // namespace scoville::loadgen
