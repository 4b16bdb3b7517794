"""sockscope explain: messages and exit codes, each answer checked against a real bind or
connect on the same sockets (seed topology in a private namespace)."""
import errno
import json
import os
import socket
import subprocess

import pytest

from harness import SeedTopology, run, sh, sockscope


def explain(*args):
    stdout, stderr, code = run(sockscope("explain", *args))
    return stdout.decode(), stderr.decode(), code


def explain_json(*args):
    stdout, stderr, code = explain(*args, "--json")
    assert stderr == "", stderr
    return json.loads(stdout), code


def real_bind(address, port, family=socket.AF_INET, kind=socket.SOCK_STREAM, reuseaddr=False, reuseport=False):
    s = socket.socket(family, kind)
    try:
        if reuseaddr:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuseport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((address, port))
        if kind == socket.SOCK_STREAM:
            s.listen()
        return "OK"
    except OSError as error:
        return errno.errorcode[error.errno]
    finally:
        s.close()


def listener(address="127.0.0.1", port=0, reuseaddr=False, reuseport=False, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    if reuseaddr:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((address, port))
    s.listen()
    return s


@pytest.mark.parametrize("args, message", [
    ([], "missing ADDR:PORT"),
    (["bogus"], "invalid endpoint \"bogus\""),
    (["127.0.0.1:80", "--frobnicate"], "unknown option --frobnicate"),
    (["127.0.0.1:80", "--reuseaddr"], "--reuseaddr only makes sense with --bind"),
    (["--bind", "udp", "127.0.0.1:80", "--listen"], "--listen is for TCP"),
    (["--bind", "127.0.0.1:80", "--from", "127.0.0.1"], "do not go with --bind"),
    (["127.0.0.1:0"], "the destination port must be between 1 and 65535"),
    (["127.0.0.1:80", "--in", "nosuch0"], "--in: no interface named \"nosuch0\""),
    (["127.0.0.1:80", "--from", "x.y"], "--from: invalid"),
    (["--bind", "127.0.0.1:80", "--uid", "me"], "invalid uid \"me\""),
    (["--bind", "127.0.0.1:80", "--v6only"], "--v6only and --no-v6only are for IPv6 addresses"),
    (["127.0.0.1:80", "10.0.0.1:80"], "unexpected argument"),
    (["udp", "192.168.1.255:9"], "broadcast and multicast delivery is not modelled"),
])
def test_bad_input_is_one_line_and_exit_2(seed, args, message):
    stdout, stderr, code = explain(*args)
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith(f"{os.path.basename(sockscope()[0])} explain: "), stderr
    assert message in stderr


def test_help_is_ours_and_exits_0(netns):
    stdout, _, code = explain("--help")
    assert code == 0
    assert "--bind" in stdout and "Exit status: 0 delivered or allowed" in stdout


def test_refused_connection_names_the_listener_and_the_fix(seed):
    held = listener("127.0.0.1")
    port = held.getsockname()[1]
    stdout, _, code = explain("tcp", f"{SeedTopology.EN0_V4}:{port}")
    assert code == 1
    assert stdout.startswith(f"refused: tcp to {SeedTopology.EN0_V4}:{port} from the host")
    assert f"fix: the only listener on tcp port {port} is bound to 127.0.0.1; bind 0.0.0.0 or {SeedTopology.EN0_V4}" in stdout
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((SeedTopology.EN0_V4, port), timeout=5).close()
    stdout, _, code = explain(f"127.0.0.1:{port}")
    assert code == 0
    assert stdout.startswith(f"delivered: tcp to 127.0.0.1:{port} from the host goes to 127.0.0.1:{port} LISTEN")
    assert f"pid {os.getpid()}" in stdout
    socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_bind_denied_and_allowed_agree_with_real_binds(seed):
    held = listener("127.0.0.1", reuseaddr=True)
    port = held.getsockname()[1]
    verdict, code = explain_json("--bind", f"0.0.0.0:{port}", "--reuseaddr", "--listen")
    assert code == 1 and verdict["outcome"] == "denied" and verdict["errno"] == "EADDRINUSE"
    assert real_bind("0.0.0.0", port, reuseaddr=True) == "EADDRINUSE"
    [conflict] = verdict["sockets"]
    assert conflict["local"] == f"127.0.0.1:{port}" and conflict["state"] == "listen"
    assert conflict["reuseaddr"] is True and conflict["reuseport"] is False
    assert conflict["owners"][0]["pid"] == os.getpid()
    assert conflict["inode"] == os.fstat(held.fileno()).st_ino
    assert "listening" in conflict["note"]
    assert verdict["reasons"][-1]["kernel"] == "inet_bind_conflict"

    verdict, code = explain_json("--bind", f"127.0.0.2:{port}", "--listen")
    assert code == 0 and verdict["outcome"] == "allowed"
    assert real_bind("127.0.0.2", port) == "OK"


def test_seed_addresses_down_interface_and_foreign_address(seed):
    stdout, _, code = explain("--bind", f"{SeedTopology.P2P0_V4}:4444")
    assert code == 0 and "p2p0 is down, but IPv4 keeps its local route" in stdout
    assert real_bind(SeedTopology.P2P0_V4, 4444) == "OK"
    stdout, _, code = explain("--bind", "192.168.1.90:4444")
    assert code == 1 and "EADDRNOTAVAIL (Cannot assign requested address)" in stdout
    assert real_bind("192.168.1.90", 4444) == "EADDRNOTAVAIL"
    stdout, _, code = explain("--bind", "[fe80::89]:4444")
    assert code == 1 and "EINVAL" in stdout and "fix: say which interface" in stdout
    assert real_bind("fe80::89", 4444, socket.AF_INET6) == "EINVAL"
    stdout, _, code = explain("tcp", "127.0.0.1:4444", "--in", "en0")
    assert code == 1 and stdout.startswith("dropped:") and "martian" in stdout


def test_unprivileged_caller_sees_assumptions_about_unreadable_flags(seed):
    held = listener("0.0.0.0", reuseport=True)
    port = held.getsockname()[1]
    # uid 65534 cannot read root's descriptors, so the listener's SO_REUSEPORT is unknown.
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] +
                            sockscope("explain", "--bind", f"127.0.0.1:{port}", "--reuseport", "--uid", "0", "--json"),
                            capture_output=True, text=True, timeout=10)
    verdict = json.loads(result.stdout)
    assert result.returncode == 1 and verdict["errno"] == "EADDRINUSE"
    assert any("could not be inspected" in assumption for assumption in verdict["assumptions"]), verdict
    assert verdict["if_unknown_flags_set"] == {"outcome": "allowed", "errno": None}
    assert real_bind("127.0.0.1", port, reuseport=True) == "OK"  # the truth: it has SO_REUSEPORT


