"""sockscope sockets against lsof, on the same sockets in a private namespace.

A fixture opens listeners, connected pairs, UDP and UNIX sockets of several kinds (and some
owned by other uids); each selection form then runs through both programs, whose stdout and
exit status must be identical. The one intended difference, IPv6 link-local scope, is
compared after removing the %scope lsof drops."""
import json
import os
import re
import socket
import subprocess

import pytest

from harness import SeedTopology, peer_binary, run, sh, sockscope, wait_for

HOLDER = os.path.join(os.path.dirname(__file__), "socket_holder.py")
PYTHON = "/usr/bin/python3"


def free_port(family=socket.AF_INET):
    with socket.socket(family) as probe:
        probe.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
        return probe.getsockname()[1]


def hold(ns, items, uid=None):
    """Starts a socket holder (as uid, when given); returns (process, [{port}...])."""
    args = [PYTHON, HOLDER, json.dumps(items)]
    if uid is not None:
        args = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] + args
    process = ns.spawn(args)
    line = process.popen.stdout.readline()
    assert line, process.popen.stderr.read().decode()
    return process, json.loads(line)


class Host:
    """The sockets every comparison looks at."""

    def __init__(self, ns):
        self.port = free_port()
        self.unix_path = f"/tmp/sockscope-test-{os.getpid()}.sock"
        self.nc_specific = ns.spawn([peer_binary("nc.openbsd"), "-l", "-k", "127.0.0.1", str(self.port)])
        self.nc_wildcard = ns.spawn([peer_binary("nc.openbsd"), "-l", "-k", "0.0.0.0", str(self.port)])
        self.root_holder, ports = hold(ns, [
            {"kind": "tcp-listen", "family": 6, "address": "::", "v6only": True},
            {"kind": "tcp-listen", "family": 6, "address": "::1"},
            {"kind": "tcp-pair", "address": "127.0.0.1"},
            {"kind": "tcp-pair", "family": 6, "address": "::1"},
            {"kind": "udp", "address": "0.0.0.0"},
            {"kind": "udp", "address": "127.0.0.1", "connect": ["127.0.0.1", 9]},
            {"kind": "udp", "family": 6, "address": "::1"},
            {"kind": "tcp-listen", "family": 6, "address": f"{SeedTopology.EN0_LINK_LOCAL}%en0"},
            {"kind": "tcp-listen", "address": "0.0.0.0", "device": "en0"},
            {"kind": "tcp-listen", "address": "127.0.0.1", "reuseport": True, "port": 0},
            {"kind": "unix-listen", "path": self.unix_path},
            {"kind": "unix-listen", "path": f"@sockscope-test-{os.getpid()}"},
            {"kind": "unix-pair"},
            {"kind": "tcp-listen", "address": "127.0.0.1", "dup": True},
            # Dual-stack sockets talking IPv4: IPv6 by TYPE, IPv4 to lsof's address specs.
            {"kind": "tcp-pair", "family": 6, "address": "::", "v6only": False, "client_family": 4},
            {"kind": "udp", "family": 6, "address": "::", "v6only": False, "connect": ["::ffff:127.0.0.1", 9]},
            # Bound, neither listening nor connected: not in /proc/net/tcp, so never lsof's.
            {"kind": "tcp-bound", "address": "127.0.0.1"},
        ])
        self.dual_stack_port = ports[14]["port"]
        self.v6only_port = ports[0]["port"]
        self.link_local_port = ports[7]["port"]
        self.shared_port = ports[9]["port"]
        # A second listener on the identical address: SO_REUSEPORT shares it.
        self.sharer, _ = hold(ns, [{"kind": "tcp-listen", "address": "127.0.0.1", "reuseport": True,
                                    "port": self.shared_port}])
        self.other_user, _ = hold(ns, [{"kind": "tcp-listen", "address": "127.0.0.1"}], uid=4242)
        self.nobody, _ = hold(ns, [{"kind": "udp", "address": "127.0.0.1"}], uid=65534)
        wait_for(lambda: self._listening(self.port) >= 2, what="both nc listeners")
        self.pair_port = ports[2]["port"]

    @staticmethod
    def _listening(port):
        return sh("ss", "-Htln", f"sport = :{port}").stdout.count("LISTEN")


@pytest.fixture
def host(seed):
    h = Host(seed.ns)
    yield h
    try:
        os.unlink(h.unix_path)
    except FileNotFoundError:
        pass


def both(args, uid=None):
    prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] if uid is not None else []
    theirs = run(prefix + [peer_binary("lsof")] + args, timeout=60)
    ours = run(prefix + sockscope("sockets", *args), timeout=60)
    return ours, theirs


def without_scope(text):
    return re.sub(rb"%en0\]", b"]", text)


