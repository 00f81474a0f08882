#pragma once

#include <cstdint>

namespace scoville::scheduler {

// One request inside an inference engine: what it asks for and how far it has got. Token
// counts are what the engine sees; times are simulated seconds.
struct Sequence {
  std::uint64_t id = 0;
  std::int32_t class_index = 0;
  std::int32_t priority = 0;  // higher is scheduled first
  double arrival_seconds = 0.0;
  std::int32_t prompt_tokens = 0;
  std::int32_t output_tokens = 0;  // tokens to generate, the first one included
  std::int32_t prefix_group = -1;  // -1: no shared prefix
  std::int32_t prefix_tokens = 0;

  // Progress. A preempted sequence recomputes its prompt and what it had generated, so the
  // prefill target grows to prompt + generated.
  std::int32_t prefill_target_tokens = 0;
  std::int32_t computed_tokens = 0;  // of the prefill target, KV present
  std::int32_t generated_tokens = 0;
  std::int64_t private_blocks = 0;        // KV blocks the sequence holds alone
  std::int64_t shared_blocks = 0;         // blocks of a cached prefix it references
  bool holds_prefix = false;              // counts in its prefix group's reference count
  std::int32_t cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
  std::int32_t preemptions = 0;

  double first_token_seconds = -1.0;
  double last_token_seconds = 0.0;

  bool prefilling() const { return computed_tokens < prefill_target_tokens; }
  // Tokens whose KV the sequence has (or will have after the current step's work).
  std::int32_t context_tokens() const {
    return prefilling() ? computed_tokens : prefill_target_tokens + generated_since_prefill();
  }
  std::int32_t generated_since_prefill() const {
    return generated_tokens - (prefill_target_tokens - prompt_tokens);
  }
  bool finished() const { return generated_tokens >= output_tokens; }
};

}  // namespace scoville::scheduler
