#include "router/completion_body.h"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "router/json_scanner.h"

namespace scoville::router {
namespace {

using Type = CompletionFields::Type;

// Follows the parser's events, noting the members of the top-level object that matter and
// the include_usage member of its stream_options object; everything else is only validated.
class FieldsSax final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit FieldsSax(CompletionFields& fields) : fields_(fields) {}

  bool null() override { return scalar(Type::kNull); }
  bool boolean(bool value) override { return scalar(value ? Type::kTrue : Type::kFalse); }
  bool number_integer(number_integer_t /*value*/) override { return scalar(Type::kOther); }
  bool number_unsigned(number_unsigned_t /*value*/) override { return scalar(Type::kOther); }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override {
    return scalar(Type::kOther);
  }
  bool string(string_t& value) override { return scalar(Type::kString, &value); }
  bool binary(binary_t& /*value*/) override { return scalar(Type::kOther); }

  bool start_object(std::size_t /*elements*/) override {
    if (depth_ == 0) fields_.is_object = true;
    if (depth_ == 1 && member_ == Member::kStreamOptions) {
      fields_.has_stream_options = true;
      fields_.stream_options_is_object = true;
      fields_.include_usage = Type::kAbsent;
      in_stream_options_ = true;
    } else {
      note(Type::kOther, nullptr);
    }
    member_ = Member::kNone;
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    if (depth_ == 1) in_stream_options_ = false;
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    note(Type::kOther, nullptr);
    member_ = Member::kNone;
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }

  bool key(string_t& name) override {
    member_ = Member::kNone;
    if (depth_ == 1) {
      if (name == "model") member_ = Member::kModel;
      if (name == "stream") member_ = Member::kStream;
      if (name == "compute_class") member_ = Member::kComputeClass;
      if (name == "stream_options") member_ = Member::kStreamOptions;
    } else if (depth_ == 2 && in_stream_options_ && name == "include_usage") {
      member_ = Member::kIncludeUsage;
    }
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    return false;
  }

 private:
  enum class Member { kNone, kModel, kStream, kComputeClass, kStreamOptions, kIncludeUsage };

  bool scalar(Type type, const std::string* text = nullptr) {
    note(type, text);
    member_ = Member::kNone;
    return true;
  }

  // The value of the member just named starts here (a scalar, or a container other than
  // the stream_options object).
  void note(Type type, const std::string* text) {
    switch (member_) {
      case Member::kModel:
        fields_.model = type;
        fields_.model_value = text != nullptr ? *text : std::string();
        break;
      case Member::kStream:
        fields_.stream = type;
        break;
      case Member::kComputeClass:
        fields_.compute_class = type;
        fields_.compute_class_value = text != nullptr ? *text : std::string();
        break;
      case Member::kStreamOptions:
        fields_.stream_options_is_object = false;
        break;
      case Member::kIncludeUsage:
        fields_.include_usage = type;
        break;
      case Member::kNone:
        break;
    }
    if (member_ == Member::kStreamOptions) {
      fields_.has_stream_options = true;
      fields_.include_usage = Type::kAbsent;
    }
  }

  CompletionFields& fields_;
  int depth_ = 0;
  Member member_ = Member::kNone;
  bool in_stream_options_ = false;
};

// The same fields, noted during a JsonScanner pass. It gives up (needs_parse) on an escaped
// value it would have to decode.
class FieldsPolicy {
 public:
  enum class Role : std::uint8_t {
    kNone,
    kTop,
    kModel,
    kStream,
    kComputeClass,
    kStreamOptions,
    kStreamOptionsObject,
    kIncludeUsage
  };
  static constexpr Role kTop = Role::kTop;

  explicit FieldsPolicy(CompletionFields& fields) : fields_(fields) {}

  Role key_role(Role object, std::string_view key) const {
    if (object == Role::kTop) {
      if (is_key(key, "model")) return Role::kModel;
      if (is_key(key, "stream")) return Role::kStream;
      if (is_key(key, "compute_class")) return Role::kComputeClass;
      if (is_key(key, "stream_options")) return Role::kStreamOptions;
    } else if (object == Role::kStreamOptionsObject && is_key(key, "include_usage")) {
      return Role::kIncludeUsage;
    }
    return Role::kNone;
  }
  Role element_role(Role /*array*/) const { return Role::kNone; }
  bool needs_parse() const { return needs_parse_; }

