#pragma once

#include <algorithm>
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
  // Appends `bytes` and calls `on_event(std::string_view raw_event)` for each newly completed
  // event (including its terminating blank line). The view points into `bytes` or into the
  // splitter and is valid during the call only; `on_event` must not feed the splitter.
  // Linear in the bytes fed, however they are cut into calls, and allocation-free while the
  // calls end on event boundaries (the usual case: a backend writes whole events).
  template <typename OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event);

  // The same, each event copied into `events`.
  void feed(std::string_view bytes, std::vector<std::string>& events) {
    feed(bytes, [&events](std::string_view event) { events.emplace_back(event); });
  }

  // Bytes not yet forming an event. The caller bounds its size (an upstream that never sends a
  // blank line would otherwise grow it without limit).
  std::string_view pending() const { return buffer_; }

 private:
  // Scans text[scanned_..] (everything before is scanned already), reporting each event that
  // completes; returns where the bytes not yet part of an event start.
  template <typename OnEvent>
  std::size_t scan(std::string_view text, OnEvent& on_event);

  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already scanned; the state below is after them

  bool at_line_start_ = true;
  bool after_cr_ = false;          // the last byte was a CR ending a line with text
  bool blank_cr_pending_ = false;  // the last byte was a CR ending a blank line
};

template <typename OnEvent>
void SseSplitter::feed(std::string_view bytes, OnEvent&& on_event) {
  if (buffer_.empty()) {
    // Nothing is pending: events are reported straight from `bytes`, only the tail is kept.
    const std::size_t consumed = scan(bytes, on_event);
    buffer_.assign(bytes.substr(consumed));
    scanned_ -= consumed;
    return;
  }
  buffer_.append(bytes);
  const std::size_t consumed = scan(buffer_, on_event);
  buffer_.erase(0, consumed);
  scanned_ -= consumed;
}

template <typename OnEvent>
std::size_t SseSplitter::scan(std::string_view text, OnEvent& on_event) {
  std::size_t event_start = 0;
  while (scanned_ < text.size()) {
    if (!at_line_start_ && !after_cr_ && !blank_cr_pending_) {
      // Inside a line: jump to its end (two byte searches, which the library vectorises).
      const std::string_view rest = text.substr(scanned_);
      std::size_t next = std::min(rest.find('\n'), rest.size());
      next = std::min(next, rest.substr(0, next).find('\r'));
      scanned_ += next;
      if (scanned_ == text.size()) break;
    }
    const char c = text[scanned_++];

    if (blank_cr_pending_) {
      blank_cr_pending_ = false;
      const std::size_t end = c == '\n' ? scanned_ : scanned_ - 1;
      on_event(text.substr(event_start, end - event_start));
      event_start = end;
      if (c == '\n') {
        continue;
      }
    }

    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') {
        continue;  // the second half of a CRLF that already ended the line
      }
    }

    if (c != '\n' && c != '\r') {
      at_line_start_ = false;
      continue;
    }
    if (!at_line_start_) {
      at_line_start_ = true;
      after_cr_ = c == '\r';
    } else if (c == '\r') {
      blank_cr_pending_ = true;
    } else {
      on_event(text.substr(event_start, scanned_ - event_start));
      event_start = scanned_;
    }
  }
  return event_start;
}

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
// Cheap for ordinary chunks, the usage chunk included: one pass over the text, validating it,
// tracking where each key sits and reading the token counts; nlohmann parses the JSON only for
// a non-null "error", or when the pass is unsure (an escaped key name, a value of an
// unexpected type).
SseEventInfo classify_openai_event(std::string_view raw_event);

namespace detail {
// What the scan of a chunk has noted so far.
struct ChunkScanState {
  bool top_is_object = false;
  bool content = false;
  bool needs_parse = false;
  bool choices_nonempty = false;  // the last "choices" is an array with an element
  bool usage_object = false;      // the last "usage" is an object
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> completion_tokens;
};
}  // namespace detail

// Classifies the events of one stream exactly as classify_openai_event does, for less: a
// backend begins every chunk of a stream with the same members ({"id":..,"object":..,
// "created":..,"model":..,), so a chunk that begins like the last one up to its "choices" is
// scanned from there, in the state the last scan was in at that point.
//
// Content chunks of a stream usually differ only in their text, too. A chunk that is the last
// content chunk with another plain, non-empty string in place of its content string has the
// same structure, so it is classified as that one was without being scanned.
class OpenAiEventClassifier {
 public:
  SseEventInfo classify(std::string_view raw_event);

 private:
  // Notes a content chunk's shape for the chunks after it.
  void remember_shape(std::string_view payload, std::string_view content_token,
                      const SseEventInfo& info);

  std::string prefix_;  // the last chunk scanned whole, up to its top-level "choices" key
  detail::ChunkScanState prefix_state_;

  std::string shape_;           // the last content chunk scanned
  std::size_t shape_head_ = 0;  // its bytes up to and with its content string's opening quote
  std::size_t shape_tail_ = 0;  // its bytes from that string's closing quote on
  SseEventInfo shape_info_;
};

}  // namespace scoville::router
