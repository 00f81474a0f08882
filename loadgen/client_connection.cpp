#include "loadgen/client_connection.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "loadgen/chunk_summary.h"

namespace scoville::loadgen {
namespace {

namespace asio = router::asio;
namespace beast = router::beast;
namespace http = router::http;
using router::tcp;

// A whole reply beyond this is not a completion; keeping it would only grow memory.
constexpr std::size_t kMaxWholeBodyBytes = 64 * 1024 * 1024;
// Chunks are a few hundred bytes; one this large is a server that never ends its events.
constexpr std::size_t kMaxEventBytes = 1024 * 1024;
// Enough of an error reply to quote its message.
constexpr std::size_t kMaxErrorBodyBytes = 4 * 1024;
constexpr std::size_t kMaxQuotedCharacters = 200;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// The message of an OpenAI error body, or the body's start when it is not one.
std::string error_body_text(const std::string& body) {
  const ChunkSummary summary = summarize_chunk(body);
  std::string text =
      summary.is_error && !summary.error_message.empty() ? summary.error_message : body;
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (text.size() > kMaxQuotedCharacters) text = text.substr(0, kMaxQuotedCharacters) + "...";
  return text;
}

}  // namespace

std::string error_text(const beast::error_code& ec) {
  std::string text = ec.message();
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

ClientConnection::ClientConnection(asio::any_io_executor executor,
                                   const ConnectionSettings& settings, OnDone on_done)
    : settings_(settings), on_done_(std::move(on_done)), stream_(std::move(executor)) {}

void ClientConnection::send(const RequestPlan& plan) {
  assert(!busy_);
  plan_ = plan;
  busy_ = true;
  resent_ = false;
  deadline_ = Clock::now() + settings_.timeout;
  status_ = 0;
  first_content_.reset();
  done_at_.reset();
  content_events_ = 0;
  usage_tokens_.reset();
  event_failure_.reset();
  gaps_seconds_.clear();
  sse_.reset();
  whole_body_.clear();
  // The last response's parser would make a fresh request look answered (see stale_socket).
  parser_.reset();

  settings_.body_writer.write(plan.index, plan.input_tokens, plan.max_tokens, body_);
  per_request_head_.clear();
  if (!plan.compute_class.empty()) {
    per_request_head_ += "X-Compute-Class: ";
    per_request_head_ += plan.compute_class;
    per_request_head_ += "\r\n";
  }
  fmt::format_to(std::back_inserter(per_request_head_), "Content-Length: {}\r\n\r\n", body_.size());

  if (stream_.socket().is_open()) {
    do_write();
  } else {
    do_connect();
  }
}

void ClientConnection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  requests_on_socket_ = 0;
}

// Open a new socket to the server.
void ClientConnection::do_connect() {
  close();
  read_buffer_.clear();
  stream_.expires_at(deadline_);
  stream_.async_connect(settings_.endpoints,
                        [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                          self->on_connect(ec);
                        });
}

void ClientConnection::on_connect(beast::error_code ec) {
  if (ec == beast::error::timeout) {
    return fail(FailureKind::kTimeout,
                fmt::format("no connection to {} within the timeout", settings_.authority));
  }
  if (ec) {
    return fail(FailureKind::kConnect,
                fmt::format("cannot connect to {}: {}", settings_.authority, error_text(ec)));
  }

  // Small writes of a request must not wait for the acknowledgement of the previous one.
  beast::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
  do_write();
}

// Send the request: the shared head, this request's headers and the body, in one write.
void ClientConnection::do_write() {
  const std::array<asio::const_buffer, 3> buffers = {
      asio::buffer(settings_.request_head), asio::buffer(per_request_head_), asio::buffer(body_)};
  stream_.expires_at(deadline_);
  asio::async_write(
      stream_, buffers,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void ClientConnection::on_write(beast::error_code ec) {
  if (ec && stale_socket(ec)) {
    resent_ = true;
    return do_connect();
  }
  if (ec == beast::error::timeout) {
    return fail(FailureKind::kTimeout, "the request could not be sent within the timeout");
  }
  if (ec) {
    return fail(FailureKind::kProtocol, "sending the request failed: " + error_text(ec));
  }

  parser_.emplace();
  // A stream is as long as the server makes it; only the deadline bounds it.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  do_read_header();
}

// Read the status line and headers.
void ClientConnection::do_read_header() {
  stream_.expires_at(deadline_);
  http::async_read_header(
      stream_, read_buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read_header(ec); });
}

void ClientConnection::on_read_header(beast::error_code ec) {
  if (ec && stale_socket(ec)) {
    resent_ = true;
    return do_connect();
  }
  if (ec) {
    return fail_read(ec);
  }

  const auto& header = parser_->get();
  status_ = static_cast<int>(header.result_int());
  if (status_ >= 400) {
    mode_ = BodyMode::kErrorStatus;
  } else if (status_ < 200 || status_ >= 300) {
    return fail(FailureKind::kProtocol, fmt::format("unexpected HTTP status {}", status_));
  } else {
    // A server that ignores "stream": true answers with one JSON body, which is read whole.
    const beast::string_view type = header[http::field::content_type];
    const std::string_view content_type(type.data(), type.size());
    mode_ = settings_.stream && content_type.starts_with("text/event-stream") ? BodyMode::kStream
                                                                              : BodyMode::kWhole;
  }
  do_read_body();
}

// Read the next piece of the body into the fixed buffer.
void ClientConnection::do_read_body() {
  if (parser_->is_done()) {
    return on_body_complete();
  }
  auto& body = parser_->get().body();
  body.data = body_buffer_.data();
  body.size = body_buffer_.size();
  stream_.expires_at(deadline_);
  http::async_read_some(
      stream_, read_buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read_body(ec); });
}

void ClientConnection::on_read_body(beast::error_code ec) {
  // need_buffer only says that the body buffer is full.
  if (ec == http::error::need_buffer) ec = {};

  const std::size_t received = body_buffer_.size() - parser_->get().body().size;
  if (received > 0) {
    take_body_bytes(std::string_view(body_buffer_.data(), received));
  }
  if (event_failure_) {
    auto [kind, message] = std::move(*event_failure_);
    return fail(kind, std::move(message));
  }

  // A server that sent [DONE] has answered; a connection it then drops is its own affair.
  if (ec && done_at_) {
    close();
    return succeed(*done_at_);
  }
  if (ec) {
    return fail_read(ec);
  }
  do_read_body();
}

void ClientConnection::take_body_bytes(std::string_view bytes) {
  switch (mode_) {
    case BodyMode::kStream:
      sse_.feed(bytes, [this](std::string_view data) { take_event(data); });
      if (sse_.held_bytes() > kMaxEventBytes && !event_failure_) {
        event_failure_.emplace(FailureKind::kProtocol, "a streamed event exceeds 1 MiB");
      }
      return;
    case BodyMode::kWhole:
      if (whole_body_.size() + bytes.size() > kMaxWholeBodyBytes) {
        if (!event_failure_) {
          event_failure_.emplace(FailureKind::kProtocol, "the response body exceeds 64 MiB");
        }
        return;
      }
      whole_body_.append(bytes);
      return;
    case BodyMode::kErrorStatus:
      whole_body_.append(
          bytes.substr(0, kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, whole_body_.size())));
      return;
  }
}

