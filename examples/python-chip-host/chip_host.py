#!/usr/bin/python3
"""Reference chip host for the grasp-hil chip driver protocol (proto/grasp_hil/chip/v1/chip.proto).

An ideal analog chip with Gaussian programming noise, in Python with numpy, for labs to start from:
replace `IdealChip` by calls into your instrument and keep the server around it.

    programTile   W = targets + N(0, (sigma * max|targets|)^2) per device   (one pulse per device)
    readTile      W                                                         (no read noise)
    Mvm           inputs [batch, rows] @ W [rows, cols] in float32          (no DAC/ADC)
    time          simulated seconds since Reset; the ideal chip does not drift

Random stream: numpy's default_rng([seed, tile, n]) for the n-th programming of a tile since Reset,
so the same Reset seed and calls give the same numbers (deterministic = true).

Needs Debian's python3-grpcio, python3-grpc-tools (to compile the .proto at start) and python3-numpy:
    apt-get install -y python3-grpcio python3-grpc-tools python3-numpy
    /usr/bin/python3 examples/python-chip-host/chip_host.py --port 50052
    grasp-hil chip conformance --address 127.0.0.1:50052
"""
import argparse
import hmac
import ipaddress
import os
import sys
import tempfile
import threading
from concurrent import futures

import grpc
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_ROOT = os.path.normpath(os.path.join(HERE, '..', '..', 'proto'))
PROTO = 'grasp_hil/chip/v1/chip.proto'
TOKEN_ENV = 'GRASP_HIL_CHIP_TOKEN'


def load_stubs(proto_root):
    """Compiles the .proto into a temporary folder and imports the generated modules."""
    from grpc_tools import protoc
    out = tempfile.mkdtemp(prefix='grasp-hil-chip-stubs-')
    args = ['protoc', f'-I{proto_root}', f'--python_out={out}', f'--grpc_python_out={out}', os.path.join(proto_root, PROTO)]
    if protoc.main(args) != 0:
        sys.exit(f'chip_host: could not compile {os.path.join(proto_root, PROTO)} (is python3-grpc-tools installed?)')
    sys.path.insert(0, out)
    from grasp_hil.chip.v1 import chip_pb2, chip_pb2_grpc  # noqa: E402
    return chip_pb2, chip_pb2_grpc


class BadRequest(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class IdealChip:
    """Tiles of float32 weights with Gaussian programming noise; a simulated clock."""

    def __init__(self, tiles, tile_rows, tile_cols, sigma, seed):
        self.tiles, self.tile_rows, self.tile_cols, self.sigma = tiles, tile_rows, tile_cols, sigma
        self.reset(seed)

    def reset(self, seed):
        self.seed = seed
        self.weights = {}
        self.writes = {}
        self.clock = 0.0

    def program(self, tile, targets):
        n = self.writes.get(tile, 0)
        self.writes[tile] = n + 1
        rng = np.random.default_rng([self.seed, tile, n])
        scale = self.sigma * float(np.max(np.abs(targets))) if targets.size else 0.0
        w = (targets + rng.standard_normal(targets.shape) * scale).astype(np.float32)
        self.weights[tile] = w
        err = (w - targets).astype(np.float64)
        return int(targets.size), float(np.sqrt(np.mean(err ** 2))), float(np.max(np.abs(err)))

    def read(self, tile):
        return self.weights[tile]

    def mvm(self, tile, x):
        return (x @ self.weights[tile]).astype(np.float32)


def make_servicer(pb, pb_grpc, chip, limits, token):
    expected = None if token is None else f'Bearer {token}'.encode()
    lock = threading.Lock()

    def authorise(context):
        if expected is None:
            return
        got = dict(context.invocation_metadata()).get('authorization')
        if got is None:
            raise BadRequest(grpc.StatusCode.UNAUTHENTICATED, 'this chip server needs metadata `authorization: Bearer <token>`')
        if not hmac.compare_digest(got.encode(), expected):
            raise BadRequest(grpc.StatusCode.UNAUTHENTICATED, 'wrong token in `authorization: Bearer <token>`')

    def tile_id(tile, where):
        if tile >= chip.tiles:
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: unknown tile id {tile}; tile ids are integers 0 … {chip.tiles - 1}')
        return tile

    def programmed(tile, where):
        tile_id(tile, where)
        if tile not in chip.weights:
            raise BadRequest(grpc.StatusCode.FAILED_PRECONDITION, f'{where}: tile {tile} has not been programmed since the last reset')
        return tile

    def matrix(m, where, has_field):
        if not has_field:
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: matrix missing')
        if len(m.data) % 4:
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: {len(m.data)} data bytes is not a whole number of float32 values')
        if m.rows < 1 or m.cols < 1:
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: shape {m.rows}×{m.cols}; rows and cols must be ≥ 1')
        a = np.frombuffer(m.data, dtype='<f4')
        if a.size != m.rows * m.cols:
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: {a.size} values for shape {m.rows}×{m.cols}')
        if not np.all(np.isfinite(a)):
            raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: every value must be finite')
        return a.reshape(m.rows, m.cols)

    def to_msg(a):
        a = np.ascontiguousarray(a, dtype='<f4')
        return pb.Matrix(rows=a.shape[0], cols=a.shape[1], data=a.tobytes())

    def handled(fn):
        def wrapper(self, request, context):
            try:
                authorise(context)
                with lock:
                    return fn(self, request)
            except BadRequest as e:
                context.abort(e.code, str(e))
        return wrapper

    class Servicer(pb_grpc.ChipServicer):
        @handled
        def GetCapabilities(self, request):
            return pb.Capabilities(
                protocol_version=1, driver='python-reference-host', profile='ideal-gaussian',
                tile_rows=chip.tile_rows, tile_cols=chip.tile_cols, tiles=chip.tiles,
                dac_bits=0, adc_bits=0, max_batch=limits['max_batch'], max_message_bytes=limits['max_message_bytes'],
                deterministic=True, drifts=False, clock=pb.CLOCK_SIMULATED, target_units=[pb.UNITS_WEIGHT])

        @handled
        def ProgramTile(self, request):
            tile = tile_id(request.tile, 'ProgramTile')
            t = matrix(request.targets, f'ProgramTile(tile {tile}).targets', request.HasField('targets'))
            if t.shape[0] > chip.tile_rows or t.shape[1] > chip.tile_cols:
                raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'ProgramTile: shape {t.shape[0]}×{t.shape[1]} does not fit a {chip.tile_rows}×{chip.tile_cols} tile')
            if request.units != pb.UNITS_WEIGHT:
                raise BadRequest(grpc.StatusCode.UNIMPLEMENTED, 'ProgramTile: this chip takes targets in UNITS_WEIGHT only')
            pulses, rmse, max_abs = chip.program(tile, t)
            return pb.ProgramReport(tile=tile, rows=t.shape[0], cols=t.shape[1], pulses=pulses, verify_rmse=rmse, verify_max_abs=max_abs, time=chip.clock)

        @handled
        def ReadTile(self, request):
            tile = programmed(request.tile, 'ReadTile')
            return pb.TileReadout(tile=tile, values=to_msg(chip.read(tile)), time=chip.clock)

        @handled
        def GetTime(self, request):
            return pb.TimeResponse(time=chip.clock)

        @handled
        def AdvanceTime(self, request):
            s = request.seconds
            if not np.isfinite(s) or s < 0:
                raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'AdvanceTime: seconds must be finite and ≥ 0 (time never goes backwards), got {s}')
            chip.clock += s
            return pb.TimeResponse(time=chip.clock)

        @handled
        def Reset(self, request):
            chip.reset(request.seed)
            return pb.ResetResponse()

        def Mvm(self, request_iterator, context):
            try:
                authorise(context)
                for req in request_iterator:
                    with lock:
                        outs = []
                        for i, c in enumerate(req.calls):
                            where = f'Mvm request {req.id} call {i}'
                            tile = tile_id(c.tile, where)
                            if c.inputs.rows > limits['max_batch']:
                                raise BadRequest(grpc.StatusCode.RESOURCE_EXHAUSTED, f"{where}: batch of {c.inputs.rows} rows is over this chip's limit of {limits['max_batch']}")
                            x = matrix(c.inputs, where, c.HasField('inputs'))
                            programmed(tile, where)
                            w = chip.read(tile)
                            if x.shape[1] != w.shape[0]:
                                raise BadRequest(grpc.StatusCode.INVALID_ARGUMENT, f'{where}: inputs have {x.shape[1]} columns but the tile was programmed with {w.shape[0]} rows')
                            outs.append((tile, x))
                        response = pb.MvmResponse(id=req.id, outputs=[to_msg(chip.mvm(t, x)) for t, x in outs])
                    yield response
            except BadRequest as e:
                context.abort(e.code, str(e))

    return Servicer()


