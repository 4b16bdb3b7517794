"""sockscope nc against Debian's netcat-openbsd, scenario by scenario, in private namespaces.

Both run through a link named `nc`, so their messages carry the same program name and must
match byte for byte (ports that differ between runs are replaced first)."""
import os
import re
import socket
import subprocess
import threading

import pytest

from harness import SeedTopology, SOCKSCOPE, peer_binary, run, wait_for, wait_for_port


class Nc:
    """One implementation, invoked as plain `nc` (argv[0] is what error lines start with)."""

    def __init__(self, folder, target):
        folder.mkdir()
        os.symlink(target, folder / "nc")
        self.env = dict(os.environ, PATH=f"{folder}:{os.environ.get('PATH', '/usr/bin:/bin')}")

    def run(self, args, input=b""):
        return run(["nc"] + list(args), input=input, env=self.env)

    def spawn(self, ns, args, **kwargs):
        return ns.spawn(["nc"] + list(args), env=self.env, **kwargs)


@pytest.fixture
def ncs(tmp_path):
    """{'ours': Nc, 'peer': Nc}: sockscope and netcat-openbsd, each invoked as `nc`."""
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


def normalise(text, ports=()):
    text = text.decode(errors="replace")
    for port in ports:
        text = text.replace(str(port), "PORT")
    return re.sub(r"(Connection received on \S+) \d+", r"\1 EPHEMERAL", text)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BAD_INPUT = [
    ["-v", "127.0.0.1", "99999"],
    ["-v", "127.0.0.1", "abc"],
    ["-v", "127.0.0.1", "0"],
    ["-v", "127.0.0.1", "-1"],
    ["-Q", "127.0.0.1", "80"],
    ["-w"],
    ["-w", "abc", "127.0.0.1", "80"],
    ["-W", "0", "127.0.0.1", "80"],
    ["-I", "0", "127.0.0.1", "80"],
    ["-i", "-1", "127.0.0.1", "80"],
    ["-q", "abc", "127.0.0.1", "80"],
    ["-l", "-z", "80"],
    ["-k", "127.0.0.1", "80"],
    ["-l"],
    ["127.0.0.1"],
    ["-V", "2", "127.0.0.1", "80"],
    ["-n", "localhost", "80"],
    ["-U", "-l", "/tmp/" + "a" * 120],
    ["-U", "-z", "/nonexistent/socket"],
    ["-U", "-z", "/tmp/" + "a" * 120],
    ["-U", "-l"],
    ["-M", "300", "127.0.0.1", "80"],
    ["-M", "x", "127.0.0.1", "80"],
    ["-m", "-1", "127.0.0.1", "80"],
    ["-T", "foo", "127.0.0.1", "80"],
    ["-T", "0x100", "127.0.0.1", "80"],
    ["-T", "lowdelay", "127.0.0.1", "80"],
    ["-T", "af11", "127.0.0.1", "80"],
    ["-T", "12", "127.0.0.1", "80"],
    ["-X", "9", "127.0.0.1", "80"],
    ["-X", "4", "127.0.0.1", "80"],
    ["-ln", "localhost", "80"],
    ["-vz", "127.0.0.1", "5-3"],
    ["-z", "127.0.0.1", "0-5"],
    ["-z", "127.0.0.1", "5-70000"],
    ["-z", "127.0.0.1", "a-3"],
    ["-z", "127.0.0.1", "3-"],
    ["-z", "127.0.0.1", "3-b"],
    ["-vzu", "127.0.0.1", "1"],
    ["127.0.0.1", "80", "-v"],
    # Option errors end the parse where they appear, before anything later is looked at.
    ["-V", "x", "-h"],
    ["-V", "x", "-T", "bogus"],
    ["-T", "bogus", "-V", "x"],
    # Which operands, -s and -p make sense together, and which check nc reports first.
    ["-s", "::1", "::1"],
    ["-p", "5", "80"],
    ["-k", "-q", "1", "127.0.0.1"],
    ["-zk"],
    ["-lz"],
    ["-l", "-s", "127.0.0.1", "5"],
    ["-l", "-p", "5", "127.0.0.1"],
    ["-lp", "5", "-s", "127.0.0.1", "x"],
    ["-U", "-4", "x"],
    ["-4", "-U", "x", "y"],
    ["-ZU", "a", "b"],
    ["-ZlU"],
    ["-lU", "-p", "5"],
    ["-U", "-p", "5", "a"],
    ["-U", ""],
    ["-lU", ""],
    ["-uU", "-s", "", "/tmp/nc-test-socket"],
    ["-uU", "-s", "/nonexistent/own.sock", "/tmp/nc-test-socket"],
    # A listener's port goes to getaddrinfo as it is.
    ["-l", "x"],
    ["-l", "1-3"],
    ["-l", "--", "-1"],
    ["-l", "", "99999999999999"],
    # Service names are looked up for the protocol in use (-Z: dccp).
    ["-Z", "127.0.0.1", "http"],
]


