#include "cli/serve_command.h"

#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command_status.h"
#include "cli/upstream_flag.h"
#include "config/closest_match.h"
#include "config/config.h"
#include "router/router_service.h"

namespace scoville::cli {
namespace {

struct ServeOptions {
  std::string config_path;
  std::string listen;
  std::string admin_listen;
  std::vector<std::string> upstreams;
  std::string default_class;
  int workers = 0;
  std::string access_log;
  int max_attempts = 0;
};

struct ServeFlags {
  CLI::Option* listen = nullptr;
  CLI::Option* admin_listen = nullptr;
  CLI::Option* default_class = nullptr;
  CLI::Option* workers = nullptr;
  CLI::Option* access_log = nullptr;
  CLI::Option* max_attempts = nullptr;
};

int fail(const std::string& message) {
  std::cerr << "scoville serve: " << message << "\n";
  return kExitInputError;
}

Result<config::ListenAddress> listen_flag(const std::string& flag, const std::string& text) {
  config::ListenAddress address;
  if (!config::parse_listen_address(text, address)) {
    return make_error(flag + ": expected HOST:PORT, as in 127.0.0.1:8080, got \"" + text + "\"");
  }
  return address;
}

// The config file's settings with the flags laid over them.
Result<router::RouterServiceSettings> settings_from(const ServeOptions& o, const ServeFlags& f) {
  Result<config::Config> catalog =
      o.config_path.empty() ? config::builtin_config() : config::load_config(o.config_path);
  if (!catalog) return make_error(catalog.error().message);
  router::RouterServiceSettings settings = router::service_settings_from(*catalog);

  if (f.listen->count() > 0) {
    Result<config::ListenAddress> address = listen_flag("--listen", o.listen);
    if (!address) return make_error(address.error().message);
    settings.listen = *address;
  }
  if (f.admin_listen->count() > 0) {
    Result<config::ListenAddress> address = listen_flag("--admin-listen", o.admin_listen);
    if (!address) return make_error(address.error().message);
    settings.admin_listen = *address;
  }
  if (f.default_class->count() > 0) {
    if (catalog->find_compute_class(o.default_class) == nullptr) {
      return make_error("--default-class: unknown compute class \"" + o.default_class + "\"" +
                        config::did_you_mean(o.default_class, catalog->compute_class_ids()));
    }
    settings.classes.default_class = o.default_class;
  }
  if (f.workers->count() > 0) settings.workers = o.workers;
  if (f.access_log->count() > 0) settings.access_log = o.access_log;
  if (f.max_attempts->count() > 0) settings.proxy.retry.max_attempts = o.max_attempts;

  for (const std::string& text : o.upstreams) {
    Result<router::UpstreamSpec> upstream = parse_upstream_flag(text, *catalog);
    if (!upstream) return make_error(upstream.error().message);
    settings.upstreams.push_back(std::move(*upstream));
  }
  if (settings.upstreams.empty()) {
    return make_error(
        "no backends: give --upstream URL (repeatable) or a --config file with backends");
  }
  std::set<std::string> names;
  for (const router::UpstreamSpec& upstream : settings.upstreams) {
    if (!names.insert(upstream.name).second) {
      return make_error("two backends are called \"" + upstream.name +
                        "\"; give one a name=... to tell them apart");
    }
  }
  return settings;
}

int run_serve(const ServeOptions& o, const ServeFlags& f) {
  Result<router::RouterServiceSettings> settings = settings_from(o, f);
  if (!settings) return fail(settings.error().message);

  router::RouterService service(std::move(*settings));
  Result<void> started = service.start();
  if (!started) return fail(started.error().message);

  const router::RouterServiceSettings& s = service.settings();
  std::cout << "scoville serve: listening on http://" << s.listen.host << ":" << service.port();
  if (service.admin_port()) {
    std::cout << " (admin http://" << s.admin_listen->host << ":" << *service.admin_port() << ")";
  }
  std::cout << " with " << s.upstreams.size()
            << (s.upstreams.size() == 1 ? " backend, " : " backends, ") << s.workers
            << (s.workers == 1 ? " worker" : " workers") << std::endl;
  for (const router::UpstreamSpec& upstream : s.upstreams) {
    std::cerr << "scoville serve: backend " << upstream.name << " http://" << upstream.host << ":"
              << upstream.port << upstream.base_path << " class " << upstream.compute_class
              << (upstream.model.empty() ? "" : " model " + upstream.model) << std::endl;
  }
  service.run();
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto f = std::make_shared<ServeFlags>();
  CLI::App* c = app.add_subcommand(
      "serve", "Run the OpenAI-compatible router in front of a fleet of backends");
  c->add_option("--config", o->config_path,
                "Config file with a router section and backends (flags override it)");
  f->listen = c->add_option("--listen", o->listen,
                            "HOST:PORT for client traffic (default 127.0.0.1:8080; port 0 picks "
                            "a free one)");
  f->admin_listen = c->add_option("--admin-listen", o->admin_listen,
                                  "HOST:PORT for /metrics and /admin/backends (off by default)");
  c->add_option("--upstream", o->upstreams,
                "Backend URL[,class=C][,device=D][,model=M][,weight=W][,name=N] (repeatable)");
  f->default_class = c->add_option("--default-class", o->default_class,
                                   "Class for requests that name none (default standard)");
  f->workers = c->add_option("--workers", o->workers, "Worker threads (default: one per core)")
                   ->check(CLI::Range(1, 256));
  f->access_log = c->add_option("--access-log", o->access_log,
                                "Access log file, - for stderr (the default), \"\" for none");
  f->max_attempts = c->add_option("--max-attempts", o->max_attempts,
                                  "Attempts per request, the first included (default 3)")
                        ->check(CLI::Range(1, 20));
  c->callback([o, f, &exit_code] { exit_code = run_serve(*o, *f); });
}

}  // namespace scoville::cli
