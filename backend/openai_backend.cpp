#include "backend/openai_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/openai_error.h"

namespace scoville::backend {
namespace {

using router::json_response;
using router::openai_error;

namespace http = boost::beast::http;

// Replies are made of these words, one per token, cycling.
constexpr const char* kFiller[] = {"Scoville ", "simulated ", "tokens ", "arrive ",
                                   "at ",       "the ",       "pace ",   "of ",
                                   "the ",      "device ",    "model. "};
constexpr std::int32_t kDefaultMaxTokens = 128;
constexpr double kCharactersPerToken = 4.0;

std::string filler(std::int64_t from, std::int32_t tokens) {
  std::string text;
  for (std::int64_t i = from; i < from + tokens; ++i) {
    text += kFiller[static_cast<std::size_t>(i) % std::size(kFiller)];
  }
  return text;
}

// Estimates the prompt's tokens from its text, as a tokenizer-free backend must.
std::int32_t prompt_tokens_of(const nlohmann::json& body, bool chat) {
  double characters = 0.0;
  std::int32_t overhead = 0;
  if (chat) {
    for (const auto& message : body.value("messages", nlohmann::json::array())) {
      overhead += 4;  // role and separators
      const auto content = message.find("content");
      if (content != message.end() && content->is_string()) {
        characters += static_cast<double>(content->get_ref<const std::string&>().size());
      }
    }
  } else if (body.contains("prompt") && body["prompt"].is_string()) {
    characters = static_cast<double>(body["prompt"].get_ref<const std::string&>().size());
  }
  return std::max<std::int32_t>(
      1, overhead + static_cast<std::int32_t>(std::ceil(characters / kCharactersPerToken)));
}

std::string sse(const nlohmann::json& chunk) { return "data: " + chunk.dump() + "\n\n"; }

}  // namespace

// A completion under way, shared by the engine's callbacks and the stall timer.
struct OpenAiBackend::Completion {
  std::shared_ptr<router::HttpExchange> exchange;
  bool chat = false;
  bool stream = false;
  bool include_usage = false;
  unsigned version = 11;
  std::string id;
  std::string object;
  std::int64_t created = 0;
  std::int32_t prompt_tokens = 0;
  double arrival_seconds = 0.0;
  std::uint64_t engine_id = 0;

  std::int64_t produced_tokens = 0;  // by the engine
  std::int64_t sent_tokens = 0;      // to the client (or into `text`)
  double last_sent_seconds = 0.0;
  std::string text;      // the reply so far, when it is sent whole
  bool stalled = false;  // the stream's one stall has begun (and maybe ended)
  bool stalling = false;
  bool dropped = false;
  std::vector<std::function<void()>> held;  // sends waiting for the stall to end

  nlohmann::json usage() const {
    return {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", sent_tokens},
            {"total_tokens", prompt_tokens + sent_tokens}};
  }

  nlohmann::json chunk(const std::string& model, const std::string& content, bool first,
                       bool last) const {
    nlohmann::json choice = {
        {"index", 0}, {"finish_reason", last ? nlohmann::json("length") : nlohmann::json(nullptr)}};
    if (chat) {
      nlohmann::json delta = nlohmann::json::object();
      if (first) delta["role"] = "assistant";
      if (!last) delta["content"] = content;
      choice["delta"] = delta;
    } else {
      choice["text"] = last ? "" : content;
    }
    return {{"id", id},
            {"object", object},
            {"created", created},
            {"model", model},
            {"choices", {choice}}};
  }
};

OpenAiBackend::OpenAiBackend(std::string model, RealtimeEngine& engine, FaultSpec faults,
                             std::uint64_t seed)
    : model_(std::move(model)), engine_(engine), faults_(faults), random_(seed), metrics_(model_) {}

OpenAiBackend::~OpenAiBackend() = default;

bool OpenAiBackend::accept_connection() {
  return faults_.refuse_rate <= 0.0 || random_.uniform() >= faults_.refuse_rate;
}

void OpenAiBackend::handle(router::HttpRequest request,
                           std::shared_ptr<router::HttpExchange> exchange) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  const unsigned version = request.version();
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;

