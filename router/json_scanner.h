#pragma once

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace scoville::router {

// Bytes a JSON string may hold as they are: all but the quote, the backslash and controls.
inline constexpr std::array<bool, 256> kPlainJsonStringByte = [] {
  std::array<bool, 256> plain{};
  for (std::size_t c = 0x20; c < plain.size(); ++c) {
    plain[c] = c != '"' && c != '\\';
  }
  return plain;
}();

// Where the first byte at or after `pos` that is not plain string text is (or the end).
// Sixteen bytes at a time where SSE2 is there (every x86-64): strings are most of the bytes
// of the JSON the router reads.
inline std::size_t skip_plain_string_bytes(std::string_view text, std::size_t pos) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  while (pos + 16 <= text.size()) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    // A byte is a control character when it is its own minimum with 0x1f (unsigned).
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, last_control), bytes);
    const __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0)
      return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    pos += 16;
  }
#endif
  while (pos < text.size() && kPlainJsonStringByte[static_cast<unsigned char>(text[pos])]) ++pos;
  return pos;
}

// Whether `key` (as a policy is given it) is `name`; with the length known when compiling, the
// comparison is a few instructions rather than a call.
template <std::size_t N>
bool is_key(std::string_view key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

// How a scan ended: the text is not one JSON value; it is; the policy (or an escaped key,
// which could spell any name) asks for a real parser to decide; or it nests deeper than the
// scanner follows (valid or not, the scan cannot tell).
enum class JsonScanResult { kMalformed, kValid, kNeedsParse, kTooDeep };

// One pass over a JSON text that validates its syntax (all but UTF-8) and tells a policy
// where each value sits, building nothing. The policy gives every container a role, from the
// key or array it is in, so it can note just the few members it cares about:
//
//   using Role = ...;                                   // small enum; Role{} means "none"
//   static constexpr Role kTop = ...;                   // the role of the top-level value
//   Role key_role(Role object, std::string_view key);  // key as written, between its quotes
//   Role element_role(Role array);                      // for each element of an array
//   Role value(Role role, std::string_view token);      // a scalar whole (strings with their
//                                                       // quotes), or a container's bracket;
//                                                       // returns the role of what it opens
//   bool needs_parse() const;
template <typename Policy>
class JsonScanner {
 public:
  using Role = typename Policy::Role;

  JsonScanner(std::string_view text, Policy& policy) : text_(text), policy_(policy) {}

  JsonScanResult run();

  // Scans on from `pos`, where a member of the top-level object (of role `role`) starts, as
  // run() would have: valid only when the text before `pos` is text a policy in the state
  // this one is in saw up to there, with no escaped key.
  JsonScanResult resume_top_members(Role role, std::size_t pos);

 private:
  // Real request bodies and chunks nest well under this; the bound also keeps the recursion
  // and a parser that may run after the scan away from pathological nesting.
  static constexpr std::size_t kMaxDepth = 32;

  // Each from its first byte at pos_ to just past its last; `depth` counts the containers
  // around it.
  bool value(Role role, std::size_t depth);
  bool object(Role role, std::size_t depth);
  bool members(Role role, std::size_t depth);  // from the first key to the closing brace
  JsonScanResult result(bool ok);
  bool array(Role role, std::size_t depth);
  bool string(bool& escaped);
  template <std::size_t N>
  bool literal(const char (&word)[N]) {
    if (text_.size() - pos_ < N - 1 || std::memcmp(text_.data() + pos_, word, N - 1) != 0) {
      return false;
    }
    pos_ += N - 1;
    return true;
  }
  bool number();

  // What follows a member or element: a comma and another item, the container's `close`
  // (consumed), or neither.
  enum class Next { kItem, kClosed, kBad };
  Next after_item(char close) {
    skip_space();
    if (at(',')) {
      ++pos_;
      skip_space();
      return Next::kItem;
    }
    if (!at(close)) return Next::kBad;
    ++pos_;
    return Next::kClosed;
  }

  [[gnu::always_inline]] bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  [[gnu::always_inline]] void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  std::string_view text_;
  Policy& policy_;
  std::size_t pos_ = 0;
  bool escaped_key_ = false;
  bool too_deep_ = false;
};

template <typename Policy>
JsonScanResult JsonScanner<Policy>::run() {
  skip_space();
  return result(value(Policy::kTop, 0));
}

template <typename Policy>
JsonScanResult JsonScanner<Policy>::resume_top_members(Role role, std::size_t pos) {
  pos_ = pos;
  return result(members(role, 1));
}

template <typename Policy>
JsonScanResult JsonScanner<Policy>::result(bool ok) {
  skip_space();
  if (!ok || pos_ != text_.size()) {
    return too_deep_ ? JsonScanResult::kTooDeep : JsonScanResult::kMalformed;
  }
  return escaped_key_ || policy_.needs_parse() ? JsonScanResult::kNeedsParse
                                               : JsonScanResult::kValid;
}

template <typename Policy>
bool JsonScanner<Policy>::value(Role role, std::size_t depth) {
  if (pos_ >= text_.size()) {
    return false;
  }
  const char c = text_[pos_];
  if (c == '{' || c == '[') {
    if (depth == kMaxDepth) {
      too_deep_ = true;
      return false;
    }
    const Role inner = policy_.value(role, text_.substr(pos_, 1));
    return c == '{' ? object(inner, depth + 1) : array(inner, depth + 1);
  }

  const std::size_t start = pos_;
  bool ok = false;
  if (c == '"') {
    bool escaped = false;
    ok = string(escaped);
  } else if (c == 't') {
    ok = literal("true");
  } else if (c == 'f') {
    ok = literal("false");
  } else if (c == 'n') {
    ok = literal("null");
  } else {
    ok = number();
  }
  if (ok) policy_.value(role, text_.substr(start, pos_ - start));
  return ok;
}

template <typename Policy>
bool JsonScanner<Policy>::object(Role role, std::size_t depth) {
  ++pos_;  // the brace
  skip_space();
  if (at('}')) {
    ++pos_;
    return true;
  }
  return members(role, depth);
}

template <typename Policy>
bool JsonScanner<Policy>::members(Role role, std::size_t depth) {
  while (true) {
    // A policy that wants to may note where each top-level member starts.
    if constexpr (requires { policy_.top_member(pos_); }) {
      if (depth == 1) policy_.top_member(pos_);
    }
    if (!at('"')) {
      return false;
    }
    const std::size_t start = pos_ + 1;
    bool escaped = false;
    if (!string(escaped)) {
      return false;
    }
    escaped_key_ = escaped_key_ || escaped;
    const Role member = policy_.key_role(role, text_.substr(start, pos_ - 1 - start));

    skip_space();
    if (!at(':')) {
      return false;
    }
    ++pos_;
    skip_space();
    if (!value(member, depth)) {
      return false;
    }
    if (const Next next = after_item('}'); next != Next::kItem) {
      return next == Next::kClosed;
    }
  }
}

template <typename Policy>
bool JsonScanner<Policy>::array(Role role, std::size_t depth) {
  ++pos_;  // the bracket
  skip_space();
  if (at(']')) {
    ++pos_;
    return true;
  }
  while (true) {
    if (!value(policy_.element_role(role), depth)) {
      return false;
    }
    if (const Next next = after_item(']'); next != Next::kItem) {
      return next == Next::kClosed;
    }
  }
}

// From the opening quote at pos_ to just past the closing one.
template <typename Policy>
bool JsonScanner<Policy>::string(bool& escaped) {
  ++pos_;
  while (true) {
    pos_ = skip_plain_string_bytes(text_, pos_);
    if (pos_ >= text_.size()) {
      return false;
    }
    const char c = text_[pos_];
    if (c == '"') {
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
}

template <typename Policy>
bool JsonScanner<Policy>::number() {
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

}  // namespace scoville::router
