#!/usr/bin/env python3
"""Router speed and memory benchmark: Scoville next to nginx as a reverse proxy.

Starts, on 127.0.0.1, a fast backend (nginx answering every chat completion with the same
canned SSE stream), nginx as a baseline reverse proxy in front of it, and `scoville serve`
in front of the same backend, both proxies with the same number of workers. Then measures:

  1. throughput: requests/s and latency p50/p90/p99 at 64 connections under wrk, the two
     proxies run alternately (A/B/A/B); target: Scoville at least 0.8x nginx's requests/s;
  2. added latency: p99 at one connection through each proxy minus p99 straight to the
     backend, everything on one core, the lowest p99 of each path over the rounds; target:
     Scoville adds under 1 ms;
  3. many slow streams: 10,000 streams held open through Scoville (as many as the file
     descriptor limit allows, if fewer), then the router's VmRSS and VmHWM; target: < 200 MB;
  4. soak: steady load, the router's RSS sampled along the way; target: no growth after
     warmup (last/first at most 1.05).

    python3 bench/proxy_bench.py [--binary build/scoville] [--workers 1] [--soak-seconds 300]

Needs nginx and wrk (Debian: apt-get install -y nginx-light wrk). It reports rather than
tests: every target is printed with PASS or FAIL and the exit status is 0.
"""
import argparse
import asyncio
import ctypes
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MODEL = "bench-model"
CONTENT_EVENTS = 10
REQUEST_BODY = (
    '{"model":"' + MODEL + '","stream":true,"stream_options":{"include_usage":true},'
    '"max_tokens":' + str(CONTENT_EVENTS) + ','
    '"messages":[{"role":"user","content":"Count to ten, one word a line."}]}'
)
MB = 1_000_000

THROUGHPUT_TARGET_RATIO = 0.8
ADDED_P99_TARGET_MS = 1.0
STREAMS_RSS_TARGET_MB = 200.0
SOAK_GROWTH_TARGET_RATIO = 1.05


# --- the canned backend ---------------------------------------------------------------------

def content_event(index, finish_reason="null"):
    """One OpenAI chat.completion.chunk event carrying one token of content."""
    return ('data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,'
            '"model":"' + MODEL + '","choices":[{"index":0,"delta":{"content":"word'
            + str(index) + ' "},"finish_reason":' + finish_reason + '}]}\n\n')


def canned_stream(content_events):
    """A whole streamed answer: content events, the usage chunk, then [DONE]."""
    events = [content_event(i) for i in range(content_events - 1)]
    events.append(content_event(content_events - 1, '"stop"'))
    events.append('data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,'
                  '"model":"' + MODEL + '","choices":[],"usage":{"prompt_tokens":12,'
                  '"completion_tokens":' + str(content_events) + ',"total_tokens":'
                  + str(12 + content_events) + '}}\n\n')
    events.append("data: [DONE]\n\n")
    return "".join(events)


