#include "router/sse_event.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

#include "router/json_scanner.h"

namespace scoville::router {

std::string_view sse_event_kind_name(SseEventKind kind) {
  switch (kind) {
    case SseEventKind::kContent:
      return "content";
    case SseEventKind::kUsageOnly:
      return "usage_only";
    case SseEventKind::kDone:
      return "done";
    case SseEventKind::kError:
      return "error";
    case SseEventKind::kOther:
      return "other";
  }
  return "unknown";
}

namespace {

using nlohmann::json;

// The payload of the event's data lines, joined with '\n'; nullopt when it has none. A single
// data line (the usual case) is returned as a view into `raw`, several are joined in `storage`.
std::optional<std::string_view> event_data(std::string_view raw, std::string& storage) {
  std::string_view first;
  int data_lines = 0;

  std::size_t pos = 0;
  while (pos < raw.size()) {
    // Two single-byte searches (memchr) rather than find_first_of, which tests byte by byte.
    const std::string_view rest = raw.substr(pos);
    std::size_t length = std::min(rest.find('\n'), rest.size());
    length = std::min(length, rest.substr(0, length).find('\r'));
    std::string_view line = rest.substr(0, length);
    pos += length;
    if (pos < raw.size()) {
      pos += raw[pos] == '\r' && pos + 1 < raw.size() && raw[pos + 1] == '\n' ? std::size_t{2}
                                                                              : std::size_t{1};
    }

    if (line.empty() || line.front() == ':') {
      continue;
    }
    const std::size_t colon = line.find(':');
    if (!is_key(line.substr(0, colon), "data")) {
      continue;
    }
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }

    if (data_lines == 0) {
      first = value;
    } else {
      if (data_lines == 1) {
        storage.assign(first);
      }
      storage += '\n';
      storage += value;
    }
    ++data_lines;
  }