def selection_forms(h):
    p, q = h.port, h.shared_port
    low, high = sorted((p, q))
    return [
        ["-Pni"], ["-i"], ["-Pn", "-i", f":{p}"], [f"-Pni:{p}"], ["-Pn", f"-iTCP:{p}", "-sTCP:LISTEN"],
        ["-Pni4"], ["-Pni6"], ["-PniUDP"], ["-Pni", "TCP"], ["-Pn", "-i", "@127.0.0.1"], ["-Pn", "-i", "@[::1]"],
        ["-Pn", "-i", f"TCP@127.0.0.1:{p}"], ["-Pn", "-i", f":{low}-{high}"], ["-Pn", "-i", f":{p},{q}"],
        ["-Pn", "-i", "-sTCP:^LISTEN"], ["-Pn", "-i", "-sTCP:LISTEN,ESTABLISHED"], ["-Pn", "-a", "-i", "-u", "4242"],
        ["-Pn", "-a", "-i", "-u", "^root"], ["-Pn", "-a", "-i", "-c", "nc"], ["-Pn", "-a", "-i", "-c", "^nc"],
        ["-Pn", "-a", "-i", "-p", str(h.nc_specific.pid)], ["-Pn", "-a", "-i", "-p", f"^{h.nc_specific.pid}"],
        ["-Pn", "-a", "-i", "-p", f"{h.nc_specific.pid},{h.nc_wildcard.pid}"], ["-Pnl", "-i"],
        # An empty item of -p, -g or -u is 0 to lsof (pid 0 is never found; ^ alone excludes root).
        ["-Pn", "-a", "-i", "-p", f",{h.nc_specific.pid}"], ["-Pn", "-a", "-i", "-p", "^"], ["-Pn", "-a", "-i", "-u", "^"],
        ["-Pn", "-a", "-i", "-u", "4242,"],
        ["-t", "-i", f":{p}"], ["-Pn", "-i", "-F"], ["-Pn", "-i", "-F0"], ["-Pn", "-i", "-FpcfnPT"],
        ["-Pn", "-i", "-F", "pn"], ["-Pn", "-i", "-FpgRfG"], ["-Pn", "-i", "-FpfG"], ["-i", "-n", "-F", "cpPnT0"],
        ["-i", f"tcp:{p}", "-i", "udp"],
        ["-Pn", "-i", ":krb524"], ["-Pn", "-i", f"TCP:{low}-fido"], ["-Pn", "-i", f":{p}-"], ["-Pn", "-i", "@127.1"],
        ["-Pn", "-i", "@2130706433"], ["-a", "-U", "-p", str(h.root_holder.pid)], ["-a", "-U", "-F", "-p", str(h.root_holder.pid)],
        ["-Pn", "-i", "@localhost"], ["-Pn", "-i", ":99999"], ["-Pn", "-i", f"UDP:{p}"],
        # Nothing listed, nothing asked for missing: lsof exits 0 (the nc listeners hold no
        # UNIX socket; uid 4242 has only a TCP listener); +r stops at once and exits 1.
        ["-a", "-U", "-p", str(h.nc_specific.pid)], ["-a", "-U", "-t", "-p", str(h.nc_specific.pid)],
        ["-a", "-U", "-F", "-p", str(h.nc_specific.pid)], ["-a", "-U", "-u", "4242"],
        ["+r", "1", "-a", "-U", "-p", str(h.nc_specific.pid)],
        # A bare -i, -i4 and -i6 are one kind of selection, address specs another (-a ANDs
        # them), and a family given alone applies to the specs that follow it.
        ["-Pn", "-i", "-i6"], ["-Pn", "-i6", "-i"], ["-Pn", "-i6", "-i", "TCP"], ["-Pn", "-i4", "-iTCP"],
        ["-Pn", "-i6", "-i4"], ["-Pn", "-i6", "-i", f":{p}"], ["-Pn", "-i4", "-a", "-i", f":{p}"],
        ["-Pn", "-iTCP@0.0.0.0"], ["-Pn", f"-i@0.0.0.0:{p}"],
        # Address specs with a family take a dual-stack socket's v4-mapped addresses as IPv4.
        ["-Pn", "-i", "4TCP"], ["-Pn", "-i", "6TCP"], ["-Pn", "-i", "4UDP"], ["-Pn", "-i", "6UDP"],
        ["-Pn", "-i", "4@127.0.0.1"], ["-Pn", "-i6", "-a", "-i", f":{h.dual_stack_port}"],
        ["-Pn", "-i4", "-a", "-i", f":{h.dual_stack_port}"], ["-Pn", "-iTCP", "-sTCP:CLOSE"],
        ["-Pn", "-i", "-sTCP:CLOSED,LISTEN"], ["-Pn", "-i", "-sTCP:LISTEN,"], ["-Pn", "-i", "-sTCP:^closed"],
        # -s alone: a SIZE column without offsets; -F always carries the process id.
        ["-Pn", "-s", "-i"], ["-Pn", "-U", "-a", "-s", "-p", str(h.root_holder.pid)], ["-Pn", "-s", "-i", "-F"],
        ["-Pn", "-i", "-Fn"], ["-Pn", "-i", "-Fcu"],
        # +c: how much of the command name shows; -T: what follows a TCP or UDP address.
        ["+c", "0", "-Pni"], ["+c", "4", "-Pni"], ["-Pni", "+c10"], ["-Pni", "-T"], ["-Pni", "-Tqs"], ["-Pni", "-Tq"],
        ["-Pn", "-i", "-Tf"], ["-Pn", "-i", "-Tqs", "-F"],
        # -F's T field selects all of -T's information; a -T after it narrows that again.
        ["-Pn", "-i", "-F", "pnT", "-Tq"], ["-Pn", "-i", "-F", "-T"], ["-Pn", "-i", "-F", "pnT", "-Ts"],
        ["-a", "-U", "-p", str(h.root_holder.pid), "-F", "nT", "-Tq"],
        # -R and -g columns, -o's OFFSET column, -Q's exit status, options with nothing to do.
        ["-Pni", "-R"], ["-Pni", "-g", "-R"], ["-Pni", "-o"], ["-Pn", "-i", f":{p}", "-i", ":1", "-Q"],
        ["-Pn", "-i", ":1", "-Q"], ["-Pni", "-S", "2", "-L"], ["-Pni", "-M"], ["+M", "-Pni"], ["-f", "-Pni"], ["+f", "-Pni"],
        ["-Pn", "-e", "/proc", "-i"],
        # Options after +, as lsof reads them: most as after -, +P and +n undo -P and -n, +T is
        # the state alone; -o, -S and -L take only digits and the rest is read as options again.
        ["-Pn", "+i", f":{p}"], ["+Pni", f":{p}"], ["-Pni", "+T"], ["-Pni", "+Tq"], ["-Pn", "+a", "-i", "-p", str(h.nc_specific.pid)],
        ["-Pni", "+wn"], ["-Pn", "-i", f":{p}", "+c5n"], ["-Pni", "-oP"], ["-Pni", "-o5n"], ["-Pni", "-S5n"], ["-Pni", "-Ln"],
        ["-Pni", "-fg"], ["-Pn", "-i", f":{p}", "-f", "G"],
        # -d with -a: descriptors by number, range, "fd" or a name no socket has.
        ["-Pn", "-i", "-a", "-d", "3"], ["-Pn", "-i", "-a", "-d", "^3"], ["-Pn", "-i", "-a", "-d", "3-5,9"],
        ["-Pn", "-i", "-a", "-d", "fd"], ["-Pn", "-U", "-a", "-d", "^17-18"],
        # lsof counts its -i and -s items found in sockets that -a's -d then drops (exit status).
        ["-Pn", "-a", "-i", "-d", "99"], ["-Pn", "-a", "-i", f":{p}", "-d", "99"], ["-Pn", "-a", "-i6", "-d", "99"],
        ["-Pn", "-a", "-i", "-sTCP:LISTEN", "-d", "99"], ["-Pn", "-a", "-i", "-p", str(h.nc_specific.pid), "-d", "99"],
        ["-Pn", "-a", "-i", ":1", "-d", "99"], ["-Pn", "-a", "-i", f":{p}", "-U"],
        # -r with a count: that many listings, each followed by its marker.
        ["-r", "1c2", "-Pn", "-i", f":{p}"], ["-r1c2", "-Pn", "-i", f":{p}", "-Fpn"],
        # lsof reads what follows -r's seconds again as options unless an m<fmt> ends it: -r1c2
        # also selects the command "2" (exit 1), +r1c2 sets +c 2; -r 0 lists once.
        ["-r1c1mX", "-Pn", "-i", f":{p}"], ["+r", "1c2", "-Pn", "-i", f":{p}"], ["-r", "0", "-Pn", "-i", f":{p}"],
        ["-Pn", "-i", f":{p}", "-Q", "-r1c1"], ["-a", "-Pn", "-i", f":{p}", "-r1c1"], ["-Pn", "-i", f":{p}", "-r1c1m%%n", "-Fpn"],
        # Each listed socket counts for one spec, the last given that matches (exit status).
        ["-Pn", "-i", f":{p}", "-i", "TCP"], ["-Pn", "-i", "TCP", "-i", f":{p}"], ["-Pn", "-i", f":{p}", "-i", f":{p}"],
        ["-Pn", "-i", f"TCP:{p}", "-i", f":{p},{q}"], ["-Pn", "-i", f":{p},{q}", "-i", f"TCP:{p}"],
        # Each process counts for the first -c it matches, listed or not (exit status).
        ["-Pn", "-a", "-i", "-c", "nc", "-c", "nc.openbsd"], ["-Pn", "-a", "-i", "-c", "nc.openbsd", "-c", "nc"],
        ["-Pn", "-a", "-i", "UDP", "-c", "nc", "-c", "python"], ["-Pn", "-a", "-i", "-c", "/^nc/", "-c", "nc"],
        ["-Pn", "-a", "-i", "-c", "/^py/", "-c", "/^python/"], ["-Pn", "-a", "-i", "-c", "//"], ["-Pn", "-a", "-i", "-c", "/NC/ib"],
        # -g with process group IDs (each holder leads its own session, so its pgid is its pid).
        ["-Pn", "-a", "-i", "-g", str(h.root_holder.pid)], ["-Pn", "-a", "-i", "-g", f"^{h.root_holder.pid}"],
        ["-Pn", f"-g{h.nc_specific.pid},{h.nc_wildcard.pid}", "-a", "-i", "-F", "pgn"],
        ["-a", "-U", "-g", str(h.root_holder.pid)],
        # File operands: UNIX sockets bound to the path as written.
        [h.unix_path], [h.unix_path, "/nonexistent.sock"], ["-a", "-U", h.unix_path], ["-F", "pfn", h.unix_path],
        ["--", h.unix_path], ["-Q", "/nonexistent.sock"], ["-t", h.unix_path], [h.unix_path.replace("/tmp/", "/tmp//")],
        ["-a", "-p", str(h.root_holder.pid), h.unix_path], ["-a", "-p", str(h.nc_specific.pid), h.unix_path],
    ]


