/**
 * HilError: a chip-driver error with a gRPC status name, so the in-process simulator, the server and
 * the client speak the same codes (the server sends `code`; the client rebuilds the error from it).
 *
 *   INVALID_ARGUMENT     bad shapes, non-finite values, unknown tile ids, negative or non-finite time
 *   FAILED_PRECONDITION  the tile has not been programmed since the last reset
 *   RESOURCE_EXHAUSTED   over a limit: message bytes, batch rows, tile dims
 *   UNIMPLEMENTED        target units the chip does not support
 *   UNAUTHENTICATED      missing or wrong token
 *   UNAVAILABLE          the server cannot be reached or went away mid-call
 */
/**
 * gRPC's status numbers (grpc/doc/statuscodes.md; the values of @grpc/grpc-js's `status` enum, which
 * test/hil/errors.test.ts checks), held here so that code using HilError does not load the gRPC library.
 */
export const GRPC_STATUS = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;

export type HilCode = 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED' | 'UNIMPLEMENTED' | 'UNAUTHENTICATED' | 'UNAVAILABLE' | 'INTERNAL';

export class HilError extends Error {
  constructor(readonly code: HilCode, message: string) {
    super(message);
    this.name = 'HilError';
  }
}

/** The numeric gRPC status of a code name. */
export function grpcStatus(code: HilCode): number {
  return GRPC_STATUS[code];
}

/** The code name of a numeric gRPC status (INTERNAL for codes outside HilCode). */
export function codeName(s: number): HilCode | string {
  const name = Object.keys(GRPC_STATUS).find((k) => GRPC_STATUS[k as keyof typeof GRPC_STATUS] === s);
  return name ?? `status ${s}`;
}
