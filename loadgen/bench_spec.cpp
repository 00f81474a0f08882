#include "loadgen/bench_spec.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "loadgen/http_token.h"

namespace scoville::loadgen {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

std::string_view endpoint_path(Endpoint endpoint) {
  return endpoint == Endpoint::kChat ? "/v1/chat/completions" : "/v1/completions";
}

std::string_view endpoint_name(Endpoint endpoint) {
  return endpoint == Endpoint::kChat ? "chat" : "completions";
}

std::optional<Endpoint> find_endpoint(std::string_view name) {
  for (const Endpoint endpoint : {Endpoint::kChat, Endpoint::kCompletions}) {
    if (endpoint_name(endpoint) == name) return endpoint;
  }
  return std::nullopt;
}

Result<std::pair<std::string, std::string>> parse_header(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return make_error(fmt::format("expected \"Name: value\", got \"{}\"", text));
  }
  const std::string_view name = trim(text.substr(0, colon));
  const std::string_view value = trim(text.substr(colon + 1));
  if (!is_http_token(name)) {
    return make_error(fmt::format("\"{}\" is not a header name", name));
  }
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    return make_error(fmt::format("the value of {} holds a line break", name));
  }
  const std::string lower = lowercase(name);
  if (lower == "content-length" || lower == "transfer-encoding") {
    return make_error(fmt::format("{} is set by scoville bench itself", name));
  }
  return std::pair{std::string(name), std::string(value)};
}

}  // namespace scoville::loadgen
