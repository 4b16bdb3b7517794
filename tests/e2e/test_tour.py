"""sockscope tour: the seed scenario from start to end, in its own namespace and loopback-only."""
import re

from harness import run, sh, sockscope


def steps(text):
    return re.findall(r"^── (\d+)\. ", text, re.M)


def test_tour_in_a_private_namespace_follows_the_seed(netns):
    stdout, stderr, code = run(sockscope("tour"), timeout=120)
    text = stdout.decode()
    assert code == 0, text + stderr.decode()
    assert steps(text) == [str(n) for n in range(1, 10)]
    listing = text.split("── 1.")[1].split("── 2.")[0]
    assert "en0: index" in listing and "inet 192.168.1.89/24" in listing and "p2p0" not in listing  # down: not shown
    assert "Connection to 127.0.0.1 4444 port [tcp/" in text and "succeeded!" in text
    assert "nc: connect to 192.168.1.89 port 4444 (tcp) failed: Connection refused" in text
    assert re.search(r"^nc +\d+ root +3u +IPv4 .* TCP 127\.0\.0\.1:4444 \(LISTEN\)$", text, re.M)
    assert re.search(r"^nc +\d+ root +3u +IPv4 .* TCP \*:4444 \(LISTEN\)$", text, re.M)
    assert re.search(r"127\.0\.0\.1 +-> the 127\.0\.0\.1 listener", text)
    for address in ("192.168.1.89", "127.0.0.2", "10.99.0.1"):
        assert re.search(rf"{re.escape(address)} +-> the 0\.0\.0\.0 listener", text), address
    assert "nc: Cannot assign requested address" in text
    # explain's verdicts agree with what just happened on the real sockets.
    assert "refused: tcp to 192.168.1.89:4444 from the host" in text
    assert "fix: the only listener on tcp port 4444 is bound to 127.0.0.1; bind 0.0.0.0 or 192.168.1.89" in text
    assert "delivered: tcp to 192.168.1.89:4444 from the host goes to 0.0.0.0:4444 LISTEN (nc pid" in text
    assert "would fail with EADDRNOTAVAIL" in text
    assert text.count("-> Address already in use") == 2
    # It cleaned up: no listener is left, and the namespace it made is gone with it.
    assert "4444" not in sh("ss", "-Htln").stdout
    assert "en0" not in sh("ip", "-o", "link").stdout


def test_tour_on_loopback_only(netns):
    stdout, stderr, code = run(sockscope("tour", "--loopback"), timeout=120)
    text = stdout.decode()
    assert code == 0, text + stderr.decode()
    assert "uses loopback only" in text and "127.0.0.2 plays en0's address" in text
    assert re.search(r"127\.0\.0\.2 +-> the 0\.0\.0\.0 listener", text)
    assert "nc: Cannot assign requested address" in text
    assert sh("ss", "-Htln").stdout.strip() == ""


def test_tour_rejects_unknown_arguments():
    _, stderr, code = run(sockscope("tour", "--nope"))
    assert code == 2 and stderr.count(b"\n") == 1
