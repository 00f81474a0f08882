// Splitting server-sent event streams and classifying OpenAI-style chunks, on chunks shaped like
// the ones vLLM and OpenAI send.
#include "router/sse_event.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

// ---- Splitting ----

std::vector<std::string> split_whole(std::string_view stream, std::string* pending = nullptr) {
  SseSplitter splitter;
  std::vector<std::string> events;
  splitter.feed(stream, events);
  if (pending != nullptr) {
    *pending = splitter.pending();
  }
  return events;
}

std::string joined(const std::vector<std::string>& events, std::string_view pending) {
  std::string all;
  for (const std::string& event : events) {
    all += event;
  }
  all += pending;
  return all;
}

TEST_CASE("a stream splits into events at blank lines, each keeping its blank line") {
  std::string pending;
  const auto events = split_whole("data: 1\n\ndata: 2\n\ndata: 3", &pending);
  REQUIRE(events.size() == 2);
  CHECK(events[0] == "data: 1\n\n");
  CHECK(events[1] == "data: 2\n\n");
  CHECK(pending == "data: 3");
}

TEST_CASE("every blank-line form ends an event") {
  CHECK(split_whole("data: a\r\n\r\n") == std::vector<std::string>{"data: a\r\n\r\n"});
  CHECK(split_whole("data: a\n\r\n") == std::vector<std::string>{"data: a\n\r\n"});
  CHECK(split_whole("data: a\r\n\n") == std::vector<std::string>{"data: a\r\n\n"});
  CHECK(split_whole("data: a\r\rx") == std::vector<std::string>{"data: a\r\r"});
  CHECK(split_whole("data: a\n\rx") == std::vector<std::string>{"data: a\n\r"});
}

TEST_CASE("a multi-line event stays whole until its blank line") {
  std::string pending;
  const auto events =
      split_whole("event: message\r\nid: 7\r\ndata: {\r\ndata: }\r\n\r\n:", &pending);
  REQUIRE(events.size() == 1);
  CHECK(events[0] == "event: message\r\nid: 7\r\ndata: {\r\ndata: }\r\n\r\n");
  CHECK(pending == ":");
}

TEST_CASE("a CRLF is one line break, not a line and a blank line") {
  std::string pending;
  CHECK(split_whole("data: a\r\ndata: b\r\n", &pending).empty());
  CHECK(pending == "data: a\r\ndata: b\r\n");
}

TEST_CASE("a blank line ended by a lone CR waits for the next byte") {
  SseSplitter splitter;
  std::vector<std::string> events;

  splitter.feed("data: a\r\r", events);
  CHECK(events.empty());
  CHECK(splitter.pending() == "data: a\r\r");

  splitter.feed("d", events);
  REQUIRE(events.size() == 1);
  CHECK(events[0] == "data: a\r\r");
  CHECK(splitter.pending() == "d");
}

TEST_CASE("a CRLF blank line cut between its CR and LF ends the event with the LF") {
  SseSplitter splitter;
  std::vector<std::string> events;

  splitter.feed("data: a\r\n\r", events);
  CHECK(events.empty());
  splitter.feed("\ndata: b", events);
  REQUIRE(events.size() == 1);
  CHECK(events[0] == "data: a\r\n\r\n");
  CHECK(splitter.pending() == "data: b");
}

TEST_CASE("a stray line break between events is an event of its own") {
  const auto events = split_whole("data: a\n\n\ndata: b\n\n");
  REQUIRE(events.size() == 3);
  CHECK(events[0] == "data: a\n\n");
  CHECK(events[1] == "\n");
  CHECK(events[2] == "data: b\n\n");
  CHECK(classify_openai_event(events[1]).kind == SseEventKind::kOther);
}

// A stream mixing every line ending, comments and fields.
constexpr std::string_view kMixedStream =
    ": ping\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n"
    "event: message\nid: 2\ndata: x\n\n"
    "data: y\r\rdata: z\n\r\n"
    "data: [DONE]\n\n"
    "data: tail";

TEST_CASE("any cut of the stream into two feeds gives the same events") {
  std::string whole_pending;
  const auto whole = split_whole(kMixedStream, &whole_pending);
  REQUIRE(whole.size() == 6);
  CHECK(joined(whole, whole_pending) == kMixedStream);

  for (std::size_t cut = 0; cut <= kMixedStream.size(); ++cut) {
    CAPTURE(cut);
    SseSplitter splitter;
    std::vector<std::string> events;
    splitter.feed(kMixedStream.substr(0, cut), events);
    CHECK(joined(events, splitter.pending()) == kMixedStream.substr(0, cut));
    splitter.feed(kMixedStream.substr(cut), events);
    CHECK(events == whole);
    CHECK(splitter.pending() == whole_pending);
  }
}

