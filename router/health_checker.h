#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "router/asio.h"
#include "router/fleet.h"

namespace scoville::router {

struct HealthCheckSettings {
  std::string path = "/v1/models";
  std::chrono::milliseconds interval{5'000};
  std::chrono::milliseconds timeout{2'000};
  int unhealthy_after = 2;
  int healthy_after = 1;
};

// Probes every backend on a timer with GET `path`: a 200 within the timeout is a pass,
// anything else a failure. When the path is /v1/models, the model ids in the answer become
// the backend's models (for backends configured without one). Runs on one executor; the
// first round starts at once.
class HealthChecker {
 public:
  HealthChecker(asio::any_io_executor executor, Fleet& fleet, HealthCheckSettings settings);
  ~HealthChecker();

  void start();
  void stop();

 private:
  class Probe;

  asio::any_io_executor executor_;
  Fleet& fleet_;
  const HealthCheckSettings settings_;
  std::vector<std::shared_ptr<Probe>> probes_;
};

}  // namespace scoville::router
