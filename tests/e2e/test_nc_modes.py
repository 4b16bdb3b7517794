"""Modes of nc run side by side with netcat-openbsd in one namespace: -W, -i, -q N, -k with
sequential clients, -ku with many senders, -uU, stale and abstract UNIX sockets, -w idle."""
import os
import socket
import subprocess
import threading
import time

import pytest

from harness import SOCKSCOPE, bound_ports, peer_binary, run, wait_for, wait_for_port
from test_nc_compat import Greeter, Nc, datagrams_sent, normalise

NAMES = ("ours", "peer")


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def serve_once(script):
    """A TCP listener on 127.0.0.1 whose one client is handed to script(conn) in a thread;
    returns (port, a list that receives everything the client sent, the thread)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = []

    def run():
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(10)
                script(conn)
                data = b""
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                except OSError:
                    pass
                received.append(data)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener.getsockname()[1], received, thread


def paced_sends(*chunks, pause=0.3):
    def script(conn):
        for chunk in chunks:
            try:
                conn.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client has had all it wanted (-W) and left
            time.sleep(pause)
    return script


def client_run(nc, args, script, data=b""):
    port, received, thread = serve_once(script)
    stdout, stderr, code = nc.run([a.replace("PORT", str(port)) for a in args], input=data)
    thread.join(10)
    return stdout, normalise(stderr, [port]), code, received


@pytest.mark.parametrize("args", [["-W", "2", "127.0.0.1", "PORT"], ["-W", "1", "-v", "127.0.0.1", "PORT"]],
                         ids=["-W2", "-W1 -v"])
def test_recv_limit_over_tcp(netns, ncs, args):
    seen = {name: client_run(ncs[name], args, paced_sends(b"one\n", b"two\n", b"three\n")) for name in NAMES}
    assert seen["ours"] == seen["peer"]


def test_recv_limit_stops_reading_stdin_too(netns, ncs):
    """With -W's last packet netcat is done with both inputs: stdin, still open, is not read
    further and nc exits 0 without waiting for it."""
    seen = {}
    for name in NAMES:
        port, received, thread = serve_once(paced_sends(b"one\n", b"two\n", b"three\n"))
        client = ncs[name].spawn(netns, ["-W", "2", "127.0.0.1", str(port)], stdin=subprocess.PIPE)
        try:
            code = client.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = "still running"
        stdout, _ = client.stop()
        thread.join(10)
        seen[name] = (stdout, code, received)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][:2] == (b"one\ntwo\n", 0)


def test_recv_limit_on_a_udp_listener(netns, ncs):
    seen = {}
    for name in NAMES:
        server = ncs[name].spawn(netns, ["-lu", "-W", "2", "127.0.0.1", "0"], stdin=subprocess.PIPE)
        port = wait_for_port(server, "udp")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for datagram in (b"first\n", b"second\n", b"third\n"):
                sender.sendto(datagram, ("127.0.0.1", port))
                time.sleep(0.1)
        stdout, stderr, code = server.communicate(timeout=10)
        seen[name] = (stdout, stderr, code)
    assert seen["ours"] == seen["peer"]


def test_interval_between_lines(netns, ncs):
    seen = {name: client_run(ncs[name], ["-N", "-i", "1", "127.0.0.1", "PORT"], lambda conn: None, b"a\nb\n")
            for name in NAMES}
    assert seen["ours"] == seen["peer"]


@pytest.mark.parametrize("args,data", [(["-i", "1"], b"one\ntwo\n\nthree"), (["-i", "1", "-C"], b"a\r\nb\nc")],
                         ids=["-i", "-i -C"])
def test_interval_sends_each_line_as_its_own_datagram(netns, ncs, args, data, tmp_path):
    seen = {name: datagrams_sent(ncs[name], args, data, tmp_path) for name in NAMES}
    assert seen["ours"] == seen["peer"]
    assert len(seen["ours"][0]) > 2


@pytest.mark.parametrize("quit_after", ["0", "1"])
def test_quit_timer_after_stdin_ends(netns, ncs, quit_after):
    # The server keeps the connection open: only -q ends the client. With -q 1 it greets
    # within that second; with -q 0 a greeting would race the quit, so there is none.
    greeting = b"greeting\n" if quit_after == "1" else b""
    seen = {name: client_run(ncs[name], ["-q", quit_after, "127.0.0.1", "PORT"],
                             paced_sends(greeting, pause=2.5), b"request\n") for name in NAMES}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][3] == [b"request\n"]


@pytest.mark.parametrize("quit_after", ["0", "1"])
def test_quit_timer_waits_for_the_answer_to_what_was_sent(netns, ncs, quit_after):
    # `echo request | nc -q 0 host port`: netcat-openbsd shuts its sending side at stdin's
    # end, reads the answer until the server closes, and only then counts the -q seconds.
    def answer_after_eof(conn):
        while conn.recv(65536):
            pass
        time.sleep(0.3)
        conn.sendall(b"answer\n")
        time.sleep(0.5)
    seen = {name: client_run(ncs[name], ["-q", quit_after, "127.0.0.1", "PORT"], answer_after_eof, b"request\n")
            for name in NAMES}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"answer\n"


def test_quit_timer_closes_a_udp_socket_before_it_waits(netns, ncs, tmp_path):
    """When -q's seconds start, netcat has closed its socket already: a datagram sent to it
    then is refused (port unreachable) and never printed; nc still exits 0 at the end."""
    feed = tmp_path / "request"
    feed.write_bytes(b"request\n")
    seen = {}
    for name in NAMES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, open(feed, "rb") as stdin:
            server.bind(("127.0.0.1", 0))
            server.settimeout(10)
            client = ncs[name].spawn(netns, ["-u", "-q", "3", "127.0.0.1", str(server.getsockname()[1])], stdin=stdin)
            request, address = server.recvfrom(100)
            try:
                closed = wait_for(lambda: not bound_ports(client.pid, "udp", listening_only=False), timeout=2,
                                  what="nc to close its socket")
            except TimeoutError:
                closed = False
            server.connect(address)
            server.send(b"reply\n")
            server.settimeout(1)
            try:
                answer = server.recv(100)
            except ConnectionRefusedError:
                answer = "refused"
            except socket.timeout:
                answer = "silent"
            stdout, stderr, code = client.communicate(timeout=10)
        seen[name] = (request, closed, answer, stdout, stderr, code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][1:3] == (True, "refused")


@pytest.mark.parametrize("args", [["-q", "1"], ["-q", "1", "-d"], ["-q", "0"]], ids=lambda args: " ".join(args))
def test_quit_timer_ends_nc_before_the_next_port(netns, ncs, args):
    """Once -q's seconds have passed netcat exits (0) at once: the next port is never tried.
    With -q 0 it goes on to it. -d has no stdin to end, and still starts the timer."""
    first, second = Greeter(b"first\n"), Greeter(b"second\n")
    try:
        seen = {name: ncs[name].run(args + ["127.0.0.1", str(first.port), str(second.port)]) for name in NAMES}
    finally:
        first.close()
        second.close()
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0].startswith(b"first\n")


@pytest.mark.parametrize("args", [["-lk", "-q", "0"], ["-lk", "-q", "1"], ["-l", "-q", "1"]],
                         ids=lambda args: " ".join(args))
def test_quit_timer_ends_a_listener_at_stdins_end(netns, ncs, args):
    """A listener under -q does not wait for its client: once stdin has ended it closes the
    connection, waits the seconds (none for -q 0) and exits 0, -k or not."""
    seen = {}
    for name in NAMES:
        server = ncs[name].spawn(netns, args + ["127.0.0.1", "0"], stdin=subprocess.DEVNULL)
        port = wait_for_port(server)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            try:
                stdout, stderr, code = server.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                stdout, stderr = server.stop()
                code = "still running"
            closed = client.recv(100) == b""
        seen[name] = (stdout, stderr, code, closed)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] == (b"", b"", 0, True)


def test_idle_timeout_ends_a_silent_connection(netns, ncs):
    seen = {}
    for name in NAMES:
        # stdin stays open (a pipe nobody writes), the server says one line then nothing.
        port, received, thread = serve_once(paced_sends(b"only line\n", pause=4))
        client = ncs[name].spawn(netns, ["-w", "1", "127.0.0.1", str(port)], stdin=subprocess.PIPE)
        stdout, stderr, code = client.communicate(timeout=10)
        thread.join(10)
        seen[name] = (stdout, stderr, code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"only line\n"


@pytest.mark.parametrize("args", [["-l"], ["-lu"], ["-lk"]], ids=lambda args: args[0])
def test_idle_timeout_applies_to_a_listeners_connection(netns, ncs, args):
    """-w ends an idle accepted connection too: a lone listener exits 0, one with -k drops the
    silent client and serves the next."""
    udp = "-lu" in args
    seen = {}
    for name in NAMES:
        # stdin is a pipe nobody writes and nobody closes: only -w can end the relay.
        server = ncs[name].spawn(netns, args + ["-w", "1", "127.0.0.1", "0"], stdin=subprocess.PIPE)
        port = wait_for_port(server, "udp" if udp else "tcp")
        kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as silent:
            silent.settimeout(10)
            silent.connect(("127.0.0.1", port))
            silent.send(b"hello\n")
            if not udp:
                assert silent.recv(100) == b""  # closed by nc after a second of silence
        if "-lk" in args:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as next_client:
                next_client.sendall(b"next\n")
                assert next_client.recv(100) == b""
            stdout, _ = server.stop()
            code = None
        else:
            server.wait(timeout=10)
            stdout, _ = server.stop()
            code = server.popen.returncode
        seen[name] = (stdout, code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == (b"hello\nnext\n" if "-lk" in args else b"hello\n")


def test_keep_listening_serves_clients_one_after_another(netns, ncs):
    seen = {}
    for name in NAMES:
        server = ncs[name].spawn(netns, ["-lkv", "127.0.0.1", "0"], stdin=subprocess.DEVNULL)
        port = wait_for_port(server)
        for number in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(f"client {number}\n".encode())
                client.shutdown(socket.SHUT_WR)
                assert client.recv(100) == b""  # nc closes its side once the client's input ends
        stdout, stderr = server.stop()
        seen[name] = (stdout, normalise(stderr, [port]))
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"client 0\nclient 1\nclient 2\n"
    assert seen["ours"][1].count("Connection received on") == 3


def test_keep_listening_udp_takes_datagrams_from_many_senders(netns, ncs):
    seen = {}
    for name in NAMES:
        server = ncs[name].spawn(netns, ["-lku", "127.0.0.1", "0"], stdin=subprocess.DEVNULL)
        port = wait_for_port(server, "udp")
        senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
        expected = b""
        for number, sender in enumerate(senders):
            datagram = f"from sender {number}\n".encode()
            sender.sendto(datagram, ("127.0.0.1", port))
            expected += datagram
        os.set_blocking(server.popen.stdout.fileno(), False)
        got = b""

        def everything_arrived():
            nonlocal got
            got += server.popen.stdout.read() or b""
            return len(got) >= len(expected)
        wait_for(everything_arrived, what="every datagram on stdout")
        for sender in senders:
            sender.close()
        _, stderr = server.stop()
        seen[name] = (got, stderr)
    assert seen["ours"] == seen["peer"]


def test_unix_datagram_round_trip(netns, ncs, tmp_path):
    seen = {}
    for name in NAMES:
        path = str(tmp_path / f"{name}.dgram")
        own = str(tmp_path / f"{name}.client")  # -s: the client's own socket file, for the answer
        server = ncs[name].spawn(netns, ["-lUuv", path], stdin=subprocess.PIPE)
        wait_for(lambda: os.path.exists(path), what="the datagram socket file")
        client = ncs[name].spawn(netns, ["-Uuv", "-s", own, path], stdin=subprocess.PIPE)
        client.popen.stdin.write(b"datagram over unix\n")
        client.popen.stdin.flush()
        os.set_blocking(server.popen.stdout.fileno(), False)
        got = wait_for(lambda: server.popen.stdout.read(), what="the datagram on the listener's stdout")
        # The listener answers the client's own socket file.
        server.popen.stdin.write(b"answer\n")
        server.popen.stdin.flush()
        os.set_blocking(client.popen.stdout.fileno(), False)
        answer = wait_for(lambda: client.popen.stdout.read(), what="the answer on the client's stdout")
        client_out, client_err = client.stop()
        server_out, server_err = server.stop()
        seen[name] = (got, answer, client_err.replace(own.encode(), b"OWN"), server_err.replace(path.encode(), b"PATH"))
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][:2] == (b"datagram over unix\n", b"answer\n")


@pytest.mark.parametrize("args", [["-lUu", "-w", "1"], ["-lkvUu", "-w", "1"], ["-lUu", "-W", "1"],
                                  ["-lUu", "-q", "0"], ["-lUu", "-q", "1"]], ids=lambda args: " ".join(args))
def test_unix_datagram_listener_ends_with_netcats_connect_error(netns, ncs, tmp_path, args):
    """Once its relay ends, netcat's UNIX datagram listener calls connect(s, NULL, 0), which
    Linux refuses: "connect: Invalid argument", status 1, with -k too. Only -q's timer, which
    exits from within the relay, ends it with 0."""
    seen = {}
    for name in NAMES:
        path = str(tmp_path / f"{name}.dgram")
        server = ncs[name].spawn(netns, args + [path], stdin=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(path), what="the datagram socket file")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.bind(str(tmp_path / f"{name}.sender"))  # stays bound: the listener connects to it
            sender.sendto(b"datagram\n", path)
            stdout, stderr, code = server.communicate(timeout=10)
        seen[name] = (stdout, stderr.replace(path.encode(), b"PATH"), code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"datagram\n"


def stale_socket(path):
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(path)
    leftover.close()  # the file stays behind, nobody listens
    assert os.path.exists(path)


@pytest.mark.parametrize("args", [["-lU", "PATH"], ["-U", "PATH"], ["-lUu", "PATH"], ["-Uu", "PATH"], ["-zU", "PATH"]])
def test_stale_unix_socket_file(netns, ncs, tmp_path, args):
    seen = {}
    for name in NAMES:
        path = str(tmp_path / f"{name}-stale.sock")
        stale_socket(path)
        process = ncs[name].spawn(netns, [a.replace("PATH", path) for a in args], stdin=subprocess.PIPE)
        try:
            stdout, stderr, code = process.communicate(b"", timeout=2)
        except subprocess.TimeoutExpired:
            stdout, stderr = process.stop()
            code = "still running"
        seen[name] = (stdout, stderr.replace(path.encode(), b"PATH"), code, os.path.exists(path))
    assert seen["ours"] == seen["peer"]


def test_abstract_unix_socket(netns, ncs):
    seen = {}
    for name in NAMES:
        address = f"@sockscope-test-{name}-{os.getpid()}"
        server = ncs[name].spawn(netns, ["-lNU", address], stdin=subprocess.DEVNULL)

        def listening():
            with open("/proc/net/unix") as table:
                return any(line.rstrip().endswith(address) for line in table)
        wait_for(listening, what="the abstract socket")
        client = ncs[name].run(["-NU", address], input=b"abstract hello\n")
        server_out, server_err, server_code = server.communicate(timeout=10)
        seen[name] = (client, server_out, server_err, server_code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][1] == b"abstract hello\n"


@pytest.mark.parametrize("kind,length", [("@", 107), ("@", 108), ("@", 109), ("/", 107), ("/", 108)],
                         ids=lambda value: str(value))
def test_unix_name_length_limits(netns, ncs, tmp_path, kind, length):
    """sun_path holds 108 bytes: a path of 107 and its NUL, or an abstract name of 108 ("@"
    and 107 more), as netcat takes them; one byte more is "File name too long"."""
    seen = {}
    for name in NAMES:
        prefix = f"@{name}-" if kind == "@" else f"{tmp_path}/{name}-"
        address = prefix + "x" * (length - len(prefix))

        def listening():
            if kind == "/":
                return os.path.exists(address)
            with open("/proc/net/unix") as table:
                return any(line.rstrip().endswith(address) for line in table)
        server = ncs[name].spawn(netns, ["-lNU", address], stdin=subprocess.DEVNULL)
        try:
            wait_for(lambda: listening() or not server.alive(), what="the listener to bind or fail")
            client = ncs[name].run(["-NU", address], input=b"hello\n")
            server_out, server_err, server_code = server.communicate(timeout=10)
        finally:
            server.stop()
        seen[name] = (client[0], client[1].replace(address.encode(), b"NAME"), client[2], server_out, server_err, server_code)
    assert seen["ours"] == seen["peer"]
    assert (seen["ours"][3] == b"hello\n") == (length <= (108 if kind == "@" else 107))


def test_unix_datagram_client_cleans_up_its_temporary_socket(netns, ncs, tmp_path):
    """Without -s a -Uu client binds /tmp/nc-XXXXXX/recv.sock and removes it when it ends."""
    path = str(tmp_path / "nobody-listens")
    stale_socket(path)
    before = {entry for entry in os.listdir("/tmp") if entry.startswith("nc-")}
    seen = {name: ncs[name].run(["-Uu", path]) for name in NAMES}
    after = {entry for entry in os.listdir("/tmp") if entry.startswith("nc-")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][2] == 1
    assert after <= before


def test_unix_stream_listener_verbose_lines(netns, ncs, tmp_path):
    seen = {}
    for name in NAMES:
        path = str(tmp_path / f"{name}.stream")
        server = ncs[name].spawn(netns, ["-lvNU", path], stdin=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(path), what="the socket file")
        client = ncs[name].run(["-vNU", path], input=b"line\n")
        out, err, code = server.communicate(timeout=10)
        seen[name] = (client, out, err.replace(path.encode(), b"PATH"), code, os.path.exists(path))
    assert seen["ours"] == seen["peer"]


def test_listener_never_deletes_a_regular_file_at_its_path(netns, tmp_path):
    """A deliberate difference: netcat-openbsd unlinks whatever is at the path; we only
    replace a socket file, and refuse a regular file as bind(2) does."""
    path = tmp_path / "precious.txt"
    path.write_text("keep me\n")
    stdout, stderr, code = run([SOCKSCOPE, "nc", "-lU", str(path)], input=b"")
    assert (stderr, code) == (b"sockscope nc: Address already in use\n", 1)
    assert path.read_text() == "keep me\n"
