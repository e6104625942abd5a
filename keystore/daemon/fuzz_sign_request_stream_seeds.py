#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_sign_request_stream (keystore/daemon/
fuzz_corpus/fuzz_sign_request_stream/): SignZoneRequest streams in protobuf's
delimited form, encoded by hand from proto/keystore.proto's field numbers so
no generated code is needed. Run from that folder; the files are committed."""


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, value):
    if isinstance(value, bool):
        return varint(number << 3) + varint(int(value))
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


# SignOptions field numbers.
OPT = dict(origin=1, display_name=2, inception_unix=3, expiration_unix=4,
           jitter_seconds=5, refresh_seconds=6, serial_mode=7, nsec3=8,
           nsec3_salt_hex=9, nsec3_iterations=10, nsec3_opt_out=11,
           dnskey_ttl=12, add_cds=13, skip_self_verify=14,
           allow_nsec3_iterations=15)


def options(**kw):
    return b"".join(field(OPT[k], v) for k, v in kw.items())


def delimited(message):
    return varint(len(message)) + message


def stream(opts, *chunks):
    out = delimited(field(1, opts))
    for c in chunks:
        out += delimited(field(2, c))
    return out


ZONE = """$ORIGIN example.
$TTL 300
@ IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 300
@ IN NS ns1
@ IN MX 10 mail
ns1 IN A 192.0.2.1
mail IN A 192.0.2.25
www IN CNAME @
*.w IN TXT "wild"
sub IN NS ns.sub
sub IN DS 2371 13 2 1F987CC6583E92DF0890718C42E8F40B0C7E5E7A6D6D3B7B1C3B5F0E2D4A6C8E
ns.sub IN A 192.0.2.99
"""

SEEDS = {
    "nsec_one_chunk": stream(options(origin="example."), ZONE),
    "nsec_three_chunks": stream(options(origin="example.", display_name="z"),
                                ZONE[:40], ZONE[40:120], ZONE[120:]),
    "nsec3_optout_cds": stream(options(origin="example.", nsec3=True,
                                       nsec3_opt_out=True, add_cds=True,
                                       dnskey_ttl=60), ZONE),
    "nsec3_salt_iterations": stream(options(origin="example.", nsec3=True,
                                            nsec3_salt_hex="AABBCCDD",
                                            nsec3_iterations=5,
                                            allow_nsec3_iterations=True),
                                    ZONE),
    "serial_modes_times": stream(options(origin="example.", serial_mode=1,
                                         inception_unix=1767225600,
                                         expiration_unix=1769904000,
                                         jitter_seconds=3600,
                                         refresh_seconds=86400), ZONE),
    "skip_self_verify_date": stream(options(origin="example.",
                                            skip_self_verify=True,
                                            serial_mode=3), ZONE),
    "bad_salt": stream(options(origin="example.", nsec3=True,
                               nsec3_salt_hex="XYZ"), ZONE),
    "bad_iterations": stream(options(origin="example.", nsec3=True,
                                     nsec3_iterations=70000), ZONE),
    "bad_window": stream(options(origin="example.", inception_unix=2000000000,
                                 expiration_unix=1000000000), ZONE),
    "no_origin": stream(options(display_name="x"), ZONE),
    "origin_mismatch": stream(options(origin="other.example."), ZONE),
    "options_twice": stream(options(origin="example."), ZONE)
    + delimited(field(1, options(origin="example."))),
    "chunk_first": delimited(field(2, ZONE)),
    "bad_zone_text": stream(options(origin="example."),
                            "$ORIGIN example.\n@ IN SOA ( ns1 h 1 2 3 4 5\n"),
    "truncated_message": stream(options(origin="example."), ZONE)[:-30],
}

if __name__ == "__main__":
    for name, data in SEEDS.items():
        with open(name, "wb") as f:
            f.write(data)
