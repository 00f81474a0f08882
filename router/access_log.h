#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/result.h"

namespace scoville::router {

// What one request did, written as one JSON line when it ends.
struct AccessRecord {
  std::string request_id;
  std::string method;
  std::string path;
  std::string model;
  std::string requested_class;
  std::string class_source;
  std::string compute_class;  // the class that served it (a fallback, when one was used)
  std::string backend;
  unsigned status = 0;
  std::string outcome;  // ok, upstream_error, no_backend, midstream_failure, client_closed...
  int attempts = 0;
  bool stream = false;
  std::optional<double> ttft_ms;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  double duration_ms = 0.0;
  std::string error;
};

// The structured access log: one JSON object per line, to stderr or a file, safe to call
// from every worker.
class AccessLog {
 public:
  // "-" is stderr; "" disables the log.
  static Result<std::unique_ptr<AccessLog>> open(const std::string& path);
  ~AccessLog();

  void write(const AccessRecord& record);

 private:
  AccessLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}

  std::FILE* file_;
  const bool owned_;
  std::mutex mutex_;
};

}  // namespace scoville::router
