// What a user sees in an output folder, and the check that it is exactly one whole build: every VM
// the visible manifest lists has every file it lists with those bytes, and nothing else of cloudseed's
// shows.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export interface FleetSpecOptions {
  fleet?: string;
  memory?: number;
  packer?: string;
}

/** A small valid spec of VMs with no NICs, all sharing one root password. */
export function fleetSpec(vmNames: readonly string[], options: FleetSpecOptions = {}): string {
  return [
    `fleet: ${options.fleet ?? 'keep'}`,
    'defaults:',
    '  rootPassword: "Output-Folder-Secret-7310"',
    // type qemu: with auto, a machine that is itself a VM adds a nested-KVM warning to the output.
    `  domain: { type: qemu, memory: ${options.memory ?? 1024}, rootDisk: { base: /var/lib/libvirt/images/base.qcow2 } }`,
    ...(options.packer ? [`  seed: { packer: ${options.packer} }`] : []),
    'vms:',
    ...vmNames.map((name) => `  - name: ${JSON.stringify(name)}`),
    '',
  ].join('\n');
}

interface ManifestView {
  fleet: string;
  vms: { name: string; status: 'built' | 'kept' | 'removed'; files: { name: string; sha256: string }[] }[];
}

export function outputState(out: string): { manifest: ManifestView | null } {
  const file = path.join(out, 'manifest.json');
  return { manifest: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ManifestView) : null };
}

/**
 * The folder shows the build whose manifest lists `vmNames`, whole. `leftoversAllowed`: a killed run
 * may have left folders of VMs it was adding, holding only symlinks that point at nothing, and its
 * staging in .cloudseed/; the next run removes them.
 */
export function expectWholeBuild(out: string, vmNames: readonly string[], options: { leftoversAllowed?: boolean } = {}): void {
  const manifest = outputState(out).manifest;
  expect(manifest?.vms.map((vm) => vm.name)).toEqual(vmNames);
  for (const vm of manifest!.vms) {
    for (const file of vm.files) {
      const bytes = readFileSync(path.join(out, vm.name, file.name));
      expect(createHash('sha256').update(bytes).digest('hex'), `${vm.name}/${file.name}`).toBe(file.sha256);
    }
  }
  for (const entry of readdirSync(out, { withFileTypes: true })) {
    if (!entry.isDirectory() || vmNames.includes(entry.name) || !existsSync(path.join(out, entry.name, '.cloudseed-vm'))) continue;
    // A folder kept only for the user's own files, with no link of cloudseed's left, is as it should be.
    const links = readdirSync(path.join(out, entry.name)).filter((name) => isCloudseedLink(path.join(out, entry.name, name)));
    if (links.length === 0) continue;
    expect(options.leftoversAllowed, `${entry.name} is still there`).toBe(true);
    const visible = readdirSync(path.join(out, entry.name)).filter((name) => name !== '.cloudseed-vm' && existsSync(path.join(out, entry.name, name)));
    expect(visible, `${entry.name} shows files of a build that is not the visible one`).toEqual([]);
  }
  if (!options.leftoversAllowed) {
    const state = path.join(out, '.cloudseed');
    const live = readlinkSync(path.join(state, 'current'));
    expect(readdirSync(state).filter((name) => !['current', 'vms', 'swept'].includes(name))).toEqual([live]);
    // Every VM folder in the store is one the live build links to.
    const linked = readdirSync(path.join(state, live), { withFileTypes: true }).filter((entry) => entry.isSymbolicLink())
      .map((entry) => path.basename(readlinkSync(path.join(state, live, entry.name)))).sort();
    expect(readdirSync(path.join(state, 'vms')).sort()).toEqual(linked);
  }
}

function isCloudseedLink(file: string): boolean {
  try {
    return readlinkSync(file).startsWith('../.cloudseed/');
  } catch {
    return false;
  }
}

/** The files a user sees in an output folder, through cloudseed's symlinks; `.cloudseed/` left out. */
export function visibleFiles(out: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(out, relative)).sort()) {
      const entry = path.join(relative, name);
      if (entry === '.cloudseed') continue;
      if (statSync(path.join(out, entry)).isDirectory()) walk(entry);
      else files.set(entry, readFileSync(path.join(out, entry)));
    }
  };
  walk('');
  return files;
}
