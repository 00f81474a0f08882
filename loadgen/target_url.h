#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/result.h"

namespace scoville::loadgen {

// Where a benchmark sends its requests: an OpenAI-compatible server at http://HOST:PORT, with
// an optional path prefix in front of /v1 (for servers mounted below the root).
struct TargetUrl {
  std::string host;         // a name or an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;   // 1..65535
  std::string path_prefix;  // "" or "/something" without a trailing slash

  // The value of the Host header: "host:port", with brackets around an IPv6 address.
  std::string authority() const;

  // The request target for an API path such as "/v1/models".
  std::string target(std::string_view api_path) const;

  // "http://host:port/prefix", as a user would type it.
  std::string to_string() const;
};

// Reads "http://HOST:PORT[/PREFIX]". The port is required, since servers under test rarely
// listen on 80; a trailing "/v1" (an OpenAI client's base URL) is dropped; https, user info,
// queries and fragments are refused with a message that says what was wrong.
Result<TargetUrl> parse_target_url(std::string_view text);

}  // namespace scoville::loadgen
