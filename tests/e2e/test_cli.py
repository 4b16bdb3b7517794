"""The binary's front door: the command table, help, version and the nc link."""
import os
import re

from harness import run, sockscope, SOCKSCOPE


def test_overview_lists_every_command():
    stdout, _, code = run(sockscope("help"))
    assert code == 0
    for name in ("nc", "sockets", "interfaces", "explain", "tour", "help", "version"):
        assert re.search(rf"^  {name} ", stdout.decode(), re.M), name


def test_unknown_command_suggests_the_closest():
    _, stderr, code = run(sockscope("socket"))
    assert code == 2
    assert stderr.decode() == "sockscope: unknown command 'socket'; did you mean 'sockets'?\n"
    _, stderr, code = run(sockscope("qqqqqqqqqq"))
    assert code == 2
    assert "run 'sockscope help' for the list" in stderr.decode()


def test_version_names_the_git_revision():
    for args in (("version",), ("--version",)):
        stdout, _, code = run(sockscope(*args))
        assert code == 0
        assert re.fullmatch(r"sockscope \d+\.\d+\.\d+ \(git ([0-9a-f]{7,}|unknown)\)\n", stdout.decode())


def test_help_for_one_command_and_unknown_help_topic():
    stdout, _, code = run(sockscope("help", "nc"))
    assert code == 0 and stdout
    _, stderr, code = run(sockscope("help", "interface"))
    assert code == 2
    assert "did you mean 'interfaces'?" in stderr.decode()


def test_invoked_as_nc_it_is_nc(tmp_path):
    link = tmp_path / "nc"
    os.symlink(SOCKSCOPE, link)
    via_link = run([str(link), "-h"])
    direct = run(sockscope("nc", "-h"))
    assert via_link[2] == direct[2]
    # Messages start with the name the program was invoked as; nc's help goes to stderr.
    assert via_link[1] and via_link[1] == direct[1].replace(b"sockscope nc", b"nc")
