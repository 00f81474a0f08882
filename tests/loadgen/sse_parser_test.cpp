// Server-sent events read incrementally, however the bytes are cut.
#include "loadgen/sse_parser.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace scoville::loadgen {
namespace {

std::vector<std::string> events_of(SseParser& parser, std::string_view bytes) {
  std::vector<std::string> events;
  parser.feed(bytes, [&](std::string_view data) { events.emplace_back(data); });
  return events;
}

TEST_CASE("each blank line ends an event and hands over its data") {
  SseParser parser;
  CHECK(events_of(parser, "data: {\"a\":1}\n\ndata: [DONE]\n\n") ==
        std::vector<std::string>{"{\"a\":1}", "[DONE]"});
  CHECK_FALSE(parser.has_partial_event());
}

TEST_CASE("an event split at every byte comes out whole, once") {
  const std::string stream = "data: first\r\n\r\n: a comment\n\ndata:second\n\n";
  SseParser parser;
  std::vector<std::string> events;
  for (const char byte : stream) {
    for (std::string& event : events_of(parser, std::string_view(&byte, 1))) {
      events.push_back(std::move(event));
    }
  }
  CHECK(events == std::vector<std::string>{"first", "second"});
}

TEST_CASE("data lines of one event are joined with a line feed") {
  SseParser parser;
  CHECK(events_of(parser, "data: one\ndata: two\n\n") == std::vector<std::string>{"one\ntwo"});
}

TEST_CASE("comments, other fields and events without data are not dispatched") {
  SseParser parser;
  CHECK(events_of(parser, ": keep-alive\n\nevent: ping\nid: 3\nretry: 10\n\n\n").empty());
  CHECK(events_of(parser, "event: message\ndata: x\n\n") == std::vector<std::string>{"x"});
}

TEST_CASE("a body that stops mid-event leaves a partial event") {
  SseParser parser;
  CHECK(events_of(parser, "data: {\"cho").empty());
  CHECK(parser.has_partial_event());
  CHECK(events_of(parser, "ices\":[]}\n").empty());
  CHECK(parser.has_partial_event());
  CHECK(events_of(parser, "\n") == std::vector<std::string>{"{\"choices\":[]}"});
}

TEST_CASE("the bytes of an unfinished event are counted, so that a caller can bound them") {
  SseParser parser;
  events_of(parser, "data: 12345\ndata: 678");
  // "12345" of the first data line and the whole unfinished second line.
  CHECK(parser.held_bytes() == 5 + 9);
  events_of(parser, "\n\n");
  CHECK(parser.held_bytes() == 0);
}

TEST_CASE("reset forgets a partial event") {
  SseParser parser;
  events_of(parser, "data: cut off");
  parser.reset();
  CHECK_FALSE(parser.has_partial_event());
  CHECK(events_of(parser, "data: next\n\n") == std::vector<std::string>{"next"});
}

}  // namespace
}  // namespace scoville::loadgen
