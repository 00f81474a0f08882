#include "costmodel/hourly_cost.h"

#include <algorithm>
#include <cmath>

namespace scoville::costmodel {

double power_draw_watts(const config::DeviceSpec& device, double utilization) {
  const double busy = std::clamp(utilization, 0.0, 1.0);
  return device.idle_watts + (device.tdp_watts - device.idle_watts) * busy;
}

double amortized_capex_usd_per_hour(const config::DeviceCostInputs& cost) {
  if (cost.capex_usd == 0.0) {
    return 0.0;
  }
  const double years = cost.amortization_years;
  const double rate = cost.cost_of_capital_per_year;
  if (rate == 0.0) {
    return cost.capex_usd / (years * kHoursPerYear);
  }
  const double payment_per_year = cost.capex_usd * rate / (1.0 - std::pow(1.0 + rate, -years));
  return payment_per_year / kHoursPerYear;
}

HourlyCost hourly_cost(const config::DeviceSpec& device, double utilization) {
  const config::DeviceCostInputs& inputs = device.cost;
  HourlyCost cost;
  cost.capex_usd_per_hour = amortized_capex_usd_per_hour(inputs);

  // A rented device's power is in its rental price; only an owned one pays for electricity.
  cost.average_power_watts = power_draw_watts(device, utilization);
  const double it_kilowatts = cost.average_power_watts / 1000.0;
  cost.it_power_usd_per_hour = it_kilowatts * inputs.electricity_usd_per_kwh;
  cost.facility_power_usd_per_hour =
      it_kilowatts * (inputs.pue - 1.0) * inputs.electricity_usd_per_kwh;

  cost.operations_usd_per_hour = inputs.operations_usd_per_hour;
  cost.hosting_usd_per_hour = inputs.hosting_usd_per_hour;
  cost.rental_usd_per_hour = inputs.rental_usd_per_hour;
  return cost;
}

}  // namespace scoville::costmodel
