#include "router/openai_error.h"

#include <nlohmann/json.hpp>

namespace scoville::router {
namespace {

nlohmann::json error_body(const std::string& message, const std::string& type,
                          const std::string& code, const std::string& param) {
  return {{"error",
           {{"message", message},
            {"type", type},
            {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
            {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)}}}};
}

}  // namespace

HttpResponse openai_error(http::status status, const std::string& message, const std::string& type,
                          unsigned version, const std::string& code, const std::string& param) {
  HttpResponse response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = error_body(message, type, code, param).dump();
  response.prepare_payload();
  return response;
}

std::string openai_error_event(const std::string& message, const std::string& type,
                               const std::string& code) {
  return "data: " + error_body(message, type, code, "").dump() + "\n\n";
}

}  // namespace scoville::router
