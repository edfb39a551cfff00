/// The small Python program that runs llama.cpp's server (from the `xllamacpp` wheel) for Quire.
///
/// Quire starts it as `<venv>/bin/python3 -I -c <source> --quire-local-server --model … --alias …`.
/// It:
/// - sends llama.cpp's log (and anything else printed) to its stderr, which Quire points at a log file;
/// - starts the server on the given host and port (0: a free one), waits until `GET /health` answers
///   200, then writes one JSON line to its original stdout — `{"event": "ready", "address": …, "pid": …}`
///   or `{"event": "error", "message": …}` — and closes it;
/// - exits as soon as its stdin reaches end-of-file: Quire holds the only write end of that pipe, so
///   when Quire exits for any reason (even `kill -9`) the kernel closes it and the server goes too.
///   No orphan survives its command.
/// - with `--detach` (for `quire local start`), starts a new session, and stops watching stdin once
///   Quire writes the line `detach` — after it has recorded the server in `.quire/`, so a server is
///   never left running unrecorded.
///
/// Prompt caching is off: a cached prefix changes how the prompt is batched and so, slightly, the
/// arithmetic, which would make answers depend on the requests that came before. Without it, the same
/// request at temperature 0 (or with a seed) gives the same answer whatever ran earlier.
enum LocalServerScript {
    /// The marker argument that identifies the process as a Quire-managed server (checked in
    /// `/proc/<pid>/cmdline` before a recorded PID is trusted).
    static let marker = "--quire-local-server"

    static let source = #"""
        import json, os, sys, threading, time, urllib.request

        def main():
            import argparse
            parser = argparse.ArgumentParser(prog="quire-local-server")
            parser.add_argument("--quire-local-server", action="store_true")
            parser.add_argument("--model", required=True)
            parser.add_argument("--alias", required=True)
            parser.add_argument("--host", default="127.0.0.1")
            parser.add_argument("--port", type=int, default=0)
            parser.add_argument("--threads", type=int, default=0)
            parser.add_argument("--context", type=int, default=0)
            parser.add_argument("--parallel", type=int, default=1)
            parser.add_argument("--health-timeout", type=float, default=60.0)
            parser.add_argument("--detach", action="store_true")
            args = parser.parse_args()

            # Close descriptors inherited by accident: the server keeps only stdin, stdout and stderr.
            try:
                inherited = [int(name) for name in os.listdir("/proc/self/fd")]
            except OSError:
                inherited = range(3, 256)
            for fd in inherited:
                if fd > 2:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            if args.detach:
                os.setsid()
            # Keep the original stdout for the one ready line; everything else goes to the log (stderr).
            ready = os.fdopen(os.dup(1), "w")
            os.dup2(2, 1)
            sys.stdout = sys.stderr

            def report(event):
                ready.write(json.dumps(event) + "\n")
                ready.flush()
                ready.close()

            def watch():
                received = b""
                try:
                    while True:
                        chunk = os.read(0, 4096)
                        if not chunk:
                            break
                        received += chunk
                        if args.detach and b"detach\n" in received:
                            return
                except OSError:
                    pass
                os._exit(0)
            threading.Thread(target=watch, daemon=True).start()

            try:
                import xllamacpp
            except Exception as error:
                report({"event": "error", "message": "cannot import xllamacpp: %s" % error})
                return 3

            params = xllamacpp.CommonParams()
            params.model.path = args.model
            params.model_alias = {args.alias}  # a set of strings: a plain string would become a set of characters
            params.hostnames = [args.host]
            params.port = args.port
            params.n_parallel = args.parallel
            if args.context > 0:
                params.n_ctx = args.context
            if args.threads > 0:
                params.cpuparams.n_threads = args.threads
                params.cpuparams_batch.n_threads = args.threads
            for name, value in (("cache_prompt", False), ("cache_idle_slots", False), ("warmup", False), ("endpoint_metrics", True)):
                if hasattr(params, name):
                    setattr(params, name, value)

            try:
                server = xllamacpp.Server(params)
                address = server.listening_address
            except Exception as error:
                report({"event": "error", "message": str(error)})
                return 4

            deadline = time.monotonic() + args.health_timeout
            while True:
                try:
                    with urllib.request.urlopen(address + "/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except Exception:
                    pass
                if time.monotonic() > deadline:
                    report({"event": "error", "message": "the server did not become healthy within %g s" % args.health_timeout})
                    return 5
                time.sleep(0.05)

            report({"event": "ready", "address": address, "pid": os.getpid()})
            print("quire-local-server: ready at %s" % address, flush=True)
            while True:
                time.sleep(3600)

        sys.exit(main())
        """#
}