// One server-sent event. Failures are only noted here: the parser is still iterating over
// its buffers, and finishing the request could start the next one on this connection.
void ClientConnection::take_event(std::string_view data) {
  if (event_failure_ || done_at_) {
    return;
  }
  const Clock::time_point now = Clock::now();
  if (data == "[DONE]") {
    done_at_ = now;
    return;
  }

  const ChunkSummary chunk = summarize_chunk(data);
  if (!chunk.parsed) {
    const std::string_view start = data.substr(0, kMaxQuotedCharacters);
    event_failure_.emplace(FailureKind::kProtocol,
                           fmt::format("a streamed event is not JSON: \"{}\"", start));
    return;
  }
  if (chunk.is_error) {
    event_failure_.emplace(
        FailureKind::kStreamError,
        fmt::format("the stream sent an error after {} content events: {}", content_events_,
                    chunk.error_message.empty() ? std::string(data.substr(0, kMaxQuotedCharacters))
                                                : chunk.error_message));
    return;
  }
  if (chunk.completion_tokens) usage_tokens_ = chunk.completion_tokens;
  if (chunk.content_characters == 0) {
    return;
  }

  if (first_content_) {
    gaps_seconds_.push_back(seconds_between(last_content_, now));
  } else {
    first_content_ = now;
  }
  last_content_ = now;
  ++content_events_;
}

