#include <doctest/doctest.h>

#include "config/config.h"

namespace scoville::config {
namespace {

const Config& builtin() {
  static const Config config = [] {
    Result<Config> loaded = builtin_config();
    REQUIRE_MESSAGE(loaded.has_value(), (loaded ? "" : loaded.error().message));
    return *loaded;
  }();
  return config;
}

TEST_CASE("the built-in catalog validates without a problem") {
  Result<Config> loaded = builtin_config();
  CHECK_MESSAGE(loaded.has_value(), (loaded ? "" : loaded.error().message));
}

TEST_CASE("the built-in catalog carries the datasheet figures of every listed device") {
  const Config& config = builtin();
  for (const char* id : {"h100", "h200", "b200", "tpu-v5p", "trainium2", "jalapeno"}) {
    CAPTURE(id);
    REQUIRE(config.find_device(id) != nullptr);
  }

  const DeviceSpec& h100 = *config.find_device("h100");
  CHECK(h100.hbm_capacity_bytes == doctest::Approx(80e9));
  CHECK(h100.hbm_bytes_per_second == doctest::Approx(3.35e12));
  CHECK(*h100.peak_flops(Precision::kBf16) == doctest::Approx(989e12));
  CHECK(*h100.peak_flops(Precision::kFp8) == doctest::Approx(1979e12));
  CHECK_FALSE(h100.peak_flops(Precision::kFp4).has_value());
  CHECK(h100.tdp_watts == doctest::Approx(700));

  const DeviceSpec& h200 = *config.find_device("h200");
  CHECK(h200.hbm_capacity_bytes == doctest::Approx(141e9));
  CHECK(h200.hbm_bytes_per_second == doctest::Approx(4.8e12));
  CHECK(*h200.peak_flops(Precision::kBf16) == *h100.peak_flops(Precision::kBf16));

  const DeviceSpec& b200 = *config.find_device("b200");
  CHECK(b200.hbm_capacity_bytes == doctest::Approx(180e9));
  CHECK(b200.hbm_bytes_per_second == doctest::Approx(8e12));
  CHECK(*b200.peak_flops(Precision::kBf16) == doctest::Approx(2250e12));
  CHECK(*b200.peak_flops(Precision::kFp8) == doctest::Approx(4500e12));
  CHECK(*b200.peak_flops(Precision::kFp4) == doctest::Approx(9000e12));
  CHECK(b200.tdp_watts == doctest::Approx(1000));

  const DeviceSpec& tpu = *config.find_device("tpu-v5p");
  CHECK(tpu.hbm_capacity_bytes == doctest::Approx(95e9));
  CHECK(tpu.hbm_bytes_per_second == doctest::Approx(2.765e12));
  CHECK(*tpu.peak_flops(Precision::kBf16) == doctest::Approx(459e12));

  const DeviceSpec& trn2 = *config.find_device("trainium2");
  CHECK(trn2.hbm_capacity_bytes == doctest::Approx(96.0 * 1024 * 1024 * 1024));
  CHECK(trn2.hbm_bytes_per_second == doctest::Approx(2.9e12));
  CHECK(*trn2.peak_flops(Precision::kBf16) == doctest::Approx(667e12));
  CHECK(*trn2.peak_flops(Precision::kFp8) == doctest::Approx(1299e12));
}

TEST_CASE("every figure of the Jalapeno entry is marked as an assumption") {
  const DeviceSpec& jalapeno = *builtin().find_device("jalapeno");
  for (const char* field :
       {"hbm_capacity_bytes", "hbm_bytes_per_second", "dense_flops_per_second.bf16",
        "dense_flops_per_second.fp8", "dense_flops_per_second.int8", "dense_flops_per_second.fp4",
        "tdp_watts", "idle_watts", "interconnect_bytes_per_second", "cost.capex_usd", "cost.pue"}) {
    CAPTURE(field);
    CHECK(jalapeno.is_assumed(field));
  }
}

TEST_CASE("published datasheet figures are not marked as assumptions") {
  const DeviceSpec& h100 = *builtin().find_device("h100");
  CHECK_FALSE(h100.is_assumed("hbm_bytes_per_second"));
  CHECK_FALSE(h100.is_assumed("dense_flops_per_second.bf16"));
  CHECK(h100.is_assumed("cost.capex_usd"));
}

TEST_CASE("the built-in catalog has the three compute classes with their fallbacks") {
  const Config& config = builtin();
  for (const char* id : {"standard", "efficient", "low_latency"}) {
    CAPTURE(id);
    REQUIRE(config.find_compute_class(id) != nullptr);
  }
  CHECK(config.find_compute_class("low_latency")->priority >
        config.find_compute_class("standard")->priority);
  CHECK(config.find_compute_class("efficient")->fallback_classes ==
        std::vector<std::string>{"standard"});
}

}  // namespace
}  // namespace scoville::config
