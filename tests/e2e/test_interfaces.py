"""sockscope interfaces, side by side with its peers in the same namespace: `--json` against
`ip -j addr` (whole objects, key order included), `--format=ifconfig` against net-tools
`ifconfig` (byte for byte), and the default view against the values ip reports."""
import ipaddress
import json
import re
import socket
import subprocess

from harness import SeedTopology, run, sh, sockscope, wait_for

FOREVER = 4294967295


def ours(*args):
    stdout, stderr, code = run(sockscope("interfaces", *args))
    assert code == 0, stderr
    return stdout.decode()


def normalized(text):
    """The JSON text with the lifetimes that count down between two dumps rounded away, so two
    listings taken a moment apart compare equal; key order is kept (json.dumps of the parse)."""
    # `ip addr show up` leaves an empty object where each down link was; we leave nothing.
    entries = [entry for entry in json.loads(text) if entry]
    for entry in entries:
        for address in entry["addr_info"]:
            for key in ("valid_life_time", "preferred_life_time"):
                if address.get(key, FOREVER) not in (FOREVER, 0):
                    address[key] = "counting"
    return json.dumps(entries)


def stable_pair(our_args, peer_args):
    """Our output and the peer's, taken while nothing moved: ours before and after the peer's
    run must agree (counters and lifetimes tick on their own), else try again."""
    for _ in range(10):
        first = ours(*our_args)
        peer = sh(*peer_args).stdout
        if ours(*our_args) == first:
            return first, peer
    raise AssertionError(f"{our_args} never stood still")


def assert_json_like_ip(our_args, ip_args):
    mine, theirs = stable_pair(["--json"] + list(our_args), ["ip", "-j"] + list(ip_args))
    assert normalized(mine) == normalized(theirs)
    return json.loads(mine)


def assert_ifconfig_like_net_tools(our_args, ifconfig_args):
    mine, theirs = stable_pair(["--format=ifconfig"] + list(our_args), ["ifconfig"] + list(ifconfig_args))
    assert mine == theirs, ifconfig_args
    return mine


def quiet_interfaces():
    """New interfaces send nothing on their own (no generated link-local, no DAD)."""
    for conf in ("all", "default"):
        sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.accept_dad=0", f"net.ipv6.conf.{conf}.addr_gen_mode=1")


def send_frames(interface, count, size, destination="02:00:00:00:00:99"):
    """Raw Ethernet frames out of interface: counters that move by a known amount, then stop.
    Each carries an IPv4 header, so frames for another host's MAC reach IP and count there."""
    ipv4 = bytes.fromhex("4500001c00000000401100000a0000010a000002")
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as raw:
        raw.bind((interface, 0))
        header = bytes.fromhex(destination.replace(":", "")) + bytes.fromhex("020000000011") + b"\x08\x00" + ipv4
        for _ in range(count):
            raw.send(header + bytes(size - len(header)))


def sh_batch(commands):
    """Many ip commands in one process."""
    subprocess.run(["ip", "-batch", "-"], input=commands, text=True, check=True, timeout=60)


def link_address(name):
    return json.loads(sh("ip", "-j", "link", "show", name).stdout)[0]["address"]


# --- --json against ip -j addr ------------------------------------------------------------

def test_json_is_ip_addr_on_the_seed_topology(seed):
    sh("ip", "addr", "add", "192.168.1.90/24", "dev", "en0")  # a secondary address
    sh("ip", "addr", "add", "10.1.2.3/8", "dev", "en0", "label", "en0:lan")
    sh("ip", "addr", "add", "10.1.2.4/8", "dev", "en0", "label", "en0:7")
    sh("ip", "addr", "add", "10.99.1.1", "peer", "10.99.1.2/32", "dev", "p2p0")
    entries = assert_json_like_ip(["-a"], ["addr"])
    en0 = next(entry for entry in entries if entry["ifname"] == "en0")
    assert "link_index" in en0 and "link_netnsid" in en0  # the peer lives in another namespace
    by_local = {a["local"]: a for a in en0["addr_info"]}
    assert by_local["192.168.1.90"]["secondary"] is True
    assert by_local["10.1.2.3"]["label"] == "en0:lan"
    p2p0 = next(entry for entry in entries if entry["ifname"] == "p2p0")
    assert p2p0["link_type"] == "none" and p2p0["addr_info"][1]["address"] == "10.99.1.2"
    # Scripts that filter like `ip addr show up` and `ip addr show dev X` get the same.
    assert_json_like_ip([], ["addr", "show", "up"])
    assert_json_like_ip(["p2p0"], ["addr", "show", "dev", "p2p0"])


