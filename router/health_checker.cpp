#include "router/health_checker.h"

#include <nlohmann/json.hpp>

#include "router/connect.h"
#include "router/upstream.h"

namespace scoville::router {

// The probe loop of one backend: wait, check, record, again.
class HealthChecker::Probe : public std::enable_shared_from_this<Probe> {
 public:
  Probe(asio::any_io_executor executor, Upstream& upstream, const HealthCheckSettings& settings)
      : executor_(executor), timer_(executor), upstream_(upstream), settings_(settings) {}

  void check_now() {
    if (stopped_) return;
    stream_ = std::make_unique<beast::tcp_stream>(executor_);
    buffer_.clear();
    response_ = {};

    stream_->expires_after(settings_.timeout);
    async_connect_to(*stream_, upstream_.spec().host, upstream_.spec().port,
                     [self = shared_from_this()](beast::error_code ec, std::string_view) {
                       self->on_connect(ec);
                     });
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
    if (stream_) stream_->close();
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return record(false);
    request_ = {http::verb::get, upstream_.spec().base_path + settings_.path, 11};
    request_.set(http::field::host,
                 upstream_.spec().host + ":" + std::to_string(upstream_.spec().port));
    request_.set(http::field::user_agent, "scoville-health-check");
    if (!upstream_.spec().api_key.empty()) {
      request_.set(http::field::authorization, "Bearer " + upstream_.spec().api_key);
    }
    request_.keep_alive(false);
    http::async_write(
        *stream_, request_, [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
          if (write_ec) return self->record(false);
          http::async_read(
              *self->stream_, self->buffer_, self->response_,
              [self](beast::error_code read_ec, std::size_t) { self->on_response(read_ec); });
        });
  }

  void on_response(beast::error_code ec) {
    if (ec || response_.result() != http::status::ok) return record(false);
    if (settings_.path == "/v1/models") {
      const nlohmann::json body = nlohmann::json::parse(response_.body(), nullptr, false);
      if (body.is_object() && body.contains("data") && body["data"].is_array()) {
        std::vector<std::string> models;
        for (const auto& entry : body["data"]) {
          if (entry.is_object() && entry.contains("id") && entry["id"].is_string()) {
            models.push_back(entry["id"].get<std::string>());
          }
        }
        upstream_.set_discovered_models(std::move(models));
      }
    }
    record(true);
  }

  void record(bool ok) {
    if (stream_) stream_->close();
    if (stopped_) return;
    upstream_.record_health_check(ok, settings_.unhealthy_after, settings_.healthy_after);

    // Check again after the interval.
    timer_.expires_after(settings_.interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->check_now();
    });
  }

  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  Upstream& upstream_;
  const HealthCheckSettings& settings_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
  bool stopped_ = false;
};

HealthChecker::HealthChecker(asio::any_io_executor executor, Fleet& fleet,
                             HealthCheckSettings settings)
    : executor_(std::move(executor)), fleet_(fleet), settings_(std::move(settings)) {}

HealthChecker::~HealthChecker() { stop(); }

void HealthChecker::start() {
  for (const auto& upstream : fleet_.upstreams()) {
    probes_.push_back(std::make_shared<Probe>(executor_, *upstream, settings_));
    probes_.back()->check_now();
  }
}

void HealthChecker::stop() {
  for (const auto& probe : probes_) probe->stop();
  probes_.clear();
}

}  // namespace scoville::router
