"""nc through SOCKS 4, SOCKS 5 and HTTP CONNECT proxies (-X, -x, -P), against netcat-openbsd.

The same scenario runs with both implementations, each invoked as `nc`, against the same
target and a fresh proxy of the same kind; the test compares what the proxy received, what
the target received, stdout, stderr (proxy ports replaced) and the exit code."""
import os
import pty
import select
import socket
import time

import pytest

from harness import SOCKSCOPE, peer_binary, wait_for
from proxies import Proxy, Target
from test_nc_compat import Nc, normalise


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


@pytest.fixture
def target(netns):
    server = Target()
    yield server
    server.close()


def through_proxy(nc, target, make_proxy, args, data=b"to the target\n"):
    """Runs `nc ARGS` (PROXY and PORT replaced) against a new proxy: everything observable."""
    proxy = make_proxy()
    try:
        filled = [arg.replace("PROXY", f"127.0.0.1:{proxy.port}").replace("PORT", str(target.port)) for arg in args]
        before = len(target.received)
        stdout, stderr, code = nc.run(filled, input=data)
        # The proxy and target threads record asynchronously: wait until they saw the end.
        wait_for(lambda: proxy.settled() and target.settled(), what="the proxy and target to finish")
        return {"stdout": stdout, "stderr": normalise(stderr, [proxy.port]), "code": code,
                "proxy": [bytes(record) for record in proxy.received],
                "target": [bytes(record) for record in target.received[before:]]}
    finally:
        proxy.close()


