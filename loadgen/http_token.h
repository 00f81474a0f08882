#pragma once

#include <algorithm>
#include <cctype>
#include <string_view>

namespace scoville::loadgen {

// True when `text` is a non-empty token as RFC 9110 defines it (letters, digits and
// !#$%&'*+-.^_`|~): what a header name must be, and what a header value can carry unquoted.
inline bool is_http_token(std::string_view text) {
  constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kPunctuation.find(c) != std::string_view::npos;
  });
}

// True when `a` and `b` name the same header: names compare without regard to ASCII case.
inline bool same_header_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace scoville::loadgen