def test_every_selection_form_matches_lsof(host):
    for args in selection_forms(host):
        ours, theirs = both(args)
        assert ours[2] == theirs[2], (args, ours, theirs)
        assert without_scope(ours[0]) == theirs[0], args


def test_file_operands_say_lsofs_status_error_and_when_a_file_is_no_socket(host):
    ours, theirs = both(["/nonexistent.sock"])
    assert ours[1].replace(b"sockscope sockets:", b"lsof:") == theirs[1] == \
        b"lsof: status error on /nonexistent.sock: No such file or directory\n"
    out, err, status = run(sockscope("sockets", "/etc/hostname"))
    assert (out, status) == (b"", 1)
    assert err.endswith(b"sockets: /etc/hostname is not a socket: this command lists sockets only\n")


def test_a_short_kernel_call_timeout_is_raised_with_lsofs_warning(host):
    for args in (["-S", "1", "-Pn", "-i", f":{host.port}"], ["-w", "-S0", "-Pn", "-i", f":{host.port}"]):
        ours, theirs = both(args)
        assert (ours[0], ours[1].replace(b"sockscope sockets:", b"lsof:"), ours[2]) == theirs, args
        assert theirs[1].startswith(b"lsof: WARNING: -S time ("), theirs


def test_verbose_names_what_was_not_found_as_lsof_does(host):
    # Commands named here run nowhere: -c looks at every process of the host, and the tests
    # that run beside this one start and stop nc processes between lsof's run and ours.
    p = host.port
    for args in (["-V", "-Pn", "-i", ":1", "-i", f":{p}", "-i", "UDP:2"], ["-V", "-Pn", "-p", "999999,999998", "-a", "-i"],
                 ["-V", "-Pn", "-a", "-i", "-c", "nosuch", "-c", "/^no.*/i", "-c", "zzq"],
                 ["-V", "-Pn", "-i", f":{p}", "-sTCP:LISTEN,CLOSE_WAIT"], ["-V", "-Pn", "-i", "-sTCP:CLOSED,LISTEN"],
                 ["-V", "-r1c1", "-Pn", "-i", f":{p}"], ["-V", "-Pn", "-a", "-i", f":{p}", "-i", ":1", "-d", "99"],
                 ["-V", "-Pn", "-a", "-i", "-sTCP:LISTEN,CLOSE_WAIT", "-d", "99"], ["-V", "-Pn", "-a", "-i", "-u", "4243"],
                 ["-V", "-Q", "-Pn", "-i", ":1"], ["-V", "-Pn", "-i", "-c", "^zzq"], ["-V", "/nonexistent.sock", "-i"],
                 ["-V", "-Pn", "-a", "-i", "-c", "zzq", "-c", "zzq.openbsd"], ["-V", "-i", "-t", "-a", "-p", "1"],
                 ["-V", "-Pn", "-a", "-i", "-g", f"{host.root_holder.pid},999999"]):
        ours, theirs = both(args)
        named = lambda text: text.replace(b"sockscope sockets:", b"lsof:")
        # lsof's warnings about uids without a passwd entry are not ours to repeat (docs/sockets.md).
        their_errors = b"".join(line for line in theirs[1].splitlines(keepends=True) if b"no pwd entry" not in line)
        assert (named(without_scope(ours[0])), named(ours[1]), ours[2]) == (theirs[0], their_errors, theirs[2]), args


