"""The harness itself on real sockets: namespaces are private, the seed topology is as the
seed describes, and reading back a port-0 listener works."""
import socket
import subprocess
import sys

from harness import SeedTopology, run, sh, wait_for_port


def test_each_test_has_its_own_namespace(netns):
    links = sh("ip", "-o", "link", "show").stdout.splitlines()
    assert len(links) == 1 and ": lo:" in links[0]
    # A port bound here is invisible to the host namespace and to other tests.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_seed_topology(seed):
    show = sh("ip", "-o", "addr", "show").stdout
    assert "inet 127.0.0.1/8" in show
    assert f"en0    inet {SeedTopology.EN0_V4}/24" in show
    assert f"en0    inet6 {SeedTopology.EN0_LINK_LOCAL}/64 scope link" in show
    assert f"p2p0    inet {SeedTopology.P2P0_V4}/24" in show
    assert ",UP," in sh("ip", "-o", "link", "show", "en0").stdout
    assert ",UP," not in sh("ip", "-o", "link", "show", "p2p0").stdout
    # The peer namespace reaches en0's address over the veth; the host's 127.0.0.1 is not reachable.
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        port = listener.getsockname()[1]
        probe = ("import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)")
        result = subprocess.run(seed.in_peer([sys.executable, "-c", probe, SeedTopology.EN0_V4, str(port)]),
                                capture_output=True, timeout=10)
        assert result.returncode == 0, result.stderr
        accepted, peer = listener.accept()
        accepted.close()
        assert peer[0] == SeedTopology.PEER_V4


def test_port_read_back_from_a_real_listener(netns):
    server = netns.spawn(["python3", "-c",
                          "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); time.sleep(30)"])
    port = wait_for_port(server)
    assert 0 < port < 65536
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


def test_run_captures_output_and_status(netns):
    stdout, stderr, code = run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (stdout, stderr, code) == (b"out\n", b"err\n", 3)
