"""Holds connections whose two ends are both on this host, in three processes, for lsof's -E
and +E: the parent listens, a forked client connects to it (TCP over IPv4 and IPv6, a UDP pair
connected both ways, a UNIX stream connection, a second UNIX client left unaccepted, two UNIX
datagram sockets connected to the parent's bound one, which is connected to neither, and a
second IPv4 connection whose client has shut its sending side: FIN_WAIT2 against CLOSE_WAIT),
the parent accepts and opens a UNIX socket pair, and a second fork then holds copies of all of
the parent's descriptors. Prints {"parent", "client", "copy", "tcp_port", "unix_path"} as
one JSON line, then holds everything until stdin closes.

argv[1]: the path the UNIX listener binds."""
import json
import os
import socket
import sys


def main():
    unix_path = sys.argv[1]
    tcp4 = socket.socket()
    tcp4.bind(("127.0.0.1", 0))
    tcp4.listen()
    tcp6 = socket.socket(socket.AF_INET6)
    tcp6.bind(("::1", 0))
    tcp6.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    unix.listen()
    datagrams = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    datagrams.bind(unix_path + ".dgram")
    ready_read, ready_write = os.pipe()
    client = os.fork()
    if client == 0:
        os.close(ready_read)
        held = [socket.create_connection(tcp4.getsockname()), socket.create_connection(tcp6.getsockname()[:2])]
        half_closed = socket.create_connection(tcp4.getsockname())
        half_closed.shutdown(socket.SHUT_WR)
        held.append(half_closed)
        for _ in range(2):
            sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sender.connect(unix_path + ".dgram")
            held.append(sender)
        peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        peer.bind(("127.0.0.1", 0))
        peer.connect(udp.getsockname())
        held.append(peer)
        for _ in range(2):  # the second stays in the listener's queue
            unix_client = socket.socket(socket.AF_UNIX)
            unix_client.connect(unix_path)
            held.append(unix_client)
        os.write(ready_write, json.dumps(peer.getsockname()).encode())
        sys.stdin.read()
        os._exit(0)
    os.close(ready_write)
    udp.connect(tuple(json.loads(os.read(ready_read, 200))))
    held = [tcp4.accept()[0], tcp6.accept()[0], tcp4.accept()[0], unix.accept()[0]] + list(socket.socketpair())
    copy = os.fork()
    if copy == 0:
        sys.stdin.read()
        os._exit(0)
    print(json.dumps({"parent": os.getpid(), "client": client, "copy": copy, "tcp_port": tcp4.getsockname()[1],
                      "unix_path": unix_path}), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
