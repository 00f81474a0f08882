#include <doctest/doctest.h>

#include "config/config.h"

namespace scoville::config {
namespace {

const ModelSpec& model(const char* id) {
  static const Config config = *builtin_config();
  const ModelSpec* spec = config.find_model(id);
  REQUIRE(spec != nullptr);
  return *spec;
}

TEST_CASE("parameter counts match the published model sizes") {
  // Published totals: 8.03B, 70.6B, 405.9B, 6.74B, 69.0B parameters.
  CHECK(model("llama-3.1-8b").parameter_count() == doctest::Approx(8.03e9).epsilon(0.005));
  CHECK(model("llama-3.1-70b").parameter_count() == doctest::Approx(70.55e9).epsilon(0.005));
  CHECK(model("llama-3.1-405b").parameter_count() == doctest::Approx(405.85e9).epsilon(0.005));
  CHECK(model("llama-2-7b").parameter_count() == doctest::Approx(6.74e9).epsilon(0.005));
  CHECK(model("llama-2-70b").parameter_count() == doctest::Approx(68.98e9).epsilon(0.005));
}

TEST_CASE("the KV cache of one token counts keys and values of every KV head in every layer") {
  // Llama 3.1 8B: 2 x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131072 bytes.
  CHECK(model("llama-3.1-8b").kv_bytes_per_token(Precision::kBf16) == doctest::Approx(131072));
  CHECK(model("llama-3.1-8b").kv_bytes_per_token(Precision::kFp8) == doctest::Approx(65536));
  // Llama 2 7B has no grouped-query attention: 32 KV heads.
  CHECK(model("llama-2-7b").kv_bytes_per_token(Precision::kBf16) == doctest::Approx(524288));
}

TEST_CASE("weights shrink with the precision they are stored in") {
  const ModelSpec& m = model("llama-3.1-70b");
  CHECK(m.weight_bytes(Precision::kFp8) == doctest::Approx(m.weight_bytes(Precision::kBf16) / 2));
  CHECK(m.weight_bytes(Precision::kFp4) == doctest::Approx(m.weight_bytes(Precision::kBf16) / 4));
}

}  // namespace
}  // namespace scoville::config
