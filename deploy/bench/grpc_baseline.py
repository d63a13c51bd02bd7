#!/usr/bin/env python3
"""gRPC baseline for `kiem-bench wire`: grpcio over mutual TLS 1.3 on loopback.

Measures the same two workloads as `kiem-bench wire` (issue 3, item 8) with a
mature gRPC implementation, Python's grpcio (whose transport, HTTP/2 and TLS
live in the C++ core, with BoringSSL):

  1. one server-streaming call that returns --messages messages of --size
     bytes: messages/s and MB/s (payload bytes / wall seconds, from sending
     the request to receiving the last message);
  2. --unary sequential unary calls echoing --unary-size bytes, after
     --warmup untimed calls: p50 and p99 latency in microseconds.

No .proto or protoc is needed: both methods are generic handlers whose
(de)serializers are the identity on bytes.

  /bench.Bench/Unary   request: any bytes; response: the same bytes
  /bench.Bench/Stream  request: u64 count, u32 size (big-endian, 12 bytes);
                       response: `count` messages of `size` bytes

Where the server runs. By default the server is a child process (this same
script with --serve) and the client the parent, as `kiem-bench wire` and
deploy/bench/grpc-swift2 run theirs (issue 13). Before, the Swift benchmark
ran client and server in one process (now `kiem-bench wire --in-process`),
where both halves run on NIO event loop threads in parallel; grpcio's Python layer holds the GIL for every
message it hands to or takes from the C core, so in one process the client
and the server take turns on the GIL. Measured here (2 cores, streaming 1 KiB
messages): in one process grpcio spent about 260 µs of CPU per message and
never used much more than one core (ceiling about 4,000 messages/s); as two
processes, about 110 µs in the client plus 110 µs in the server, each on its
own core (ceiling about 9,000 messages/s). The baseline we must beat should
be grpcio's best figure, so the server is a child process. Pass --in-process
to measure the single-process variant too.

TLS 1.3. grpcio has no API to pin or read the TLS version (its Python
credentials only take PEM bytes; BoringSSL negotiates 1.2 or 1.3). So we
check it from outside, against the running server, in two ways:
  * `openssl s_client -tls1_3` with the client certificate must negotiate
    TLSv1.3 and verify the server chain and its IP SAN 127.0.0.1;
  * a separate grpcio channel makes one call through a small TCP relay that
    parses the server's ServerHello: its supported_versions extension must
    select 0x0304 (TLS 1.3), which proves what the grpcio client and server
    negotiate with each other, not just what the server can do.
"tls13_checked" is true only if both checks succeeded. We also check that a
client without a certificate is refused (require_client_auth works).

With --json the last line printed is one JSON object:
  {"implementation": "grpcio <version>", "stream_messages": N,
   "stream_seconds": s, "stream_messages_per_second": x,
   "stream_mb_per_second": y, "unary_calls": n, "unary_p50_us": a,
   "unary_p99_us": b, "tls13_checked": bool}
MB is 10^6 bytes.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import ipaddress
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# grpcio logs refused handshakes (our no-certificate check) at INFO level;
# keep the output to results unless the caller asked for more.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import grpc  # noqa: E402  (after GRPC_VERBOSITY is set)
import grpc.experimental  # noqa: E402

UNARY_METHOD = "/bench.Bench/Unary"
STREAM_METHOD = "/bench.Bench/Stream"
STREAM_REQUEST = struct.Struct(">QI")  # count (u64), size (u32), big-endian
CERT_FILES = ("ca.crt", "server.crt", "server.key", "client.crt", "client.key")

# Identity serializers: requests and responses are plain `bytes`.
_identity = None  # grpcio passes bytes through when (de)serializer is None

# Let large --size values through (grpcio's default cap is 4 MiB).
_MESSAGE_OPTIONS = [
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
]


# --------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------

def generate_certs(out_dir: str) -> None:
    """Write a throwaway P-256 CA plus server and client certs into out_dir.

    The server certificate names IP 127.0.0.1 and DNS localhost; the client
    certificate is for clientAuth. Valid from an hour ago for one day.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1)

    def name(cn: str) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kiem-bench"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ])

    def write(filename: str, data: bytes, mode: int) -> None:
        path = os.path.join(out_dir, filename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def write_key(filename: str, key: ec.EllipticCurvePrivateKey) -> None:
        write(filename, key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), 0o600)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("kiem-bench throwaway CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True,
            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(cn: str, sans: list, usage) -> tuple:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(cn)).issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        return key, cert

    server_key, server_cert = leaf(
        "localhost",
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
        ExtendedKeyUsageOID.SERVER_AUTH)
    client_key, client_cert = leaf(
        "kiem-bench client", [x509.DNSName("kiem-bench-client")],
        ExtendedKeyUsageOID.CLIENT_AUTH)

    pem = serialization.Encoding.PEM
    write("ca.crt", ca_cert.public_bytes(pem), 0o644)
    write("server.crt", server_cert.public_bytes(pem), 0o644)
    write("client.crt", client_cert.public_bytes(pem), 0o644)
    write_key("server.key", server_key)
    write_key("client.key", client_key)


