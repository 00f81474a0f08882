#include "router/proxy_request.h"

#include <algorithm>
#include <array>
#include <span>

#include <boost/container/small_vector.hpp>

#include "router/completion_body.h"
#include "router/openai_error.h"
#include "router/upstream.h"

namespace scoville::router {
namespace {

// A client that reads slower than the backend writes may hold this much before the backend
// is paused.
constexpr std::size_t kMaxClientBytesPending = 256 * 1024;
// A whole (non-streamed) response larger than this is refused rather than buffered.
constexpr std::size_t kMaxWholeResponseBytes = 64 * 1024 * 1024;
// An upstream error body kept for forwarding is cut at this size.
constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

bool is_retryable_status(unsigned status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// Headers that describe one hop rather than the message, and those the proxy sets itself.
bool is_hop_header(http::field field) {
  switch (field) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::content_length:
    case http::field::host:
    case http::field::expect:
      return true;
    default:
      return false;
  }
}

bool is_router_header(beast::string_view name) {
  return beast::iequals(name, "x-compute-class") || beast::iequals(name, "x-model-backend") ||
         beast::iequals(name, "x-request-id");
}

// Whether a field is passed on: not hop-by-hop (one of the above, or one its message's own
// Connection header names, as RFC 9110 section 7.6.1 has it) and not one the router sets
// itself.
bool is_passed_on(http::field id, std::string_view name_text, std::string_view connection_text) {
  const beast::string_view name(name_text.data(), name_text.size());
  const beast::string_view connection(connection_text.data(), connection_text.size());
  if (is_hop_header(id) || is_router_header(name)) return false;
  // The usual values name no header that is not hop-by-hop already.
  if (connection.empty() || beast::iequals(connection, "keep-alive") ||
      beast::iequals(connection, "close")) {
    return true;
  }
  for (const auto& token : http::token_list(connection)) {
    if (beast::iequals(token, name)) return false;
  }
  return true;
}

bool is_passed_on(const http::fields& message, const http::fields::value_type& field) {
  const beast::string_view name = field.name_string();
  const beast::string_view connection = message[http::field::connection];
  return is_passed_on(field.name(), std::string_view(name.data(), name.size()),
                      std::string_view(connection.data(), connection.size()));
}

// The fields of a backend's response that go on to the client.
template <class Visit>
void for_each_passed_on(const UpstreamResponseHeader& header, Visit visit) {
  const std::string_view connection = header.value(http::field::connection);
  for (std::size_t i = 0; i < header.field_count(); ++i) {
    const ResponseField field = header.field(i);
    if (is_passed_on(field.id, field.name, connection)) visit(field);
  }
}

// A whole response to the client, with the status and passed-on fields of the backend's.
HttpResponse response_like(const UpstreamResponseHeader& header, unsigned version) {
  HttpResponse response;
  response.version(version);
  response.result(header.status());
  for_each_passed_on(header, [&response](const ResponseField& field) {
    response.insert(beast::string_view(field.name.data(), field.name.size()),
                    beast::string_view(field.value.data(), field.value.size()));
  });
  return response;
}

void append(std::string& out, beast::string_view text) { out.append(text.data(), text.size()); }

void append_field(std::string& out, beast::string_view name, beast::string_view value) {
  append(out, name);
  out += ": ";
  append(out, value);
  out += "\r\n";
}

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

void read_usage(std::string_view json_text, std::int64_t& prompt_tokens,
                std::int64_t& completion_tokens) {
  const nlohmann::json body = nlohmann::json::parse(json_text, nullptr, false);
  if (!body.is_object()) return;
  const auto usage = body.find("usage");
  if (usage == body.end() || !usage->is_object()) return;
  prompt_tokens = usage->value("prompt_tokens", prompt_tokens);
  completion_tokens = usage->value("completion_tokens", completion_tokens);
}

}  // namespace

ProxyRequest::ProxyRequest(ProxyContext context, RoutedRequest request,
                           std::shared_ptr<HttpExchange> exchange)
    : context_(context),
      request_(std::move(request)),
      exchange_(std::move(exchange)),
      started_at_(std::chrono::steady_clock::now()),
      deadline_(started_at_ + context.settings.total_timeout),
      chain_(context.fleet.class_chain(request_.requested_class)) {
  context_.metrics.in_flight().Increment();
}

ProxyRequest::~ProxyRequest() { context_.metrics.in_flight().Decrement(); }

void ProxyRequest::start() {
  exchange_->on_client_gone([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->on_client_gone();
  });
  next_attempt(std::nullopt);
}

void ProxyRequest::on_client_gone() {
  if (finished_) return;
  if (call_) {
    call_->cancel();
    current_->upstream->finish_request(Upstream::Outcome::kAbandoned,
                                       std::chrono::steady_clock::now());
    call_.reset();
  }
  finish(499, "client_closed", "the client went away");
}

void ProxyRequest::next_attempt(std::optional<Choice> choice) {
  const TimePoint now = std::chrono::steady_clock::now();
  if (!choice) choice = context_.fleet.choose(chain_, request_.model, tried_, now);
  if (!choice) {
    if (attempts_ == 0) {
      context_.metrics.record_rejected("no_backend");
      respond(openai_error(http::status::service_unavailable,
                           context_.fleet.describe_unavailable(chain_, request_.model, now),
                           "server_error", request_.client_request.version(),
                           "no_backend_available"));
      return finish(503, "no_backend", failures_.empty() ? "no backend available" : "");
    }
    return give_up();
  }

  // The breaker's half-open probe may have been taken by another request meanwhile.
  if (!choice->upstream->begin_request(now)) {
    tried_.insert(choice->upstream);
    failures_.push_back(choice->upstream->name() + ": circuit open");
    choice = context_.fleet.choose(chain_, request_.model, tried_, now);
    if (!choice || tried_.contains(choice->upstream) || !choice->upstream->begin_request(now)) {
      return give_up();
    }
  }
  send_attempt(*choice);
}

void ProxyRequest::send_attempt(const Choice& choice) {
  ++attempts_;
  tried_.insert(choice.upstream);
  current_ = choice;
  series_ = context_.metrics.series(choice.upstream);
  if (series_ != nullptr && series_->compute_class != choice.compute_class) series_ = nullptr;
  mode_ = Mode::kNone;
  upstream_header_ = nullptr;
  whole_body_.clear();
  whole_body_truncated_ = false;
  splitter_ = SseSplitter();
  classifier_ = OpenAiEventClassifier();

  call_ = std::make_shared<UpstreamCall>(context_.executor, context_.pool, *choice.upstream,
                                         context_.settings.call, deadline_, shared_from_this());
  call_->start(upstream_request(*choice.upstream));
}

std::string ProxyRequest::upstream_request(const Upstream& upstream) const {
  const HttpRequest& client = request_.client_request;
  std::string upstream_model = upstream.upstream_model(request_.model);
  std::string edited;
  if (upstream_model != request_.body_model) {
    BodyEdits edits;
    edits.model = std::move(upstream_model);
    edited = edit_completion_body(request_.body, CompletionFields{}, edits);
  }
  const std::string& body = edited.empty() ? request_.body : edited;

  // Written out directly: the fields were checked by the parser that read them, and the
  // values added here come from the configuration and a validated request id.
  std::string out;
  out.reserve(512 + body.size());
  append(out, client.method_string());
  out += ' ';
  out += upstream.spec().base_path;
  append(out, client.target());
  out += " HTTP/1.1\r\n";
  for (const auto& field : client) {
    if (!is_passed_on(client, field)) continue;
    if (field.name() == http::field::authorization &&
        (!context_.settings.forward_client_authorization || !upstream.spec().api_key.empty())) {
      continue;
    }
    append_field(out, field.name_string(), field.value());
  }
  append_field(out, "Host", upstream.spec().host + ":" + std::to_string(upstream.spec().port));
  append_field(out, "X-Request-Id", request_.request_id);
  if (!upstream.spec().api_key.empty()) {
    append_field(out, "Authorization", "Bearer " + upstream.spec().api_key);
  }
  append_field(out, "Content-Length", std::to_string(body.size()));
  out += "\r\n";
  out += body;
  return out;
}

void ProxyRequest::on_header(const UpstreamResponseHeader& header) {
  upstream_header_ = &header;
  const unsigned status = header.status();
  const std::string_view content_type = header.value(http::field::content_type).substr(0, 17);
  const bool event_stream = beast::iequals(
      beast::string_view(content_type.data(), content_type.size()), "text/event-stream");
  if (is_retryable_status(status)) {
    mode_ = Mode::kRetryableError;
  } else if (status == 200 && request_.stream && event_stream) {
    mode_ = Mode::kStream;
    itl_histogram_ = series_ != nullptr ? series_->itl
                                        : &context_.metrics.itl_histogram(current_->compute_class);
  } else {
    mode_ = Mode::kWhole;
  }
}

void ProxyRequest::on_body(std::string_view bytes) {
  if (exchange_->client_gone()) {
    call_->cancel();
    current_->upstream->finish_request(Upstream::Outcome::kAbandoned,
                                       std::chrono::steady_clock::now());
    return finish(499, "client_closed", "the client went away");
  }

  switch (mode_) {
    case Mode::kStream:
      return relay_events(bytes);
    case Mode::kRetryableError:
      if (whole_body_.size() < kMaxErrorBodyBytes) {
        whole_body_.append(bytes.substr(0, kMaxErrorBodyBytes - whole_body_.size()));
      }
      return;
    case Mode::kWhole:
    case Mode::kNone:
      if (whole_body_.size() + bytes.size() > kMaxWholeResponseBytes) {
        whole_body_truncated_ = true;
        call_->cancel();
        current_->upstream->finish_request(Upstream::Outcome::kFailure,
                                           std::chrono::steady_clock::now());
        respond(openai_error(http::status::bad_gateway,
                             "the backend's response is larger than the router relays whole",
                             "server_error", request_.client_request.version(),
                             "response_too_large"));
        return finish(502, "upstream_error", "response too large");
      }
      whole_body_.append(bytes);
      return;
  }
}

void ProxyRequest::relay_events(std::string_view bytes) {
  // The events go out as they came; only the usage chunk the client did not ask for is left
  // out. Events this read brought whole are passed on as views of it, adjacent ones merged
  // into runs; the events of a read that completes one begun earlier come from the splitter's
  // own buffer, which does not outlive the feed, and are copied.
  const TimePoint now = std::chrono::steady_clock::now();
  const bool in_place = splitter_.pending().empty();
  constexpr std::size_t kMaxRuns = 8;
  std::array<std::string_view, kMaxRuns + 1> parts;
  std::size_t runs = 0;
  std::string copied;  // in order after the runs
  splitter_.feed(bytes, [&](std::string_view event) {
    const SseEventInfo info = classifier_.classify(event);
    if (info.prompt_tokens) prompt_tokens_ = *info.prompt_tokens;
    if (info.completion_tokens) completion_tokens_ = *info.completion_tokens;
    switch (info.kind) {
      case SseEventKind::kContent:
        note_content(now);
        break;
      case SseEventKind::kUsageOnly:
        // The router asked for this chunk for its own accounting; a client that did not ask
        // for usage would not expect it.
        if (!request_.client_wants_usage) return;
        break;
      case SseEventKind::kDone:
        saw_done_ = true;
        break;
      case SseEventKind::kError:
      case SseEventKind::kOther:
        break;
    }
    if (in_place && copied.empty()) {
      if (runs > 0 && parts[runs - 1].data() + parts[runs - 1].size() == event.data()) {
        parts[runs - 1] =
            std::string_view(parts[runs - 1].data(), parts[runs - 1].size() + event.size());
        return;
      }
      if (runs < kMaxRuns) {
        parts[runs++] = event;
        return;
      }
    }
    copied += event;
  });
  std::size_t count = runs;
  if (!copied.empty()) parts[count++] = copied;
  std::size_t size = 0;
  for (std::size_t i = 0; i < count; ++i) size += parts[i].size();
  if (size == 0) return;

  start_client_stream();
  client_bytes_pending_ += size;
  exchange_->write_chunk_parts(std::span<const std::string_view>(parts.data(), count),
                               [self = shared_from_this(), size] { self->on_client_sent(size); });
  if (client_bytes_pending_ > kMaxClientBytesPending) call_->pause();
}

void ProxyRequest::note_content(TimePoint now) {
  ++content_events_;
  if (!first_token_at_) {
    first_token_at_ = now;
    prometheus::Histogram& ttft =
        series_ != nullptr
            ? *series_->ttft
            : context_.metrics.ttft_histogram(current_->compute_class, current_->upstream->name());
    ttft.Observe(seconds_between(started_at_, now));
  } else {
    itl_histogram_->Observe(seconds_between(*last_token_at_, now));
  }
  last_token_at_ = now;
}

void ProxyRequest::on_client_sent(std::size_t bytes) {
  client_bytes_pending_ -= std::min(bytes, client_bytes_pending_);
  if (client_bytes_pending_ <= kMaxClientBytesPending / 2 && call_) call_->resume();
}

void ProxyRequest::start_client_stream() {
  if (client_stream_started_) return;
  client_stream_started_ = true;

  boost::container::small_vector<HeaderField, 24> fields;
  for_each_passed_on(*upstream_header_, [&fields](const ResponseField& field) {
    fields.push_back({field.name, field.value});
  });
  for (const HeaderField& field : router_headers()) {
    if (!field.name.empty()) fields.push_back(field);
  }
  exchange_->begin_stream_fields(upstream_header_->status(), request_.client_request.version(),
                                 std::span<const HeaderField>(fields.data(), fields.size()));
}

std::array<HeaderField, 3> ProxyRequest::router_headers() const {
  if (!current_) {
    return {
        {{"X-Request-Id", request_.request_id}, {"X-Compute-Class", request_.requested_class}, {}}};
  }
  return {{{"X-Request-Id", request_.request_id},
           {"X-Compute-Class", current_->compute_class},
           {"X-Model-Backend", current_->upstream->name()}}};
}

void ProxyRequest::add_router_headers(http::fields& fields) const {
  for (const HeaderField& field : router_headers()) {
    if (field.name.empty()) continue;
    fields.set(beast::string_view(field.name.data(), field.name.size()),
               beast::string_view(field.value.data(), field.value.size()));
  }
}

void ProxyRequest::on_complete() {
  const TimePoint now = std::chrono::steady_clock::now();
  switch (mode_) {
    case Mode::kRetryableError: {
      const unsigned status = upstream_header_->status();
      std::chrono::milliseconds retry_after{0};
      if (status == 429) {
        if (std::optional<std::chrono::milliseconds> parsed =
                parse_retry_after(upstream_header_->value(http::field::retry_after),
                                  std::chrono::system_clock::now())) {
          retry_after = *parsed;
        }
      }
      current_->upstream->finish_request(
          status == 429 ? Upstream::Outcome::kRateLimited : Upstream::Outcome::kFailure, now,
          std::min(retry_after, context_.settings.retry.max_retry_after));
      context_.metrics.record_attempt(current_->upstream->name(),
                                      status == 429 ? "http_429" : "http_5xx");

      HttpResponse response = response_like(*upstream_header_, request_.client_request.version());
      response.body() = whole_body_;
      last_error_response_ = std::make_unique<HttpResponse>(std::move(response));
      failures_.push_back(current_->upstream->name() + ": HTTP " + std::to_string(status));
      return retry_or_give_up(status == 429 ? "http_429" : "http_5xx", retry_after);
    }
    case Mode::kStream: {
      current_->upstream->finish_request(Upstream::Outcome::kSuccess, now);
      record_attempt_ok();
      // Bytes after the last blank line are passed on as they are: relaying never edits them.
      std::string rest(splitter_.pending());
      start_client_stream();
      if (!rest.empty()) exchange_->write_chunk(std::move(rest));
      exchange_->end_stream();
      call_.reset();
      return finish(200, saw_done_ ? "ok" : "ok_without_done");
    }
    case Mode::kWhole:
    case Mode::kNone:
      current_->upstream->finish_request(Upstream::Outcome::kSuccess, now);
      record_attempt_ok();
      return forward_whole();
  }
}

void ProxyRequest::record_attempt_ok() {
  if (series_ != nullptr) return series_->attempts_ok->Increment();
  context_.metrics.record_attempt(current_->upstream->name(), "ok");
}

void ProxyRequest::forward_whole() {
  const unsigned status = upstream_header_->status();
  HttpResponse response = response_like(*upstream_header_, request_.client_request.version());
  if (status == 200) read_usage(whole_body_, prompt_tokens_, completion_tokens_);
  response.body() = std::move(whole_body_);
  respond(std::move(response));
  call_.reset();
  finish(status, status < 400 ? "ok" : "upstream_error");
}

void ProxyRequest::on_failure(CallFailure failure, const std::string& detail,
                              bool /*response_started*/) {
  const TimePoint now = std::chrono::steady_clock::now();
  current_->upstream->finish_request(Upstream::Outcome::kFailure, now);
  context_.metrics.record_attempt(current_->upstream->name(),
                                  std::string(call_failure_name(failure)));
  const std::string what = current_->upstream->name() + ": " + detail;

  if (client_stream_started_) {
    // Tokens already reached the client, so a retry would repeat them: end the stream with
    // an error event the client's SDK raises, and record what was delivered.
    return end_with_stream_error(what);
  }
  failures_.push_back(what);
  last_error_response_.reset();
  if (failure == CallFailure::kDeadline) return give_up();
  retry_or_give_up(std::string(call_failure_name(failure)), std::chrono::milliseconds(0));
}

void ProxyRequest::end_with_stream_error(const std::string& message) {
  exchange_->write_chunk(openai_error_event("the backend failed mid-stream after " +
                                                std::to_string(content_events_) +
                                                " content chunks: " + message,
                                            "server_error", "upstream_stream_failed"));
  exchange_->end_stream();
  call_.reset();
  finish(200, "midstream_failure", message);
}

void ProxyRequest::retry_or_give_up(const std::string& reason,
                                    std::chrono::milliseconds retry_after) {
  call_.reset();
  const TimePoint now = std::chrono::steady_clock::now();
  if (attempts_ >= context_.settings.retry.max_attempts || now >= deadline_ ||
      exchange_->client_gone()) {
    return give_up();
  }

  // A backend not tried yet is asked at once; the same backends again only after a backoff
  // (at least as long as a Retry-After they sent, if it is within bounds).
  std::optional<Choice> next = context_.fleet.choose(chain_, request_.model, tried_, now);
  std::chrono::milliseconds wait{0};
  if (!next || tried_.contains(next->upstream)) {
    if (retry_after > context_.settings.retry.max_retry_after) return give_up();
    const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(context_.random);
    wait = std::max(backoff_delay(context_.settings.retry, attempts_, unit), retry_after);
    next.reset();  // choose again after the wait: the fleet may look different by then
  }
  if (now + wait >= deadline_) return give_up();
  context_.metrics.record_retry(reason);

  if (wait.count() == 0) return next_attempt(next);
  retry_timer_ = std::make_unique<asio::steady_timer>(context_.executor, wait);
  retry_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    if (self->exchange_->client_gone()) {
      return self->finish(499, "client_closed", "the client went away during a retry wait");
    }
    self->next_attempt(std::nullopt);
  });
}

