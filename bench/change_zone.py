#!/usr/bin/env python3
"""Makes a changed copy of a zone from gen_tld_zone.py for the incremental
re-signing benchmark.

Usage: change_zone.py IN OUT N
       change_zone.py --signed ORIGIN --base BASE IN OUT N
       change_zone.py --same-change ORIGIN UNSIGNED SIGNED

N records change, deterministically: N/2 new secure delegations are added
(an NS and a DS each, N/4 delegations), N/4 DS records get a new digest, and
the delegations of N/4 other names lose all their records (removed
delegations). Every change alters signed data or the NSEC/NSEC3 chain, so
each costs signatures in an incremental re-sign.

--signed ORIGIN --base BASE: IN is a signed zone with absolute owners and one
record per line (dnssec-signzone -O full), signed from BASE (gen_tld_zone.py's
output). The change is chosen from BASE exactly as `change_zone.py BASE OUT N`
chooses it, and applied to IN: a removed delegation loses every record at and
below its name (NS, DS, glue, and their RRSIG and NSEC); a changed DS gets its
new digest and keeps its old RRSIG (which no longer verifies); an added
delegation gets its NS and DS, unsigned. The rest of IN (RRSIG, NSEC,
DNSKEY, ...) is left as it is, for the signer to re-use or replace.

--same-change ORIGIN UNSIGNED SIGNED: checks that the two changed zones hold
the same NS and DS records (owner, type, data); exits 1 if not.
"""

import argparse
import hashlib
import sys