TEST_CASE("any cut into three feeds gives the same events") {
  const auto whole = split_whole(kMixedStream);
  for (std::size_t first = 0; first <= kMixedStream.size(); ++first) {
    for (std::size_t second = first; second <= kMixedStream.size(); ++second) {
      SseSplitter splitter;
      std::vector<std::string> events;
      splitter.feed(kMixedStream.substr(0, first), events);
      splitter.feed(kMixedStream.substr(first, second - first), events);
      splitter.feed(kMixedStream.substr(second), events);
      if (events != whole) {
        CAPTURE(first);
        CAPTURE(second);
        FAIL("the events differ from the whole stream's");
      }
    }
  }
}

TEST_CASE("bytes fed one at a time give the same events") {
  const auto whole = split_whole(kMixedStream);
  SseSplitter splitter;
  std::vector<std::string> events;
  for (char c : kMixedStream) {
    splitter.feed(std::string_view(&c, 1), events);
  }
  CHECK(events == whole);
  CHECK(splitter.pending() == "data: tail");
}

TEST_CASE("events reported as views are the input bytes, whether or not a feed ends mid-event") {
  const std::string stream = "data: a\n\ndata: b\n\ndata: c\n\n";
  SseSplitter splitter;
  std::string seen;
  int events = 0;
  const auto collect = [&](std::string_view event) {
    seen += event;
    ++events;
  };
  splitter.feed(std::string_view(stream).substr(0, 9), collect);  // ends on a boundary
  CHECK(splitter.pending().empty());
  splitter.feed(std::string_view(stream).substr(9, 5), collect);  // ends mid-event
  CHECK(splitter.pending() == "data:");
  splitter.feed(std::string_view(stream).substr(14), collect);
  CHECK(events == 3);
  CHECK(seen == stream);
  CHECK(splitter.pending().empty());
}

TEST_CASE("an empty feed changes nothing") {
  SseSplitter splitter;
  std::vector<std::string> events;
  splitter.feed("data: a\n", events);
  splitter.feed("", events);
  CHECK(events.empty());
  CHECK(splitter.pending() == "data: a\n");
  splitter.feed("\n", events);
  CHECK(events == std::vector<std::string>{"data: a\n\n"});
  CHECK(splitter.pending().empty());
}

// ---- Classifying ----

std::string event(std::string_view data) { return "data: " + std::string(data) + "\n\n"; }

SseEventKind kind_of(std::string_view raw) { return classify_openai_event(raw).kind; }

constexpr std::string_view kOpenAiRole =
    R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,)"
    R"("model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,)"
    R"("delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,)"
    R"("finish_reason":null}],"usage":null})";
constexpr std::string_view kOpenAiContent =
    R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,)"
    R"("model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,)"
    R"("delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null})";
constexpr std::string_view kOpenAiFinish =
    R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,)"
    R"("model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},)"
    R"("logprobs":null,"finish_reason":"stop"}],"usage":null})";
constexpr std::string_view kOpenAiUsage =
    R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1718000000,)"
    R"("model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[],"usage":{)"
    R"("prompt_tokens":9,"completion_tokens":12,"total_tokens":21,)"
    R"("prompt_tokens_details":{"cached_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":0}}})";

// vLLM writes its chunks with Python's separators: a space after every colon and comma.
constexpr std::string_view kVllmRole =
    R"({"id": "chatcmpl-3", "object": "chat.completion.chunk", "created": 1718000000, )"
    R"("model": "meta-llama/Llama-3.1-8B-Instruct", "choices": [{"index": 0, "delta": )"
    R"({"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null}]})";
constexpr std::string_view kVllmContent =
    R"({"id": "chatcmpl-3", "object": "chat.completion.chunk", "created": 1718000000, )"
    R"("model": "meta-llama/Llama-3.1-8B-Instruct", "choices": [{"index": 0, "delta": )"
    R"({"content": " world"}, "logprobs": null, "finish_reason": null}]})";
constexpr std::string_view kVllmUsage =
    R"({"id": "chatcmpl-3", "object": "chat.completion.chunk", "created": 1718000000, )"
    R"("model": "meta-llama/Llama-3.1-8B-Instruct", "choices": [], "usage": )"
    R"({"prompt_tokens": 31, "total_tokens": 95, "completion_tokens": 64}})";
