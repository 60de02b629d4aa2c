import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('grasp-hil chip', () => {
  it('serve refuses a non-loopback host without a token, before loading anything', () => {
    const r = runCli(['chip', 'serve', '--profile', 'ideal', '--host', '0.0.0.0'], { GRASP_HIL_CHIP_TOKEN: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to bind 0\.0\.0\.0 without a token.*Give --token or \$GRASP_HIL_CHIP_TOKEN, or bind 127\.0\.0\.1/);
  });
});

describe('grasp-hil chip evaluate --chip', () => {
  it('refuses a --chip that is not grpc://host:port, and --profile with --chip, before loading the model', () => {
    const bad = runCli(['chip', 'evaluate', 'models/tiny-roberta', '--task', 'spam', '--chip', 'http://127.0.0.1:1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--chip must be grpc:\/\/host:port, e\.g\. grpc:\/\/127\.0\.0\.1:50051, got 'http:\/\/127\.0\.0\.1:1'/);
    const both = runCli(['chip', 'evaluate', 'models/tiny-roberta', '--task', 'spam', '--chip', 'grpc://127.0.0.1:1', '--profile', 'ideal']);
    expect(both.stderr).toMatch(/give exactly one of --profile <id> \(a simulated chip\) or --chip grpc:\/\/host:port/);
  });
});
