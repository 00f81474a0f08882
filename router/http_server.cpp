#include "router/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <list>
#include <optional>
#include <span>
#include <vector>

#include "router/openai_error.h"

namespace scoville::router {

struct HttpServer::Shared {
  explicit Shared(asio::io_context& io) : sweep_timer(io) {}

  std::shared_ptr<HttpHandler> handler;
  HttpServerLimits limits;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> active_exchanges{0};  // requests whose response is not yet written
  std::atomic<bool> stopping{false};  // set by stop_accepting: no connection is kept alive

  // Exchanges under way (touched on the server's thread only), and the timer that, while
  // there are some, looks every kHangupWatchAfter for those old enough to watch for a
  // hang-up. Watching costs a system call; a short exchange ends before it would pay off.
  std::list<Session*> exchanges;
  asio::steady_timer sweep_timer;
  bool sweep_armed = false;

  static void arm_sweep(const std::shared_ptr<Shared>& shared);
  void sweep(const std::shared_ptr<Shared>& self);
};

namespace {

constexpr std::chrono::milliseconds kHangupWatchAfter{100};

// A read from a client takes what the buffer has room for, within these bounds: enough for
// a usual chat request in one read, and no more than a large body needs per read.
constexpr std::size_t kMinReadBytes = 2 * 1024;
constexpr std::size_t kMaxReadBytes = 64 * 1024;

// A machine-readable code for each way a client can break the server's limits.
std::string limit_code(http::status status) {
  switch (status) {
    case http::status::request_timeout:
      return "request_timeout";
    case http::status::request_header_fields_too_large:
      return "headers_too_large";
    case http::status::payload_too_large:
      return "body_too_large";
    default:
      return "malformed_request";
  }
}

HttpResponse error_response(http::status status, const std::string& message, unsigned version) {
  HttpResponse response =
      openai_error(status, message, "invalid_request_error", version, limit_code(status));
  response.keep_alive(false);
  return response;
}

void append(std::string& out, beast::string_view text) { out.append(text.data(), text.size()); }

// Appends `value` in base `base`. Written out directly: these run for every response and
// every chunk, where a format string's parsing showed in profiles.
void append_number(std::string& out, std::uint64_t value, int base) {
  std::array<char, 20> digits;
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value, base);
  out.append(digits.data(), end);
}

void append_status_line(std::string& out, unsigned version, unsigned status,
                        beast::string_view reason) {
  out += "HTTP/";
  append_number(out, version / 10, 10);
  out += '.';
  append_number(out, version % 10, 10);
  out += ' ';
  append_number(out, status, 10);
  out += ' ';
  append(out, reason);
  out += "\r\n";
}

void append_field(std::string& out, beast::string_view name, beast::string_view value) {
  append(out, name);
  out += ": ";
  append(out, value);
  out += "\r\n";
}

// The status line and fields of a response, as they go on the wire.
void append_header(const http::response_header<>& header, std::string& out) {
  append_status_line(out, header.version(), header.result_int(), header.reason());
  for (const auto& field : header) append_field(out, field.name_string(), field.value());
  out += "\r\n";
}

}  // namespace