def test_json_is_ip_addr_for_bridge_tap_altname_and_veth_pair(netns):
    sh("ip", "link", "add", "br0", "type", "bridge")
    sh("ip", "link", "add", "v1", "type", "veth", "peer", "name", "v2")
    sh("ip", "link", "set", "v1", "master", "br0")
    sh("ip", "link", "set", "br0", "up")
    sh("ip", "link", "set", "v1", "up")  # v2 stays down: v1 shows M-DOWN
    sh("ip", "link", "property", "add", "dev", "v2", "altname", "second-name-for-v2")
    sh("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
    sh("ip", "link", "set", "tap0", "promisc", "on", "allmulticast", "on", "mtu", "1400", "group", "7")
    sh("ip", "link", "set", "v2", "txqueuelen", "0")
    entries = assert_json_like_ip(["-a"], ["addr"])
    by_name = {entry["ifname"]: entry for entry in entries}
    assert by_name["v1"]["master"] == "br0" and "M-DOWN" in by_name["v1"]["flags"]
    assert by_name["v2"]["altnames"] == ["second-name-for-v2"] and "txqlen" not in by_name["v2"]
    assert by_name["tap0"]["group"] == "7" and "PROMISC" in by_name["tap0"]["flags"]


def test_json_is_ip_addr_for_ipv6_flags_and_lifetimes(netns):
    sh("ip", "link", "add", "en0", "type", "veth", "peer", "name", "en1")
    sh("ip", "link", "add", "en2", "type", "veth", "peer", "name", "en3")
    for name in ("en0", "en1", "en2"):
        sh("sysctl", "-qw", f"net.ipv6.conf.{name}.accept_dad=1")
    sh("sysctl", "-qw", "net.ipv6.conf.en0.use_tempaddr=2")
    sh("sysctl", "-qw", "net.ipv6.conf.en0.stable_secret=2001:db8::1234", "net.ipv6.conf.en0.addr_gen_mode=2")
    for name in ("en0", "en1", "en2"):  # en3 stays down: en2 has no carrier, its DAD never ends
        sh("ip", "link", "set", name, "up")
    sh("ip", "addr", "add", "2001:db8:1::78/64", "dev", "en0", "preferred_lft", "0", "valid_lft", "3600", "nodad")
    sh("ip", "addr", "add", "2001:db8:2::1/64", "dev", "en0", "mngtmpaddr", "valid_lft", "3600", "preferred_lft", "1800")
    sh("ip", "addr", "add", "2001:db8:3::9/64", "dev", "en0")  # on both ends: DAD fails on one
    sh("ip", "addr", "add", "2001:db8:3::9/64", "dev", "en1")
    sh("ip", "addr", "add", "2001:db8:4::1/64", "dev", "en0", "noprefixroute", "nodad")
    sh("ip", "addr", "add", "fec0::1/64", "dev", "en0", "nodad")
    sh("ip", "addr", "add", "2001:db8:5::1/64", "dev", "en2")
    sh("ip", "addr", "add", "10.5.0.1/24", "dev", "en0", "metric", "50")
    wait_for(lambda: '"dadfailed"' in sh("ip", "-j", "addr").stdout, what="duplicate address detection to fail")

    entries = assert_json_like_ip(["-a"], ["addr"])
    addresses = {(e["ifname"], a["local"]): a for e in entries for a in e["addr_info"]}
    assert addresses["en0", "2001:db8:1::78"].get("deprecated")
    assert addresses["en0", "2001:db8:1::78"]["preferred_life_time"] == 0
    assert addresses["en0", "2001:db8:2::1"].get("mngtmpaddr") and addresses["en0", "2001:db8:2::1"].get("dynamic")
    assert addresses["en2", "2001:db8:5::1"].get("tentative")
    assert any(a.get("dadfailed") for a in addresses.values())
    assert any(a.get("temporary") for a in addresses.values()), addresses
    assert any(a.get("stable-privacy") for a in addresses.values()), addresses
    assert addresses["en0", "fec0::1"]["scope"] == "site" and addresses["en0", "10.5.0.1"]["metric"] == 50


def test_json_is_ip_addr_with_long_names_and_many_interfaces(netns):
    quiet_interfaces()
    sh("ip", "link", "add", "a-very-long-nam", "type", "veth", "peer", "name", "b-very-long-nam")
    batch = "".join(f"link add m{i} type veth peer name n{i}\n" for i in range(60))
    batch += "".join(f"addr add 10.{i}.0.1/24 dev m{i}\naddr add 2001:db8:{i}::1/64 dev m{i}\n" for i in range(60))
    batch += "".join(f"link set m{i} up\n" for i in range(0, 60, 2))
    sh_batch(batch)
    assert len(assert_json_like_ip(["-a"], ["addr"])) == 123


def test_json_counters_are_ip_s_and_ip_s_s(netns):
    quiet_interfaces()
    sh("ip", "link", "add", "en0", "type", "veth", "peer", "name", "en1")
    sh("ip", "link", "set", "en0", "up")
    sh("ip", "link", "set", "en1", "up")
    send_frames("en1", 50, 900)  # en0: packets that nothing handles, for another host's MAC
    send_frames("en1", 5, 100, destination=link_address("en0"))
    for level in (["-s"], ["-s", "-s"]):
        entries = assert_json_like_ip(["-a"] + level, level + ["addr"])
        en0 = next(entry for entry in entries if entry["ifname"] == "en0")
        assert en0["stats64"]["rx"]["packets"] == 55
    assert "otherhost" in en0["stats64"]["rx"] and "carrier_changes" in en0["stats64"]["tx"]


# --- --format=ifconfig against net-tools ifconfig --------------------------------------------

def quiet_topology():
    quiet_interfaces()
    sh("ip", "link", "add", "en0", "type", "veth", "peer", "name", "en1")
    sh("ip", "addr", "add", "192.168.1.89/24", "broadcast", "+", "dev", "en0")
    sh("ip", "addr", "add", "192.168.1.90/24", "dev", "en0")  # secondary: ifconfig hides it
    sh("ip", "addr", "add", "fe80::89/64", "dev", "en0", "nodad")
    sh("ip", "link", "set", "en0", "up")
    sh("ip", "tuntap", "add", "dev", "p2p0", "mode", "tun")
    sh("ip", "addr", "add", "10.99.0.1/24", "dev", "p2p0")
    sh("ip", "link", "add", "eth10", "type", "veth", "peer", "name", "eth2")


def test_ifconfig_format_is_byte_identical(netns):
    quiet_topology()
    for args in ([], ["-a"], ["en0"], ["p2p0"], ["-s"], ["-s", "-a"], ["-s", "lo"]):
        assert_ifconfig_like_net_tools(args, args)


def test_ifconfig_lists_ipv6_in_the_kernels_table_order(netns):
    quiet_topology()
    # Enough addresses per interface that the salted hash order differs from netlink's.
    for i in range(1, 13):
        sh("ip", "addr", "add", f"2001:db8:{i:x}::{i:x}/64", "dev", "en0", "nodad")
        sh("ip", "addr", "add", f"fd00:{i:x}::1/{48 + i}", "dev", "eth10", "nodad")
    sh("ip", "addr", "add", "::10.0.0.1/96", "dev", "eth2", "nodad")  # IPv4-compatible: scope <compat,global>
    sh("ip", "addr", "add", "fec0::5/64", "dev", "eth2", "nodad")
    text = assert_ifconfig_like_net_tools(["-a"], ["-a"])
    listed = [line.split()[1] for line in text.splitlines() if line.strip().startswith("inet6 2001:db8:")]
    dumped = [a["local"] for e in json.loads(ours("--json", "en0")) for a in e["addr_info"]
              if a["local"].startswith("2001:db8:")]
    assert sorted(listed) == sorted(dumped) and len(listed) == 12
    assert "scopeid 0x80<compat,global>" in text and "scopeid 0x40<site>" in text


def test_ifconfig_aliases_peers_flags_and_busy_counters(netns):
    quiet_topology()
    sh("ip", "addr", "add", "10.1.0.1/16", "dev", "eth10", "label", "eth10:1")
    sh("ip", "addr", "add", "10.1.0.2/16", "dev", "eth10", "label", "eth10:10")
    sh("ip", "addr", "add", "10.1.0.3/16", "dev", "eth10", "label", "eth10:2")
    sh("ip", "addr", "add", "10.2.0.1/16", "dev", "eth10", "label", "eth10:lan")
    sh("ip", "addr", "add", "10.99.1.1", "peer", "10.99.1.2/32", "dev", "p2p0")
    sh("ip", "link", "set", "p2p0", "up")
    sh("ip", "link", "set", "eth2", "promisc", "on", "allmulticast", "on")
    sh("ip", "link", "set", "eth2", "up")
    sh("ip", "link", "set", "eth10", "up")
    # Byte counts past each unit boundary ifconfig rounds at: KiB, then MiB.
    send_frames("eth10", 3, 400)
    send_frames("eth2", 1200, 1000)
    text = assert_ifconfig_like_net_tools(["-a"], ["-a"])
    assert "eth10:1: flags=" in text and "eth10:lan: flags=" in text and "MiB)" in text and "KiB)" in text
    for name in (["eth10:10"], ["eth2"], ["-s", "-a"]):
        assert_ifconfig_like_net_tools(name, name)


def test_ifconfig_names_the_kernel_answers_for_and_its_name_order(netns):
    quiet_interfaces()
    sh("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth00")
    sh("ip", "link", "property", "add", "dev", "eth0", "altname", "uplink0")
    sh("ip", "addr", "add", "10.0.1.1/24", "dev", "eth0", "label", "eth0:1")
    # An alias number that wraps to -1 is eth0 itself to ifconfig: no block of its own.
    sh("ip", "addr", "add", "10.0.1.2/24", "dev", "eth0", "label", "eth0:4294967295")
    sh("ip", "addr", "add", "::ffff:192.0.2.1/96", "dev", "eth00", "nodad")
    sh("ip", "link", "add", "br\u00fccke", "type", "veth", "peer", "name", "\u65e5\u672c")  # padded by bytes in -s
    for args in (["-a"], ["-s", "-a"], ["uplink0"], ["eth0:7"], ["-s", "eth0:7"], ["lo:1"], ["eth0:4294967295"],
                 ["eth00"]):
        assert_ifconfig_like_net_tools(args, args)
    text = ours("--format=ifconfig", "-a")
    assert text.index("eth0:1:") < text.index("eth00:") and "inet6 192.0.2.1  prefixlen 96" in text
    # A name that does not exist: ifconfig -s has printed its header by then.
    mine, peer = run(sockscope("interfaces", "--format=ifconfig", "-s", "nosuch0")), run(["ifconfig", "-s", "nosuch0"])
    assert (mine[0], mine[2]) == (peer[0], peer[2]) == (peer[0], 1) and peer[0].startswith(b"Iface")
    # ip takes an altname wherever it takes a device name.
    assert assert_json_like_ip(["uplink0"], ["addr", "show", "dev", "uplink0"])[0]["ifname"] == "eth0"
    assert ours("uplink0").startswith("eth0: index ")


def test_ifconfig_format_unknown_name(netns):
    _, stderr, code = run(sockscope("interfaces", "--format=ifconfig", "en0:9"))
    assert (stderr, code) == (b'sockscope interfaces: no interface named "en0:9"\n', 1)


# --- the default view, checked against what ip reports -----------------------------------------

def blocks(text):
    found = {}
    for block in text.strip("\n").split("\n\n"):
        found[block.split(":", 1)[0]] = block
    return found


def test_default_view_shows_every_field_ip_reports(seed):
    sh("ip", "addr", "add", "192.168.1.90/24", "dev", "en0", "label", "en0:lan")
    sh("sysctl", "-qw", "net.ipv6.conf.en0.accept_dad=1")
    sh("ip", "addr", "add", "2001:db8:1::77/64", "dev", "en0", "valid_lft", "3600", "preferred_lft", "0")
    text, ip_json = stable_pair(["-a", "-s"], ["ip", "-j", "-s", "addr"])
    shown = blocks(text)
    for entry in json.loads(ip_json):
        block = shown[entry["ifname"]]
        header = block.splitlines()[0]
        assert header.startswith(f"{entry['ifname']}: index {entry['ifindex']} flags 0x"), header
        assert f"<{','.join(entry['flags'])}> mtu {entry['mtu']}" in header
        assert f"state {entry['operstate']}," in block and f"txqueuelen {entry['txqlen']}" in block
        assert ("carrier on" in block) != ("no carrier" in block)
        assert f"\t{entry['link_type']}" + (f" {entry['address']}" if "address" in entry else "") in block
        for address in entry["addr_info"]:
            local = address["local"]
            if address["family"] == "inet6" and ipaddress.ip_address(local).is_link_local:
                local += "%" + entry["ifname"]
            words = [f"{'inet' if address['family'] == 'inet' else 'inet6'} {local}/{address['prefixlen']}"]
            if address["family"] == "inet":
                network = ipaddress.ip_network(f"{address['local']}/{address['prefixlen']}", strict=False)
                words.append(f"netmask {network.netmask}")
            if "broadcast" in address:
                words.append(f"broadcast {address['broadcast']}")
            words.append(f"scope {address['scope']}")
            line = next(l for l in block.splitlines() if l.startswith("\t" + words[0] + " "))
            assert " ".join(words) in line, line
            for flag in ("secondary", "temporary", "tentative", "deprecated", "dadfailed", "nodad", "dynamic"):
                assert (f" {flag}" in line) == bool(address.get(flag)), (flag, line)
            if address.get("label", entry["ifname"]) != entry["ifname"]:
                assert f"label {address['label']}" in line
            if address["valid_life_time"] == FOREVER and address["preferred_life_time"] == FOREVER:
                assert line.endswith("lifetime forever")
            else:
                assert re.search(r"valid \d+s preferred \d+s$", line), line
        rx = entry["stats64"]["rx"]
        assert re.search(rf"\tRX packets {rx['packets']} bytes {rx['bytes']} \([0-9.]+ (B|KiB|MiB)\) "
                         rf"errors {rx['errors']} dropped {rx['dropped']}", block), block


def test_up_down_all_and_names_only(seed):
    assert ours("-l").split() == ["lo", "en0"]
    assert ours("-l", "-d").split() == ["p2p0"]
    assert ours("-la").split() == ["lo", "en0", "p2p0"]
    default = ours()
    assert "en0: index" in default and "p2p0" not in default
    assert f"inet6 {SeedTopology.EN0_LINK_LOCAL}%en0/64 scope link" in default
    # A down interface asked for by name is shown, with its own address.
    p2p0 = ours("p2p0")
    assert p2p0.startswith("p2p0: index") and f"inet {SeedTopology.P2P0_V4}/24 netmask 255.255.255.0" in p2p0
    assert ours("-u", "p2p0") == ""


def test_unknown_interface_and_bad_option(netns):
    _, stderr, code = run(sockscope("interfaces", "nosuch0"))
    assert (stderr, code) == (b'sockscope interfaces: no interface named "nosuch0"\n', 1)
    for bad in (["-x"], ["--frobnicate"], ["--format=xml"]):
        _, stderr, code = run(sockscope("interfaces", *bad))
        assert code == 2 and stderr.count(b"\n") == 1, (bad, stderr)
