#include "tests/support/background_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <system_error>
#include <thread>

extern char** environ;

namespace scoville::test_support {

BackgroundProcess::BackgroundProcess(const std::string& program,
                                     const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe");
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<std::string> argv_strings = {program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const int spawned =
      ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    throw std::system_error(spawned, std::generic_category(), "cannot start " + program);
  }
  stdout_fd_ = pipe_fds[0];

  // Wait for the first line, at most 30 seconds: the server prints it once it listens.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char c = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 100) <= 0) continue;
    if (::read(stdout_fd_, &c, 1) != 1 || c == '\n') break;
    first_line_ += c;
  }
}

BackgroundProcess::~BackgroundProcess() {
  terminate();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

int BackgroundProcess::port() const {
  static const std::regex kUrl(R"(http://[^:/\s]+:(\d+))");
  std::smatch match;
  if (!std::regex_search(first_line_, match, kUrl)) return 0;
  return std::stoi(match[1].str());
}

int BackgroundProcess::terminate() {
  if (pid_ <= 0 || reaped_) {
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::waitpid(pid_, &status_, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reaped_ = true;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

}  // namespace scoville::test_support