def test_udp_delivery_json_and_exit_codes(seed):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("0.0.0.0", 0))
    port = receiver.getsockname()[1]
    verdict, code = explain_json("udp", f"{SeedTopology.P2P0_V4}:{port}")
    assert code == 0 and verdict["outcome"] == "delivered" and verdict["choice"] == "single"
    assert verdict["sockets"][0]["inode"] == os.fstat(receiver.fileno()).st_ino
    assert verdict["question"] == {"kind": "deliver", "protocol": "udp", "destination": f"{SeedTopology.P2P0_V4}:{port}",
                                   "source": None, "arriving_interface": None}
    verdict, code = explain_json("udp", f"127.0.0.1:{port + 1 if port < 65535 else port - 1}")
    assert code == 1 and verdict["outcome"] == "refused"


RAW_SYN = r'''
import socket, struct, sys, time
def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff
destination_mac, source, destination, port = bytes.fromhex(sys.argv[1].replace(":", "")), sys.argv[2], sys.argv[3], int(sys.argv[4])
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
raw.bind(("en1", 0))
source_mac = raw.getsockname()[4]
source_port = 40000 + port % 20000
tcp = struct.pack("!HHIIBBHHH", source_port, port, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
pseudo = socket.inet_aton(source) + socket.inet_aton(destination) + struct.pack("!BBH", 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, socket.inet_aton(source), socket.inet_aton(destination))
ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
raw.send(destination_mac + source_mac + b"\x08\x00" + ip + tcp)
deadline = time.monotonic() + 1.5
raw.settimeout(0.1)
while time.monotonic() < deadline:
    try:
        frame = raw.recv(2048)
    except socket.timeout:
        continue
    packet = frame[14:]
    if len(packet) < 40 or packet[9] != 6 or packet[16:20] != socket.inet_aton(source):
        continue
    header = (packet[0] & 0x0f) * 4
    their_port, our_port = struct.unpack("!HH", packet[header:header + 4])
    flags = packet[header + 13]
    if their_port == port and our_port == source_port:
        print("synack" if flags & 0x12 == 0x12 else "rst" if flags & 0x04 else "other")
        sys.exit(0)
print("none")
'''