def test_link_local_addresses_keep_their_scope(host):
    ours, theirs = both(["-Pn", "-i", f":{host.link_local_port}"])
    assert ours[2] == theirs[2] == 0
    assert f"[{SeedTopology.EN0_LINK_LOCAL}%en0]:{host.link_local_port} (LISTEN)".encode() in ours[0]
    assert f"[{SeedTopology.EN0_LINK_LOCAL}]:{host.link_local_port} (LISTEN)".encode() in theirs[0]


def test_without_root_lists_what_can_be_seen(host):
    ours, theirs = both(["-Pni"], uid=4242)
    assert ours[2] == theirs[2] == 0
    assert ours[0] == theirs[0]
    assert ours[1].count(b"\n") == 1 and b"could not be read" in ours[1]


BAD_SELECTIONS = [
    ["-i", "foo@"], ["-i", "@"], ["-s", "TCP:NOPE"], ["-i", "-s", "FOO:LISTEN"], ["-i", "-s", "TCP:"],
    ["-i", "-s", "UDP:Idle"], ["-i", ":5-3"], ["-i", ":1-2-3"], ["-i", ":abc"], ["-i", "UDP:foo"], ["-i", ":,80"],
    ["-i", "6@127.0.0.1"], ["-i", "4@[::1]"], ["-i", "@[zz]"], ["-i", "7tcp"], ["-p", "abc"], ["-u", "nosuchuser"],
    ["-c"], ["-i", ":99999"], ["-i", "@0.0.0.0"], ["-i", "6@[::]"], ["-i", "TCP@[::]:80"], ["-i4", "-i", "@[::1]"],
    ["-a"], ["-a", "-sTCP:LISTEN"], ["-p", "1", "-p", "^1"], ["-u", "0", "-u", "^0"], ["-c", "x", "-c", "^x"],
    ["-sTCP:LISTEN,^LISTEN"], ["-sTCP:LISTEN", "-sTCP:LISTEN"], ["-sTCP:^LISTEN,^LISTEN"],
    ["-c", "abcdefghijklmnop"], ["-c", "^abcdefghijklmnopq"], ["-c", "/x/q"], ["+c", "16"], ["+c", "x"], ["-i", "-Tw"], ["-i", "-o", "-s"], ["-d", "3-1"], ["-d", "1-x"], ["-d", "^3,4"], ["-d", "3,^4"],
    ["-d", ""], ["-g", "abc"], ["-g", "1,^1"], ["-i", "-Fpx"], ["-i", "-F", "/tmp/x.sock"],
    # Options whose value is missing (a following "--" is no value to lsof).
    ["-p"], ["-u"], ["-d"], ["-e"], ["-i", "-a", "-p", "--"], ["-u", "--"], ["-c", "--"],
    # Port lists and hosts as lsof reads them.
    ["-i", "TCP:"], ["-i", ":"], ["-i", "@127.0.0.1:"], ["-i", ":1-,80"], ["-i", ":80x"], ["-i", ":80--81"],
    ["-i", "TCP:1-nosuch"], ["-i", "TCP:99999-http"], ["-i", "@[::1]x"], ["-i", "@0x7f000001"], ["-i", "6@127.1"],
    # -c regular expressions: the second slash ends one, modifiers once each, not b with x.
    ["-c", "/"], ["-c", "/x"], ["-c", "/x/bx"], ["-c", "/x/xb"], ["-c", "/x/bb"], ["-c", "/x/ii"], ["-c", "/x/b/"],
    # -s: no empty state name; lsof's names (CLOSED is state 0; it has none for NEW_SYN_RECV).
    ["-i", "-s", "TCP:,LISTEN"], ["-i", "-s", "TCP:LISTEN,,CLOSE"], ["-i", "-sTCP:LISTEN,^"], ["-i", "-s", "tcp:,x"],
    ["-i", "-sTCP:NEW_SYN_RECV"], ["-i", "-s", "tcp:"], ["-i", "-sTCP:CLOSED,^closed"],
    # -F? alone asks for lsof's field list; an error beside it is still one.
    ["-F?", "-p"], ["-Fp?"], ["-F??"],
    # -r's marker format: one that comes out empty, or a newline in it with -F.
    ["-r", "1m"], ["+r", "m"], ["-r1c2m"], ["-F", "-r", "1m%n"], ["-r", "1c1mx%n", "-F"],
    ["-r1c", "-Pni"], ["-c", "-x"], ["-c+x"],
    # -e takes mount points only; the line's own checks come in lsof's order.
    ["-e", "/nonexistent", "-i"], ["-e", "proc"], ["-e", "/proc/", "-e", "/nope/"], ["-a", "-o", "-s"],
    # An illegal id names the whole list.
    ["-p", "1,abc"], ["-g", "1,x"],
    # Options lsof refuses on Linux, and letters after + as it reads them.
    ["-f", "x"], ["-fc"], ["-x"], ["-xq"], ["-i", "-x", "f"], ["-L5"], ["-L", "5"], ["-D", "x"], ["-m"], ["-Pni", "+E1"],
    ["+ff"],
    # Letters that are no option of lsof's.
    ["-j"], ["-Pnj"], ["+j"], ["-:"], ["-H"],
    # -d ranges split at their last dash; the range is checked before the ^ conflict.
    ["-d", "1-"], ["-d", "-1"], ["-d", "-"], ["-d", "^-1"], ["-d", "a-b"], ["-d", "1--2"], ["-d", "3,^-1"], ["-d", "-i"],
]


