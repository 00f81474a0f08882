#include "router/retry_backoff.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace scoville::router {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kMaxRetryAfterSeconds = 1'000'000'000;

constexpr std::array<std::string_view, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const std::size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The value of `text`, all digits, saturating at kMaxRetryAfterSeconds; nullopt otherwise.
std::optional<std::int64_t> parse_digits(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }

  std::int64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    value = std::min(kMaxRetryAfterSeconds, value * 10 + (c - '0'));
  }
  return value;
}

// Index of `name` in `names`, or nullopt.
template <std::size_t N>
std::optional<unsigned> find_name(const std::array<std::string_view, N>& names,
                                  std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      return static_cast<unsigned>(i);
    }
  }
  return std::nullopt;
}

// "Sun, 06 Nov 1994 08:49:37 GMT", fixed width: every field at a fixed offset.
std::optional<std::chrono::sys_seconds> parse_imf_fixdate(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (!find_name(kDayNames, text.substr(0, 3))) {
    return std::nullopt;
  }

  const std::optional<std::int64_t> day = parse_digits(text.substr(5, 2));
  const std::optional<unsigned> month = find_name(kMonthNames, text.substr(8, 3));
  const std::optional<std::int64_t> year = parse_digits(text.substr(12, 4));
  const std::optional<std::int64_t> hour = parse_digits(text.substr(17, 2));
  const std::optional<std::int64_t> minute = parse_digits(text.substr(20, 2));
  const std::optional<std::int64_t> second = parse_digits(text.substr(23, 2));
  if (!day || !month || !year || !hour || !minute || !second) {
    return std::nullopt;
  }

  // A leap second (":60") is allowed by the grammar and lands on the next minute's first.
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{*month + 1},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  return std::chrono::sys_days{date} + std::chrono::hours{*hour} + std::chrono::minutes{*minute} +
         std::chrono::seconds{*second};
}

}  // namespace

milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random) {
  const milliseconds max_backoff = std::max(milliseconds{0}, policy.max_backoff);
  milliseconds cap = std::clamp(policy.base_backoff, milliseconds{0}, max_backoff);

  // Doubling stops at the ceiling, so a large `retry` cannot overflow.
  for (int i = 1; i < retry && cap < max_backoff; ++i) {
    cap = std::min(max_backoff, cap * 2);
  }

  // Scaling by cap + 1 and flooring gives each whole millisecond in [0, cap] the same chance.
  const double unit = std::clamp(std::isnan(unit_random) ? 0.0 : unit_random, 0.0, 1.0);
  const auto slots = static_cast<double>(cap.count() + 1);
  const auto drawn = static_cast<milliseconds::rep>(std::floor(unit * slots));
  return std::min(cap, milliseconds{drawn});
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  const std::string_view text = trim(value);

  if (!text.empty() && is_digit(text.front())) {
    const std::optional<std::int64_t> seconds = parse_digits(text);
    if (!seconds) {
      return std::nullopt;
    }
    return std::chrono::seconds{*seconds};
  }

  const std::optional<std::chrono::sys_seconds> date = parse_imf_fixdate(text);
  if (!date) {
    return std::nullopt;
  }
  // Whole seconds first: a date in year 9999 is too far away to count in nanoseconds.
  const auto now_seconds = std::chrono::floor<std::chrono::seconds>(now);
  const std::chrono::seconds ahead = *date - now_seconds;
  if (ahead <= std::chrono::seconds{0}) {
    return milliseconds{0};
  }
  if (ahead >= std::chrono::seconds{kMaxRetryAfterSeconds}) {
    return std::chrono::seconds{kMaxRetryAfterSeconds};
  }
  return std::chrono::ceil<milliseconds>(ahead - (now - now_seconds));
}

}  // namespace scoville::router
