import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { codeName, GRPC_STATUS, grpcStatus } from '../../src/hil/errors.js';

describe('HilError codes', () => {
  it('hold gRPC\'s own status numbers, both ways', () => {
    for (const [name, n] of Object.entries(GRPC_STATUS)) {
      expect(status[name as keyof typeof status], name).toBe(n);
      expect(codeName(n)).toBe(name);
    }
    expect(Object.keys(GRPC_STATUS).length).toBe(Object.keys(status).filter((k) => Number.isNaN(Number(k))).length);
    expect(grpcStatus('UNAVAILABLE')).toBe(status.UNAVAILABLE);
    expect(codeName(99)).toBe('status 99');
  });
});
