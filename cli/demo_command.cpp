#include "cli/demo_command.h"

#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "backend/simulated_backend.h"
#include "cli/command_status.h"
#include "cli/output_format.h"
#include "config/config.h"
#include "router/router_service.h"

namespace scoville::cli {
namespace {

struct DemoOptions {
  std::string listen = "127.0.0.1:8080";
  std::string admin_listen = "127.0.0.1:9090";
  std::string model = "llama-3.1-8b";
  double time_scale = 1.0;
  int workers = 2;
};

// One backend of the demo fleet: which class it serves in and on what.
struct DemoMember {
  std::string name;
  std::string compute_class;
  std::string device;
};

// A fleet that shows each class doing its job: general-purpose GPUs for standard, an
// inference ASIC for efficient, the fastest GPU for low latency.
const std::vector<DemoMember> kDemoFleet = {
    {"standard-h100-1", "standard", "h100"},
    {"standard-h100-2", "standard", "h100"},
    {"efficient-jalapeno-1", "efficient", "jalapeno"},
    {"low-latency-b200-1", "low_latency", "b200"},
};

// A simulated backend with the event loop and thread it runs on.
struct RunningBackend {
  router::asio::io_context io{1};
  std::unique_ptr<backend::SimulatedBackend> backend;
  std::thread thread;
};

int fail(const std::string& message) {
  std::cerr << "scoville demo: " << message << "\n";
  return kExitInputError;
}

int run_demo(const DemoOptions& o) {
  config::ListenAddress listen;
  if (!config::parse_listen_address(o.listen, listen)) {
    return fail("--listen: expected HOST:PORT, as in 127.0.0.1:8080, got \"" + o.listen + "\"");
  }
  config::ListenAddress admin;
  if (!config::parse_listen_address(o.admin_listen, admin)) {
    return fail("--admin-listen: expected HOST:PORT, as in 127.0.0.1:9090, got \"" +
                o.admin_listen + "\"");
  }
  Result<config::Config> catalog = config::builtin_config();
  if (!catalog) return fail(catalog.error().message);

  // Start the simulated fleet, each backend on its own thread and a free port.
  std::vector<std::unique_ptr<RunningBackend>> running;
  auto stop_backends = [&running] {
    for (auto& member : running) {
      member->io.stop();
      if (member->thread.joinable()) member->thread.join();
    }
  };
  router::RouterServiceSettings settings = router::service_settings_from(*catalog);
  for (std::size_t i = 0; i < kDemoFleet.size(); ++i) {
    const DemoMember& member = kDemoFleet[i];
    backend::SimulatedBackendOptions options;
    options.device = member.device;
    options.model = o.model;
    options.time_scale = o.time_scale;
    options.seed = 1 + i;
    auto backend = std::make_unique<RunningBackend>();
    Result<std::unique_ptr<backend::SimulatedBackend>> created =
        backend::SimulatedBackend::create(backend->io, *catalog, options);
    if (!created) {
      stop_backends();
      return fail(member.name + ": " + created.error().message);
    }
    backend->backend = std::move(*created);
    Result<void> listening = backend->backend->listen(listen.host, 0);
    if (!listening) {
      stop_backends();
      return fail(member.name + ": " + listening.error().message);
    }

    router::UpstreamSpec upstream;
    upstream.name = member.name;
    upstream.host = listen.host;
    upstream.port = backend->backend->port();
    upstream.compute_class = member.compute_class;
    upstream.device = member.device;
    upstream.model = o.model;
    upstream.served_model = o.model;
    settings.upstreams.push_back(std::move(upstream));

    backend->thread = std::thread([io = &backend->io] { io->run(); });
    running.push_back(std::move(backend));
  }

  // Put the router in front of it.
  settings.listen = listen;
  settings.admin_listen = admin;
  settings.workers = o.workers;
  router::RouterService service(std::move(settings));
  Result<void> started = service.start();
  if (!started) {
    stop_backends();
    return fail(started.error().message + " (choose other ports with --listen and --admin-listen)");
  }

  const std::string base = fmt::format("http://{}:{}", listen.host, service.port());
  std::cout << "scoville demo: router listening on " << base << " (admin http://" << admin.host
            << ":" << *service.admin_port() << "/metrics)" << std::endl;
  std::cout << "\nSimulated fleet, every backend serving " << o.model << ":\n";
  for (const router::UpstreamSpec& upstream : service.settings().upstreams) {
    std::cout << fmt::format("  {:<12} {:<22} {:<9} http://{}:{}\n", upstream.compute_class,
                             upstream.name, upstream.device, upstream.host, upstream.port);
  }
  std::cout << "\nSend OpenAI requests to " << base << "/v1, choosing a class with the "
            << "compute_class field, the X-Compute-Class header or a model suffix "
            << "(" << o.model << "-efficient). For example:\n\n"
            << "  curl -N " << base << "/v1/chat/completions \\\n"
            << "    -H 'Content-Type: application/json' -H 'X-Compute-Class: efficient' \\\n"
            << "    -d '{\"model\": \"" << o.model
            << "\", \"stream\": true, \"max_tokens\": 32, "
               "\"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'\n\n"
            << "Backend state: curl http://" << admin.host << ":" << *service.admin_port()
            << "/admin/backends\n"
            << "Press Ctrl-C to stop." << std::endl;

  service.run();
  stop_backends();
  return kExitOk;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* c = app.add_subcommand(
      "demo", "Start a simulated fleet across the three classes with the router in front");
  c->add_option("--listen", o->listen, "HOST:PORT for the router")->capture_default_str();
  c->add_option("--admin-listen", o->admin_listen, "HOST:PORT for /metrics and /admin/backends")
      ->capture_default_str();
  c->add_option("--model", o->model, "Model every backend serves")->capture_default_str();
  c->add_option("--time-scale", o->time_scale,
                "Wall seconds per simulated second (0.1 runs ten times faster)")
      ->check(positive_check())
      ->capture_default_str();
  c->add_option("--workers", o->workers, "Router worker threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  c->callback([o, &exit_code] { exit_code = run_demo(*o); });
}

}  // namespace scoville::cli
