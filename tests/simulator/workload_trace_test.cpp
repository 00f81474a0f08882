#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "simulator/trace_reader.h"
#include "simulator/workload_spec.h"
#include "tests/simulator/workload_test_support.h"

namespace scoville::simulator {
namespace {

using testing::TempDir;

WorkloadSpec trace_spec(const std::filesystem::path& path) {
  WorkloadSpec spec;
  spec.trace_path = path.string();
  return spec;
}

// The error reading `contents` as the file `name`, or "" when it reads.
std::string trace_error(std::string_view name, std::string_view contents) {
  TempDir dir;
  const std::filesystem::path path = dir.write_file(name, contents);
  const std::string error = testing::source_error(trace_spec(path));
  // Messages start with the path; tests compare what follows the file name.
  const std::string prefix = (path.parent_path() / "").string();
  return error.starts_with(prefix) ? error.substr(prefix.size()) : error;
}

TEST_CASE("a CSV trace in Vidur's format is replayed row by row") {
  TempDir dir;
  const auto path = dir.write_file("trace.csv",
                                   "arrived_at,num_prefill_tokens,num_decode_tokens,note\r\n"
                                   "0,1000,200,\"first, with a comma\"\r\n"
                                   "0.5,30,4,x\r\n"
                                   "\r\n"
                                   "2.25,8192,1,y\r\n");
  const auto requests = testing::generate(trace_spec(path));
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].arrival_seconds == 0.0);
  CHECK(requests[0].input_tokens == 1000);
  CHECK(requests[0].output_tokens == 200);
  CHECK(requests[1].arrival_seconds == 0.5);
  CHECK(requests[2].arrival_seconds == 2.25);
  CHECK(requests[2].input_tokens == 8192);
  CHECK(requests[2].output_tokens == 1);
  CHECK(std::all_of(requests.begin(), requests.end(),
                    [](const WorkloadRequest& r) { return r.class_index == 0; }));
}

TEST_CASE("a CSV trace's compute_class column assigns classes in any column order") {
  TempDir dir;
  const auto path = dir.write_file("classes.csv",
                                   "compute_class,num_decode_tokens,arrived_at,num_prefill_tokens\n"
                                   "low_latency,5,0,10\n"
                                   ",6,1,11\n"
                                   "efficient,7,2,12\n");
  WorkloadSpec spec = trace_spec(path);
  // Rows without a class draw from the mix.
  spec.class_mix = {{"efficient", 1.0}};
  const auto requests = testing::generate(spec);
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].class_index == 2);
  CHECK(requests[1].class_index == 1);
  CHECK(requests[2].class_index == 1);
  CHECK(requests[1].input_tokens == 11);
  CHECK(requests[1].output_tokens == 6);
}

TEST_CASE("a JSONL trace is read with the canonical keys or their aliases") {
  TempDir dir;
  const auto path =
      dir.write_file("trace.jsonl",
                     "{\"arrived_at\": 0, \"num_prefill_tokens\": 100, "
                     "\"num_decode_tokens\": 10, \"user\": \"a\"}\n"
                     "\n"
                     "{\"arrived_at\": 1.5, \"input_tokens\": 200, \"output_tokens\": 20, "
                     "\"compute_class\": \"low_latency\"}\n"
                     "{\"arrived_at\": 2, \"input_tokens\": 300, \"output_tokens\": 30, "
                     "\"compute_class\": null}\n");
  const auto requests = testing::generate(trace_spec(path));
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].input_tokens == 100);
  CHECK(requests[1].arrival_seconds == 1.5);
  CHECK(requests[1].input_tokens == 200);
  CHECK(requests[1].output_tokens == 20);
  CHECK(requests[1].class_index == 2);
  CHECK(requests[2].class_index == 0);
}

TEST_CASE("a .json trace may be JSON lines or one array") {
  TempDir dir;
  const auto lines = dir.write_file(
      "lines.json", "{\"arrived_at\": 0, \"input_tokens\": 5, \"output_tokens\": 6}\n");
  CHECK(testing::generate(trace_spec(lines)).size() == 1);
  const auto array =
      dir.write_file("array.json",
                     "[{\"arrived_at\": 0, \"input_tokens\": 5, \"output_tokens\": 6},\n"
                     " {\"arrived_at\": 1, \"input_tokens\": 7, \"output_tokens\": 8}]\n");
  const auto requests = testing::generate(trace_spec(array));
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].input_tokens == 7);
  CHECK(
      trace_error("bad.json", "[{\"arrived_at\": 0, \"input_tokens\": 0, \"output_tokens\": 1}]") ==
      "bad.json: element 0: input_tokens must be >= 1, got 0");
}

