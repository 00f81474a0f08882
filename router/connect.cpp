#include "router/connect.h"

#include <memory>

namespace scoville::router {

void async_connect_to(beast::tcp_stream& stream, const std::string& host, std::uint16_t port,
                      std::function<void(beast::error_code, std::string_view step)> done) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    stream.async_connect(
        tcp::endpoint(address, port),
        [done = std::move(done)](beast::error_code connect_ec) { done(connect_ec, "connect"); });
    return;
  }

  auto resolver = std::make_shared<tcp::resolver>(stream.get_executor());
  resolver->async_resolve(
      host, std::to_string(port),
      [&stream, resolver, done = std::move(done)](beast::error_code resolve_ec,
                                                  tcp::resolver::results_type results) mutable {
        if (resolve_ec) return done(resolve_ec, "resolve");
        stream.async_connect(
            results, [done = std::move(done)](beast::error_code connect_ec, const tcp::endpoint&) {
              done(connect_ec, "connect");
            });
      });
}

}  // namespace scoville::router
