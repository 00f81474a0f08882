#include "scheduler/kv_cache.h"

#include <cassert>
#include <limits>

namespace scoville::scheduler {

KvCache::KvCache(std::int64_t total_blocks, std::int32_t block_size_tokens, bool prefix_caching)
    : total_blocks_(total_blocks),
      block_size_tokens_(block_size_tokens),
      prefix_caching_(prefix_caching),
      free_blocks_(total_blocks) {}

bool KvCache::can_allocate(std::int64_t blocks) const {
  return blocks <= free_blocks_ + evictable_blocks_;
}

bool KvCache::allocate(std::int64_t blocks, double /*now_seconds*/) {
  if (blocks <= 0) {
    return true;
  }
  if (!can_allocate(blocks)) {
    return false;
  }
  if (blocks > free_blocks_) {
    evict_until_free(blocks);
  }
  free_blocks_ -= blocks;
  return true;
}

void KvCache::release(std::int64_t blocks) {
  free_blocks_ += blocks;
  assert(free_blocks_ <= total_blocks_);
}

std::int32_t KvCache::peek_prefix(std::int32_t group, std::int32_t prefix_tokens) const {
  if (!prefix_caching_ || group < 0) {
    return 0;
  }
  const auto it = prefixes_.find(group);
  if (it == prefixes_.end() || it->second.tokens > prefix_tokens) {
    return 0;
  }
  return it->second.tokens;
}

std::int32_t KvCache::acquire_prefix(std::int32_t group, std::int32_t prefix_tokens,
                                     double now_seconds) {
  if (!prefix_caching_ || group < 0) {
    return 0;
  }
  ++prefix_lookups_;
  const auto it = prefixes_.find(group);
  if (it == prefixes_.end() || it->second.tokens > prefix_tokens) {
    return 0;
  }
  Prefix& prefix = it->second;
  if (prefix.references == 0) {
    evictable_blocks_ -= prefix.blocks;
  }
  ++prefix.references;
  prefix.last_used_seconds = now_seconds;
  ++prefix_hits_;
  return prefix.tokens;
}

bool KvCache::adopt_prefix(std::int32_t group, std::int32_t tokens, std::int64_t blocks,
                           double now_seconds) {
  if (!prefix_caching_ || group < 0 || blocks <= 0 || prefixes_.contains(group)) {
    return false;
  }
  prefixes_.emplace(group, Prefix{tokens, blocks, 1, now_seconds});
  return true;
}

void KvCache::release_prefix(std::int32_t group) {
  const auto it = prefixes_.find(group);
  if (it == prefixes_.end()) {
    return;
  }
  Prefix& prefix = it->second;
  assert(prefix.references > 0);
  --prefix.references;
  if (prefix.references == 0) {
    evictable_blocks_ += prefix.blocks;
  }
}

void KvCache::evict_until_free(std::int64_t blocks) {
  while (free_blocks_ < blocks && evictable_blocks_ > 0) {
    auto victim = prefixes_.end();
    double oldest = std::numeric_limits<double>::infinity();
    for (auto it = prefixes_.begin(); it != prefixes_.end(); ++it) {
      // Ties on time go to the lower group id, so eviction never depends on hash order.
      const bool older = it->second.last_used_seconds < oldest ||
                         (it->second.last_used_seconds == oldest && victim != prefixes_.end() &&
                          it->first < victim->first);
      if (it->second.references == 0 && older) {
        oldest = it->second.last_used_seconds;
        victim = it;
      }
    }
    if (victim == prefixes_.end()) {
      return;
    }
    free_blocks_ += victim->second.blocks;
    evictable_blocks_ -= victim->second.blocks;
    prefixes_.erase(victim);
  }
}

}  // namespace scoville::scheduler
