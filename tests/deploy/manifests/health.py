#!/usr/bin/python3
"""tests/deploy/manifests/health.py HOST:PORT: what the kubelet's gRPC probe
does: grpc.health.v1.Health/Check for service "" over plaintext. Prints the
status; exit 0 only for SERVING. Needs python3-grpcio only (the request and
the response are encoded by hand: HealthCheckRequest{service=""} is empty,
HealthCheckResponse is field 1, an enum, SERVING = 1)."""
import sys

import grpc

STATUS = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def main():
    with grpc.insecure_channel(sys.argv[1]) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            reply = check(b"", timeout=2)
        except grpc.RpcError as e:
            print(f"{e.code().name}: {e.details()}")
            return 1
    status = reply[1] if len(reply) == 2 and reply[0] == 0x08 else 0
    print(STATUS.get(status, f"status {status}"))
    return 0 if status == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