constexpr std::string_view kVllmError =
    R"({"error": {"object": "error", "message": "The model does not exist.", )"
    R"("type": "NotFoundError", "param": null, "code": 404}})";

TEST_CASE("an OpenAI chat stream classifies chunk by chunk") {
  CHECK(kind_of(event(kOpenAiRole)) == SseEventKind::kOther);
  CHECK(kind_of(event(kOpenAiContent)) == SseEventKind::kContent);
  CHECK(kind_of(event(kOpenAiFinish)) == SseEventKind::kOther);
  CHECK(kind_of(event("[DONE]")) == SseEventKind::kDone);

  const SseEventInfo usage = classify_openai_event(event(kOpenAiUsage));
  CHECK(usage.kind == SseEventKind::kUsageOnly);
  CHECK(usage.prompt_tokens == 9);
  CHECK(usage.completion_tokens == 12);
}

TEST_CASE("a vLLM chat stream with spaces after colons classifies the same way") {
  CHECK(kind_of(event(kVllmRole)) == SseEventKind::kOther);
  CHECK(kind_of(event(kVllmContent)) == SseEventKind::kContent);

  const SseEventInfo usage = classify_openai_event(event(kVllmUsage));
  CHECK(usage.kind == SseEventKind::kUsageOnly);
  CHECK(usage.prompt_tokens == 31);
  CHECK(usage.completion_tokens == 64);
}

TEST_CASE("content chunks carry no token counts") {
  const SseEventInfo info = classify_openai_event(event(kOpenAiContent));
  CHECK_FALSE(info.prompt_tokens.has_value());
  CHECK_FALSE(info.completion_tokens.has_value());
}

TEST_CASE("a content chunk with per-chunk usage is content with its counts") {
  const SseEventInfo info = classify_openai_event(event(
      R"({"id": "c", "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}], )"
      R"("usage": {"prompt_tokens": 5, "total_tokens": 8, "completion_tokens": 3}})"));
  CHECK(info.kind == SseEventKind::kContent);
  CHECK(info.prompt_tokens == 5);
  CHECK(info.completion_tokens == 3);
}

TEST_CASE("a finish chunk with usage is not usage-only but keeps the counts") {
  const SseEventInfo info =
      classify_openai_event(event(R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}],)"
                                  R"("usage":{"prompt_tokens":4,"completion_tokens":16}})"));
  CHECK(info.kind == SseEventKind::kOther);
  CHECK(info.prompt_tokens == 4);
  CHECK(info.completion_tokens == 16);
}

TEST_CASE("usage without any choices member is usage-only") {
  CHECK(kind_of(event(R"({"usage":{"prompt_tokens":1,"completion_tokens":2}})")) ==
        SseEventKind::kUsageOnly);
}

TEST_CASE("a repeated usage or choices key counts as its last value, as a parser keeps it") {
  const SseEventInfo info = classify_openai_event(
      event(R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2},)"
            R"("usage":{"completion_tokens":7}})"));
  CHECK(info.kind == SseEventKind::kUsageOnly);
  CHECK_FALSE(info.prompt_tokens.has_value());
  CHECK(info.completion_tokens == 7);

  CHECK(kind_of(event(R"({"choices":[{"index":0}],"usage":{"prompt_tokens":1},"choices":[]})")) ==
        SseEventKind::kUsageOnly);
  CHECK(kind_of(event(R"({"choices":[],"usage":{"prompt_tokens":1},"choices":[{"index":0}]})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"usage":{"prompt_tokens":1},"usage":null})")) == SseEventKind::kOther);
}

TEST_CASE("token counts nested inside usage details are not the chunk's counts") {
  const SseEventInfo info = classify_openai_event(event(
      R"({"choices":[],"usage":{"prompt_tokens_details":{"prompt_tokens":99,"cached_tokens":4},)"
      R"("prompt_tokens":10,"completion_tokens":3}})"));
  CHECK(info.kind == SseEventKind::kUsageOnly);
  CHECK(info.prompt_tokens == 10);
  CHECK(info.completion_tokens == 3);
}

