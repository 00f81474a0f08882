#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace scoville::test_support {

// A server process started for a test: runs `program` with `args`, reads its stdout until the
// first line appears (servers print where they listen), and on destruction sends SIGTERM,
// then SIGKILL if it has not exited within five seconds, so no test leaves a process behind.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& program, const std::vector<std::string>& args);
  ~BackgroundProcess();

  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The first line the process printed ("" if it exited or stayed silent for 30 seconds).
  const std::string& first_line() const { return first_line_; }

  // The port in a first line that reads "... http://HOST:PORT ...", or 0.
  int port() const;

  // Sends SIGTERM and waits; returns the exit code (or 128 + signal).
  int terminate();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string first_line_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace scoville::test_support