def raw_syn_from_peer(seed, destination, port):
    """A SYN built by hand and sent on the peer's en1 straight to en0's MAC, so it can carry a
    destination the peer would never route (127.0.0.1); the answer seen on en1, or "none"."""
    mac = json.loads(sh("ip", "-j", "link", "show", "en0").stdout)[0]["address"]
    result = subprocess.run(seed.in_peer(["/usr/bin/python3", "-c", RAW_SYN, mac, SeedTopology.PEER_V4, destination, str(port)]),
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_loopback_from_outside_is_martian_unless_route_localnet(seed):
    held = listener("0.0.0.0")
    port = held.getsockname()[1]
    question = ("tcp", f"127.0.0.1:{port}", "--in", "en0", "--from", SeedTopology.PEER_V4)
    verdict, code = explain_json(*question)
    assert code == 1 and verdict["outcome"] == "dropped"
    assert verdict["reasons"][-1]["rule"] == "martian-destination"
    assert raw_syn_from_peer(seed, "127.0.0.1", port) == "none"
    # The same frame to en0's own address gets its SYN-ACK: the frame itself is fine.
    verdict, code = explain_json("tcp", f"{SeedTopology.EN0_V4}:{port}", "--in", "en0", "--from", SeedTopology.PEER_V4)
    assert code == 0 and verdict["outcome"] == "delivered"
    assert raw_syn_from_peer(seed, SeedTopology.EN0_V4, port) == "synack"

    sh("sysctl", "-qw", "net.ipv4.conf.en0.route_localnet=1")
    verdict, code = explain_json(*question)
    assert code == 0 and verdict["outcome"] == "delivered"
    assert verdict["sockets"][0]["inode"] == os.fstat(held.fileno()).st_ino
    assert raw_syn_from_peer(seed, "127.0.0.1", port) == "synack"


def udp_socket(port, device=None, reuseport=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if device:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
    s.bind(("0.0.0.0", port))
    return s


@pytest.mark.parametrize("reuseport_socket_newer", [True, False])
def test_udp_first_overlapping_socket_decides(seed, reuseport_socket_newer):
    """udp_lib_lport_inuse() stops at the first overlapping socket: a newer same-uid
    SO_REUSEPORT socket lets a bind through past an older conflicting one, not the reverse."""
    held = [udp_socket(0, "en0")]
    port = held[0].getsockname()[1]
    held.append(udp_socket(port, "p2p0", reuseport=True))
    if not reuseport_socket_newer:
        held = [udp_socket(0, "p2p0", reuseport=True)]
        port = held[0].getsockname()[1]
        held.append(udp_socket(port, "en0"))
    verdict, code = explain_json("--bind", "udp", f"0.0.0.0:{port}", "--reuseport")
    real = real_bind("0.0.0.0", port, kind=socket.SOCK_DGRAM, reuseport=True)
    assert real == ("OK" if reuseport_socket_newer else "EADDRINUSE")
    assert (verdict["errno"] or "OK") == real
    assert code == (0 if real == "OK" else 1)


@pytest.mark.parametrize("reuseport_socket_newer", [True, False])
def test_udp_ipv6_reuseport_sockets_are_scanned_last(seed, reuseport_socket_newer):
    """IPv6 SO_REUSEPORT sockets sit at the tail of the port's chain (sk_add_node_rcu), so
    the plain socket is met first in both orders."""
    def udp6(port, device, reuseport=False):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        if reuseport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        s.bind(("::", port))
        return s
    older_device, newer_device = ("en0", "p2p0") if reuseport_socket_newer else ("p2p0", "en0")
    first = udp6(0, older_device, reuseport=not reuseport_socket_newer)
    port = first.getsockname()[1]
    second = udp6(port, newer_device, reuseport=reuseport_socket_newer)
    verdict, code = explain_json("--bind", "udp", f"[::]:{port}", "--reuseport")
    real = real_bind("::", port, family=socket.AF_INET6, kind=socket.SOCK_DGRAM, reuseport=True)
    assert real == "EADDRINUSE" and verdict["errno"] == real and code == 1
    second.close()
    first.close()