def read_certs(cert_dir: str) -> dict:
    """Read the five PEM files; exit with a clear message if one is missing."""
    certs = {}
    for filename in CERT_FILES:
        path = os.path.join(cert_dir, filename)
        try:
            with open(path, "rb") as f:
                certs[filename] = f.read()
        except OSError as e:
            sys.exit(f"grpc_baseline: cannot read {path}: {e.strerror}")
    return certs


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------

def _unary(request: bytes, context) -> bytes:
    return request


def _stream(request: bytes, context):
    count, size = STREAM_REQUEST.unpack(request)
    payload = b"\x00" * size  # one buffer, sent `count` times
    for _ in range(count):
        yield payload


def start_server(certs: dict) -> tuple:
    """Start a grpcio server on 127.0.0.1, ephemeral port; return (server, port)."""
    handler = grpc.method_handlers_generic_handler("bench.Bench", {
        "Unary": grpc.unary_unary_rpc_method_handler(
            _unary, request_deserializer=_identity, response_serializer=_identity),
        "Stream": grpc.unary_stream_rpc_method_handler(
            _stream, request_deserializer=_identity, response_serializer=_identity),
    })
    server = grpc.server(
        concurrent.futures.ThreadPoolExecutor(max_workers=4),
        handlers=[handler], options=_MESSAGE_OPTIONS)
    credentials = grpc.ssl_server_credentials(
        [(certs["server.key"], certs["server.crt"])],
        root_certificates=certs["ca.crt"],
        require_client_auth=True)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    if port == 0:
        sys.exit("grpc_baseline: could not bind 127.0.0.1:0")
    server.start()
    return server, port


def serve_child(cert_dir: str) -> None:
    """--serve: run the server, print `PORT n`, stop when stdin closes."""
    server, port = start_server(read_certs(cert_dir))
    print(f"PORT {port}", flush=True)
    sys.stdin.read()  # EOF when the parent exits or closes the pipe
    server.stop(grace=None)


class ChildServer:
    """This script run with --serve in a child process."""

    def __init__(self, cert_dir: str):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve", "--cert-dir", cert_dir],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            sys.exit("grpc_baseline: server child did not start")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class InProcessServer:
    def __init__(self, certs: dict):
        self.server, self.port = start_server(certs)

    def stop(self) -> None:
        self.server.stop(grace=None)


# --------------------------------------------------------------------------
# TLS checks
# --------------------------------------------------------------------------

