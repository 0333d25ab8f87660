// A spec planned in memory, as `up` plans it, for the host network tests.
import { planFleet, type FleetPlan } from '../../../src/plan/index.js';
import { parseSpec } from '../../../src/spec/index.js';

export function planHostFleet(yaml: string, file = 'fleet.yaml'): FleetPlan {
  return planFleet(parseSpec(yaml, file), { outputDir: '/srv/out', environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' });
}
