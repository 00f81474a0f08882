#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/container/small_vector.hpp>
#include <boost/optional.hpp>

#include "router/asio.h"

namespace scoville::router {

// One field of a backend's response header; `id` is Beast's for a known name, else unknown.
struct ResponseField {
  http::field id = http::field::unknown;
  std::string_view name;
  std::string_view value;
};

// A backend's response header as its parser read it: the status, the version and the
// fields in the order they came, all in storage the header owns.
class UpstreamResponseHeader {
 public:
  // The most bytes of field names and values a backend's header may hold (and the most
  // header bytes one read may bring); the parser refuses more.
  static constexpr std::uint32_t kMaxBytes = 16 * 1024;

  unsigned status() const { return status_; }
  unsigned version() const { return version_; }
  std::size_t field_count() const { return spans_.size(); }
  ResponseField field(std::size_t index) const;
  // The value of the first field with this id, "" when there is none.
  std::string_view value(http::field id) const;

 private:
  friend class UpstreamResponseParser;

  // Where a field's name and value (which follows it) are in the text. Offsets and sizes
  // fit 16 bits because the parser keeps the text within kMaxBytes.
  struct FieldSpan {
    std::uint16_t name_at;
    std::uint16_t name_size;
    std::uint16_t value_size;
    http::field id;
  };

  void add(http::field id, std::string_view name, std::string_view value);

  unsigned status_ = 0;
  unsigned version_ = 11;
  // Inline sizes fit a usual backend header, so most calls allocate nothing for it; the
  // call holding the header stays small enough for the allocator's per-thread cache.
  boost::container::small_vector<char, 256> text_;
  boost::container::small_vector<FieldSpan, 12> spans_;
};

// Reads one response from a backend: the header into an UpstreamResponseHeader, and the
// body it decodes (by Content-Length, chunked, or until the connection closes) kept for the
// caller to hand on.
//
// Beast's own response parser builds a field container with an allocation a field; this
// one copies the header into one buffer. Body bytes that lie in one run of the input (all of
// a read, unless chunk framing cuts them) are not copied at all.
class UpstreamResponseParser final : public http::basic_parser<false> {
 public:
  // `body_sink` holds body bytes that had to be copied; the caller lends it so that its
  // capacity outlives the parser.
  explicit UpstreamResponseParser(std::string& body_sink) : body_sink_(body_sink) {
    header_limit(UpstreamResponseHeader::kMaxBytes);
  }

  const UpstreamResponseHeader& header() const { return header_; }

  // The body bytes decoded since the last clear_body(). The view may point into the input
  // given to put(), so it is valid only while those bytes stay where they are.
  std::string_view body() const { return body_sink_.empty() ? body_run_ : body_sink_; }
  void clear_body() {
    body_sink_.clear();
    body_run_ = {};
  }

 private:
  void on_request_impl(http::verb method, beast::string_view method_text, beast::string_view target,
                       int version, beast::error_code& ec) override;
  void on_response_impl(int code, beast::string_view reason, int version,
                        beast::error_code& ec) override;
  void on_field_impl(http::field id, beast::string_view name, beast::string_view value,
                     beast::error_code& ec) override;
  void on_header_impl(beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code& ec) override;
  std::size_t on_body_impl(beast::string_view body, beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, beast::string_view extensions,
                            beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, beast::string_view body,
                                 beast::error_code& ec) override;
  void on_finish_impl(beast::error_code& ec) override;

  void add_body(beast::string_view piece);

  std::string& body_sink_;
  std::string_view body_run_;  // body bytes still in the input, when nothing was copied
  UpstreamResponseHeader header_;
};

}  // namespace scoville::router