def nginx_string(text):
    """Text as an nginx single-quoted string; nginx turns the \\n escapes back into newlines."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def nginx_return(text):
    """Directives answering 200 with `text`. nginx takes at most 4 KiB in one string, so a
    longer text is set in pieces and returned as their concatenation."""
    pieces = [text[i:i + 3000] for i in range(0, len(text), 3000)]
    if len(pieces) == 1:
        return f"return 200 {nginx_string(text)};"
    settings = " ".join(f"set $piece{i} {nginx_string(piece)};" for i, piece in enumerate(pieces))
    return settings + ' return 200 "' + "".join(f"$piece{i}" for i in range(len(pieces))) + '";'


def backend_server(port, stream_text, bytes_per_second=0):
    """An nginx server block that answers chat completions with `stream_text`, and
    GET /v1/models (the router's health check). With `bytes_per_second`, nginx paces the
    answer to that rate, which turns it into a slow stream."""
    pace = f"limit_rate {bytes_per_second};" if bytes_per_second else ""
    models = '{"object":"list","data":[{"id":"' + MODEL + '","object":"model"}]}'
    return f"""
    server {{
      listen 127.0.0.1:{port} backlog=4096;
      location = /v1/chat/completions {{
        default_type text/event-stream;
        {pace}
        {nginx_return(stream_text)}
      }}
      location = /v1/models {{
        default_type application/json;
        {nginx_return(models)}
      }}
      location / {{ return 404; }}
    }}"""


def proxy_server(port, backend_port, connections):
    """An nginx server block that proxies everything to the backend as one would for SSE:
    HTTP/1.1 with a keep-alive pool to the backend and no response buffering."""
    return f"""
    upstream backend {{
      server 127.0.0.1:{backend_port};
      keepalive {connections};
      keepalive_requests 1000000;
    }}
    server {{
      listen 127.0.0.1:{port} backlog=4096;
      location / {{
        proxy_pass http://backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffering off;
      }}
    }}"""


def nginx_config(work_dir, name, workers, server_block, max_connections):
    """A whole nginx.conf that keeps every file of the instance under work_dir/name."""
    root = os.path.join(work_dir, name)
    # A proxy holds two descriptors a connection; none may ask past the hard limit.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    descriptors = min(hard, max_connections * 2 + 64)
    os.makedirs(os.path.join(root, "temp"), exist_ok=True)
    temp_paths = "\n".join(f"  {kind}_temp_path {root}/temp/{kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = f"""daemon off;
master_process on;
worker_processes {workers};
worker_rlimit_nofile {descriptors};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections {descriptors - 32}; }}
http {{
  access_log off;
{temp_paths}
  keepalive_requests 1000000;
  keepalive_timeout 300s;
{server_block}
}}
"""
    path = os.path.join(root, "nginx.conf")
    with open(path, "w") as out:
        out.write(text)
    return root, path


# --- processes ------------------------------------------------------------------------------

def free_port():
    """A port nothing listens on now (nginx takes its ports from its config, not port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, log_path, seconds=10.0):
    """Waits until something accepts on the port, or fails if the process died first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_path) as log:
                last_lines = " | ".join(log.read().strip().splitlines()[-3:])
            raise RuntimeError(f"{' '.join(process.args)} exited with {process.returncode}: "
                               f"{last_lines}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds:.0f} s")


_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _child_setup():
    """Runs in each child before exec: it dies with this script even if the script is
    killed outright, and gets every file descriptor the hard limit allows."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Children:
    """Every process the benchmark starts, so that all of them are stopped however it ends."""

    def __init__(self):
        self.processes = []

    def start(self, command, cpus=None, **kwargs):
        if cpus:
            command = ["taskset", "-c", cpus] + command
        # A session of their own keeps Ctrl-C from reaching the children first; the script
        # stops them itself, in order.
        process = subprocess.Popen(command, preexec_fn=_child_setup, start_new_session=True,
                                   **kwargs)
        self.processes.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self):
        for process in reversed(list(self.processes)):
            self.stop(process)


def start_nginx(children, work_dir, name, workers, server_block, port, cpus, max_connections):
    root, config = nginx_config(work_dir, name, workers, server_block, max_connections)
    with open(os.path.join(root, "stderr.log"), "w") as err:
        process = children.start(["nginx", "-p", root, "-c", config, "-e",
                                  os.path.join(root, "error.log")],
                                 cpus=cpus, stdout=subprocess.DEVNULL, stderr=err)
    wait_for_port(port, process, os.path.join(root, "error.log"))
    return process