@pytest.mark.parametrize("args", BAD_INPUT, ids=lambda args: " ".join(args)[:40])
def test_bad_input_same_message_and_exit_code(netns, ncs, args):
    ours = ncs["ours"].run(args, input=b"")
    peer = ncs["peer"].run(args, input=b"")
    assert (normalise(ours[1]), ours[2]) == (normalise(peer[1]), peer[2])
    assert ours[0] == peer[0]


# Port operands as netcat's build_ports reads them: a service name first (whole, dashes and
# all), a range only when the text starts with a digit (its high end read first), and each
# number through strtonum (blanks and a sign before it are fine). Nothing listens in the
# namespace, so each port that parses shows as a refused connection.
PORT_OPERANDS = ["http-alt", "79-http", "1-http", "http-79", "tcpmux-3", "+1", " 1", "\t1", "1- 3", "1-+3",
                 "+1-3", " 1-3", "99999-abc", "0-abc", "1-", "+0", "99999999999999999999x", "99999x",
                 "1-99999999999999999999x", "00080", "3-1", "SSH"]


@pytest.mark.parametrize("operand", PORT_OPERANDS, ids=repr)
def test_port_operands_read_as_netcat_reads_them(netns, ncs, operand):
    args = ["-zv", "127.0.0.1", operand]
    seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]


@pytest.mark.parametrize("args", [["-h"], ["-h", "-Q"], ["-6h", "[::1]", "-1"], ["-z", "-h", "-V", "x"]],
                         ids=lambda args: " ".join(args))
def test_help_stops_the_option_parse_and_goes_to_stderr(ncs, args):
    """The text is our own; what scripts see is the same: exit 0, nothing on stdout, and a
    first line that says which netcat this is."""
    for name in ("ours", "peer"):
        stdout, stderr, code = ncs[name].run(args)
        assert (stdout, code) == (b"", 0), name
        assert stderr.startswith(b"OpenBSD netcat (Debian patchlevel 1.219-1)"), name


def test_help_names_every_option_as_scripts_look_for_them(ncs):
    """Scripts (lsof's own tests among them) probe `nc -h 2>&1 | grep '\\s\\-4'` for an option."""
    for name in ("ours", "peer"):
        stderr = ncs[name].run(["-h"])[1]
        missing = [letter for letter in "46bCDdFhIiklMmNnOPpqrSsTtUuVvWwXxZz"
                   if not re.search(rb"\s-" + letter.encode(), stderr)]
        assert not missing, (name, missing)


def test_refused_connection_and_scan(netns, ncs):
    port = free_port()
    for args in (["-v", "127.0.0.1", str(port)], ["-zv", "127.0.0.1", str(port)], ["-zv", "localhost", str(port)]):
        ours = ncs["ours"].run(args, input=b"")
        peer = ncs["peer"].run(args, input=b"")
        assert (ours[1], ours[2]) == (peer[1], peer[2]), args
        assert ours[2] == 1


def test_scan_reports_each_port_and_succeeds_if_any_is_open(netns, ncs):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        span = f"{port - 2}-{port + 1}"
        results = {}
        for name in ("ours", "peer"):
            results[name] = ncs[name].run(["-zv", "127.0.0.1", span], input=b"")
        assert results["ours"][1] == results["peer"][1]
        assert results["ours"][2] == results["peer"][2] == 0
        assert f"Connection to 127.0.0.1 {port} port [tcp/*] succeeded!" in results["ours"][1].decode()


