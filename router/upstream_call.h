#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "router/asio.h"
#include "router/connection_pool.h"
#include "router/upstream_response.h"

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

  UpstreamCall(IoExecutor executor, ConnectionPool& pool, Upstream& upstream, CallTimeouts timeouts,
               TimePoint deadline, std::shared_ptr<CallListener> listener);

  // Sends `request`, the whole HTTP/1.1 request as it goes on the wire.
  void start(std::string request);

  // Stops reading the body until resume(), so a slow client holds back the backend instead
  // of growing a buffer.
  void pause();
  void resume();

  // Abandons the call: the connection is closed and the listener hears nothing more.
  void cancel();

 private:
  // What the call is waiting for, which decides what running out of time means.
  enum class Phase { kConnect, kSend, kHeader, kBody, kPaused, kDone };

  void connect_fresh();
  void on_connect(beast::error_code ec);
  void do_write();
  void on_write(beast::error_code ec);
  void begin_response();
  void read_more();
  void on_read(beast::error_code ec, std::size_t bytes);
  // Parses what the buffer holds, hands on the header and body it completes, then reads more
  // or finishes.
  void parse_buffered();
  void on_read_error(beast::error_code ec);
  void do_read_body();
  void complete();
  void fail(CallFailure failure, const std::string& detail);

  // The timer is armed once per call, for the earliest any phase could end; when it fires
  // early for the phase then running, it waits again for that phase's end. A phase moves the
  // timer only when it must end sooner than the timer is set for, which a short call never
  // needs.
  void enter_phase(Phase phase, std::chrono::milliseconds limit);
  void arm_timer(TimePoint at);
  void on_timer(beast::error_code ec);
  void time_out();
  TimePoint phase_end(std::chrono::milliseconds phase, TimePoint now) const;

  IoExecutor executor_;
  ConnectionPool& pool_;
  Upstream& upstream_;
  const CallTimeouts timeouts_;
  const TimePoint deadline_;
  // Kept alive by the call while it runs; null once the call is finished or cancelled.
  std::shared_ptr<CallListener> listener_;
  std::string request_;
  std::unique_ptr<UpstreamConnection> connection_;
  std::optional<TcpResolver> resolver_;  // while a fresh connection's name resolves
  std::optional<UpstreamResponseParser> parser_;
  SteadyTimer timer_;
  Phase phase_ = Phase::kConnect;
  TimePoint phase_deadline_ = TimePoint::max();
  bool timer_armed_ = false;
  bool reused_ = false;
  bool header_seen_ = false;
  bool paused_ = false;
  bool read_pending_ = false;
};

}  // namespace scoville::router
