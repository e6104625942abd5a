#!/usr/bin/env python3
"""Writes a TLD-like zone for the signing benchmark.

Usage: gen_tld_zone.py ORIGIN N OUTFILE

The zone (deterministic for a given ORIGIN and N; no randomness from the
clock) holds:
  - SOA and 2 apex NS (in-bailiwick, with A + AAAA glue-like apex data);
  - N delegations, each with 2 NS records;
  - 10% of delegations (i % 10 == 0) use in-bailiwick name servers
    ns1/ns2.<child>, with glue: an A for both and an AAAA for ns1;
  - the other 90% point at one of 2,000 out-of-zone hosting providers;
  - 50% of delegations are secure (hash-chosen): one DS (alg 13, SHA-256);
    1 in 10 of those carries a second DS (a KSK rollover in progress).
Names are hash-derived, so the input is not in canonical order and the
signers have to sort it, as they would with a real registry export.
"""

import hashlib
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    origin = sys.argv[1].rstrip(".") + "."
    n = int(sys.argv[2])
    out_path = sys.argv[3]
    lines = [
        f"$ORIGIN {origin}",
        "$TTL 86400",
        f"@ 86400 IN SOA a.nic.{origin} hostmaster.nic.{origin} "
        "2024010101 1800 900 604800 3600",
        f"@ 172800 IN NS a.nic.{origin}",
        f"@ 172800 IN NS b.nic.{origin}",
        "a.nic 172800 IN A 192.0.2.1",
        "a.nic 172800 IN AAAA 2001:db8::1",
        "b.nic 172800 IN A 192.0.2.2",
        "b.nic 172800 IN AAAA 2001:db8::2",
    ]
    with open(out_path, "w", encoding="ascii") as out:
        out.write("\n".join(lines) + "\n")
        chunk = []
        for i in range(n):
            h = hashlib.blake2b(i.to_bytes(8, "little"), digest_size=24)
            d = h.digest()
            # 6-14 letters + the index in base 36: unique, unsorted.
            letters = "".join(chr(97 + b % 26) for b in d[: 6 + d[23] % 9])
            label = f"{letters}{i:x}"
            if i % 10 == 0:
                chunk.append(f"{label} 172800 IN NS ns1.{label}\n")
                chunk.append(f"{label} 172800 IN NS ns2.{label}\n")
                a = 10 << 24 | (i & 0xFFFFFF)
                chunk.append(
                    f"ns1.{label} 172800 IN A "
                    f"{a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}\n")
                chunk.append(
                    f"ns2.{label} 172800 IN A "
                    f"100.{64 + (i >> 16 & 63)}.{i >> 8 & 255}.{i & 255}\n")
                chunk.append(
                    f"ns1.{label} 172800 IN AAAA 2001:db8:{i >> 16:x}:"
                    f"{i & 0xFFFF:x}::53\n")
            else:
                p = d[20] << 8 | d[21]
                p %= 2000
                chunk.append(f"{label} 172800 IN NS ns1.host{p}.net.\n")
                chunk.append(f"{label} 172800 IN NS ns2.host{p}.net.\n")
            if d[22] & 1:
                chunk.append(
                    f"{label} 86400 IN DS {d[0] << 8 | d[1]} 13 2 "
                    f"{hashlib.sha256(d).hexdigest().upper()}\n")
                if d[22] % 20 == 1:
                    chunk.append(
                        f"{label} 86400 IN DS {d[2] << 8 | d[3]} 13 2 "
                        f"{hashlib.sha256(d + b'2').hexdigest().upper()}\n")
            if len(chunk) >= 65536:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
