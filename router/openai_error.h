#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "router/http_exchange.h"

namespace scoville::router {

// A JSON response with its Content-Length set.
HttpResponse json_response(http::status status, const nlohmann::json& body, unsigned version);

// An error response in OpenAI's shape, which every OpenAI client already parses:
// {"error": {"message", "type", "param", "code"}}. `code` and `param` are null when empty.
HttpResponse openai_error(http::status status, const std::string& message, const std::string& type,
                          unsigned version, const std::string& code = "",
                          const std::string& param = "");

// The same error as the body of one server-sent event, for a stream already under way.
std::string openai_error_event(const std::string& message, const std::string& type,
                               const std::string& code);

}  // namespace scoville::router
