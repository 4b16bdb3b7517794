"""The explain oracle: random scenarios on real sockets in one private namespace with the
seed topology (extended with the reference's en2, IPv6 addresses, and a DOWN veth holding a
tentative address), each question asked of `sockscope explain --json` first and then done for
real: binds (with listen), connections and datagrams from the host itself and from the peer
namespace over the veth. Every answer must agree with the kernel.

Scenarios build existing sockets on a fresh port (every creating bind is itself checked),
owned by root or, through setpriv, by uid 65534, with random SO_REUSEADDR, SO_REUSEPORT,
IPV6_V6ONLY, SO_BINDTODEVICE, IP_FREEBIND and IP_TRANSPARENT; some are TIME_WAIT leftovers
or connections whose listener is gone. Phases change sysctls (ip_nonlocal_bind, bindv6only,
ip_unprivileged_port_start). SOCKSCOPE_ORACLE_SEED and SOCKSCOPE_ORACLE_SCENARIOS reproduce
or widen a run (600 scenarios by default, 200 under the sanitizers).
"""
import collections
import json
import os
import random
import select

from harness import SeedTopology, run, sh, sockscope

HOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle_holder.py")
PYTHON = "/usr/bin/python3"
SEED = int(os.environ.get("SOCKSCOPE_ORACLE_SEED", "6"))
# Under the sanitizers (the asan test preset sets ASAN_OPTIONS) each explain run costs ~4x
# more, and that run is about memory safety: it asks fewer questions; the dev run keeps 600.
SCENARIOS = int(os.environ.get("SOCKSCOPE_ORACLE_SCENARIOS", "200" if "ASAN_OPTIONS" in os.environ else "600"))
NOBODY = 65534

V4_HOT = ["0.0.0.0", "127.0.0.1", "192.168.1.89"]
V4_MORE = ["127.0.0.2", "10.88.0.1", "10.99.0.1", "10.44.0.1", "192.168.1.90", "192.168.1.255", "192.168.1.0",
           "224.0.0.1", "255.255.255.255", "127.255.255.255", "8.8.8.8"]
V6_HOT = [("::", None), ("::1", None), ("2001:db8:1::89", None), ("fe80::89", "en0"), ("::ffff:127.0.0.1", None),
          ("::ffff:0.0.0.0", None)]
V6_MORE = [("2001:db8:88::1", None), ("2001:db8:99::1", None), ("2001:db8:44::1", None), ("2001:db8:1::90", None),
           ("::2", None), ("fe80::89", None), ("fe80::89", "en2"), ("fe80::89", "lo"), ("fe80::99", "p2p0"),
           ("fe80::99", "en0"), ("::ffff:192.168.1.90", None), ("::ffff:192.168.1.89", None), ("ff02::1", None),
           ("ff02::1", "en0"), ("ff0e::1", None)]
DEVICES = ["en0", "en2", "lo", "p2p0"]

HOST_DESTINATIONS = ["127.0.0.1", "127.0.0.2", "192.168.1.89", "10.88.0.1", "10.99.0.1", "10.44.0.1", ("::1", None),
                     ("2001:db8:1::89", None), ("2001:db8:88::1", None), ("2001:db8:99::1", None), ("fe80::89", "en0"),
                     ("fe80::89", "en2"), ("fe80::99", "p2p0"), ("::ffff:127.0.0.1", None), ("::ffff:192.168.1.89", None),
                     ("2001:db8:44::1", None)]
PEER_DESTINATIONS = ["192.168.1.89", "10.88.0.1", "10.99.0.1", "10.44.0.1", ("2001:db8:1::89", None),
                     ("2001:db8:88::1", None), ("2001:db8:99::1", None), ("fe80::89", "en1")]


def split(address):
    return address if isinstance(address, tuple) else (address, None)


def endpoint_text(address, scope, port):
    if ":" in address:
        return f"[{address}%{scope}]:{port}" if scope else f"[{address}]:{port}"
    return f"{address}:{port}"


class Holder:
    """One oracle_holder.py process; call() sends a request and reads the answer line."""

    def __init__(self, ns, prefix, name):
        self.name = name
        self.process = ns.spawn(list(prefix) + [PYTHON, HOLDER])
        self.uid = self.call("ping")["uid"]

    def call(self, op, **fields):
        self.process.popen.stdin.write((json.dumps(dict(op=op, **fields)) + "\n").encode())
        self.process.popen.stdin.flush()
        ready, _, _ = select.select([self.process.popen.stdout], [], [], 15)
        assert ready, f"holder {self.name} did not answer {op}"
        line = self.process.popen.stdout.readline()
        assert line, f"holder {self.name} exited: {self.process.popen.stderr.read().decode()}"
        return json.loads(line)