  Role value(Role role, std::string_view token) {
    const Type type = type_of(token);
    switch (role) {
      case Role::kTop:
        fields_.is_object = token.front() == '{';
        return fields_.is_object ? Role::kTop : Role::kNone;
      case Role::kModel:
        fields_.model = type;
        fields_.model_value = string_value(token);
        return Role::kNone;
      case Role::kStream:
        fields_.stream = type;
        return Role::kNone;
      case Role::kComputeClass:
        fields_.compute_class = type;
        fields_.compute_class_value = string_value(token);
        return Role::kNone;
      case Role::kStreamOptions:
        fields_.has_stream_options = true;
        fields_.stream_options_is_object = token.front() == '{';
        fields_.include_usage = Type::kAbsent;
        return fields_.stream_options_is_object ? Role::kStreamOptionsObject : Role::kNone;
      case Role::kIncludeUsage:
        fields_.include_usage = type;
        return Role::kNone;
      case Role::kStreamOptionsObject:
      case Role::kNone:
        return Role::kNone;
    }
    return Role::kNone;
  }

 private:
  static Type type_of(std::string_view token) {
    switch (token.front()) {
      case '"':
        return Type::kString;
      case 't':
        return Type::kTrue;
      case 'f':
        return Type::kFalse;
      case 'n':
        return Type::kNull;
      default:
        return Type::kOther;
    }
  }

  // A string token's text; one with escapes is left to the parser to decode.
  std::string string_value(std::string_view token) {
    if (token.front() != '"') return {};
    const std::string_view text = token.substr(1, token.size() - 2);
    if (text.find('\\') != std::string_view::npos) needs_parse_ = true;
    return std::string(text);
  }

  CompletionFields& fields_;
  bool needs_parse_ = false;
};

CompletionFields scan_with_parser(std::string_view text) {
  CompletionFields fields;
  FieldsSax sax(fields);
  fields.valid_json = nlohmann::json::sax_parse(text, &sax);
  if (!fields.valid_json) return CompletionFields{};
  return fields;
}

// Whether the scanner's verdict on `text` is the parser's: it does not check UTF-8 or
// \u escapes (an unpaired surrogate), so text with either goes to the parser.
bool scanner_suffices(std::string_view text) {
  unsigned char high_bits = 0;
  for (const char c : text) high_bits |= static_cast<unsigned char>(c);
  return (high_bits & 0x80) == 0 && text.find("\\u") == std::string_view::npos;
}

}  // namespace

CompletionFields scan_completion_body(std::string_view text) {
  if (!scanner_suffices(text)) return scan_with_parser(text);

  CompletionFields fields;
  FieldsPolicy policy(fields);
  switch (JsonScanner<FieldsPolicy>(text, policy).run()) {
    case JsonScanResult::kMalformed:
      return CompletionFields{};
    case JsonScanResult::kValid:
      fields.valid_json = true;
      return fields;
    case JsonScanResult::kNeedsParse:
    case JsonScanResult::kTooDeep:
      return scan_with_parser(text);
  }
  return scan_with_parser(text);
}

std::string edit_completion_body(const std::string& text, const CompletionFields& fields,
                                 const BodyEdits& edits) {
  if (!edits.any()) return text;

  if (!edits.remove_compute_class && !edits.model && !fields.has_stream_options) {
    // The one edit most streamed requests need: the member goes in before the closing brace.
    const std::size_t close = text.find_last_of('}');
    const std::size_t first = text.find_first_not_of(" \t\r\n", text.find('{') + 1);
    const bool empty_object = first == close;
    return text.substr(0, close) + (empty_object ? "" : ",") +
           R"("stream_options":{"include_usage":true})" + text.substr(close);
  }

  nlohmann::ordered_json body = nlohmann::ordered_json::parse(text);
  if (edits.remove_compute_class) body.erase("compute_class");
  if (edits.model) body["model"] = *edits.model;
  if (edits.ask_for_usage) {
    nlohmann::ordered_json& options = body["stream_options"];
    if (!options.is_object()) options = nlohmann::ordered_json::object();
    options["include_usage"] = true;
  }
  return body.dump();
}

}  // namespace scoville::router
