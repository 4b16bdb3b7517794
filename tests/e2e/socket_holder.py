"""Opens the sockets described by its JSON argument, prints what it bound as one JSON line,
then holds them until its stdin closes. Tests start it (under setpriv for other uids) to
have real sockets of known shape owned by a real process.

Each item: {"kind": "tcp-listen"|"tcp-pair"|"udp"|"udplite"|"unix-listen"|"unix-pair"|"tcp-bound",
            "family": 4|6, "address": "...", "port": 0, "reuseaddr": bool, "reuseport": bool,
            "v6only": bool, "device": "en0", "connect": [addr, port], "path": "/tmp/x",
            "dup": bool, "client_family": 4|6}
"client_family" 4 connects a tcp-pair's client over IPv4 (to a dual-stack IPv6 listener).
"dup" holds the item's first socket under a second descriptor too, opened after every item's
own, so that one socket has two owners whose rows are apart in lsof's order."""
import json
import socket
import sys


def make(item):
    kind = item["kind"]
    if kind.startswith("unix"):
        if kind == "unix-pair":
            return list(socket.socketpair()), {}
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        path = item["path"]
        s.bind("\0" + path[1:] if path.startswith("@") else path)
        s.listen()
        return [s], {}
    family = socket.AF_INET6 if item.get("family") == 6 else socket.AF_INET
    datagrams = kind in ("udp", "udplite")
    s = socket.socket(family, socket.SOCK_DGRAM if datagrams else socket.SOCK_STREAM,
                      socket.IPPROTO_UDPLITE if kind == "udplite" else 0)
    if item.get("reuseaddr"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if item.get("reuseport"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if family == socket.AF_INET6 and "v6only" in item:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if item["v6only"] else 0)
    if item.get("device"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, item["device"].encode())
    address = item.get("address", "::" if family == socket.AF_INET6 else "0.0.0.0")
    if family == socket.AF_INET6 and "%" in address:
        host, scope = address.split("%")
        s.bind((host, item.get("port", 0), 0, socket.if_nametoindex(scope)))
    else:
        s.bind((address, item.get("port", 0)))
    held = [s]
    if kind == "tcp-listen" or kind == "tcp-pair":
        s.listen(16)
    if kind == "tcp-pair":
        host = "127.0.0.1" if item.get("client_family") == 4 else s.getsockname()[0]
        client = socket.create_connection((host, s.getsockname()[1]))
        server, _ = s.accept()
        held += [client, server]
    if datagrams and item.get("connect"):
        s.connect(tuple(item["connect"]))
    return held, {"port": s.getsockname()[1]}


def main():
    held, report, duplicated = [], [], []
    for item in json.loads(sys.argv[1]):
        sockets, info = make(item)
        held += sockets
        report.append(info)
        if item.get("dup"):
            duplicated.append(sockets[0])
    held += [s.dup() for s in duplicated]
    print(json.dumps(report), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
