"""Idle connections for the memory scenario.

  hold.py serve PORT COUNT_FILE      accepts and keeps connections; writes how many are open
  hold.py connect HOST PORT N        opens N connections and keeps them until killed

Neither side sends a byte: the connections stay idle, so what a proxy on the path holds per
connection is its per-connection state, not buffered data.
"""

import os
import resource
import selectors
import signal
import socket
import sys
import time


def raise_fd_limit():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def write_count(path, n):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(n))
    os.replace(tmp, path)


def serve(port, count_file):
    raise_fd_limit()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(4096)
    listener.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    open_count, written = 0, -1
    while True:
        for key, _ in sel.select(timeout=0.2):
            if key.fileobj is listener:
                while True:
                    try:
                        conn, _ = listener.accept()
                    except BlockingIOError:
                        break
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ)
                    open_count += 1
            else:
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
                    open_count -= 1
        if open_count != written:
            write_count(count_file, open_count)
            written = open_count


def connect(host, port, n):
    raise_fd_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    held = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=30)
        held.append(s)
    print(f"{len(held)} connections open", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        connect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