// One connection: reads requests one after the other and writes what each exchange sends.
// Everything it does runs on the server's one thread; an exchange answered from elsewhere
// posts its calls there.
class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  using Executor = asio::io_context::executor_type;
  using TimePoint = std::chrono::steady_clock::time_point;

  Session(TcpSocket socket, Executor executor, std::shared_ptr<Shared> shared)
      : socket_(std::move(socket)),
        executor_(executor),
        shared_(std::move(shared)),
        timer_(executor) {
    shared_->connections.fetch_add(1);
  }
  ~Session() {
    leave_exchanges();
    shared_->connections.fetch_sub(1);
  }

  void start() { do_read(); }

  Executor executor() const { return executor_; }
  bool closed() const { return closed_.load(); }

  // The answer to request number `exchange`. Calls for an exchange whose response has
  // already ended are dropped: they have no request to belong to.
  void respond(std::uint64_t exchange, HttpResponse response);
  void begin_stream(std::uint64_t exchange, http::response<http::empty_body> header);
  void begin_stream_fields(std::uint64_t exchange, unsigned status, unsigned version,
                           std::span<const HeaderField> fields);
  void write_chunk(std::uint64_t exchange, std::string_view data, std::function<void()> on_sent);
  void write_chunk_parts(std::uint64_t exchange, std::span<const std::string_view> parts,
                         std::function<void()> on_sent);
  void end_stream(std::uint64_t exchange);
  void on_client_gone(std::uint64_t exchange, std::function<void()> handler);
  void close();

 private:
  class Exchange;

  bool answering(std::uint64_t exchange) const {
    return !closed_ && exchange_open_ && exchange == exchange_id_;
  }
  void do_read();
  void read_more();
  void on_read_some(beast::error_code ec, std::size_t bytes);
  // Parses what the buffer holds; reads more, or goes on with the request once it is whole.
  void parse_buffered();
  void on_read(beast::error_code ec);
  void fail_request(http::status status, const std::string& message);
  void queue_response(HttpResponse response);
  void schedule_write();
  void write_next();
  void on_write(beast::error_code ec);
  void end_exchange();
  // The last byte of the exchange's response is written: read the next request, or close.
  void exchange_written();
  void release_callbacks();
  void watch_for_hangup();
  void stop_watching();
  void leave_exchanges();

 public:
  // Starts watching for a hang-up if the exchange under way began before `started_by`.
  void watch_if_started_by(TimePoint started_by) {
    if (exchange_started_at_ <= started_by) watch_for_hangup();
  }

 private:
  void arm_timer(TimePoint deadline);
  void on_timer();

  TcpSocket socket_;
  const Executor executor_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;

  // One timer serves both deadlines. It is moved earlier when needed, never later: when it
  // fires before the deadline it is waiting for, it is set again, so a deadline pushed back
  // at every write costs no timer operation.
  SteadyTimer timer_;
  bool timer_armed_ = false;
  TimePoint timer_expiry_{};
  bool reading_ = false;
  TimePoint read_deadline_{};   // to receive the whole next request
  TimePoint write_deadline_{};  // for the write in flight to finish
  bool read_timed_out_ = false;

  // Bytes queued for the client, and the bytes of the write in flight; callbacks run once
  // the bytes queued before them are written.
  std::string out_;
  std::vector<std::function<void()>> out_callbacks_;
  bool out_ends_exchange_ = false;
  std::string sending_;
  std::vector<std::function<void()>> sending_callbacks_;
  bool sending_ends_exchange_ = false;
  bool write_in_flight_ = false;
  bool write_posted_ = false;

  std::function<void()> hangup_handler_;  // the exchange's, run if the client hangs up
  bool watching_ = false;                 // a peek at the client's next bytes is pending
  char peeked_byte_ = 0;
  TimePoint exchange_started_at_{};
  // The session's one node of shared_->exchanges. It is moved into that list while an
  // exchange runs and back after, so joining the list allocates nothing per request.
  std::list<Session*> own_node_{nullptr};
  const std::list<Session*>::iterator node_ = own_node_.begin();
  bool in_exchanges_ = false;

  std::uint64_t exchange_id_ = 0;  // the request handed over last
  bool exchange_open_ = false;     // its response has not ended yet
  bool exchange_active_ = false;   // handed over, and its response is not written yet
  bool keep_alive_ = true;
  bool chunked_ = true;  // the stream under way is sent in chunks (not to HTTP/1.0 clients)
  bool first_request_ = true;
  std::atomic<bool> closed_{false};
};

