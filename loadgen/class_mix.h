#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"
#include "simulator/random.h"

namespace scoville::loadgen {

// The compute classes a benchmark's requests ask for (the X-Compute-Class header), each with a
// share of the requests. Any class name is accepted: the server under test decides which it
// knows.
class ClassMix {
 public:
  struct Entry {
    std::string name;
    double share = 0.0;  // of all requests, 0..1; the entries' shares add up to 1
  };

  // No classes: requests carry no X-Compute-Class header.
  ClassMix() = default;

  // Reads "standard=0.5,efficient=0.3,low_latency=0.2". Weights are relative (they need not
  // add up to 1) and must be finite and >= 0 with at least one above 0; names must be
  // non-empty header-safe tokens, each given once.
  static Result<ClassMix> parse(std::string_view text);

  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }

  // A class drawn with the entries' shares; "" when the mix is empty (and then `random` is
  // left untouched, so adding a mix never shifts the other draws of a seed).
  const std::string& sample(simulator::Random& random) const;

 private:
  std::vector<Entry> entries_;
  std::vector<double> cumulative_weights_;  // running sums of the weights as given
  std::size_t last_drawable_ = 0;           // the last entry with a weight above 0
};

}  // namespace scoville::loadgen
