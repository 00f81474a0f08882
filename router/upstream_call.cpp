#include "router/upstream_call.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "router/connect.h"
#include "router/upstream.h"

namespace scoville::router {
namespace {

// The most one read takes from a backend. Every open stream holds a buffer this large while it
// waits for its next event, so the size is paid per concurrent stream (16 KiB made 10,000
// streams cost 160 MB more); an SSE event is a few hundred bytes, and a bigger burst is
// simply taken in several reads. Much smaller costs throughput: Beast's default of 512 bytes
// cut a 3 KB response into six reads, each relayed to the client in its own send.
constexpr std::size_t kReadBytes = 4 * 1024;

bool is_closed_error(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

}  // namespace

std::string_view call_failure_name(CallFailure failure) {
  switch (failure) {
    case CallFailure::kConnect:
      return "connect";
    case CallFailure::kFirstByteTimeout:
      return "first_byte_timeout";
    case CallFailure::kClosed:
      return "closed";
    case CallFailure::kIdleTimeout:
      return "idle_timeout";
    case CallFailure::kDeadline:
      return "deadline";
    case CallFailure::kProtocol:
      return "protocol";
  }
  return "unknown";
}

UpstreamCall::UpstreamCall(IoExecutor executor, ConnectionPool& pool, Upstream& upstream,
                           CallTimeouts timeouts, TimePoint deadline,
                           std::shared_ptr<CallListener> listener)
    : executor_(executor),
      pool_(pool),
      upstream_(upstream),
      timeouts_(timeouts),
      deadline_(deadline),
      listener_(std::move(listener)),
      timer_(executor) {}

void UpstreamCall::start(std::string request) {
  request_ = std::move(request);
  const TimePoint now = std::chrono::steady_clock::now();

  // No phase ends sooner than the shortest limit after now.
  arm_timer(phase_end(std::min({timeouts_.connect, timeouts_.first_byte, timeouts_.idle}), now));

  connection_ = pool_.acquire(&upstream_, now);
  if (connection_) {
    reused_ = true;
    return do_write();
  }
  connect_fresh();
}

UpstreamCall::TimePoint UpstreamCall::phase_end(std::chrono::milliseconds phase,
                                                TimePoint now) const {
  return std::max(now + std::chrono::milliseconds(1), std::min(now + phase, deadline_));
}

void UpstreamCall::enter_phase(Phase phase, std::chrono::milliseconds limit) {
  phase_ = phase;
  phase_deadline_ = phase_end(limit, std::chrono::steady_clock::now());
  // A wait armed for a longer phase must not outlast this one.
  if (!timer_armed_ || timer_.expiry() > phase_deadline_) arm_timer(phase_deadline_);
}

void UpstreamCall::arm_timer(TimePoint at) {
  timer_armed_ = true;
  timer_.expires_at(at);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
}

void UpstreamCall::on_timer(beast::error_code ec) {
  // Cancelled: re-armed for an earlier end, or the call is over.
  if (ec == asio::error::operation_aborted) return;
  timer_armed_ = false;
  if (listener_ == nullptr || phase_deadline_ == TimePoint::max()) return;

  if (std::chrono::steady_clock::now() < phase_deadline_) return arm_timer(phase_deadline_);
  time_out();
}

void UpstreamCall::time_out() {
  // The phase was cut short by the request's deadline, not ended by its own limit.
  const bool out_of_time = phase_deadline_ >= deadline_;
  switch (phase_) {
    case Phase::kConnect:
      return fail(
          out_of_time ? CallFailure::kDeadline : CallFailure::kConnect,
          out_of_time ? "the request's time ran out while connecting" : "connect timed out");
    case Phase::kSend:
      return fail(out_of_time ? CallFailure::kDeadline : CallFailure::kFirstByteTimeout,
                  "timed out sending the request");
    case Phase::kHeader:
      return fail(out_of_time ? CallFailure::kDeadline : CallFailure::kFirstByteTimeout,
                  "no response header within the first-byte timeout");
    case Phase::kBody:
      return fail(out_of_time ? CallFailure::kDeadline : CallFailure::kIdleTimeout,
                  "the response stopped arriving");
    case Phase::kPaused:
    case Phase::kDone:
      return;
  }
}

void UpstreamCall::connect_fresh() {
  reused_ = false;
  connection_ = std::make_unique<UpstreamConnection>(executor_);

  enter_phase(Phase::kConnect, timeouts_.connect);
  if (!resolver_) resolver_.emplace(executor_);
  async_connect_to(connection_->socket, *resolver_, upstream_.spec().host, upstream_.spec().port,
                   [self = shared_from_this()](beast::error_code ec, std::string_view step) {
                     if (self->listener_ == nullptr) return;
                     if (ec && step == "resolve") {
                       return self->fail(
                           CallFailure::kConnect,
                           "cannot resolve " + self->upstream_.spec().host + ": " + ec.message());
                     }
                     self->on_connect(ec);
                   });
}

void UpstreamCall::on_connect(beast::error_code ec) {
  if (listener_ == nullptr) return;
  if (ec) return fail(CallFailure::kConnect, "connect failed: " + ec.message());

  connection_->socket.set_option(tcp::no_delay(true), ec);
  do_write();
}

void UpstreamCall::do_write() {
  // The first-byte timeout covers sending the request and the wait for the header.
  enter_phase(Phase::kSend, timeouts_.first_byte);
  asio::async_write(
      connection_->socket, asio::buffer(request_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void UpstreamCall::on_write(beast::error_code ec) {
  if (listener_ == nullptr) return;
  if (ec) {
    if (reused_) return connect_fresh();
    return fail(CallFailure::kClosed, "sending the request failed: " + ec.message());
  }
  begin_response();
}

void UpstreamCall::begin_response() {
  phase_ = Phase::kHeader;
  connection_->body.clear();
  parser_.emplace(connection_->body);
  connection_->buffer.reserve(kReadBytes);
  // Boost 1.74 compares a content length against an empty limit as "too large", so
  // "no limit" is spelled as the largest one. The proxy applies its own limits.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  if (connection_->buffer.size() > 0) return parse_buffered();
  read_more();
}

void UpstreamCall::read_more() {
  read_pending_ = true;
  connection_->socket.async_read_some(
      connection_->buffer.prepare(kReadBytes),
      [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
        self->read_pending_ = false;
        self->on_read(ec, bytes);
      });
}

void UpstreamCall::on_read(beast::error_code ec, std::size_t bytes) {
  if (listener_ == nullptr) return;
  if (ec == asio::error::eof) {
    // The end of the connection ends a response that runs until close, and cuts any other.
    if (!parser_->got_some()) return on_read_error(http::error::end_of_stream);
    beast::error_code eof_ec;
    parser_->put_eof(eof_ec);
    if (eof_ec) return on_read_error(eof_ec);
    return parse_buffered();
  }
  if (ec) return on_read_error(ec);

  connection_->buffer.commit(bytes);
  parse_buffered();
}

void UpstreamCall::parse_buffered() {
  beast::flat_buffer& buffer = connection_->buffer;
  while (!parser_->is_done() && buffer.size() > 0) {
    beast::error_code ec;
    const std::size_t used = parser_->put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) break;
    if (ec) return on_read_error(ec);

    if (!header_seen_ && parser_->is_header_done()) {
      header_seen_ = true;
      // Past the header, one call parses everything the buffer holds.
      parser_->eager(true);
      // A local reference keeps the listener alive should it cancel the call from inside.
      std::shared_ptr<CallListener> listener = listener_;
      listener->on_header(parser_->header());
      if (listener_ == nullptr) return;
    }
    if (used == 0) break;
  }

  // The body may be a view of the read buffer: it is handed on before the next read.
  if (const std::string_view body = parser_->body(); !body.empty()) {
    std::shared_ptr<CallListener> listener = listener_;
    listener->on_body(body);
    if (listener_ == nullptr) return;
    parser_->clear_body();
  }
  if (parser_->is_done()) return complete();
  if (!header_seen_) return read_more();
  do_read_body();
}

void UpstreamCall::on_read_error(beast::error_code ec) {
  if (!header_seen_) {
    // A pooled connection the backend closed while idle fails here with nothing read.
    if (reused_ && is_closed_error(ec) && !parser_->got_some()) return connect_fresh();
    if (is_closed_error(ec)) {
      return fail(CallFailure::kClosed, "the backend closed the connection before responding");
    }
    return fail(CallFailure::kProtocol, "invalid response header: " + ec.message());
  }
  if (is_closed_error(ec)) {
    return fail(CallFailure::kClosed, "the backend closed the connection mid-response");
  }
  fail(CallFailure::kProtocol, "invalid response body: " + ec.message());
}

void UpstreamCall::do_read_body() {
  if (paused_) {
    // A paused call waits for its client, not for the backend, and cannot time out.
    phase_ = Phase::kPaused;
    phase_deadline_ = TimePoint::max();
    return;
  }
  if (read_pending_) return;

  enter_phase(Phase::kBody, timeouts_.idle);
  read_more();
}

void UpstreamCall::complete() {
  phase_ = Phase::kDone;
  timer_.cancel();
  const bool keep = parser_->keep_alive();
  std::shared_ptr<CallListener> listener = std::exchange(listener_, nullptr);
  if (keep) {
    pool_.release(&upstream_, std::move(connection_), std::chrono::steady_clock::now());
  }
  connection_.reset();
  listener->on_complete();
}

void UpstreamCall::pause() { paused_ = true; }

void UpstreamCall::resume() {
  if (!paused_) return;
  paused_ = false;
  if (listener_ != nullptr && header_seen_) do_read_body();
}

void UpstreamCall::cancel() {
  listener_ = nullptr;
  phase_ = Phase::kDone;
  timer_.cancel();
  if (resolver_) resolver_->cancel();
  if (connection_) {
    beast::error_code ignored;
    connection_->socket.shutdown(tcp::socket::shutdown_both, ignored);
    connection_->socket.close(ignored);
  }
}

void UpstreamCall::fail(CallFailure failure, const std::string& detail) {
  std::shared_ptr<CallListener> listener = std::exchange(listener_, nullptr);
  phase_ = Phase::kDone;
  timer_.cancel();
  if (resolver_) resolver_->cancel();
  if (connection_) {
    beast::error_code ignored;
    connection_->socket.close(ignored);
  }
  if (listener != nullptr) listener->on_failure(failure, detail, header_seen_);
}

}  // namespace scoville::router
