#pragma once

#include "config/device_spec.h"

namespace scoville::costmodel {

inline constexpr double kHoursPerYear = 8760.0;

// The blended hourly cost C of one device, term by term, so a breakdown can show where the
// money goes.
struct HourlyCost {
  double capex_usd_per_hour = 0.0;           // amortised purchase price
  double it_power_usd_per_hour = 0.0;        // the device's own draw
  double facility_power_usd_per_hour = 0.0;  // cooling and distribution losses (PUE - 1)
  double operations_usd_per_hour = 0.0;
  double hosting_usd_per_hour = 0.0;
  double rental_usd_per_hour = 0.0;
  double average_power_watts = 0.0;  // the draw the power terms assume

  double total_usd_per_hour() const {
    return capex_usd_per_hour + it_power_usd_per_hour + facility_power_usd_per_hour +
           operations_usd_per_hour + hosting_usd_per_hour + rental_usd_per_hour;
  }
};

// Power drawn at a utilisation: idle draw plus the dynamic range scaled by how busy it is.
double power_draw_watts(const config::DeviceSpec& device, double utilization);

// Capex per hour: straight-line when the cost of capital is zero, otherwise the annuity that
// repays capex with interest over the amortisation period.
double amortized_capex_usd_per_hour(const config::DeviceCostInputs& cost);

// The hourly cost of `device` running at `utilization` (0..1) of its time.
HourlyCost hourly_cost(const config::DeviceSpec& device, double utilization);

}  // namespace scoville::costmodel
