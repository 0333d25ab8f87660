// `cloudseed localds` against cloud-localds itself: the same flags on the same inputs must give images
// with the same label and the same files, byte for byte, as read by isoinfo, mtools and tar.
import { spawn, execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalds } from '../../src/cli/localds.js';
import { main } from '../../src/cli/run-cli.js';
import { CloudseedError } from '../../src/errors.js';
import { readImageVolume } from '../../src/inspect/index.js';
import { looksLikeStackTrace, runInProcess } from './support/run-cloudseed.js';
import { missingTools } from '../support/tools.js';
import { isoVolumeId, vfatLabel } from '../pack/support/image-readers.js';

const toolEnv = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-localds-'));
  await writeFile(path.join(work, 'user-data'), '#cloud-config\npassword: "p: #\'\\"\\\\"\nchpasswd: { expire: false }\n');
  await writeFile(path.join(work, 'meta-data'), 'instance-id: iid-given\nlocal-hostname: given\n');
  await writeFile(path.join(work, 'network-config'), 'version: 2\nethernets:\n  eth0: { dhcp4: true }\n');
  await writeFile(path.join(work, 'vendor-data'), '#cloud-config\nruncmd: [true]\n');
  await writeFile(path.join(work, 'interfaces'), 'auto eth0\niface eth0 inet dhcp\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The files in an image, by name, read with the real tools; qcow2 is converted back to raw first. */
async function readImage(image: string, kind: 'iso' | 'vfat' | 'tar'): Promise<{ label: string | undefined; files: Map<string, string> }> {
  const out = await mkdtemp(path.join(work, 'read-'));
  const files = new Map<string, string>();
  if (kind === 'tar') {
    await execa('tar', ['-xf', image, '-C', out]);
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.set(path.relative(out, full), await readFile(full, 'latin1'));
      }
    };
    await walk(out);
    return { label: undefined, files };
  }
  if (kind === 'vfat') {
    await execa('mcopy', ['-n', '-i', image, '::/*', `${out}/`], { env: toolEnv });
    for (const name of await readdir(out)) files.set(name, await readFile(path.join(out, name), 'latin1'));
    return { label: (await vfatLabel(image))?.toLowerCase(), files };
  }
  const listing = (await execa('isoinfo', ['-J', '-f', '-i', image])).stdout.split('\n').filter(Boolean);
  for (const name of listing) {
    files.set(name.replace(/^\//, ''), (await execa('isoinfo', ['-J', '-x', name, '-i', image], { encoding: 'latin1' })).stdout);
  }
  return { label: await isoVolumeId(image), files };
}

async function raw(image: string, diskFormat: string): Promise<string> {
  if (diskFormat !== 'qcow2') return image;
  await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', image, `${image}.raw`]);
  return `${image}.raw`;
}

const cases: { name: string; flags: string[]; metaData: boolean; kind: 'iso' | 'vfat' | 'tar'; diskFormat: string }[] = [
  { name: 'defaults', flags: [], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'hostname and dsmode', flags: ['-H', 'vm3', '-m', 'local'], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'interfaces', flags: ['--interfaces', 'interfaces'], metaData: false, kind: 'iso', diskFormat: 'raw' },
  { name: 'meta-data, network-config, vendor-data', flags: ['-N', 'network-config', '-V', 'vendor-data'], metaData: true, kind: 'iso', diskFormat: 'raw' },
  { name: 'vfat', flags: ['-f', 'vfat', '-N', 'network-config'], metaData: true, kind: 'vfat', diskFormat: 'raw' },
  { name: 'qcow2', flags: ['-d', 'qcow2'], metaData: true, kind: 'iso', diskFormat: 'qcow2' },
  { name: 'tar', flags: ['-d', 'tar', '-N', 'network-config'], metaData: true, kind: 'tar', diskFormat: 'tar' },
  { name: 'tar-seed-local', flags: ['-d', 'tar-seed-local'], metaData: true, kind: 'tar', diskFormat: 'tar-seed-local' },
  { name: 'tar-seed-net', flags: ['--disk-format', 'tar-seed-net', '-H', 'h1'], metaData: false, kind: 'tar', diskFormat: 'tar-seed-net' },
];

describe.skipIf(missingTools('cloud-localds', 'genisoimage', 'isoinfo', 'mcopy', 'qemu-img', 'tar').length > 0)('cloudseed localds as a drop-in for cloud-localds', () => {
  it.each(cases)('$name: the same label and files as cloud-localds', async ({ name, flags, metaData, kind, diskFormat }) => {
    const dir = path.join(work, `case-${name.replace(/\W+/g, '-')}`);
    await mkdir(dir);
    const inputs = ['user-data', ...(metaData ? ['meta-data'] : [])].map((file) => path.join(work, file));
    const absoluteFlags = flags.map((flag) => (['network-config', 'vendor-data', 'interfaces'].includes(flag) ? path.join(work, flag) : flag));
    await execa('cloud-localds', [...absoluteFlags, path.join(dir, 'theirs.img'), ...inputs], { env: toolEnv });
    expect(await main(['localds', ...absoluteFlags, path.join(dir, 'ours.img'), ...inputs])).toBe(0);
    const theirs = await readImage(await raw(path.join(dir, 'theirs.img'), diskFormat), kind);
    const ours = await readImage(await raw(path.join(dir, 'ours.img'), diskFormat), kind);
    expect(ours.label).toBe(theirs.label);
    expect([...ours.files.keys()].sort()).toEqual([...theirs.files.keys()].sort());
    for (const [file, bytes] of theirs.files) expect(ours.files.get(file), file).toBe(bytes);
    expect(ours.files.size).toBeGreaterThanOrEqual(2);
  });

  it('refuses a meta-data file together with --hostname, as cloud-localds does', async () => {
    const code = await main(['localds', '-H', 'x', path.join(work, 'no.img'), path.join(work, 'user-data'), path.join(work, 'meta-data')]);
    expect(code).toBe(2);
    await expect(readFile(path.join(work, 'no.img'))).rejects.toThrow();
  });
});

describe('cloudseed localds refuses careless command lines before writing anything', () => {
  const userData = '#cloud-config\nhostname: mine\n';

  /** A fresh folder with user-data and meta-data; `run` gets their paths and the folder. */
  async function inFolder(run: (paths: { dir: string; ud: string; md: string }) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(path.join(work, 'careless-'));
    const paths = { dir, ud: path.join(dir, 'user-data'), md: path.join(dir, 'meta-data') };
    await writeFile(paths.ud, userData);
    await writeFile(paths.md, 'instance-id: x\n');
    await run(paths);
  }

  async function expectRefused(argv: string[], message: string): Promise<void> {
    const result = await runInProcess(['localds', ...argv]);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr.split('\n')[0]).toContain(message);
    expect(looksLikeStackTrace(result.stderr), result.stderr).toBe(false);
  }

  it('localds ud ud: the output is the user-data input', async () => {
    await inFolder(async ({ dir, ud }) => {
      await expectRefused([ud, ud], `error: the output ${ud} is the user-data input; writing it would destroy the input`);
      expect(await readFile(ud, 'utf8')).toBe(userData);
      expect((await readdir(dir)).sort()).toEqual(['meta-data', 'user-data']);
    });
  });

  it('the output is the meta-data input by another path', async () => {
    await inFolder(async ({ dir, ud, md }) => {
      const other = `${dir}/./sub/../meta-data`;
      await mkdir(path.join(dir, 'sub'));
      await expectRefused([other, ud, md], `error: the output ${other} is the meta-data input (${md}); writing it would destroy the input`);
      expect(await readFile(md, 'utf8')).toBe('instance-id: x\n');
    });
  });

  it('the output is a symbolic link to the network-config input', async () => {
    await inFolder(async ({ dir, ud, md }) => {
      const network = path.join(dir, 'network-config');
      await writeFile(network, 'version: 2\n');
      await symlink(network, path.join(dir, 'seed.img'));
      await expectRefused(['-N', network, path.join(dir, 'seed.img'), ud, md], 'is the network-config input');
      expect(await readFile(network, 'utf8')).toBe('version: 2\n');
    });
  });

  it('the output is a hard link to the user-data input', async () => {
    await inFolder(async ({ dir, ud }) => {
      await link(ud, path.join(dir, 'seed.img'));
      await expectRefused([path.join(dir, 'seed.img'), ud], 'is the user-data input');
      expect(await readFile(ud, 'utf8')).toBe(userData);
    });
  });

  it('the output is a folder', async () => {
    await inFolder(async ({ dir, ud }) => {
      await mkdir(path.join(dir, 'seed.img'));
      await expectRefused([path.join(dir, 'seed.img'), ud], `error: cannot write ${path.join(dir, 'seed.img')}: it is a folder`);
    });
  });

  it('the output’s folder does not exist', async () => {
    await inFolder(async ({ dir, ud }) => {
      const output = path.join(dir, 'missing', 'seed.img');
      await expectRefused([output, ud], `error: cannot write ${output}: the folder ${path.join(dir, 'missing')} does not exist`);
    });
  });

  it('the output’s folder is a file', async () => {
    await inFolder(async ({ ud, md }) => {
      await expectRefused([path.join(md, 'seed.img'), ud], `error: cannot write ${path.join(md, 'seed.img')}: ${md} is not a folder`);
    });
  });

  it('an output name too long for the file system (exit 2, not 1)', async () => {
    await inFolder(async ({ dir, ud }) => {
      const output = path.join(dir, `${'x'.repeat(300)}.img`);
      await expectRefused([output, ud], `error: cannot write ${output}: ENAMETOOLONG`);
      expect((await readdir(dir)).sort()).toEqual(['meta-data', 'user-data']);
    });
  });

  it('an unknown flag', async () => {
    await inFolder(async ({ dir, ud }) => {
      await expectRefused(['--frobnicate', path.join(dir, 'seed.img'), ud], 'error: localds has no option --frobnicate');
      expect(await readdir(dir)).not.toContain('seed.img');
    });
  });

  it('a flag without its value', async () => {
    await expectRefused(['seed.img', 'user-data', '-H'], 'error: --hostname needs a value');
  });

  it('no inputs', async () => {
    await expectRefused(['seed.img'], 'error: must provide output, user-data');
  });

  it('a missing input', async () => {
    await inFolder(async ({ dir }) => {
      await expectRefused([path.join(dir, 'seed.img'), path.join(dir, 'nope')], `error: ${path.join(dir, 'nope')}: cannot read user-data: no such file`);
      expect(await readdir(dir)).not.toContain('seed.img');
    });
  });

  it('an input that is a folder', async () => {
    await inFolder(async ({ dir, ud }) => {
      await expectRefused([path.join(dir, 'seed.img'), ud, dir], `error: ${dir} is a folder; expected a file with the meta-data`);
    });
  });

  it('an endless input such as /dev/zero, read no further than 64 MiB', async () => {
    await inFolder(async ({ dir }) => {
      await expectRefused([path.join(dir, 'seed.img'), '/dev/zero'], 'error: /dev/zero: the user-data is more than 67108864 bytes; expected a cloud-init document');
      expect(await readdir(dir)).not.toContain('seed.img');
    });
  });

  it('control characters in a path are shown escaped', async () => {
    await inFolder(async ({ dir }) => {
      const odd = path.join(dir, 'user\u001b[2J-data');
      await expectRefused([path.join(dir, 'seed.img'), odd], `error: ${path.join(dir, 'user\\x1b[2J-data')}: cannot read user-data: no such file`);
    });
  });

  it('escapes control characters in the message a library caller gets from runLocalds too', async () => {
    const error = await runLocalds(['out.img', 'user\u001b]0;x\u0007-data']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudseedError);
    expect((error as CloudseedError).message).toBe('user\\x1b]0;x\\x07-data: cannot read user-data: no such file');
  });

  it('reads a FIFO input to its end, as <(process substitution) gives', { timeout: 15_000 }, async () => {
    await inFolder(async ({ dir, md }) => {
      const fifo = path.join(dir, 'user-data.fifo');
      execFileSync('mkfifo', [fifo]);
      const writer = spawn('sh', ['-c', 'printf "#cloud-config\\nfrom: fifo\\n" > "$1"', 'sh', fifo], { stdio: 'ignore' });
      const written = new Promise((resolve) => writer.on('close', resolve));
      const result = await runInProcess(['localds', path.join(dir, 'seed.img'), fifo, md]);
      await written;
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const volume = await readImageVolume(new Uint8Array(await readFile(path.join(dir, 'seed.img'))));
      expect(new TextDecoder().decode(volume.readFile('user-data'))).toBe('#cloud-config\nfrom: fifo\n');
    });
  });
});
