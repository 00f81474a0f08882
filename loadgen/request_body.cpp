#include "loadgen/request_body.h"

#include <algorithm>
#include <iterator>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loadgen/http_token.h"

namespace scoville::loadgen {
namespace {

// Mostly three-letter words and a space: four characters, about one token each for common
// tokenizers. Plain ASCII with nothing to escape in JSON.
constexpr std::string_view kFiller =
    "the fox ran far and saw one owl sit low; its eye was big and its cry was odd. "
    "all day the sun lit her den, yet the owl had not set out for any bit of raw food. ";

}  // namespace

RequestBodyWriter::RequestBodyWriter(Endpoint endpoint, const std::string& model, bool stream)
    : endpoint_(endpoint), model_json_(nlohmann::json(model).dump()), stream_(stream) {}

void RequestBodyWriter::write(std::uint64_t index, std::int32_t input_tokens,
                              std::int32_t max_tokens, std::string& out) const {
  out.clear();
  out += R"({"model":)";
  out += model_json_;
  out += endpoint_ == Endpoint::kChat ? R"(,"messages":[{"role":"user","content":")"
                                      : R"(,"prompt":")";

  // The number first, then filler up to the prompt's length (the number counts toward it).
  const std::size_t prompt_characters =
      static_cast<std::size_t>(std::max(input_tokens, 1)) * kCharactersPerToken;
  const std::size_t prompt_start = out.size();
  fmt::format_to(std::back_inserter(out), "{} ", index);
  while (out.size() - prompt_start < prompt_characters) {
    const std::size_t missing = prompt_characters - (out.size() - prompt_start);
    out.append(kFiller.substr(0, std::min(missing, kFiller.size())));
  }

  out += endpoint_ == Endpoint::kChat ? R"("}])" : R"(")";
  fmt::format_to(std::back_inserter(out), R"(,"max_tokens":{})", max_tokens);
  out += stream_ ? R"(,"stream":true,"stream_options":{"include_usage":true}})"
                 : R"(,"stream":false})";
}

std::string request_head(const BenchSpec& spec) {
  std::string head =
      fmt::format("POST {} HTTP/1.1\r\n", spec.url.target(endpoint_path(spec.endpoint)));
  const bool own_host =
      std::any_of(spec.headers.begin(), spec.headers.end(),
                  [](const auto& header) { return same_header_name(header.first, "Host"); });
  if (!own_host) head += "Host: " + spec.url.authority() + "\r\n";
  head += "User-Agent: scoville-bench/0.1\r\nContent-Type: application/json\r\n";
  head += spec.stream ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
  for (const auto& [name, value] : spec.headers) head += name + ": " + value + "\r\n";
  return head;
}

}  // namespace scoville::loadgen
