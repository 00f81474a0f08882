#include "router/access_log.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

namespace scoville::router {

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& path) {
  if (path.empty()) return std::unique_ptr<AccessLog>();
  if (path == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false));
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return make_error("cannot open access log " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(file, true));
}

AccessLog::~AccessLog() {
  if (owned_) std::fclose(file_);
}

void AccessLog::write(const AccessRecord& record) {
  const auto now = std::chrono::system_clock::now();
  nlohmann::json line = {
      {"time",
       fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::milliseconds>(now))},
      {"request_id", record.request_id},
      {"method", record.method},
      {"path", record.path},
      {"model", record.model},
      {"requested_class", record.requested_class},
      {"class_source", record.class_source},
      {"class", record.compute_class},
      {"backend", record.backend},
      {"status", record.status},
      {"outcome", record.outcome},
      {"attempts", record.attempts},
      {"stream", record.stream},
      {"ttft_ms", record.ttft_ms ? nlohmann::json(*record.ttft_ms) : nlohmann::json(nullptr)},
      {"prompt_tokens", record.prompt_tokens},
      {"completion_tokens", record.completion_tokens},
      {"duration_ms", record.duration_ms},
  };
  if (!record.error.empty()) line["error"] = record.error;
  const std::string text = line.dump() + "\n";

  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace scoville::router
