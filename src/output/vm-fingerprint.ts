// A VM's fingerprint: a digest of everything its files are made from — its whole resolved plan (the
// spec as it applies to it, its addresses, MACs and password hashes), the templates it renders with,
// the cloudseed version, the programs that pack its seed (by path, size and mtime), the source date
// and whether a seed is packed. Equal fingerprints mean the
// files of the live build are the files this build would write, so they are kept as they are.
import { createHash } from 'node:crypto';
import type { VmPlan } from '../plan/types.js';

export interface FingerprintInputs {
  cloudseedVersion: string;
  sourceDateEpoch: number | null;
  renderOnly: boolean;
  /** The platform the output is for, with what else of the build shapes every VM's files (a namespace). */
  target: string;
  /** A digest of the template texts a VM with this templates folder renders with. */
  templateSet(templatesDir: string | null): string;
  /** Which versions of the programs packing this VM's seed runs (see toolIdentity); '' for none. */
  tools(vm: VmPlan): string;
}

/** Bumped when what the fingerprint covers changes, so older fingerprints never match. */
const fingerprintFormat = 1;

export function vmFingerprint(vm: VmPlan, inputs: FingerprintInputs): string {
  const covered = [fingerprintFormat, inputs.cloudseedVersion, inputs.sourceDateEpoch, inputs.renderOnly, inputs.target, inputs.templateSet(vm.templatesDir), inputs.tools(vm), vm];
  return createHash('sha256').update(JSON.stringify(covered)).digest('hex');
}