def start_scoville(children, binary, backend_port, workers, cpus, work_dir, name):
    """Starts `scoville serve` on a free port; returns the process, its port and admin port."""
    command = [binary, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
               "--upstream", f"http://127.0.0.1:{backend_port},model={MODEL}",
               "--workers", str(workers), "--access-log", ""]
    log_path = os.path.join(work_dir, name + ".stderr.log")
    with open(log_path, "w") as err:
        process = children.start(command, cpus=cpus, stdout=subprocess.PIPE, stderr=err,
                                 text=True)
    line = process.stdout.readline()
    found = re.search(r"listening on http://[^:]+:(\d+) \(admin http://[^:]+:(\d+)\)", line)
    if not found:
        process.wait(timeout=10)
        with open(log_path) as log:
            raise RuntimeError(f"scoville serve did not start: {line.strip()} {log.read().strip()}")
    # Whatever else it prints must not fill the pipe and stall the router.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    port, admin_port = int(found.group(1)), int(found.group(2))
    wait_for_port(port, process, log_path)
    return process, port, admin_port


# --- /proc ----------------------------------------------------------------------------------

CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_tree(pid):
    """The pid and its direct children (nginx's workers under its master)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def cpu_seconds(pids):
    """User plus system CPU time the processes (all their threads) have used so far."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return ticks / CLOCK_TICKS_PER_SECOND


def memory_kib(pid):
    """VmRSS and VmHWM (peak RSS) of the process, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Pinned:
    """Moves every thread of the processes onto the cores for a `with` block, then back."""

    def __init__(self, pids, cpus):
        self.pids = pids if cpus else []
        self.cpus = cpus
        self.saved = {}

    def __enter__(self):
        for pid in self.pids:
            for tid in map(int, os.listdir(f"/proc/{pid}/task")):
                self.saved[tid] = os.sched_getaffinity(tid)
                os.sched_setaffinity(tid, self.cpus)
        return self

    def __exit__(self, *_):
        for tid, cpus in self.saved.items():
            try:
                os.sched_setaffinity(tid, cpus)
            except OSError:
                continue  # the thread is gone


# --- checks ---------------------------------------------------------------------------------

def post_chat(port):
    """One streamed chat completion; returns the status and the whole body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/v1/chat/completions", body=REQUEST_BODY,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, body
    finally:
        connection.close()


def check_stream(name, port):
    """Fails unless the endpoint answers with the whole canned stream: content, usage, [DONE]."""
    status, body = post_chat(port)
    contents = body.count('"delta":{"content"')
    if status != 200 or contents != CONTENT_EVENTS or '"usage"' not in body or \
            not body.rstrip().endswith("data: [DONE]"):
        raise RuntimeError(f"{name} did not relay the canned stream: HTTP {status}, "
                           f"{contents} content events, body starts {body[:200]!r}")


def router_outcomes(admin_port):
    """Requests the router finished, by outcome, from its /metrics."""
    connection = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    outcomes = {}
    for line in text.splitlines():
        if line.startswith("scoville_router_requests_total{"):
            outcome = re.search(r'outcome="([^"]*)"', line).group(1)
            status = re.search(r'status="([^"]*)"', line).group(1)
            key = f"{outcome} ({status})"
            outcomes[key] = outcomes.get(key, 0) + int(float(line.rsplit(" ", 1)[1]))
    return outcomes


# --- load with wrk --------------------------------------------------------------------------

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%s]]

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%%d duration_us=%%d p50_us=%%.0f p90_us=%%.0f p99_us=%%.0f " ..
    "max_us=%%.0f connect=%%d read=%%d write=%%d status=%%d timeout=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


