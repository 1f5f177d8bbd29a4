#!/usr/bin/python3
"""A stand-in for `codex app-server` that the gateway tests start (they cannot install Codex).

It speaks the app-server's JSON-RPC over stdio as gateway-cli.md section 7.2 describes: one JSON object per
line, no "jsonrpc" member; initialize, thread/start, thread/resume, turn/start, turn/interrupt; item and turn
notifications; approval requests the client must answer. What a turn does depends on a word in the prompt:

  TOOLS     reasoning, a command run, a file change, an MCP call, a web search, then streamed text
  APPROVE   asks to run a command and reports the decision it got
  CRASH     streams part of a reply, complains on stderr and exits with code 3
  FAIL      reports a final error and a failed turn
  SLEEP     streams a little, then waits until the turn is interrupted
  STUBBORN  streams a little, then ignores turn/interrupt
  (other)   answers "thread=<id> turn=<n>", n counting the thread's turns across restarts

Usage: fake_codex.py app-server. The folder "state" beside the script keeps the threads and a log of what happened.
"""
import json
import os
import sys
import threading
import time

state = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state")
os.makedirs(state, exist_ok=True)
write_lock = threading.Lock()
answers = {}
interrupts = {}
next_id = [0]


def log(text):
    with open(os.path.join(state, "log"), "a") as f:
        f.write(text + "\n")


def send(message):
    with write_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def notify(method, params):
    send({"method": method, "params": params})


def threads():
    path = os.path.join(state, "threads.json")
    return json.load(open(path)) if os.path.exists(path) else {}


def save_threads(known):
    json.dump(known, open(os.path.join(state, "threads.json"), "w"))


def ask(method, params):
    next_id[0] += 1
    request_id = "srv-%d" % next_id[0]
    event = threading.Event()
    answers[request_id] = [event, None]
    send({"id": request_id, "method": method, "params": params})
    event.wait(120)
    return answers.pop(request_id)[1]


def delta(thread, turn, item, text):
    notify("item/agentMessage/delta", {"threadId": thread, "turnId": turn, "itemId": item, "delta": text})


def complete(thread, turn, status="completed", error=None):
    notify("turn/completed", {"threadId": thread, "turn": {"id": turn, "status": status, "items": [], "error": error}})


