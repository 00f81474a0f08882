#pragma once

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "router/balancing_policy.h"
#include "router/upstream.h"

namespace scoville::router {

// The backend chosen for one attempt, and the class it serves in (a fallback class when the
// request's own class had nobody left).
struct Choice {
  Upstream* upstream = nullptr;
  std::string compute_class;
};

// The backends one request has tried. A request tries a few at most, so they are kept in a
// short inline list rather than a tree that allocates a node each.
class TriedBackends {
 public:
  TriedBackends() = default;
  TriedBackends(std::initializer_list<const Upstream*> upstreams) {
    for (const Upstream* upstream : upstreams) insert(upstream);
  }

  void insert(const Upstream* upstream) {
    if (!contains(upstream)) list_.push_back(upstream);
  }
  bool contains(const Upstream* upstream) const {
    return std::find(list_.begin(), list_.end(), upstream) != list_.end();
  }

 private:
  boost::container::small_vector<const Upstream*, 4> list_;
};

// Every backend the router knows, grouped by class, with each class's fallback chain.
// Thread-safe: the set of backends is fixed after construction and each Upstream guards its
// own state.
class Fleet {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  Fleet(std::vector<UpstreamSpec> specs, CircuitBreakerPolicy breaker_policy,
        std::map<std::string, std::vector<std::string>> fallback_classes,
        std::unique_ptr<BalancingPolicy> policy);

  const std::vector<std::unique_ptr<Upstream>>& upstreams() const { return upstreams_; }

  // The classes to try for a request of `compute_class`, in order: the class itself, then its
  // fallbacks breadth-first, each once. Worked out once, at construction, for every class the
  // fallbacks or the backends name; empty for any other.
  const std::vector<std::string>& class_chain(const std::string& compute_class) const;

  // Picks a backend for `model` along `chain`. Backends already `tried` are skipped while any
  // untried one is available anywhere in the chain; after that they may be tried again.
  std::optional<Choice> choose(const std::vector<std::string>& chain, const std::string& model,
                               const TriedBackends& tried, TimePoint now);

  // Why nothing could be chosen: "b1 (circuit open), b2 (unhealthy)", or a note that the
  // chain has no backend for the model.
  std::string describe_unavailable(const std::vector<std::string>& chain, const std::string& model,
                                   TimePoint now) const;

  // Whether any backend, in any class, serves `model`, and the client-facing names known.
  bool any_serves(const std::string& model) const;
  std::vector<std::string> model_names() const;
  // Whether every backend's model list is known (so an unknown model is certainly unknown).
  bool all_models_known() const;

  // How many backends are available now, in total.
  std::size_t available_count(TimePoint now) const;

 private:
  std::vector<std::string> build_chain(const std::string& compute_class) const;
  std::optional<Choice> choose_in_class(const std::string& compute_class, const std::string& model,
                                        const TriedBackends& tried, bool allow_tried,
                                        TimePoint now);

  std::vector<std::unique_ptr<Upstream>> upstreams_;
  std::map<std::string, std::vector<std::string>> fallback_classes_;
  std::map<std::string, std::vector<std::string>> chains_;
  std::unique_ptr<BalancingPolicy> policy_;
};

std::string_view availability_name(Availability availability);

}  // namespace scoville::router
