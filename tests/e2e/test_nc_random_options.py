"""Random nc command lines, built from netcat-openbsd's option letters and argument forms, run
through both implementations: exit status, stdout and stderr must agree. Most are refused
(the order in which nc checks things decides which message comes out); the rest scan or
connect to a listener of the test's, on loopback in the test's namespace.

A fixed seed keeps the run repeatable. Left out: -r (random order), -U (temporary socket
paths in the messages), -S and -P (they read a terminal). Command lines that neither finishes
in time (a listener waiting for a client) are skipped."""
import random
import socket
import subprocess
import threading

import pytest

from harness import SOCKSCOPE, peer_binary
from test_nc_compat import Nc

SEED = 20261203
COUNT = 250
PATIENCE = 2.0  # seconds a command line may run
SECOND_CHANCE = 10.0  # when only one of the two finished in time: a loaded machine, or a hang?


@pytest.fixture
def ncs(tmp_path):
    return {name: Nc(tmp_path / name, target)
            for name, target in (("ours", SOCKSCOPE), ("peer", peer_binary("nc.openbsd")))}


class Greeters:
    """TCP listeners on 127.0.0.1 and ::1 at one port that greet each client and hang up."""

    def __init__(self):
        self.sockets = []
        v4 = socket.socket()
        v4.bind(("127.0.0.1", 0))
        self.port = v4.getsockname()[1]
        v6 = socket.socket(socket.AF_INET6)
        v6.bind(("::1", self.port))
        for listener in (v4, v6):
            listener.listen(64)
            self.sockets.append(listener)
            threading.Thread(target=self.serve, args=(listener,), daemon=True).start()

    @staticmethod
    def serve(listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                client.sendall(b"hello\n")

    def close(self):
        for listener in self.sockets:
            listener.close()


def random_command_line(rnd, port):
    flags = list("46bCDdFhklNntuvzZ")
    with_value = {"-I": ["1024", "0", "x"], "-i": ["0", "1x", "-1"], "-M": ["1", "256", "x"], "-m": ["0", "x"],
                  "-O": ["1024", "0"], "-p": ["0", "65536", "x", "1"], "-q": ["0", "-1", "x"],
                  "-s": ["127.0.0.1", "::1", "bad..name"], "-T": ["lowdelay", "af11", "0x10", "256", "bogus"],
                  "-V": ["0"], "-W": ["1", "0"], "-w": ["0", "1", "x"], "-X": ["4", "5", "connect", "x"],
                  "-x": ["127.0.0.1:1", "[::1]:1", "127.0.0.1:x"]}
    hosts = ["127.0.0.1", "::1", "localhost", "", "bad..host", "256.1.1.1"]
    ports = [str(port), f"{port - 1}-{port + 1}", str(port + 7), "0", "65536", "x", "1-", "http"]
    args = []
    for _ in range(rnd.randint(0, 4)):
        if rnd.random() < 0.5:
            args.append("-" + "".join(rnd.sample(flags, rnd.randint(1, 3))))
        else:
            option = rnd.choice(sorted(with_value))
            args += [option, rnd.choice(with_value[option])]
    operands = rnd.choice([[], [rnd.choice(hosts)], [rnd.choice(hosts), rnd.choice(ports)], [rnd.choice(ports)],
                           [rnd.choice(hosts), rnd.choice(ports), rnd.choice(ports)]])
    if args and rnd.random() < 0.3:  # options after the operands
        cut = rnd.randint(0, len(operands))
        return operands[:cut] + args + operands[cut:]
    return args + operands


def outcome(nc, args, patience=PATIENCE):
    try:
        done = subprocess.run(["nc"] + args, stdin=subprocess.DEVNULL, capture_output=True, env=nc.env,
                              timeout=patience)
    except subprocess.TimeoutExpired:
        return None
    # Our one hint or warning under -v, beyond netcat's lines (test_nc_hints.py checks them).
    stderr = b"".join(line for line in done.stderr.splitlines(keepends=True)
                      if not line.startswith((b"nc: hint: ", b"nc: warning: ")))
    if stderr.startswith(b"OpenBSD netcat"):  # -h: the text is our own; where it goes is compared
        stderr = b"help"
    return done.returncode, done.stdout, stderr


def test_random_command_lines_match_netcat(netns, ncs):
    greeters = Greeters()
    rnd = random.Random(SEED)
    compared, differences = 0, []
    try:
        for _ in range(COUNT):
            args = random_command_line(rnd, greeters.port)
            ours, peer = outcome(ncs["ours"], args), outcome(ncs["peer"], args)
            if (ours is None) != (peer is None):
                ours, peer = outcome(ncs["ours"], args, SECOND_CHANCE), outcome(ncs["peer"], args, SECOND_CHANCE)
            if ours is None and peer is None:
                continue
            compared += 1
            if ours != peer:
                differences.append((args, ours, peer))
    finally:
        greeters.close()
    assert compared >= COUNT // 2
    assert not differences, differences[:3]