void ProxyRequest::give_up() {
  std::string summary;
  for (const std::string& failure : failures_) {
    summary += (summary.empty() ? "" : "; ") + failure;
  }
  if (last_error_response_) {
    // The backends answered, just not well: pass on the last answer with its status.
    const unsigned status = last_error_response_->result_int();
    HttpResponse response = std::move(*last_error_response_);
    last_error_response_.reset();
    response.prepare_payload();
    respond(std::move(response));
    return finish(status, "upstream_error", summary);
  }
  respond(openai_error(http::status::service_unavailable,
                       "no backend could serve the request after " + std::to_string(attempts_) +
                           (attempts_ == 1 ? " attempt: " : " attempts: ") + summary,
                       "server_error", request_.client_request.version(), "no_backend_available"));
  finish(503, "no_backend", summary);
}

void ProxyRequest::respond(HttpResponse response) {
  add_router_headers(response.base());
  response.prepare_payload();
  response.keep_alive(request_.client_request.keep_alive());
  exchange_->respond(std::move(response));
}

void ProxyRequest::finish(unsigned status, const std::string& outcome, const std::string& error) {
  if (finished_) return;
  finished_ = true;
  retry_timer_.reset();

  const TimePoint now = std::chrono::steady_clock::now();
  const std::string compute_class = current_ ? current_->compute_class : request_.requested_class;
  const std::string backend = current_ ? current_->upstream->name() : "";
  const double duration_seconds = seconds_between(started_at_, now);
  if (series_ != nullptr && status == 200 && outcome == "ok") {
    series_->requests_ok->Increment();
    series_->duration->Observe(duration_seconds);
    if (prompt_tokens_ > 0) series_->prompt_tokens->Increment(static_cast<double>(prompt_tokens_));
    if (completion_tokens_ > 0) {
      series_->completion_tokens->Increment(static_cast<double>(completion_tokens_));
    }
  } else {
    context_.metrics.record_request(compute_class, backend, status, outcome, duration_seconds);
    context_.metrics.add_tokens(compute_class, prompt_tokens_, completion_tokens_);
  }
  // Counted by the class of the last attempt, so a request that failed in its own class
  // before a fallback served it counts too.
  if (compute_class != request_.requested_class) {
    context_.metrics.record_fallback(request_.requested_class, compute_class);
  }
  if (context_.access_log == nullptr) return;

  AccessRecord record;
  record.request_id = request_.request_id;
  record.method = std::string(request_.client_request.method_string());
  record.path = std::string(request_.client_request.target());
  record.model = request_.model;
  record.requested_class = request_.requested_class;
  record.class_source = request_.class_source;
  record.compute_class = compute_class;
  record.backend = backend;
  record.status = status;
  record.outcome = outcome;
  record.attempts = attempts_;
  record.stream = request_.stream;
  if (first_token_at_) record.ttft_ms = seconds_between(started_at_, *first_token_at_) * 1e3;
  record.prompt_tokens = prompt_tokens_;
  record.completion_tokens =
      completion_tokens_ > 0 || !request_.stream ? completion_tokens_ : content_events_;
  record.duration_ms = duration_seconds * 1e3;
  record.error = error;
  context_.access_log->write(record);
}

}  // namespace scoville::router
