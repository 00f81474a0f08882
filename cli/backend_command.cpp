#include "cli/backend_command.h"

#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "backend/openai_backend.h"
#include "backend/realtime_engine.h"
#include "cli/command_status.h"
#include "cli/output_format.h"
#include "config/closest_match.h"
#include "config/config.h"
#include "router/http_server.h"
#include "scheduler/scheduler_config.h"
#include "simulator/step_cost_model.h"

namespace scoville::cli {
namespace {

// Injected delays stop at ten minutes: longer ones are typing mistakes, not tests.
constexpr std::int64_t kMaxInjectedDelayMs = 600'000;

struct BackendOptions {
  std::string listen = "127.0.0.1:8001";
  std::string config_path;
  std::string device = "h100";
  std::string model = "llama-3.1-8b";
  int tensor_parallel = 1;
  std::string precision = "bf16";
  std::string scheduler = "vllm";
  double time_scale = 1.0;
  std::uint64_t seed = 1;
  backend::FaultSpec faults;
};

int fail(const std::string& message) {
  std::cerr << "scoville backend: " << message << "\n";
  return kExitInputError;
}

// "HOST:PORT" with a numeric port (0 picks a free one).
bool split_listen(const std::string& text, std::string& host, std::uint16_t& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  unsigned value = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

int run_backend(const BackendOptions& o) {
  Result<config::Config> catalog =
      o.config_path.empty() ? config::builtin_config() : config::load_config(o.config_path);
  if (!catalog) return fail(catalog.error().message);
  const config::DeviceSpec* device = catalog->find_device(o.device);
  if (device == nullptr) {
    return fail("--device: unknown device \"" + o.device + "\"" +
                config::did_you_mean(o.device, catalog->device_ids()));
  }
  const config::ModelSpec* model = catalog->find_model(o.model);
  if (model == nullptr) {
    return fail("--model: unknown model \"" + o.model + "\"" +
                config::did_you_mean(o.model, catalog->model_ids()));
  }
  const std::optional<config::Precision> precision = config::parse_precision(o.precision);
  if (!precision) {
    return fail("--precision: unknown precision \"" + o.precision + "\"" +
                config::did_you_mean(o.precision, config::precision_names()));
  }
  const std::optional<scheduler::SchedulerConfig> scheduler =
      scheduler::scheduler_preset(o.scheduler);
  if (!scheduler) {
    return fail("--scheduler: unknown policy \"" + o.scheduler + "\"" +
                config::did_you_mean(o.scheduler, scheduler::scheduler_policy_names()));
  }
  std::string host;
  std::uint16_t port = 0;
  if (!split_listen(o.listen, host, port)) {
    return fail("--listen: expected HOST:PORT, as in 127.0.0.1:8001, got \"" + o.listen + "\"");
  }

  Result<simulator::StepCostModel> cost = simulator::StepCostModel::create(
      simulator::EngineShape{*device, *model, o.tensor_parallel, *precision,
                             config::Precision::kBf16, scheduler->memory_utilization});
  if (!cost) return fail(cost.error().message);

  router::asio::io_context io;
  backend::RealtimeEngine engine(io.get_executor(), std::move(*cost), *scheduler,
                                 scheduler::SpeculativeConfig{}, o.seed, o.time_scale);
  if (o.faults.error_rate + o.faults.rate_limit_rate > 1.0) {
    return fail("--error-rate and --rate-limit-rate add up to more than 1");
  }
  auto handler = std::make_shared<backend::OpenAiBackend>(o.model, engine, o.faults, o.seed);
  // One thread runs the engine, the server and every connection, so none of them needs a lock.
  router::HttpServer server(io, handler, router::HttpServerLimits{});
  if (o.faults.refuse_rate > 0.0) {
    server.set_accept_filter([&handler] { return handler->accept_connection(); });
  }
  Result<void> listening = server.listen(host, port);
  if (!listening) return fail(listening.error().message);

  router::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop_accepting();
    io.stop();
  });
  std::cout << "scoville backend: listening on http://" << host << ":" << server.port()
            << " serving " << o.model << " on " << o.tensor_parallel << " x " << o.device
            << std::endl;
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
  c->add_option("--device", o->device, "Device catalog id")->capture_default_str();
  c->add_option("--model", o->model, "Model catalog id")->capture_default_str();
  c->add_option("--tp", o->tensor_parallel, "Tensor parallelism")->capture_default_str();
  c->add_option("--precision", o->precision, "Weight precision")->capture_default_str();
  c->add_option("--scheduler", o->scheduler, "Scheduler policy")->capture_default_str();
  c->add_option("--time-scale", o->time_scale,
                "Wall seconds per simulated second (0.1 runs ten times faster)")
      ->check(positive_check())
      ->capture_default_str();
  c->add_option("--seed", o->seed, "Seed")->capture_default_str();
  c->add_option("--error-rate", o->faults.error_rate, "Share of requests answered 500")
      ->check(share_check());
  c->add_option("--rate-limit-rate", o->faults.rate_limit_rate,
                "Share of requests answered 429 with Retry-After")
      ->check(share_check());
  c->add_option("--retry-after", o->faults.retry_after_seconds, "Retry-After seconds on a 429")
      ->capture_default_str();
  c->add_option("--drop-after-tokens", o->faults.drop_after_tokens,
                "Cut every stream after this many tokens, without its end");
  c->add_option("--added-latency-ms", o->faults.added_latency_ms,
                "Hold every completion this many ms before serving it (a slow network or queue)")
      ->check(CLI::Range(std::int64_t{0}, kMaxInjectedDelayMs));
  CLI::Option* stall_after =
      c->add_option("--stall-after-tokens", o->faults.stall_after_tokens,
                    "Pause every stream after this many tokens (with --stall-ms)")
          ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
  CLI::Option* stall_ms =
      c->add_option("--stall-ms", o->faults.stall_ms,
                    "How long a stream pauses, in ms (with --stall-after-tokens)")
          ->check(CLI::Range(std::int64_t{1}, kMaxInjectedDelayMs));
  stall_after->needs(stall_ms);
  stall_ms->needs(stall_after);
  c->add_option("--refuse-rate", o->faults.refuse_rate,
                "Share of new connections reset right after accept")
      ->check(share_check());
  c->callback([o, &exit_code] { exit_code = run_backend(*o); });
}

}  // namespace scoville::cli
