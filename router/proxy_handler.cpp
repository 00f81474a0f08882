#include "router/proxy_handler.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

#include "router/completion_body.h"
#include "router/openai_error.h"
#include "router/upstream.h"

namespace scoville::router {
namespace {

constexpr std::size_t kMaxIdlePerUpstream = 256;
constexpr std::chrono::milliseconds kMaxIdleTime{20'000};
constexpr std::size_t kMaxRequestIdLength = 128;

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<std::string_view> header_value(const HttpRequest& request, std::string_view name) {
  const auto it = request.find(beast::string_view(name.data(), name.size()));
  if (it == request.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

std::optional<std::string_view> bearer_token(const HttpRequest& request) {
  const std::optional<std::string_view> value = header_value(request, "Authorization");
  if (!value) return std::nullopt;
  constexpr std::string_view kBearer = "Bearer ";
  if (value->size() <= kBearer.size() ||
      !beast::iequals(beast::string_view(value->data(), kBearer.size()),
                      beast::string_view(kBearer.data(), kBearer.size()))) {
    return std::nullopt;
  }
  return value->substr(kBearer.size());
}

}  // namespace

ProxyHandler::ProxyHandler(IoExecutor executor, ProxyShared& shared, std::uint64_t seed)
    : executor_(std::move(executor)),
      shared_(shared),
      pool_(kMaxIdlePerUpstream, kMaxIdleTime),
      random_(seed) {}

void ProxyHandler::handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  const unsigned version = request.version();

  if (path == "/v1/chat/completions" || path == "/v1/completions") {
    if (!post) {
      return reject(*exchange, request,
                    openai_error(http::status::method_not_allowed,
                                 path + " takes POST, got " + std::string(request.method_string()),
                                 "invalid_request_error", version, "method_not_allowed"),
                    "method");
    }
    return handle_completion(std::move(request), std::move(exchange));
  }
  if (path == "/v1/models" || path == "/healthz" || path == "/readyz") {
    if (!get) {
      return reject(*exchange, request,
                    openai_error(http::status::method_not_allowed,
                                 path + " takes GET, got " + std::string(request.method_string()),
                                 "invalid_request_error", version, "method_not_allowed"),
                    "method");
    }
    if (path == "/v1/models") return handle_models(request, *exchange);
    if (path == "/readyz") return handle_ready(request, *exchange);
    return exchange->respond(json_response(http::status::ok, {{"status", "ok"}}, version));
  }
  reject(*exchange, request,
         openai_error(http::status::not_found,
                      "no route for " + path +
                          "; the router serves /v1/chat/completions, /v1/completions, "
                          "/v1/models, /healthz and /readyz",
                      "invalid_request_error", version, "unknown_url"),
         "path");
}

void ProxyHandler::handle_completion(HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
  const unsigned version = request.version();
  auto invalid = [&](const std::string& message, const std::string& code, const std::string& param,
                     http::status status = http::status::bad_request) {
    reject(*exchange, request,
           openai_error(status, message, "invalid_request_error", version, code, param), code);
  };

  // Who is asking, and may they?
  const std::optional<std::string_view> api_key = bearer_token(request);
  if (shared_.require_api_key &&
      (!api_key || !shared_.classes.api_key_classes.contains(std::string(*api_key)))) {
    return invalid(api_key ? "the API key is not known to this router"
                           : "this router needs an API key: send Authorization: Bearer KEY",
                   "invalid_api_key", "", http::status::unauthorized);
  }
  if (shared_.rate_limiter) {
    std::chrono::milliseconds retry_after{0};
    bool allowed = false;
    {
      std::lock_guard lock(shared_.rate_mutex);
      allowed = shared_.rate_limiter->try_take(std::chrono::steady_clock::now(), retry_after);
    }
    if (!allowed) {
      HttpResponse response =
          openai_error(http::status::too_many_requests,
                       "the router's request rate limit is reached; retry after the delay in "
                       "Retry-After",
                       "rate_limit_error", version, "rate_limit_exceeded");
      const auto seconds = std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(retry_after).count() + 1);
      response.set(http::field::retry_after, std::to_string(seconds));
      return reject(*exchange, request, std::move(response), "rate_limit");
    }
  }

  // What is asked.
  const CompletionFields fields = scan_completion_body(request.body());
  if (!fields.valid_json) {
    return invalid("the request body is not valid JSON", "invalid_json", "");
  }
  if (!fields.is_object) {
    return invalid("the request body must be a JSON object", "invalid_json", "");
  }
  using Type = CompletionFields::Type;
  if (fields.model == Type::kAbsent) {
    return invalid("the request has no \"model\"", "missing_model", "model");
  }
  if (fields.model != Type::kString || fields.model_value.empty()) {
    return invalid("\"model\" must be a non-empty string", "invalid_model", "model");
  }
  if (fields.stream != Type::kAbsent && fields.stream != Type::kTrue &&
      fields.stream != Type::kFalse && fields.stream != Type::kNull) {
    return invalid("\"stream\" must be true or false", "invalid_stream", "stream");
  }

  // Which class serves it.
  std::optional<std::string> body_class;
  if (fields.compute_class != Type::kAbsent) {
    if (fields.compute_class != Type::kString) {
      return invalid("\"compute_class\" must be a string naming a compute class",
                     "invalid_compute_class", "compute_class");
    }
    body_class = fields.compute_class_value;
  }
  Result<ClassResolution> resolution =
      resolve_compute_class(shared_.classes, body_class, header_value(request, "X-Compute-Class"),
                            fields.model_value, api_key);
  if (!resolution) {
    return invalid(resolution.error().message, "unknown_compute_class", "compute_class");
  }
  if (shared_.fleet->all_models_known() && !shared_.fleet->any_serves(resolution->model)) {
    return invalid("the model \"" + resolution->model + "\" is not served by this router",
                   "model_not_found", "model", http::status::not_found);
  }

  RoutedRequest routed;
  routed.request_id = request_id_for(request);
  routed.model = resolution->model;
  routed.requested_class = resolution->compute_class;
  routed.class_source = std::string(class_source_name(resolution->source));
  routed.stream = fields.stream == Type::kTrue;
  BodyEdits edits;
  edits.remove_compute_class = fields.compute_class != Type::kAbsent;
  if (resolution->model != fields.model_value) edits.model = resolution->model;
  if (routed.stream) {
    // The router reads token counts from the usage chunk, so it always asks for it.
    routed.client_wants_usage =
        fields.stream_options_is_object && fields.include_usage == Type::kTrue;
    edits.ask_for_usage = !routed.client_wants_usage;
  }
  routed.body =
      edits.any() ? edit_completion_body(request.body(), fields, edits) : std::move(request.body());
  routed.body_model = resolution->model;
  request.body().clear();
  routed.client_request = std::move(request);

  ProxyContext context{
      executor_,          pool_,  *shared_.fleet, shared_.settings, *shared_.metrics,
      shared_.access_log, random_};
  std::make_shared<ProxyRequest>(context, std::move(routed), std::move(exchange))->start();
}

void ProxyHandler::handle_models(const HttpRequest& request, HttpExchange& exchange) {
  nlohmann::json data = nlohmann::json::array();
  for (const std::string& model : shared_.fleet->model_names()) {
    data.push_back({{"id", model}, {"object", "model"}, {"created", 0}, {"owned_by", "scoville"}});
  }
  exchange.respond(
      json_response(http::status::ok, {{"object", "list"}, {"data", data}}, request.version()));
}

void ProxyHandler::handle_ready(const HttpRequest& request, HttpExchange& exchange) {
  const std::size_t available = shared_.fleet->available_count(std::chrono::steady_clock::now());
  const bool draining = shared_.draining.load();
  const bool ready = available > 0 && !draining;
  exchange.respond(
      json_response(ready ? http::status::ok : http::status::service_unavailable,
                    {{"status", ready ? "ready" : (draining ? "draining" : "no backend available")},
                     {"available_backends", available},
                     {"backends", shared_.fleet->upstreams().size()}},
                    request.version()));
}

std::string ProxyHandler::request_id_for(const HttpRequest& request) {
  const std::optional<std::string_view> incoming = header_value(request, "X-Request-Id");
  if (incoming && valid_request_id(*incoming)) return std::string(*incoming);
  return new_request_id();
}

std::string ProxyHandler::new_request_id() {
  // Sixteen hex digits, zero-padded.
  std::string id(16, '0');
  std::array<char, 16> digits;
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), random_(), 16);
  std::copy(digits.data(), end, id.end() - (end - digits.data()));
  return id;
}

void ProxyHandler::on_protocol_error(const ProtocolError& error, HttpResponse& response) {
  const std::string request_id = new_request_id();
  response.set("X-Request-Id", request_id);
  shared_.metrics->record_rejected(std::string(error.code));
  if (shared_.access_log == nullptr) return;
  AccessRecord record;
  record.request_id = request_id;
  record.method = std::string(error.method);
  record.path = std::string(error.target);
  record.status = error.status;
  record.outcome = "rejected";
  record.error = std::string(error.code);
  shared_.access_log->write(record);
}

void ProxyHandler::reject(HttpExchange& exchange, const HttpRequest& request, HttpResponse response,
                          const std::string& reason) {
  shared_.metrics->record_rejected(reason);
  response.set("X-Request-Id", request_id_for(request));
  response.keep_alive(request.keep_alive());
  const unsigned status = response.result_int();
  if (shared_.access_log != nullptr) {
    AccessRecord record;
    record.request_id = std::string(response["X-Request-Id"]);
    record.method = std::string(request.method_string());
    record.path = std::string(request.target());
    record.status = status;
    record.outcome = "rejected";
    record.error = reason;
    shared_.access_log->write(record);
  }
  exchange.respond(std::move(response));
}

}  // namespace scoville::router
