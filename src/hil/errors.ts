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
import { status } from '@grpc/grpc-js';

export type HilCode = 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED' | 'UNIMPLEMENTED' | 'UNAUTHENTICATED' | 'UNAVAILABLE' | 'INTERNAL';

export class HilError extends Error {
  constructor(readonly code: HilCode, message: string) {
    super(message);
    this.name = 'HilError';
  }
}

/** The numeric gRPC status of a code name. */
export function grpcStatus(code: HilCode): status {
  return status[code];
}

/** The code name of a numeric gRPC status (INTERNAL for codes outside HilCode). */
export function codeName(s: number): HilCode | string {
  const name = status[s];
  return typeof name === 'string' ? name : `status ${s}`;
}
