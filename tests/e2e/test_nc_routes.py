"""The relay's routes, each on real sockets: a regular-file stdin is read in large pieces,
a pipe stdin and a pipe stdout are spliced straight to and from the socket, other
stdouts through a pipe of ours, and copies where the kernel refuses (a file opened for
appending). Every byte arrives, in order, and each ends as netcat-openbsd does."""
import fcntl
import hashlib
import os
import socket
import subprocess
import threading
import time

import pytest

from harness import SOCKSCOPE, peer_binary, sockscope, wait_for, wait_for_port
from test_nc_compat import Nc

SIZE = (2 if "asan" in SOCKSCOPE else 16) << 20
F_GETPIPE_SZ = 1032


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def collect(listener, result):
    """Accepts one connection and reads it to its end into result (bytes), in a thread."""
    def run():
        conn, _ = listener.accept()
        conn.settimeout(30)
        pieces = []
        with conn:
            while piece := conn.recv(1 << 20):
                pieces.append(piece)
        result.append(b"".join(pieces))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def listener_socket():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    return listener


def test_file_stdin_is_sent_from_its_offset_and_left_at_its_end(netns, ncs, tmp_path):
    """`(read a header; nc host port) < file`: nc sends from where the shared offset stands
    and moves it to the end, as netcat's read() loop does."""
    data = os.urandom(SIZE + 4097)
    source = tmp_path / "source"
    source.write_bytes(data)
    seen = {}
    for name in ("ours", "peer"):
        with listener_socket() as listener:
            received = []
            reader = collect(listener, received)
            fd = os.open(source, os.O_RDONLY)
            try:
                os.lseek(fd, 1000, os.SEEK_SET)
                client = ncs[name].spawn(netns, ["-N", "127.0.0.1", str(listener.getsockname()[1])], stdin=fd)
                _, stderr, code = client.communicate(timeout=60)
                reader.join(60)
                seen[name] = (code, stderr, os.lseek(fd, 0, os.SEEK_CUR), received[0] == data[1000:])
            finally:
                os.close(fd)
    assert seen["ours"] == seen["peer"] == (0, b"", len(data), True)


def test_proc_file_stdin_is_sent_whole_though_its_size_reads_zero(netns, ncs):
    """/proc files call themselves empty (st_size 0) yet have content: the mapped-file route
    must not take the size at its word."""
    with open("/proc/sys/kernel/ostype", "rb") as source:
        expected = source.read()
    assert expected and os.stat("/proc/sys/kernel/ostype").st_size == 0
    seen = {}
    for name in ("ours", "peer"):
        with listener_socket() as listener:
            received = []
            reader = collect(listener, received)
            with open("/proc/sys/kernel/ostype", "rb") as stdin:
                client = ncs[name].spawn(netns, ["-N", "127.0.0.1", str(listener.getsockname()[1])], stdin=stdin)
                _, _, code = client.communicate(timeout=30)
            reader.join(30)
            seen[name] = (code, received)
    assert seen["ours"] == seen["peer"] == (0, [expected])


def test_file_stdin_cut_short_while_sent_ends_at_the_cut(netns, ncs, tmp_path):
    """The file shrinks while nc sends it (logrotate's copytruncate): what is left of it
    arrives whole, nothing past the cut does, and nc ends cleanly, as netcat does."""
    data = os.urandom(64 << 20)
    cut = 32 << 20
    source = tmp_path / "source"
    seen = {}
    for name in ("ours", "peer"):
        source.write_bytes(data)
        with listener_socket() as listener:
            with open(source, "rb") as stdin:
                client = ncs[name].spawn(netns, ["-N", "127.0.0.1", str(listener.getsockname()[1])], stdin=stdin)
            conn, _ = listener.accept()
            conn.settimeout(30)
            with conn:
                got = conn.recv(1 << 20, socket.MSG_WAITALL)
                os.truncate(source, cut)
                while piece := conn.recv(1 << 20):
                    got += piece
            _, _, code = client.communicate(timeout=30)
        seen[name] = (code, len(got) >= cut and got == data[:len(got)])
    assert seen["ours"] == seen["peer"] == (0, True)


