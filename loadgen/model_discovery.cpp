#include "loadgen/model_discovery.h"

#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loadgen/client_connection.h"

namespace scoville::loadgen {
namespace {

namespace beast = router::beast;
namespace http = router::http;
using router::tcp;

// The lookup's state, alive until its last handler has run.
struct ModelLookup {
  explicit ModelLookup(router::asio::io_context& io) : stream(io) {}

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::empty_body> request;
  http::response_parser<http::string_body> parser;
  std::optional<Result<std::string>> result;
};

Result<std::string> first_model(const http::response<http::string_body>& response) {
  if (response.result_int() != 200) {
    return make_error(fmt::format("HTTP {}", response.result_int()));
  }
  const nlohmann::json body = nlohmann::json::parse(response.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error("the answer is not a JSON object");
  }
  const auto data = body.find("data");
  if (data == body.end() || !data->is_array() || data->empty()) {
    return make_error("the server lists no model");
  }
  const auto id = data->front().find("id");
  if (id == data->front().end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return make_error("the first model has no id");
  }
  return id->get<std::string>();
}

}  // namespace

Result<std::string> fetch_first_model(
    router::asio::io_context& io, const tcp::resolver::results_type& endpoints,
    const TargetUrl& url, const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout) {
  auto lookup = std::make_shared<ModelLookup>(io);
  const std::string target = url.target("/v1/models");
  lookup->request = {http::verb::get, target, 11};
  lookup->request.set(http::field::host, url.authority());
  lookup->request.set(http::field::user_agent, "scoville-bench/0.1");
  for (const auto& [name, value] : headers) lookup->request.set(name, value);
  lookup->parser.body_limit(16 * 1024 * 1024);

  auto done = [lookup](Result<std::string> result) {
    lookup->result = std::move(result);
    beast::error_code ignored;
    lookup->stream.socket().close(ignored);
  };
  auto failed = [done](std::string_view step, beast::error_code ec) {
    if (ec == beast::error::timeout) {
      return done(make_error(fmt::format("{} timed out", step)));
    }
    done(make_error(fmt::format("{}: {}", step, error_text(ec))));
  };

  // Connect, send, read the whole answer: each step starts the next.
  lookup->stream.expires_after(timeout);
  lookup->stream.async_connect(
      endpoints, [lookup, done, failed, &url](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return failed("cannot connect to " + url.authority(), ec);
        http::async_write(lookup->stream, lookup->request,
                          [lookup, done, failed](beast::error_code write_ec, std::size_t) {
                            if (write_ec) return failed("sending the request failed", write_ec);
                            http::async_read(
                                lookup->stream, lookup->buffer, lookup->parser,
                                [lookup, done, failed](beast::error_code read_ec, std::size_t) {
                                  if (read_ec) return failed("reading the answer failed", read_ec);
                                  done(first_model(lookup->parser.get()));
                                });
                          });
      });
  io.run();
  io.restart();

  if (!lookup->result) {
    return make_error(fmt::format("GET {}: no answer", target));
  }
  if (!*lookup->result) {
    return make_error(
        fmt::format("GET {}/v1/models: {}", url.to_string(), lookup->result->error().message));
  }
  return std::move(**lookup->result);
}

}  // namespace scoville::loadgen
