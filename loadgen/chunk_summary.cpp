#include "loadgen/chunk_summary.h"

#include <array>

#include <nlohmann/json.hpp>

namespace scoville::loadgen {
namespace {

// The member names the summary looks at; every other name is kOther.
enum class Key { kOther, kChoices, kUsage, kError, kObject, kContent, kText, kMessage, kTokens };

Key key_of(std::string_view name) {
  if (name == "choices") return Key::kChoices;
  if (name == "usage") return Key::kUsage;
  if (name == "error") return Key::kError;
  if (name == "object") return Key::kObject;
  // Reasoning models stream their thinking as tokens too, before the answer's content.
  if (name == "content" || name == "reasoning_content") return Key::kContent;
  if (name == "text") return Key::kText;
  if (name == "message") return Key::kMessage;
  if (name == "completion_tokens") return Key::kTokens;
  return Key::kOther;
}

// Tracks, for each open object or array, the member being read in it, and interprets the few
// values the summary needs from where they sit:
//   choices[...].{delta,message}.{content,reasoning_content}
//   or choices[...].text                                       -> content
//   usage.completion_tokens                                    -> completion tokens
//   error (not null), error.message, object == "error", message -> the error
class SummaryHandler {
 public:
  using json = nlohmann::json;

  explicit SummaryHandler(ChunkSummary& summary) : summary_(summary) {}

  bool null() { return value_seen(/*null_value=*/true); }
  bool boolean(bool) { return value_seen(); }
  bool number_integer(json::number_integer_t value) {
    if (at_completion_tokens()) summary_.completion_tokens = value;
    return value_seen();
  }
  bool number_unsigned(json::number_unsigned_t value) {
    if (at_completion_tokens()) summary_.completion_tokens = static_cast<std::int64_t>(value);
    return value_seen();
  }
  bool number_float(json::number_float_t, const json::string_t&) { return value_seen(); }
  bool binary(json::binary_t&) { return value_seen(); }
  bool string(json::string_t& value) {
    if (depth_ >= 1 && path_[1] == Key::kChoices &&
        (current() == Key::kContent || current() == Key::kText)) {
      summary_.content_characters += value.size();
    }
    if (depth_ == 1 && current() == Key::kObject && value == "error") {
      summary_.is_error = true;
    }
    if (depth_ == 1 && current() == Key::kError) {
      summary_.error_message = value;
    }
    // Older vLLM puts the message beside "object": "error"; OpenAI nests it in "error".
    if ((depth_ == 2 && path_[1] == Key::kError && current() == Key::kMessage) ||
        (depth_ == 1 && current() == Key::kMessage)) {
      summary_.error_message = value;
    }
    return value_seen();
  }

  bool start_object(std::size_t) { return open(); }
  bool start_array(std::size_t) { return open(); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (depth_ < kMaxDepth) path_[depth_] = key_of(name);
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  static constexpr std::size_t kMaxDepth = 8;

  Key current() const { return depth_ < kMaxDepth ? path_[depth_] : Key::kOther; }

  bool at_completion_tokens() const {
    return depth_ == 2 && path_[1] == Key::kUsage && current() == Key::kTokens;
  }

  // A top-level "error" member marks an error unless it is null (some servers send
  // "error": null in ordinary chunks).
  bool value_seen(bool null_value = false) {
    if (depth_ == 1 && current() == Key::kError && !null_value) summary_.is_error = true;
    return true;
  }

  bool open() {
    value_seen();
    ++depth_;
    // Array elements have no name; an object's first key overwrites this.
    if (depth_ < kMaxDepth) path_[depth_] = Key::kOther;
    return true;
  }

  bool close() {
    --depth_;
    return true;
  }

  ChunkSummary& summary_;
  std::size_t depth_ = 0;
  std::array<Key, kMaxDepth> path_{};
};

}  // namespace

ChunkSummary summarize_chunk(std::string_view json) {
  ChunkSummary summary;
  SummaryHandler handler(summary);
  summary.parsed = nlohmann::json::sax_parse(json.begin(), json.end(), &handler);
  if (!summary.parsed) {
    return ChunkSummary{};
  }
  if (!summary.is_error) summary.error_message.clear();
  return summary;
}

}  // namespace scoville::loadgen
