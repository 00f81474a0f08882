#!/usr/bin/env python3
"""A backend whose bytes are known, for byte-exact tests of `scoville serve`.

Answers a POST whose JSON body has "stream": true with the bytes of --stream-file, sent as a
chunked body in pieces of the sizes --pieces lists (cycled), so that events are cut in the
middle; any other POST gets the bytes of --json-file with a Content-Length. GET /v1/models
lists --model. Every request (method, path, headers in the order received, body) is appended
to --record as one JSON line before it is answered.

Prints "listening on http://127.0.0.1:PORT" as its first line once it accepts connections.
Standard library only.
"""

import argparse
import http.server
import json
import signal
import sys
import threading
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream-file", required=True, help="bytes of the event stream")
    parser.add_argument("--json-file", required=True, help="bytes of a non-streamed reply")
    parser.add_argument("--record", required=True, help="file the requests are appended to")
    parser.add_argument("--model", default="canned", help="model /v1/models lists")
    parser.add_argument("--pieces", default="7,13,1,29,3,64,2",
                        help="sizes of the chunked pieces, in bytes, cycled")
    parser.add_argument("--piece-gap-ms", type=float, default=2.0,
                        help="pause between pieces, so that they leave as separate writes")
    return parser.parse_args()


def make_handler(options, stream_bytes, json_bytes, record_lock):
    piece_sizes = [int(size) for size in options.pieces.split(",")]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            # Quiet: tests read the record file, and stderr is the test runner's.
            pass

        def record(self, body):
            line = {
                "method": self.command,
                "path": self.path,
                "headers": [[name, value] for name, value in self.headers.items()],
                "body": body.decode("utf-8", errors="replace"),
            }
            with record_lock, open(options.record, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

        def send_whole(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()

        def do_GET(self):
            self.record(b"")
            if self.path == "/v1/models":
                models = {"object": "list",
                          "data": [{"id": options.model, "object": "model", "created": 0,
                                    "owned_by": "canned"}]}
                return self.send_whole(200, "application/json", json.dumps(models).encode())
            self.send_whole(404, "application/json", b'{"error":{"message":"no such path"}}')

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            self.record(body)
            try:
                streamed = json.loads(body).get("stream") is True
            except (ValueError, AttributeError):
                streamed = False
            if not streamed:
                return self.send_whole(200, "application/json", json_bytes)

            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            at = 0
            piece = 0
            while at < len(stream_bytes):
                size = piece_sizes[piece % len(piece_sizes)]
                data = stream_bytes[at:at + size]
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
                self.wfile.flush()
                at += size
                piece += 1
                time.sleep(options.piece_gap_ms / 1000.0)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


def main():
    options = parse_args()
    with open(options.stream_file, "rb") as f:
        stream_bytes = f.read()
    with open(options.json_file, "rb") as f:
        json_bytes = f.read()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), make_handler(options, stream_bytes, json_bytes, threading.Lock()))
    server.daemon_threads = True
    # SIGTERM ends the process with status 0, as the test helpers expect of a server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