def run_turn(thread, turn, prompt):
    known = threads()
    known[thread] = known.get(thread, 0) + 1
    save_threads(known)
    count = known[thread]
    notify("turn/started", {"threadId": thread, "turn": {"id": turn, "status": "inProgress", "items": []}})
    if "TOOLS" in prompt:
        notify("item/reasoning/summaryTextDelta", {"threadId": thread, "turnId": turn, "itemId": "rs_1", "delta": "planning"})
        command = {"type": "commandExecution", "id": "cmd_1", "command": "ls -a", "cwd": "/w", "status": "inProgress"}
        notify("item/started", {"threadId": thread, "turnId": turn, "item": command})
        done = dict(command, status="completed", aggregatedOutput="file.txt\n", exitCode=0)
        notify("item/completed", {"threadId": thread, "turnId": turn, "item": done})
        change = {"type": "fileChange", "id": "fc_1", "status": "inProgress",
                  "changes": [{"path": "notes.md", "kind": {"type": "add"}, "diff": "+hi"}]}
        notify("item/started", {"threadId": thread, "turnId": turn, "item": change})
        notify("item/completed", {"threadId": thread, "turnId": turn, "item": dict(change, status="completed")})
        mcp = {"type": "mcpToolCall", "id": "mcp_1", "server": "docs", "tool": "lookup", "arguments": {"q": "x"},
               "status": "completed"}
        notify("item/completed", {"threadId": thread, "turnId": turn, "item": mcp})
        notify("item/completed", {"threadId": thread, "turnId": turn,
                                  "item": {"type": "webSearch", "id": "ws_1", "query": "codex docs"}})
        delta(thread, turn, "msg_1", "Hello ")
        delta(thread, turn, "msg_1", "world")
        notify("item/completed", {"threadId": thread, "turnId": turn,
                                  "item": {"type": "agentMessage", "id": "msg_1", "text": "Hello world"}})
        notify("item/completed", {"threadId": thread, "turnId": turn,
                                  "item": {"type": "agentMessage", "id": "msg_2", "text": "Done."}})
        complete(thread, turn)
    elif "APPROVE" in prompt:
        answer = ask("item/commandExecution/requestApproval", {
            "threadId": thread, "turnId": turn, "itemId": "cmd_9", "command": "rm -rf build", "cwd": "/w",
            "reason": "clean the build", "commandActions": [{"type": "unknown", "command": "rm -rf build"}]})
        decision = (answer or {}).get("decision")
        log("decision %s" % decision)
        if decision == "cancel":
            complete(thread, turn, "interrupted")
        else:
            delta(thread, turn, "msg_1", "decision=%s" % decision)
            complete(thread, turn)
    elif "CRASH" in prompt:
        delta(thread, turn, "msg_1", "partial answer")
        time.sleep(0.2)
        sys.stderr.write("fatal: model connection lost\n")
        sys.stderr.flush()
        os._exit(3)
    elif "FAIL" in prompt:
        notify("error", {"threadId": thread, "turnId": turn, "willRetry": True, "error": {"message": "retrying"}})
        notify("error", {"threadId": thread, "turnId": turn, "willRetry": False, "error": {"message": "quota exceeded"}})
        complete(thread, turn, "failed", {"message": "quota exceeded"})
    elif "SLEEP" in prompt or "STUBBORN" in prompt:
        flag = threading.Event()
        if "SLEEP" in prompt:
            interrupts[turn] = flag
        delta(thread, turn, "msg_1", "working")
        if flag.wait(300):
            log("interrupted %s" % turn)
            complete(thread, turn, "interrupted")
    else:
        delta(thread, turn, "msg_1", "thread=%s turn=%d" % (thread, count))
        complete(thread, turn)


def main():
    log("pid %d" % os.getpid())
    turns = [0]
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        method = message.get("method")
        params = message.get("params") or {}
        if method is None:
            entry = answers.get(message.get("id"))
            if entry is not None:
                entry[1] = message.get("result")
                entry[0].set()
            continue
        log("method %s" % method)
        if "id" not in message:
            continue
        reply = {"id": message["id"]}
        if method == "initialize":
            reply["result"] = {"userAgent": "fake-codex/0.0"}
        elif method == "thread/start":
            known = threads()
            thread = "thr_%d_%d" % (os.getpid(), len(known) + 1)
            known[thread] = 0
            save_threads(known)
            log("approvalPolicy %s" % params.get("approvalPolicy"))
            reply["result"] = {"thread": {"id": thread}, "model": "fake"}
        elif method == "thread/resume":
            if params.get("threadId") in threads():
                reply["result"] = {"thread": {"id": params["threadId"]}, "model": "fake"}
            else:
                reply["error"] = {"code": -32600, "message": "thread not found"}
        elif method == "turn/start":
            turns[0] += 1
            turn = "turn_%d" % turns[0]
            reply["result"] = {"turn": {"id": turn, "status": "inProgress", "items": []}}
            send(reply)
            prompt = "".join(part.get("text", "") for part in params.get("input", []))
            threading.Thread(target=run_turn, args=(params["threadId"], turn, prompt), daemon=True).start()
            continue
        elif method == "turn/interrupt":
            log("interrupt %s" % params.get("turnId"))
            flag = interrupts.pop(params.get("turnId"), None)
            if flag is not None:
                flag.set()
            reply["result"] = {}
        else:
            reply["error"] = {"code": -32601, "message": "unknown method " + method}
        send(reply)
    log("stdin closed")


main()