class Plan:
    """One change of a gen_tld_zone.py zone, chosen from its lines."""

    def __init__(self, lines, n):
        ds_lines = [i for i, l in enumerate(lines) if " IN DS " in l]
        # Every 7th DS line gets a new digest, up to N/4 of them.
        self.changed_ds = set(ds_lines[::7][: n // 4])
        # Owners of N/4 other delegations (not among the changed DS) go away.
        owners = []
        seen = set()
        for i, l in enumerate(lines):
            if " IN NS " in l and not l.startswith("@") and i not in self.changed_ds:
                owner = l.split()[0]
                if owner not in seen and "." not in owner:
                    seen.add(owner)
                    owners.append(owner)
        self.removed = set(owners[1::97][: n // 4])
        self.added = n // 4
        # (owner, old DS data, new DS data) of each changed DS, for a signed
        # copy of the zone. (A few changed DS belong to removed delegations,
        # which wins.)
        self.ds_changes = []
        for i in sorted(self.changed_ds):
            l, new = lines[i], self.new_ds_line(lines[i])
            if self.is_removed(l.split()[0]):
                continue
            self.ds_changes.append(
                (l.split()[0], rdata_key(l.split()[4:]), new.split()[4:]))

    @staticmethod
    def new_ds_line(line):
        head = line.rsplit(" ", 1)[0]
        return head + " " + hashlib.sha256(line.encode()).hexdigest().upper()

    def is_removed(self, relative_owner):
        """True for a removed delegation's name and every name below it."""
        return relative_owner.rsplit(".", 1)[-1] in self.removed

    def added_records(self, suffix=""):
        """The added delegations' NS and DS lines, owners + suffix."""
        out = []
        for k in range(self.added):
            label = f"added{k}x"
            out.append(f"{label}{suffix} 172800 IN NS ns1.host{k % 2000}.net.")
            out.append(
                f"{label}{suffix} 86400 IN DS {k % 65536} 13 2 "
                f"{hashlib.sha256(label.encode()).hexdigest().upper()}")
        return out

    def summary(self):
        return (f"changed {len(self.ds_changes)} DS, removed "
                f"{len(self.removed)} delegations, added {self.added} "
                "delegations")


def rdata_key(fields):
    """RDATA compared as the signers print it: BIND splits long hex."""
    return "".join(fields).upper()


def read_lines(path):
    with open(path, encoding="ascii") as f:
        return f.read().splitlines()


def write_lines(path, lines):
    with open(path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")


def change_unsigned(lines, plan):
    out = []
    for i, l in enumerate(lines):
        owner = l.split()[0] if l and not l.startswith("$") else ""
        base = owner.split(".", 1)[-1] if owner.startswith("ns") else owner
        if owner in plan.removed or base in plan.removed:
            continue
        if i in plan.changed_ds:
            l = plan.new_ds_line(l)
        out.append(l)
    return out + plan.added_records()


def split_record(line):
    """(owner, ttl, class, type, rdata fields) of a one-line record with an
    absolute owner; None for comments, blank and $ lines."""
    if not line.strip() or line.startswith((";", "$")):
        return None
    if line[0].isspace():
        raise ValueError(f"record without an owner: {line!r}")
    fields = line.split()
    owner, rest = fields[0].lower(), fields[1:]
    ttl = cls = ""
    while rest and (rest[0].isdigit() or rest[0].upper() in ("IN", "CH", "HS")):
        if rest[0].isdigit():
            ttl = rest[0]
        else:
            cls = rest[0]
        rest = rest[1:]
    return owner, ttl, cls, rest[0].upper(), rest[1:]


def change_signed(lines, plan, origin):
    suffix = "." + origin
    ds_changes = {}
    for owner, old, new in plan.ds_changes:
        ds_changes.setdefault(owner + suffix, {})[old] = new
    out, done = [], 0
    for l in lines:
        rec = split_record(l)
        if rec is not None:
            owner, ttl, cls, rtype, rdata = rec
            if owner.endswith(suffix) and plan.is_removed(owner[: -len(suffix)]):
                continue
            new = ds_changes.get(owner, {}).get(rdata_key(rdata))
            if rtype == "DS" and new is not None:
                l = f"{owner} {ttl} {cls or 'IN'} DS {' '.join(new)}"
                done += 1
        out.append(l)
    if done != len(plan.ds_changes):
        raise ValueError(f"{len(plan.ds_changes)} DS to change, "
                         f"{done} found in the signed zone")
    return out + plan.added_records(suffix)


def delegation_data(path, origin):
    """{(owner, type, data)} of the NS and DS records, absolute names."""
    records, current = set(), origin
    for l in read_lines(path):
        if l.startswith("$ORIGIN"):
            current = l.split()[1].lower()
            continue
        rec = split_record(l)
        if rec is None or rec[3] not in ("NS", "DS"):
            continue
        owner, _, _, rtype, rdata = rec

        def absolute(name):
            if name == "@":
                return current
            return name if name.endswith(".") else f"{name}.{current}"

        data = absolute(rdata[0].lower()) if rtype == "NS" else rdata_key(rdata)
        records.add((absolute(owner), rtype, data))
    return records


def main() -> int:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--signed", metavar="ORIGIN")
    p.add_argument("--base")
    p.add_argument("--same-change", metavar="ORIGIN")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    if a.same_change:
        if len(a.args) != 2:
            print(__doc__, file=sys.stderr)
            return 2
        origin = a.same_change.rstrip(".").lower() + "."
        unsigned, signed = (delegation_data(f, origin) for f in a.args)
        if unsigned != signed:
            print(f"different changes: {len(unsigned - signed)} NS/DS only in "
                  f"{a.args[0]}, {len(signed - unsigned)} only in {a.args[1]}; "
                  f"e.g. {sorted(unsigned ^ signed)[:3]}", file=sys.stderr)
            return 1
        print(f"same change: {len(unsigned)} NS/DS records in both",
              file=sys.stderr)
        return 0
    if len(a.args) != 3 or bool(a.signed) != bool(a.base):
        print(__doc__, file=sys.stderr)
        return 2
    in_path, out_path, n = a.args[0], a.args[1], int(a.args[2])
    if a.signed:
        plan = Plan(read_lines(a.base), n)
        origin = a.signed.rstrip(".").lower() + "."
        write_lines(out_path, change_signed(read_lines(in_path), plan, origin))
    else:
        lines = read_lines(in_path)
        plan = Plan(lines, n)
        write_lines(out_path, change_unsigned(lines, plan))
    print(plan.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
