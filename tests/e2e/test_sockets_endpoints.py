"""lsof's endpoint information, -E and +E, against lsof on the same sockets: connections
whose two ends are both on this host name the processes at the other end after the address
(and UNIX sockets the other end's inode), and +E lists those processes' sockets too."""
import json
import os
import tempfile

import pytest

from harness import peer_binary, run, sockscope

HOLDER = os.path.join(os.path.dirname(__file__), "connection_holder.py")
PYTHON = "/usr/bin/python3"
# More than lsof's nine COMMAND characters: endpoint information cuts commands to +c's width.
LONG_COMMAND = "connectionholder"


@pytest.fixture
def ends(netns):
    with tempfile.TemporaryDirectory() as directory:
        # comm comes from the name the program is started by.
        program = os.path.join(directory, LONG_COMMAND)
        os.symlink(PYTHON, program)
        holder = netns.spawn([program, HOLDER, os.path.join(directory, "listener.sock")])
        line = holder.popen.stdout.readline()
        assert line, holder.popen.stderr.read().decode()
        yield json.loads(line)


def forms(h):
    parent, client, copy, port = h["parent"], h["client"], h["copy"], h["tcp_port"]
    return [
        ["-E", "-Pn", "-i"], ["+E", "-Pn", "-i"], ["-E", "-Pn", "-a", "-p", str(client), "-i"],
        ["+E", "-Pn", "-a", "-p", str(client), "-i"], ["+E", "-Pn", "-a", "-p", str(copy), "-i"],
        ["-E", "-a", "-p", str(parent), "-U"], ["+E", "-a", "-p", str(parent), "-U"], ["+E", "-a", "-p", str(client), "-U"],
        ["-E", "-F", "pfn", "-a", "-p", str(client), "-i"], ["-E", "-F0", "-a", "-p", str(parent), "-U"],
        ["+E", "-Pn", f"-i:{port}"], ["-E", "-Pn", f"-i:{port}", "-sTCP:ESTABLISHED"], ["-EPn", "-iUDP"],
        ["-t", "+E", "-a", "-p", str(client), f"-i:{port}"], ["-E", "-Pn", "-i6"], ["-nPE", "-i", "-a", "-d", "3-9"],
        ["+c", "0", "-E", "-Pn", "-i"], ["+c", "3", "-E", "-U", "-a", "-p", str(copy)], ["+c12", "-E", "-Pn", "-i"],
    ]


def test_endpoint_forms_match_lsof(ends):
    differences = []
    for args in forms(ends):
        theirs = run([peer_binary("lsof")] + args, timeout=60)
        ours = run(sockscope("sockets", *args), timeout=60)
        if (ours[0], ours[2]) != (theirs[0], theirs[2]):
            differences.append((args, ours, theirs))
    assert not differences, differences[:2]


def test_endpoints_name_the_other_process(ends):
    """Not only lsof's text: the right processes. The client's TCP connection ends in the
    parent and in the copy, which share one descriptor of the accepted socket, highest pid first."""
    out, _, status = run(sockscope("sockets", "-E", "-Pn", "-a", "-p", str(ends["client"]), f"-i:{ends['tcp_port']}",
                                   "-sTCP:ESTABLISHED"))
    assert status == 0
    (line,) = out.decode().splitlines()[1:]
    holders = [word.split(",") for word in line.split("->")[1].split()[1:-1]]
    assert [int(pid) for pid, _, _ in holders] == sorted([ends["parent"], ends["copy"]], reverse=True)
    assert {command for _, command, _ in holders} == {LONG_COMMAND[:9]}
    (fd,) = {fd for _, _, fd in holders}
    accepted = os.readlink(f"/proc/{ends['parent']}/fd/{fd.rstrip('u')}")
    assert accepted.startswith("socket:[") and accepted == os.readlink(f"/proc/{ends['copy']}/fd/{fd.rstrip('u')}")


def test_json_and_table_name_who_holds_the_other_end(ends):
    port = ends["tcp_port"]
    out, _, status = run(sockscope("sockets", "--json", "-a", "-p", str(ends["client"]), f"-i:{port}", "-sTCP:ESTABLISHED"))
    assert status == 0
    (client_end,) = json.loads(out)
    assert sorted(owner["pid"] for owner in client_end["peer_owners"]) == sorted([ends["parent"], ends["copy"]])
    assert [owner["pid"] for owner in client_end["owners"]] == [ends["client"]]
    listener = [s for s in json.loads(run(sockscope("sockets", "--json", f"-i:{port}", "-sTCP:LISTEN"))[0])]
    assert listener and all(s["peer_owners"] == [] for s in listener)
    table, _, _ = run(sockscope("sockets", "--table", "-a", "-p", str(ends["parent"]), f"-i:{port}", "-sTCP:ESTABLISHED"))
    (row,) = table.decode().splitlines()[1:]
    assert f"({LONG_COMMAND[:15]}[{ends['client']}] fd " in row, row
