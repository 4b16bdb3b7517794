"""A process that holds sockets for the explain oracle and does real binds, connects and
sends on command: one JSON object per line in, one per line out. Run it as another uid
(setpriv) or in another namespace (ip netns exec) to own sockets there.

Every wait has a deadline; errors come back as errno names, never as exceptions.
"""
import errno
import json
import os
import select
import socket
import sys
import time

IPV6_FREEBIND = 78
IPV6_TRANSPARENT = 75
IP_TRANSPARENT = 19
IP_FREEBIND = 15
SO_REUSEPORT = getattr(socket, "SO_REUSEPORT", 15)

sockets = {}
next_id = iter(range(1, 1 << 30))


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def sockaddr(address, port, scope=None):
    if ":" in address:
        return (address, port, 0, socket.if_nametoindex(scope) if scope else 0)
    return (address, port)


def error_name(error):
    return errno.errorcode.get(error.errno, str(error.errno)) if isinstance(error, OSError) and error.errno else "EUNKNOWN"


def new_socket(family, kind, options):
    s = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    try:
        if options.get("reuseaddr"):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if options.get("reuseport"):
            s.setsockopt(socket.SOL_SOCKET, SO_REUSEPORT, 1)
        if family == socket.AF_INET6 and options.get("v6only") is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if options["v6only"] else 0)
        if options.get("device"):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, options["device"].encode())
        if options.get("freebind"):
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
            else:
                s.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        if options.get("transparent"):
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_TRANSPARENT, 1)
            else:
                s.setsockopt(socket.IPPROTO_IP, IP_TRANSPARENT, 1)
    except OSError:
        s.close()
        raise
    return s


def keep(s):
    key = next(next_id)
    sockets[key] = s
    return key


def inode_of(s):
    return os.fstat(s.fileno()).st_ino


def bind(request):
    """socket + options + bind (+ listen, + UDP connect): {"id", "inode"} or {"errno", "stage"}."""
    family = family_of(request["address"])
    try:
        s = new_socket(family, request["kind"], request.get("options", {}))
    except OSError as error:
        return {"errno": error_name(error), "stage": "setsockopt"}
    try:
        s.bind(sockaddr(request["address"], request["port"], request.get("scope")))
    except OSError as error:
        s.close()
        return {"errno": error_name(error), "stage": "bind"}
    if request.get("listen"):
        try:
            s.listen(64)
        except OSError as error:
            s.close()
            return {"errno": error_name(error), "stage": "listen"}
    if request.get("connect"):
        target = request["connect"]
        try:
            s.connect(sockaddr(target["address"], target["port"], target.get("scope")))
        except OSError as error:
            s.close()
            return {"errno": error_name(error), "stage": "connect"}
    return {"id": keep(s), "inode": inode_of(s), "port": s.getsockname()[1]}