@pytest.mark.parametrize("host", ["127.1", "0x7f.1", "::0:1"])
@pytest.mark.parametrize("flags", ["-vz", "-vzn"])
def test_verbose_lines_for_an_address_written_otherwise(netns, ncs, host, flags):
    """A host that is numeric but not in the canonical form gets its address in parentheses
    ("127.1 (127.0.0.1)"), refused or connected, except under -n, where netcat shows none."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as listener:
        listener.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        listener.listen(8)
        args = [flags, host, str(free_port()), str(listener.getsockname()[1])]
        seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    address_shown = b"(127.0.0.1)" in seen["ours"][1] or b"(::1)" in seen["ours"][1]
    assert address_shown == (flags == "-vz")


def test_connect_timeout_is_reported_as_netcat_reports_it(netns, ncs):
    """-w running out: "timed out: Operation now in progress". The listener's accept queue
    is full, so the kernel drops the SYNs and the connection never completes."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        fillers = [socket.socket() for _ in range(2)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
            port = str(listener.getsockname()[1])
            for args in (["-v", "-w", "1", "127.0.0.1", port], ["-vz", "-w", "1", "127.1", port]):
                seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
                assert seen["ours"] == seen["peer"], args
                assert b"timed out" in seen["ours"][1]
        finally:
            for filler in fillers:
                filler.close()


class Greeter:
    """A TCP listener on 127.0.0.1 that greets every client with its own line and hangs up."""

    def __init__(self, greeting):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.greeting = greeting
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with client:
                client.sendall(self.greeting)

    def close(self):
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=5)


def test_without_z_each_port_gets_its_connection_in_turn(netns, ncs):
    first, second = Greeter(b"first\n"), Greeter(b"second\n")
    closed = free_port()
    try:
        args = ["-v", "127.0.0.1", str(first.port), str(closed), str(second.port)]
        seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
    finally:
        first.close()
        second.close()
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"first\nsecond\n" and seen["ours"][2] == 0


def test_udp_ports_are_tested_only_under_v_and_the_last_one_decides(netns, ncs):
    """Without -v a UDP "scan" cannot fail; with -v each port gets netcat's probe (for -w
    seconds), and the exit status is the last connected port's."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as open_udp:
        open_udp.bind(("127.0.0.1", 0))
        listening = str(open_udp.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            closed = str(probe.getsockname()[1])
        cases = [["-uz", "127.0.0.1", closed],
                 ["-uzv", "-w", "1", "127.0.0.1", listening, closed],
                 ["-uzv", "-w", "1", "127.0.0.1", closed, listening]]
        for args in cases:
            seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
            assert seen["ours"] == seen["peer"], args
        assert [ncs["ours"].run(args)[2] for args in cases] == [0, 1, 0]


def datagrams_sent(nc, args, data, tmp_path):
    """The datagrams a UDP socket receives from `nc -u -q 0 ARGS 127.0.0.1 PORT` fed data from a file."""
    feed = tmp_path / "feed"
    feed.write_bytes(data)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        receiver.bind(("127.0.0.1", 0))
        port = receiver.getsockname()[1]
        with open(feed, "rb") as stdin:
            code = subprocess.run(["nc", "-u", "-q", "0"] + args + ["127.0.0.1", str(port)], stdin=stdin,
                                  capture_output=True, env=nc.env, timeout=30).returncode
        receiver.settimeout(0.5)
        datagrams = []
        try:
            while True:
                datagrams.append(receiver.recv(1 << 17))
        except socket.timeout:
            pass
    return datagrams, code


def crlf_as_netcat(data):
    """-C's rule: an LF gets a CR unless one precedes it already."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


@pytest.mark.parametrize("args,data", [([], os.urandom(100_000)), (["-C"], b"one\ntwo\n\nthree"),
                                       (["-C"], b"a\r\nb\n\r\n\nc\r\r\nd\re")],
                         ids=["100 kB", "-C lines", "-C with CRLF already"])
