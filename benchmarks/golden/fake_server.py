#!/usr/bin/env python3
"""A deterministic OpenAI-compatible chat-completions server on 127.0.0.1, for recording the
benchmark's goldens. Prints its port on stdout, then serves until killed.

Outline requests get a three-item bulleted list; every other request a few sentences derived from
a hash of the messages, so answers differ per case but never between runs.
"""
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(messages):
    last = messages[-1]["content"] if messages else ""
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:8]
    if any("outline short articles" in m["content"] for m in messages):
        return f"- Why it matters ({digest})\n- How it works\n- What to watch for"
    if last.startswith("Suggest one title"):
        return f"A practical guide, part {digest}"
    words = last.split()
    return f"This text answers {len(words)} words of instructions. Reference {digest}. It stays short and plain."


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        content = answer(body.get("messages", []))
        reply = json.dumps({
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "model": body.get("model", "bench-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": len(content.split()), "total_tokens": 10 + len(content.split())},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        reply = json.dumps({"object": "list", "data": [{"id": "bench-model", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
