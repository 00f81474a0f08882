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

HttpResponse json_response(http::status status, const nlohmann::json& body, unsigned version) {
  HttpResponse response{status, version};
  response.set(http::field::content_type, "application/json");
  response.body() = body.dump();
  response.prepare_payload();
  return response;
}

HttpResponse openai_error(http::status status, const std::string& message, const std::string& type,
                          unsigned version, const std::string& code, const std::string& param) {
  return json_response(status, error_body(message, type, code, param), version);
}

std::string openai_error_event(const std::string& message, const std::string& type,
                               const std::string& code) {
  return "data: " + error_body(message, type, code, "").dump() + "\n\n";
}

}  // namespace scoville::router
