#include "loadgen/target_url.h"

#include <charconv>

namespace scoville::loadgen {
namespace {

constexpr std::string_view kScheme = "http://";
constexpr std::string_view kExpected = "expected http://HOST:PORT[/PREFIX]";

std::unexpected<Error> url_error(std::string_view text, std::string_view problem) {
  return make_error(std::string(problem) + "; " + std::string(kExpected) + ", got \"" +
                    std::string(text) + "\"");
}

}  // namespace

std::string TargetUrl::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string TargetUrl::target(std::string_view api_path) const {
  return path_prefix + std::string(api_path);
}

std::string TargetUrl::to_string() const { return "http://" + authority() + path_prefix; }

Result<TargetUrl> parse_target_url(std::string_view text) {
  if (text.starts_with("https://")) {
    return url_error(text, "https is not supported (put a TLS-terminating proxy in front)");
  }
  if (!text.starts_with(kScheme)) {
    return url_error(text, "the URL must start with http://");
  }
  const std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return url_error(text, "queries and fragments are not allowed");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(text, "user info is not allowed (use --api-key or --header)");
  }

  // An IPv6 address is bracketed so that its colons cannot be taken for the port's.
  TargetUrl url;
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close + 1 >= authority.size() ||
        authority[close + 1] != ':') {
      return url_error(text, "a bracketed IPv6 address needs \"]:PORT\" after it");
    }
    url.host = std::string(authority.substr(1, close - 1));
    port_text = authority.substr(close + 2);
  } else {
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
      return url_error(text, "the port is missing");
    }
    url.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    return url_error(text, "the host is missing");
  }

  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return url_error(text, "the port must be a number from 1 to 65535");
  }
  url.port = static_cast<std::uint16_t>(port);

  // OpenAI clients take a base URL ending in /v1; the load generator appends /v1/... itself,
  // so both spellings of the same server are accepted.
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  if (prefix.ends_with("/v1")) prefix.remove_suffix(3);
  url.path_prefix = std::string(prefix);
  return url;
}

}  // namespace scoville::loadgen
