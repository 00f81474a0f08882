#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "router/asio.h"

namespace scoville::router {

using ConnectDone = std::function<void(beast::error_code, std::string_view step)>;

// Connects `stream` to `host`:`port`: an IP address directly, a name after resolving it (on
// every call; pooled connections make that rare). `done` gets the error, if any, and the step
// it came from ("resolve" or "connect"). The stream's expiry, set by the caller beforehand,
// bounds the whole wait. The caller keeps `stream` alive until `done` runs.
void async_connect_to(beast::tcp_stream& stream, const std::string& host, std::uint16_t port,
                      ConnectDone done);

// The same for a plain socket, whose caller bounds the wait with a timer of its own and
// resolves with `resolver`: cancelling it, and closing the socket, abandons the connect.
void async_connect_to(TcpSocket& socket, TcpResolver& resolver, const std::string& host,
                      std::uint16_t port, ConnectDone done);

}  // namespace scoville::router
