"""sockscope interfaces on the seed topology, compared with `ip -j addr` field by field."""
import json

from harness import SeedTopology, run, sh, sockscope

# Fields that `ip -j addr` and sockscope both report; ip's qdisc and group are not ours.
LINK_FIELDS = ("ifindex", "ifname", "flags", "mtu", "operstate", "txqlen", "link_type", "address", "broadcast")
ADDRESS_FIELDS = ("family", "local", "prefixlen", "broadcast", "scope", "label", "secondary", "nodad", "tentative",
                  "deprecated", "dynamic", "valid_life_time", "preferred_life_time")


def pick(entry, fields):
    return {field: entry[field] for field in fields if field in entry}


def compare_with_ip(ours, theirs):
    assert [pick(i, LINK_FIELDS) for i in ours] == [pick(i, LINK_FIELDS) for i in theirs]
    for mine, ip in zip(ours, theirs):
        mine_addresses = [pick(a, ADDRESS_FIELDS) for a in mine["addr_info"]]
        ip_addresses = [pick(a, ADDRESS_FIELDS) for a in ip["addr_info"]]
        # Lifetimes of dynamic addresses count down between the two dumps; compare the rest.
        for address in mine_addresses + ip_addresses:
            if address.get("valid_life_time") != 4294967295:
                address.pop("valid_life_time", None)
                address.pop("preferred_life_time", None)
        assert mine_addresses == ip_addresses, mine["ifname"]


def test_json_matches_ip_addr_on_the_seed_topology(seed):
    sh("ip", "addr", "add", "192.168.1.90/24", "dev", "en0")  # a secondary address
    sh("ip", "addr", "add", "10.1.2.3/8", "dev", "en0", "label", "en0:lan")
    stdout, stderr, code = run(sockscope("interfaces", "-a", "--json"))
    assert code == 0, stderr
    compare_with_ip(json.loads(stdout), json.loads(sh("ip", "-j", "addr").stdout))
    secondary = [a for i in json.loads(stdout) for a in i["addr_info"] if a["local"] == "192.168.1.90"]
    assert secondary and secondary[0].get("secondary") is True


def test_tentative_and_deprecated_ipv6_addresses(seed):
    sh("sysctl", "-qw", "net.ipv6.conf.en0.accept_dad=1")
    sh("ip", "addr", "add", "2001:db8:1::77/64", "dev", "en0")
    sh("ip", "addr", "add", "2001:db8:1::78/64", "dev", "en0", "preferred_lft", "0", "nodad")
    stdout, _, code = run(sockscope("interfaces", "--json", "en0"))
    assert code == 0
    ours = json.loads(stdout)
    theirs = json.loads(sh("ip", "-j", "addr", "show", "en0").stdout)
    compare_with_ip(ours, theirs)
    by_address = {a["local"]: a for a in ours[0]["addr_info"]}
    assert by_address["2001:db8:1::78"].get("deprecated") is True
    # DAD may finish in between on a fast machine; ip saw the same state if so.
    assert by_address["2001:db8:1::77"].get("tentative") == pick(
        [a for a in theirs[0]["addr_info"] if a["local"] == "2001:db8:1::77"][0], ["tentative"]).get("tentative")


def test_up_down_all_and_names_only(seed):
    up_names = run(sockscope("interfaces", "-l"))[0].decode().split()
    assert up_names == ["lo", "en0"]
    assert run(sockscope("interfaces", "-l", "-d"))[0].decode().split() == ["p2p0"]
    assert run(sockscope("interfaces", "-la"))[0].decode().split() == ["lo", "en0", "p2p0"]
    default = run(sockscope("interfaces"))[0].decode()
    assert "en0: index" in default and "p2p0" not in default
    assert f"inet {SeedTopology.EN0_V4}/24 broadcast 192.168.1.255 scope global" in default
    assert f"inet6 {SeedTopology.EN0_LINK_LOCAL}%en0/64 scope link" in default
    # A down interface asked for by name is shown, with its own address.
    p2p0 = run(sockscope("interfaces", "p2p0"))[0].decode()
    assert p2p0.startswith("p2p0: index") and f"inet {SeedTopology.P2P0_V4}/24" in p2p0


def test_counters_and_long_names(netns):
    sh("ip", "link", "add", "a-very-long-nam", "type", "veth", "peer", "name", "b-very-long-nam")
    sh("ip", "link", "set", "a-very-long-nam", "up")
    stdout, _, code = run(sockscope("interfaces", "-s", "-a"))
    assert code == 0
    text = stdout.decode()
    assert "a-very-long-nam: index" in text and "b-very-long-nam: index" in text
    assert "RX packets" in text and "TX packets" in text


def test_unknown_interface_and_bad_option(netns):
    _, stderr, code = run(sockscope("interfaces", "nosuch0"))
    assert (stderr, code) == (b'sockscope interfaces: no interface named "nosuch0"\n', 1)
    _, stderr, code = run(sockscope("interfaces", "-x"))
    assert code == 2 and stderr.count(b"\n") == 1


def quiet_topology():
    """Interfaces that send nothing on their own (no generated link-local, no DAD), so the
    counters stand still between two listings."""
    for conf in ("all", "default"):
        sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.accept_dad=0", f"net.ipv6.conf.{conf}.addr_gen_mode=1")
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
    for args in ([], ["-a"], ["en0"], ["p2p0"]):
        ours = run(sockscope("interfaces", "--format=ifconfig", *args))
        theirs = run(["ifconfig"] + args)
        assert ours[2] == theirs[2] == 0
        assert ours[0].decode() == theirs[0].decode(), args
