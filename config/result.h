#pragma once

#include <expected>
#include <string>
#include <utility>

namespace scoville {

// An expected failure that crosses a component boundary. The message says what was wrong and
// where ("examples/a.jsonc: malformed JSON at line 3, column 14: ..."), ready for a user.
struct Error {
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> make_error(std::string message) {
  return std::unexpected(Error{std::move(message)});
}

}  // namespace scoville
