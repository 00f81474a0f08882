#include "router/http_server.h"

#include <atomic>
#include <deque>
#include <optional>

#include <fmt/format.h>

#include "router/openai_error.h"

namespace scoville::router {

struct HttpServer::Shared {
  std::shared_ptr<HttpHandler> handler;
  HttpServerLimits limits;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> active_exchanges{0};  // requests whose response is not yet written
  std::atomic<bool> stopping{false};  // set by stop_accepting: no connection is kept alive
};

namespace {

// One thing to send: a whole response, the header of a stream, a chunk, or the last chunk.
struct Outgoing {
  enum class Kind { kWhole, kHeader, kChunk, kLast };
  Kind kind = Kind::kWhole;
  HttpResponse whole;
  http::response<http::empty_body> header;
  std::string data;
  std::function<void()> on_sent;
};

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

// The status line and fields of a response, as they go on the wire.
void append_header(http::response<http::empty_body>& header, std::string& out) {
  http::response_serializer<http::empty_body> serializer{header};
  serializer.split(true);
  beast::error_code ec;
  while (!ec && !serializer.is_header_done()) {
    serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
      for (const auto buffer : beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
      }
      serializer.consume(beast::buffer_bytes(buffers));
    });
  }
}

}  // namespace

// One connection: reads requests one after the other and writes what each exchange sends.
class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), deadline_(stream_.get_executor()), shared_(std::move(shared)) {
    shared_->connections.fetch_add(1);
  }
  ~Session() { shared_->connections.fetch_sub(1); }

  void start() { do_read(); }

  asio::any_io_executor executor() { return stream_.get_executor(); }
  bool closed() const { return closed_.load(); }

  void enqueue(Outgoing outgoing);
  void close();

 private:
  class Exchange;

  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void fail_request(http::status status, const std::string& message);
  void write_next();
  void on_write(beast::error_code ec, std::size_t items, bool exchange_done);
  void end_exchange();

  beast::tcp_stream stream_;
  asio::steady_timer deadline_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<Outgoing> queue_;
  std::optional<HttpResponse> whole_;
  std::string stream_bytes_;
  bool writing_ = false;
  bool keep_alive_ = true;
  bool read_timed_out_ = false;
  bool first_request_ = true;
  bool exchange_active_ = false;  // a request was handed over and its response is not written
  std::atomic<bool> closed_{false};
};

// The answer side of one request; it keeps its connection alive until it is finished.
class HttpServer::Session::Exchange final : public HttpExchange {
 public:
  explicit Exchange(std::shared_ptr<Session> session) : session_(std::move(session)) {}

  void respond(HttpResponse response) override {
    Outgoing out;
    out.kind = Outgoing::Kind::kWhole;
    out.whole = std::move(response);
    post(std::move(out));
  }
  void begin_stream(http::response<http::empty_body> header) override {
    Outgoing out;
    out.kind = Outgoing::Kind::kHeader;
    out.header = std::move(header);
    post(std::move(out));
  }
  void write_chunk(std::string data, std::function<void()> on_sent) override {
    Outgoing out;
    out.kind = Outgoing::Kind::kChunk;
    out.data = std::move(data);
    out.on_sent = std::move(on_sent);
    post(std::move(out));
  }
  void end_stream() override {
    Outgoing out;
    out.kind = Outgoing::Kind::kLast;
    post(std::move(out));
  }
  void abort() override {
    asio::post(session_->executor(), [session = session_] { session->close(); });
  }
  bool client_gone() const override { return session_->closed(); }

 private:
  void post(Outgoing out) {
    asio::post(session_->executor(), [session = session_, out = std::move(out)]() mutable {
      session->enqueue(std::move(out));
    });
  }

  std::shared_ptr<Session> session_;
};

void HttpServer::Session::do_read() {
  // Read the next request within the header deadline (the idle deadline between requests).
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
  parser_->body_limit(shared_->limits.max_body_bytes);
  read_timed_out_ = false;
  stream_.expires_never();
  deadline_.expires_after(first_request_ ? shared_->limits.header_timeout
                                         : shared_->limits.idle_timeout);
  deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->read_timed_out_ = true;
    self->stream_.cancel();
  });
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void HttpServer::Session::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  deadline_.cancel();
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
  exchange_active_ = true;
  shared_->active_exchanges.fetch_add(1);
  shared_->handler->handle(std::move(request), std::make_shared<Exchange>(shared_from_this()));
}