def is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host.strip('[]')).is_loopback
    except ValueError:
        return False


def main():
    p = argparse.ArgumentParser(description='Reference chip host (ideal chip with Gaussian programming noise) for grasp-hil')
    p.add_argument('--host', default='127.0.0.1', help='interface to bind; anything but loopback needs a token')
    p.add_argument('--port', type=int, default=50052, help='TCP port (0: any free port; the bound address is printed)')
    p.add_argument('--token', default=os.environ.get(TOKEN_ENV), help=f'bearer token every call must carry (default ${TOKEN_ENV})')
    p.add_argument('--tiles', type=int, default=64)
    p.add_argument('--tile-rows', type=int, default=256)
    p.add_argument('--tile-cols', type=int, default=256)
    p.add_argument('--sigma', type=float, default=0.02, help='programming noise, relative to max|targets| of the tile')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--max-batch', type=int, default=4096)
    p.add_argument('--max-message-mb', type=int, default=64)
    p.add_argument('--proto-root', default=DEFAULT_PROTO_ROOT, help='folder holding grasp_hil/chip/v1/chip.proto')
    a = p.parse_args()
    if not is_loopback(a.host) and not a.token:
        sys.exit(f'chip_host: refusing to bind {a.host} without a token; give --token or ${TOKEN_ENV}, or bind 127.0.0.1')
    pb, pb_grpc = load_stubs(a.proto_root)
    limits = {'max_batch': a.max_batch, 'max_message_bytes': a.max_message_mb << 20}
    chip = IdealChip(a.tiles, a.tile_rows, a.tile_cols, a.sigma, a.seed)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[
        ('grpc.max_receive_message_length', limits['max_message_bytes']),
        ('grpc.max_send_message_length', -1),
    ])
    pb_grpc.add_ChipServicer_to_server(make_servicer(pb, pb_grpc, chip, limits, a.token), server)
    host = f'[{a.host}]' if ':' in a.host and not a.host.startswith('[') else a.host
    port = server.add_insecure_port(f'{host}:{a.port}')
    if port == 0:
        sys.exit(f'chip_host: cannot bind {host}:{a.port}')
    server.start()
    print(f'chip_host: ideal chip, {a.tiles} tiles of {a.tile_rows}×{a.tile_cols}, listening on {host}:{port}', flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(1)


if __name__ == '__main__':
    main()
