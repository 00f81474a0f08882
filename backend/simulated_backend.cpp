#include "backend/simulated_backend.h"

#include "config/closest_match.h"
#include "scheduler/scheduler_config.h"
#include "simulator/step_cost_model.h"

namespace scoville::backend {

Result<std::unique_ptr<SimulatedBackend>> SimulatedBackend::create(
    router::asio::io_context& io, const config::Config& catalog,
    const SimulatedBackendOptions& options) {
  const config::DeviceSpec* device = catalog.find_device(options.device);
  if (device == nullptr) {
    return make_error("--device: unknown device \"" + options.device + "\"" +
                      config::did_you_mean(options.device, catalog.device_ids()));
  }
  const config::ModelSpec* model = catalog.find_model(options.model);
  if (model == nullptr) {
    return make_error("--model: unknown model \"" + options.model + "\"" +
                      config::did_you_mean(options.model, catalog.model_ids()));
  }
  const std::optional<config::Precision> precision = config::parse_precision(options.precision);
  if (!precision) {
    return make_error("--precision: unknown precision \"" + options.precision + "\"" +
                      config::did_you_mean(options.precision, config::precision_names()));
  }
  const std::optional<scheduler::SchedulerConfig> scheduler =
      scheduler::scheduler_preset(options.scheduler);
  if (!scheduler) {
    return make_error("--scheduler: unknown policy \"" + options.scheduler + "\"" +
                      config::did_you_mean(options.scheduler, scheduler::scheduler_policy_names()));
  }
  if (options.faults.error_rate + options.faults.rate_limit_rate > 1.0) {
    return make_error("--error-rate and --rate-limit-rate add up to more than 1");
  }
  Result<simulator::StepCostModel> cost = simulator::StepCostModel::create(
      simulator::EngineShape{*device, *model, options.tensor_parallel, *precision,
                             config::Precision::kBf16, scheduler->memory_utilization});
  if (!cost) return make_error(cost.error().message);

  std::unique_ptr<SimulatedBackend> backend(new SimulatedBackend(options));
  backend->engine_ = std::make_unique<RealtimeEngine>(io.get_executor(), std::move(*cost),
                                                      *scheduler, scheduler::SpeculativeConfig{},
                                                      options.seed, options.time_scale);
  backend->handler_ = std::make_shared<OpenAiBackend>(options.model, *backend->engine_,
                                                      options.faults, options.seed);
  backend->server_ =
      std::make_unique<router::HttpServer>(io, backend->handler_, router::HttpServerLimits{});
  if (options.faults.refuse_rate > 0.0) {
    backend->server_->set_accept_filter(
        [handler = backend->handler_.get()] { return handler->accept_connection(); });
  }
  return backend;
}

Result<void> SimulatedBackend::listen(const std::string& host, std::uint16_t port) {
  return server_->listen(host, port);
}

}  // namespace scoville::backend
