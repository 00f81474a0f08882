#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace scoville::loadgen {

// An incremental reader of server-sent events: feed it the bytes of a response body as they
// arrive, split anywhere, and it hands over the data of each complete event. It keeps only a
// partial line and the current event's data between calls, in buffers that keep their
// capacity across reset(), so a connection that reuses one parser allocates nothing per event
// once warmed up.
//
// What it understands, from the SSE format: lines end in LF or CRLF; "data:" lines (one
// optional space after the colon) accumulate, joined by LF; a blank line ends the event; lines
// starting with ":" are comments; other fields (event, id, retry) are ignored. An event with
// no data line is not dispatched.
class SseParser {
 public:
  // Calls on_event(std::string_view data) for each event `bytes` completes. The view is valid
  // only during the call.
  template <typename OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event);

  // Forgets any partial line or event, for the next response.
  void reset();

  // True when bytes of an unfinished line or event are held (a body that ends here was cut).
  bool has_partial_event() const { return !line_.empty() || has_data_; }

  // Bytes held for the unfinished line and event, which the caller bounds: a server that never
  // ends an event would otherwise grow them without limit.
  std::size_t held_bytes() const { return line_.size() + data_.size(); }

 private:
  // Handles one complete line (without its line ending); returns true when it ended an event
  // whose data is in data_.
  bool take_line(std::string_view line);

  std::string line_;  // a line split across feed() calls
  std::string data_;  // the current event's data lines
  bool has_data_ = false;
};

template <typename OnEvent>
void SseParser::feed(std::string_view bytes, OnEvent&& on_event) {
  while (!bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      line_.append(bytes);
      return;
    }

    // Most lines arrive whole, and are read in place without a copy.
    std::string_view line = bytes.substr(0, newline);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    if (line.ends_with('\r')) line.remove_suffix(1);
    bytes.remove_prefix(newline + 1);

    const bool dispatch = take_line(line);
    line_.clear();
    if (dispatch) {
      on_event(std::string_view(data_));
      data_.clear();
      has_data_ = false;
    }
  }
}

}  // namespace scoville::loadgen
