#pragma once

#include <cstdint>
#include <string>

#include "loadgen/bench_spec.h"

namespace scoville::loadgen {

// Writes the JSON bodies of benchmark requests: a chat completion with one user message, or a
// completion with a prompt, of about four characters of text per requested input token (the
// usual English average, and what tokenizer-free servers assume). Each prompt starts with the
// request's number, so that no two requests share a cached prefix and TTFT includes the whole
// prefill.
class RequestBodyWriter {
 public:
  RequestBodyWriter(Endpoint endpoint, const std::string& model, bool stream);

  // Replaces `out` with the body of request `index`. `out` keeps its capacity, so a
  // connection that reuses one string allocates only while its prompts grow.
  void write(std::uint64_t index, std::int32_t input_tokens, std::int32_t max_tokens,
             std::string& out) const;

 private:
  Endpoint endpoint_;
  std::string model_json_;  // the model name as a JSON string, quoted and escaped once
  bool stream_;
};

// The request line and the headers every request of `spec` carries, each line ending in CRLF:
// Host, User-Agent, Content-Type, Accept and the spec's own headers (which may replace Host).
// The caller adds the per-request headers and the blank line.
std::string request_head(const BenchSpec& spec);

// Characters of prompt text per input token.
inline constexpr std::int32_t kCharactersPerToken = 4;

}  // namespace scoville::loadgen
