#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::router {

// OpenAI-style server-sent events.
//
// Splits a byte stream into whole events. An event ends at a blank line: "\n\n", "\r\n\r\n" or
// "\r\r" (also mixed "\n\r\n"). Bytes are kept exactly as received: the events handed out,
// followed by pending(), are always the input so far. A blank line with nothing before it
// (a stray line break between events) is an event of its own, which classifies as kOther.
//
// A blank line ended by a lone CR that is the last byte received so far is held in pending()
// until the next byte shows whether it is the first half of a CRLF; streams that end their lines
// with "\n" or "\r\n" are never held back.
class SseSplitter {
 public:
  // Appends `bytes`; appends each newly completed raw event (including its terminating blank
  // line) to `events`. Linear in the bytes fed, however they are cut into calls.
  void feed(std::string_view bytes, std::vector<std::string>& events);

  // Bytes not yet forming an event. The caller bounds its size (an upstream that never sends a
  // blank line would otherwise grow it without limit).
  std::string_view pending() const { return buffer_; }

 private:
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already scanned; the state below is after them

  bool at_line_start_ = true;
  bool after_cr_ = false;          // the last byte was a CR ending a line with text
  bool blank_cr_pending_ = false;  // the last byte was a CR ending a blank line
};

enum class SseEventKind {
  kContent,    // a chunk with generated output: any choice with a non-empty delta.content,
               // delta.reasoning_content, delta.tool_calls, or (completions) a non-empty text
  kUsageOnly,  // "choices": [] with a "usage" object: the chunk stream_options.include_usage adds
  kDone,       // data: [DONE]
  kError,      // a JSON object with an "error" member
  kOther       // anything else (role-only first chunk, finish_reason-only chunk, comments, ...)
};

// "content", "usage_only", "done", "error", "other", for logs and tests.
std::string_view sse_event_kind_name(SseEventKind kind);

struct SseEventInfo {
  SseEventKind kind = SseEventKind::kOther;
  std::optional<std::int64_t> prompt_tokens;  // from a "usage" object, when present
  std::optional<std::int64_t> completion_tokens;
};

// Classifies one raw event. The event's data lines (`data:` with or without the space; several
// are joined with "\n") must hold "[DONE]" or one JSON object; `:` comments and other fields
// (`event:`, `id:`, `retry:`) are ignored, and lines may end in LF, CRLF or CR.
//
// Only the positions OpenAI's chunk schemas give these keys count: choices[i].delta.{content,
// reasoning_content,tool_calls} and choices[i].text for output, a top-level "usage" and "error".
// Content is a non-empty string (or a non-empty array of parts), tool_calls a non-empty array.
// "error" wins over everything else when it is not null; "usage" with an empty or absent
// "choices" is kUsageOnly. Token counts are read from "usage" whatever the kind, and only when
// they are non-negative integers. Malformed JSON, and JSON nested deeper than 32 levels (no
// chunk is), is kOther.
//
// Cheap for ordinary chunks: one pass over the text, validating it and tracking where each key
// sits; nlohmann parses the JSON only for a non-null "usage" or "error", or when the pass is
// unsure (an escaped key name, a value of an unexpected type).
SseEventInfo classify_openai_event(std::string_view raw_event);

}  // namespace scoville::router
