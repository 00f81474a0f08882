#include <doctest/doctest.h>

#include "scheduler/kv_cache.h"

namespace scoville::scheduler {
namespace {

TEST_CASE("blocks round a token count up to whole blocks") {
  const KvCache kv(100, 16, false);
  CHECK(kv.blocks_for(1) == 1);
  CHECK(kv.blocks_for(16) == 1);
  CHECK(kv.blocks_for(17) == 2);
}

TEST_CASE("an allocation larger than what is free fails and takes nothing") {
  KvCache kv(10, 16, false);
  CHECK(kv.allocate(7, 0.0));
  CHECK_FALSE(kv.allocate(4, 0.0));
  CHECK(kv.free_blocks() == 3);
  kv.release(7);
  CHECK(kv.free_blocks() == 10);
}

TEST_CASE("a cached prefix is shared and evicted only once nobody references it") {
  KvCache kv(10, 16, true);
  REQUIRE(kv.allocate(4, 0.0));
  REQUIRE(kv.adopt_prefix(7, 64, 4, 0.0));
  CHECK(kv.acquire_prefix(7, 100, 1.0) == 64);  // a second sequence shares it
  CHECK(kv.acquire_prefix(8, 100, 1.0) == 0);   // another group misses
  CHECK(kv.prefix_hits() == 1);
  CHECK(kv.prefix_lookups() == 2);

  // Referenced: its blocks cannot be reclaimed.
  CHECK_FALSE(kv.can_allocate(7));
  kv.release_prefix(7);
  kv.release_prefix(7);
  CHECK(kv.evictable_blocks() == 4);
  CHECK(kv.allocate(9, 2.0));
  CHECK(kv.acquire_prefix(7, 100, 3.0) == 0);  // evicted to make room
}

TEST_CASE("a prefix longer than what a request shares is not a hit") {
  KvCache kv(10, 16, true);
  REQUIRE(kv.allocate(4, 0.0));
  REQUIRE(kv.adopt_prefix(1, 64, 4, 0.0));
  CHECK(kv.acquire_prefix(1, 32, 1.0) == 0);
}

}  // namespace
}  // namespace scoville::scheduler
