#!/usr/bin/python3
"""A second-language client of keystored, generated from proto/keystore.proto.

Shows that the API is the contract: the stubs are generated at run time from
the .proto alone (grpc_tools.protoc, Debian's python3-grpc-tools) into a
temporary directory, and the zone is signed over (mutual) TLS with Debian's
python3-grpcio, streamed in chunks both ways as the proto defines.

  python_sign_client.py --proto proto/keystore.proto --server HOST:PORT
      --ca CA.pem [--cert C.pem --key C.key] --origin ZONE --out FILE
      [--chunk BYTES] [--stream-forever | --cancel-after N] [--plaintext]
      ZONEFILE
  python_sign_client.py ... --list-keys ZONE     (KeyAdmin.ListKeys)

Without --cert/--key no client certificate is sent. --stream-forever sends
the zone, then comment lines without end (a stream that never ends: the
server's max-zone-bytes must stop it). --cancel-after N cancels the call
after N zone chunks (a truncated stream: exit 1, CANCELLED). --plaintext
talks cleartext HTTP/2 (grpc.insecure_channel, no TLS, --ca/--cert/--key
unused): a mutual-TLS listener must refuse it (exit 1, UNAVAILABLE).

Exit 0 on success (the signed zone written atomically to --out, a summary on
stderr); else exit 1 with one line "python_sign_client: STATUS: details" and
nothing written.
"""

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time


def generate_stubs(proto_path, into):
    proto_dir = os.path.dirname(os.path.abspath(proto_path))
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I" + proto_dir,
         "--python_out=" + into, "--grpc_python_out=" + into,
         os.path.abspath(proto_path)],
        check=True)
    sys.path.insert(0, into)
    base = os.path.splitext(os.path.basename(proto_path))[0]
    return (importlib.import_module(base + "_pb2"),
            importlib.import_module(base + "_pb2_grpc"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def requests(pb2, args, call_holder):
    """The request stream: options first, then the zone in chunks."""
    yield pb2.SignZoneRequest(options=pb2.SignOptions(
        origin=args.origin, display_name=os.path.basename(args.zonefile)))
    chunks = 0
    with open(args.zonefile, "rb") as f:
        while True:
            if args.cancel_after is not None and chunks >= args.cancel_after:
                # A truncated stream: the client gives up mid-zone.
                while not call_holder:
                    time.sleep(0.01)
                call_holder[0].cancel()
                return
            data = f.read(args.chunk)
            if not data:
                break
            chunks += 1
            yield pb2.SignZoneRequest(zone_chunk=data)
    if args.stream_forever:
        filler = b"; " + b"x" * max(args.chunk - 3, 1) + b"\n"
        while True:
            chunks += 1
            args.chunks_sent = chunks
            yield pb2.SignZoneRequest(zone_chunk=filler)
    args.chunks_sent = chunks


def sign(grpc, pb2, pb2_grpc, channel, args):
    stub = pb2_grpc.ZoneSignerStub(channel)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    fd, tmp = tempfile.mkstemp(prefix=".python_sign_client.", dir=out_dir)
    try:
        summary = None
        received = 0
        with os.fdopen(fd, "wb") as out:
            call_holder = []
            call = stub.SignZone(requests(pb2, args, call_holder))
            call_holder.append(call)
            for response in call:
                if response.HasField("summary"):
                    summary = response.summary
                else:
                    received += 1
                    out.write(response.signed_chunk)
            out.flush()
            os.fsync(out.fileno())
        if summary is None:
            raise RuntimeError("the stream ended without a summary")
        os.rename(tmp, args.out)
    except BaseException:
        os.unlink(tmp)
        raise
    print("python_sign_client: %s signed: %d records in, %d out, "
          "%d signatures; %d chunks sent, %d received; self-verified %s" %
          (args.origin, summary.records_in, summary.records_out,
           summary.signatures, args.chunks_sent, received,
           summary.self_verified), file=sys.stderr)


def list_keys(pb2, pb2_grpc, channel, zone):
    stub = pb2_grpc.KeyAdminStub(channel)
    for key in stub.ListKeys(pb2.ListKeysRequest(zone=zone)).keys:
        print(key.zone, key.algorithm_name, key.key_tag,
              pb2.KeyRole.Name(key.role), pb2.KeyState.Name(key.state))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--proto", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--origin")
    p.add_argument("--out")
    p.add_argument("--chunk", type=int, default=64 * 1024)
    p.add_argument("--stream-forever", action="store_true")
    p.add_argument("--cancel-after", type=int, metavar="N")
    p.add_argument("--list-keys", metavar="ZONE")
    p.add_argument("--plaintext", action="store_true")
    p.add_argument("zonefile", nargs="?")
    args = p.parse_args()
    if args.list_keys is None and not (args.origin and args.out and
                                       args.zonefile):
        p.error("signing needs --origin, --out and ZONEFILE")
    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")

    if args.cert:
        # gRPC would only log "Invalid private key" and fail with an unclear
        # UNAVAILABLE; say it plainly, before any connection (as dnssigner).
        import ssl
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(
                args.cert, args.key)
        except ssl.SSLError as e:
            print("python_sign_client: --key %s is not the key of --cert %s "
                  "(%s); nothing sent" % (args.key, args.cert, e.reason),
                  file=sys.stderr)
            return 1
        except OSError as e:
            print("python_sign_client: %s" % e, file=sys.stderr)
            return 1

    import grpc  # Debian's python3-grpcio
    stubs = tempfile.mkdtemp(prefix="keystore_stubs.")
    try:
        pb2, pb2_grpc = generate_stubs(args.proto, stubs)
        if args.plaintext:
            channel = grpc.insecure_channel(args.server)
        else:
            # The CA given is the only trust anchor: no system roots.
            credentials = grpc.ssl_channel_credentials(
                root_certificates=read(args.ca),
                private_key=read(args.key) if args.key else None,
                certificate_chain=read(args.cert) if args.cert else None)
            channel = grpc.secure_channel(args.server, credentials)
        with channel:
            if args.list_keys is not None:
                list_keys(pb2, pb2_grpc, channel, args.list_keys)
            else:
                sign(grpc, pb2, pb2_grpc, channel, args)
    except grpc.RpcError as e:
        print("python_sign_client: %s: %s" % (e.code().name, e.details()),
              file=sys.stderr)
        return 1
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print("python_sign_client: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(stubs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
