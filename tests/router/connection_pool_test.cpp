// The per-worker pool of idle upstream connections.
#include "router/connection_pool.h"

#include <chrono>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using namespace std::chrono_literals;

// An open (but unconnected) socket stands in for a kept-alive connection.
std::unique_ptr<UpstreamConnection> open_connection(asio::io_context& io) {
  auto connection = std::make_unique<UpstreamConnection>(io.get_executor());
  connection->socket.open(tcp::v4());
  return connection;
}

const auto kNow = std::chrono::steady_clock::time_point{} + 1h;
const Upstream* const kA = reinterpret_cast<const Upstream*>(0x10);
const Upstream* const kB = reinterpret_cast<const Upstream*>(0x20);

TEST_CASE("a released connection is handed out again for the same backend only") {
  asio::io_context io;
  ConnectionPool pool(4, 1000ms);
  pool.release(kA, open_connection(io), kNow);
  CHECK(pool.idle_count() == 1);
  CHECK(pool.acquire(kB, kNow) == nullptr);
  CHECK(pool.acquire(kA, kNow) != nullptr);
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("connections idle for longer than the limit are closed, not reused") {
  asio::io_context io;
  ConnectionPool pool(4, 1000ms);
  pool.release(kA, open_connection(io), kNow);
  CHECK(pool.acquire(kA, kNow + 1001ms) == nullptr);
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("the pool keeps at most its limit of idle connections per backend") {
  asio::io_context io;
  ConnectionPool pool(2, 1000ms);
  for (int i = 0; i < 5; ++i) pool.release(kA, open_connection(io), kNow);
  CHECK(pool.idle_count() == 2);
}

TEST_CASE("a connection that was closed is never handed out") {
  asio::io_context io;
  ConnectionPool pool(4, 1000ms);
  auto connection = open_connection(io);
  connection->socket.close();
  pool.release(kA, std::move(connection), kNow);
  CHECK(pool.acquire(kA, kNow) == nullptr);
}

}  // namespace
}  // namespace scoville::router
