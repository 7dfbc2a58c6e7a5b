#!/usr/bin/env python3
"""A complete herald subscriber in Python (pyzmq): misses nothing, repeats nothing.

Subscribe first, then replay from where we are through the control socket, then read live
events, dropping seqs we already have. Replay again on a seq gap and whenever a heartbeat
says the daemon is ahead (which also covers a reconnect after a daemon restart). A different
store id means our seq numbers mean nothing there: start over from its first event.

usage: subscriber.py EVENTS_ENDPOINT CONTROL_ENDPOINT [AFTER_SEQ] [--max N]
  AFTER_SEQ  replay the events after this seq first; without it, start at the live end
  --max N    exit after printing N events
"""
import json
import sys

import zmq


def main(argv):
    max_events = None
    if "--max" in argv:
        at = argv.index("--max")
        max_events = int(argv[at + 1])
        del argv[at:at + 2]
    events_endpoint, control_endpoint = argv[0], argv[1]
    last = int(argv[2]) if len(argv) > 2 else None  # None: the live end, learnt below
    store = None
    printed = 0

    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt_string(zmq.SUBSCRIBE, "")  # every event and the heartbeats
    sub.connect(events_endpoint)  # 1. subscribe first, so nothing falls between replay and live

    def control(request, timeout_ms=2000):
        """One request, one reply; None when the daemon does not answer in time."""
        req = context.socket(zmq.REQ)  # a fresh socket each time: a timed-out REQ is stuck
        req.setsockopt(zmq.LINGER, 0)
        req.connect(control_endpoint)
        try:
            req.send_json(request)
            if req.poll(timeout_ms) == 0:
                return None
            return req.recv_json()
        finally:
            req.close()

    def deliver(event):
        nonlocal last, store, printed
        if event["seq"] <= last:
            return  # already handled
        item = event.get("item") or {}
        print(event["seq"], event["kind"], event["feed"]["name"], item.get("title") or "",
              flush=True)
        last, store, printed = event["seq"], event["store"], printed + 1

    def replay():
        """2. Fetch every event after `last`, a page at a time."""
        nonlocal last, store
        while max_events is None or printed < max_events:
            reply = control({"op": "replay", "after": last, "limit": 1000})
            if reply is None:
                return  # daemon away: the next heartbeat brings us back here
            if not reply.get("ok"):
                if "first_seq" not in reply:
                    return
                last = reply["first_seq"] - 1  # retention deleted those: go on from the oldest
                continue
            for event in reply["events"]:
                if store is not None and event["store"] != store:
                    store, last = event["store"], 0  # another store: start over
                    break
                deliver(event)
            else:
                if not reply["events"] or last >= reply["last_seq"]:
                    return

    while last is None:  # the live end: the daemon's last seq when we first reach it
        reply = control({"op": "replay", "after": 0, "limit": 1})
        if reply is not None and reply.get("ok"):
            last = reply["last_seq"]
    replay()
    while max_events is None or printed < max_events:  # 3. live
        if sub.poll(1000) == 0:
            continue
        topic, payload = sub.recv_multipart()
        message = json.loads(payload)
        if store is not None and message["store"] != store:
            store, last = message["store"], 0
            replay()
        elif message["kind"] == "heartbeat":
            if message["last_seq"] > last:
                replay()  # the PUB socket dropped something, or we reconnected
        elif message["seq"] == last + 1:
            deliver(message)
        elif message["seq"] > last + 1:
            replay()  # a gap: the replay brings this event too
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
