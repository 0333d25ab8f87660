// cloud-init's own command-line tools as test oracles: its schema validator for user-data and its
// network renderers (net-convert), the code a guest runs on first boot.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand, type CommandResult } from './run-command.js';

/** `cloud-init schema -c FILE`: exit 0 and "Valid cloud-config" for a valid document. */
export async function checkCloudConfigSchema(file: string): Promise<CommandResult> {
  return runCommand('cloud-init', ['schema', '-c', file]);
}

/** The keys cloud-init's schema check reported as deprecated, e.g. `chpasswd.list`. */
export function deprecatedKeys(output: string): string[] {
  return [...output.matchAll(/(\S+): DEPRECATED/g)].map((match) => match[1]!);
}

export type NetworkRenderer = 'sysconfig' | 'netplan' | 'eni' | 'networkd';

export interface ConvertedNetwork {
  result: CommandResult;
  /** Every file the renderer wrote, by its path under the output folder (`etc/...`). */
  files: Map<string, string>;
}

async function readTree(root: string, folder = root): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) for (const [name, text] of await readTree(root, full)) files.set(name, text);
    else files.set(path.relative(root, full), await readFile(full, 'utf8'));
  }
  return files;
}

/** `cloud-init devel net-convert` of a network-config text into `outputDir`, as `distro` would write it. */
export async function convertNetworkConfig(
  networkConfig: string,
  options: { renderer: NetworkRenderer; distro: string; outputDir: string },
): Promise<ConvertedNetwork> {
  await mkdir(options.outputDir, { recursive: true });
  const input = path.join(options.outputDir, 'network-config.input');
  await writeFile(input, networkConfig);
  const treeDir = path.join(options.outputDir, 'tree');
  const result = await runCommand('cloud-init', ['devel', 'net-convert', '-p', input, '-k', 'yaml', '-d', treeDir, '-D', options.distro, '-O', options.renderer]);
  return { result, files: await readTree(treeDir) };
}

/** `255.255.0.0` from a prefix length, for comparing an ifcfg that says PREFIX=16 with one that says NETMASK. */
export function netmaskOf(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}