def wait_for_tcp_state(port, state_hex, deadline=2.0):
    """Polls /proc/self/net/tcp{,6} until a socket on port is in the state (06 = TIME_WAIT)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if int(fields[1].split(":")[1], 16) == port and fields[3] == state_hex:
                        return True
        time.sleep(0.005)
    return False


def time_wait(request):
    """A server-side TIME_WAIT on address:port left by a listener with the given options:
    listen, accept one connection, close the accepted side first, then the listener."""
    family = family_of(request["address"])
    try:
        server = new_socket(family, "tcp", request.get("options", {}))
        server.bind(sockaddr(request["address"], request["port"], request.get("scope")))
        server.listen(4)
        client = socket.socket(family, socket.SOCK_STREAM)
        target = request.get("connect_to", request["address"])
        client.settimeout(2)
        client.connect(sockaddr(target, request["port"], request.get("scope")))
        server.settimeout(2)  # another, better matching listener may take the connection
        accepted, _ = server.accept()
    except OSError as error:
        return {"errno": error_name(error)}
    accepted.close()
    time.sleep(0.002)
    client.close()
    server.close()
    if not wait_for_tcp_state(request["port"], "06"):
        return {"errno": "ETIME"}
    return {"ok": True}


def client_time_wait(request):
    """A client-side TIME_WAIT on address:port: a client bound there with the given options
    connects to a listener on another port and closes first."""
    family = family_of(request["address"])
    try:
        server = socket.socket(family, socket.SOCK_STREAM)
        server.bind(sockaddr(request["connect_to"], 0))
        server.listen(4)
        client = new_socket(family, "tcp", request.get("options", {}))
        client.bind(sockaddr(request["address"], request["port"]))
        client.settimeout(2)
        client.connect(server.getsockname()[:2] if family == socket.AF_INET else server.getsockname())
        server.settimeout(2)
        accepted, _ = server.accept()
    except OSError as error:
        return {"errno": error_name(error)}
    client.close()
    time.sleep(0.002)
    accepted.close()
    server.close()
    if not wait_for_tcp_state(request["port"], "06"):
        return {"errno": "ETIME"}
    return {"ok": True}


def established(request):
    """An accepted connection on address:port whose listener is closed again: {"id", "inode"}."""
    family = family_of(request["address"])
    try:
        server = new_socket(family, "tcp", request.get("options", {}))
        server.bind(sockaddr(request["address"], request["port"], request.get("scope")))
        server.listen(4)
        client = socket.socket(family, socket.SOCK_STREAM)
        client.settimeout(2)
        client.connect(sockaddr(request.get("connect_to", request["address"]), request["port"], request.get("scope")))
        server.settimeout(2)
        accepted, _ = server.accept()
    except OSError as error:
        return {"errno": error_name(error)}
    server.close()
    keep(client)
    return {"id": keep(accepted), "inode": inode_of(accepted)}


def tcp_probe(request):
    """connect() with a deadline: "connected", an errno name, or "timeout"."""
    family = family_of(request["address"])
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        if request.get("source"):
            s.bind(sockaddr(request["source"]["address"], request["source"]["port"], request.get("scope")))
        s.setblocking(False)
        code = s.connect_ex(sockaddr(request["address"], request["port"], request.get("scope")))
        if code not in (0, errno.EINPROGRESS):
            return {"result": errno.errorcode.get(code, str(code))}
        _, writable, _ = select.select([], [s], [], request.get("timeout", 2.0))
        if not writable:
            return {"result": "timeout"}
        code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        return {"result": "connected" if code == 0 else errno.errorcode.get(code, str(code))}
    except OSError as error:
        return {"result": error_name(error)}
    finally:
        s.close()


def udp_send(request):
    """A connected UDP socket sends one datagram; it stays open so an ICMP error can be read."""
    family = family_of(request["address"])
    s = socket.socket(family, socket.SOCK_DGRAM)
    try:
        if request.get("source"):
            s.bind(sockaddr(request["source"]["address"], request["source"]["port"], request.get("scope")))
        s.connect(sockaddr(request["address"], request["port"], request.get("scope")))
        s.send(b"oracle")
    except OSError as error:
        s.close()
        return {"errno": error_name(error)}
    return {"id": keep(s)}


def udp_error(request):
    """Waits up to timeout for the sender's ICMP error: an errno name or "none"."""
    s = sockets[request["id"]]
    readable, _, _ = select.select([s], [], [], request.get("timeout", 1.0))
    if not readable:
        return {"result": "none"}
    try:
        s.recv(64, socket.MSG_DONTWAIT)
        return {"result": "data"}
    except OSError as error:
        return {"result": error_name(error)}


def receivers(request):
    """Which of the ids have something to take (a connection or a datagram), waiting up to
    timeout for the first; each one found is drained."""
    candidates = {key: sockets[key] for key in request["ids"] if key in sockets}
    readable, _, _ = select.select(list(candidates.values()), [], [], request.get("timeout", 1.0))
    if readable:
        time.sleep(0.002)  # a second receiver would be a bug worth seeing
        readable, _, _ = select.select(list(candidates.values()), [], [], 0)
    found = []
    for key, s in candidates.items():
        if s in readable:
            found.append(key)
            try:
                if s.type == socket.SOCK_STREAM:
                    s.setblocking(False)
                    child, _ = s.accept()
                    child.close()
                else:
                    s.recv(64, socket.MSG_DONTWAIT)
            except OSError:
                pass
    return {"ids": found}


def close(request):
    sockets.pop(request["id"]).close()
    return {"ok": True}


def close_all(_):
    for s in sockets.values():
        s.close()
    sockets.clear()
    return {"ok": True}


OPERATIONS = {"bind": bind, "time_wait": time_wait, "client_time_wait": client_time_wait, "established": established, "tcp_probe": tcp_probe,
              "udp_send": udp_send, "udp_error": udp_error, "receivers": receivers, "close": close, "close_all": close_all,
              "ping": lambda _: {"pid": os.getpid(), "uid": os.getuid()}}


def main():
    for line in sys.stdin:
        request = json.loads(line)
        answer = OPERATIONS[request["op"]](request)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
