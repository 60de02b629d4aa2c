/**
 * Device families: one registry entry per family, dispatched on the profile's `family`. A family is
 * a DeviceModel subclass that fills in the physics hooks (drift coefficients, drift + accumulated
 * read noise); see ../model.ts for the template.
 */
import type { DeviceContext, DeviceModel } from '../model.js';

export type FamilyFactory = (ctx: DeviceContext) => DeviceModel;

const families = new Map<string, FamilyFactory>();

export function registerFamily(name: string, factory: FamilyFactory): void {
  if (families.has(name)) throw new Error(`device family '${name}' is already registered`);
  families.set(name, factory);
}

export function familyNames(): string[] {
  return [...families.keys()];
}

export function createDevice(ctx: DeviceContext): DeviceModel {
  const f = families.get(ctx.json.family);
  if (!f) throw new Error(`${ctx.file}: /family: unknown device family '${ctx.json.family}'; known families: ${familyNames().join(', ')}`);
  return f(ctx);
}