def test_host_names_are_looked_up_in_the_specs_family(host):
    """`-i 6@localhost` asks for localhost's IPv6 addresses only: where it has none, lsof's
    "unknown host name", not the IPv4 refusal that a numeric 127.0.0.1 gets."""
    for args in (["-Pn", "-i", "6@localhost"], ["-Pn", "-i6", "-i", "@localhost"], ["-Pn", "-i", "4@localhost"]):
        ours, theirs = both(args)
        their_errors = [line for line in theirs[1].split(b"\n") if b"no pwd entry" not in line]
        first_line = their_errors[0].replace(b"lsof: ", b"sockscope sockets: ")
        assert (ours[0], ours[1].split(b"\n")[0], ours[2]) == (theirs[0], first_line, theirs[2]), args


def test_and_mode_keeps_internet_and_unix_apart(host):
    """`-i -a -U` asks for sockets that are both: lsof lists none, and exits 0 because the -i
    found Internet sockets before -a dropped them."""
    ours, theirs = both(["-Pn", "-i", "-a", "-U"])
    assert ours == theirs == (b"", b"", 0)


def test_bad_selections_get_lsofs_message_and_exit_code(netns):
    for args in BAD_SELECTIONS:
        ours, theirs = both(args)
        assert ours[2] == theirs[2] == 1, args
        first_line = theirs[1].split(b"\n")[0].replace(b"lsof: ", b"sockscope sockets: ")
        assert ours[1].split(b"\n")[0] == first_line, args
        assert ours[1].count(b"\n") <= 1, args