TEST_CASE("a stream's classifier says what the one-off classification says, chunk by chunk") {
  // Chunks that share their first members, and some that part from them early, late, or in
  // ways only the whole scan would catch (an escaped key, malformed text after the prefix).
  const std::string head = R"({"id":"c1","object":"chat.completion.chunk","created":7,)";
  const std::vector<std::string> payloads = {
      head + R"("model":"m","choices":[{"index":0,"delta":{"role":"assistant"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]})",
      // The last content chunk with its string changed: plainly, or in ways that are not a
      // plain string in the same place.
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"Hello there, 16+ bytes"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"a\"b"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"a"b"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"x"}}]}"}}]})",
      head + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\x01\"}}]}",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":""}}]})",
      head + R"("model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"x"}}],"error":null})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"x"}}],"error":{"m":1}})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"x"}}]} trailing)",
      head + R"("model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"id":"t"}]}}]})",
      head + R"("model":"m","choices":[{"index":0,"text":"done"}]})",
      head + R"("model":"n","choices":[{"index":0,"delta":{"content":"other model"}}]})",
      head + R"("usage":{"prompt_tokens":1},"choices":[]})",
      head + R"("usage":{"prompt_tokens":1},"choices":[{"index":0,"delta":{"content":"y"}}]})",
      head + R"("mod\u0065l":"m","choices":[{"index":0,"delta":{"content":"z"}}]})",
      head + R"("model":"m","choices":[{"index":0,"delta":{"content":"a"}}],"choices":[]})",
      R"({"id":"c2","choices":[{"index":0,"delta":{"content":"new stream"}}]})",
      R"({"id":"c2","choices":[{"index":0,"delta":{"content":"again"}}]})",
      R"({"id":"c2","choices":[)",
      R"([{"id":"c2","choices":[]}])",
      "[DONE]",
  };
  OpenAiEventClassifier classifier;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& payload : payloads) {
      CAPTURE(payload);
      const SseEventInfo expected = classify_openai_event(event(payload));
      const SseEventInfo got = classifier.classify(event(payload));
      CHECK(got.kind == expected.kind);
      CHECK(got.prompt_tokens == expected.prompt_tokens);
      CHECK(got.completion_tokens == expected.completion_tokens);
    }
  }
}

TEST_CASE("empty choices without usage is other") {
  CHECK(kind_of(event(R"({"id":"x","choices":[]})")) == SseEventKind::kOther);
  CHECK(kind_of(event(R"({"id":"x","choices":[],"usage":null})")) == SseEventKind::kOther);
}

TEST_CASE("an error chunk is an error, with or without an event field") {
  CHECK(kind_of(event(kVllmError)) == SseEventKind::kError);
  CHECK(kind_of("event: error\ndata: {\"error\":{\"message\":\"overloaded\",\"code\":503}}\n\n") ==
        SseEventKind::kError);
  CHECK(kind_of(event(R"({"error":"upstream went away"})")) == SseEventKind::kError);
}

TEST_CASE("a null error member is not an error") {
  CHECK(kind_of(event(R"({"choices":[{"delta":{"content":"hi"}}],"error":null})")) ==
        SseEventKind::kContent);
}

TEST_CASE("an error wins over content in the same chunk") {
  CHECK(kind_of(event(R"({"choices":[{"delta":{"content":"hi"}}],"error":{"message":"x"}})")) ==
        SseEventKind::kError);
}

TEST_CASE("completions chunks are content when their text is not empty") {
  CHECK(kind_of(event(R"({"id": "cmpl-1", "object": "text_completion", "created": 1, )"
                      R"("model": "m", "choices": [{"index": 0, "text": " world", )"
                      R"("logprobs": null, "finish_reason": null, "stop_reason": null}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"id": "cmpl-1", "object": "text_completion", "created": 1, )"
                      R"("model": "m", "choices": [{"index": 0, "text": "", )"
                      R"("logprobs": null, "finish_reason": "length", "stop_reason": null}]})")) ==
        SseEventKind::kOther);
}

TEST_CASE("tool calls and reasoning are content") {
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1",)"
                      R"("type":"function","function":{"name":"get_weather","arguments":""}}]},)"
                      R"("finish_reason":null}]})")) == SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"tool_calls":[]}}]})")) ==
        SseEventKind::kOther);
  // Any element makes the list non-empty, whatever it holds.
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"tool_calls":[""]}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"tool_calls":[null]}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"tool_calls":null}}]})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content":null,)"
                      R"("reasoning_content":"Let me think."}}]})")) == SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"reasoning_content":""}}]})")) ==
        SseEventKind::kOther);
}

TEST_CASE("any choice with output makes the chunk content") {
  CHECK(kind_of(
            event(R"({"choices":[{"index":0,"delta":{}},{"index":1,"delta":{"content":"b"}}]})")) ==
        SseEventKind::kContent);
}

