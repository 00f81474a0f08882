// The parser of backends' responses: the header it keeps and the body it hands on.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "router/upstream_response.h"

namespace scoville::router {
namespace {

// Feeds `text` to a parser in pieces of `piece` bytes, as reads would bring them, and
// collects the body it hands on after each put(), as a call does before its next read.
struct Parsed {
  std::string body;
  beast::error_code error;
  bool done = false;
};

Parsed parse_pieces(UpstreamResponseParser& parser, const std::vector<std::string>& pieces) {
  Parsed parsed;
  std::string buffered;
  for (std::size_t i = 0; i < pieces.size() && !parsed.error; ++i) {
    buffered += pieces[i];
    while (!buffered.empty() && !parser.is_done()) {
      beast::error_code ec;
      const std::size_t used = parser.put(asio::buffer(buffered), ec);
      parsed.body += parser.body();
      parser.clear_body();
      buffered.erase(0, used);
      if (ec == http::error::need_more) break;
      if (ec) {
        parsed.error = ec;
        break;
      }
      if (parser.is_header_done()) parser.eager(true);
      if (used == 0) break;
    }
  }
  parsed.done = parser.is_done();
  return parsed;
}

Parsed parse(UpstreamResponseParser& parser, const std::string& text, std::size_t piece) {
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < text.size(); at += piece) pieces.push_back(text.substr(at, piece));
  return parse_pieces(parser, pieces);
}

TEST_CASE("a backend's header keeps its status, version and fields in order") {
  std::string sink;
  UpstreamResponseParser parser(sink);
  const std::string text =
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nX-Custom: a b\r\n"
      "Content-Type: application/json\r\nX-Custom: again\r\nContent-Length: 2\r\n\r\n{}";

  const Parsed parsed = parse(parser, text, 7);

  REQUIRE_FALSE(parsed.error);
  CHECK(parsed.done);
  CHECK(parsed.body == "{}");
  const UpstreamResponseHeader& header = parser.header();
  CHECK(header.status() == 429);
  CHECK(header.version() == 11);
  REQUIRE(header.field_count() == 5);
  CHECK(header.field(0).id == http::field::retry_after);
  CHECK(header.field(1).name == "X-Custom");
  CHECK(header.field(1).id == http::field::unknown);
  CHECK(header.field(1).value == "a b");
  CHECK(header.field(3).value == "again");
  CHECK(header.value(http::field::retry_after) == "2");
  CHECK(header.value(http::field::content_type) == "application/json");
  CHECK(header.value(http::field::server).empty());
}

TEST_CASE("a header larger than its inline storage is kept whole") {
  std::string sink;
  UpstreamResponseParser parser(sink);
  std::string text = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 40; ++i) {
    text += "X-Field-" + std::to_string(i) + ": " +
            std::string(60, static_cast<char>('a' + i % 26)) + "\r\n";
  }
  text += "Content-Length: 0\r\n\r\n";

  const Parsed parsed = parse(parser, text, 1000);

  REQUIRE_FALSE(parsed.error);
  const UpstreamResponseHeader& header = parser.header();
  REQUIRE(header.field_count() == 41);
  for (int i = 0; i < 40; ++i) {
    CAPTURE(i);
    const ResponseField field = header.field(static_cast<std::size_t>(i));
    CHECK(field.name == "X-Field-" + std::to_string(i));
    CHECK(field.value == std::string(60, static_cast<char>('a' + i % 26)));
  }
}

TEST_CASE("a header over the limit is refused") {
  std::string sink;
  UpstreamResponseParser parser(sink);
  const std::string text =
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(UpstreamResponseHeader::kMaxBytes, 'x') +
      "\r\n\r\n";

  const Parsed parsed = parse(parser, text, 4096);

  CHECK(parsed.error == http::error::header_limit);
}

TEST_CASE("a header that grows over many reads is refused once past the limit") {
  // Beast's own limit counts the bytes of one put() and resets between reads; the parser
  // must bound the whole.
  std::string sink;
  UpstreamResponseParser parser(sink);
  std::vector<std::string> lines = {"HTTP/1.1 200 OK\r\n"};
  for (int i = 0; i < 2'000; ++i) {
    lines.push_back("X-F" + std::to_string(i) + ": " + std::string(40, 'v') + "\r\n");
  }
  // Each read ends two bytes into the next field's line.
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    pieces.push_back(lines[i].substr(i == 0 ? 0 : 2) + lines[i + 1].substr(0, 2));
  }

  const Parsed parsed = parse_pieces(parser, pieces);

  CHECK(parsed.error == http::error::header_limit);
  const UpstreamResponseHeader& header = parser.header();
  REQUIRE(header.field_count() > 0);
  std::size_t kept_bytes = 0;
  for (std::size_t i = 0; i < header.field_count(); ++i) {
    CHECK(header.field(i).name == "X-F" + std::to_string(i));
    kept_bytes += header.field(i).name.size() + header.field(i).value.size();
  }
  CHECK(kept_bytes <= UpstreamResponseHeader::kMaxBytes);
}

TEST_CASE("a chunked body's trailer fields are not added to the header") {
  std::string sink;
  UpstreamResponseParser parser(sink);
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
      "2\r\nok\r\n0\r\nX-Checksum: 1234\r\n\r\n";

  const Parsed parsed = parse(parser, text, 5);

  REQUIRE_FALSE(parsed.error);
  CHECK(parsed.done);
  CHECK(parsed.body == "ok");
  CHECK(parser.header().field_count() == 2);
  CHECK(parser.header().value(http::field::unknown).empty());
}

TEST_CASE("a body in one run of the input is handed on in place, and a chunked one copied") {
  std::string sink;
  UpstreamResponseParser whole(sink);
  const std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
  beast::error_code ec;
  std::size_t used = whole.put(asio::buffer(text), ec);
  REQUIRE_FALSE(ec);
  whole.eager(true);
  used += whole.put(asio::buffer(text.data() + used, text.size() - used), ec);
  REQUIRE_FALSE(ec);
  CHECK(whole.body() == "hello world");
  CHECK(whole.body().data() == text.data() + text.size() - 11);
  CHECK(sink.empty());

  UpstreamResponseParser chunked(sink);
  const std::string framed =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n";
  used = chunked.put(asio::buffer(framed), ec);
  REQUIRE_FALSE(ec);
  chunked.eager(true);
  chunked.put(asio::buffer(framed.data() + used, framed.size() - used), ec);
  CHECK(chunked.body() == "hello world");
  CHECK(sink == "hello world");
}

TEST_CASE("a chunked body arrives decoded, whatever the reads cut it into") {
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
  for (std::size_t piece = 1; piece <= text.size(); ++piece) {
    CAPTURE(piece);
    std::string sink;
    UpstreamResponseParser parser(sink);
    const Parsed parsed = parse(parser, text, piece);
    REQUIRE_FALSE(parsed.error);
    CHECK(parsed.done);
    CHECK(parsed.body == "hello, world");
    CHECK(parser.keep_alive());
  }
}

}  // namespace
}  // namespace scoville::router
