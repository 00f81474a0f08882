#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "backend/openai_backend.h"
#include "backend/realtime_engine.h"
#include "config/config.h"
#include "config/result.h"
#include "router/http_server.h"

namespace scoville::backend {

// What one simulated backend runs: a device, a model, and how it misbehaves.
struct SimulatedBackendOptions {
  std::string device = "h100";
  std::string model = "llama-3.1-8b";
  int tensor_parallel = 1;
  std::string precision = "bf16";
  std::string scheduler = "vllm";
  double time_scale = 1.0;
  std::uint64_t seed = 1;
  FaultSpec faults;
};

// A complete simulated backend on one event loop: the real-time engine with the device's
// timing, the OpenAI-compatible handler in front of it, and its HTTP listener. Everything runs
// on the io_context it is given, which must be run by exactly one thread.
class SimulatedBackend {
 public:
  // Checks the options against `catalog`; each error names the flag it comes from
  // ("--device: unknown device \"h10\" (did you mean \"h100\"?)").
  static Result<std::unique_ptr<SimulatedBackend>> create(router::asio::io_context& io,
                                                          const config::Config& catalog,
                                                          const SimulatedBackendOptions& options);

  Result<void> listen(const std::string& host, std::uint16_t port);
  std::uint16_t port() const { return server_->port(); }
  void stop_accepting() { server_->stop_accepting(); }
  const SimulatedBackendOptions& options() const { return options_; }

 private:
  SimulatedBackend(SimulatedBackendOptions options) : options_(std::move(options)) {}

  SimulatedBackendOptions options_;
  std::unique_ptr<RealtimeEngine> engine_;
  std::shared_ptr<OpenAiBackend> handler_;
  std::unique_ptr<router::HttpServer> server_;
};

}  // namespace scoville::backend
