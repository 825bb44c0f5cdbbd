"""A stand-in for the served app in the HTTP tests of ``rapport serve``: it speaks Textual's web
driver protocol (what textual-serve's AppService expects) without Textual, so a test starts one in
milliseconds. It writes what happened to the log file named by its argument:

``started`` first, ``stdin <text>`` for typed data, ``meta <type>`` for other meta packets, and
``quit`` when told to quit (then it says "exit" and ends). It echoes typed data back.

Run as ``python tests/serve_stub_app.py LOG [SECONDS]``: with SECONDS, it takes that long to quit
(as an app saving a large session would): it logs ``quitting`` as it starts, ``quit`` at the end.
"""

import json
import os
import sys
import time


def packet(kind: bytes, payload: bytes) -> None:
    os.write(1, kind + len(payload).to_bytes(4, "big") + payload)


def main() -> None:
    log = open(sys.argv[1], "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as we do
    log.write(f"started {os.environ.get('COLUMNS')}x{os.environ.get('ROWS')}\n")
    os.write(1, b"__GANGLION__\n")
    packet(b"D", b"stub app: ready for input\r\n")
    buffer = b""
    while True:
        chunk = os.read(0, 4096)
        if not chunk:
            log.write("stdin closed\n")
            return
        buffer += chunk
        while len(buffer) >= 5:
            size = int.from_bytes(buffer[1:5], "big")
            if len(buffer) < 5 + size:
                break
            kind, payload, buffer = buffer[:1], buffer[5:5 + size], buffer[5 + size:]
            if kind == b"D":
                log.write(f"stdin {payload.decode()}\n")
                packet(b"D", b"echo: " + payload)
            else:
                meta = json.loads(payload)
                if meta["type"] == "quit":
                    if len(sys.argv) > 2 and float(sys.argv[2]):
                        log.write("quitting\n")
                        time.sleep(float(sys.argv[2]))
                    log.write("quit\n")
                    packet(b"M", json.dumps({"type": "exit"}).encode())
                    return
                log.write(f"meta {meta['type']}\n")


if __name__ == "__main__":
    main()
