#include "router/connection_pool.h"

namespace scoville::router {

ConnectionPool::ConnectionPool(std::size_t max_idle_per_upstream,
                               std::chrono::milliseconds max_idle_time)
    : max_idle_per_upstream_(max_idle_per_upstream), max_idle_time_(max_idle_time) {}

std::unique_ptr<UpstreamConnection> ConnectionPool::acquire(const Upstream* upstream,
                                                            TimePoint now) {
  auto it = idle_.find(upstream);
  if (it == idle_.end()) return nullptr;

  std::vector<std::unique_ptr<UpstreamConnection>>& idle = it->second;
  while (!idle.empty()) {
    std::unique_ptr<UpstreamConnection> connection = std::move(idle.back());
    idle.pop_back();
    if (now - connection->idle_since <= max_idle_time_ && connection->socket.is_open()) {
      return connection;
    }
  }
  return nullptr;
}

void ConnectionPool::release(const Upstream* upstream,
                             std::unique_ptr<UpstreamConnection> connection, TimePoint now) {
  std::vector<std::unique_ptr<UpstreamConnection>>& idle = idle_[upstream];
  if (idle.size() >= max_idle_per_upstream_) {
    return;  // closed by its destructor
  }
  connection->idle_since = now;
  idle.push_back(std::move(connection));
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t count = 0;
  for (const auto& [upstream, idle] : idle_) count += idle.size();
  return count;
}

void ConnectionPool::clear() { idle_.clear(); }

}  // namespace scoville::router