class Load:
    """Runs wrk against one port, the proxy's CPU time measured around the run."""

    def __init__(self, children, work_dir, cpus):
        self.children = children
        self.cpus = cpus
        self.script = os.path.join(work_dir, "chat.lua")
        with open(self.script, "w") as out:
            out.write(WRK_SCRIPT % REQUEST_BODY)

    def start(self, port, connections, seconds, cpus=None):
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                   "-s", self.script, f"http://127.0.0.1:{port}/v1/chat/completions"]
        return self.children.start(command, cpus=cpus or self.cpus, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)

    def finish(self, process):
        output, _ = process.communicate()
        self.children.stop(process)
        found = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
        if not found:
            raise RuntimeError(f"wrk failed: {output.strip()}")
        result = {key: int(value) for key, value in
                  (pair.split("=") for pair in found.group(1).split())}
        seconds = result["duration_us"] / 1e6
        errors = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
        return {"rps": result["requests"] / seconds, "requests": result["requests"],
                "seconds": seconds, "p50_ms": result["p50_us"] / 1e3,
                "p90_ms": result["p90_us"] / 1e3, "p99_ms": result["p99_us"] / 1e3,
                "errors": errors}

    def run(self, port, connections, seconds, measured_pids=(), cpus=None):
        cpu_before = cpu_seconds(measured_pids)
        result = self.finish(self.start(port, connections, seconds, cpus))
        result["cpu_seconds"] = cpu_seconds(measured_pids) - cpu_before
        return result


# --- phases ---------------------------------------------------------------------------------

def throughput_phase(load, proxies, args):
    """A/B rounds at --connections; returns mean requests/s per proxy and the ratio."""
    print(f"\n== Throughput: {args.connections} connections, {args.seconds} s a run, "
          f"{args.rounds} rounds, proxies alternating ==")
    for port, _ in proxies.values():
        load.run(port, args.connections, 2)  # warm the pools and caches; not measured
    print(f"{'round':>5}  {'proxy':<9}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
          f"{'proxy CPU':>11}{'req/CPU-s':>11}{'errors':>8}")
    runs = {name: [] for name in proxies}
    for round_number in range(1, args.rounds + 1):
        for name, (port, pids) in proxies.items():
            r = load.run(port, args.connections, args.seconds, pids)
            runs[name].append(r)
            cpu_share = r["cpu_seconds"] / r["seconds"]
            per_cpu = r["requests"] / r["cpu_seconds"] if r["cpu_seconds"] > 0 else 0.0
            print(f"{round_number:>5}  {name:<9}{r['rps']:>10,.0f}{r['p50_ms']:>9.2f}"
                  f"{r['p90_ms']:>9.2f}{r['p99_ms']:>9.2f}{cpu_share:>10.0%} {per_cpu:>10,.0f}"
                  f"{r['errors']:>8}")
    means = {}
    for name, results in runs.items():
        means[name] = {key: statistics.mean(r[key] for r in results)
                       for key in ("rps", "p50_ms", "p90_ms", "p99_ms")}
        means[name]["per_cpu"] = (sum(r["requests"] for r in results) /
                                  max(1e-9, sum(r["cpu_seconds"] for r in results)))
        means[name]["errors"] = sum(r["errors"] for r in results)
    for name, m in means.items():
        print(f"{'mean':>5}  {name:<9}{m['rps']:>10,.0f}{m['p50_ms']:>9.2f}{m['p90_ms']:>9.2f}"
              f"{m['p99_ms']:>9.2f}{'':>11}{m['per_cpu']:>11,.0f}{m['errors']:>8}")
    ratio = means["scoville"]["rps"] / means["nginx"]["rps"]
    cpu_ratio = means["scoville"]["per_cpu"] / means["nginx"]["per_cpu"]
    print(f"Scoville / nginx: {ratio:.2f}x requests/s, {cpu_ratio:.2f}x requests per CPU-second")
    return ratio, cpu_ratio, means


def latency_phase(load, targets, pids, args):
    """One connection, each target in turn for --latency-rounds rounds; returns the p99 each
    proxy adds to the direct path, in ms."""
    # With one request at a time there is nothing to run in parallel, and a proxy on a core
    # of its own would sleep between requests: waking an idle virtual CPU costs milliseconds
    # at p90 here, a cost the direct path never pays. So everything shares one core.
    core = args.load_cpus.split(",")[0] if args.load_cpus else None
    placement = f", everything on core {core}" if core else ""
    print(f"\n== Added latency: 1 connection, {args.latency_seconds} s a run, "
          f"{args.latency_rounds} rounds{placement} ==")
    with Pinned(pids, {int(core)} if core else None):
        return measure_latency(load, targets, args, core)


