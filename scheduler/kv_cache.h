#pragma once

#include <cstdint>
#include <unordered_map>

namespace scoville::scheduler {

// A paged KV cache: a fixed number of fixed-size blocks, handed to sequences as their context
// grows, plus an optional cache of shared prompt prefixes. A cached prefix's blocks are shared
// by every sequence of its group; an unreferenced prefix is evicted (least recently used
// first) before an allocation fails.
class KvCache {
 public:
  KvCache(std::int64_t total_blocks, std::int32_t block_size_tokens, bool prefix_caching);

  std::int32_t block_size_tokens() const { return block_size_tokens_; }
  std::int64_t total_blocks() const { return total_blocks_; }
  std::int64_t free_blocks() const { return free_blocks_; }
  std::int64_t used_blocks() const { return total_blocks_ - free_blocks_; }
  bool prefix_caching() const { return prefix_caching_; }

  // Blocks needed to hold `tokens` tokens.
  std::int64_t blocks_for(std::int64_t tokens) const {
    return (tokens + block_size_tokens_ - 1) / block_size_tokens_;
  }

  // Whether `blocks` could be allocated now, counting evictable prefixes as free.
  bool can_allocate(std::int64_t blocks) const;

  // Takes `blocks` blocks, evicting unreferenced prefixes if needed; false (and nothing
  // taken) when even that is not enough.
  bool allocate(std::int64_t blocks, double now_seconds);
  void release(std::int64_t blocks);

  // The cached (block-aligned) token count of a group's prefix, without taking it.
  std::int32_t peek_prefix(std::int32_t group, std::int32_t prefix_tokens) const;

  // Looks a group's prefix up. On a hit, returns the cached (block-aligned) token count, takes
  // a reference and marks the prefix used; on a miss returns 0.
  std::int32_t acquire_prefix(std::int32_t group, std::int32_t prefix_tokens, double now_seconds);

  // Turns `blocks` blocks a sequence holds into the cached prefix of `group`, referenced once
  // by that sequence. Returns false when the group is already cached (the caller keeps its
  // blocks).
  bool adopt_prefix(std::int32_t group, std::int32_t tokens, std::int64_t blocks,
                    double now_seconds);

  // Counts a lookup that found nothing (acquire_prefix counts the ones that hit).
  void record_prefix_miss() { ++prefix_lookups_; }

  // Drops one reference to a group's prefix.
  void release_prefix(std::int32_t group);

  std::int64_t prefix_hits() const { return prefix_hits_; }
  std::int64_t prefix_lookups() const { return prefix_lookups_; }
  std::int64_t evictable_blocks() const { return evictable_blocks_; }

 private:
  struct Prefix {
    std::int32_t tokens = 0;
    std::int64_t blocks = 0;
    std::int32_t references = 0;
    double last_used_seconds = 0.0;
  };

  // Evicts least recently used unreferenced prefixes until `blocks` are free or none is left.
  void evict_until_free(std::int64_t blocks);

  const std::int64_t total_blocks_;
  const std::int32_t block_size_tokens_;
  const bool prefix_caching_;

  std::int64_t free_blocks_;
  std::int64_t evictable_blocks_ = 0;  // blocks of prefixes nobody references
  std::unordered_map<std::int32_t, Prefix> prefixes_;
  std::int64_t prefix_hits_ = 0;
  std::int64_t prefix_lookups_ = 0;
};

}  // namespace scoville::scheduler
