#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace scoville::loadgen {

// What the load generator needs from one JSON document of an OpenAI-compatible server: a
// streamed chunk (chat.completion.chunk or text_completion), a whole completion, or an error.
struct ChunkSummary {
  bool parsed = false;  // false: not JSON; the other fields are then unset

  // Characters of generated text: choices[].delta.content, choices[].message.content (or
  // their reasoning_content) or choices[].text. An event with content is a token event; one with
  // only a role, a finish reason or usage is not.
  std::size_t content_characters = 0;

  // usage.completion_tokens, when the document carries a usage block with a number there.
  std::optional<std::int64_t> completion_tokens;

  // {"error": ...} (OpenAI's form) or {"object": "error", ...} (older vLLM's), and its message
  // when it has one.
  bool is_error = false;
  std::string error_message;
};

// Reads `json` with a streaming (SAX) parser that builds no document tree: it runs once per
// streamed event, so it must stay cheap.
ChunkSummary summarize_chunk(std::string_view json);

}  // namespace scoville::loadgen