def measure_latency(load, targets, args, core):
    print(f"{'round':>5}  {'path':<9}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    runs = {name: [] for name in targets}
    for round_number in range(1, args.latency_rounds + 1):
        for name, port in targets.items():
            r = load.run(port, 1, args.latency_seconds, cpus=core)
            runs[name].append(r)
            print(f"{round_number:>5}  {name:<9}{r['rps']:>10,.0f}{r['p50_ms']:>9.3f}"
                  f"{r['p90_ms']:>9.3f}{r['p99_ms']:>9.3f}")

    # Other processes on the machine only ever add to a percentile, so each path's lowest
    # over the rounds is the one least disturbed.
    best = {name: {key: min(r[key] for r in results) for key in ("p50_ms", "p99_ms")}
            for name, results in runs.items()}
    added = {}
    for name in targets:
        if name == "direct":
            continue
        added[name] = best[name]["p99_ms"] - best["direct"]["p99_ms"]
        print(f"{name}: adds {best[name]['p50_ms'] - best['direct']['p50_ms']:.3f} ms at p50, "
              f"{added[name]:.3f} ms at p99 (lowest of each path over the rounds)")
    return added


async def hold_streams(port, count, connect_batch, ready_seconds, hold_seconds, measure):
    """Opens `count` streamed chat completions through the port and waits until each has
    delivered its first event (or `ready_seconds` passed), keeps them streaming for
    `hold_seconds` more, then calls `measure()` and closes them all. Returns the counts of
    streams streaming, failed and ended early, and what measure() returned."""
    request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(REQUEST_BODY)}\r\n\r\n"
               f"{REQUEST_BODY}").encode()
    connecting = asyncio.Semaphore(connect_batch)
    stop = asyncio.Event()
    state = {"streaming": 0, "failed": 0, "ended": 0, "first_error": ""}
    all_settled = asyncio.Event()

    def settle(kind, error=""):
        state[kind] += 1
        if error and not state["first_error"]:
            state["first_error"] = error
        if state["streaming"] + state["failed"] >= count:
            all_settled.set()

    async def one_stream():
        writer = None
        try:
            # Connecting in batches keeps the router's accept backlog from overflowing.
            async with connecting:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(request)
                await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                return settle("failed", head.split(b"\r\n", 1)[0].decode())
            seen = b""
            while b"data: {" not in seen:
                piece = await reader.read(4096)
                if not piece:
                    return settle("failed", "the stream ended before its first event")
                seen = seen[-8:] + piece
            settle("streaming")
            while not stop.is_set():
                piece = await reader.read(65536)
                if not piece:
                    state["ended"] += 1
                    return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            settle("failed", f"{type(error).__name__}: {error}")
        finally:
            if writer is not None:
                writer.close()

    tasks = [asyncio.create_task(one_stream()) for _ in range(count)]
    try:
        await asyncio.wait_for(all_settled.wait(), ready_seconds)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(hold_seconds)
    measured = measure()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return state, measured