def test_field_help_lists_the_field_letters_as_lsof_does(netns):
    """-F? writes lsof's table of field letters on stderr and lists nothing, exit 0 (with -t
    too: it asks for no field output)."""
    for args in (["-F?"], ["-F", "?"], ["-i", "-F?", "-t"], ["-Fp", "-F?"]):
        ours, theirs = both(args)
        assert theirs[1].startswith(b"lsof:\tID    field description\n\t a    access: "), theirs
        assert (ours[0], ours[1].replace(b"sockscope sockets:", b"lsof:"), ours[2]) == (theirs[0], theirs[1], 0), args


def test_nothing_matching_exits_1_as_lsof(netns):
    ours, theirs = both(["-Pni", ":1"])
    assert ours == theirs == (b"", b"", 1)
    ours, theirs = both(["+r", "1", "-Pni", ":1"])
    assert ours[0] == theirs[0] == b"" and ours[2] == theirs[2] == 1


def test_udplite_sockets_list_as_lsof_lists_them(netns):
    """UDP-Lite sockets are Internet sockets to lsof: NODE UDPLITE, selected by -i UDPLITE
    (not -i UDP), their ports never named (/etc/services has no udplite entries)."""
    holder, ports = hold(netns, [
        {"kind": "udplite", "address": "127.0.0.1"},
        {"kind": "udplite", "address": "127.0.0.1", "connect": ["127.0.0.1", 53]},
        {"kind": "udplite", "family": 6, "address": "::1"},
        {"kind": "udp", "address": "127.0.0.1"},
        {"kind": "tcp-listen", "address": "127.0.0.1"},
    ])
    lite = ports[0]["port"]
    try:
        for args in (["-Pni"], ["-ni"], ["-Pni", "UDPLITE"], ["-Pni", "udplite"], ["-Pni", "UDP"], ["-ni", "6UDPLITE"],
                     ["-Pn", "-i", f"UDPLITE:{lite}", "-F"], ["-Pn", "-i", "UDPLITE@127.0.0.1", "-Tqs"],
                     ["-Pn", "-i", "-sTCP:ESTABLISHED"], ["-Pn", "-i", "UDPLITE", "-a", "-i", ":53"],
                     ["-V", "-Pn", "-i", "UDPLITE:1", "-i", "TCP"]):
            ours, theirs = both(args)
            # (-V names what was not found after the listing, with the program's name.)
            assert (ours[0].replace(b"sockscope sockets:", b"lsof:"), ours[2]) == (theirs[0], theirs[2]), args
            assert (b"UDPLITE" in theirs[0]) == (args != ["-Pni", "UDP"]), args
        ours, theirs = both(["-i", "UDPLITE:domain"])
        assert (ours[1].replace(b"sockscope sockets:", b"lsof:"), ours[2]) == (theirs[1].split(b"\n")[0] + b"\n", 1)
        entries = json.loads(run(sockscope("sockets", "--json", "-i", "UDPLITE"))[0])
        assert sorted((e["protocol"], e["family"]) for e in entries) == [("udplite", "inet"), ("udplite", "inet"),
                                                                         ("udplite", "inet6")]
    finally:
        holder.stop()


