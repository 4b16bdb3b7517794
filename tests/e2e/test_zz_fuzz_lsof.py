import random, os
from test_sockets import host, both, without_scope  # noqa

def gen(h, rnd):
    p, q = h.port, h.shared_port
    items = []
    ispecs = ["", "4", "6", "TCP", "UDP", "tcp", "udp", "4TCP", "6UDP", "@127.0.0.1", "@[::1]", "@localhost", "@0.0.0.0",
              f":{p}", f":{q}", f":{p},{q}", f":{min(p,q)}-{max(p,q)}", "TCP:1-1024", ":http", "UDP:domain", "4@127.0.0.1",
              f"TCP@127.0.0.1:{p}", f"@[::1]:{p}", "@192.168.1.89", "6@[::]", f"UDP@127.0.0.1", ":0", f"TCP:{p}-{p}",
              "@[fe80::89]", "@[fe80::89%en0]", f"4:{p}", "TCP:*", ":*"]
    for _ in range(rnd.randint(1, 4)):
        r = rnd.random()
        if r < 0.45:
            spec = rnd.choice(ispecs)
            items += ["-i" + spec] if rnd.random() < 0.5 or not spec else ["-i", spec]
        elif r < 0.6:
            items += [rnd.choice(["-sTCP:LISTEN", "-sTCP:^LISTEN", "-sTCP:ESTABLISHED", "-sUDP:Idle", "-sUDP:^Idle", "-s", "-sTCP:LISTEN,ESTABLISHED", "-sTCP:CLOSE_WAIT"])]
        elif r < 0.7:
            items += [rnd.choice(["-a", "-n", "-P", "-l", "-U", "-t", "-Pn", "-nP", "-Pni"])]
        elif r < 0.8:
            items += ["-p", rnd.choice([str(h.nc_specific.pid), f"^{h.nc_specific.pid}", f"{h.nc_specific.pid},{h.nc_wildcard.pid}", "1", "^1"])]
        elif r < 0.9:
            items += ["-u", rnd.choice(["root", "^root", "4242", "0", "nobody", "root,4242", "^4242"])]
        else:
            items += ["-c", rnd.choice(["nc", "^nc", "python", "pyth", "n", "^python3", "/nc/", "nc.openbsd"])]
    if rnd.random() < 0.3:
        items += [rnd.choice(["-F", "-F0", "-Fpcfn", "-FpPn", "-Fn", "-FTn", "-Fcu"])]
    return items

def test_fuzz(host):
    rnd = random.Random(int(os.environ.get("FUZZ_SEED", "1")))
    bad = []
    for _ in range(int(os.environ.get("FUZZ_N", "200"))):
        args = gen(host, rnd)
        ours, theirs = both(args)
        if b" cwd " in theirs[0] or b"\nfcwd" in theirs[0] or b"process_a" in theirs[0]:
            continue  # lsof lists non-socket files of the selected processes
        first = lambda e: b"" if b"no pwd entry" in e else e.split(b"\n")[0]
        o = (without_scope(ours[0]), ours[2], first(ours[1]).replace(b"sockscope sockets:", b"lsof:"))
        t = (theirs[0], theirs[2], first(theirs[1]))
        if o != t:
            bad.append((args, o, t))
    for b in bad[:15]:
        print("ARGS", b[0]); print(" ours", b[1][1], b[1][2], b[1][0][:600]); print(" lsof", b[2][1], b[2][2], b[2][0][:600])
    assert not bad, len(bad)
