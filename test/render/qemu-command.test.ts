// qemuCommand's option quoting on its own, past the spec's checks: a value with commas, `=` or a
// protocol prefix stays one value of the option it belongs to. Real QEMU judges the words.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/index.js';
import type { VmPlan } from '../../src/plan/types.js';
import { qemuCommand } from '../../src/render/qemu-command.js';
import { missingTools } from '../support/tools.js';

async function basePlan(): Promise<VmPlan> {
  const { plan } = await validateSpec(path.resolve('seeds/centos7-macvtap.yaml'), { outputDir: '/srv/out', environment: { kvmUsable: false, fileExists: () => true } });
  return structuredClone(plan.vms[0]!);
}

/** The words of the lines, as bash splits them. */
async function words(lines: string[]): Promise<string[]> {
  const { stdout } = await execa('bash', ['-c', `vhost_option=; printf '%s\\0' ${lines.join(' ')}`]);
  return stdout.split('\0').slice(0, -1);
}

describe('qemuCommand', () => {
  it('gives a NIC model, a machine and file names their key and doubles their commas', async () => {
    const vm = await basePlan();
    vm.network.nics[0]!.model = 'e1000,romfile=/tmp/evil.rom';
    vm.domain.machine = 'accel=xen';
    vm.seed.hostPath = 'fat:rw:/';
    vm.domain.rootDisk.path = '/a,b';
    const argv = await words(qemuCommand(vm).lines);
    expect(argv).toContain('driver=e1000,,romfile=/tmp/evil.rom,netdev=net0,mac=52:54:00:56:e4:20');
    expect(argv).toContain('type=accel=xen');
    expect(argv).toContain('file=./fat:rw:/,format=raw,if=virtio,id=seed');
    expect(argv).toContain('file=/a,,b,format=qcow2,if=virtio');
  });

  it('finds no device among an object\'s inherited keys', async () => {
    const vm = await basePlan();
    vm.network.nics[0]!.model = 'toString';
    expect(await words(qemuCommand(vm).lines)).toContain('driver=toString,netdev=net0,mac=52:54:00:56:e4:20');
  });

  it.skipIf(missingTools('qemu-system-x86_64').length > 0)('QEMU reads the doubled commas as part of the model name', async () => {
    const vm = await basePlan();
    vm.network.nics[0]!.model = 'e1000,romfile=/tmp/evil.rom';
    const device = (await words(qemuCommand(vm).lines)).find((word) => word.startsWith('driver='))!;
    const run = await execa('qemu-system-x86_64', ['-nodefaults', '-display', 'none', '-accel', 'tcg', '-netdev', 'user,id=net0', '-device', device], { reject: false, timeout: 20_000 });
    expect(run.stderr).toContain("'e1000,romfile=/tmp/evil.rom' is not a valid device model name");
  });
});
