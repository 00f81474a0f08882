#pragma once

#include "router/http_exchange.h"
#include "router/proxy_handler.h"

namespace scoville::router {

// The admin listener, kept apart from client traffic: /metrics in Prometheus' text format,
// /admin/backends with every backend's live state as JSON, /healthz and /readyz.
class AdminHandler final : public HttpHandler {
 public:
  explicit AdminHandler(ProxyShared& shared) : shared_(shared) {}

  void handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) override;

 private:
  ProxyShared& shared_;
};

}  // namespace scoville::router
