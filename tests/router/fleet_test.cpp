// Backend choice: classes and their fallbacks, skipping what was tried, and load balancing.
#include "router/fleet.h"

#include <chrono>
#include <map>
#include <memory>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using namespace std::chrono_literals;
using TimePoint = Fleet::TimePoint;

const TimePoint kNow = TimePoint{} + 1h;

UpstreamSpec backend(const std::string& name, const std::string& compute_class,
                     const std::string& model = "m", double weight = 1.0) {
  UpstreamSpec spec;
  spec.name = name;
  spec.host = "127.0.0.1";
  spec.port = 1;
  spec.compute_class = compute_class;
  spec.model = model;
  spec.served_model = model;
  spec.weight = weight;
  return spec;
}

Fleet make_fleet(std::vector<UpstreamSpec> specs) {
  CircuitBreakerPolicy breaker;
  breaker.consecutive_failures_to_open = 2;
  breaker.open_cooldown = 1000ms;
  std::map<std::string, std::vector<std::string>> fallbacks = {
      {"efficient", {"standard"}}, {"low_latency", {"standard"}}, {"standard", {}}};
  return Fleet(std::move(specs), breaker, fallbacks, std::make_unique<LeastOutstandingPolicy>());
}

Upstream& named(Fleet& fleet, const std::string& name) {
  for (const auto& upstream : fleet.upstreams()) {
    if (upstream->name() == name) return *upstream;
  }
  FAIL("no backend " << name);
  throw;
}

TEST_CASE("a class chain lists the class, then its fallbacks once each") {
  Fleet fleet = make_fleet({});
  CHECK(fleet.class_chain("efficient") == std::vector<std::string>{"efficient", "standard"});
  CHECK(fleet.class_chain("standard") == std::vector<std::string>{"standard"});
}

TEST_CASE("a request goes to its own class while it has an available backend") {
  Fleet fleet = make_fleet({backend("s", "standard"), backend("e", "efficient")});
  const auto choice = fleet.choose(fleet.class_chain("efficient"), "m", {}, kNow);
  REQUIRE(choice);
  CHECK(choice->upstream->name() == "e");
  CHECK(choice->compute_class == "efficient");
}

TEST_CASE("a class with nobody left falls back to the next class in its chain") {
  Fleet fleet = make_fleet({backend("s", "standard"), backend("e", "efficient")});
  const TriedBackends tried = {&named(fleet, "e")};
  const auto choice = fleet.choose(fleet.class_chain("efficient"), "m", tried, kNow);
  REQUIRE(choice);
  CHECK(choice->upstream->name() == "s");
  CHECK(choice->compute_class == "standard");
}

TEST_CASE("tried backends are chosen again only when no untried one is left") {
  Fleet fleet = make_fleet({backend("s", "standard")});
  const TriedBackends tried = {&named(fleet, "s")};
  const auto choice = fleet.choose(fleet.class_chain("standard"), "m", tried, kNow);
  REQUIRE(choice);
  CHECK(choice->upstream->name() == "s");
}

TEST_CASE("backends that do not serve the model are never chosen") {
  Fleet fleet = make_fleet({backend("s", "standard", "other")});
  CHECK_FALSE(fleet.choose(fleet.class_chain("standard"), "m", {}, kNow));
  CHECK(fleet.describe_unavailable(fleet.class_chain("standard"), "m", kNow) ==
        "no backend in class standard serves model \"m\"");
  CHECK_FALSE(fleet.any_serves("m"));
  CHECK(fleet.any_serves("other"));
}

