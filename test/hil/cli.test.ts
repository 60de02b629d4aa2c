import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('grasp-hil chip', () => {
  it('serve refuses a non-loopback host without a token, before loading anything', () => {
    const r = runCli(['chip', 'serve', '--profile', 'ideal', '--host', '0.0.0.0'], { GRASP_HIL_CHIP_TOKEN: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to bind 0\.0\.0\.0 without a token.*Give --token or \$GRASP_HIL_CHIP_TOKEN, or bind 127\.0\.0\.1/);
  });
});