void HttpServer::Session::fail_request(http::status status, const std::string& message) {
  keep_alive_ = false;
  Outgoing out;
  out.kind = Outgoing::Kind::kWhole;
  out.whole = error_response(status, message, 11);
  enqueue(std::move(out));
}

void HttpServer::Session::enqueue(Outgoing outgoing) {
  if (closed_) {
    return;
  }
  queue_.push_back(std::move(outgoing));
  if (!writing_) {
    // An exchange posts its header, chunks and end one after the other; writing on the next
    // turn of the loop lets them all go out in one send.
    writing_ = true;
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }
}

void HttpServer::Session::write_next() {
  if (queue_.empty() || closed_) {
    queue_.clear();
    writing_ = false;
    return;
  }
  writing_ = true;
  // A server on its way down tells keep-alive clients so, rather than leaving them a
  // connection that will be gone before their next request.
  if (shared_->stopping.load()) keep_alive_ = false;
  auto self = shared_from_this();
  // A client that stops reading cannot hold the connection forever.
  stream_.expires_after(shared_->limits.idle_timeout);

  if (queue_.front().kind == Outgoing::Kind::kWhole) {
    whole_.emplace(std::move(queue_.front().whole));
    whole_->keep_alive(keep_alive_ && whole_->keep_alive());
    keep_alive_ = whole_->keep_alive();
    http::async_write(stream_, *whole_, [self](beast::error_code ec, std::size_t) {
      self->on_write(ec, 1, /*exchange_done=*/true);
    });
    return;
  }

  // Every queued piece of a stream goes out in one send: each send wakes the client.
  stream_bytes_.clear();
  std::size_t items = 0;
  bool exchange_done = false;
  for (Outgoing& out : queue_) {
    if (out.kind == Outgoing::Kind::kWhole) break;
    ++items;
    if (out.kind == Outgoing::Kind::kHeader) {
      out.header.chunked(true);
      out.header.keep_alive(keep_alive_);
      append_header(out.header, stream_bytes_);
    } else if (out.kind == Outgoing::Kind::kChunk && !out.data.empty()) {
      // An empty chunk would read as the end of the stream.
      stream_bytes_ += fmt::format("{:x}\r\n", out.data.size());
      stream_bytes_ += out.data;
      stream_bytes_ += "\r\n";
    } else if (out.kind == Outgoing::Kind::kLast) {
      stream_bytes_ += "0\r\n\r\n";
      exchange_done = true;
      break;
    }
  }
  asio::async_write(stream_, asio::buffer(stream_bytes_),
                    [self, items, exchange_done](beast::error_code ec, std::size_t) {
                      self->on_write(ec, items, exchange_done);
                    });
}

void HttpServer::Session::on_write(beast::error_code ec, std::size_t items, bool exchange_done) {
  // A write can complete successfully after close() ran (an abort mid-write): the queue was
  // left alone for it, and nothing more is sent.
  if (ec || closed_) {
    queue_.clear();
    return close();
  }
  for (std::size_t i = 0; i < items; ++i) {
    Outgoing finished = std::move(queue_.front());
    queue_.pop_front();
    if (finished.on_sent) finished.on_sent();
  }

  if (exchange_done) {
    end_exchange();
    whole_.reset();
    if (!keep_alive_) {
      return close();
    }
    // Anything queued after the end of an exchange has no request to belong to.
    queue_.clear();
    writing_ = false;
    return do_read();
  }
  write_next();
}

void HttpServer::Session::end_exchange() {
  if (!exchange_active_) return;
  exchange_active_ = false;
  shared_->active_exchanges.fetch_sub(1);
}

void HttpServer::Session::close() {
  if (closed_.exchange(true)) {
    return;
  }
  end_exchange();
  deadline_.cancel();
  // The front item may be the buffer of a write still in progress; on_write clears the rest.
  if (!writing_) queue_.clear();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

HttpServer::HttpServer(asio::io_context& io, std::shared_ptr<HttpHandler> handler,
                       HttpServerLimits limits)
    : io_(io), acceptor_(io), shared_(std::make_shared<Shared>()) {
  shared_->handler = std::move(handler);
  shared_->limits = limits;
}

HttpServer::~HttpServer() { stop_accepting(); }

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
  acceptor_.async_accept(asio::make_strand(io_),
                         beast::bind_front_handler(&HttpServer::on_accept, this));
}

void HttpServer::on_accept(beast::error_code ec, tcp::socket socket) {
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
      std::make_shared<Session>(std::move(socket), shared_)->start();
    }
  }
  if (acceptor_.is_open()) {
    do_accept();
  }
}

}  // namespace scoville::router