TEST_CASE("empty-string and null content is not content") {
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content":""}}]})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content":null}}]})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content": "" }}]})")) ==
        SseEventKind::kOther);
}

TEST_CASE("key names inside string values do not fool the classifier") {
  const SseEventInfo usage_text = classify_openai_event(
      event(R"({"choices":[{"index":0,"delta":{"content":"\"usage\":{"},"finish_reason":null}]})"));
  CHECK(usage_text.kind == SseEventKind::kContent);
  CHECK_FALSE(usage_text.prompt_tokens.has_value());

  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content":"{\"error\": 1}"}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop",)"
                      R"("stop_reason":"\"content\":\"hi\""}]})")) == SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"content":"\\"}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"role":"\\\"content\\\":\"x\""}}]})")) ==
        SseEventKind::kOther);
}

TEST_CASE("keys only count in the places the chunk schema gives them") {
  // Log-probabilities have a "content" array of their own.
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{},"logprobs":{"content":[{"token":"hi",)"
                      R"("logprob":-0.1,"bytes":[104,105],"top_logprobs":[]}]},)"
                      R"("finish_reason":"stop"}]})")) == SseEventKind::kOther);
  // A whole message is not a delta.
  CHECK(kind_of(event(R"({"choices":[{"index":0,"message":{"content":"hi"}}]})")) ==
        SseEventKind::kOther);
  // A nested "usage" or "error" is not the chunk's.
  CHECK(kind_of(event(R"({"choices":[],"meta":{"usage":{"prompt_tokens":1}}})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{},"error":"x"}]})")) ==
        SseEventKind::kOther);
  CHECK(kind_of(event(R"({"delta":{"content":"hi"}})")) == SseEventKind::kOther);
}

TEST_CASE("an escaped key name is decoded before it is judged") {
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"cont\u0065nt":"hi"}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"index":0,"delta":{"cont\u0065nu":"hi"}}]})")) ==
        SseEventKind::kOther);
}

TEST_CASE("content given as an array of parts counts when not empty") {
  CHECK(kind_of(event(R"({"choices":[{"delta":{"content":[{"type":"text","text":"hi"}]}}]})")) ==
        SseEventKind::kContent);
  CHECK(kind_of(event(R"({"choices":[{"delta":{"content":[]}}]})")) == SseEventKind::kOther);
  CHECK(kind_of(event(R"({"choices":[{"delta":{"content":42}}]})")) == SseEventKind::kOther);
}

TEST_CASE("data with and without the space after the colon") {
  CHECK(kind_of("data:[DONE]\n\n") == SseEventKind::kDone);
  CHECK(kind_of("data:" + std::string(kOpenAiContent) + "\n\n") == SseEventKind::kContent);
  CHECK(kind_of("data:  [DONE]\n\n") == SseEventKind::kDone);
  CHECK(kind_of("data: [DONE]  \n\n") == SseEventKind::kDone);
}

TEST_CASE("CRLF line endings classify like LF") {
  CHECK(kind_of("data: [DONE]\r\n\r\n") == SseEventKind::kDone);
  CHECK(kind_of("data: " + std::string(kVllmContent) + "\r\n\r\n") == SseEventKind::kContent);
  CHECK(kind_of("data: " + std::string(kVllmUsage) + "\r\r") == SseEventKind::kUsageOnly);
}

TEST_CASE("several data lines are joined with newlines") {
  CHECK(kind_of("data: {\"choices\":[{\"index\":0,\ndata: \"delta\":{\"content\":\"hi\"}}]}\n\n") ==
        SseEventKind::kContent);
  CHECK(kind_of("data: {\"usage\":\r\ndata: {\"prompt_tokens\":2,\r\n"
                "data: \"completion_tokens\":3},\"choices\":[]}\r\n\r\n") ==
        SseEventKind::kUsageOnly);
  // A string cannot hold a raw line break, so splitting inside one breaks the JSON.
  CHECK(kind_of("data: {\"choices\":[{\"delta\":{\"content\":\"h\ndata: i\"}}]}\n\n") ==
        SseEventKind::kOther);
}

TEST_CASE("comments, event and id lines are ignored") {
  CHECK(kind_of(": ping\n\n") == SseEventKind::kOther);
  CHECK(kind_of(":\n\n") == SseEventKind::kOther);
  CHECK(kind_of(": keep-alive\nevent: message\nid: 12\nretry: 1000\ndata: " +
                std::string(kOpenAiContent) + "\n\n") == SseEventKind::kContent);
  CHECK(kind_of("event: done\n\n") == SseEventKind::kOther);
  CHECK(kind_of("id: 1\ndata: [DONE]\n: bye\n\n") == SseEventKind::kDone);
  // Field names are exact: these are not data lines.
  CHECK(kind_of("Data: [DONE]\n\n") == SseEventKind::kOther);
  CHECK(kind_of("dat: [DONE]\n\n") == SseEventKind::kOther);
  CHECK(kind_of("database: [DONE]\n\n") == SseEventKind::kOther);
}

