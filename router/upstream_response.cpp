#include "router/upstream_response.h"

namespace scoville::router {

ResponseField UpstreamResponseHeader::field(std::size_t index) const {
  const FieldSpan& span = spans_[index];
  const char* name = text_.data() + span.name_at;
  return {span.id, std::string_view(name, span.name_size),
          std::string_view(name + span.name_size, span.value_size)};
}

std::string_view UpstreamResponseHeader::value(http::field id) const {
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i].id == id) return field(i).value;
  }
  return {};
}

void UpstreamResponseHeader::add(http::field id, std::string_view name, std::string_view value) {
  // The parser's header limit keeps every offset and size below 2^16.
  spans_.push_back({static_cast<std::uint16_t>(text_.size()),
                    static_cast<std::uint16_t>(name.size()),
                    static_cast<std::uint16_t>(value.size()), id});
  text_.insert(text_.end(), name.begin(), name.end());
  text_.insert(text_.end(), value.begin(), value.end());
}

void UpstreamResponseParser::on_request_impl(http::verb /*method*/,
                                             beast::string_view /*method_text*/,
                                             beast::string_view /*target*/, int /*version*/,
                                             beast::error_code& ec) {
  // A response parser never reads a request line.
  ec = http::error::bad_method;
}

void UpstreamResponseParser::on_response_impl(int code, beast::string_view /*reason*/, int version,
                                              beast::error_code& /*ec*/) {
  header_.status_ = static_cast<unsigned>(code);
  header_.version_ = static_cast<unsigned>(version);
}

void UpstreamResponseParser::on_field_impl(http::field id, beast::string_view name,
                                           beast::string_view value, beast::error_code& ec) {
  // Trailer fields of a chunked body come after the header was handed on; they are not
  // relayed.
  if (is_header_done()) return;

  // Beast bounds the header bytes of one put(), not of a header that arrives over several
  // reads, so the whole is bounded here (and the spans' 16 bits with it).
  if (header_.text_.size() + name.size() + value.size() > UpstreamResponseHeader::kMaxBytes) {
    ec = http::error::header_limit;
    return;
  }
  header_.add(id, std::string_view(name.data(), name.size()),
              std::string_view(value.data(), value.size()));
}

void UpstreamResponseParser::on_header_impl(beast::error_code& /*ec*/) {}

void UpstreamResponseParser::on_body_init_impl(
    const boost::optional<std::uint64_t>& /*content_length*/, beast::error_code& /*ec*/) {}

void UpstreamResponseParser::add_body(beast::string_view piece) {
  if (body_sink_.empty()) {
    // A piece that continues the run in the input extends it; one that does not (framing
    // lies between) makes the run a copy, and the pieces after it are appended.
    if (body_run_.empty()) {
      body_run_ = std::string_view(piece.data(), piece.size());
      return;
    }
    if (body_run_.data() + body_run_.size() == piece.data()) {
      body_run_ = std::string_view(body_run_.data(), body_run_.size() + piece.size());
      return;
    }
    body_sink_.assign(body_run_);
    body_run_ = {};
  }
  body_sink_.append(piece.data(), piece.size());
}

std::size_t UpstreamResponseParser::on_body_impl(beast::string_view body,
                                                 beast::error_code& /*ec*/) {
  add_body(body);
  return body.size();
}

void UpstreamResponseParser::on_chunk_header_impl(std::uint64_t /*size*/,
                                                  beast::string_view /*extensions*/,
                                                  beast::error_code& /*ec*/) {}

std::size_t UpstreamResponseParser::on_chunk_body_impl(std::uint64_t /*remain*/,
                                                       beast::string_view body,
                                                       beast::error_code& /*ec*/) {
  add_body(body);
  return body.size();
}

void UpstreamResponseParser::on_finish_impl(beast::error_code& /*ec*/) {}

}  // namespace scoville::router
