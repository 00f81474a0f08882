#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace scoville::router {

// What the router reads from a completion request's JSON body: the top-level members it acts
// on, each as the type it was given. A member given twice counts as its last value, as a
// parser building the object would keep it.
struct CompletionFields {
  enum class Type { kAbsent, kString, kTrue, kFalse, kNull, kOther };

  bool valid_json = false;  // the whole text is one JSON value
  bool is_object = false;   // ... and it is an object
  Type model = Type::kAbsent;
  std::string model_value;
  Type stream = Type::kAbsent;
  Type compute_class = Type::kAbsent;
  std::string compute_class_value;
  bool has_stream_options = false;
  bool stream_options_is_object = false;
  Type include_usage = Type::kAbsent;  // stream_options.include_usage
};

// Reads the fields in one validating pass that builds no document, so a request the router
// passes on unchanged costs no allocation per JSON value.
CompletionFields scan_completion_body(std::string_view text);

// The changes the router makes to a body before sending it upstream.
struct BodyEdits {
  bool remove_compute_class = false;
  std::optional<std::string> model;  // the value "model" gets
  bool ask_for_usage = false;        // stream_options.include_usage becomes true

  bool any() const { return remove_compute_class || model || ask_for_usage; }
};

// `text` (a JSON object `fields` was scanned from) with `edits` made. Members not edited keep
// their order and values. Adding stream_options to a body without one appends it to the text
// as it is; other edits go through a parsed document, which re-serializes the whole body.
std::string edit_completion_body(const std::string& text, const CompletionFields& fields,
                                 const BodyEdits& edits);

}  // namespace scoville::router
