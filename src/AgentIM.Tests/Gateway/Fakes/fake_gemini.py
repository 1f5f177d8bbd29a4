#!/usr/bin/python3
"""A stand-in for the `gemini` CLI in headless mode that the gateway tests start (they cannot install it).

It reads the prompt on stdin and prints `--output-format stream-json` events as gateway-cli.md section 7.3 and
the CLI's headless reference describe them: init, message, tool_use, tool_result, error, result, one JSON object
per line. A word in the prompt picks what happens:

  TOOLS   two tool calls (one succeeds, one fails), a warning, then text
  FAIL    an error event and a result with status "error", exit code 1
  CRASH   part of a reply, a complaint on stderr, exit code 2 without a result
  LIMIT   exit code 53 (the CLI's turn limit) without a result
  SLEEP   part of a reply, then sleeps (the test stops it)
  (other) answers "session=<resumed id or new> mode=<approval mode>"

Usage: fake_gemini.py --output-format stream-json --approval-mode MODE [--resume ID]. The folder "state" beside the
script keeps the sessions and a log; a --resume naming a session it does not know fails at once, as the CLI does.
"""
import json
import os
import sys
import time
import uuid

args = sys.argv[1:]


def option(name):
    return args[args.index(name) + 1] if name in args else None


state = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state")
os.makedirs(state, exist_ok=True)
resume = option("--resume")
mode = option("--approval-mode")
sessions_path = os.path.join(state, "sessions")
known = open(sessions_path).read().split() if os.path.exists(sessions_path) else []
with open(os.path.join(state, "log"), "a") as f:
    f.write("pid %d args %s\n" % (os.getpid(), " ".join(args)))
prompt = sys.stdin.read()


def emit(event):
    event.setdefault("timestamp", "2026-12-04T00:00:00.000Z")
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


if option("--output-format") != "stream-json":
    sys.stderr.write("expected --output-format stream-json\n")
    sys.exit(42)
if resume is not None and resume not in known:
    sys.stderr.write("Error resuming session: no session %s\n" % resume)
    sys.exit(1)
session = resume or str(uuid.uuid4())
if session not in known:
    with open(sessions_path, "a") as f:
        f.write(session + "\n")

emit({"type": "init", "session_id": session, "model": "fake-gemini"})
emit({"type": "message", "role": "user", "content": prompt})
if "TOOLS" in prompt:
    emit({"type": "tool_use", "tool_name": "read_file", "tool_id": "t1", "parameters": {"path": "a.txt"}})
    emit({"type": "tool_result", "tool_id": "t1", "status": "success", "output": "contents of a"})
    emit({"type": "tool_use", "tool_name": "run_shell_command", "tool_id": "t2", "parameters": {"command": "make"}})
    emit({"type": "tool_result", "tool_id": "t2", "status": "error",
          "error": {"type": "tool_error", "message": "not allowed"}})
    emit({"type": "error", "severity": "warning", "message": "slow response"})
    emit({"type": "message", "role": "assistant", "content": "All ", "delta": True})
    emit({"type": "message", "role": "assistant", "content": "done", "delta": True})
elif "FAIL" in prompt:
    emit({"type": "error", "severity": "error", "message": "API quota exceeded"})
    emit({"type": "result", "status": "error", "error": {"type": "ApiError", "message": "API quota exceeded"},
          "stats": {"total_tokens": 0}})
    sys.exit(1)
elif "CRASH" in prompt:
    emit({"type": "message", "role": "assistant", "content": "partial", "delta": True})
    sys.stderr.write("gemini: out of memory\n")
    sys.exit(2)
elif "LIMIT" in prompt:
    sys.exit(53)
elif "SLEEP" in prompt:
    emit({"type": "message", "role": "assistant", "content": "working", "delta": True})
    time.sleep(300)
else:
    emit({"type": "message", "role": "assistant", "content": "session=%s mode=%s" % (resume or "new", mode),
          "delta": True})
emit({"type": "result", "status": "success", "stats": {"total_tokens": 12, "input_tokens": 8, "output_tokens": 4,
                                                       "duration_ms": 5, "tool_calls": 0}})
