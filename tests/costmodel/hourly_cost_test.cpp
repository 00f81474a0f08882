#include <doctest/doctest.h>

#include "config/config.h"
#include "costmodel/hourly_cost.h"

namespace scoville::costmodel {
namespace {

config::DeviceSpec owned_device() {
  config::DeviceSpec device;
  device.id = "test";
  device.tdp_watts = 700;
  device.idle_watts = 100;
  device.cost.capex_usd = 43800;  // 1 USD/hour over 5 years of 8760 hours
  device.cost.amortization_years = 5;
  device.cost.electricity_usd_per_kwh = 0.10;
  device.cost.pue = 1.5;
  device.cost.operations_usd_per_hour = 0.25;
  device.cost.hosting_usd_per_hour = 0.50;
  return device;
}

TEST_CASE("straight-line amortisation spreads capex evenly over the life in hours") {
  CHECK(amortized_capex_usd_per_hour(owned_device().cost) == doctest::Approx(1.0));
}

TEST_CASE("a cost of capital turns amortisation into an annuity that costs more per hour") {
  config::DeviceCostInputs cost = owned_device().cost;
  cost.cost_of_capital_per_year = 0.08;
  // Annuity factor for 8% over 5 years: 0.08 / (1 - 1.08^-5) = 0.250456.
  CHECK(amortized_capex_usd_per_hour(cost) ==
        doctest::Approx(43800 * 0.250456 / 8760).epsilon(1e-5));
}

TEST_CASE("power draw rises from idle to TDP with utilisation") {
  const config::DeviceSpec device = owned_device();
  CHECK(power_draw_watts(device, 0.0) == doctest::Approx(100));
  CHECK(power_draw_watts(device, 0.5) == doctest::Approx(400));
  CHECK(power_draw_watts(device, 1.0) == doctest::Approx(700));
}

TEST_CASE("the hourly cost is the sum of its visible terms") {
  const HourlyCost cost = hourly_cost(owned_device(), 1.0);
  CHECK(cost.capex_usd_per_hour == doctest::Approx(1.0));
  CHECK(cost.it_power_usd_per_hour == doctest::Approx(0.7 * 0.10));
  CHECK(cost.facility_power_usd_per_hour == doctest::Approx(0.7 * 0.5 * 0.10));
  CHECK(cost.operations_usd_per_hour == doctest::Approx(0.25));
  CHECK(cost.hosting_usd_per_hour == doctest::Approx(0.50));
  CHECK(cost.total_usd_per_hour() == doctest::Approx(1.0 + 0.07 + 0.035 + 0.25 + 0.50));
}

TEST_CASE("a rented device costs its rental price plus what the operator adds") {
  const config::Config config = *config::builtin_config();
  const HourlyCost cost = hourly_cost(*config.find_device("tpu-v5p"), 0.8);
  CHECK(cost.capex_usd_per_hour == 0.0);
  CHECK(cost.it_power_usd_per_hour == 0.0);
  CHECK(cost.total_usd_per_hour() == doctest::Approx(4.20 + 0.05));
}

TEST_CASE("the catalog's H100 costs less per hour to own than to rent in the cloud") {
  // The public cloud price of an H100 hour is about 4.25 USD, a marketplace's about 1.90;
  // owning one at the catalog's assumptions should land below both.
  const config::Config config = *config::builtin_config();
  const double owned = hourly_cost(*config.find_device("h100"), 0.75).total_usd_per_hour();
  CHECK(owned > 1.0);
  CHECK(owned < 1.90);
}

}  // namespace
}  // namespace scoville::costmodel