TEST_CASE("an open circuit takes a backend out until its cooldown has passed") {
  Fleet fleet = make_fleet({backend("s", "standard")});
  Upstream& s = named(fleet, "s");
  for (int i = 0; i < 2; ++i) {
    REQUIRE(s.begin_request(kNow));
    s.finish_request(Upstream::Outcome::kFailure, kNow);
  }
  CHECK(s.availability(kNow) == Availability::kCircuitOpen);
  CHECK_FALSE(fleet.choose(fleet.class_chain("standard"), "m", {}, kNow + 999ms));
  CHECK(fleet.describe_unavailable(fleet.class_chain("standard"), "m", kNow) ==
        "no backend can take the request now: s (circuit open)");
  CHECK(fleet.choose(fleet.class_chain("standard"), "m", {}, kNow + 1000ms));
  CHECK(s.breaker_openings() == 1);
}

TEST_CASE("a 429 keeps a backend out for its Retry-After without opening the circuit") {
  Fleet fleet = make_fleet({backend("s", "standard")});
  Upstream& s = named(fleet, "s");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(s.begin_request(kNow));
    s.finish_request(Upstream::Outcome::kRateLimited, kNow, 2000ms);
  }
  CHECK(s.availability(kNow + 1999ms) == Availability::kRateLimited);
  CHECK(s.availability(kNow + 2000ms) == Availability::kAvailable);
  CHECK(s.breaker_openings() == 0);
}

TEST_CASE("health checks mark a backend down after the failures in a row and up after passes") {
  Fleet fleet = make_fleet({backend("s", "standard")});
  Upstream& s = named(fleet, "s");
  s.record_health_check(false, 2, 2);
  CHECK(s.healthy());
  s.record_health_check(false, 2, 2);
  CHECK_FALSE(s.healthy());
  CHECK(s.availability(kNow) == Availability::kUnhealthy);
  s.record_health_check(true, 2, 2);
  CHECK_FALSE(s.healthy());
  s.record_health_check(true, 2, 2);
  CHECK(s.healthy());
}

TEST_CASE("least outstanding spreads load by weight") {
  Fleet fleet =
      make_fleet({backend("light", "standard", "m", 1.0), backend("heavy", "standard", "m", 3.0)});
  std::map<std::string, int> chosen;
  // Requests stay outstanding, so each choice sees the load of the ones before it.
  for (int i = 0; i < 40; ++i) {
    const auto choice = fleet.choose(fleet.class_chain("standard"), "m", {}, kNow);
    REQUIRE(choice);
    REQUIRE(choice->upstream->begin_request(kNow));
    ++chosen[choice->upstream->name()];
  }
  CHECK(chosen["heavy"] == 30);
  CHECK(chosen["light"] == 10);
}

TEST_CASE("equal backends take turns rather than the first taking every request") {
  Fleet fleet = make_fleet({backend("a", "standard"), backend("b", "standard")});
  std::map<std::string, int> chosen;
  for (int i = 0; i < 10; ++i) {
    const auto choice = fleet.choose(fleet.class_chain("standard"), "m", {}, kNow);
    REQUIRE(choice);
    ++chosen[choice->upstream->name()];
  }
  CHECK(chosen["a"] == 5);
  CHECK(chosen["b"] == 5);
}

TEST_CASE("backends without a configured model learn theirs from discovery") {
  UpstreamSpec spec = backend("d", "standard", "");
  Fleet fleet = make_fleet({spec});
  Upstream& d = named(fleet, "d");
  CHECK_FALSE(fleet.all_models_known());
  CHECK(d.serves("anything"));
  d.set_discovered_models({"x", "y"});
  CHECK(fleet.all_models_known());
  CHECK(d.serves("x"));
  CHECK_FALSE(d.serves("z"));
  CHECK(fleet.model_names() == std::vector<std::string>{"x", "y"});
}

TEST_CASE("the model sent upstream is the backend's own name for it") {
  UpstreamSpec spec = backend("s", "standard", "llama-3.1-8b");
  spec.served_model = "meta-llama/Llama-3.1-8B-Instruct";
  Fleet fleet = make_fleet({spec});
  CHECK(named(fleet, "s").upstream_model("llama-3.1-8b") == "meta-llama/Llama-3.1-8B-Instruct");
}

}  // namespace
}  // namespace scoville::router
