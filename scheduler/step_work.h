#pragma once

#include <cstdint>

namespace scoville::scheduler {

// What one engine step computes, in aggregate: enough for a roofline model to time it without
// looking at individual sequences.
struct StepWork {
  std::int64_t prefill_tokens = 0;       // prompt tokens whose KV this step computes
  double prefill_attention_pairs = 0.0;  // (query, key) pairs of causal prefill attention
  double prefill_context_tokens = 0.0;   // KV of earlier chunks that prefill chunks read
  std::int64_t decode_tokens = 0;      // decoded tokens (k + 1 per sequence when verifying drafts)
  double decode_context_tokens = 0.0;  // KV tokens the decoding sequences read
  std::int32_t logit_sequences = 0;    // sequences sampling a next token this step

  std::int64_t total_tokens() const { return prefill_tokens + decode_tokens; }
  bool empty() const { return total_tokens() == 0; }
};

}  // namespace scoville::scheduler