def test_json_has_owners_reuse_flags_devices_and_shared_listeners(host):
    stdout, stderr, code = run(sockscope("sockets", "--json", "-i"))
    assert code == 0, stderr
    entries = json.loads(stdout)
    by_port = {}
    for entry in entries:
        if entry["protocol"] != "unix":
            by_port.setdefault(entry["local"]["port"], []).append(entry)
    nc = {e["local"]["address"]: e for e in by_port[host.port]}
    assert set(nc) == {"127.0.0.1", "0.0.0.0"}
    for entry in nc.values():
        assert (entry["reuseaddr"], entry["reuseport"], entry["state"]) == (True, True, "LISTEN")
        assert entry["owners"][0]["command"] == "nc.openbsd"
    assert nc["127.0.0.1"]["owners"][0]["pid"] == host.nc_specific.pid
    shared = by_port[host.shared_port]
    assert len(shared) == 2 and all(e["shared_listeners"] == 2 and e["reuseport"] for e in shared)
    linked = by_port[host.link_local_port][0]
    assert linked["local"]["address"] == f"{SeedTopology.EN0_LINK_LOCAL}%en0" and linked["bound_device"] == "en0"
    v6only = by_port[host.v6only_port]
    assert v6only[0]["local"]["address"] == "::" and v6only[0]["v6only"] is True and v6only[0]["family"] == "inet6"
    dual_stack = [e for e in by_port[host.dual_stack_port] if e["state"] == "LISTEN"]
    assert dual_stack[0]["local"]["address"] == "::" and dual_stack[0]["v6only"] is False
    device_bound = [e for e in entries if e.get("bound_device") == "en0" and e["family"] == "inet"]
    assert device_bound and device_bound[0]["local"]["address"] == "0.0.0.0"
    other = [e for e in entries if e["uid"] == 4242]
    assert other and other[0]["owners"][0]["user"] == "4242"


def test_table_marks_listeners_sharing_a_port(host):
    stdout, _, code = run(sockscope("sockets", "--table", "-Pn", "-i", f":{host.shared_port}"))
    assert code == 0
    lines = stdout.decode().splitlines()
    assert lines[0].split() == ["PROTO", "LOCAL", "PEER", "STATE", "OPTIONS", "USER", "PROCESS"]
    assert len(lines) == 3
    for line in lines[1:]:
        assert f"127.0.0.1:{host.shared_port}" in line and "LISTEN (1 of 2)" in line and "reuseport" in line


def test_sockets_without_owner_are_in_json_but_not_in_lsof_view(netns):
    # A TIME_WAIT socket belongs to no process: lsof cannot show it; the JSON does.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        client.close()  # the active closer enters TIME_WAIT
        server.close()
        port = listener.getsockname()[1]
        wait_for(lambda: "TIME-WAIT" in sh("ss", "-Htan", f"sport = :{port} or dport = :{port}").stdout,
                 what="TIME_WAIT")
        stdout, _, _ = run(sockscope("sockets", "--json", "-i", f":{port}", "-sTCP:TIME_WAIT"))
        entries = json.loads(stdout)
        assert entries and entries[0]["state"] == "TIME_WAIT" and entries[0]["owners"] == []
        assert "TIME_WAIT" in [entry["state"] for entry in json.loads(run(sockscope("sockets", "--json"))[0])]
        assert run(sockscope("sockets", "-Pni", f":{port}", "-sTCP:TIME_WAIT"))[2] == 1
        # The lsof views ask the kernel to leave TIME_WAIT sockets out; what they list is lsof's.
        for args in (["-Pni"], ["-Pni", f":{port}"], ["-Pni", "-E"], ["-Pn", "-i", "-F", "pfnT"]):
            assert run(sockscope("sockets", *args)) == run([peer_binary("lsof")] + args, timeout=60), args