def raise_descriptor_limit(wanted):
    """Raises the hard RLIMIT_NOFILE to `wanted` where the user may (root may, up to the
    kernel's fs.nr_open); children started afterwards inherit it. Otherwise leaves it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard >= wanted:
        return
    try:
        with open("/proc/sys/fs/nr_open") as limit:
            wanted = min(wanted, int(limit.read()))
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
    except (OSError, ValueError):
        pass  # not allowed: the phase holds as many streams as the limit fits, and says so


def streams_phase(children, args, work_dir):
    """Many slow streams held open through a fresh router; returns what was measured."""
    # This script holds one descriptor a stream, the router two (client and backend side).
    raise_descriptor_limit(2 * args.streams + 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    event_bytes = len(content_event(0))
    stream_text = canned_stream(args.slow_stream_seconds)
    backend_port = free_port()
    backend = start_nginx(children, work_dir, "slow-backend", 1,
                          backend_server(backend_port, stream_text, bytes_per_second=event_bytes),
                          backend_port, args.load_cpus, args.streams)
    router, port, _ = start_scoville(children, args.binary, backend_port, args.workers,
                                     args.proxy_cpus, work_dir, "scoville-streams")
    # What the hard limit leaves after the router's start-up descriptors bounds the count.
    router_fds = open_fds(router.pid)
    fitting = (hard - router_fds - 16) // 2
    client_fitting = hard - 64
    count = min(args.streams, fitting, client_fitting)
    note = "" if count == args.streams else (
        f" (the {hard}-descriptor hard limit fits {count}: 2 a stream + {router_fds} the router "
        f"holds at start)")
    print(f"\n== Slow streams: {count:,} concurrent streams through Scoville{note}; each "
          f"~1 event/s from nginx limit_rate, {args.slow_stream_seconds} s long ==")
    rss_before, _ = memory_kib(router.pid)

    def measure():
        rss, hwm = memory_kib(router.pid)
        return {"rss_kib": rss, "hwm_kib": hwm, "fds": open_fds(router.pid)}

    started = time.monotonic()
    state, measured = asyncio.run(hold_streams(port, count, 200, args.slow_stream_seconds * 0.6,
                                               5.0, measure))
    elapsed = time.monotonic() - started
    _, hwm_after = memory_kib(router.pid)
    children.stop(router)
    children.stop(backend)
    print(f"streaming {state['streaming']:,} of {count:,} (failed {state['failed']:,}, ended "
          f"early {state['ended']:,}) after {elapsed:.1f} s; router held {measured['fds']:,} fds")
    if state["first_error"]:
        print(f"first failure: {state['first_error']}")
    print(f"router RSS at start {rss_before * 1024 / MB:.1f} MB; with the streams open VmRSS "
          f"{measured['rss_kib'] * 1024 / MB:.1f} MB, VmHWM {measured['hwm_kib'] * 1024 / MB:.1f} "
          f"MB; VmHWM after closing {hwm_after * 1024 / MB:.1f} MB; "
          f"{(measured['rss_kib'] - rss_before) * 1024 / max(1, state['streaming']):,.0f} bytes "
          f"a stream")
    return {"count": count, "requested": args.streams, "hard_limit": hard, **state, **measured,
            "hwm_after_kib": hwm_after}


def soak_phase(load, router, port, args):
    """Steady load on the router for --soak-seconds, its RSS sampled every few seconds."""
    warmup_seconds = min(30.0, args.soak_seconds / 5)
    print(f"\n== Soak: {args.connections} connections for {args.soak_seconds} s, RSS every "
          f"{args.soak_sample_seconds} s, the first {warmup_seconds:.0f} s warmup ==")
    samples = [(0.0, memory_kib(router.pid)[0])]
    started = time.monotonic()
    process = load.start(port, args.connections, args.soak_seconds)
    while process.poll() is None:
        time.sleep(args.soak_sample_seconds)
        if process.poll() is None:
            samples.append((time.monotonic() - started, memory_kib(router.pid)[0]))
    result = load.finish(process)
    after_warmup = [kib for at, kib in samples if at >= warmup_seconds] or [samples[-1][1]]
    first, last = after_warmup[0], after_warmup[-1]
    peak = max(kib for _, kib in samples)
    print("RSS MB: " + " ".join(f"{kib * 1024 / MB:.1f}" for _, kib in samples))
    print(f"{result['requests']:,} requests at {result['rps']:,.0f}/s, {result['errors']} errors;"
          f" RSS after warmup first {first * 1024 / MB:.1f} MB, last {last * 1024 / MB:.1f} MB, "
          f"max {peak * 1024 / MB:.1f} MB; growth last/first {last / first:.3f}")
    return {"first_kib": first, "last_kib": last, "max_kib": peak, "growth": last / first,
            "requests": result["requests"], "errors": result["errors"]}


# --- the run --------------------------------------------------------------------------------

def check_tools():
    missing = [tool for tool in ("nginx", "wrk", "taskset") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"missing: {', '.join(missing)}. On Debian or Ubuntu: "
                 "sudo apt-get install -y nginx-light wrk util-linux")


def choose_cpus(args):
    """Proxies on the last allowed core, wrk and the backend on the others, so the proxy
    measured never shares its core with the load it is measured under."""
    allowed = sorted(os.sched_getaffinity(0))
    if args.no_pin or len(allowed) < 2:
        args.proxy_cpus = args.load_cpus = None
        return "no pinning" + (" (one core)" if len(allowed) < 2 else "")
    if args.proxy_cpus is None:
        args.proxy_cpus = str(allowed[-1])
    if args.load_cpus is None:
        args.load_cpus = ",".join(str(cpu) for cpu in allowed
                                  if str(cpu) not in args.proxy_cpus.split(","))
    return (f"both proxies pinned to core(s) {args.proxy_cpus}, wrk and the backends to "
            f"core(s) {args.load_cpus}")


def verdict(passed):
    return "PASS" if passed else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join("build", "scoville"))
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes of nginx and worker threads of Scoville (1)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10, help="length of a throughput run")
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds (2)")
    parser.add_argument("--latency-seconds", type=int, default=10)
    parser.add_argument("--latency-rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--slow-stream-seconds", type=int, default=90,
                        help="length of each slow stream, at about one event a second (90)")
    parser.add_argument("--soak-seconds", type=int, default=300)
    parser.add_argument("--soak-sample-seconds", type=float, default=5.0)
    parser.add_argument("--proxy-cpus", help="cores for the proxies (default: the last one)")
    parser.add_argument("--load-cpus", help="cores for wrk and the backend (default: the rest)")
    parser.add_argument("--no-pin", action="store_true", help="leave placement to the kernel")
    parser.add_argument("--phases", default="throughput,latency,streams,soak",
                        help="comma-separated subset of throughput,latency,streams,soak")
    args = parser.parse_args()
    phases = set(args.phases.split(","))

    check_tools()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no scoville binary at {args.binary}; build it or pass --binary")
    # SIGTERM ends the run the way Ctrl-C does, through the cleanup below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    placement = choose_cpus(args)
    print(f"{args.workers} worker(s) for each proxy; {placement}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    children = Children()
    work_dir = tempfile.mkdtemp(prefix="scoville-proxy-bench-")
    # nginx's workers drop root privileges, yet must reach their temp directories.
    os.chmod(work_dir, 0o755)
    rows = []
    try:
        backend_port, proxy_port = free_port(), free_port()
        backend = start_nginx(children, work_dir, "backend", 1,
                              backend_server(backend_port, canned_stream(CONTENT_EVENTS)),
                              backend_port, args.load_cpus, args.connections)
        nginx = start_nginx(children, work_dir, "proxy", args.workers,
                            proxy_server(proxy_port, backend_port, args.connections),
                            proxy_port, args.proxy_cpus, args.connections)
        router, router_port, admin_port = start_scoville(
            children, args.binary, backend_port, args.workers, args.proxy_cpus, work_dir,
            "scoville")
        for name, port in (("backend", backend_port), ("nginx", proxy_port),
                           ("scoville", router_port)):
            check_stream(name, port)
        load = Load(children, work_dir, args.load_cpus)

        if "throughput" in phases:
            proxies = {"nginx": (proxy_port, process_tree(nginx.pid)),
                       "scoville": (router_port, [router.pid])}
            ratio, cpu_ratio, means = throughput_phase(load, proxies, args)
            rows.append((f"throughput Scoville/nginx >= {THROUGHPUT_TARGET_RATIO}x",
                         f"{ratio:.2f}x ({means['scoville']['rps']:,.0f} vs "
                         f"{means['nginx']['rps']:,.0f} req/s; per CPU-s {cpu_ratio:.2f}x)",
                         verdict(ratio >= THROUGHPUT_TARGET_RATIO)))
            errors = means["scoville"]["errors"] + means["nginx"]["errors"]
            rows.append(("no errors under load", f"{errors} wrk errors", verdict(errors == 0)))

        if "latency" in phases:
            added = latency_phase(load, {"direct": backend_port, "nginx": proxy_port,
                                         "scoville": router_port},
                                  process_tree(backend.pid) + process_tree(nginx.pid) +
                                  [router.pid], args)
            rows.append((f"Scoville added p99 < {ADDED_P99_TARGET_MS:g} ms",
                         f"{added['scoville']:.3f} ms (nginx {added['nginx']:.3f} ms)",
                         verdict(added["scoville"] < ADDED_P99_TARGET_MS)))

        if "streams" in phases:
            streams = streams_phase(children, args, work_dir)
            all_open = streams["streaming"] == streams["count"] and streams["ended"] == 0
            limited = "" if streams["count"] == streams["requested"] else (
                f", the most the {streams['hard_limit']}-descriptor limit fits")
            rows.append((f"{streams['requested']:,} concurrent streams held",
                         f"{streams['streaming']:,} of {streams['count']:,}{limited}",
                         verdict(all_open)))
            hwm_mb = streams["hwm_kib"] * 1024 / MB
            rows.append((f"router memory with the streams < {STREAMS_RSS_TARGET_MB:g} MB",
                         f"VmHWM {hwm_mb:.1f} MB, VmRSS {streams['rss_kib'] * 1024 / MB:.1f} MB",
                         verdict(hwm_mb < STREAMS_RSS_TARGET_MB)))

        if "soak" in phases:
            soak = soak_phase(load, router, router_port, args)
            rows.append((f"soak RSS growth <= {SOAK_GROWTH_TARGET_RATIO}x ({args.soak_seconds} s)",
                         f"{soak['growth']:.3f}x ({soak['first_kib'] * 1024 / MB:.1f} -> "
                         f"{soak['last_kib'] * 1024 / MB:.1f} MB, max "
                         f"{soak['max_kib'] * 1024 / MB:.1f} MB, {soak['requests']:,} requests)",
                         verdict(soak["growth"] <= SOAK_GROWTH_TARGET_RATIO)))

        # The router's own count of how its requests ended: anything but "ok" means a stream
        # was cut, retried or refused, which wrk (it only checks the status) would not see.
        outcomes = router_outcomes(admin_port)
        print("\nScoville's requests by outcome: " +
              ", ".join(f"{key} {value:,}" for key, value in sorted(outcomes.items())))
        # wrk hangs up at the end of each run with requests still in flight; the router
        # rightly records those as the client's (499), so they are counted but not failed.
        hung_up = outcomes.get("client_closed (499)", 0)
        not_ok = sum(value for key, value in outcomes.items()
                     if key not in ("ok (200)", "client_closed (499)"))
        rows.append(("every request through Scoville ended ok",
                     f"{sum(outcomes.values()) - not_ok - hung_up:,} ok, {not_ok:,} otherwise, "
                     f"{hung_up:,} cut by wrk hanging up at the end of a run",
                     verdict(not_ok == 0)))
    except RuntimeError as error:
        rows.append(("benchmark ran to the end", str(error), "FAIL"))
    except KeyboardInterrupt:
        rows.append(("benchmark ran to the end", "interrupted; every process it started is "
                     "stopped", "FAIL"))
    finally:
        children.stop_all()
        shutil.rmtree(work_dir, ignore_errors=True)

    width = max([len(r[0]) for r in rows] + [6])
    print("\n== Summary ==")
    for target, measured, result in rows:
        print(f"{result}  {target:<{width}}  {measured}")


if __name__ == "__main__":
    main()
