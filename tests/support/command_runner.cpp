#include "tests/support/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

namespace scoville::test_support {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kDescribedOutputChars = 4000;

[[noreturn]] void throw_error(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// posix_spawn's helpers return an error number rather than setting errno.
void check(int error, const char* what) {
  if (error != 0) throw_error(error, what);
}

// A file descriptor, closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct Pipe {
  Fd read;
  Fd write;
};

Pipe make_pipe() {
  // Close-on-exec, so the child keeps only the ends duplicated onto its stdout and stderr; a
  // stray copy of a write end would keep the pipe open after the child exits.
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_error(errno, "pipe2");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// A started process group leader. Unless it has been waited for, the destructor kills its group
// and reaps it, so a test that throws midway leaves no process behind.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (waited_) return;
    kill_group();
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

  void kill_group() const { ::kill(-pid_, SIGKILL); }

  // The wait status once the process has ended, killing its group at `deadline`.
  int wait(Clock::time_point deadline, bool& timed_out) {
    int status = 0;
    while (true) {
      const pid_t done = ::waitpid(pid_, &status, timed_out ? 0 : WNOHANG);
      if (done == pid_) break;
      if (done < 0 && errno != EINTR) throw_error(errno, "waitpid");
      if (done == 0 && Clock::now() >= deadline) {
        kill_group();
        timed_out = true;
      } else if (done == 0) {
        // The pipes have closed, so the process is already ending or has closed them itself.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    waited_ = true;
    return status;
  }

 private:
  pid_t pid_;
  bool waited_ = false;
};

Child spawn(const std::string& program, const std::vector<std::string>& args, const Pipe& out,
            const Pipe& err) {
  posix_spawn_file_actions_t actions;
  check(::posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init");
  posix_spawnattr_t attributes;
  check(::posix_spawnattr_init(&attributes), "posix_spawnattr_init");
  struct Cleanup {
    posix_spawn_file_actions_t& actions;
    posix_spawnattr_t& attributes;
    ~Cleanup() {
      ::posix_spawn_file_actions_destroy(&actions);
      ::posix_spawnattr_destroy(&attributes);
    }
  } cleanup{actions, attributes};

  check(::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
        "posix_spawn_file_actions_addopen");
  check(::posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO),
        "posix_spawn_file_actions_adddup2");
  check(::posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO),
        "posix_spawn_file_actions_adddup2");

  // Its own process group, so the deadline can kill whatever it starts; default signal
  // handling and an empty mask, whatever the test runner has set for itself.
  sigset_t all_signals;
  sigset_t no_signals;
  sigfillset(&all_signals);
  sigemptyset(&no_signals);
  check(::posix_spawnattr_setpgroup(&attributes, 0), "posix_spawnattr_setpgroup");
  check(::posix_spawnattr_setsigdefault(&attributes, &all_signals),
        "posix_spawnattr_setsigdefault");
  check(::posix_spawnattr_setsigmask(&attributes, &no_signals), "posix_spawnattr_setsigmask");
  check(::posix_spawnattr_setflags(
            &attributes, static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETSIGMASK)),
        "posix_spawnattr_setflags");

  std::vector<std::string> words = {program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  check(::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), environ),
        ("cannot start " + program).c_str());
  return Child(pid);
}

// Appends what is ready on `fd` to `text`, closing `fd` at end of file.
void read_ready(const pollfd& polled, Fd& fd, std::string& text) {
  if (!fd.is_open() || polled.revents == 0) return;
  std::array<char, 65536> buffer;
  const ssize_t count = ::read(fd.get(), buffer.data(), buffer.size());
  if (count > 0) {
    text.append(buffer.data(), static_cast<std::size_t>(count));
  } else if (count == 0 || errno != EINTR) {
    fd.reset();
  }
}

// Reads both pipes until both are closed; false when the deadline came first.
bool drain(Fd& out, Fd& err, CommandResult& result, Clock::time_point deadline) {
  while (out.is_open() || err.is_open()) {
    const auto remaining =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return false;

    // poll() skips entries with a negative descriptor, which is what a closed Fd holds.
    std::array<pollfd, 2> polled = {pollfd{out.get(), POLLIN, 0}, pollfd{err.get(), POLLIN, 0}};
    const int timeout_ms = static_cast<int>(std::min<long long>(remaining, 1000));
    if (::poll(polled.data(), polled.size(), timeout_ms) < 0) {
      if (errno == EINTR) continue;
      throw_error(errno, "poll");
    }
    read_ready(polled[0], out, result.stdout_text);
    read_ready(polled[1], err, result.stderr_text);
  }
  return true;
}

std::string excerpt(const std::string& text) {
  if (text.size() <= kDescribedOutputChars) return text;
  return text.substr(0, kDescribedOutputChars) + "... (" + std::to_string(text.size()) +
         " bytes in all)";
}

}  // namespace

CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          std::chrono::milliseconds deadline) {
  const Clock::time_point kill_at = Clock::now() + deadline;
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  Child child = spawn(program, args, out, err);
  // From here on only the child holds the write ends, so its exit closes the pipes.
  out.write.reset();
  err.write.reset();

  CommandResult result;
  if (!drain(out.read, err.read, result, kill_at)) {
    child.kill_group();
    result.timed_out = true;
  }
  const int status = child.wait(kill_at, result.timed_out);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

CommandResult run_scoville(const std::vector<std::string>& args) {
  return run_command(SCOVILLE_BINARY, args);
}

std::string describe(const CommandResult& result) {
  std::string text;
  if (result.timed_out) {
    text = "killed after the deadline";
  } else if (result.signal) {
    text = "killed by signal " + std::to_string(*result.signal);
  } else if (result.exit_code) {
    text = "exited with " + std::to_string(*result.exit_code);
  }
  return text + "\n--- stdout ---\n" + excerpt(result.stdout_text) + "\n--- stderr ---\n" +
         excerpt(result.stderr_text);
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path == nullptr ? "" : path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(folder) / name;
    if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

}  // namespace scoville::test_support
