#include "router/upstream_call.h"

#include <limits>

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

UpstreamCall::UpstreamCall(asio::any_io_executor executor, ConnectionPool& pool, Upstream& upstream,
                           CallTimeouts timeouts, TimePoint deadline,
                           std::shared_ptr<CallListener> listener)
    : executor_(std::move(executor)),
      pool_(pool),
      upstream_(upstream),
      timeouts_(timeouts),
      deadline_(deadline),
      listener_(std::move(listener)) {}

void UpstreamCall::start(std::string request) {
  request_ = std::move(request);
  connection_ = pool_.acquire(&upstream_, std::chrono::steady_clock::now());
  if (connection_) {
    reused_ = true;
    return do_write();
  }
  connect_fresh();
}

std::chrono::milliseconds UpstreamCall::phase_limit(std::chrono::milliseconds phase) const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return std::max(std::chrono::milliseconds(1), std::min(phase, left));
}

bool UpstreamCall::deadline_passed() const { return std::chrono::steady_clock::now() >= deadline_; }

void UpstreamCall::connect_fresh() {
  reused_ = false;
  connection_ = std::make_unique<UpstreamConnection>(executor_);

  // Connect to the backend.
  connection_->stream.expires_after(phase_limit(timeouts_.connect));
  async_connect_to(connection_->stream, upstream_.spec().host, upstream_.spec().port,
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
  if (ec) {
    if (ec == beast::error::timeout && deadline_passed()) {
      return fail(CallFailure::kDeadline, "the request's time ran out while connecting");
    }
    return fail(CallFailure::kConnect, ec == beast::error::timeout
                                           ? "connect timed out"
                                           : "connect failed: " + ec.message());
  }
  connection_->stream.socket().set_option(tcp::no_delay(true), ec);
  do_write();
}

void UpstreamCall::do_write() {
  // Send the request; the first-byte timeout covers sending it and the wait for the header.
  connection_->stream.expires_after(phase_limit(timeouts_.first_byte));
  asio::async_write(
      connection_->stream, asio::buffer(request_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void UpstreamCall::on_write(beast::error_code ec) {
  if (listener_ == nullptr) return;
  if (ec) {
    if (reused_ && ec != beast::error::timeout) return connect_fresh();
    if (ec == beast::error::timeout) {
      return fail(deadline_passed() ? CallFailure::kDeadline : CallFailure::kFirstByteTimeout,
                  "timed out sending the request");
    }
    return fail(CallFailure::kClosed, "sending the request failed: " + ec.message());
  }

  // Read the response header.
  parser_ = std::make_unique<http::response_parser<RelayBody>>();
  parser_->get().body().sink = &connection_->body;
  connection_->body.clear();
  connection_->buffer.reserve(kReadBytes);
  // Boost 1.74 compares a content length against an empty limit as "too large", so
  // "no limit" is spelled as the largest one. The proxy applies its own limits.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  http::async_read_header(connection_->stream, connection_->buffer, *parser_,
                          [self = shared_from_this()](beast::error_code read_ec, std::size_t) {
                            self->on_header(read_ec);
                          });
}

void UpstreamCall::on_header(beast::error_code ec) {
  if (listener_ == nullptr) return;
  if (ec) {
    // A pooled connection the backend closed while idle fails here with nothing read.
    if (reused_ && is_closed_error(ec) && !parser_->got_some()) return connect_fresh();
    if (ec == beast::error::timeout) {
      return fail(deadline_passed() ? CallFailure::kDeadline : CallFailure::kFirstByteTimeout,
                  "no response header within the first-byte timeout");
    }
    if (is_closed_error(ec)) {
      return fail(CallFailure::kClosed, "the backend closed the connection before responding");
    }
    return fail(CallFailure::kProtocol, "invalid response header: " + ec.message());
  }

  header_seen_ = true;
  // A local reference keeps the listener alive should it cancel the call from inside.
  std::shared_ptr<CallListener> listener = listener_;
  listener->on_header(parser_->get().base());
  if (listener_ == nullptr) return;
  if (parser_->is_done()) {
    return on_body({});
  }
  do_read_body();
}

void UpstreamCall::do_read_body() {
  if (paused_ || read_pending_) return;

  read_pending_ = true;
  connection_->stream.expires_after(phase_limit(timeouts_.idle));
  http::async_read_some(connection_->stream, connection_->buffer, *parser_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          self->read_pending_ = false;
                          self->on_body(ec);
                        });
}

void UpstreamCall::on_body(beast::error_code ec) {
  if (listener_ == nullptr) return;
  if (ec) {
    if (ec == beast::error::timeout) {
      return fail(deadline_passed() ? CallFailure::kDeadline : CallFailure::kIdleTimeout,
                  "the response stopped arriving");
    }
    if (is_closed_error(ec)) {
      return fail(CallFailure::kClosed, "the backend closed the connection mid-response");
    }
    return fail(CallFailure::kProtocol, "invalid response body: " + ec.message());
  }

  if (!connection_->body.empty()) {
    std::shared_ptr<CallListener> listener = listener_;
    listener->on_body(connection_->body);
    connection_->body.clear();
    if (listener_ == nullptr) return;
  }
  if (!parser_->is_done()) {
    return do_read_body();
  }

  const bool keep = parser_->get().keep_alive();
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
  if (connection_) {
    beast::error_code ignored;
    connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection_->stream.close();
  }
}

void UpstreamCall::fail(CallFailure failure, const std::string& detail) {
  std::shared_ptr<CallListener> listener = std::exchange(listener_, nullptr);
  if (connection_) connection_->stream.close();
  if (listener != nullptr) listener->on_failure(failure, detail, header_seen_);
}

}  // namespace scoville::router
