"""What sockscope nc adds under -v beyond netcat: one hint or warning line after netcat's own
lines, which stay byte-identical to netcat-openbsd's."""
import os
import socket
import subprocess

from harness import SeedTopology, peer_binary, run, wait_for, wait_for_port
from test_nc_compat import Nc, free_port


def nc_pair(tmp_path):
    from harness import SOCKSCOPE
    return Nc(tmp_path / "ours", SOCKSCOPE), Nc(tmp_path / "peer", peer_binary("nc.openbsd"))


def test_refused_connection_names_the_listeners_on_other_addresses(seed, tmp_path):
    ours, peer = nc_pair(tmp_path)
    port = free_port()
    listener = peer.spawn(seed.ns, ["-l", "-k", "127.0.0.1", str(port)], stdin=subprocess.DEVNULL)
    wait_for_port(listener)
    args = ["-v", SeedTopology.EN0_V4, str(port)]
    mine, theirs = ours.run(args), peer.run(args)
    lines = mine[1].decode().splitlines()
    assert "\n".join(lines[:-1]) + "\n" == theirs[1].decode() and mine[2] == theirs[2] == 1
    assert lines[-1] == (f"nc: hint: nothing listens on {SeedTopology.EN0_V4}, but port {port} has listeners on "
                         f"other addresses: 127.0.0.1:{port} LISTEN by nc (pid {listener.pid})")


def test_address_in_use_names_the_holder(netns, tmp_path):
    ours, peer = nc_pair(tmp_path)
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        port = holder.getsockname()[1]
        args = ["-lv", "127.0.0.1", str(port)]
        mine, theirs = ours.run(args), peer.run(args)
    lines = mine[1].decode().splitlines()
    assert "\n".join(lines[:-1]) + "\n" == theirs[1].decode() == "nc: Address already in use\n"
    assert mine[2] == theirs[2] == 1
    assert lines[-1] == f"nc: hint: port {port} is held: 0.0.0.0:{port} LISTEN by python3 (pid {os.getpid()})"


def test_a_second_identical_listener_is_warned_about(netns, tmp_path):
    ours, _ = nc_pair(tmp_path)
    port = free_port()
    first = ours.spawn(netns, ["-l", "-k", "127.0.0.1", str(port)], stdin=subprocess.DEVNULL)
    wait_for_port(first)
    second = ours.spawn(netns, ["-nlv", "-k", "127.0.0.1", str(port)], stdin=subprocess.DEVNULL)
    os.set_blocking(second.popen.stderr.fileno(), False)
    seen = bytearray()
    wait_for(lambda: seen.extend(second.popen.stderr.read() or b"") or seen.count(b"\n") >= 2, what="the warning")
    assert seen.decode().splitlines() == [
        f"Listening on 127.0.0.1 {port}",
        f"nc: warning: 127.0.0.1:{port} is also listened on by nc (pid {first.pid}); the kernel will split "
        "connections between them (SO_REUSEPORT)"]
