#include "router/connect.h"

#include <memory>

namespace scoville::router {
namespace {

// `connect_endpoint(endpoint, done)` and `connect_results(results, done)` start the
// connection itself in the way the kind of stream asks for.
// `owner` keeps `resolver` alive until the lookup ends; null when the caller does.
template <class Resolver, class ConnectEndpoint, class ConnectResults>
void connect_to(Resolver& resolver, std::shared_ptr<void> owner, const std::string& host,
                std::uint16_t port, ConnectDone done, ConnectEndpoint connect_endpoint,
                ConnectResults connect_results) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    connect_endpoint(tcp::endpoint(address, port), std::move(done));
    return;
  }

  resolver.async_resolve(
      host, std::to_string(port),
      [owner = std::move(owner), done = std::move(done), connect_results](
          beast::error_code resolve_ec, tcp::resolver::results_type results) mutable {
        if (resolve_ec) return done(resolve_ec, "resolve");
        connect_results(std::move(results), std::move(done));
      });
}

}  // namespace

void async_connect_to(beast::tcp_stream& stream, const std::string& host, std::uint16_t port,
                      ConnectDone done) {
  auto resolver = std::make_shared<tcp::resolver>(stream.get_executor());
  connect_to(
      *resolver, resolver, host, port, std::move(done),
      [&stream](const tcp::endpoint& endpoint, ConnectDone then) {
        stream.async_connect(
            endpoint, [then = std::move(then)](beast::error_code ec) { then(ec, "connect"); });
      },
      [&stream](tcp::resolver::results_type results, ConnectDone then) {
        stream.async_connect(results,
                             [then = std::move(then)](beast::error_code ec, const tcp::endpoint&) {
                               then(ec, "connect");
                             });
      });
}

void async_connect_to(TcpSocket& socket, TcpResolver& resolver, const std::string& host,
                      std::uint16_t port, ConnectDone done) {
  connect_to(
      resolver, nullptr, host, port, std::move(done),
      [&socket](const tcp::endpoint& endpoint, ConnectDone then) {
        socket.async_connect(
            endpoint, [then = std::move(then)](beast::error_code ec) { then(ec, "connect"); });
      },
      [&socket](tcp::resolver::results_type results, ConnectDone then) {
        asio::async_connect(socket, results,
                            [then = std::move(then)](beast::error_code ec, const tcp::endpoint&) {
                              then(ec, "connect");
                            });
      });
}

}  // namespace scoville::router