def test_empty_file_stdin_with_N_sends_end_of_stream_at_once(netns, ncs, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    seen = {}
    for name in ("ours", "peer"):
        with listener_socket() as listener:
            received = []
            reader = collect(listener, received)
            with open(empty, "rb") as stdin:
                client = ncs[name].spawn(netns, ["-N", "127.0.0.1", str(listener.getsockname()[1])], stdin=stdin)
                _, _, code = client.communicate(timeout=30)
            reader.join(30)
            seen[name] = (code, received)
    assert seen["ours"] == seen["peer"] == (0, [b""])


def test_appending_stdout_keeps_what_was_there(netns, tmp_path):
    """splice() refuses a file opened O_APPEND (`nc ... >> log`): the relay falls back to
    copies without losing the bytes already taken from the socket."""
    payload = os.urandom(SIZE)
    log = tmp_path / "log"
    log.write_bytes(b"earlier lines\n")
    with listener_socket() as listener:
        port = listener.getsockname()[1]
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        try:
            client = netns.spawn(sockscope("nc", "127.0.0.1", str(port)), stdin=subprocess.DEVNULL, stdout=fd)
        finally:
            os.close(fd)
        conn, _ = listener.accept()
        with conn:
            conn.sendall(payload)
        assert client.wait(timeout=60) == 0
    assert log.read_bytes() == b"earlier lines\n" + payload


def test_pipe_handed_to_nc_is_grown(netns, tmp_path):
    """A shell pipe into nc starts at 64 KiB; nc grows it (towards pipe-max-size) so that
    each splice carries more."""
    with open("/proc/sys/fs/pipe-max-size") as limit:
        wanted = int(limit.read())
    read_end, write_end = os.pipe()
    assert fcntl.fcntl(write_end, F_GETPIPE_SZ) < wanted
    with listener_socket() as listener:
        client = netns.spawn(sockscope("nc", "-N", "127.0.0.1", str(listener.getsockname()[1])), stdin=read_end)
        os.close(read_end)
        conn, _ = listener.accept()
        try:
            wait_for(lambda: fcntl.fcntl(write_end, F_GETPIPE_SZ) >= wanted, what="the stdin pipe to grow")
            os.write(write_end, b"after growing\n")
            os.close(write_end)
            conn.settimeout(30)
            got = b""
            while piece := conn.recv(4096):
                got += piece
        finally:
            conn.close()
    assert got == b"after growing\n"
    assert client.wait(timeout=30) == 0


def test_trickling_pipe_stdin_arrives_whole_then_ends(netns):
    """A writer that sends in small pieces with pauses: every piece is spliced as it comes,
    and -N shuts the socket's write side only after the writer closes."""
    with listener_socket() as listener:
        client = netns.spawn(sockscope("nc", "-N", "127.0.0.1", str(listener.getsockname()[1])),
                             stdout=subprocess.DEVNULL)
        conn, _ = listener.accept()
        conn.settimeout(30)
        sent = b""
        with conn:
            for i in range(20):
                piece = os.urandom(1 + i * 997)
                client.popen.stdin.write(piece)
                client.popen.stdin.flush()
                sent += piece
                time.sleep(0.01)
            client.popen.stdin.close()
            got = b""
            while piece := conn.recv(1 << 16):
                got += piece
        assert got == sent
        assert client.wait(timeout=30) == 0


def test_unix_socket_file_up_pipe_down(netns, tmp_path):
    """-U: a file stdin read in large pieces and a pipe stdout spliced into, at once both ways,
    checked by SHA-256."""
    up = os.urandom(SIZE)
    down = os.urandom(SIZE)
    (tmp_path / "up").write_bytes(up)
    (tmp_path / "down").write_bytes(down)
    path = str(tmp_path / "sock")
    with open(tmp_path / "down", "rb") as stdin, open(tmp_path / "server.out", "wb") as stdout:
        server = netns.spawn(sockscope("nc", "-U", "-l", "-N", path), stdin=stdin, stdout=stdout)
    wait_for(lambda: os.path.exists(path) or not server.alive(), what="the UNIX listener")
    digest = hashlib.sha256()
    with open(tmp_path / "up", "rb") as stdin:
        client = netns.spawn(sockscope("nc", "-U", "-N", path), stdin=stdin)
    while piece := client.popen.stdout.read(1 << 20):
        digest.update(piece)
    assert client.wait(timeout=60) == 0
    assert server.wait(timeout=60) == 0
    assert digest.hexdigest() == hashlib.sha256(down).hexdigest()
    assert (tmp_path / "server.out").read_bytes() == up