// The answer side of one request; it keeps its connection alive until it is finished.
class HttpServer::Session::Exchange final : public HttpExchange,
                                            public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<Session> session, std::uint64_t id)
      : session_(std::move(session)), id_(id) {}

  void respond(HttpResponse response) override {
    run([response = std::move(response)](Session& session, std::uint64_t id) mutable {
      session.respond(id, std::move(response));
    });
  }
  void begin_stream(http::response<http::empty_body> header) override {
    run([header = std::move(header)](Session& session, std::uint64_t id) mutable {
      session.begin_stream(id, std::move(header));
    });
  }
  void begin_stream_fields(unsigned status, unsigned version,
                           std::span<const HeaderField> fields) override {
    if (posted_.load() == 0 && session_->executor().running_in_this_thread()) {
      return session_->begin_stream_fields(id_, status, version, fields);
    }
    HttpExchange::begin_stream_fields(status, version, fields);
  }
  void write_chunk(std::string data, std::function<void()> on_sent) override {
    run([data = std::move(data), on_sent = std::move(on_sent)](Session& session,
                                                               std::uint64_t id) mutable {
      session.write_chunk(id, data, std::move(on_sent));
    });
  }
  void write_chunk_parts(std::span<const std::string_view> parts,
                         std::function<void()> on_sent) override {
    if (posted_.load() == 0 && session_->executor().running_in_this_thread()) {
      return session_->write_chunk_parts(id_, parts, std::move(on_sent));
    }
    HttpExchange::write_chunk_parts(parts, std::move(on_sent));
  }
  void end_stream() override {
    run([](Session& session, std::uint64_t id) { session.end_stream(id); });
  }
  void abort() override {
    asio::post(session_->executor(), [session = session_] { session->close(); });
  }
  bool client_gone() const override { return session_->closed(); }
  void on_client_gone(std::function<void()> handler) override {
    run([handler = std::move(handler)](Session& session, std::uint64_t id) mutable {
      session.on_client_gone(id, std::move(handler));
    });
  }

 private:
  // Carries out `step` on the session's thread: right away when called there (the proxy
  // always is) with nothing posted before it still waiting, posted otherwise, so the calls
  // of one exchange keep their order either way.
  template <typename Step>
  void run(Step step) {
    if (posted_.load() == 0 && session_->executor().running_in_this_thread()) {
      return step(*session_, id_);
    }
    posted_.fetch_add(1);
    asio::post(session_->executor(), [self = shared_from_this(), step = std::move(step)]() mutable {
      step(*self->session_, self->id_);
      self->posted_.fetch_sub(1);
    });
  }

  std::shared_ptr<Session> session_;
  const std::uint64_t id_;
  std::atomic<int> posted_{0};
};

void HttpServer::Session::do_read() {
  // Read the next request within the header deadline (the idle deadline between requests).
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
  parser_->body_limit(shared_->limits.max_body_bytes);
  // One put() takes the header and as much of the body as the buffer holds.
  parser_->eager(true);
  read_timed_out_ = false;
  reading_ = true;
  read_deadline_ = std::chrono::steady_clock::now() +
                   (first_request_ ? shared_->limits.header_timeout : shared_->limits.idle_timeout);
  arm_timer(read_deadline_);
  // A client that sent its next request early has it waiting in the buffer already. It is
  // parsed on the next turn of the loop, not inside the end of the exchange before it.
  if (buffer_.size() > 0) {
    asio::post(executor_, [self = shared_from_this()] {
      if (!self->closed_) self->parse_buffered();
    });
    return;
  }
  read_more();
}

void HttpServer::Session::read_more() {
  // The deadline passed while the buffered bytes waited for their turn.
  if (read_timed_out_) return on_read(asio::error::operation_aborted);

  // As much as the buffer has room for, and never less than a usual request.
  const std::size_t room =
      std::clamp<std::size_t>(buffer_.capacity() - buffer_.size(), kMinReadBytes, kMaxReadBytes);
  socket_.async_read_some(buffer_.prepare(room),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->on_read_some(ec, bytes);
                          });
}

void HttpServer::Session::on_read_some(beast::error_code ec, std::size_t bytes) {
  if (ec == asio::error::eof && !read_timed_out_) {
    // The end of the connection cuts a request begun; before one it just ends the session.
    if (!parser_->got_some()) return on_read(http::error::end_of_stream);
    parser_->put_eof(ec);
    return on_read(ec);
  }
  if (ec) return on_read(ec);

  buffer_.commit(bytes);
  parse_buffered();
}

void HttpServer::Session::parse_buffered() {
  while (!parser_->is_done() && buffer_.size() > 0) {
    beast::error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) break;
    if (ec) return on_read(ec);
    if (used == 0) break;
  }
  if (parser_->is_done()) return on_read({});
  read_more();
}

void HttpServer::Session::on_read(beast::error_code ec) {
  reading_ = false;
  if (closed_) return;
  if (ec == http::error::end_of_stream || ec == asio::error::connection_reset) {
    return close();
  }
  if (read_timed_out_) {
    // A client that started a request and stalled gets told; an idle one is just closed.
    if (buffer_.size() > 0 || parser_->got_some()) {
      return fail_request(http::status::request_timeout, "the request did not arrive in time");
    }
    return close();
  }
  if (ec == http::error::header_limit) {
    return fail_request(http::status::request_header_fields_too_large,
                        "request headers are larger than the server accepts");
  }
  if (ec == http::error::body_limit) {
    return fail_request(http::status::payload_too_large,
                        "request body is larger than the server accepts");
  }
  if (ec) {
    return fail_request(http::status::bad_request, "malformed HTTP request: " + ec.message());
  }

  first_request_ = false;
  HttpRequest request = parser_->release();
  keep_alive_ = request.keep_alive();
  ++exchange_id_;
  exchange_open_ = true;
  exchange_active_ = true;
  shared_->active_exchanges.fetch_add(1);
  exchange_started_at_ = std::chrono::steady_clock::now();
  if (!in_exchanges_) {
    *node_ = this;
    shared_->exchanges.splice(shared_->exchanges.end(), own_node_, node_);
    in_exchanges_ = true;
  }
  Shared::arm_sweep(shared_);
  shared_->handler->handle(std::move(request),
                           std::make_shared<Exchange>(shared_from_this(), exchange_id_));
}