TEST_CASE("a trace stops at the request count or the duration and moves to t = 0 offline") {
  TempDir dir;
  std::string text = "arrived_at,num_prefill_tokens,num_decode_tokens\n";
  for (int i = 0; i < 100; ++i) {
    text += std::to_string(i) + ",10,10\n";
  }
  // Rows past the limits are not even checked.
  text += "1,bad,10\n";
  const auto path = dir.write_file("long.csv", text);

  WorkloadSpec spec = trace_spec(path);
  spec.requests = 10;
  CHECK(testing::generate(spec).size() == 10);

  spec.requests.reset();
  spec.duration_seconds = 49.5;
  const auto requests = testing::generate(spec);
  CHECK(requests.size() == 50);
  CHECK(requests.back().arrival_seconds == 49.0);

  spec.duration_seconds.reset();
  spec.offline = true;
  spec.requests = 100;
  const auto offline = testing::generate(spec);
  CHECK(offline.size() == 100);
  CHECK(std::all_of(offline.begin(), offline.end(),
                    [](const WorkloadRequest& r) { return r.arrival_seconds == 0.0; }));
}

TEST_CASE("prefix groups apply to trace rows too") {
  TempDir dir;
  std::string text = "arrived_at,num_prefill_tokens,num_decode_tokens\n";
  for (int i = 0; i < 1000; ++i) {
    text += "0,1000,10\n";
  }
  WorkloadSpec spec = trace_spec(dir.write_file("prefix.csv", text));
  spec.prefix_groups = {{.share = 1.0, .prefix_tokens = 400, .groups = 3}};
  for (const WorkloadRequest& request : testing::generate(spec)) {
    CHECK(request.prefix_group >= 0);
    CHECK(request.prefix_group < 3);
    CHECK(request.prefix_tokens == 400);
  }
}

constexpr std::string_view kHeader = "arrived_at,num_prefill_tokens,num_decode_tokens\n";

std::string csv(std::string_view rows) { return std::string(kHeader) + std::string(rows); }

TEST_CASE("a bad CSV trace is reported with its file and line") {
  CHECK(trace_error("trace.csv", csv("0,10,10\n1,-5,10\n")) ==
        "trace.csv:3: num_prefill_tokens must be >= 1, got -5");
  CHECK(trace_error("trace.csv", csv("0,10,0\n")) ==
        "trace.csv:2: num_decode_tokens must be >= 1, got 0");
  CHECK(trace_error("trace.csv", csv("0,10.5,10\n")) ==
        "trace.csv:2: num_prefill_tokens must be a whole number of tokens, got 10.5");
  CHECK(trace_error("trace.csv", csv("0,ten,10\n")) ==
        "trace.csv:2: num_prefill_tokens must be a number, got \"ten\"");
  CHECK(trace_error("trace.csv", csv("0,,10\n")) ==
        "trace.csv:2: num_prefill_tokens must be a number, got \"\"");
  CHECK(trace_error("trace.csv", csv("-1,10,10\n")) ==
        "trace.csv:2: arrived_at must be >= 0, got -1");
  CHECK(trace_error("trace.csv", csv("0,1,1\n4,10,10\n3.5,10,10\n")) ==
        "trace.csv:4: arrived_at goes backwards: 3.5 after 4; rows must be in arrival order");
  CHECK(trace_error("trace.csv", csv("0,10\n")) == "trace.csv:2: has 2 fields, the header has 3");
  CHECK(trace_error("trace.csv", csv("0,10,10,\"open\n")) == "trace.csv:2: unterminated quote");
}