void ClientConnection::on_body_complete() {
  const Clock::time_point now = Clock::now();
  if (!parser_->keep_alive()) close();

  switch (mode_) {
    case BodyMode::kErrorStatus:
      return fail(status_ < 500 ? FailureKind::kHttp4xx : FailureKind::kHttp5xx,
                  fmt::format("HTTP {}: {}", status_, error_body_text(whole_body_)));
    case BodyMode::kStream:
      if (!done_at_) {
        return fail(FailureKind::kStreamError,
                    fmt::format("the stream ended without [DONE] after {} content events",
                                content_events_));
      }
      return succeed(*done_at_);
    case BodyMode::kWhole: {
      const ChunkSummary reply = summarize_chunk(whole_body_);
      if (!reply.parsed) {
        return fail(FailureKind::kProtocol,
                    "the response body is not JSON: \"" + error_body_text(whole_body_) + "\"");
      }
      if (reply.is_error) {
        return fail(FailureKind::kProtocol,
                    fmt::format("HTTP {} with an error: {}", status_, reply.error_message));
      }
      usage_tokens_ = reply.completion_tokens;
      // Without usage, the reply's length stands in for its tokens.
      if (!usage_tokens_) {
        usage_tokens_ = static_cast<std::int64_t>(reply.content_characters) / kCharactersPerToken;
      }
      return succeed(now);
    }
  }
}

bool ClientConnection::stale_socket(beast::error_code ec) const {
  const bool closed = ec == http::error::end_of_stream || ec == asio::error::eof ||
                      ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
  const bool nothing_received = !parser_ || !parser_->got_some();
  return closed && nothing_received && requests_on_socket_ > 0 && !resent_;
}

void ClientConnection::fail_read(beast::error_code ec) {
  if (ec == beast::error::timeout) {
    const double seconds = std::chrono::duration<double>(settings_.timeout).count();
    return fail(FailureKind::kTimeout,
                fmt::format("no complete response within {:g} s ({} content events by then)",
                            seconds, content_events_));
  }
  if (!parser_->is_header_done()) {
    const bool closed = ec == http::error::end_of_stream || ec == asio::error::eof ||
                        ec == asio::error::connection_reset;
    return fail(FailureKind::kProtocol, closed
                                            ? "the server closed the connection before responding"
                                            : "malformed response header: " + error_text(ec));
  }
  if (mode_ == BodyMode::kStream) {
    return fail(FailureKind::kStreamError,
                fmt::format("the stream was cut after {} content events ({})", content_events_,
                            error_text(ec)));
  }
  fail(FailureKind::kProtocol, "the response was cut short: " + error_text(ec));
}

void ClientConnection::fail(FailureKind kind, std::string message) {
  close();
  error_message_ = std::move(message);
  RequestOutcome outcome;
  outcome.failure = kind;
  outcome.http_status = status_;
  outcome.error_message = error_message_;
  finish(outcome, Clock::now());
}

void ClientConnection::succeed(Clock::time_point finished) {
  ++requests_on_socket_;
  RequestOutcome outcome;
  outcome.http_status = status_;
  outcome.total_seconds = seconds_between(plan_.start, finished);
  if (first_content_) outcome.ttft_seconds = seconds_between(plan_.start, *first_content_);
  outcome.inter_token_gaps_seconds = gaps_seconds_;
  outcome.output_tokens = usage_tokens_.value_or(content_events_);
  finish(outcome, finished);
}

void ClientConnection::finish(const RequestOutcome& outcome, Clock::time_point finished) {
  // The callback may send the next request, which overwrites plan_.
  const RequestPlan plan = plan_;
  busy_ = false;
  on_done_(*this, plan, outcome, finished);
}

}  // namespace scoville::loadgen