def extend_topology(seed):
    """The reference's namespace (§1) on top of the seed topology."""
    sh("ip", "addr", "add", "2001:db8:1::89/64", "dev", "en0", "nodad")
    sh("ip", "link", "add", "en2", "type", "veth", "peer", "name", "en3")
    sh("ip", "addr", "add", "10.88.0.1/24", "dev", "en2")
    sh("ip", "addr", "add", "2001:db8:88::1/64", "dev", "en2", "nodad")
    sh("ip", "addr", "add", "fe80::89/64", "dev", "en2", "nodad")
    sh("ip", "link", "set", "en2", "up")
    sh("ip", "link", "set", "en3", "up")
    sh("ip", "addr", "add", "2001:db8:99::1/64", "dev", "p2p0", "nodad")
    sh("ip", "addr", "add", "fe80::99/64", "dev", "p2p0", "nodad")
    # A DOWN veth: its IPv4 address stays local, its IPv6 address stays tentative (DAD cannot run).
    sh("ip", "link", "add", "en4", "type", "veth", "peer", "name", "en5")
    sh("sysctl", "-qw", "net.ipv6.conf.en4.accept_dad=1")
    sh("ip", "addr", "add", "10.44.0.1/24", "dev", "en4")
    sh("ip", "addr", "add", "2001:db8:44::1/64", "dev", "en4")
    # ICMP port unreachable towards the peer is rate limited per sender (loopback is exempt);
    # the oracle asks about delivery, so every refusal must be seen.
    sh("sysctl", "-qw", "net.ipv4.icmp_ratemask=0", "net.ipv6.icmp.ratelimit=0")
    peer = seed.peer
    sh("ip", "-n", peer, "addr", "add", "2001:db8:1::50/64", "dev", "en1", "nodad")
    for prefix in ("10.88.0.0/24", "10.99.0.0/24", "10.44.0.0/24"):
        sh("ip", "-n", peer, "route", "add", prefix, "via", SeedTopology.EN0_V4)
    for prefix in ("2001:db8:88::/64", "2001:db8:99::/64"):
        sh("ip", "-n", peer, "-6", "route", "add", prefix, "via", "2001:db8:1::89")
    assert "tentative" in sh("ip", "addr", "show", "en4").stdout


