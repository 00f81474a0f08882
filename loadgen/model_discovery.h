#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config/result.h"
#include "loadgen/target_url.h"
#include "router/asio.h"

namespace scoville::loadgen {

// Asks the server which models it serves (GET /v1/models, with the benchmark's headers) and
// returns the first one's id. Runs `io` until the answer is in, within `timeout`; fails with a
// message naming the request when the server cannot be reached, answers an error or lists no
// model.
Result<std::string> fetch_first_model(
    router::asio::io_context& io, const router::tcp::resolver::results_type& endpoints,
    const TargetUrl& url, const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout);

}  // namespace scoville::loadgen
