// A `direct` (macvtap) NIC in each of the four modes gives a domain that libvirt's schema and its test
// driver's define accept. `passthru`, as ip(8) and the spec spell it, is `passthrough` to libvirt, which
// refuses `passthru` in a domain.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFleet } from '../../src/plan/index.js';
import { renderFleet } from '../../src/render/index.js';
import { macvtapModes } from '../../src/spec/schema.js';
import { parseSpec } from '../../src/spec/index.js';
import { describeRun, runCommand } from '../support/run-command.js';
import { missingTools } from '../support/tools.js';

const nics = macvtapModes.map((mode, index) => `        - { device: eth${index}, host: { type: direct, dev: enp${index}s0, mode: ${mode} } }`).join('\n');
const spec = `fleet: modes
vms:
  - name: macvtap-modes
    domain: { rootDisk: { base: /var/lib/libvirt/images/modes.qcow2 } }
    network:
      nics:
${nics}
`;

describe.skipIf(missingTools('virt-xml-validate', 'virsh').length > 0)('macvtap NICs in every mode', () => {
  let folder: string;
  let file: string;
  let xml: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-modes-'));
    const plan = planFleet(parseSpec(spec, 'modes.yaml'), { outputDir: folder, environment: { kvmUsable: false, fileExists: () => true }, saltSecret: 'test' });
    xml = renderFleet(plan)[0]!.domainXml;
    file = path.join(folder, 'domain.xml');
    await writeFile(file, xml);
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('writes each mode as libvirt spells it', () => {
    const modes = [...xml.matchAll(/<source dev='enp\ds0' mode='([a-z]+)'\/>/g)].map((match) => match[1]);
    expect(modes).toEqual(['bridge', 'vepa', 'private', 'passthrough']);
  });

  it("passes libvirt's schema (virt-xml-validate)", async () => {
    const result = await runCommand('virt-xml-validate', [file, 'domain']);
    expect(result.exitCode, describeRun(result)).toBe(0);
  });

  it("is defined by libvirt's test driver", async () => {
    const result = await runCommand('virsh', ['-c', 'test:///default', `define ${file} ; dumpxml macvtap-modes`]);
    expect(result.exitCode, describeRun(result)).toBe(0);
    expect(result.stderr, describeRun(result)).not.toMatch(/error/i);
    expect(result.stdout.match(/mode='passthrough'/g)).toHaveLength(1);
  });
});