  if (path == "/healthz" && get) {
    return exchange->respond(json_response(http::status::ok, {{"status", "ok"}}, version));
  }
  if (path == "/v1/models" && get) {
    return exchange->respond(
        json_response(http::status::ok,
                      {{"object", "list"},
                       {"data", {{{"id", model_}, {"object", "model"}, {"owned_by", "scoville"}}}}},
                      version));
  }
  if (path == "/metrics" && get) {
    router::HttpResponse response{http::status::ok, version};
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = metrics_.exposition(engine_.status());
    response.prepare_payload();
    return exchange->respond(std::move(response));
  }
  const bool chat = path == "/v1/chat/completions";
  if (!chat && path != "/v1/completions") {
    return exchange->respond(openai_error(http::status::not_found, "no route for " + path,
                                          "invalid_request_error", version));
  }
  if (!post) {
    return exchange->respond(openai_error(http::status::method_not_allowed, "use POST for " + path,
                                          "invalid_request_error", version));
  }

  // Latency counts from here, so an injected hold shows in the time to first token as a
  // server's queue would.
  const double arrival_seconds = engine_.now_seconds();
  if (faults_.added_latency_ms <= 0) {
    return complete(request, chat, std::move(exchange), arrival_seconds);
  }
  auto hold = std::make_shared<asio::steady_timer>(
      engine_.executor(), std::chrono::milliseconds(faults_.added_latency_ms));
  hold->async_wait([this, hold, request = std::move(request), chat, exchange = std::move(exchange),
                    arrival_seconds](const boost::system::error_code& ec) mutable {
    if (ec) return;
    complete(request, chat, std::move(exchange), arrival_seconds);
  });
}

void OpenAiBackend::complete(const router::HttpRequest& request, bool chat,
                             std::shared_ptr<router::HttpExchange> exchange,
                             double arrival_seconds) {
  const unsigned version = request.version();
  nlohmann::json body = nlohmann::json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "the request body is not a JSON object",
                                          "invalid_request_error", version));
  }
  if (!body.contains("model") || !body["model"].is_string()) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "you must provide a model parameter",
                                          "invalid_request_error", version));
  }
  if (body["model"] != model_) {
    return exchange->respond(openai_error(http::status::not_found,
                                          "the model " + body["model"].get<std::string>() +
                                              " does not exist; this backend serves " + model_,
                                          "invalid_request_error", version));
  }
  const nlohmann::json limit = body.value(
      "max_completion_tokens", body.value("max_tokens", nlohmann::json(kDefaultMaxTokens)));
  if (!limit.is_number_integer() || limit.get<std::int64_t>() < 1 ||
      limit.get<std::int64_t>() > 1'000'000) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "max_tokens must be an integer between 1 and 1000000",
                                          "invalid_request_error", version));
  }
  const auto max_tokens = static_cast<std::int32_t>(limit.get<std::int64_t>());
  const std::int32_t prompt_tokens = prompt_tokens_of(body, chat);
  if (!engine_.fits(std::int64_t{prompt_tokens} + max_tokens)) {
    return exchange->respond(openai_error(http::status::bad_request,
                                          "prompt plus max_tokens exceed this backend's KV cache",
                                          "invalid_request_error", version));
  }

  // Injected faults come before any work, as an overloaded or failing server's would.
  const double draw = random_.uniform();
  if (draw < faults_.error_rate) {
    return exchange->respond(openai_error(http::status::internal_server_error,
                                          "injected failure (--error-rate)", "server_error",
                                          version));
  }
  if (draw < faults_.error_rate + faults_.rate_limit_rate) {
    router::HttpResponse limited =
        openai_error(http::status::too_many_requests, "injected rate limit (--rate-limit-rate)",
                     "rate_limit_error", version);
    limited.set(http::field::retry_after, std::to_string(faults_.retry_after_seconds));
    return exchange->respond(std::move(limited));
  }

  auto completion = std::make_shared<Completion>();
  completion->exchange = std::move(exchange);
  completion->chat = chat;
  completion->stream = body.value("stream", false);
  completion->include_usage = completion->stream && body.contains("stream_options") &&
                              body["stream_options"].is_object() &&
                              body["stream_options"].value("include_usage", false);
  completion->version = version;
  completion->id = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_completion_++);
  completion->object =
      chat ? (completion->stream ? "chat.completion.chunk" : "chat.completion") : "text_completion";
  completion->created = static_cast<std::int64_t>(std::time(nullptr));
  completion->prompt_tokens = prompt_tokens;
  completion->arrival_seconds = arrival_seconds;

  if (completion->stream) {
    http::response<http::empty_body> header{http::status::ok, version};
    header.set(http::field::content_type, "text/event-stream");
    header.set(http::field::cache_control, "no-cache");
    completion->exchange->begin_stream(std::move(header));
  }

  GenerationCallbacks callbacks;
  callbacks.on_tokens = [this, completion](std::int32_t tokens) {
    if (completion->exchange->client_gone()) {
      engine_.cancel(completion->engine_id);
      return;
    }
    const std::string content = filler(completion->produced_tokens, tokens);
    completion->produced_tokens += tokens;
    send_or_hold(completion,
                 [this, completion, content, tokens] { send_tokens(completion, content, tokens); });
  };
  callbacks.on_finished = [this, completion](std::int32_t /*preemptions*/) {
    send_or_hold(completion, [this, completion] { send_end(completion); });
  };
  completion->engine_id = engine_.submit(prompt_tokens, max_tokens, 0, std::move(callbacks));
}