class Oracle:
    def __init__(self, seed_topology, rng):
        ns = seed_topology.ns
        self.rng = rng
        self.root = Holder(ns, [], "root")
        self.nobody = Holder(ns, ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"], "nobody")
        self.peer = Holder(ns, seed_topology.in_peer([]), "peer")
        self.port = 20000
        self.privileged_port = 600
        self.scenarios = 0
        self.binds = 0
        self.deliveries = 0
        self.disagreements = []
        self.outcomes = collections.Counter()  # what the kernel answered, to show what was covered
        self.log = []
        self.sockets = []  # this scenario's live sockets: {"holder", "id", "inode", "protocol", "listening"}
        self.bound_addresses = []  # (address, scope) of each of them
        self.time_waits = []  # origins of this scenario's TIME_WAIT sockets

    # ---- bookkeeping

    def new_scenario(self, description):
        for holder in (self.root, self.nobody, self.peer):
            holder.call("close_all")
        self.scenarios += 1
        self.sockets = []
        self.bound_addresses = []
        self.time_waits = []
        self.log = [f"scenario {self.scenarios}: {description}"]

    def fresh_port(self, privileged=False):
        if privileged and self.privileged_port < 1000:
            self.privileged_port += 1
            return self.privileged_port
        self.port += 1
        return self.port

    def disagree(self, question, verdict, real):
        self.disagreements.append("\n    ".join(self.log + [f"QUESTION {question}", f"explain: {verdict}", f"kernel:  {real}"]))

    def explain(self, args):
        stdout, stderr, code = run(sockscope("explain", *args, "--json"), timeout=20)
        if code == 2:
            return None, stderr.decode().strip()
        verdict = json.loads(stdout)
        assert code == (0 if verdict["outcome"] in ("allowed", "delivered") else 1), verdict
        return verdict, None

    # ---- binds

    def random_options(self, family, special):
        rng = self.rng
        options = {"reuseaddr": rng.random() < 0.45, "reuseport": rng.random() < 0.45}
        if family == 6:
            options["v6only"] = rng.choice([None, None, True, False])
        if rng.random() < 0.12:
            options["device"] = rng.choice(DEVICES)
        if special and rng.random() < 0.06:
            options["freebind"] = True
        if special and rng.random() < 0.03:
            options["transparent"] = True
        return options

    def random_address(self, hot_only):
        rng = self.rng
        v6 = rng.random() < 0.4
        pool = (V6_HOT if v6 else V4_HOT) if hot_only or rng.random() < 0.5 else (V6_MORE if v6 else V4_MORE)
        return split(rng.choice(pool))

    def check_bind(self, protocol, address, scope, port, options, uid, listen, connect=None):
        """Asks explain, then binds for real; returns the holder's answer when it bound."""
        args = ["--bind", protocol, endpoint_text(address, scope, port)]
        for flag in ("reuseaddr", "reuseport", "freebind", "transparent"):
            if options.get(flag):
                args.append(f"--{flag}")
        if options.get("v6only") is not None:
            args.append("--v6only" if options["v6only"] else "--no-v6only")
        if options.get("device"):
            args += ["--device", options["device"]]
        if uid != 0:
            args += ["--uid", str(uid)]
        if listen:
            args.append("--listen")
        question = "explain " + " ".join(args)
        verdict, error = self.explain(args)
        holder = self.root if uid == 0 else self.nobody
        answer = holder.call("bind", kind=protocol, address=address, scope=scope, port=port, options=options,
                             listen=listen, connect=connect)
        real = "OK" if "id" in answer else answer["errno"]
        if connect and "id" not in answer and answer.get("stage") == "connect":
            self.log.append(f"  ({question}: bound, but connect failed with {real}; not counted)")
            return None
        self.binds += 1
        if verdict is None:
            self.disagree(question, f"error: {error}", real)
            return answer if "id" in answer else None
        predicted = "OK" if verdict["outcome"] == "allowed" else verdict["errno"]
        acceptable = {predicted}
        alternative = verdict["if_unknown_flags_set"]
        if alternative:
            other = "OK" if alternative["outcome"] == "allowed" else alternative["errno"]
            truth = self.time_wait_truth()
            acceptable = {other} if truth == "set" else {predicted} if truth == "unset" else {predicted, other}
        if real not in acceptable:
            self.disagree(question, f"{predicted} (acceptable {sorted(acceptable)}); reasons {[r['text'] for r in verdict['reasons']]}",
                          f"{real} at {answer.get('stage', '-')}")
        self.log.append(f"  {question} -> {real}")
        self.outcomes[f"bind {real}" + (" (unknown flags)" if alternative else "")] += 1
        if "id" in answer:
            self.bound_addresses.append((address, scope))
            self.sockets.append({"holder": holder, "id": answer["id"], "inode": answer["inode"], "protocol": protocol,
                                 "listening": listen})
            return answer
        return None

    def time_wait_truth(self):
        """Whether this scenario's TIME_WAIT sockets came from sockets with every flag set,
        none set, or a mix; explain cannot see them and states what it assumed."""
        if all(not o["reuseaddr"] and not o["reuseport"] and not o["v6only"] for o in self.time_waits):
            return "unset"
        if all(o["reuseaddr"] and o["reuseport"] and (o["v6only"] or o["family"] == 4) for o in self.time_waits):
            return "set"
        return "mixed"

    # ---- existing sockets

    def add_existing(self, protocol, port, for_delivery):
        rng = self.rng
        kind = rng.random()
        if protocol == "tcp" and not for_delivery and kind < 0.12:
            return self.add_time_wait(port)
        if protocol == "tcp" and not for_delivery and kind < 0.22:
            return self.add_established(port)
        address, scope = self.random_address(hot_only=rng.random() < 0.8)
        if for_delivery and rng.random() < 0.3:
            address, scope = split(rng.choice(["10.88.0.1", "10.99.0.1", ("2001:db8:99::1", None), ("fe80::89", "en2"),
                                               ("2001:db8:88::1", None)]))
        family = 6 if ":" in address else 4
        options = self.random_options(family, special=False)
        uid = NOBODY if rng.random() < 0.25 else 0
        connect = None
        listen = protocol == "tcp" and rng.random() < (0.9 if for_delivery else 0.7)
        if protocol == "udp" and rng.random() < 0.15 and address in ("0.0.0.0", "127.0.0.1", "::", "::1"):
            connect = {"address": "::1" if family == 6 else "127.0.0.1", "port": port + 5000}
        self.check_bind(protocol, address, scope, port, options, uid, listen, connect)

    def add_time_wait(self, port):
        rng = self.rng
        if rng.random() < 0.35:
            return self.add_client_time_wait(port)
        address, connect_to, family, v6only = rng.choice([
            ("127.0.0.1", "127.0.0.1", 4, False), ("0.0.0.0", "127.0.0.1", 4, False), ("192.168.1.89", "192.168.1.89", 4, False),
            ("::1", "::1", 6, True), ("::", "::1", 6, False), ("::", "127.0.0.1", 6, False)])
        options = {"reuseaddr": rng.random() < 0.5, "reuseport": rng.random() < 0.5}
        if family == 6:
            options["v6only"] = False if address == "::" else None
        answer = self.root.call("time_wait", address=address, connect_to=connect_to, port=port, options=options)
        if "ok" in answer:
            self.time_waits.append(dict(options, v6only=v6only, family=4 if connect_to == "127.0.0.1" or family == 4 else 6))
            self.log.append(f"  TIME_WAIT left on port {port} by a listener on {address} {options} (client {connect_to})")
        else:
            self.log.append(f"  (TIME_WAIT on {address}:{port} not made: {answer['errno']})")

    def add_client_time_wait(self, port):
        rng = self.rng
        address, server = rng.choice([("127.0.0.1", "127.0.0.1"), ("127.0.0.2", "127.0.0.1"), ("192.168.1.89", "192.168.1.89"),
                                      ("::1", "::1")])
        options = {"reuseaddr": rng.random() < 0.5, "reuseport": rng.random() < 0.5}
        answer = self.root.call("client_time_wait", address=address, connect_to=server, port=port, options=options)
        if "ok" in answer:
            # A client bound to a specific IPv6 address is IPv6-only, and its TIME_WAIT too.
            self.time_waits.append(dict(options, v6only=":" in address, family=6 if ":" in address else 4))
            self.log.append(f"  client-side TIME_WAIT left on {address}:{port} by a client with {options}")
        else:
            self.log.append(f"  (client TIME_WAIT on {address}:{port} not made: {answer['errno']})")

    def add_established(self, port):
        rng = self.rng
        address, connect_to = rng.choice([("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("::", "::1"),
                                           ("::", "127.0.0.1"), ("192.168.1.89", "192.168.1.89")])
        options = {"reuseaddr": rng.random() < 0.5, "reuseport": rng.random() < 0.5}
        if ":" in address:
            options["v6only"] = False
        holder = self.root if rng.random() < 0.75 else self.nobody
        answer = holder.call("established", address=address, connect_to=connect_to, port=port, options=options)
        if "id" in answer:
            self.log.append(f"  {holder.name}: connection on port {port} accepted by a listener on {address} {options} "
                            f"(client {connect_to}), listener closed")
        else:
            self.log.append(f"  (connection on {address}:{port} not made: {answer['errno']})")

    # ---- deliveries

    def check_delivery(self, protocol, destination, scope, port, from_peer, source=None):
        rng = self.rng
        if from_peer:
            args = [protocol, endpoint_text(destination, None if destination.startswith("fe80") else scope, port), "--in", "en0",
                    "--from", "2001:db8:1::50" if ":" in destination and not destination.startswith("fe80")
                    else "fe80::50" if destination.startswith("fe80") else SeedTopology.PEER_V4]
        else:
            args = [protocol, endpoint_text(destination, scope, port)]
            if source:
                args += ["--from", endpoint_text(source["address"], None, source["port"])]
        question = "explain " + " ".join(args)
        verdict, error = self.explain(args)
        if verdict is None:
            self.log.append(f"  ({question}: {error}; not counted)")
            return
        sender = self.peer if from_peer else self.root
        predicted = verdict["outcome"]
        expected_inodes = {s["inode"] for s in verdict["sockets"]}
        wait_holder = {s["holder"].name for s in self.sockets if s["inode"] in expected_inodes}
        real = self.deliver_for_real(sender, protocol, destination, scope, port, source, predicted, wait_holder)
        self.deliveries += 1
        self.log.append(f"  {question} -> {real}")
        kind = real.split(" ")[0] if isinstance(real, str) else f"delivered ({verdict['choice']})"
        self.outcomes[f"{protocol} {'from peer' if from_peer else 'from host'} {kind}"] += 1
        if isinstance(real, str) and real.split(" ")[0] in ("refused", "dropped"):
            agrees = predicted == real.split(" ")[0]
        else:
            agrees = predicted == "delivered" and real in expected_inodes
        if not agrees:
            self.disagree(question, f"{predicted} {sorted(expected_inodes)} choice={verdict['choice']}; "
                                    f"reasons {[r['text'] for r in verdict['reasons']]}", real)

    def receivers(self, protocol, wait_holder, timeout):
        found = []
        for holder in (self.root, self.nobody):
            # Only listeners take connections (select() calls an idle TCP socket readable too).
            ids = [s["id"] for s in self.sockets
                   if s["holder"] is holder and s["protocol"] == protocol and (protocol == "udp" or s["listening"])]
            if not ids:
                continue
            answer = holder.call("receivers", ids=ids, timeout=timeout if holder.name in wait_holder else 0.02)
            found += [s["inode"] for s in self.sockets if s["holder"] is holder and s["id"] in answer["ids"]]
        return found

    def deliver_for_real(self, sender, protocol, destination, scope, port, source, predicted, wait_holder):
        if protocol == "tcp":
            answer = sender.call("tcp_probe", address=destination, scope=scope, port=port, source=source,
                                 timeout=0.5 if predicted == "dropped" else 3.0)
            if answer["result"] == "ECONNREFUSED":
                return "refused"
            if answer["result"] != "connected":
                return f"dropped ({answer['result']})"
            found = self.receivers("tcp", wait_holder or {"root", "nobody"}, 2.0)
            return found[0] if len(found) == 1 else f"receivers {found}"
        sent = sender.call("udp_send", address=destination, scope=scope, port=port, source=source)
        if "errno" in sent:
            return f"dropped ({sent['errno']})"
        try:
            return self.udp_outcome(sender, sent["id"], predicted, wait_holder)
        finally:
            sender.call("close", id=sent["id"])

    def udp_outcome(self, sender, sent, predicted, wait_holder):
        sent = {"id": sent}
        if predicted == "refused":
            error = sender.call("udp_error", id=sent["id"], timeout=2.0)["result"]
            if error == "ECONNREFUSED":
                return "refused"
            found = self.receivers("udp", set(), 0)
        else:
            found = self.receivers("udp", wait_holder, 0.3 if predicted == "dropped" else 2.0)
            if not found:
                error = sender.call("udp_error", id=sent["id"], timeout=0.2 if predicted == "dropped" else 1.0)["result"]
                return "refused" if error == "ECONNREFUSED" else "dropped"
        if not found:
            return "dropped"
        return found[0] if len(found) == 1 else f"receivers {found}"

    # ---- scenarios

    def bind_scenario(self):
        rng = self.rng
        protocol = "tcp" if rng.random() < 0.65 else "udp"
        privileged = rng.random() < 0.08
        port = self.fresh_port(privileged)
        self.new_scenario(f"{protocol} bind on port {port}")
        if protocol == "tcp" and rng.random() < 0.2:
            # A TIME_WAIT theme: the new socket lands on or next to the leftover.
            self.add_time_wait(port)
            address, scope = split(rng.choice(["127.0.0.1", "0.0.0.0", "127.0.0.2", "192.168.1.89", ("::1", None), ("::", None)]))
            options = {"reuseaddr": rng.random() < 0.7, "reuseport": rng.random() < 0.5}
            self.check_bind(protocol, address, scope, port, options, 0 if rng.random() < 0.8 else NOBODY, rng.random() < 0.8)
            return
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            self.add_existing(protocol, port, for_delivery=False)
        address, scope = self.random_address(hot_only=rng.random() < 0.5)
        family = 6 if ":" in address else 4
        options = self.random_options(family, special=True)
        uid = NOBODY if privileged or rng.random() < 0.25 else 0
        listen = protocol == "tcp" and rng.random() < 0.85
        self.check_bind(protocol, address, scope, port, options, uid, listen)

    def add_group(self, protocol, port):
        """Two or three sockets that form one SO_REUSEPORT group (same address, device, uid)."""
        rng = self.rng
        address, scope = split(rng.choice(["0.0.0.0", "127.0.0.1", "192.168.1.89", ("::", None), ("::1", None),
                                           ("2001:db8:1::89", None), ("fe80::89", "en0")]))
        options = {"reuseport": True, "reuseaddr": rng.random() < 0.5}
        if ":" in address:
            options["v6only"] = rng.choice([None, True, False])
        if rng.random() < 0.2:
            options["device"] = rng.choice(["en0", "lo"])
        uid = NOBODY if rng.random() < 0.3 else 0
        for _ in range(rng.choice([2, 2, 3])):
            self.check_bind(protocol, address, scope, port, options, uid, protocol == "tcp")

    def add_pair(self, protocol, port):
        """A specific and a wildcard socket sharing the port, in either order."""
        rng = self.rng
        v6 = rng.random() < 0.3
        specific, scope = split(rng.choice([("::1", None), ("2001:db8:1::89", None)] if v6 else ["127.0.0.1", "192.168.1.89", "10.88.0.1"]))
        wildcard = "::" if v6 else "0.0.0.0"
        options = {"reuseport": rng.random() < 0.8, "reuseaddr": rng.random() < 0.6}
        if rng.random() < 0.15:
            options["device"] = rng.choice(DEVICES)
        pair = [(specific, scope), (wildcard, None)]
        rng.shuffle(pair)
        for address, address_scope in pair:
            self.check_bind(protocol, address, address_scope, port, dict(options), 0, protocol == "tcp")

    def pick_destination(self, from_peer, bound):
        """Mostly an address some socket of the scenario is bound to, else any from the list."""
        rng = self.rng
        pool = PEER_DESTINATIONS if from_peer else HOST_DESTINATIONS
        if bound and rng.random() < 0.5:
            address, scope = rng.choice(bound)
            if address in ("0.0.0.0", "::", "::ffff:0.0.0.0"):
                return split(rng.choice(pool))
            for candidate in pool:
                if split(candidate)[0] == address and (not scope or from_peer or split(candidate)[1] == scope):
                    return split(candidate)
        return split(rng.choice(pool))

    def delivery_scenario(self):
        rng = self.rng
        protocol = "tcp" if rng.random() < 0.6 else "udp"
        port = self.fresh_port()
        self.new_scenario(f"{protocol} delivery on port {port}")
        theme = rng.random()
        if theme < 0.3:
            self.add_group(protocol, port)
            extra = rng.choice([0, 1, 2])
        elif theme < 0.5:
            self.add_pair(protocol, port)
            extra = rng.choice([0, 0, 1])
        else:
            extra = rng.choice([1, 1, 2, 2, 3, 4])
        for _ in range(extra):
            self.add_existing(protocol, port, for_delivery=True)
        bound = self.bound_addresses
        for _ in range(2):
            destination, scope = self.pick_destination(False, bound)
            source = None
            if protocol == "udp" and rng.random() < 0.2 and destination in ("127.0.0.1", "::1"):
                source = {"address": destination, "port": port + 5000}
            self.check_delivery(protocol, destination, scope, port, False, source)
        if rng.random() < 0.7:
            destination, scope = self.pick_destination(True, bound)
            self.check_delivery(protocol, destination, scope, port, True)


PHASES = [
    # (share of the scenarios, sysctls, share of deliveries)
    (0.70, {}, 0.45),
    (0.10, {"net.ipv4.ip_nonlocal_bind": "1", "net.ipv6.ip_nonlocal_bind": "1"}, 0.0),
    (0.12, {"net.ipv6.bindv6only": "1"}, 0.4),
    (0.08, {"net.ipv4.ip_unprivileged_port_start": "700"}, 0.0),
]


def test_explain_agrees_with_the_kernel(seed, capsys):
    extend_topology(seed)
    rng = random.Random(SEED)
    oracle = Oracle(seed, rng)
    defaults = {name: sh("sysctl", "-n", name).stdout.strip() for _, sysctls, _ in PHASES for name in sysctls}
    for share, sysctls, deliveries in PHASES:
        for name, value in sysctls.items():
            sh("sysctl", "-qw", f"{name}={value}")
        for _ in range(max(1, round(SCENARIOS * share))):
            if rng.random() < deliveries:
                oracle.delivery_scenario()
            else:
                oracle.bind_scenario()
        for name in sysctls:
            sh("sysctl", "-qw", f"{name}={defaults[name]}")
    summary = (f"explain oracle (seed {SEED}): {oracle.scenarios} scenarios, {oracle.binds + oracle.deliveries} questions "
               f"({oracle.binds} binds, {oracle.deliveries} deliveries), {len(oracle.disagreements)} disagreements")
    with capsys.disabled():  # the counts are the point of the test: show them even under -q
        print(f"\n{summary}")
        print("covered:", ", ".join(f"{key}: {count}" for key, count in sorted(oracle.outcomes.items())))
        for disagreement in oracle.disagreements[:15]:
            print("DISAGREEMENT", disagreement)
    assert oracle.scenarios >= SCENARIOS
    assert not oracle.disagreements, summary
