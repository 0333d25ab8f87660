// Nothing half-written: a build that fails after planning (here in the pack stage, with no packer on
// PATH) exits 3 and leaves the output of the previous successful build exactly as it was.
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingTools } from '../support/tools.js';
import { looksLikeStackTrace, runChild, runInProcess } from './support/run-cloudseed.js';

/** A one-VM spec whose seed needs genisoimage; `memory` and `address` make two builds differ. */
function spec(options: { memory: number; address: string }): string {
  return [
    'fleet: keep',
    'vms:',
    '  - name: web1',
    '    rootPassword: "Keep-Output-Secret-5150"',
    '    network:',
    `      nics: [{ device: eth0, address: ${options.address}, gateway: 10.70.0.1 }]`,
    '    domain:',
    `      memory: ${options.memory}`,
    '      rootDisk: { base: /var/lib/libvirt/images/base.qcow2 }',
    '    seed: { packer: genisoimage }',
    '',
  ].join('\n');
}

interface Entry {
  kind: 'file' | 'directory' | 'symlink';
  inode: number;
  modifiedMs: number;
  bytes: string | null;
}

/** Every entry under `root` with its inode, mtime and bytes as base64 (a symlink's: its target). */
async function snapshot(root: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const walk = async (directory: string) => {
    for (const name of (await readdir(directory)).sort()) {
      const full = path.join(directory, name);
      const info = await lstat(full);
      const relative = path.relative(root, full);
      // The sweep's own bookkeeping (see output-folder.ts): rewritten by every run that staged anything.
      if (relative === path.join('.cloudseed', 'swept')) continue;
      if (info.isSymbolicLink()) {
        entries.set(relative, { kind: 'symlink', inode: info.ino, modifiedMs: info.mtimeMs, bytes: await readlink(full) });
      } else if (info.isDirectory()) {
        // .cloudseed/ and its store change with every run (its lock, a generation or a VM folder made and removed again).
        const modifiedMs = relative === '.cloudseed' || relative === path.join('.cloudseed', 'vms') ? 0 : info.mtimeMs;
        entries.set(relative, { kind: 'directory', inode: info.ino, modifiedMs, bytes: null });
        await walk(full);
      } else {
        const bytes = (await readFile(full)).toString('base64');
        entries.set(relative, { kind: 'file', inode: info.ino, modifiedMs: info.mtimeMs, bytes });
      }
    }
  };
  await walk(root);
  return entries;
}

describe.skipIf(missingTools('genisoimage').length > 0)('a build that fails in the pack stage', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'cloudseed-keep-output-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('exits 3 and leaves the previous output untouched, with no generation of the failed run behind', async () => {
    const output = path.join(scratch, 'out');
    const emptyPath = path.join(scratch, 'empty-bin');
    await mkdir(emptyPath);
    const firstSpec = path.join(scratch, 'first.yaml');
    const secondSpec = path.join(scratch, 'second.yaml');
    await writeFile(firstSpec, spec({ memory: 1024, address: '10.70.0.10/24' }));
    await writeFile(secondSpec, spec({ memory: 4096, address: '10.70.0.20/24' }));

    const first = await runInProcess(['build', firstSpec, '-o', output]);
    expect(first.code, first.stderr).toBe(0);
    const before = await snapshot(output);
    expect([...before.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'web1', path.join('web1', 'my-seed.img'), path.join('.cloudseed', 'current')]));

    // The real executable with PATH holding only an empty folder: genisoimage cannot be found.
    const second = await runChild(['build', secondSpec, '-o', output], { env: { PATH: emptyPath, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME } });
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toContain('genisoimage');
    expect(looksLikeStackTrace(second.stderr), second.stderr).toBe(false);
    expect(second.stdout + second.stderr).not.toContain('Keep-Output-Secret-5150');

    expect(await snapshot(output)).toEqual(before);
    expect((await readdir(path.join(output, '.cloudseed'))).filter((name) => name.startsWith('gen-'))).toHaveLength(1);
  });

  it('leaves the previous output untouched when the spec is malformed', async () => {
    const output = path.join(scratch, 'out-malformed');
    const goodSpec = path.join(scratch, 'good.yaml');
    const badSpec = path.join(scratch, 'bad.yaml');
    await writeFile(goodSpec, spec({ memory: 1024, address: '10.70.0.10/24' }));
    await writeFile(badSpec, spec({ memory: 4096, address: '10.70.0.300/24' }));

    expect((await runInProcess(['build', goodSpec, '-o', output])).code).toBe(0);
    const before = await snapshot(output);
    const run = await runInProcess(['build', badSpec, '-o', output]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${badSpec}:6:`);
    expect(await snapshot(output)).toEqual(before);
  });
});