void OpenAiBackend::send_or_hold(const CompletionPtr& completion, std::function<void()> send) {
  if (completion->stalling) {
    completion->held.push_back(std::move(send));
    return;
  }
  send();
}

void OpenAiBackend::send_tokens(const CompletionPtr& completion, const std::string& content,
                                std::int32_t tokens) {
  if (completion->dropped) {
    return;
  }
  if (completion->stream && faults_.drop_after_tokens > 0 &&
      completion->sent_tokens >= faults_.drop_after_tokens) {
    // An injected crash: the stream stops mid-way without its last chunk.
    completion->dropped = true;
    engine_.cancel(completion->engine_id);
    completion->exchange->abort();
    return;
  }

  const double now_seconds = engine_.now_seconds();
  const bool first = completion->sent_tokens == 0;
  if (first) {
    metrics_.record_first_tokens(now_seconds - completion->arrival_seconds,
                                 completion->prompt_tokens, tokens);
  } else {
    metrics_.record_next_tokens(now_seconds - completion->last_sent_seconds, tokens);
  }
  completion->last_sent_seconds = now_seconds;
  completion->sent_tokens += tokens;

  if (!completion->stream) {
    completion->text += content;
    return;
  }
  completion->exchange->write_chunk(sse(completion->chunk(model_, content, first, false)));
  if (faults_.stall_after_tokens > 0 && !completion->stalled &&
      completion->sent_tokens >= faults_.stall_after_tokens) {
    start_stall(completion);
  }
}

void OpenAiBackend::send_end(const CompletionPtr& completion) {
  if (completion->dropped) {
    return;
  }
  metrics_.record_success(engine_.now_seconds() - completion->arrival_seconds);

  router::HttpExchange& exchange = *completion->exchange;
  if (completion->stream) {
    exchange.write_chunk(sse(completion->chunk(model_, "", false, true)));
    if (completion->include_usage) {
      exchange.write_chunk(sse({{"id", completion->id},
                                {"object", completion->object},
                                {"model", model_},
                                {"choices", nlohmann::json::array()},
                                {"usage", completion->usage()}}));
    }
    exchange.write_chunk("data: [DONE]\n\n");
    exchange.end_stream();
    return;
  }
  nlohmann::json choice = {{"index", 0}, {"finish_reason", "length"}};
  if (completion->chat) {
    choice["message"] = {{"role", "assistant"}, {"content", completion->text}};
  } else {
    choice["text"] = completion->text;
  }
  exchange.respond(json_response(http::status::ok,
                                 {{"id", completion->id},
                                  {"object", completion->object},
                                  {"model", model_},
                                  {"choices", {choice}},
                                  {"usage", completion->usage()}},
                                 completion->version));
}

void OpenAiBackend::start_stall(const CompletionPtr& completion) {
  // The engine goes on generating; what it produces meanwhile goes out, in order, at the end.
  completion->stalled = true;
  completion->stalling = true;
  auto timer = std::make_shared<asio::steady_timer>(engine_.executor(),
                                                    std::chrono::milliseconds(faults_.stall_ms));
  timer->async_wait([timer, completion](const boost::system::error_code& ec) {
    if (ec) return;
    completion->stalling = false;
    std::vector<std::function<void()>> held = std::move(completion->held);
    completion->held.clear();
    for (const std::function<void()>& send : held) {
      send();
    }
  });
}

}  // namespace scoville::backend
