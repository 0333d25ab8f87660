// What the NICs expect on their host: the bridges they join, the devices their macvtaps sit on and the
// libvirt networks they use, each with every NIC that needs it and the spec line that says so.
import type { SourceLocation } from '../errors.js';
import type { FleetSpec } from '../spec/load-spec.js';
import type { FieldPath } from '../spec/source-map.js';
import type { HostNeed } from './host-network-types.js';
import { originOf } from './merge-defaults.js';
import type { VmDraft } from './plan-vm.js';
import type { HostLink } from './types.js';

/** The host object a NIC needs, and the field of its `host` that names it; null when it needs none. */
function neededBy(link: HostLink): { kind: HostNeed['kind']; name: string; field: string } | null {
  switch (link.type) {
    case 'bridge':
      return { kind: 'bridge', name: link.bridge, field: 'bridge' };
    case 'direct':
      return { kind: 'lower-device', name: link.dev, field: 'dev' };
    case 'network':
      return { kind: 'libvirt-network', name: link.network, field: 'network' };
    default:
      // user networking needs nothing; a pre-made tap is the user's to make, as the spec says.
      return null;
  }
}

export function collectHostNeeds(spec: FleetSpec, drafts: readonly VmDraft[]): HostNeed[] {
  const needs = new Map<string, HostNeed>();
  // NICs set under `defaults` or in a pattern's entry are written once for thousands of VMs.
  const locations = new Map<string, SourceLocation>();
  const locate = (fieldPath: FieldPath) => {
    const key = JSON.stringify(fieldPath);
    let location = locations.get(key);
    if (location === undefined) {
      location = spec.source.locate(fieldPath);
      locations.set(key, location);
    }
    return location;
  };
  for (const draft of drafts) {
    for (const nic of draft.nics) {
      const needed = neededBy(nic.host);
      if (needed === null) continue;
      const key = JSON.stringify([needed.kind, needed.name, draft.plan.connect]);
      let need = needs.get(key);
      if (need === undefined) {
        need = { kind: needed.kind, name: needed.name, connect: draft.plan.connect, users: [] };
        needs.set(key, need);
      }
      const location = locate(originOf(spec, draft.context.vmIndex, [...nic.fieldPath, 'host', needed.field]));
      need.users.push({ vm: draft.plan.name, device: nic.device, location });
    }
  }
  return [...needs.values()];
}
