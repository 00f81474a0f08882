// The router's JSON reading against nlohmann::json, side by side in one run: the chunks of the
// canned stream bench/proxy_bench.py relays, and a streamed chat request body. Each variant
// runs in alternating rounds; the fastest round of each is kept, and the report is the time
// per item and the ratio to the baseline (nlohmann building a document, as a router that
// simply parsed everything would).
//
//   cmake --build build --target scoville_json_scan_bench && build/bench/scoville_json_scan_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "router/completion_body.h"
#include "router/sse_event.h"

namespace {

using scoville::router::OpenAiEventClassifier;

constexpr int kRounds = 7;
constexpr int kItemsPerRound = 300'000;

// The stream proxy_bench.py's backend sends: ten content chunks, the usage chunk, [DONE].
std::vector<std::string> canned_events() {
  std::vector<std::string> events;
  const std::string head =
      R"(data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,)"
      R"("model":"bench-model","choices":[)";
  for (int i = 0; i < 10; ++i) {
    events.push_back(head + R"({"index":0,"delta":{"content":"word)" + std::to_string(i) +
                     R"( "},"finish_reason":)" + (i == 9 ? "\"stop\"" : "null") + "}]}\n\n");
  }
  events.push_back(head + R"(],"usage":{"prompt_tokens":12,"completion_tokens":10,)"
                          R"("total_tokens":22}})"
                          "\n\n");
  events.push_back("data: [DONE]\n\n");
  return events;
}

const std::string kRequestBody =
    R"({"model":"bench-model","stream":true,"stream_options":{"include_usage":true},)"
    R"("max_tokens":10,"messages":[{"role":"system","content":"You are terse."},)"
    R"({"role":"user","content":"Count to ten, one word a line."}]})";

// Nanoseconds per item of the fastest of the rounds `run` was given (it does kItemsPerRound).
struct Variant {
  const char* name;
  std::function<long()> run;
  double best_ns = 1e300;
};

void measure(std::vector<Variant>& variants) {
  long sink = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (Variant& variant : variants) {
      const auto start = std::chrono::steady_clock::now();
      sink += variant.run();
      const auto end = std::chrono::steady_clock::now();
      const double ns = std::chrono::duration<double, std::nano>(end - start).count();
      variant.best_ns = std::min(variant.best_ns, ns / kItemsPerRound);
    }
  }
  if (sink == 42) std::puts("");  // keeps the work from being optimised away
}

void report(const char* title, const std::vector<Variant>& variants) {
  std::printf("%s\n", title);
  for (const Variant& variant : variants) {
    std::printf("  %-44s %8.1f ns  %5.2fx the baseline\n", variant.name, variant.best_ns,
                variant.best_ns / variants.front().best_ns);
  }
}

}  // namespace

int main() {
  const std::vector<std::string> events = canned_events();
  const auto payload = [](const std::string& event) {
    return std::string_view(event).substr(6, event.size() - 8);  // "data: " ... "\n\n"
  };

  std::vector<Variant> chunks = {
      {"nlohmann::json::parse (baseline)",
       [&] {
         long kinds = 0;
         for (int i = 0; i < kItemsPerRound; ++i) {
           const std::string_view text = payload(events[static_cast<std::size_t>(i) % 12]);
           kinds += static_cast<long>(nlohmann::json::parse(text, nullptr, false).size());
         }
         return kinds;
       }},
      {"classify_openai_event",
       [&] {
         long kinds = 0;
         for (int i = 0; i < kItemsPerRound; ++i) {
           kinds += static_cast<long>(
               scoville::router::classify_openai_event(events[static_cast<std::size_t>(i) % 12])
                   .kind);
         }
         return kinds;
       }},
      {"OpenAiEventClassifier (one per stream)",
       [&] {
         long kinds = 0;
         OpenAiEventClassifier classifier;
         for (int i = 0; i < kItemsPerRound; ++i) {
           if (i % 12 == 0) classifier = OpenAiEventClassifier();
           kinds += static_cast<long>(
               classifier.classify(events[static_cast<std::size_t>(i) % 12]).kind);
         }
         return kinds;
       }},
  };
  std::vector<Variant> bodies = {
      {"nlohmann::ordered_json::parse (baseline)",
       [&] {
         long members = 0;
         for (int i = 0; i < kItemsPerRound; ++i) {
           members += static_cast<long>(
               nlohmann::ordered_json::parse(kRequestBody, nullptr, false).size());
         }
         return members;
       }},
      {"scan_completion_body",
       [&] {
         long objects = 0;
         for (int i = 0; i < kItemsPerRound; ++i) {
           objects += scoville::router::scan_completion_body(kRequestBody).is_object ? 1 : 0;
         }
         return objects;
       }},
  };

  measure(chunks);
  measure(bodies);
  report("SSE chunks of the canned stream, per chunk:", chunks);
  report("A streamed chat request body, per body:", bodies);
  return 0;
}
