"""sockets views replayed from a recorded sock_diag dump (tests/golden/record-sockets makes both
the dump and the expected renderings): the renderers, without a live kernel or root."""
import os

from harness import SOURCE_DIR, run, sockscope


def test_replayed_dump_renders_as_recorded():
    dump = os.path.join(SOURCE_DIR, "tests/data/sockets-seed.nldump")
    for view, suffix in (("--json", "json"), ("--table", "table")):
        stdout, stderr, code = run(sockscope("sockets", f"--replay={dump}", view, "-i"))
        assert code == 0, stderr
        with open(os.path.join(SOURCE_DIR, f"tests/golden/sockets-seed.{suffix}"), "rb") as expected:
            assert stdout == expected.read(), view


def test_a_truncated_recording_is_an_error_not_a_crash(tmp_path):
    dump = os.path.join(SOURCE_DIR, "tests/data/sockets-seed.nldump")
    cut = tmp_path / "cut.nldump"
    cut.write_bytes(open(dump, "rb").read()[:100])
    stdout, stderr, code = run(sockscope("sockets", f"--replay={cut}", "--json", "-i"))
    assert code == 1 and stdout == b"" and stderr.count(b"\n") == 1 and b"netlink replay" in stderr
