// The harness the end-to-end tests stand on: if it lost output, mixed the streams or hung, every
// other test in this folder would mean nothing.
#include "tests/support/command_runner.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

#include <doctest/doctest.h>

namespace scoville::test_support {
namespace {

constexpr const char* kShell = "/bin/sh";

// True when `pid` no longer runs: gone from /proc, or a zombie waiting to be reaped.
bool has_ended(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t name_end = line.rfind(')');
  return name_end != std::string::npos && line.compare(name_end, 3, ") Z") == 0;
}

TEST_CASE("run_command captures stdout, stderr and the exit code separately") {
  const CommandResult result =
      run_command(kShell, {"-c", "printf 'to stdout'; printf 'to stderr' >&2; exit 3"});

  CHECK(result.exited_with(3));
  CHECK_FALSE(result.signal.has_value());
  CHECK_FALSE(result.timed_out);
  CHECK(result.stdout_text == "to stdout");
  CHECK(result.stderr_text == "to stderr");
}

TEST_CASE("run_command passes arguments as argv without a shell reinterpreting them") {
  const CommandResult result = run_command(
      kShell, {"-c", "printf '[%s]' \"$@\"", "sh", "two words", "\"quoted\"", "$HOME", ";", ""});

  CHECK(result.exited_with(0));
  CHECK(result.stdout_text == "[two words][\"quoted\"][$HOME][;][]");
}

TEST_CASE("run_command drains a megabyte on each stream without deadlocking") {
  // Writing all of stdout before any stderr blocks a reader that waits for stdout to end first.
  const CommandResult result = run_command(
      kShell, {"-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; echo done"},
      std::chrono::seconds(30));

  CHECK_FALSE(result.timed_out);
  CHECK(result.exited_with(0));
  CHECK(result.stdout_text.size() == 1048576 + 5);
  CHECK(result.stderr_text.size() == 1048576);
}

TEST_CASE("run_command gives the child an empty stdin instead of the runner's") {
  const CommandResult result =
      run_command(kShell, {"-c", "cat; echo end"}, std::chrono::seconds(10));

  CHECK_FALSE(result.timed_out);
  CHECK(result.stdout_text == "end\n");
}

TEST_CASE("run_command reports the signal that ended a crashing command") {
  const CommandResult result = run_command(kShell, {"-c", "kill -SEGV $$"});

  CHECK_FALSE(result.exit_code.has_value());
  CHECK(result.signal == SIGSEGV);
  CHECK_FALSE(result.timed_out);
}

TEST_CASE("run_command kills a command that outlives its deadline") {
  const auto started = std::chrono::steady_clock::now();
  const CommandResult result = run_command("/bin/sleep", {"30"}, std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - started;

  CHECK(result.timed_out);
  CHECK(result.signal == SIGKILL);
  CHECK(took < std::chrono::seconds(20));
}

TEST_CASE("run_command kills what a timed-out command started, not only the command") {
  const CommandResult result =
      run_command(kShell, {"-c", "sleep 30 & echo $!; wait"}, std::chrono::milliseconds(300));
  REQUIRE(result.timed_out);
  const int background_pid = std::stoi(result.stdout_text);

  // Its parent is gone, so the system reaps it soon after the kill; allow for that.
  bool ended = false;
  for (int attempt = 0; attempt < 200 && !ended; ++attempt) {
    ended = has_ended(background_pid);
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(ended);
}

TEST_CASE("run_command throws when the program does not exist") {
  CHECK_THROWS_AS(run_command("/nonexistent/scoville-test-program", {}), std::system_error);
}

}  // namespace
}  // namespace scoville::test_support
