/**
 * Device families: one registry entry per family, dispatched on the profile's `family`. A family is
 * a DeviceModel subclass that fills in the physics hooks (drift coefficients, drift + accumulated
 * read noise); see ../model.ts for the template.
 */
import { Registry } from '../../base/registry.js';
import type { DeviceContext, DeviceModel } from '../model.js';

export type FamilyFactory = (ctx: DeviceContext) => DeviceModel;

const families = new Registry<FamilyFactory>('device family', 'families');

export function registerFamily(name: string, factory: FamilyFactory): void {
  families.add(name, factory);
}

export function familyNames(): string[] {
  return families.names();
}

export function createDevice(ctx: DeviceContext): DeviceModel {
  return families.get(ctx.json.family, `${ctx.file}: /family`)(ctx);
}
