"""Data integrity through sockscope nc: 1 GiB of random bytes both ways, checked by SHA-256,
through files and pipes, with -N and with -q, and once more streamed through pipes; slow
readers on both sides; a reset peer and a closed stdout end as with netcat-openbsd."""
import hashlib
import os
import socket
import subprocess
import threading
import time

import pytest

from harness import SOCKSCOPE, peer_binary, sockscope, wait_for_port
from test_nc_compat import Nc

# Smaller under the sanitizers, which slow the relay down several times.
SIZE = (8 if "asan" in SOCKSCOPE else 1024) << 20


@pytest.fixture(scope="module")
def payloads(tmp_path_factory):
    """Two files of SIZE random bytes, made once for the module's tests."""
    folder = tmp_path_factory.mktemp("payloads")
    files = {}
    for name in ("up", "down"):
        path = folder / name
        with open(path, "wb") as out:
            for _ in range(SIZE >> 20):
                out.write(os.urandom(1 << 20))
        files[name] = path
    return files


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while piece := source.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


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
    server_out.unlink()
    client_out.unlink()


def random_source(size, digest):
    """Yields size random bytes in 1 MiB chunks, adding them to digest on the way."""
    block = os.urandom(1 << 20)
    sent = 0
    while sent < size:
        # A fresh random prefix per chunk keeps every MiB different at little cost.
        chunk = os.urandom(4096) + block[4096:]
        chunk = chunk[:size - sent]
        digest.update(chunk)
        yield chunk
        sent += len(chunk)


def feed(stream, size, digest):
    def run():
        try:
            for chunk in random_source(size, digest):
                stream.write(chunk)
        finally:
            stream.close()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def drain(stream, digest, counter, pause=0.0, piece=1 << 20):
    def run():
        while chunk := stream.read1(piece) if hasattr(stream, "read1") else stream.read(piece):
            digest.update(chunk)
            counter.append(len(chunk))
            if pause:
                time.sleep(pause)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# One large run in the dev suite; far smaller under the sanitizers.
LARGE = (32 if "asan" in SOCKSCOPE else 1024) << 20


def test_one_gibibyte_each_way_through_pipes(netns):
    """Random bytes streamed through pipes (no disk) both ways at once, checked by SHA-256."""
    digests = {key: hashlib.sha256() for key in ("up_sent", "up_got", "down_sent", "down_got")}
    counts = {"up": [], "down": []}
    server = netns.spawn(sockscope("nc", "-l", "-N", "127.0.0.1", "0"))
    port = wait_for_port(server)
    client = netns.spawn(sockscope("nc", "-N", "127.0.0.1", str(port)))
    threads = [feed(server.popen.stdin, LARGE, digests["down_sent"]),
               feed(client.popen.stdin, LARGE, digests["up_sent"]),
               drain(server.popen.stdout, digests["up_got"], counts["up"]),
               drain(client.popen.stdout, digests["down_got"], counts["down"])]
    for thread in threads:
        thread.join(300)
    assert client.wait(timeout=60) == 0 and server.wait(timeout=60) == 0
    assert sum(counts["up"]) == sum(counts["down"]) == LARGE
    assert digests["up_got"].hexdigest() == digests["up_sent"].hexdigest()
    assert digests["down_got"].hexdigest() == digests["down_sent"].hexdigest()


def test_slow_readers_lose_nothing(netns):
    """The network peer reads slowly through a small receive buffer, and so does whoever reads
    nc's stdout: every write nc makes meets a full buffer (EAGAIN, partial writes)."""
    size = 8 << 20
    sent, got_network, got_stdout = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = netns.spawn(sockscope("nc", "-N", "127.0.0.1", str(port)))
    accepted, _ = listener.accept()
    accepted.settimeout(60)
    down_sent = hashlib.sha256()
    down = os.urandom(size)
    down_sent.update(down)
    stdout_counts = []
    stdout_reader = drain(client.popen.stdout, got_stdout, stdout_counts, pause=0.001, piece=16384)
    uploader = feed(client.popen.stdin, size, sent)
    writer = threading.Thread(target=lambda: (accepted.sendall(down), accepted.shutdown(socket.SHUT_WR)), daemon=True)
    writer.start()
    received = 0
    while chunk := accepted.recv(4096):
        got_network.update(chunk)
        received += len(chunk)
        if received % (256 << 10) < 4096:
            time.sleep(0.01)
    for thread in (uploader, writer, stdout_reader):
        thread.join(60)
    accepted.close()
    listener.close()
    assert client.wait(timeout=60) == 0
    assert received == size and got_network.hexdigest() == sent.hexdigest()
    assert sum(stdout_counts) == size and got_stdout.hexdigest() == down_sent.hexdigest()


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def test_peer_reset_mid_transfer_ends_as_netcat_does(netns, payloads, ncs):
    seen = {}
    for name in ("ours", "peer"):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]
            with open(payloads["up"], "rb") as up:
                client = ncs[name].spawn(netns, ["127.0.0.1", str(port)], stdin=up)
                accepted, _ = listener.accept()
                accepted.recv(4096)
                accepted.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                accepted.close()  # RST: unread data plus linger 0
                seen[name] = client.communicate(timeout=30)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][2] == 0


@pytest.mark.parametrize("args", [["-d"], []], ids=["-d", "stdin-at-eof"])
def test_closed_stdout_ends_as_netcat_does(netns, ncs, args):
    """The reader of nc's stdout quits early (`nc ... | head -c 1024`): netcat-openbsd stops
    writing there and exits 0 without a word, and so must we."""
    seen = {}
    for name in ("ours", "peer"):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]
            reader_r, reader_w = os.pipe()
            client = ncs[name].spawn(netns, args + ["127.0.0.1", str(port)], stdin=subprocess.DEVNULL, stdout=reader_w)
            os.close(reader_w)
            accepted, _ = listener.accept()

            def flood():
                try:
                    while True:
                        accepted.sendall(b"x" * 65536)
                except OSError:
                    pass
            threading.Thread(target=flood, daemon=True).start()
            os.read(reader_r, 1024)
            os.close(reader_r)  # the reader goes away early
            _, stderr, code = client.communicate(timeout=30)
            accepted.close()
            seen[name] = (stderr, code)
    assert seen["ours"] == seen["peer"] == (b"", 0)
