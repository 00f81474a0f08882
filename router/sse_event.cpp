#include "router/sse_event.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

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
      pos += raw.compare(pos, 2, "\r\n") == 0 ? std::size_t{2} : std::size_t{1};
    }

    if (line.empty() || line.front() == ':') {
      continue;
    }
    const std::size_t colon = line.find(':');
    if (line.substr(0, colon) != "data") {
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

enum class ScanResult { kMalformed, kContent, kNoContent, kNeedsParse };

// Bytes a JSON string may hold as they are: all but the quote, the backslash and controls.
constexpr std::array<bool, 256> kPlainStringByte = [] {
  std::array<bool, 256> plain{};
  for (std::size_t c = 0x20; c < plain.size(); ++c) {
    plain[c] = c != '"' && c != '\\';
  }
  return plain;
}();

// One pass over a JSON text that validates its syntax (except UTF-8) and notes what its keys
// say about the chunk, without building anything.
class ChunkScanner {
 public:
  explicit ChunkScanner(std::string_view text) : text_(text) {}

  ScanResult run();
  // What the chunk is, after run() said kContent or kNoContent.
  SseEventInfo info() const;

 private:
  // What the scanner expects next.
  enum class Expect { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kCommaOrClose, kEnd };

  struct Frame {
    bool is_array = false;
    Role role = Role::kNone;
  };

  // Realistic chunks nest about six deep. The bound also keeps the parser that may run after
  // the scan away from pathological nesting.
  static constexpr std::size_t kMaxDepth = 32;

  bool value();
  bool close(char bracket);
  bool string(std::size_t& length, bool& escaped);
  bool literal(std::string_view word);
  bool number();

  Role key_role(std::string_view key) const;
  Role element_role() const;
  // Notes what a value of `role` means, from its text (a scalar whole, a string with its
  // quotes, a container only its opening bracket); returns the role of the container it
  // opens, if it is one.
  Role note_value(Role role, std::string_view token);

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  void after_value() { expect_ = depth_ == 0 ? Expect::kEnd : Expect::kCommaOrClose; }

  std::string_view text_;
  std::size_t pos_ = 0;
  Expect expect_ = Expect::kValue;
  Role pending_role_ = Role::kTop;  // the role of the next value, known from its key
  std::array<Frame, kMaxDepth> stack_{};
  std::size_t depth_ = 0;

  bool content_ = false;
  bool needs_parse_ = false;
  bool choices_nonempty_ = false;  // the last "choices" is an array with an element
  bool usage_object_ = false;      // the last "usage" is an object
  std::optional<std::int64_t> prompt_tokens_;
  std::optional<std::int64_t> completion_tokens_;
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

SseEventInfo ChunkScanner::info() const {
  SseEventInfo info;
  if (usage_object_) {
    info.prompt_tokens = prompt_tokens_;
    info.completion_tokens = completion_tokens_;
  }
  if (content_) {
    info.kind = SseEventKind::kContent;
  } else if (usage_object_ && !choices_nonempty_) {
    info.kind = SseEventKind::kUsageOnly;
  }
  return info;
}

ScanResult ChunkScanner::run() {
  skip_space();
  if (pos_ >= text_.size() || text_[pos_] != '{') {
    return ScanResult::kMalformed;
  }

  while (true) {
    skip_space();
    if (pos_ >= text_.size()) {
      break;
    }
    const char c = text_[pos_];

    bool ok = false;
    switch (expect_) {
      case Expect::kValueOrClose:
        ok = c == ']' ? close(c) : value();
        break;
      case Expect::kValue:
        ok = value();
        break;
      case Expect::kKeyOrClose:
      case Expect::kKey: {
        if (c == '}' && expect_ == Expect::kKeyOrClose) {
          ok = close(c);
          break;
        }
        std::size_t length = 0;
        bool escaped = false;
        ok = c == '"' && string(length, escaped);
        if (ok) {
          // An escaped key ("cont\u0065nt") could be any name; the parser decodes it.
          needs_parse_ = needs_parse_ || escaped;
          pending_role_ = key_role(text_.substr(pos_ - length - 1, length));
          expect_ = Expect::kColon;
        }
        break;
      }
      case Expect::kColon:
        ok = c == ':';
        ++pos_;
        expect_ = Expect::kValue;
        break;
      case Expect::kCommaOrClose:
        if (c == ',') {
          ++pos_;
          expect_ = stack_[depth_ - 1].is_array ? Expect::kValue : Expect::kKey;
          ok = true;
        } else {
          ok = close(c);
        }
        break;
      case Expect::kEnd:
        ok = false;
        break;
    }
    if (!ok) {
      return ScanResult::kMalformed;
    }
  }

  if (expect_ != Expect::kEnd) {
    return ScanResult::kMalformed;
  }
  if (needs_parse_) {
    return ScanResult::kNeedsParse;
  }
  return content_ ? ScanResult::kContent : ScanResult::kNoContent;
}

bool ChunkScanner::value() {
  const Role role = depth_ > 0 && stack_[depth_ - 1].is_array ? element_role() : pending_role_;
  pending_role_ = Role::kNone;
  const char c = text_[pos_];
  if (depth_ > 0 && stack_[depth_ - 1].role == Role::kChoices) choices_nonempty_ = true;

  if (c == '{' || c == '[') {
    if (depth_ == kMaxDepth) {
      return false;
    }
    stack_[depth_++] = Frame{c == '[', note_value(role, text_.substr(pos_, 1))};
    ++pos_;
    expect_ = c == '[' ? Expect::kValueOrClose : Expect::kKeyOrClose;
    return true;
  }

  const std::size_t start = pos_;
  bool ok = false;
  if (c == '"') {
    std::size_t length = 0;
    bool escaped = false;
    ok = string(length, escaped);
  } else if (c == 't') {
    ok = literal("true");
  } else if (c == 'f') {
    ok = literal("false");
  } else if (c == 'n') {
    ok = literal("null");
  } else {
    ok = number();
  }
  if (!ok) {
    return false;
  }
  note_value(role, text_.substr(start, pos_ - start));
  after_value();
  return true;
}

bool ChunkScanner::close(char bracket) {
  if (depth_ == 0 || bracket != (stack_[depth_ - 1].is_array ? ']' : '}')) {
    return false;
  }
  --depth_;
  ++pos_;
  after_value();
  return true;
}

// From the opening quote at pos_ to just past the closing one; `length` is the raw length of
// the text between them.
bool ChunkScanner::string(std::size_t& length, bool& escaped) {
  const std::size_t start = ++pos_;
  while (pos_ < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (kPlainStringByte[c]) {
      ++pos_;
      continue;
    }
    if (c == '"') {
      length = pos_ - start;
      ++pos_;
      return true;
    }
    if (c != '\\') {
      return false;  // a raw control character
    }

    escaped = true;
    if (pos_ + 1 >= text_.size()) {
      return false;
    }
    const char kind = text_[pos_ + 1];
    if (kind == 'u') {
      if (pos_ + 6 > text_.size()) {
        return false;
      }
      for (std::size_t i = pos_ + 2; i < pos_ + 6; ++i) {
        if (std::isxdigit(static_cast<unsigned char>(text_[i])) == 0) {
          return false;
        }
      }
      pos_ += 6;
    } else if (std::string_view("\"\\/bfnrt").find(kind) != std::string_view::npos) {
      pos_ += 2;
    } else {
      return false;
    }
  }
  return false;
}

bool ChunkScanner::literal(std::string_view word) {
  if (text_.compare(pos_, word.size(), word) != 0) {
    return false;
  }
  pos_ += word.size();
  return true;
}

bool ChunkScanner::number() {
  const auto digits = [this] {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      ++pos_;
    }
    return pos_ - start;
  };
  const auto next_is = [this](char c) { return pos_ < text_.size() && text_[pos_] == c; };

  if (next_is('-')) {
    ++pos_;
  }
  const std::size_t int_start = pos_;
  const std::size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0')) {
    return false;
  }
  if (next_is('.')) {
    ++pos_;
    if (digits() == 0) {
      return false;
    }
  }
  if (next_is('e') || next_is('E')) {
    ++pos_;
    if (next_is('+') || next_is('-')) {
      ++pos_;
    }
    if (digits() == 0) {
      return false;
    }
  }
  return true;
}