  if (data_lines == 0) {
    return std::nullopt;
  }
  return data_lines == 1 ? first : std::string_view(storage);
}

std::string_view trim_json_space(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// What a key's value, or a container, is in an OpenAI chunk. Only these positions matter:
// {"choices": [{"text": .., "delta": {"content": .., "reasoning_content": ..,
// "tool_calls": [..]}}], "usage": .., "error": ..}.
enum class Role : std::uint8_t {
  kNone,
  kTop,
  kChoices,
  kChoice,
  kDelta,
  kOutputText,
  kToolCalls,
  kUsage,
  kUsageObject,
  kPromptTokens,
  kCompletionTokens,
  kError
};

// What an OpenAI chunk's keys say about it, noted during a JsonScanner pass. It also notes
// where its top-level "choices" member starts and what it had noted by then.
class ChunkPolicy {
 public:
  using Role = scoville::router::Role;
  static constexpr Role kTop = Role::kTop;

  ChunkPolicy() = default;
  explicit ChunkPolicy(const detail::ChunkScanState& state) : state_(state) {}

  Role key_role(Role object, std::string_view key);
  Role element_role(Role array);
  Role value(Role role, std::string_view token);
  bool needs_parse() const { return state_.needs_parse; }
  void top_member(std::size_t pos) {
    member_pos_ = pos;
    member_state_ = state_;
  }

  bool top_is_object() const { return state_.top_is_object; }
  SseEventInfo info() const;
  // Where "choices" starts in the text scanned, and the state there; nullopt without one.
  std::optional<std::size_t> choices_pos() const { return choices_pos_; }
  const detail::ChunkScanState& choices_state() const { return choices_state_; }
  // The first non-empty content string, quotes and all; empty when there is none.
  std::string_view content_token() const { return content_token_; }

 private:
  detail::ChunkScanState state_;
  std::string_view content_token_;
  std::size_t member_pos_ = 0;
  detail::ChunkScanState member_state_;
  std::optional<std::size_t> choices_pos_;
  detail::ChunkScanState choices_state_;
};

// A token count as nlohmann would take it: a plain non-negative integer within int64.
std::optional<std::int64_t> count_from(std::string_view number) {
  if (number.empty() || number.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : number) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(value);
}

SseEventInfo ChunkPolicy::info() const {
  SseEventInfo info;
  if (state_.usage_object) {
    info.prompt_tokens = state_.prompt_tokens;
    info.completion_tokens = state_.completion_tokens;
  }
  if (state_.content) {
    info.kind = SseEventKind::kContent;
  } else if (state_.usage_object && !state_.choices_nonempty) {
    info.kind = SseEventKind::kUsageOnly;
  }
  return info;
}

Role ChunkPolicy::key_role(Role object, std::string_view key) {
  switch (object) {
    case Role::kTop:
      if (is_key(key, "choices")) {
        if (!choices_pos_) {
          choices_pos_ = member_pos_;
          choices_state_ = member_state_;
        }
        return Role::kChoices;
      }
      if (is_key(key, "usage")) return Role::kUsage;
      if (is_key(key, "error")) return Role::kError;
      return Role::kNone;
    case Role::kChoice:
      if (is_key(key, "text")) return Role::kOutputText;
      if (is_key(key, "delta")) return Role::kDelta;
      return Role::kNone;
    case Role::kDelta:
      if (is_key(key, "content") || is_key(key, "reasoning_content")) return Role::kOutputText;
      if (is_key(key, "tool_calls")) return Role::kToolCalls;
      return Role::kNone;
    case Role::kUsageObject:
      if (is_key(key, "prompt_tokens")) return Role::kPromptTokens;
      if (is_key(key, "completion_tokens")) return Role::kCompletionTokens;
      return Role::kNone;
    default:
      return Role::kNone;
  }
}

Role ChunkPolicy::element_role(Role array) {
  switch (array) {
    case Role::kChoices:
      state_.choices_nonempty = true;
      return Role::kChoice;
    case Role::kToolCalls:
      // Any element at all makes a non-empty tool_calls, as the parser's check has it.
      state_.content = true;
      return Role::kNone;
    default:
      return Role::kNone;
  }
}

Role ChunkPolicy::value(Role role, std::string_view token) {
  const char first = token.front();
  const bool is_null = first == 'n';
  switch (role) {
    case Role::kTop:
      state_.top_is_object = first == '{';
      return Role::kTop;
    case Role::kChoices:
      // A repeated key counts as its last value, as a parser would keep it.
      state_.choices_nonempty = false;
      return first == '[' ? Role::kChoices : Role::kNone;
    case Role::kChoice:
      return first == '{' ? Role::kChoice : Role::kNone;
    case Role::kDelta:
      return first == '{' ? Role::kDelta : Role::kNone;
    case Role::kToolCalls:
      if (first == '[') {
        return Role::kToolCalls;
      }
      state_.needs_parse = state_.needs_parse || !is_null;
      return Role::kNone;
    case Role::kOutputText:
      if (first == '"') {
        if (token.size() > 2 && content_token_.empty()) content_token_ = token;
        state_.content = state_.content || token.size() > 2;
      } else {
        // An array of content parts, or a type no schema gives it: the parser decides.
        state_.needs_parse = state_.needs_parse || !is_null;
      }
      return Role::kNone;
    case Role::kUsage:
      state_.usage_object = first == '{';
      state_.prompt_tokens.reset();
      state_.completion_tokens.reset();
      return state_.usage_object ? Role::kUsageObject : Role::kNone;
    case Role::kUsageObject:
      return Role::kNone;
    case Role::kPromptTokens:
      state_.prompt_tokens = count_from(token);
      return Role::kNone;
    case Role::kCompletionTokens:
      state_.completion_tokens = count_from(token);
      return Role::kNone;
    case Role::kError:
      state_.needs_parse = state_.needs_parse || !is_null;
      return Role::kNone;
    case Role::kNone:
      return Role::kNone;
  }
  return Role::kNone;
}

bool has_output(const json& value) {
  return (value.is_string() && !value.get_ref<const std::string&>().empty()) ||
         (value.is_array() && !value.empty());
}

bool choice_has_output(const json& choice) {
  if (!choice.is_object()) {
    return false;
  }
  if (const auto text = choice.find("text"); text != choice.end() && has_output(*text)) {
    return true;
  }

  const auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object()) {
    return false;
  }
  for (const char* key : {"content", "reasoning_content"}) {
    if (const auto field = delta->find(key); field != delta->end() && has_output(*field)) {
      return true;
    }
  }
  const auto tool_calls = delta->find("tool_calls");
  return tool_calls != delta->end() && tool_calls->is_array() && !tool_calls->empty();
}

std::optional<std::int64_t> token_count(const json& usage, const char* key) {
  const auto field = usage.find(key);
  if (field == usage.end() || !field->is_number_unsigned()) {
    return std::nullopt;
  }
  const auto count = field->get<std::uint64_t>();
  if (count > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(count);
}

// The same rules as ChunkScanner, on a parsed chunk.
SseEventInfo classify_parsed(const json& chunk) {
  SseEventInfo info;
  if (!chunk.is_object()) {
    return info;
  }

  const auto usage = chunk.find("usage");
  const bool has_usage = usage != chunk.end() && usage->is_object();
  if (has_usage) {
    info.prompt_tokens = token_count(*usage, "prompt_tokens");
    info.completion_tokens = token_count(*usage, "completion_tokens");
  }

  if (const auto error = chunk.find("error"); error != chunk.end() && !error->is_null()) {
    info.kind = SseEventKind::kError;
    return info;
  }

  const auto choices = chunk.find("choices");
  const bool has_choices = choices != chunk.end() && choices->is_array() && !choices->empty();
  if (has_choices) {
    for (const json& choice : *choices) {
      if (choice_has_output(choice)) {
        info.kind = SseEventKind::kContent;
        return info;
      }
    }
  }

  if (has_usage && !has_choices) {
    info.kind = SseEventKind::kUsageOnly;
  }
  return info;
}

}  // namespace

namespace {

// The payload of an event, trimmed; nullopt when it has no data lines.
std::optional<std::string_view> event_payload(std::string_view raw_event, std::string& joined) {
  const std::optional<std::string_view> data = event_data(raw_event, joined);
  if (!data) return std::nullopt;
  return trim_json_space(*data);
}

SseEventInfo classify_parsed_text(std::string_view payload) {
  // The scan has validated the syntax and bounded the depth; only bad UTF-8 can fail here.
  const json chunk = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (chunk.is_discarded()) {
    return {};
  }
  return classify_parsed(chunk);
}

// The classification of a scan that ended with `result`.
SseEventInfo classified(JsonScanResult result, const ChunkPolicy& policy,
                        std::string_view payload) {
  switch (result) {
    case JsonScanResult::kMalformed:
    case JsonScanResult::kTooDeep:
      return {};
    case JsonScanResult::kValid:
      return policy.top_is_object() ? policy.info() : SseEventInfo{};
    case JsonScanResult::kNeedsParse:
      break;
  }
  return classify_parsed_text(payload);
}

}  // namespace

SseEventInfo classify_openai_event(std::string_view raw_event) {
  std::string joined;
  const std::optional<std::string_view> payload = event_payload(raw_event, joined);
  if (!payload) return {};
  if (is_key(*payload, "[DONE]")) return {.kind = SseEventKind::kDone};

  ChunkPolicy policy;
  const JsonScanResult result = JsonScanner<ChunkPolicy>(*payload, policy).run();
  return classified(result, policy, *payload);
}

SseEventInfo OpenAiEventClassifier::classify(std::string_view raw_event) {
  std::string joined;
  const std::optional<std::string_view> payload = event_payload(raw_event, joined);
  if (!payload) return {};
  if (is_key(*payload, "[DONE]")) return {.kind = SseEventKind::kDone};

  // The last content chunk with another string in its place: plain bytes from its head up
  // to the closing quote where its tail begins.
  if (!shape_.empty() && payload->size() > shape_head_ + shape_tail_ &&
      payload->starts_with(std::string_view(shape_).substr(0, shape_head_)) &&
      payload->ends_with(std::string_view(shape_).substr(shape_.size() - shape_tail_)) &&
      skip_plain_string_bytes(*payload, shape_head_) == payload->size() - shape_tail_) {
    return shape_info_;
  }

  if (!prefix_.empty() && payload->starts_with(prefix_)) {
    ChunkPolicy policy(prefix_state_);
    const JsonScanResult result =
        JsonScanner<ChunkPolicy>(*payload, policy).resume_top_members(Role::kTop, prefix_.size());
    const SseEventInfo info = classified(result, policy, *payload);
    if (result == JsonScanResult::kValid) remember_shape(*payload, policy.content_token(), info);
    return info;
  }

  ChunkPolicy policy;
  const JsonScanResult result = JsonScanner<ChunkPolicy>(*payload, policy).run();
  // Only a clean scan's prefix is reused: an escaped key or a parse fallback before
  // "choices" would not be in the state kept.
  prefix_.clear();
  if (result == JsonScanResult::kValid && policy.choices_pos()) {
    prefix_.assign(payload->substr(0, *policy.choices_pos()));
    prefix_state_ = policy.choices_state();
  }
  const SseEventInfo info = classified(result, policy, *payload);
  if (result == JsonScanResult::kValid) remember_shape(*payload, policy.content_token(), info);
  return info;
}

void OpenAiEventClassifier::remember_shape(std::string_view payload, std::string_view content_token,
                                           const SseEventInfo& info) {
  // Only a content chunk the scan alone classified: a clean scan of a JSON object.
  if (content_token.empty() || info.kind != SseEventKind::kContent) return;
  shape_.assign(payload);
  shape_head_ = static_cast<std::size_t>(content_token.data() - payload.data()) + 1;
  shape_tail_ = payload.size() - (shape_head_ + content_token.size() - 2);
  shape_info_ = info;
}

}  // namespace scoville::router