void HttpServer::Session::fail_request(http::status status, const std::string& message) {
  keep_alive_ = false;
  HttpResponse response = error_response(status, message, 11);
  const std::string code = limit_code(status);
  ProtocolError error{.status = static_cast<unsigned>(status), .code = code};
  if (parser_ && parser_->is_header_done()) {
    const auto& header = parser_->get();
    error.method = std::string_view(header.method_string().data(), header.method_string().size());
    error.target = std::string_view(header.target().data(), header.target().size());
  }
  shared_->handler->on_protocol_error(error, response);
  queue_response(std::move(response));
}

void HttpServer::Session::respond(std::uint64_t exchange, HttpResponse response) {
  if (!answering(exchange)) return;
  queue_response(std::move(response));
}

void HttpServer::Session::queue_response(HttpResponse response) {
  // A server on its way down tells keep-alive clients so, rather than leaving them a
  // connection that will be gone before their next request.
  keep_alive_ = keep_alive_ && response.keep_alive() && !shared_->stopping.load();
  response.keep_alive(keep_alive_);
  append_header(response.base(), out_);
  out_ += response.body();
  exchange_open_ = false;
  out_ends_exchange_ = true;
  schedule_write();
}

void HttpServer::Session::begin_stream(std::uint64_t exchange,
                                       http::response<http::empty_body> header) {
  // The framing fields are the server's to set; the rest go out as views of the message.
  std::vector<HeaderField> fields;
  for (const auto& field : header) {
    const http::field name = field.name();
    if (name == http::field::connection || name == http::field::transfer_encoding ||
        name == http::field::content_length) {
      continue;
    }
    fields.push_back({std::string_view(field.name_string().data(), field.name_string().size()),
                      std::string_view(field.value().data(), field.value().size())});
  }
  begin_stream_fields(exchange, header.result_int(), header.version(), fields);
}

void HttpServer::Session::begin_stream_fields(std::uint64_t exchange, unsigned status,
                                              unsigned version,
                                              std::span<const HeaderField> fields) {
  if (!answering(exchange)) return;
  // HTTP/1.0 has no chunked encoding: the body is sent as it is and ended by closing. The
  // framing fields are those Beast's chunked() and keep_alive() would set.
  chunked_ = version >= 11;
  keep_alive_ = keep_alive_ && chunked_ && !shared_->stopping.load();
  append_status_line(out_, version, status, http::obsolete_reason(http::int_to_status(status)));
  for (const HeaderField& field : fields) {
    append_field(out_, beast::string_view(field.name.data(), field.name.size()),
                 beast::string_view(field.value.data(), field.value.size()));
  }
  if (chunked_) out_ += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive_ && version >= 11) out_ += "Connection: close\r\n";
  out_ += "\r\n";
  schedule_write();
}

void HttpServer::Session::write_chunk(std::uint64_t exchange, std::string_view data,
                                      std::function<void()> on_sent) {
  write_chunk_parts(exchange, std::span<const std::string_view>(&data, 1), std::move(on_sent));
}

void HttpServer::Session::write_chunk_parts(std::uint64_t exchange,
                                            std::span<const std::string_view> parts,
                                            std::function<void()> on_sent) {
  if (!answering(exchange)) return;
  std::size_t size = 0;
  for (const std::string_view part : parts) size += part.size();
  // An empty chunk would read as the end of the stream.
  if (chunked_ && size > 0) {
    append_number(out_, size, 16);
    out_ += "\r\n";
  }
  for (const std::string_view part : parts) out_ += part;
  if (chunked_ && size > 0) out_ += "\r\n";
  if (on_sent) out_callbacks_.push_back(std::move(on_sent));
  schedule_write();
}