def compare(ncs, target, make_proxy, args, data=b"to the target\n"):
    seen = {name: through_proxy(ncs[name], target, make_proxy, args, data) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    return seen["ours"]


@pytest.mark.parametrize("protocol", ["5", "4", "connect", "CONNECT", "Connect"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_relay_through_a_proxy(netns, ncs, target, protocol, host):
    """-X takes "connect" in any case, as netcat's strcasecmp does."""
    seen = compare(ncs, target, lambda: Proxy(protocol.lower()),
                   ["-N", "-v", "-X", protocol, "-x", "PROXY", host, "PORT"])
    assert seen["code"] == 0
    assert seen["stdout"] == b"hello from the target\n"
    assert seen["target"] == [b"to the target\n"]
    assert seen["stderr"].startswith(f"Connection to {host} ")


def test_socks5_is_the_default_and_scan_works_through_it(netns, ncs, target):
    seen = compare(ncs, target, lambda: Proxy("5"), ["-zv", "-x", "PROXY", "127.0.0.1", "PORT"])
    assert seen["code"] == 0 and len(seen["proxy"]) == 1


def test_numeric_flag_and_ipv6_literal(netns, ncs, target):
    # The target is IPv4 only, so the proxy is told to refuse: the request bytes are what matter.
    compare(ncs, target, lambda: Proxy("5", answers=[5]), ["-n", "-v", "-x", "PROXY", "::1", "PORT"])
    compare(ncs, target, lambda: Proxy("connect", answers=["HTTP/1.0 502 Bad Gateway"]),
            ["-v", "-X", "connect", "-x", "PROXY", "::1", "PORT"])


@pytest.mark.parametrize("code", [1, 2, 3, 4, 5, 6, 7, 8, 9, 255])
def test_socks5_refusals(netns, ncs, target, code):
    seen = compare(ncs, target, lambda: Proxy("5", answers=[code]), ["-v", "-x", "PROXY", "127.0.0.1", "PORT"])
    assert seen["code"] == 1 and seen["target"] == []


@pytest.mark.parametrize("code", [91, 92, 93, 7])
def test_socks4_refusals(netns, ncs, target, code):
    seen = compare(ncs, target, lambda: Proxy("4", answers=[code]), ["-X", "4", "-x", "PROXY", "127.0.0.1", "PORT"])
    assert seen["code"] == 1 and "SOCKSv4 error" in seen["stderr"]


def test_socks4_resolves_names_itself_ipv4_only(netns, ncs, target):
    seen = compare(ncs, target, lambda: Proxy("4"), ["-X", "4", "-x", "PROXY", "::1", "PORT"])
    assert seen["code"] == 1 and seen["stderr"].startswith('nc: getaddrinfo("::1", ')


@pytest.mark.parametrize("status", ["HTTP/1.0 403 Forbidden", "HTTP/1.1 407 Proxy Authentication Required",
                                    "http/1.1 200 OK", "HTTP/1.1 200", "HTTP/1.1 2000 Odd"])
def test_http_connect_status_lines(netns, ncs, target, status):
    compare(ncs, target, lambda: Proxy("connect", answers=[status]),
            ["-N", "-X", "connect", "-x", "PROXY", "127.0.0.1", "PORT"])


RAW_REPLIES = [
    ("5", b""), ("5", b"\x05"), ("5", b"\x05\x00\x05\x00\x00"), ("5", b"\x05\x00\x05\x00\x00\x03"),
    ("5", b"\x05\x00\x05\x00\x00\x01\x01"), ("5", b"\x05\x00\x05\x00\x00\x04\x01"), ("4", b"\x00\x5a\x00"),
    ("connect", b""), ("connect", b"HTTP/1.0 200 OK\r\n"),
    ("connect", b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 64 + b"\r\n"),
    ("connect", b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 63 + b"\r\nafter the headers"),
    ("connect", b"HTTP/1.1 200 OK" + b"x" * 1100),
    ("connect", b"HTTP/1.1 200 OK\r\n" + b"x" * 1024 + b"\r\n\r\n"),
    ("connect", b"HTTP/1.1 200 OK\r\n" + b"x" * 1023 + b"\r\n\r\nafter a long header"),
]


@pytest.mark.parametrize("protocol,raw", RAW_REPLIES, ids=lambda value: str(value)[:30])
def test_truncated_and_odd_replies(netns, ncs, target, protocol, raw):
    compare(ncs, target, lambda: Proxy(protocol, raw=raw), ["-X", protocol, "-x", "PROXY", "127.0.0.1", "PORT"])


@pytest.mark.parametrize("protocol,default_port", [("5", 1080), ("4", 1080), ("connect", 3128)])
def test_default_proxy_ports(netns, ncs, target, protocol, default_port):
    # The namespace is private, so the well-known port is free to take.
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", default_port))
        # Nothing listens: both must report a refused connection to the default port.
        seen = {name: ncs[name].run(["-v", "-X", protocol, "-x", "127.0.0.1", "127.0.0.1", "9"])
                for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert f"port {default_port} (tcp) failed: Connection refused" in seen["ours"][1].decode()


PROXY_BAD_INPUT = [
    ["-u", "-x", "127.0.0.1", "127.0.0.1", "80"],
    ["-l", "-x", "127.0.0.1", "80"],
    ["-l", "-u", "-x", "127.0.0.1", "80"],
    ["-l", "-x", "127.0.0.1"],
    ["-U", "-x", "127.0.0.1", "/tmp/socket"],
    ["-U", "-x", "127.0.0.1"],
    ["-s", "127.0.0.1", "-x", "127.0.0.1", "127.0.0.1", "80"],
    ["-v", "-x", "[::1", "127.0.0.1", "80"],
    ["-v", "-x", "[::1]x", "127.0.0.1", "80"],
    ["-v", "-x", "[::1]", "127.0.0.1", "80"],
    ["-v", "-x", "[::1]:9", "127.0.0.1", "80"],
    ["-v", "-x", "::1", "127.0.0.1", "80"],
    ["-v", "-n", "-x", "localhost:9", "127.0.0.1", "80"],
    ["-v", "-x", "localhost:9", "127.0.0.1", "80"],
    ["-v", "-x", "127.0.0.1:9", "127.0.0.1", "70000"],
    ["-vz", "-x", "127.0.0.1:9", "127.0.0.1", "80-82"],
    ["-v", "-p", "3000", "-x", "127.0.0.1:9", "127.0.0.1", "80"],
    ["-X", "connect", "127.0.0.1", "80"],
    # Only "connect" ignores case; the digits and anything padded are refused.
    ["-X", "connect ", "-x", "127.0.0.1:9", "127.0.0.1", "80"], ["-X", "05", "-x", "127.0.0.1:9", "127.0.0.1", "80"],
    ["-X", "+4", "-x", "127.0.0.1:9", "127.0.0.1", "80"],
    # An empty proxy (an unset variable in a script) fails; it never means "no proxy".
    ["-N", "-x", "", "127.0.0.1", "9"], ["-v", "-X", "connect", "-x", "", "127.0.0.1", "9"],
]


@pytest.mark.parametrize("args", PROXY_BAD_INPUT, ids=lambda args: " ".join(args)[:40])
def test_proxy_option_errors(netns, ncs, args):
    seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]


def test_407_without_a_terminal_cannot_ask_for_the_password(netns, ncs, target):
    seen = compare(ncs, target, lambda: Proxy("connect", answers=["HTTP/1.0 407 Auth"]),
                   ["-P", "bob", "-X", "connect", "-x", "PROXY", "127.0.0.1", "PORT"])
    assert seen["stderr"] == "nc: Unable to read proxy passphrase\n" and seen["code"] == 1


def on_a_terminal(nc, args, password, timeout=10):
    """Runs nc with a pseudo-terminal as its controlling terminal (and stdin, stdout, stderr),
    typing password at each prompt and end-of-file after the last: (terminal output, exit code)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("nc", ["nc"] + args, nc.env)
    seen = b""
    prompts = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if seen.count(b"Proxy password") > prompts:
            prompts += 1
            time.sleep(0.05)  # the prompt is out; echo is off once it waits for input
            os.write(fd, password + b"\n")
        if b"hello from the target" in seen:
            os.write(fd, b"\x04")  # end of file on the terminal: nc -N closes its side
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return seen, os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize("answers", [["HTTP/1.0 407 Auth", "HTTP/1.0 200 OK"], ["HTTP/1.1 407 Auth"]],
                         ids=["accepted", "refused"])
def test_407_asks_for_the_password_on_the_terminal(netns, ncs, target, answers):
    seen = {}
    for name in ("ours", "peer"):
        proxy = Proxy("connect", answers=answers)
        args = ["-N", "-P", "bob", "-X", "connect", "-x", f"127.0.0.1:{proxy.port}", "127.0.0.1", str(target.port)]
        terminal, code = on_a_terminal(ncs[name], args, b"s3cret")
        wait_for(lambda: proxy.settled() and target.settled(), what="the proxy and target to finish")
        seen[name] = (normalise(terminal, [proxy.port]), code, [bytes(r) for r in proxy.received])
        proxy.close()
    assert seen["ours"] == seen["peer"]
    assert b"Proxy-Authorization: Basic Ym9iOnMzY3JldA==\r\n" in seen["ours"][2][1]