def check_openssl_tls13(port: int, cert_dir: str) -> tuple:
    """openssl s_client -tls1_3 with the client cert; return (ok, detail)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return False, "openssl not found"
    p = lambda f: os.path.join(cert_dir, f)  # noqa: E731
    cmd = [openssl, "s_client", "-tls1_3", "-alpn", "h2",
           "-connect", f"127.0.0.1:{port}", "-verify_ip", "127.0.0.1",
           "-cert", p("client.crt"), "-key", p("client.key"), "-CAfile", p("ca.crt"),
           "-verify_return_error", "-brief"]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=15)
    except subprocess.TimeoutExpired:
        return False, "openssl s_client timed out"
    # stdout also carries the server's raw HTTP/2 bytes (SETTINGS frame).
    out = (r.stdout + r.stderr).decode("utf-8", errors="replace")
    # -brief prints "Protocol version: TLSv1.3" and "Verification: OK".
    tls13 = "Protocol version: TLSv1.3" in out
    verified = "Verification: OK" in out
    ok = tls13 and verified
    cipher = next((l.split(":", 1)[1].strip() for l in out.splitlines()
                   if l.startswith("Ciphersuite:")), "?")
    return ok, (f"TLSv1.3 {cipher}, server chain verified" if ok
                else "did not negotiate TLSv1.3 with a verified chain: "
                     + " | ".join(out.strip().splitlines()[-3:]))


def _server_hello_version(record: bytes):
    """Return the TLS version a ServerHello selects, or None if not parseable.

    `record` starts at the first TLS record the server sent. TLS 1.3 keeps
    legacy_version 0x0303 and puts the real one in supported_versions (43).
    """
    try:
        if record[0] != 22:  # handshake record
            return None
        hs = record[5:]
        if hs[0] != 2:  # ServerHello
            return None
        body = hs[4:4 + int.from_bytes(hs[1:4], "big")]
        version = int.from_bytes(body[0:2], "big")
        i = 2 + 32  # legacy_version, random
        i += 1 + body[i]  # legacy_session_id
        i += 2 + 1  # cipher_suite, legacy_compression_method
        end = i + 2 + int.from_bytes(body[i:i + 2], "big")
        i += 2
        while i + 4 <= end:
            ext_type = int.from_bytes(body[i:i + 2], "big")
            ext_len = int.from_bytes(body[i + 2:i + 4], "big")
            if ext_type == 43 and ext_len == 2:
                version = int.from_bytes(body[i + 4:i + 6], "big")
            i += 4 + ext_len
        return version
    except IndexError:
        return None


def check_grpc_tls13(port: int, certs: dict) -> tuple:
    """One grpcio call through a relay that reads the ServerHello."""
    relay = socket.create_server(("127.0.0.1", 0))
    relay_port = relay.getsockname()[1]
    seen = {}

    def pump(src, dst, sniff):
        buf = b""
        try:
            while data := src.recv(65536):
                if sniff and "version" not in seen:
                    buf += data
                    if len(buf) >= 5 and len(buf) >= 5 + int.from_bytes(buf[3:5], "big"):
                        seen["version"] = _server_hello_version(buf)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept_one():
        try:
            down, _ = relay.accept()
        except OSError:
            return
        up = socket.create_connection(("127.0.0.1", port))
        threading.Thread(target=pump, args=(down, up, False), daemon=True).start()
        threading.Thread(target=pump, args=(up, down, True), daemon=True).start()

    threading.Thread(target=accept_one, daemon=True).start()
    detail = ""
    try:
        with make_channel(relay_port, certs) as channel:
            channel.unary_unary(UNARY_METHOD)(b"tls13?", timeout=10)
    except grpc.RpcError as e:
        detail = f" (call failed: {e.code().name})"
    finally:
        relay.close()
    version = seen.get("version")
    if version == 0x0304:
        return True, "ServerHello selected TLS 1.3 (0x0304)"
    shown = f"0x{version:04x}" if version is not None else "no ServerHello seen"
    return False, f"ServerHello selected {shown}{detail}"


def check_refuses_anonymous(port: int, certs: dict) -> bool:
    """A client with no certificate must not get a call through."""
    creds = grpc.ssl_channel_credentials(root_certificates=certs["ca.crt"])
    with grpc.secure_channel(f"127.0.0.1:{port}", creds) as channel:
        try:
            channel.unary_unary(UNARY_METHOD)(b"anonymous", timeout=5)
        except grpc.RpcError:
            return True
    return False


# --------------------------------------------------------------------------
# Client and measurements
# --------------------------------------------------------------------------

def make_channel(port: int, certs: dict) -> grpc.Channel:
    creds = grpc.ssl_channel_credentials(
        root_certificates=certs["ca.crt"],
        private_key=certs["client.key"],
        certificate_chain=certs["client.crt"])
    # SingleThreadedUnaryStream: grpcio's own switch that lets the thread
    # iterating a server stream poll the completion queue itself instead of
    # waiting for a hand-off from the channel's polling thread. It cut the
    # client's CPU per streamed message by about a fifth here (the client is
    # the busier side), so it gives grpcio its best streaming figure.
    options = _MESSAGE_OPTIONS + [
        (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1)]
    # Target 127.0.0.1: the server certificate is checked against its IP SAN.
    return grpc.secure_channel(f"127.0.0.1:{port}", creds, options=options)


def measure_stream(stream_call, messages: int, size: int) -> tuple:
    """One server-streaming call; return (seconds, messages, payload bytes)."""
    request = STREAM_REQUEST.pack(messages, size)
    received = nbytes = 0
    start = time.perf_counter()
    for message in stream_call(request):
        received += 1
        nbytes += len(message)
    seconds = time.perf_counter() - start
    if received != messages or nbytes != messages * size:
        sys.exit(f"grpc_baseline: stream returned {received} messages, "
                 f"{nbytes} bytes; expected {messages} x {size}")
    return seconds, received, nbytes


def percentile(sorted_values: list, p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100)
    return sorted_values[int(rank) - 1]


def measure_unary(unary_call, calls: int, warmup: int, size: int) -> list:
    """Sequential echo calls; return the latencies in µs, ascending."""
    payload = os.urandom(size)
    for _ in range(warmup):
        unary_call(payload)
    latencies = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        t0 = clock()
        reply = unary_call(payload)
        latencies.append((clock() - t0) / 1000.0)
        if reply != payload:
            sys.exit("grpc_baseline: unary echo mismatch")
    latencies.sort()
    return latencies


def run(args, cert_dir: str) -> dict:
    certs = read_certs(cert_dir)
    server = InProcessServer(certs) if args.in_process else ChildServer(cert_dir)
    try:
        where = "in this process" if args.in_process else "in a child process"
        print(f"grpcio {grpc.__version__} server {where} on 127.0.0.1:{server.port}, "
              f"mutual TLS, certs from {args.cert_dir or 'a throwaway CA'}")

        # TLS checks first, each on its own connection.
        openssl_ok, openssl_detail = check_openssl_tls13(server.port, cert_dir)
        print(f"openssl s_client -tls1_3: {openssl_detail}")
        grpc_ok, grpc_detail = check_grpc_tls13(server.port, certs)
        print(f"grpcio client handshake: {grpc_detail}")
        refused = check_refuses_anonymous(server.port, certs)
        print(f"client without certificate refused: {'yes' if refused else 'NO'}")

        with make_channel(server.port, certs) as channel:
            unary_call = channel.unary_unary(UNARY_METHOD)
            stream_call = channel.unary_stream(STREAM_METHOD)

            # Connect and handshake before timing anything, then warm the
            # streaming path briefly so the timed call does not pay for setup.
            unary_call(b"hello", wait_for_ready=True, timeout=30)
            measure_stream(stream_call, min(1000, args.messages), args.size)

            seconds, received, nbytes = measure_stream(stream_call, args.messages, args.size)
            mps, mbps = received / seconds, nbytes / seconds / 1e6
            print(f"stream: {received} messages of {args.size} B in {seconds:.3f} s: "
                  f"{mps:,.0f} messages/s, {mbps:.2f} MB/s")

            lat = measure_unary(unary_call, args.unary, args.warmup, args.unary_size)
            p50, p99 = percentile(lat, 50), percentile(lat, 99)
            print(f"unary: {args.unary} sequential calls of {args.unary_size} B "
                  f"(after {args.warmup} warm-up): p50 {p50:.0f} µs, p99 {p99:.0f} µs")
    finally:
        server.stop()

    return {
        "implementation": f"grpcio {grpc.__version__}",
        "stream_messages": received,
        "stream_seconds": round(seconds, 6),
        "stream_messages_per_second": round(mps, 1),
        "stream_mb_per_second": round(mbps, 3),
        "unary_calls": args.unary,
        "unary_p50_us": round(p50, 1),
        "unary_p99_us": round(p99, 1),
        "tls13_checked": openssl_ok and grpc_ok,
    }


def positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cert-dir", metavar="DIR",
                    help="folder with ca.crt, server.crt, server.key, client.crt, "
                         "client.key (PEM); default: a throwaway P-256 CA in a temp folder")
    ap.add_argument("--messages", type=positive, default=100_000,
                    help="messages in the streaming call (default 100000)")
    ap.add_argument("--size", type=positive, default=1024,
                    help="bytes per streamed message (default 1024)")
    ap.add_argument("--unary", type=positive, default=2000,
                    help="timed sequential unary calls (default 2000)")
    ap.add_argument("--unary-size", type=int, default=64,
                    help="bytes per unary request and reply (default 64)")
    ap.add_argument("--warmup", type=int, default=200,
                    help="untimed unary calls first (default 200)")
    ap.add_argument("--in-process", action="store_true",
                    help="run the server in this process instead of a child")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object as the last line")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.serve:
        serve_child(args.cert_dir)
        return

    if args.cert_dir:
        result = run(args, args.cert_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="grpc-baseline-") as tmp:
            generate_certs(tmp)
            result = run(args, tmp)

    if args.json:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
