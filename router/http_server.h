#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "config/result.h"
#include "router/asio.h"
#include "router/http_exchange.h"

namespace scoville::router {

// Limits that keep one client from holding a connection or memory hostage.
struct HttpServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // to receive a whole request
  std::chrono::milliseconds idle_timeout{60'000};    // between keep-alive requests
  std::size_t max_connections = 20'000;
};

// An HTTP/1.1 server on Boost.Beast: accepts connections, reads requests with the limits
// above (answering 400, 408, 413 or 431 itself when a client breaks them), and passes each
// complete request to the handler. Runs on the io_context it is given, which exactly one
// thread runs: connections need no strand, and a handler on that thread answers without a
// hop through the queue.
class HttpServer {
 public:
  HttpServer(asio::io_context& io, std::shared_ptr<HttpHandler> handler, HttpServerLimits limits);
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; port 0 picks a free port (see port()). With `share_port`, several
  // servers (one per worker thread) may listen on the same port and the kernel spreads new
  // connections among them.
  Result<void> listen(const std::string& host, std::uint16_t port, bool share_port = false);
  std::uint16_t port() const { return port_; }

  // Asked about each accepted connection, on the acceptor's executor: when it returns false the
  // connection is reset at once (SO_LINGER 0, then close), so the client sees a reset before
  // any byte. For injecting refused connections; set it before listen().
  void set_accept_filter(std::function<bool()> accept) { accept_filter_ = std::move(accept); }

  // Stops accepting; open connections finish their current exchange, answered with
  // Connection: close, and close.
  void stop_accepting();
  std::size_t open_connections() const;
  // Requests handed to the handler whose response has not been written out yet (thread-safe).
  std::size_t active_exchanges() const;

 private:
  class Session;
  struct Shared;

  void do_accept();
  void on_accept(beast::error_code ec, TcpSocket socket);

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  std::function<bool()> accept_filter_;
  std::uint16_t port_ = 0;
};

}  // namespace scoville::router
