#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/optional.hpp>

#include "router/asio.h"

namespace scoville::router {

// A Beast body type for relaying: the parser appends each piece of body it decodes (from a
// Content-Length, chunked or until-close response) to a string the reader of the message
// set, which hands it on and clears it after every read. Nothing is buffered but what one
// read brought, and nothing at all while a stream waits for its next bytes.
struct RelayBody {
  struct value_type {
    std::string* sink = nullptr;  // must be set before the body is read
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>& /*header*/, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& /*content_length*/, beast::error_code& ec) {
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      ec = {};
      std::size_t bytes = 0;
      for (const auto buffer : beast::buffers_range_ref(buffers)) {
        body_.sink->append(static_cast<const char*>(buffer.data()), buffer.size());
        bytes += buffer.size();
      }
      return bytes;
    }

    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace scoville::router
