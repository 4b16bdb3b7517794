"""sockscope interfaces --listeners on the seed's scenario: netcat listening on 127.0.0.1 and on
0.0.0.0 with one port, an IPv6 listener and a device-bound one. What the listing says about
each address is checked against ss (which sockets listen, in which process) and against real
connections (which socket receives them)."""
import json
import re
import socket
import subprocess

from harness import SeedTopology, bound_ports, peer_binary, run, sh, sockscope, wait_for, wait_for_port

DEVICE_BOUND_LISTENER = """
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"en0")
s.bind(("0.0.0.0", 0))
s.listen()
while True:
    connection, _ = s.accept()
    connection.close()
"""


def address_sections(text):
    """{(interface, address line start): [listener lines]} and the closing sections' lines."""
    sections, interface, address, tail = {}, None, None, []
    for line in text.splitlines():
        if line and not line.startswith("\t") and ": index " in line:
            interface, address = line.split(":", 1)[0], None
        elif line.startswith("\tinet"):
            address = line.split()[1]
            sections[interface, address] = []
        elif line.startswith("\t\t"):
            sections[interface, address].append(line.strip())
        elif line.startswith("Wildcard listeners") or line.startswith("Listeners on"):
            interface = None
        elif line.startswith("\t") and interface is None:
            tail.append(line.strip())
    return sections, tail


def comm(process):
    with open(f"/proc/{process.pid}/comm") as name:
        return name.read().strip()


def send_to(host, port, data):
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(data)


def test_listeners_under_each_address(seed):
    nc = peer_binary("nc.openbsd")
    specific = seed.ns.spawn([nc, "-l", "-k", "127.0.0.1", "0"])
    port = wait_for_port(specific)
    wildcard = seed.ns.spawn([nc, "-l", "-k", "0.0.0.0", str(port)])
    wait_for(lambda: port in bound_ports(wildcard.pid), what="the wildcard listener")
    ipv6 = seed.ns.spawn([nc, "-6", "-l", "-k", "::1", "0"])
    ipv6_port = wait_for_port(ipv6)
    device_bound = seed.ns.spawn(["python3", "-c", DEVICE_BOUND_LISTENER])
    device_port = wait_for_port(device_bound)

    stdout, stderr, code = run(sockscope("interfaces", "--listeners"))
    assert code == 0, stderr
    sections, tail = address_sections(stdout.decode())
    nc_name = comm(specific)  # "nc.openbsd" when called by that name

    loopback = sections["lo", "127.0.0.1/8"]
    assert loopback[0] == f"tcp 127.0.0.1:{port} {nc_name} (pid {specific.pid}, fd 3)"
    assert loopback[1] == (f"tcp 0.0.0.0:{port} {nc_name} (pid {wildcard.pid}, fd 3); wildcard, "
                           "not used here: a listener bound to this address takes its connections")
    assert not any(f":{device_port} " in line for line in loopback)  # bound to en0, not lo
    assert sections["lo", "::1/128"] == [f"tcp [::1]:{ipv6_port} {nc_name} (pid {ipv6.pid}, fd 3)"]
    en0 = sections["en0", f"{SeedTopology.EN0_V4}/24"]
    # Listeners are listed by port; the ports here are the kernel's choice.
    assert sorted(en0) == sorted([
        f"tcp 0.0.0.0:{port} {nc_name} (pid {wildcard.pid}, fd 3); wildcard",
        f"tcp 0.0.0.0:{device_port} python3 (pid {device_bound.pid}, fd 3); wildcard, "
        "only for connections arriving on en0"])
    assert sections["en0", f"{SeedTopology.EN0_LINK_LOCAL}%en0/64"] == []
    assert sorted(tail) == sorted([
        f"tcp 0.0.0.0:{port} {nc_name} (pid {wildcard.pid}, fd 3): every IPv4 address",
        f"tcp 0.0.0.0:{device_port} python3 (pid {device_bound.pid}, fd 3): every IPv4 address, "
        "for connections arriving on en0"])

    # --json carries the same, address by address, in a key ip does not have.
    entries = json.loads(run(sockscope("interfaces", "--json", "--listeners"))[0])
    lo = {a["local"]: a for e in entries if e["ifname"] == "lo" for a in e["addr_info"]}
    assert [(l["local"], l["port"], l["wildcard"], l["shadowed"], [p["pid"] for p in l["processes"]])
            for l in lo["127.0.0.1"]["listeners"]] == [("127.0.0.1", port, False, False, [specific.pid]),
                                                       ("0.0.0.0", port, True, True, [wildcard.pid])]
    en0 = {a["local"]: a for e in entries if e["ifname"] == "en0" for a in e["addr_info"]}
    assert {l["device"] for l in en0[SeedTopology.EN0_V4]["listeners"] if "device" in l} == {"en0"}

    # The same sockets and processes as ss sees them.
    ss = sh("ss", "-Htlnp").stdout
    # ss writes a device-bound IPv4 listener as 0.0.0.0%en0; we name the device in words.
    listed = {(re.sub(r"^([0-9.]+)%\S+$", r"\1", m.group(1)), int(m.group(2)))
              for m in re.finditer(r"(\S+):(\d+)\s+\S+:\*\s+users:", ss)}
    shown = {(line.split()[1].rsplit(":", 1)[0], int(line.split()[1].rsplit(":", 1)[1]))
             for lines in sections.values() for line in lines} | {(line.split()[1].rsplit(":", 1)[0], int(
                 line.split()[1].rsplit(":", 1)[1])) for line in tail}
    assert shown == listed
    for pid in (specific.pid, wildcard.pid, ipv6.pid, device_bound.pid):
        assert f"pid={pid}," in ss

    # And real connections go where the listing says: 127.0.0.1 to the specific listener,
    # en0's address to the wildcard; the en0-bound listener hears en0's address from the LAN
    # host but not 127.0.0.1.
    send_to("127.0.0.1", port, b"to-loopback\n")
    send_to(SeedTopology.EN0_V4, port, b"to-en0\n")
    subprocess.run(seed.in_peer([nc, "-z", "-w", "5", SeedTopology.EN0_V4, str(device_port)]), check=True, timeout=10)
    refused = subprocess.run([nc, "-z", "-w", "5", "127.0.0.1", str(device_port)], timeout=10)
    assert refused.returncode == 1
    specific_out, _ = specific.stop()
    wildcard_out, _ = wildcard.stop()
    assert specific_out == b"to-loopback\n" and wildcard_out == b"to-en0\n"


def test_listeners_only_with_the_default_view(netns):
    for bad in (["--listeners", "--format=ifconfig"], ["--listeners", "-l"],
                ["--listeners", "--replay=/nonexistent"]):
        _, stderr, code = run(sockscope("interfaces", *bad))
        assert code == 2 and stderr.count(b"\n") == 1, (bad, stderr)
    stdout, _, code = run(sockscope("interfaces", "--listeners"))
    assert code == 0 and stdout.decode().endswith("Wildcard listeners, on every address: none\n")
