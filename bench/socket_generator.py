"""Holds N TCP sockets across several processes, for bench/sockets_scale: each process has one
listener and connected pairs to it (both ends count), plus one shared 'target' listener with a
few connections. Prints 'ready PORT' once everything is open, then waits for stdin to close."""
import os
import resource
import socket
import sys


def hold(count):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    held = [listener]
    address = listener.getsockname()
    while len(held) + 2 <= count:
        client = socket.create_connection(address)
        server, _ = listener.accept()
        held += [client, server]
    return held


def main():
    total, processes = int(sys.argv[1]), int(sys.argv[2])
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, total // processes + 1024), hard))
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen(64)
    pairs = [(socket.create_connection(target.getsockname()), target.accept()[0]) for _ in range(4)]
    read_end, write_end = os.pipe()
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            held = hold(total // processes)
            os.write(write_end, b"x")
            sys.stdin.read()
            os._exit(0)
        children.append(pid)
    for _ in children:
        os.read(read_end, 1)
    print(f"ready {target.getsockname()[1]}", flush=True)
    sys.stdin.read()
    for pid in children:
        os.kill(pid, 9)


if __name__ == "__main__":
    main()
