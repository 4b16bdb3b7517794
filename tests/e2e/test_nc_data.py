"""Data integrity through sockscope nc: random bytes both ways, checked by SHA-256, through
files and pipes, with -N and with -q; a reset peer and a closed stdout end cleanly."""
import hashlib
import os
import socket
import subprocess

import pytest

from harness import SOCKSCOPE, sockscope, wait_for_port

# Smaller under the sanitizers, which slow the relay down several times.
SIZE = (8 if "asan" in SOCKSCOPE else 64) << 20


@pytest.fixture
def payloads(tmp_path):
    files = {}
    for name in ("up", "down"):
        path = tmp_path / name
        path.write_bytes(os.urandom(SIZE))
        files[name] = path
    return files


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("ending", [["-N"], ["-q", "0"]], ids=["-N", "-q0"])
@pytest.mark.parametrize("through", ["file", "pipe"])
def test_both_directions_arrive_intact(netns, payloads, tmp_path, ending, through):
    server_out = tmp_path / "server.out"
    client_out = tmp_path / "client.out"
    # -q 0 quits as soon as stdin is sent; a reply still in flight would be cut off with a
    # reset (as with netcat-openbsd), so that case sends one way only.
    reply = payloads["down"] if ending == ["-N"] else os.devnull
    with open(reply, "rb") as down, open(server_out, "wb") as sink:
        server = netns.spawn(sockscope("nc", "-l", "-N", "127.0.0.1", "0"), stdin=down, stdout=sink)
        port = wait_for_port(server)
    with open(client_out, "wb") as sink:
        if through == "file":
            with open(payloads["up"], "rb") as up:
                client = netns.spawn(sockscope("nc", *ending, "127.0.0.1", str(port)), stdin=up, stdout=sink)
                assert client.wait(timeout=60) == 0
        else:
            feeder = subprocess.Popen(["cat", str(payloads["up"])], stdout=subprocess.PIPE)
            client = netns.spawn(sockscope("nc", *ending, "127.0.0.1", str(port)), stdin=feeder.stdout, stdout=sink)
            feeder.stdout.close()
            assert client.wait(timeout=60) == 0
            feeder.wait(timeout=10)
    assert server.wait(timeout=60) == 0
    assert sha256(server_out) == sha256(payloads["up"])
    if ending == ["-N"]:
        assert sha256(client_out) == sha256(payloads["down"])


def test_peer_reset_mid_transfer_ends_cleanly(netns, payloads):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with open(payloads["up"], "rb") as up:
            client = netns.spawn(sockscope("nc", "127.0.0.1", str(port)), stdin=up)
            accepted, _ = listener.accept()
            accepted.recv(4096)
            accepted.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            accepted.close()  # RST: unread data plus linger 0
            code = client.wait(timeout=30)
    assert code in (0, 1)


def test_closed_stdout_stops_the_relay_and_says_so(netns, payloads):
    with open(payloads["down"], "rb") as down:
        server = netns.spawn(sockscope("nc", "-l", "-N", "127.0.0.1", "0"), stdin=down)
        port = wait_for_port(server)
    reader_r, reader_w = os.pipe()
    client = netns.spawn(sockscope("nc", "-d", "127.0.0.1", str(port)), stdout=reader_w)
    os.close(reader_w)
    os.read(reader_r, 1024)
    os.close(reader_r)  # the reader goes away early
    _, stderr, code = client.communicate(timeout=30)
    assert code == 1
    assert b"not delivered" in stderr