void HttpServer::Session::end_stream(std::uint64_t exchange) {
  if (!answering(exchange)) return;
  if (chunked_) out_ += "0\r\n\r\n";
  exchange_open_ = false;
  out_ends_exchange_ = true;
  schedule_write();
}

void HttpServer::Session::on_client_gone(std::uint64_t exchange, std::function<void()> handler) {
  if (exchange != exchange_id_) return;
  if (closed_) {
    asio::post(executor_, std::move(handler));
    return;
  }
  if (exchange_active_) hangup_handler_ = std::move(handler);
}

void HttpServer::Session::watch_for_hangup() {
  // While an exchange runs nothing reads the socket, so a client that hangs up would go
  // unnoticed until a write failed. A one-byte peek completes when the client closes (end
  // of stream) or sends its next request early (the bytes stay for their turn). A receive,
  // unlike a wait for readability, joins the socket's queue without re-arming epoll; the
  // peek still pending when the exchange ends is cancelled, which costs no system call.
  if (watching_) return;
  watching_ = true;
  socket_.async_receive(
      asio::buffer(&peeked_byte_, 1), tcp::socket::message_peek,
      [self = shared_from_this(), exchange = exchange_id_](beast::error_code ec, std::size_t) {
        self->watching_ = false;
        if (ec == asio::error::operation_aborted || self->closed_) return;
        if (!self->exchange_active_ || exchange != self->exchange_id_) return;
        if (ec) self->close();  // end of stream or a reset: the client is gone
      });
}

void HttpServer::Session::leave_exchanges() {
  if (!in_exchanges_) return;
  own_node_.splice(own_node_.end(), shared_->exchanges, node_);
  in_exchanges_ = false;
}

void HttpServer::Shared::arm_sweep(const std::shared_ptr<Shared>& shared) {
  if (shared->sweep_armed) return;
  shared->sweep_armed = true;
  shared->sweep_timer.expires_after(kHangupWatchAfter);
  // The state may be gone by the time a cancelled wait completes.
  shared->sweep_timer.async_wait([weak = std::weak_ptr<Shared>(shared)](beast::error_code ec) {
    const std::shared_ptr<Shared> self = weak.lock();
    if (!self) return;
    self->sweep_armed = false;
    if (!ec) self->sweep(self);
  });
}

void HttpServer::Shared::sweep(const std::shared_ptr<Shared>& self) {
  const auto started_by = std::chrono::steady_clock::now() - kHangupWatchAfter;
  for (Session* session : exchanges) session->watch_if_started_by(started_by);
  if (!exchanges.empty()) arm_sweep(self);
}

void HttpServer::Session::stop_watching() {
  if (!watching_) return;
  beast::error_code ignored;
  socket_.cancel(ignored);
}

void HttpServer::Session::schedule_write() {
  if (write_in_flight_ || write_posted_) return;
  // An exchange writes its header, chunks and end one after the other; sending on the next
  // turn of the loop lets them all go out in one send, and each send wakes the client.
  write_posted_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->write_posted_ = false;
    self->write_next();
  });
}