def test_udp_datagrams_are_cut_as_netcat_cuts_them(netns, ncs, args, data, tmp_path):
    """16 KiB per datagram (one read of stdin each); under -C a line's text and its CRLF go
    as two datagrams, and a line that ends in CRLF already goes whole, as one."""
    seen = {name: datagrams_sent(ncs[name], args, data, tmp_path) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert b"".join(seen["ours"][0]) == (crlf_as_netcat(data) if args else data)


def test_listen_port_goes_to_getaddrinfo_as_given(netns, ncs):
    """`nc -l 99999`: netcat hands the text to getaddrinfo, which keeps the low 16 bits."""
    for name in ("ours", "peer"):
        server = ncs[name].spawn(netns, ["-lnv", "99999"], stdin=subprocess.DEVNULL)
        try:
            assert wait_for_port(server) == 99999 % 65536, name
            # The port is visible from bind() on; the line comes after listen(): wait for it.
            os.set_blocking(server.popen.stderr.fileno(), False)
            seen = bytearray()
            wait_for(lambda: seen.extend(server.popen.stderr.read() or b"") or b"\n" in seen,
                     what=f"{name}'s Listening line")
        finally:
            server.stop()
        assert bytes(seen) == b"Listening on 0.0.0.0 34463\n", name


def listen_and_exchange(netns, nc, tmp_path, listen_args, connect_args, client_data, server_data):
    """A listener and a client from the same implementation, fed from files: what each saw."""
    server_input = tmp_path / "server.in"
    server_input.write_bytes(server_data)
    with open(server_input, "rb") as stdin:
        server = nc.spawn(netns, listen_args, stdin=stdin)
    port = wait_for_port(server)
    client = nc.spawn(netns, [arg.replace("PORT", str(port)) for arg in connect_args])
    client_result = client.communicate(client_data)
    server_result = server.communicate()
    return port, client_result, server_result


def test_listen_connect_exchange_messages(netns, ncs, tmp_path):
    seen = {}
    for name in ("ours", "peer"):
        port, client, server = listen_and_exchange(
            netns, ncs[name], tmp_path, ["-lvN", "127.0.0.1", "0"], ["-vN", "127.0.0.1", "PORT"],
            b"hello\n", b"welcome\n")
        seen[name] = (client[0], normalise(client[1], [port]), client[2],
                      server[0], normalise(server[1], [port]), server[2])
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][0] == b"welcome\n" and seen["ours"][3] == b"hello\n"


def read_some(stream, deadline_what):
    """Whatever a child wrote to a pipe, waiting (with a deadline) for the first bytes."""
    os.set_blocking(stream.fileno(), False)
    return wait_for(lambda: stream.read(), what=deadline_what)


def test_udp_listen_binds_and_takes_the_first_sender(netns, ncs):
    seen = {}
    for name in ("ours", "peer"):
        server = ncs[name].spawn(netns, ["-lu", "127.0.0.1", "0"])
        port = wait_for_port(server, "udp")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.bind(("127.0.0.1", 0))
            client.sendto(b"ping\n", ("127.0.0.1", port))
            received = read_some(server.popen.stdout, "the datagram on the listener's stdout")
            server.popen.stdin.write(b"pong\n")
            server.popen.stdin.flush()
            client.settimeout(5)
            reply = client.recv(100)
        seen[name] = (received, reply)
        server.kill()
    assert seen["ours"] == seen["peer"] == (b"ping\n", b"pong\n")


def test_seed_scenario_specific_and_wildcard_listeners(seed, ncs):
    """The seed: nc -l -k 127.0.0.1 P and nc -l -k 0.0.0.0 P coexist; 127.0.0.1 reaches the
    first, 192.168.1.89 the second; a foreign address cannot be bound."""
    outcomes = {}
    for name in ("ours", "peer"):
        port = free_port()
        specific = ncs[name].spawn(seed.ns, ["-l", "-k", "127.0.0.1", str(port)], stdin=subprocess.DEVNULL)
        wait_for_port(specific)
        wildcard = ncs[name].spawn(seed.ns, ["-l", "-k", "0.0.0.0", str(port)], stdin=subprocess.DEVNULL)
        assert wait_for_port(wildcard) == port
        for address in ("127.0.0.1", SeedTopology.EN0_V4):
            ncs[name].run(["-N", address, str(port)], input=f"to {address}\n".encode())
        foreign = ncs[name].run(["-l", "-k", "192.168.1.90", str(port)], input=b"")
        outcomes[name] = (specific.stop()[0], wildcard.stop()[0], foreign[1], foreign[2])
    assert outcomes["ours"] == outcomes["peer"]
    assert outcomes["ours"][0] == b"to 127.0.0.1\n"
    assert outcomes["ours"][1] == f"to {SeedTopology.EN0_V4}\n".encode()
    assert outcomes["ours"][2:] == (b"nc: Cannot assign requested address\n", 1)


def test_source_address_that_is_not_local(netns, ncs):
    port = free_port()
    ours = ncs["ours"].run(["-s", "192.168.1.90", "127.0.0.1", str(port)], input=b"")
    peer = ncs["peer"].run(["-s", "192.168.1.90", "127.0.0.1", str(port)], input=b"")
    assert (ours[1], ours[2]) == (peer[1], peer[2]) == (b"nc: bind failed: Cannot assign requested address\n", 1)


