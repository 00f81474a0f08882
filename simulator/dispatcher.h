#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "scheduler/sequence.h"

namespace scoville::simulator {

// What a dispatcher may know of a replica when it places a request: the same signals a live
// router scrapes from its backends.
struct ReplicaLoad {
  std::size_t replica = 0;      // index in the fleet
  std::size_t outstanding = 0;  // running plus waiting requests
  double kv_utilization = 0.0;  // 0..1
  double weight = 1.0;
};

// Places each arriving request on one of the replicas that can serve it. The interface is the
// seam where the live router's policy plugs into the simulator.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;

  // Returns an index into `candidates` (never empty).
  virtual std::size_t choose(const scheduler::Sequence& request,
                             std::span<const ReplicaLoad> candidates) = 0;
};

const std::vector<std::string>& dispatcher_names();

// "round_robin" or "least_outstanding"; nullptr for any other name.
std::unique_ptr<Dispatcher> make_dispatcher(const std::string& name);

}  // namespace scoville::simulator
