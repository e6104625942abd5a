#!/usr/bin/env python3
"""Makes a changed copy of a zone from gen_tld_zone.py for the incremental
re-signing benchmark.

Usage: change_zone.py IN OUT N

N records change, deterministically: N/2 new secure delegations are added
(an NS and a DS each, N/4 delegations), N/4 DS records get a new digest, and
the delegations of N/4 other names lose all their records (removed
delegations). Every change alters signed data or the NSEC/NSEC3 chain, so
each costs signatures in an incremental re-sign.
"""

import hashlib
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    in_path, out_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(in_path, encoding="ascii") as f:
        lines = f.read().splitlines()
    ds_lines = [i for i, l in enumerate(lines) if " IN DS " in l]
    # Every 7th DS line gets a new digest, up to N/4 of them.
    changed_ds = set(ds_lines[::7][: n // 4])
    # Owners of N/4 other delegations (not among the changed DS) go away.
    owners = []
    seen = set()
    for i, l in enumerate(lines):
        if " IN NS " in l and not l.startswith("@") and i not in changed_ds:
            owner = l.split()[0]
            if owner not in seen and "." not in owner:
                seen.add(owner)
                owners.append(owner)
    removed = set(owners[1::97][: n // 4])
    out = []
    for i, l in enumerate(lines):
        owner = l.split()[0] if l and not l.startswith("$") else ""
        base = owner.split(".", 1)[-1] if owner.startswith("ns") else owner
        if owner in removed or base in removed:
            continue
        if i in changed_ds:
            head = l.rsplit(" ", 1)[0]
            l = head + " " + hashlib.sha256(l.encode()).hexdigest().upper()
        out.append(l)
    for k in range(n // 4):
        label = f"added{k}x"
        out.append(f"{label} 172800 IN NS ns1.host{k % 2000}.net.")
        out.append(
            f"{label} 86400 IN DS {k % 65536} 13 2 "
            f"{hashlib.sha256(label.encode()).hexdigest().upper()}")
    with open(out_path, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    print(f"changed {len(changed_ds)} DS, removed {len(removed)} delegations, "
          f"added {n // 4} delegations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