TEST_CASE("token counts are read only when they are non-negative integers") {
  const SseEventInfo odd = classify_openai_event(
      event(R"({"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":2.5}})"));
  CHECK(odd.kind == SseEventKind::kUsageOnly);
  CHECK_FALSE(odd.prompt_tokens.has_value());
  CHECK_FALSE(odd.completion_tokens.has_value());

  const SseEventInfo huge = classify_openai_event(event(
      R"({"choices":[],"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":"7"}})"));
  CHECK_FALSE(huge.prompt_tokens.has_value());
  CHECK_FALSE(huge.completion_tokens.has_value());

  const SseEventInfo partial =
      classify_openai_event(event(R"({"choices":[],"usage":{"completion_tokens":0}})"));
  CHECK_FALSE(partial.prompt_tokens.has_value());
  CHECK(partial.completion_tokens == 0);
}

TEST_CASE("malformed JSON is other, never a crash") {
  for (const char* data :
       {R"({"choices":[{"delta":{"content":"hi"})",             // cut short
        R"({"choices":[{"delta":{"content":"hi"}}]}})",         // one brace too many
        R"({"choices":[{"delta":{"content":"hi"}]}})",          // mismatched brackets
        R"({"choices":[{"delta":{"content":"hi}}]})",           // unterminated string
        R"({"choices":[{"delta":{"content":"hi"}}]} x)",        // trailing garbage
        R"({"choices":[{"delta":{"content" "hi"}}]})",          // no colon
        R"({"choices":[{"delta":{"content":"hi",}}]})",         // trailing comma
        R"({"choices":[{"delta":{"content":"\q"}}]})",          // bad escape
        R"({"choices":[{"delta":{"content":"\u12"}}]})",        // short unicode escape
        R"({"choices":[{"delta":{"content":'hi'}}]})",          // single quotes
        R"({"choices":[{"delta":{content:"hi"}}]})",            // bare key
        R"({"choices":[{"delta":{"content":"hi"}}],"n":01})",   // leading zero
        R"({"choices":[{"delta":{"content":"hi"}}],"n":1.})",   // no fraction digits
        R"({"choices":[{"delta":{"content":"hi"}}],"n":tru})",  // bad literal
        R"({"usage":{"prompt_tokens":1,}})",                    // broken usage
        R"({"error":{"message":)",                              // broken error
        R"(["choices"])",                                       // not an object
        R"("hello")",
        "42",
        "",
        "{",
        "}",
        "not json at all"}) {
    CAPTURE(data);
    const SseEventInfo info = classify_openai_event(event(data));
    CHECK(info.kind == SseEventKind::kOther);
    CHECK_FALSE(info.prompt_tokens.has_value());
  }
  CHECK(kind_of("data\n\n") == SseEventKind::kOther);
  CHECK(kind_of("") == SseEventKind::kOther);
}

TEST_CASE("a raw control character inside a string is malformed") {
  CHECK(kind_of(event(std::string("{\"choices\":[{\"delta\":{\"content\":\"a\tb\"}}]}"))) ==
        SseEventKind::kOther);
}

TEST_CASE("nesting deeper than any chunk is other") {
  std::string deep = R"({"choices":[{"delta":{"content":"hi"}}],"x":)";
  deep += std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(kind_of(event(deep)) == SseEventKind::kOther);

  std::string fine = R"({"choices":[{"delta":{"content":"hi"}}],"x":)";
  fine += std::string(20, '[') + std::string(20, ']') + "}";
  CHECK(kind_of(event(fine)) == SseEventKind::kContent);
}

TEST_CASE("kind names") {
  CHECK(sse_event_kind_name(SseEventKind::kContent) == "content");
  CHECK(sse_event_kind_name(SseEventKind::kUsageOnly) == "usage_only");
  CHECK(sse_event_kind_name(SseEventKind::kDone) == "done");
  CHECK(sse_event_kind_name(SseEventKind::kError) == "error");
  CHECK(sse_event_kind_name(SseEventKind::kOther) == "other");
}

}  // namespace
}  // namespace scoville::router