ODD_NAMES_HOLDER = r"""
import ctypes, socket, sys
name = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")  # the test writes escapes
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)  # PR_SET_NAME
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
abstract = socket.socket(socket.AF_UNIX)
abstract.bind(b"\0ab\x01c\0d")
named = socket.socket(socket.AF_UNIX)
named.bind(sys.argv[2].encode("utf-8"))
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("command", ["a b c d e f g", "tab\\there", "back\\\\slash", "utf\\xc3\\xa9x",
                                     "ctl\\x01\\x7fz"])
def test_unprintable_names_are_escaped_as_lsof_escapes_them(netns, command):
    path = f"/tmp/sockscope-\u00e9t\u00e9\x02-{os.getpid()}.sock"
    holder = netns.spawn([PYTHON, "-c", ODD_NAMES_HOLDER, command, path])
    try:
        assert holder.popen.stdout.readline() == b"ready\n"
        pid = str(holder.pid)
        for locale in ("C", "C.UTF-8"):
            env = dict(os.environ, LANG=locale, LC_ALL=locale)
            for args in (["-Pn", "-a", "-p", pid, "-i"], ["+c", "15", "-Pn", "-a", "-p", pid, "-i"],
                         ["+c", "0", "-Pn", "-a", "-p", pid, "-i"], ["+c", "4", "-Pn", "-a", "-p", pid, "-i"],
                         ["-a", "-p", pid, "-U"], ["-a", "-p", pid, "-U", "-F", "pcn"], ["-a", "-p", pid, "-U", "-F0pc"],
                         ["-a", "-p", pid, "-F0c", "-i"]):
                ours = run(sockscope("sockets", *args), env=env)
                theirs = run([peer_binary("lsof")] + args, env=env, timeout=60)
                assert ours == theirs, (locale, args)
    finally:
        os.unlink(path)


def test_proc_net_fallback_lists_the_same_inet_sockets(host):
    # /proc/net has no UNIX details, bound device, v6only or link-local scope (it prints like lsof).
    for args in (["-Pni"], ["-Pn", "-i", f":{host.port}"], ["-Pn", "-iTCP", "-sTCP:LISTEN"], ["-Pni6"]):
        from_diag = run(sockscope("sockets", *args))
        from_proc = run(sockscope("sockets", "--source=proc", *args))
        assert from_proc == (without_scope(from_diag[0]), from_diag[1], from_diag[2]), args
        assert from_proc[2] == 0


def test_bpf_iterator_and_proc_scan_find_the_same_owners(host):
    # The default reads descriptors with the BPF iterator where it loads; /proc/*/fd is the
    # fallback. Both must name the same processes and descriptors for every selection.
    probe = run(sockscope("sockets", "--owners=bpf", "-Pn", "-i", f":{host.port}"))
    if probe[2] != 0:
        pytest.skip(f"the BPF iterator does not load here: {probe[1].decode().strip()}")
    for args in selection_forms(host):
        from_bpf = run(sockscope("sockets", "--owners=bpf", *args))
        from_proc = run(sockscope("sockets", "--owners=proc", *args))
        assert from_bpf == from_proc, args
    pids = run(sockscope("sockets", "--owners=bpf", "-t", "-i", f":{host.port}"))[0].split()
    assert sorted(pids) == sorted([str(host.nc_specific.pid).encode(), str(host.nc_wildcard.pid).encode()])


def test_thousands_of_sockets_list_as_lsof_lists_them(netns):
    # Enough sockets that the dump runs on its own thread while owners are joined as records
    # arrive, and that a single port is looked up among many descriptors; the generator's
    # children also share the sockets they inherited (one socket, several owners).
    generator = os.path.join(os.environ["SOCKSCOPE_SOURCE_DIR"], "bench", "socket_generator.py")
    held = netns.spawn([PYTHON, generator, "6000", "3"])
    line = held.popen.stdout.readline().decode()
    assert line.startswith("ready "), held.popen.stderr.read().decode()
    port = line.split()[1]
    sources = [[]]
    if run(sockscope("sockets", "--owners=bpf", "-Pn", "-i", f":{port}"))[2] == 0:
        sources.append(["--owners=bpf"])
    else:
        print("the BPF iterator does not load here: only the default owner source is compared")
    for args in (["-Pni"], ["-Pn", "-i", f":{port}"], ["-Pn", "-i", "-F", "pfn"]):
        theirs = run([peer_binary("lsof")] + args, timeout=60)
        assert theirs[2] == 0 and theirs[0].count(b"\n") > (10 if len(args) > 2 else 6000)
        for source in sources:
            assert run(sockscope("sockets", *source, *args), timeout=60) == theirs, (source, args)


def test_v6only_of_connected_ipv6_sockets_comes_from_the_owner(host):
    # sock_diag leaves IPV6_V6ONLY out for connected sockets; the owner's descriptor has it.
    entries = json.loads(run(sockscope("sockets", "--json", "-Pni6TCP"))[0])
    connected = [e for e in entries if e["state"] == "ESTABLISHED"]
    listening = {e["local"]["port"] for e in entries if e["state"] == "LISTEN" and e["local"]["address"] == "::1"}
    assert len(connected) == 2
    for entry in connected:
        # The accepted socket inherits the [::1] listener's flag (a bind to a specific IPv6
        # address sets it); the client was never bound, so its flag is off.
        assert entry["v6only"] is (entry["local"]["port"] in listening), entry
