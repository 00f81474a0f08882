#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::config {

// Returns the candidate closest to `word` by edit distance (insertions, deletions,
// substitutions and adjacent transpositions), or nothing when no candidate is close enough to
// be a plausible typo. Used for "did you mean" hints.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace scoville::config
