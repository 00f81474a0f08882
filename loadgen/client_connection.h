#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/request_body.h"
#include "loadgen/request_outcome.h"
#include "loadgen/sse_parser.h"
#include "router/asio.h"

namespace scoville::loadgen {

using Clock = std::chrono::steady_clock;

// What every connection of a run shares, built once before the first request.
struct ConnectionSettings {
  router::tcp::resolver::results_type endpoints;
  std::string authority;  // "host:port", for messages
  // The request line and the headers every request carries, each ending in CRLF; the
  // connection appends X-Compute-Class, Content-Length and the blank line.
  std::string request_head;
  RequestBodyWriter body_writer;
  bool stream = true;
  Clock::duration timeout;  // per request, from connecting (or sending) to the last byte
};

// One request a connection is asked to send.
struct RequestPlan {
  std::uint64_t index = 0;
  std::int32_t input_tokens = 1;
  std::int32_t max_tokens = 1;
  std::string_view compute_class;  // "" for no header; must outlive the request
  Clock::time_point start;         // latencies count from here
  bool measured = true;            // false for warm-up requests
};

// One keep-alive HTTP/1.1 connection to the server, carrying one request at a time. It
// connects when it has no open socket, writes the request from preformatted buffers, reads
// the response with Beast into a fixed buffer (never holding a whole stream), parses SSE as it
// arrives and timestamps content events. Every step runs under the request's deadline. Any
// failure closes the socket, so the next request starts on a fresh one; a request that meets a
// keep-alive socket the server has just closed is resent once on a new one, since nothing of
// it was processed.
//
// All calls and callbacks happen on the io_context's one thread.
class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
 public:
  // Called once per request when it ends. The outcome's views point into the connection and
  // are valid during the call only; the callback may send() the connection's next request,
  // after it has read the outcome.
  using OnDone = std::function<void(ClientConnection& connection, const RequestPlan& plan,
                                    const RequestOutcome& outcome, Clock::time_point finished)>;

  ClientConnection(router::asio::any_io_executor executor, const ConnectionSettings& settings,
                   OnDone on_done);

  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Starts `plan`; the connection must have finished its previous request.
  void send(const RequestPlan& plan);

  // Closes the socket (between requests).
  void close();

 private:
  enum class BodyMode { kStream, kWhole, kErrorStatus };

  // The async steps of one request, each a start and its completion.
  void do_connect();
  void on_connect(router::beast::error_code ec);
  void do_write();
  void on_write(router::beast::error_code ec);
  void do_read_header();
  void on_read_header(router::beast::error_code ec);
  void do_read_body();
  void on_read_body(router::beast::error_code ec);

  void take_body_bytes(std::string_view bytes);
  void take_event(std::string_view data);
  void on_body_complete();

  // True when `ec` shows a reused socket closed by the server before this request reached
  // it; the request is then resent once on a new connection.
  bool stale_socket(router::beast::error_code ec) const;
  void fail_read(router::beast::error_code ec);
  void fail(FailureKind kind, std::string message);
  void succeed(Clock::time_point finished);
  void finish(const RequestOutcome& outcome, Clock::time_point finished);

  // Immutable after construction.
  const ConnectionSettings& settings_;
  const OnDone on_done_;

  // The socket and the buffers it reuses from request to request.
  router::beast::tcp_stream stream_;
  router::beast::flat_buffer read_buffer_;
  std::array<char, 16 * 1024> body_buffer_{};
  std::optional<router::http::response_parser<router::http::buffer_body>> parser_;
  std::string per_request_head_;
  std::string body_;
  SseParser sse_;
  std::string whole_body_;  // a non-streamed reply, or the start of an error reply
  std::vector<double> gaps_seconds_;
  std::string error_message_;
  std::uint64_t requests_on_socket_ = 0;  // answered on the open socket; 0 for a fresh one

  // The request in flight.
  RequestPlan plan_;
  bool busy_ = false;
  bool resent_ = false;
  Clock::time_point deadline_;
  BodyMode mode_ = BodyMode::kWhole;
  int status_ = 0;
  std::optional<Clock::time_point> first_content_;
  Clock::time_point last_content_;
  std::optional<Clock::time_point> done_at_;  // when [DONE] arrived
  std::int64_t content_events_ = 0;
  std::optional<std::int64_t> usage_tokens_;
  std::optional<std::pair<FailureKind, std::string>> event_failure_;
};

// An error code as the end of a sentence: "connection refused", "end of stream".
std::string error_text(const router::beast::error_code& ec);

}  // namespace scoville::loadgen
