#include "cli/backend_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "backend/simulated_backend.h"
#include "cli/command_status.h"
#include "cli/output_format.h"
#include "config/config.h"

namespace scoville::cli {
namespace {

// Injected delays stop at ten minutes: longer ones are typing mistakes, not tests.
constexpr std::int64_t kMaxInjectedDelayMs = 600'000;

struct BackendOptions {
  std::string listen = "127.0.0.1:8001";
  std::string config_path;
  backend::SimulatedBackendOptions backend;
};

int fail(const std::string& message) {
  std::cerr << "scoville backend: " << message << "\n";
  return kExitInputError;
}

int run_backend(const BackendOptions& o) {
  Result<config::Config> catalog =
      o.config_path.empty() ? config::builtin_config() : config::load_config(o.config_path);
  if (!catalog) return fail(catalog.error().message);
  config::ListenAddress listen;
  if (!config::parse_listen_address(o.listen, listen)) {
    return fail("--listen: expected HOST:PORT, as in 127.0.0.1:8001, got \"" + o.listen + "\"");
  }

  // One thread runs the engine, the server and every connection, so none of them needs a lock.
  router::asio::io_context io;
  Result<std::unique_ptr<backend::SimulatedBackend>> backend =
      backend::SimulatedBackend::create(io, *catalog, o.backend);
  if (!backend) return fail(backend.error().message);
  Result<void> listening = (*backend)->listen(listen.host, listen.port);
  if (!listening) return fail(listening.error().message);

  router::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    (*backend)->stop_accepting();
    io.stop();
  });
  std::cout << "scoville backend: listening on http://" << listen.host << ":" << (*backend)->port()
            << " serving " << o.backend.model << " on " << o.backend.tensor_parallel << " x "
            << o.backend.device << std::endl;
  io.run();
  return kExitOk;
}

}  // namespace

void add_backend_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BackendOptions>();
  CLI::App* c = app.add_subcommand(
      "backend", "Run a simulated OpenAI-compatible backend with a device's timing");
  c->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  c->add_option("--config", o->config_path, "Config file with catalog overrides");
  c->add_option("--device", o->backend.device, "Device catalog id")->capture_default_str();
  c->add_option("--model", o->backend.model, "Model catalog id")->capture_default_str();
  c->add_option("--tp", o->backend.tensor_parallel, "Tensor parallelism")->capture_default_str();
  c->add_option("--precision", o->backend.precision, "Weight precision")->capture_default_str();
  c->add_option("--scheduler", o->backend.scheduler, "Scheduler policy")->capture_default_str();
  c->add_option("--time-scale", o->backend.time_scale,
                "Wall seconds per simulated second (0.1 runs ten times faster)")
      ->check(positive_check())
      ->capture_default_str();
  c->add_option("--seed", o->backend.seed, "Seed")->capture_default_str();
  c->add_option("--error-rate", o->backend.faults.error_rate, "Share of requests answered 500")
      ->check(share_check());
  c->add_option("--rate-limit-rate", o->backend.faults.rate_limit_rate,
                "Share of requests answered 429 with Retry-After")
      ->check(share_check());
  c->add_option("--retry-after", o->backend.faults.retry_after_seconds,
                "Retry-After seconds on a 429")
      ->capture_default_str();
  c->add_option("--drop-after-tokens", o->backend.faults.drop_after_tokens,
                "Cut every stream after this many tokens, without its end");
  c->add_option("--added-latency-ms", o->backend.faults.added_latency_ms,
                "Hold every completion this many ms before serving it (a slow network or queue)")
      ->check(CLI::Range(std::int64_t{0}, kMaxInjectedDelayMs));
  CLI::Option* stall_after =
      c->add_option("--stall-after-tokens", o->backend.faults.stall_after_tokens,
                    "Pause every stream after this many tokens (with --stall-ms)")
          ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
  CLI::Option* stall_ms =
      c->add_option("--stall-ms", o->backend.faults.stall_ms,
                    "How long a stream pauses, in ms (with --stall-after-tokens)")
          ->check(CLI::Range(std::int64_t{1}, kMaxInjectedDelayMs));
  stall_after->needs(stall_ms);
  stall_ms->needs(stall_after);
  c->add_option("--refuse-rate", o->backend.faults.refuse_rate,
                "Share of new connections reset right after accept")
      ->check(share_check());
  c->callback([o, &exit_code] { exit_code = run_backend(*o); });
}

}  // namespace scoville::cli
