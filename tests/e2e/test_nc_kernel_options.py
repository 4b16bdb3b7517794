"""-S (TCP MD5 signatures), -Z (DCCP) and -F (fd passing) against netcat-openbsd, as this
kernel supports them: MD5 keys work, DCCP is gone (Linux 6.16 removed it), SCM_RIGHTS works."""
import array
import os
import pty
import select
import socket
import subprocess
import threading
import time

import pytest

from harness import SOCKSCOPE, peer_binary, wait_for
from test_nc_compat import Nc, normalise


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def both(ncs, args):
    return {name: ncs[name].run(args) for name in ("ours", "peer")}


NO_TERMINAL = [
    ["-S", "127.0.0.1", "99999"],
    ["-S"],
    ["-S", "-w", "abc", "127.0.0.1", "80"],
    ["-w", "abc", "-S", "127.0.0.1", "80"],
    ["-lS", "127.0.0.1", "5000"],
    ["-Z", "127.0.0.1", "80"],
    ["-vZ", "127.0.0.1", "80"],
    ["-vzZ", "127.0.0.1", "80-81"],
    ["-lZ", "127.0.0.1", "5000"],
    ["-lvZ", "5000"],
    ["-Z", "-U", "/tmp/nc-test-socket"],
    ["-Z", "-U"],
    ["-Z", "-U", "-z", "-l", "/tmp/nc-test-socket"],
    ["-Z", "-x", "127.0.0.1", "127.0.0.1", "80"],
    ["-F", "-U", "/tmp/nc-test-socket"],
    ["-F", "-U", "-k", "/tmp/nc-test-socket"],
    ["-F", "-U", "-l"],
    ["-U", "/tmp/nc-test-socket", "80"],
]


@pytest.mark.parametrize("args", NO_TERMINAL, ids=lambda args: " ".join(args))
def test_same_messages_without_a_terminal(netns, ncs, args):
    seen = both(ncs, args)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][2] == 1


class Terminal:
    """nc with a pseudo-terminal as controlling terminal, stdin, stdout and stderr. Types the
    secret at the first prompt, then whatever send() queues; collects all it printed."""

    def __init__(self, nc, args, secret=b"md5 key"):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe("nc", ["nc"] + args, nc.env)
        self.secret = secret
        self.output = b""
        self.code = None
        self._prompted = False
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self):
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    continue
                chunk = os.read(self.fd, 4096)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            self.output += chunk
            if not self._prompted and b"password: " in self.output:
                self._prompted = True
                time.sleep(0.05)
                os.write(self.fd, self.secret + b"\n")

    def send(self, data):
        os.write(self.fd, data)

    def wait_for_text(self, text):
        wait_for(lambda: text in self.output, what=f"{text!r} on the terminal")

    def finish(self, timeout=10):
        """Waits for the exit (killing it after timeout): (output without echo, exit code)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.02)
        else:
            os.kill(self.pid, 9)
            _, status = os.waitpid(self.pid, 0)
            self.code = os.waitstatus_to_exitcode(status)
        self._thread.join(2)
        os.close(self.fd)
        return self.output, self.code


def listening_on(port):
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return any(row[1].endswith(f":{port:04X}") and row[3] == "0A" for row in rows)


@pytest.mark.parametrize("listener,client", [("ours", "ours"), ("peer", "ours"), ("ours", "peer")])
def test_md5_signed_connection(netns, ncs, listener, client):
    """Both ends key their sockets; the kernel drops unsigned or wrongly signed segments, so
    a relay that arrives proves both sides set the key as the other expects."""
    server = Terminal(ncs[listener], ["-l", "-S", "127.0.0.1", "5001"])
    server.wait_for_text(b"password: ")
    wait_for(lambda: listening_on(5001), what="the listener")
    sender = Terminal(ncs[client], ["-N", "-S", "127.0.0.1", "5001"])
    sender.wait_for_text(b"password: ")
    time.sleep(0.2)
    sender.send(b"signed hello\n\x04")
    server.wait_for_text(b"signed hello")
    # The listener ends with its client although its terminal stays open, as nc -l does.
    assert sender.finish()[1] == 0
    assert server.finish()[1] == 0


def test_md5_key_on_a_udp_socket(netns, ncs):
    seen = {}
    for name in ("ours", "peer"):
        terminal = Terminal(ncs[name], ["-u", "-S", "127.0.0.1", "5002"])
        seen[name] = terminal.finish()
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0].endswith(b"nc: Protocol not available\r\n")


def receive_passed_fd(nc, args, kind=socket.SOCK_STREAM):
    """Runs nc with stdout on a UNIX socket pair; what arrives: (bytes, [(type, peer)]), stderr, code."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, kind)
    process = subprocess.Popen(["nc"] + args, stdout=theirs.fileno(), stdin=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=nc.env, start_new_session=True)
    theirs.close()
    with ours:
        ours.settimeout(10)
        message, ancillary, _, _ = ours.recvmsg(16, socket.CMSG_SPACE(16))
        passed = []
        for _, _, data in ancillary:
            for fd in array.array("i", data[:len(data) - len(data) % 4]):
                with socket.socket(fileno=fd) as received:
                    passed.append((received.type, received.getpeername()))
    _, stderr = process.communicate(timeout=10)
    return message, passed, stderr, process.returncode


@pytest.mark.parametrize("args,kind", [
    (["-F", "127.0.0.1", "PORT"], socket.SOCK_STREAM),
    (["-vF", "127.0.0.1", "PORT"], socket.SOCK_DGRAM),
    (["-zvF", "127.0.0.1", "PORT"], socket.SOCK_STREAM),
    (["-uF", "127.0.0.1", "PORT"], socket.SOCK_STREAM),
    (["-vF", "127.0.0.1", "CLOSED-PORT"], socket.SOCK_STREAM),
], ids=["plain", "verbose-dgram", "scan", "udp", "range"])
def test_fd_is_passed_over_stdout(netns, ncs, args, kind):
    with socket.socket() as listener, socket.socket(type=socket.SOCK_DGRAM) as udp:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        udp.bind(("127.0.0.1", port))
        filled = [a.replace("CLOSED-PORT", f"{port - 1}-{port}").replace("PORT", str(port)) for a in args]
        seen = {name: receive_passed_fd(ncs[name], filled, kind) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    message, passed, _, code = seen["ours"]
    assert (message, code) == (b"\x00", 0)
    assert len(passed) == 1 and passed[0][1] == ("127.0.0.1", port)


def test_fd_passing_needs_a_unix_socket_on_stdout(netns, ncs):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        seen = both(ncs, ["-F", "127.0.0.1", str(port)])
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][1:] == (b"nc: sendmsg: Socket operation on non-socket\n", 1)


def test_fd_passing_refuses_a_terminal(netns, ncs):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        seen = {name: Terminal(ncs[name], ["-F", "127.0.0.1", str(port)]).finish() for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] == (b"nc: Cannot pass file descriptor to tty\r\n", 1)
