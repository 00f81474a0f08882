#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace scoville::test_support {

// How long a command may run before it is killed. A safety net so that a hung binary fails its
// test instead of hanging CI, not a timed assertion: a normal run takes milliseconds.
inline constexpr std::chrono::seconds kCommandDeadline{60};

// What a finished command left behind. Exactly one of `exit_code` and `signal` is set.
struct CommandResult {
  std::optional<int> exit_code;  // set when the process exited on its own
  std::optional<int> signal;     // set when a signal ended it (a crash, or the deadline)
  bool timed_out = false;        // the deadline passed and the process was killed
  std::string stdout_text;
  std::string stderr_text;

  // True when the process exited normally with `code`.
  bool exited_with(int code) const { return exit_code == code; }
};

// Runs `program` with `args` as its argv[1..] (no shell: spaces, quotes and "$" arrive as
// written), stdin from /dev/null and stdout and stderr captured separately. Both pipes are
// drained together, so a command that writes a lot to either cannot block. The command runs in
// its own process group, which is killed as a whole once `deadline` has passed.
//
// Throws std::system_error when the command cannot be started or waited for: that is a broken
// test environment, not a result of the command under test.
CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds deadline = kCommandDeadline);

// The absolute path of `name` on PATH, as `which` finds it, or nothing.
std::optional<std::string> find_program(const std::string& name);

// Runs the scoville binary under test (SCOVILLE_BINARY) with `args`.
CommandResult run_scoville(const std::vector<std::string>& args);

// The result in a few lines (how it ended, stdout, stderr), for a failing test's context.
std::string describe(const CommandResult& result);

}  // namespace scoville::test_support
