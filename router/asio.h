#pragma once

// The one header through which the router includes Boost.Asio and Boost.Beast.
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>, which
// breaks under C++20 and later with g++ 12; including it first here fixes every user.
#include <utility>

#include <chrono>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace scoville::router {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// A worker's sockets and timers name its io_context's executor exactly. The default,
// type-erased any_io_executor is copied and called through on every operation, which showed
// as about 1.5% of the proxy's CPU.
using IoExecutor = asio::io_context::executor_type;
using TcpSocket = asio::basic_stream_socket<tcp, IoExecutor>;
using TcpResolver = asio::ip::basic_resolver<tcp, IoExecutor>;
using SteadyTimer =
    asio::basic_waitable_timer<std::chrono::steady_clock,
                               asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;

}  // namespace scoville::router