TEST_CASE("a CSV header without a required column names it") {
  CHECK(trace_error("trace.csv", "arrived_at,num_prefill_tokens,num_decode_token\n0,1,1\n") ==
        "trace.csv:1: missing column \"num_decode_tokens\" (is \"num_decode_token\" a typo?)");
  CHECK(trace_error("trace.csv", "time,prompt,output\n0,1,1\n") ==
        "trace.csv:1: missing column \"arrived_at\"; the header has time, prompt, output");
  CHECK(
      trace_error("trace.csv", "arrived_at,num_prefill_tokens,input_tokens,num_decode_tokens\n") ==
      "trace.csv:1: columns \"num_prefill_tokens\" and \"input_tokens\" both give "
      "num_prefill_tokens");
}

TEST_CASE("an unknown compute_class in a trace gets a suggestion") {
  CHECK(trace_error("trace.csv",
                    "arrived_at,num_prefill_tokens,num_decode_tokens,compute_class\n"
                    "0,1,1,standard\n0,1,1,low_latncy\n") ==
        "trace.csv:3: unknown compute class \"low_latncy\" (did you mean \"low_latency\"?); the "
        "simulation has standard, efficient, low_latency");
}

TEST_CASE("an empty trace is an error") {
  CHECK(trace_error("trace.csv", "") ==
        "trace.csv: is empty; expected a header row with "
        "arrived_at,num_prefill_tokens,num_decode_tokens");
  CHECK(trace_error("trace.csv", kHeader) == "trace.csv: has no requests");
  CHECK(trace_error("trace.jsonl", "\n\n") == "trace.jsonl: has no requests");
}

TEST_CASE("a bad JSONL trace is reported with its file and line") {
  CHECK(trace_error("trace.jsonl",
                    "{\"arrived_at\": 0, \"input_tokens\": 1, \"output_tokens\": 1}\n"
                    "{\"arrived_at\": 1, \"input_tokens\": -5, \"output_tokens\": 1}\n") ==
        "trace.jsonl:2: input_tokens must be >= 1, got -5");
  CHECK(trace_error("trace.jsonl", "{\"arrived_at\": 0, \"input_tokens\": 1}\n") ==
        "trace.jsonl:1: missing \"num_decode_tokens\"");
  CHECK(trace_error("trace.jsonl",
                    "{\"arrived_at\": \"0\", \"input_tokens\": 1, \"output_tokens\": 1}\n") ==
        "trace.jsonl:1: arrived_at must be a number, got a string");
  CHECK(trace_error("trace.jsonl",
                    "{\"arrived_at\": 0, \"input_tokens\": 1, "
                    "\"num_prefill_tokens\": 1, \"output_tokens\": 1}\n") ==
        "trace.jsonl:1: gives both num_prefill_tokens and input_tokens");
  CHECK(trace_error("trace.jsonl", "[1, 2]\n") ==
        "trace.jsonl:1: must be a JSON object, got an array");
  CHECK(trace_error("trace.jsonl",
                    "{\"arrived_at\": 0, \"input_tokens\": 1, \"output_tokens\": 1, "
                    "\"compute_class\": 3}\n") ==
        "trace.jsonl:1: compute_class must be a string, got a number");
  CHECK(
      trace_error("trace.jsonl", "{\"arrived_at\": 0,, }\n")
          .starts_with(
              "trace.jsonl:1: malformed JSON at column 18: syntax error while parsing object key"));
}

TEST_CASE("a trace of an unknown format or a missing file is an error naming it") {
  CHECK(trace_error("trace.txt", csv("0,1,1\n"))
            .ends_with(
                "trace.txt: unknown trace format \".txt\"; expected a .csv, .jsonl or .json file"));
  const std::string missing =
      (std::filesystem::temp_directory_path() / "scoville-no-such-trace.csv").string();
  CHECK(testing::source_error(trace_spec(missing)) ==
        "cannot read " + missing + ": No such file or directory");
}

TEST_CASE("read_trace keeps rows compact and carries class indices") {
  TempDir dir;
  const auto path = dir.write_file("trace.csv",
                                   "arrived_at,num_prefill_tokens,num_decode_tokens,compute_class\n"
                                   "0,1,2,efficient\n0,3,4,\n");
  Result<std::vector<TraceRecord>> records = read_trace(path, testing::test_classes());
  REQUIRE(records.has_value());
  CHECK(sizeof(TraceRecord) == 24);
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].class_index == 1);
  CHECK((*records)[1].class_index == -1);
}

}  // namespace
}  // namespace scoville::simulator