void HttpServer::Session::write_next() {
  if (closed_ || write_in_flight_) return;
  if (out_.empty()) {
    // Only callbacks, or the end of an exchange that adds no bytes (an unchunked stream),
    // are queued: what came before them is written already.
    std::vector<std::function<void()>> callbacks = std::move(out_callbacks_);
    out_callbacks_.clear();
    for (auto& callback : callbacks) callback();
    if (!closed_ && std::exchange(out_ends_exchange_, false)) exchange_written();
    return;
  }
  sending_.clear();
  std::swap(sending_, out_);
  sending_callbacks_.clear();
  std::swap(sending_callbacks_, out_callbacks_);
  sending_ends_exchange_ = std::exchange(out_ends_exchange_, false);

  // A client that stops reading cannot hold the connection forever.
  write_in_flight_ = true;
  write_deadline_ = std::chrono::steady_clock::now() + shared_->limits.idle_timeout;
  arm_timer(write_deadline_);
  asio::async_write(
      socket_, asio::buffer(sending_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void HttpServer::Session::on_write(beast::error_code ec) {
  write_in_flight_ = false;
  // A write can complete successfully after close() ran (an abort mid-write): nothing more
  // is sent.
  if (ec || closed_) {
    return close();
  }
  std::vector<std::function<void()>> callbacks = std::move(sending_callbacks_);
  sending_callbacks_.clear();
  for (auto& callback : callbacks) callback();
  if (closed_) return;

  if (sending_ends_exchange_) {
    sending_ends_exchange_ = false;
    return exchange_written();
  }
  write_next();
}

void HttpServer::Session::exchange_written() {
  end_exchange();
  if (!keep_alive_) {
    return close();
  }
  stop_watching();
  do_read();
}

void HttpServer::Session::end_exchange() {
  exchange_open_ = false;
  hangup_handler_ = nullptr;
  leave_exchanges();
  if (!exchange_active_) return;
  exchange_active_ = false;
  shared_->active_exchanges.fetch_sub(1);
}

void HttpServer::Session::release_callbacks() {
  // A handler waiting for its bytes to be written (a paused stream) must hear that they
  // never will be, or it would wait forever; it then finds the client gone.
  std::vector<std::function<void()>> callbacks = std::move(out_callbacks_);
  out_callbacks_.clear();
  if (!write_in_flight_) {
    for (auto& callback : sending_callbacks_) callbacks.push_back(std::move(callback));
    sending_callbacks_.clear();
  }
  if (callbacks.empty()) return;
  asio::post(executor_, [callbacks = std::move(callbacks)]() mutable {
    for (auto& callback : callbacks) callback();
  });
}

void HttpServer::Session::arm_timer(TimePoint deadline) {
  if (timer_armed_ && timer_expiry_ <= deadline) return;
  timer_armed_ = true;
  timer_expiry_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    // Aborted: moved earlier (a newer wait is pending) or the session closed.
    if (ec || !self) return;
    self->on_timer();
  });
}

void HttpServer::Session::on_timer() {
  timer_armed_ = false;
  if (closed_) return;
  const TimePoint now = std::chrono::steady_clock::now();
  if (write_in_flight_ && now >= write_deadline_) {
    return close();
  }
  if (reading_ && now >= read_deadline_ && !read_timed_out_) {
    read_timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  }
  if (write_in_flight_) arm_timer(write_deadline_);
  if (reading_ && !read_timed_out_) arm_timer(read_deadline_);
}

void HttpServer::Session::close() {
  if (closed_.exchange(true)) {
    return;
  }
  if (hangup_handler_ && exchange_active_) asio::post(executor_, std::move(hangup_handler_));
  end_exchange();
  timer_.cancel();
  out_.clear();
  beast::error_code ignored;
  release_callbacks();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

HttpServer::HttpServer(asio::io_context& io, std::shared_ptr<HttpHandler> handler,
                       HttpServerLimits limits)
    : io_(io), acceptor_(io), shared_(std::make_shared<Shared>(io)) {
  shared_->handler = std::move(handler);
  shared_->limits = limits;
}

HttpServer::~HttpServer() {
  stop_accepting();
  shared_->sweep_timer.cancel();
}

Result<void> HttpServer::listen(const std::string& host, std::uint16_t port, bool share_port) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return make_error("cannot listen on " + host + ": not an IP address");
  }
  const tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && share_port) {
    acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
  }
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                      ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  do_accept();
  return {};
}

void HttpServer::stop_accepting() {
  shared_->stopping.store(true);
  beast::error_code ignored;
  acceptor_.close(ignored);
}

std::size_t HttpServer::open_connections() const { return shared_->connections.load(); }

std::size_t HttpServer::active_exchanges() const { return shared_->active_exchanges.load(); }

void HttpServer::do_accept() {
  acceptor_.async_accept(io_, beast::bind_front_handler(&HttpServer::on_accept, this));
}

void HttpServer::on_accept(beast::error_code ec, TcpSocket socket) {
  if (ec == asio::error::operation_aborted) {
    return;
  }
  if (!ec) {
    if (accept_filter_ && !accept_filter_()) {
      // Linger 0 turns close into a reset instead of an orderly end of stream.
      beast::error_code ignored;
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
    } else if (shared_->connections.load() >= shared_->limits.max_connections) {
      // Over the limit: refuse at once rather than queue work nobody will serve.
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      // A streamed response leaves as several small writes (header, chunks, last chunk);
      // Nagle's algorithm would hold each back until the client acknowledged the one before,
      // which a client delaying its ACK does only after up to 40 ms.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), io_.get_executor(), shared_)->start();
    }
  }
  if (acceptor_.is_open()) {
    do_accept();
  }
}

}  // namespace scoville::router