def test_numeric_flag_leaves_a_clients_source_name_alone(netns, ncs):
    """netcat resolves -s without AI_NUMERICHOST: `-n -s localhost` binds 127.0.0.1 and
    connects; a listener's -s address does obey -n."""
    greeter = Greeter(b"hello\n")
    try:
        for args in (["-n", "-s", "localhost", "127.0.0.1", str(greeter.port)],
                     ["-nv", "-s", "localhost", "-p", str(free_port()), "127.0.0.1", str(greeter.port)],
                     ["-ln", "-s", "localhost", "-p", "0"]):
            seen = {name: ncs[name].run(args) for name in ("ours", "peer")}
            assert seen["ours"] == seen["peer"], args
            if "-l" not in args[0]:
                assert seen["ours"][::2] == (b"hello\n", 0)
    finally:
        greeter.close()


def test_verbose_bind_failure_adds_one_hint_naming_the_owned_addresses(seed, ncs):
    for args in (["-v", "-s", "192.168.1.90", "127.0.0.1", "9"], ["-lv", "192.168.1.90", "4444"]):
        ours = ncs["ours"].run(args)
        peer = ncs["peer"].run(args)
        lines = ours[1].decode().splitlines()
        # netcat's own lines first, unchanged; then exactly one hint.
        assert "\n".join(lines[:-1]) + "\n" == peer[1].decode() and ours[2] == peer[2] == 1
        assert lines[-1] == ("nc: hint: 192.168.1.90 is not an address of this host; its addresses: "
                             "lo 127.0.0.1, en0 192.168.1.89, p2p0 10.99.0.1 (down)")


def test_unix_stream_socket_round_trip(netns, ncs, tmp_path):
    seen = {}
    for name in ("ours", "peer"):
        path = str(tmp_path / f"{name}.sock")
        server = ncs[name].spawn(netns, ["-lNU", path], stdin=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(path), what="the UNIX socket file")
        client = ncs[name].run(["-NU", path], input=b"over unix\n")
        server_out, _, server_code = server.communicate(timeout=10)
        seen[name] = (client[2], server_out, server_code)
    assert seen["ours"] == seen["peer"]
    assert seen["ours"][1] == b"over unix\n"


def client_sends_to_python_listener(netns, nc, args, data, tmp_path):
    """What a plain listener receives from `nc ARGS 127.0.0.1 PORT` fed with data, and nc's exit code."""
    feed = tmp_path / "feed"
    feed.write_bytes(data)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with open(feed, "rb") as stdin:
            client = nc.spawn(netns, list(args) + ["127.0.0.1", str(port)], stdin=stdin)
        accepted, _ = listener.accept()
        accepted.settimeout(5)
        received = b""
        while chunk := accepted.recv(65536):
            received += chunk
        accepted.close()
        _, _, code = client.communicate()
    return received, code


@pytest.mark.parametrize("args", [["-N", "-C"], ["-N"], ["-q", "0"]], ids=lambda a: " ".join(a))
def test_what_reaches_the_wire(netns, ncs, args, tmp_path):
    data = b"one\ntwo\n" * 1000
    seen = {name: client_sends_to_python_listener(netns, ncs[name], args, data, tmp_path) for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]


def test_crlf_leaves_a_crlf_in_the_input_alone(netns, ncs, tmp_path):
    """-C adds a CR only where the LF has none before it: CRLF input stays CRLF, "\\r\\r\\n" too."""
    data = b"a\r\nb\n\r\n\nc\r\r\nd\re" * 500
    seen = {name: client_sends_to_python_listener(netns, ncs[name], ["-N", "-C"], data, tmp_path)
            for name in ("ours", "peer")}
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] == (crlf_as_netcat(data), 0)


def test_telnet_negotiation_is_refused_as_nc_does(netns, ncs):
    negotiation = bytes([255, 253, 1, 255, 251, 3, 255, 254, 5, 255, 252, 6]) + b"login: "
    seen = {}
    for name in ("ours", "peer"):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]
            client = ncs[name].spawn(netns, ["-t", "127.0.0.1", str(port)])
            accepted, _ = listener.accept()
            accepted.sendall(negotiation)
            accepted.settimeout(5)
            answer = b""
            while len(answer) < 12:
                chunk = accepted.recv(100)
                if not chunk:
                    break
                answer += chunk
            accepted.close()
            seen[name] = answer
            client.kill()
    assert seen["ours"] == seen["peer"]
    assert seen["ours"] == bytes([255, 252, 1, 255, 254, 3, 255, 252, 5, 255, 254, 6])
