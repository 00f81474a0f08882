#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "router/asio.h"

namespace scoville::router {

class Upstream;

// A kept-alive connection to one backend, with the read buffer that belongs to it.
struct UpstreamConnection {
  explicit UpstreamConnection(IoExecutor executor) : socket(executor) {}

  TcpSocket socket;
  beast::flat_buffer buffer;
  std::string body;  // body bytes a read had to copy (chunk framing between them), capacity reused
  std::chrono::steady_clock::time_point idle_since;
};

// Idle keep-alive connections to each backend, owned by one worker thread (not thread-safe).
// Newest first, so the connections in use stay warm and the rest age out.
class ConnectionPool {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  ConnectionPool(std::size_t max_idle_per_upstream, std::chrono::milliseconds max_idle_time);

  // An idle connection to `upstream`, or null. Connections idle for longer than the limit are
  // closed rather than handed out: the backend has likely closed its end by then.
  std::unique_ptr<UpstreamConnection> acquire(const Upstream* upstream, TimePoint now);
  void release(const Upstream* upstream, std::unique_ptr<UpstreamConnection> connection,
               TimePoint now);

  std::size_t idle_count() const;
  void clear();

 private:
  const std::size_t max_idle_per_upstream_;
  const std::chrono::milliseconds max_idle_time_;
  std::map<const Upstream*, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

}  // namespace scoville::router
