"""End-to-end harness: run the real sockscope binary against real sockets.

Each test gets a fresh network namespace (unshare(CLONE_NEWNET) on the test's thread, then
`ip link set lo up`), so tests never collide on ports and can run in parallel. Processes the
test starts inherit the namespace; they are killed by process group at the end. Every wait
has a deadline.
"""
import ctypes
import itertools
import os
import re
import shutil
import signal
import subprocess
import time

CLONE_NEWNET = 0x40000000
SOCKSCOPE = os.environ.get("SOCKSCOPE_BIN", "")
SOURCE_DIR = os.environ.get("SOCKSCOPE_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
DEFAULT_TIMEOUT = 10.0

_libc = ctypes.CDLL(None, use_errno=True)
_names = itertools.count()


class NamespaceUnavailable(Exception):
    pass


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def sh(*args, check=True, timeout=DEFAULT_TIMEOUT):
    """Runs a set-up command (ip, sysctl, ...); its failure is the test's failure."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


class NetNs:
    """A fresh network namespace entered by the calling thread until close()."""

    def __init__(self):
        if os.geteuid() != 0:
            raise NamespaceUnavailable("needs root to create network namespaces")
        self._home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        if _libc.unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            os.close(self._home)
            raise NamespaceUnavailable(f"unshare(CLONE_NEWNET) failed: {os.strerror(err)}")
        self.processes = []
        self.peer_namespaces = []
        sh("ip", "link", "set", "lo", "up")

    def close(self):
        for process in self.processes:
            process.kill()
        for name in self.peer_namespaces:
            sh("ip", "netns", "del", name, check=False)
        _libc.setns(self._home, CLONE_NEWNET)
        os.close(self._home)

    def add_peer_namespace(self):
        """A second, named namespace: "another host" reached over a veth."""
        name = f"sockscope-peer-{os.getpid()}-{next(_names)}"
        sh("ip", "netns", "add", name)
        self.peer_namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def spawn(self, args, **kwargs):
        process = Process(args, **kwargs)
        self.processes.append(process)
        return process


class SeedTopology:
    """The seed's machine inside a namespace: lo; en0 (veth, UP, 192.168.1.89/24 and a
    link-local fe80::89); p2p0 (tun, DOWN, 10.99.0.1/24). The veth's other end, en1, is
    192.168.1.50/24 in a peer namespace that plays a host on en0's LAN."""

    EN0_V4 = "192.168.1.89"
    EN0_LINK_LOCAL = "fe80::89"
    P2P0_V4 = "10.99.0.1"
    PEER_V4 = "192.168.1.50"
    PEER_LINK_LOCAL = "fe80::50"

    def __init__(self, ns):
        self.ns = ns
        self.peer = ns.add_peer_namespace()
        # No duplicate-address detection: addresses are usable at once, not "tentative".
        for conf in ("default", "all"):
            sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.accept_dad=0")
        sh("ip", "link", "add", "en0", "type", "veth", "peer", "name", "en1", "netns", self.peer)
        sh("ip", "addr", "add", f"{self.EN0_V4}/24", "broadcast", "+", "dev", "en0")
        sh("ip", "addr", "add", f"{self.EN0_LINK_LOCAL}/64", "dev", "en0", "nodad")
        sh("ip", "link", "set", "en0", "up")
        sh("ip", "tuntap", "add", "dev", "p2p0", "mode", "tun")
        sh("ip", "addr", "add", f"{self.P2P0_V4}/24", "dev", "p2p0")
        sh("ip", "-n", self.peer, "addr", "add", f"{self.PEER_V4}/24", "dev", "en1")
        sh("ip", "-n", self.peer, "addr", "add", f"{self.PEER_LINK_LOCAL}/64", "dev", "en1", "nodad")
        sh("ip", "-n", self.peer, "link", "set", "en1", "up")
        wait_for(lambda: "state UP" in sh("ip", "link", "show", "en0").stdout, what="en0 to come up")

    def in_peer(self, args):
        """The same command, run in the peer namespace."""
        return ["ip", "netns", "exec", self.peer] + list(args)


class Process:
    """A child in its own process group, with captured output and a kill at the end."""

    def __init__(self, args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=None):
        self.args = list(args)
        self.popen = subprocess.Popen(self.args, stdin=stdin, stdout=stdout, stderr=stderr,
                                      start_new_session=True, env=env)
        self.pid = self.popen.pid
        self.final_output = (b"", b"")

    def communicate(self, data=None, timeout=DEFAULT_TIMEOUT):
        stdout, stderr = self.popen.communicate(data, timeout=timeout)
        return stdout, stderr, self.popen.returncode

    def wait(self, timeout=DEFAULT_TIMEOUT):
        return self.popen.wait(timeout=timeout)

    def alive(self):
        return self.popen.poll() is None

    def kill(self):
        if self.popen.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            stdout, stderr = self.popen.communicate(timeout=DEFAULT_TIMEOUT)
            self.final_output = (stdout or b"", stderr or b"")
        except (subprocess.TimeoutExpired, ValueError, OSError):
            pass

    def stop(self):
        """Kills the process group; returns what it wrote: (stdout, stderr)."""
        self.kill()
        return self.final_output


def wait_for(predicate, timeout=DEFAULT_TIMEOUT, interval=0.01, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def run(args, input=None, timeout=DEFAULT_TIMEOUT, env=None):
    """Runs to completion; returns (stdout, stderr, exit code) as bytes, bytes, int."""
    process = Process(args, env=env)
    try:
        return process.communicate(input, timeout=timeout)
    finally:
        process.kill()


def sockscope(*args):
    return [SOCKSCOPE] + list(args)


def _socket_inodes(pid):
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            match = re.fullmatch(r"socket:\[(\d+)\]", target)
            if match:
                inodes.add(match.group(1))
    except OSError:
        pass
    return inodes


def bound_ports(pid, protocol="tcp", listening_only=True):
    """Local ports of the sockets process pid holds (read from its /proc/PID/net tables)."""
    inodes = _socket_inodes(pid)
    ports = []
    for table in (protocol, protocol + "6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    state, inode = fields[3], fields[9]
                    if inode in inodes and (not listening_only or protocol != "tcp" or state == "0A"):
                        ports.append(int(fields[1].split(":")[1], 16))
        except OSError:
            pass
    return ports


def wait_for_port(process, protocol="tcp", timeout=DEFAULT_TIMEOUT):
    """The port a freshly started server bound (it bound port 0): read back from /proc."""
    def find():
        if not process.alive():
            raise RuntimeError(f"{process.args} exited early with {process.popen.returncode}: "
                               f"{process.popen.stderr.read().decode(errors='replace') if process.popen.stderr else ''}")
        ports = bound_ports(process.pid, protocol)
        return ports[0] if ports else None
    return wait_for(find, timeout, what=f"{process.args} to bind a {protocol} port")


def peer_binary(name):
    """A peer tool for side-by-side comparison (installed by scripts/install-deps)."""
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"peer tool {name} is not installed; run scripts/install-deps")
    return path
