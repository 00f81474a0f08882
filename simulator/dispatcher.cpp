#include "simulator/dispatcher.h"

namespace scoville::simulator {
namespace {

// Cycles through the candidates of each request's class in turn.
class RoundRobinDispatcher final : public Dispatcher {
 public:
  std::size_t choose(const scheduler::Sequence& /*request*/,
                     std::span<const ReplicaLoad> candidates) override {
    return next_++ % candidates.size();
  }

 private:
  std::size_t next_ = 0;
};

// The candidate with the fewest outstanding requests per unit of weight; ties go to the
// lower index, so runs are reproducible.
class LeastOutstandingDispatcher final : public Dispatcher {
 public:
  std::size_t choose(const scheduler::Sequence& /*request*/,
                     std::span<const ReplicaLoad> candidates) override {
    std::size_t best = 0;
    double best_load = static_cast<double>(candidates[0].outstanding) / candidates[0].weight;
    for (std::size_t i = 1; i < candidates.size(); ++i) {
      const double load = static_cast<double>(candidates[i].outstanding) / candidates[i].weight;
      if (load < best_load) {
        best = i;
        best_load = load;
      }
    }
    return best;
  }
};

}  // namespace

const std::vector<std::string>& dispatcher_names() {
  static const std::vector<std::string> names = {"least_outstanding", "round_robin"};
  return names;
}

std::unique_ptr<Dispatcher> make_dispatcher(const std::string& name) {
  if (name == "round_robin") {
    return std::make_unique<RoundRobinDispatcher>();
  }
  if (name == "least_outstanding") {
    return std::make_unique<LeastOutstandingDispatcher>();
  }
  return nullptr;
}

}  // namespace scoville::simulator
