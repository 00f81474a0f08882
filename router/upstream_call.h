#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "router/asio.h"
#include "router/connection_pool.h"
#include "router/relay_body.h"

namespace scoville::router {

class Upstream;

// How one attempt against a backend can fail, from the proxy's point of view.
enum class CallFailure {
  kConnect,           // refused, unreachable, or the connect timeout passed
  kFirstByteTimeout,  // connected and sent, but no response header in time
  kClosed,            // the backend closed or reset the connection
  kIdleTimeout,       // the response stopped arriving mid-body
  kDeadline,          // the request's total time ran out
  kProtocol,          // the backend's response was not valid HTTP
};

std::string_view call_failure_name(CallFailure failure);

struct CallTimeouts {
  std::chrono::milliseconds connect{2'000};
  std::chrono::milliseconds first_byte{60'000};
  std::chrono::milliseconds idle{30'000};
};

using UpstreamResponseHeader = http::response_header<>;

// Receives what one call produces. Calls arrive on the worker's thread.
class CallListener {
 public:
  virtual ~CallListener() = default;
  virtual void on_header(const UpstreamResponseHeader& header) = 0;
  virtual void on_body(std::string_view bytes) = 0;
  virtual void on_complete() = 0;
  // `response_started` tells whether the header had arrived before the failure.
  virtual void on_failure(CallFailure failure, const std::string& detail,
                          bool response_started) = 0;
};

// One HTTP exchange with one backend: takes a pooled connection (or connects), sends the
// request, reads the response header, then hands the body over as it arrives. A connection
// that ends its response cleanly goes back to the pool. A pooled connection that turns out to
// have been closed by the backend is replaced by a fresh one once, transparently.
class UpstreamCall : public std::enable_shared_from_this<UpstreamCall> {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  UpstreamCall(asio::any_io_executor executor, ConnectionPool& pool, Upstream& upstream,
               CallTimeouts timeouts, TimePoint deadline, std::shared_ptr<CallListener> listener);

  // Sends `request`, the whole HTTP/1.1 request as it goes on the wire.
  void start(std::string request);

  // Stops reading the body until resume(), so a slow client holds back the backend instead
  // of growing a buffer.
  void pause();
  void resume();

  // Abandons the call: the connection is closed and the listener hears nothing more.
  void cancel();

 private:
  void connect_fresh();
  void on_connect(beast::error_code ec);
  void do_write();
  void on_write(beast::error_code ec);
  void on_header(beast::error_code ec);
  void do_read_body();
  void on_body(beast::error_code ec);
  void fail(CallFailure failure, const std::string& detail);
  std::chrono::milliseconds phase_limit(std::chrono::milliseconds phase) const;
  bool deadline_passed() const;

  asio::any_io_executor executor_;
  ConnectionPool& pool_;
  Upstream& upstream_;
  const CallTimeouts timeouts_;
  const TimePoint deadline_;
  // Kept alive by the call while it runs; null once the call is finished or cancelled.
  std::shared_ptr<CallListener> listener_;

  std::string request_;
  std::unique_ptr<UpstreamConnection> connection_;
  std::unique_ptr<http::response_parser<RelayBody>> parser_;
  bool reused_ = false;
  bool header_seen_ = false;
  bool paused_ = false;
  bool read_pending_ = false;
};

}  // namespace scoville::router
