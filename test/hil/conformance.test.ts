import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, serveChip, SimulatorDriver, type ChipDriver, type ChipServer } from '../../src/hil/index.js';
import { useBackend } from '../helpers/backends.js';

const PERIPHERY = { tile: { rows: 64, cols: 48 }, dac: { bits: 8 }, adc: { bits: 8, bound: 10, noise: 0.04 } };
const TOKEN = 'conformance-token-0123456789';

/** A driver that delegates to `inner` except for the overridden methods. */
function withOverrides(inner: SimulatorDriver, overrides: Partial<ChipDriver>): ChipDriver {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof ChipDriver];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('conformance suite', () => {
  const servers: ChipServer[] = [];
  beforeAll(() => useBackend('cpu'));
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('passes against our server (with a token, every check runs)', async () => {
    const server = await serveChip(new SimulatorDriver({ profile: 'pcm-aihwkit', periphery: PERIPHERY, tiles: 4, maxBatch: 32, maxMessageBytes: 128 * 1024 }), { token: TOKEN });
    servers.push(server);
    const seen: string[] = [];
    const r = await runConformance(server.address, { token: TOKEN, onCheck: (c) => seen.push(c.name) });
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.passed).toBe(14);
    expect(seen).toEqual(r.checks.map((c) => c.name));
    expect(r.driver).toBe('grasp-hil-simulator');
  });

  it('skips what the chip does not claim and what needs a token', async () => {
    const server = await serveChip(new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY, tiles: 2 }));
    servers.push(server);
    const r = await runConformance(server.address);
    expect(r.failed).toBe(0);
    expect(r.checks.filter((c) => c.status === 'skip').map((c) => c.name)).toEqual(['authentication', 'time: advance moves drift forward']);
  });

  it('fails a server whose MVM outputs are scrambled and whose time does not move', async () => {
    const sim = new SimulatorDriver({ profile: 'ideal', periphery: PERIPHERY, tiles: 4 });
    const clock = 0;
    const broken = withOverrides(sim, {
      // right shape, wrong numbers (outputs in reverse order)
      mvm: async (calls) => (await sim.mvm(calls)).map((y) => ({ ...y, data: y.data.slice().reverse() })),
      // time that does not move
      advance: async () => clock,
      time: async () => clock,
    });
    const server = await serveChip(broken);
    servers.push(server);
    const r = await runConformance(server.address);
    const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    expect(failed).toEqual(['mvm: shape, float32, close to x·W', 'time: starts at 0, advances, never goes backwards']);
    expect(r.checks.find((c) => c.name === 'time: starts at 0, advances, never goes backwards')?.detail).toMatch(/AdvanceTime\(3600\) from 0 returned 0, expected = 3600/);
  });
});
