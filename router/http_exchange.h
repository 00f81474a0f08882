#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "router/asio.h"

namespace scoville::router {

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// One header field as views, for the calls below that take fields without a message.
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// The answer side of one HTTP exchange, handed to a handler with the request. A handler
// either sends one whole response, or starts a chunked stream and writes to it piece by
// piece (for server-sent events), then ends it. Calls may come from any thread; they are
// carried out in order on the connection's executor. After the exchange is finished the
// connection reads the next request (keep-alive) or closes.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;

  virtual void respond(HttpResponse response) = 0;

  // Sends the status line and headers of a chunked response.
  virtual void begin_stream(http::response<http::empty_body> header) = 0;
  // The same from views, which need live only during the call: an exchange on its
  // connection's thread writes them straight out, with no message built. The fields must not
  // describe the connection or the framing (Connection, Transfer-Encoding, Content-Length).
  virtual void begin_stream_fields(unsigned status, unsigned version,
                                   std::span<const HeaderField> fields) {
    http::response<http::empty_body> header;
    header.result(status);
    header.version(version);
    for (const HeaderField& field : fields) {
      header.insert(beast::string_view(field.name.data(), field.name.size()),
                    beast::string_view(field.value.data(), field.value.size()));
    }
    begin_stream(std::move(header));
  }
  // Sends one chunk; `on_sent` (optional) runs once it has been written, for back-pressure.
  virtual void write_chunk(std::string data, std::function<void()> on_sent = {}) = 0;
  // Sends the parts, in order, as one chunk. The parts need live only during the call: an
  // exchange on its connection's thread copies them straight to the output, with no string
  // in between; this default joins them and writes that.
  virtual void write_chunk_parts(std::span<const std::string_view> parts,
                                 std::function<void()> on_sent = {}) {
    std::string data;
    for (const std::string_view part : parts) data += part;
    write_chunk(std::move(data), std::move(on_sent));
  }
  // Sends the last chunk.
  virtual void end_stream() = 0;

  // Drops the connection without finishing the response, as a crashing server would.
  virtual void abort() = 0;

  // Whether the client went away; a streaming handler stops producing when it did.
  virtual bool client_gone() const = 0;

  // Runs `handler` (once, on the connection's executor) if the client hangs up before the
  // response has been written, even while nothing is being sent: a proxy waiting on a
  // backend's first token stops the backend at once rather than at its first bytes.
  virtual void on_client_gone(std::function<void()> /*handler*/) {}
};

// A request the server answered itself because the client broke its limits or HTTP: what
// the server knew of it when it gave up.
struct ProtocolError {
  unsigned status = 0;
  std::string_view code;    // the error code in the response body: request_timeout, ...
  std::string_view method;  // empty when the request line had not arrived
  std::string_view target;
};

// Handles requests: called on the connection's executor for each complete request.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) = 0;

  // Told of each error response the server sends on its own, before it is sent, so the
  // handler can count and log it and add its own headers (a request id).
  virtual void on_protocol_error(const ProtocolError& /*error*/, HttpResponse& /*response*/) {}
};

}  // namespace scoville::router
