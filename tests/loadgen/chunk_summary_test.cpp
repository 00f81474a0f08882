// What the load generator reads from each streamed chunk and whole reply.
#include "loadgen/chunk_summary.h"

#include <doctest/doctest.h>

namespace scoville::loadgen {
namespace {

TEST_CASE("a chat chunk with content counts its characters") {
  const ChunkSummary chunk =
      summarize_chunk(R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,)"
                      R"("delta":{"content":"Hello"},"finish_reason":null}]})");
  CHECK(chunk.parsed);
  CHECK(chunk.content_characters == 5);
  CHECK_FALSE(chunk.completion_tokens.has_value());
  CHECK_FALSE(chunk.is_error);
}

TEST_CASE("role-only and finish-only chunks carry no content") {
  CHECK(summarize_chunk(R"({"choices":[{"delta":{"role":"assistant"}}]})").content_characters == 0);
  CHECK(summarize_chunk(R"({"choices":[{"delta":{"content":""},"finish_reason":"stop"}]})")
            .content_characters == 0);
  CHECK(summarize_chunk(R"({"choices":[{"delta":{},"finish_reason":"length"}]})")
            .content_characters == 0);
}

TEST_CASE("completion text, whole messages and reasoning count as content") {
  CHECK(summarize_chunk(R"({"object":"text_completion","choices":[{"text":"abc"}]})")
            .content_characters == 3);
  CHECK(summarize_chunk(R"({"choices":[{"message":{"role":"assistant","content":"abcd"}}]})")
            .content_characters == 4);
  CHECK(
      summarize_chunk(R"({"choices":[{"delta":{"reasoning_content":"hm"}}]})").content_characters ==
      2);
}

TEST_CASE("content outside the choices is not generated text") {
  CHECK(summarize_chunk(R"({"content":"x","text":"y","choices":[]})").content_characters == 0);
}

TEST_CASE("the usage block gives the completion tokens") {
  const ChunkSummary chunk = summarize_chunk(
      R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}})");
  REQUIRE(chunk.completion_tokens.has_value());
  CHECK(*chunk.completion_tokens == 34);
  CHECK_FALSE(summarize_chunk(R"({"choices":[],"usage":null})").completion_tokens.has_value());
  CHECK_FALSE(
      summarize_chunk(R"({"choices":[{"completion_tokens":3}]})").completion_tokens.has_value());
}

TEST_CASE("OpenAI's and vLLM's error shapes are errors with their message") {
  const ChunkSummary openai =
      summarize_chunk(R"({"error":{"message":"overloaded","type":"server_error","code":null}})");
  CHECK(openai.is_error);
  CHECK(openai.error_message == "overloaded");

  const ChunkSummary vllm =
      summarize_chunk(R"({"object":"error","message":"bad things","type":"x","code":500})");
  CHECK(vllm.is_error);
  CHECK(vllm.error_message == "bad things");
}

TEST_CASE("a null error member is not an error") {
  const ChunkSummary chunk =
      summarize_chunk(R"({"error":null,"choices":[{"delta":{"content":"ok"}}]})");
  CHECK_FALSE(chunk.is_error);
  CHECK(chunk.error_message.empty());
  CHECK(chunk.content_characters == 2);
}

TEST_CASE("text that is not JSON is reported as unparsed") {
  CHECK_FALSE(summarize_chunk("{\"choices\": [").parsed);
  CHECK_FALSE(summarize_chunk("<html>").parsed);
  CHECK(summarize_chunk("{}").parsed);
}

}  // namespace
}  // namespace scoville::loadgen