Role ChunkScanner::key_role(std::string_view key) const {
  switch (stack_[depth_ - 1].role) {
    case Role::kTop:
      if (key == "choices") return Role::kChoices;
      if (key == "usage") return Role::kUsage;
      if (key == "error") return Role::kError;
      return Role::kNone;
    case Role::kChoice:
      if (key == "text") return Role::kOutputText;
      if (key == "delta") return Role::kDelta;
      return Role::kNone;
    case Role::kDelta:
      if (key == "content" || key == "reasoning_content") return Role::kOutputText;
      if (key == "tool_calls") return Role::kToolCalls;
      return Role::kNone;
    case Role::kUsageObject:
      if (key == "prompt_tokens") return Role::kPromptTokens;
      if (key == "completion_tokens") return Role::kCompletionTokens;
      return Role::kNone;
    default:
      return Role::kNone;
  }
}

Role ChunkScanner::element_role() const {
  switch (stack_[depth_ - 1].role) {
    case Role::kChoices:
      return Role::kChoice;
    case Role::kToolCalls:
      // Any element at all makes a non-empty tool_calls.
      return Role::kOutputText;
    default:
      return Role::kNone;
  }
}

Role ChunkScanner::note_value(Role role, std::string_view token) {
  const char first = token.front();
  const bool is_null = first == 'n';
  switch (role) {
    case Role::kTop:
      return Role::kTop;
    case Role::kChoices:
      // A repeated key counts as its last value, as a parser would keep it.
      choices_nonempty_ = false;
      return first == '[' ? Role::kChoices : Role::kNone;
    case Role::kChoice:
      return first == '{' ? Role::kChoice : Role::kNone;
    case Role::kDelta:
      return first == '{' ? Role::kDelta : Role::kNone;
    case Role::kToolCalls:
      if (first == '[') {
        return Role::kToolCalls;
      }
      needs_parse_ = needs_parse_ || !is_null;
      return Role::kNone;
    case Role::kOutputText:
      if (first == '"') {
        content_ = content_ || token.size() > 2;
      } else {
        // An array of content parts, or a type no schema gives it: the parser decides.
        needs_parse_ = needs_parse_ || !is_null;
      }
      return Role::kNone;
    case Role::kUsage:
      usage_object_ = first == '{';
      prompt_tokens_.reset();
      completion_tokens_.reset();
      return usage_object_ ? Role::kUsageObject : Role::kNone;
    case Role::kUsageObject:
      return Role::kNone;
    case Role::kPromptTokens:
      prompt_tokens_ = count_from(token);
      return Role::kNone;
    case Role::kCompletionTokens:
      completion_tokens_ = count_from(token);
      return Role::kNone;
    case Role::kError:
      needs_parse_ = needs_parse_ || !is_null;
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

SseEventInfo classify_openai_event(std::string_view raw_event) {
  std::string joined;
  const std::optional<std::string_view> data = event_data(raw_event, joined);
  if (!data) {
    return {};
  }

  const std::string_view payload = trim_json_space(*data);
  if (payload == "[DONE]") {
    return {.kind = SseEventKind::kDone};
  }

  ChunkScanner scanner(payload);
  switch (scanner.run()) {
    case ScanResult::kMalformed:
      return {};
    case ScanResult::kContent:
    case ScanResult::kNoContent:
      return scanner.info();
    case ScanResult::kNeedsParse:
      break;
  }

  // The scan has validated the syntax and bounded the depth; only bad UTF-8 can fail here.
  const json chunk = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (chunk.is_discarded()) {
    return {};
  }
  return classify_parsed(chunk);
}

}  // namespace scoville::router
