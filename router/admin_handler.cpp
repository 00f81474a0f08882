#include "router/admin_handler.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "router/openai_error.h"
#include "router/upstream.h"

namespace scoville::router {
namespace {

HttpResponse text_response(http::status status, std::string body, const std::string& type,
                           unsigned version) {
  HttpResponse response{status, version};
  response.set(http::field::content_type, type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

nlohmann::json backends_json(const Fleet& fleet) {
  const auto now = std::chrono::steady_clock::now();
  nlohmann::json backends = nlohmann::json::array();
  for (const auto& upstream : fleet.upstreams()) {
    const UpstreamSpec& spec = upstream->spec();
    backends.push_back({
        {"name", spec.name},
        {"url", "http://" + spec.host + ":" + std::to_string(spec.port) + spec.base_path},
        {"class", spec.compute_class},
        {"device", spec.device},
        {"weight", spec.weight},
        {"models", upstream->models()},
        {"healthy", upstream->healthy()},
        {"availability", availability_name(upstream->availability(now))},
        {"breaker", breaker_state_name(upstream->breaker_state(now))},
        {"breaker_openings", upstream->breaker_openings()},
        {"outstanding", upstream->outstanding()},
    });
  }
  return backends;
}

}  // namespace

void AdminHandler::handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  const unsigned version = request.version();
  if (request.method() != http::verb::get) {
    return exchange->respond(openai_error(http::status::method_not_allowed, path + " takes GET",
                                          "invalid_request_error", version, "method_not_allowed"));
  }

  if (path == "/metrics") {
    return exchange->respond(text_response(http::status::ok,
                                           shared_.metrics->exposition(*shared_.fleet),
                                           "text/plain; version=0.0.4", version));
  }
  if (path == "/admin/backends") {
    return exchange->respond(text_response(
        http::status::ok, nlohmann::json{{"backends", backends_json(*shared_.fleet)}}.dump(2),
        "application/json", version));
  }
  if (path == "/healthz") {
    return exchange->respond(
        text_response(http::status::ok, R"({"status":"ok"})", "application/json", version));
  }
  if (path == "/readyz") {
    const bool ready = !shared_.draining.load() &&
                       shared_.fleet->available_count(std::chrono::steady_clock::now()) > 0;
    return exchange->respond(
        text_response(ready ? http::status::ok : http::status::service_unavailable,
                      ready ? R"({"status":"ready"})" : R"({"status":"not ready"})",
                      "application/json", version));
  }
  exchange->respond(openai_error(
      http::status::not_found,
      "no admin route for " + path + "; try /metrics, /admin/backends, /healthz or /readyz",
      "invalid_request_error", version, "unknown_url"));
}

}  // namespace scoville::router
