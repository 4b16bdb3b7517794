"""The socket options nc's flags set (-T, -M, -m, -I, -O, -D, -b) as the kernel holds them,
read from the live socket of each implementation (pidfd_getfd) and compared."""
import ctypes
import os
import socket
import subprocess

import pytest

from harness import SOCKSCOPE, peer_binary, wait_for, wait_for_port
from test_nc_compat import Nc

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture
IPV6_MINHOPCOUNT = 73
IP_MINTTL = 21

libc = ctypes.CDLL(None, use_errno=True)


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def connected_socket_of(pid):
    """A duplicate of the one connected TCP socket process pid holds (None until it has one)."""
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir(f"/proc/{pid}/fd"):
            try:
                if not os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    continue
            except FileNotFoundError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "pidfd_getfd")
            duplicate = socket.socket(fileno=fd)
            try:
                duplicate.getpeername()
                return duplicate
            except OSError:
                duplicate.close()  # the listener, or not connected yet
    finally:
        os.close(pidfd)
    return None


def options_of(sock):
    v6 = sock.family == socket.AF_INET6
    get = sock.getsockopt
    return {
        "tos": get(socket.IPPROTO_IPV6, socket.IPV6_TCLASS) if v6 else get(socket.IPPROTO_IP, socket.IP_TOS),
        "ttl": get(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS) if v6 else get(socket.IPPROTO_IP, socket.IP_TTL),
        "minttl": get(socket.IPPROTO_IPV6, IPV6_MINHOPCOUNT) if v6 else get(socket.IPPROTO_IP, IP_MINTTL),
        "rcvbuf": get(socket.SOL_SOCKET, socket.SO_RCVBUF),
        "sndbuf": get(socket.SOL_SOCKET, socket.SO_SNDBUF),
        "debug": get(socket.SOL_SOCKET, socket.SO_DEBUG),
        "broadcast": get(socket.SOL_SOCKET, socket.SO_BROADCAST),
    }


def client_options(netns, nc, args, family, address):
    with socket.socket(family) as listener:
        listener.bind((address, 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = nc.spawn(netns, args + [address, str(port)])
        try:
            accepted, _ = listener.accept()
            with accepted, wait_for(lambda: connected_socket_of(client.pid), what="nc's connected socket") as held:
                return options_of(held)
        finally:
            client.stop()


def listener_options(netns, nc, args, family, address):
    """The options of the socket a listener accepted (it inherits them from the listener)."""
    server = nc.spawn(netns, ["-l"] + args + [address, "0"], stdin=subprocess.DEVNULL)
    try:
        port = wait_for_port(server)
        with socket.create_connection((address, port), timeout=5):
            with wait_for(lambda: connected_socket_of(server.pid), what="nc's accepted socket") as held:
                return options_of(held)
    finally:
        server.stop()


OPTION_SETS = [["-T", "lowdelay"], ["-T", "af41"], ["-T", "0x20"], ["-T", "184"],
               ["-M", "7"], ["-m", "9"], ["-I", "8192"], ["-O", "16384"], ["-D"], ["-b"],
               ["-T", "ef", "-M", "3", "-m", "2", "-I", "4096", "-O", "4096", "-D", "-b"]]


@pytest.mark.parametrize("family,address", [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")],
                         ids=["v4", "v6"])
@pytest.mark.parametrize("args", OPTION_SETS, ids=lambda args: " ".join(args))
def test_connecting_socket_carries_the_same_options(netns, ncs, args, family, address):
    seen = {name: client_options(netns, ncs[name], args, family, address) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] != client_options(netns, ncs["peer"], [], family, address)  # the flag did something


def test_lowcost_keyword_is_accepted(netns, ncs):
    """-T lowcost is 0x02, one of the ECN bits, which the kernel keeps for itself on TCP
    sockets: only its acceptance can be compared."""
    seen = {name: ncs[name].run(["-T", "lowcost", "-z", "127.0.0.1", "1"]) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"] == (b"", b"", 1)


@pytest.mark.parametrize("args", [["-T", "af21"], ["-M", "5"], ["-I", "8192"], ["-D"]],
                         ids=lambda args: " ".join(args))
def test_listening_socket_carries_the_same_options(netns, ncs, args):
    seen = {name: listener_options(netns, ncs[name], args, socket.AF_INET, "127.0.0.1") for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] != listener_options(netns, ncs["peer"], [], socket.AF_INET, "127.0.0.1")


@pytest.mark.parametrize("args", [["-M", "0", "127.0.0.1"], ["-zvuM", "0", "127.0.0.1"], ["-lM", "0", "127.0.0.1"],
                                  ["-zvM", "0", "::1"], ["-zvM", "0", "localhost"]], ids=lambda args: " ".join(args))
def test_hop_limit_zero_is_refused_for_ipv4_only(netns, ncs, args):
    """Linux refuses an IPv4 TTL of 0 ("set IP TTL: Invalid argument", in netcat's words) but
    takes an IPv6 hop limit of 0."""
    family = socket.AF_INET6 if "::1" in args else socket.AF_INET
    with socket.socket(family) as listener:
        listener.bind((args[-1] if family == socket.AF_INET6 else "127.0.0.1", 0))
        listener.listen(8)
        port = "0" if args[0].startswith("-l") else str(listener.getsockname()[1])
        seen = {name: ncs[name].run(args + [port]) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][2] == (0 if family == socket.AF_INET6 else 1)
