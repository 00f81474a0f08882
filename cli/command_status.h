#pragma once

namespace scoville::cli {

// Exit codes every subcommand uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;  // a file, value or scenario was wrong
inline constexpr int kExitUsageError = 2;  // the command line itself was wrong

}  // namespace scoville::cli
