// Reading and editing completion request bodies without building a document on the way in.
#include "router/completion_body.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace scoville::router {
namespace {

using Type = CompletionFields::Type;

TEST_CASE("the top-level members the router acts on are read with their types") {
  const CompletionFields fields = scan_completion_body(
      R"({"model":"llama-efficient","messages":[{"role":"user","content":"hi"}],)"
      R"("stream":true,"compute_class":"efficient","stream_options":{"include_usage":false}})");
  CHECK(fields.valid_json);
  CHECK(fields.is_object);
  CHECK(fields.model == Type::kString);
  CHECK(fields.model_value == "llama-efficient");
  CHECK(fields.stream == Type::kTrue);
  CHECK(fields.compute_class == Type::kString);
  CHECK(fields.compute_class_value == "efficient");
  CHECK(fields.has_stream_options);
  CHECK(fields.stream_options_is_object);
  CHECK(fields.include_usage == Type::kFalse);
}

TEST_CASE("members of the same name deeper in the body are not the request's") {
  const CompletionFields fields =
      scan_completion_body(R"({"messages":[{"model":"x","stream":true,"include_usage":true}],)"
                           R"("metadata":{"compute_class":"low_latency","stream_options":{}}})");
  CHECK(fields.is_object);
  CHECK(fields.model == Type::kAbsent);
  CHECK(fields.stream == Type::kAbsent);
  CHECK(fields.compute_class == Type::kAbsent);
  CHECK_FALSE(fields.has_stream_options);
  CHECK(fields.include_usage == Type::kAbsent);
}

TEST_CASE("a member given twice counts as its last value") {
  const CompletionFields fields =
      scan_completion_body(R"({"model":"a","model":"b","stream":true,"stream":"yes",)"
                           R"("stream_options":{"include_usage":true},"stream_options":{}})");
  CHECK(fields.model_value == "b");
  CHECK(fields.stream == Type::kString);
  CHECK(fields.has_stream_options);
  CHECK(fields.include_usage == Type::kAbsent);
}

TEST_CASE("values of the wrong type are told apart from absent ones") {
  const CompletionFields fields = scan_completion_body(
      R"({"model":7,"stream":null,"compute_class":["efficient"],"stream_options":true})");
  CHECK(fields.model == Type::kOther);
  CHECK(fields.stream == Type::kNull);
  CHECK(fields.compute_class == Type::kOther);
  CHECK(fields.has_stream_options);
  CHECK_FALSE(fields.stream_options_is_object);
}

TEST_CASE("text that is not one JSON value, or not an object, is told so") {
  for (const char* text : {"", "{", R"({"model":"a",})", R"({"model":"a"} {})", "\xff"}) {
    CAPTURE(text);
    CHECK_FALSE(scan_completion_body(text).valid_json);
  }
  const CompletionFields array = scan_completion_body(R"([{"model":"a"}])");
  CHECK(array.valid_json);
  CHECK_FALSE(array.is_object);
  CHECK(array.model == Type::kAbsent);
}

TEST_CASE("the fast scan and the parser it falls back to read the same fields") {
  // A non-ASCII member sends a body to the parser; without it the scanner reads it.
  const auto same = [](const CompletionFields& a, const CompletionFields& b) {
    return a.valid_json == b.valid_json && a.is_object == b.is_object && a.model == b.model &&
           a.model_value == b.model_value && a.stream == b.stream &&
           a.compute_class == b.compute_class && a.compute_class_value == b.compute_class_value &&
           a.has_stream_options == b.has_stream_options &&
           a.stream_options_is_object == b.stream_options_is_object &&
           a.include_usage == b.include_usage;
  };
  for (const std::string body : {
           R"("model":"m","stream":true)",
           R"("model":"m","model":7,"stream":null,"compute_class":"efficient")",
           R"("stream_options":{"include_usage":true,"x":{"include_usage":false}})",
           R"("stream_options":[],"stream_options":{"include_usage":"yes"})",
           R"("messages":[{"model":"x"}],"stream":false,"n":-1.5e3)",
           R"("model":"a\tb","compute_class":"lo\"w")",
           R"("mod\u0065l":"m")",
           R"("model":"m",)",
       }) {
    CAPTURE(body);
    CHECK(same(scan_completion_body("{" + body + "}"),
               scan_completion_body("{" + body + ",\"note\":\"caf\\u00e9 \xc3\xa9\"}")));
  }
  std::string deep = R"({"model":"m","x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  const CompletionFields nested = scan_completion_body(deep + "}");
  CHECK(nested.valid_json);
  CHECK(nested.model_value == "m");
}

TEST_CASE("a body that needs no edit is passed on byte for byte") {
  const std::string text = R"({ "model" : "m",  "stream": true, "n": 1.50 })";
  CHECK(edit_completion_body(text, scan_completion_body(text), BodyEdits{}) == text);
}

TEST_CASE("asking for usage appends stream_options and leaves the rest of the text alone") {
  const std::string text = "{\"model\":\"m\",\"stream\":true,\"n\":1.50}\n";
  BodyEdits edits;
  edits.ask_for_usage = true;
  const std::string edited = edit_completion_body(text, scan_completion_body(text), edits);
  CHECK(
      edited ==
      "{\"model\":\"m\",\"stream\":true,\"n\":1.50,\"stream_options\":{\"include_usage\":true}}\n");
  CHECK(nlohmann::json::parse(edited)["stream_options"]["include_usage"] == true);
}

TEST_CASE("other edits keep every other member and its order") {
  const std::string text = R"({"model":"m-efficient","compute_class":"efficient","stream":true,)"
                           R"("stream_options":{"continuous_usage_stats":true},"temperature":0.2})";
  BodyEdits edits;
  edits.remove_compute_class = true;
  edits.model = "m";
  edits.ask_for_usage = true;
  CHECK(edit_completion_body(text, scan_completion_body(text), edits) ==
        R"({"model":"m","stream":true,"stream_options":{"continuous_usage_stats":true,)"
        R"("include_usage":true},"temperature":0.2})");
}

}  // namespace
}  // namespace scoville::router
