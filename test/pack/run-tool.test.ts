import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExecaError } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { findCommand, isCommandAvailable, runTool } from '../../src/pack/run-tool.js';
import { missingTools } from '../support/tools.js';
import {
  emptyPath,
  failingToolsDirectory,
  prependToPath,
  restorePath,
  stdoutOnlyToolsDirectory,
} from './support/fake-tools.js';
import { errorRejectedBy } from '../support/cloudseed-errors.js';

afterEach(restorePath);

const systemMkfsVfat = existsSync('/usr/sbin/mkfs.vfat') || existsSync('/sbin/mkfs.vfat');

describe('runTool with a program that fails', () => {
  it('says the command line, the exit code and the last 20 lines of stderr', async () => {
    prependToPath(failingToolsDirectory);
    const error = await errorRejectedBy(runTool('qemu-img', ['convert', '-O', 'qcow2', 'in put.raw']));
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.message).toContain(`${failingToolsDirectory}/qemu-img convert -O qcow2 'in put.raw'`);
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('qemu-img: error line 25');
    expect(error.message).toContain('qemu-img: error line 6\n');
    expect(error.message).not.toContain('qemu-img: error line 5\n');
    expect(error.cause).toBeInstanceOf(ExecaError);
  });

  it('quotes stdout when the program said nothing on stderr', async () => {
    prependToPath(stdoutOnlyToolsDirectory);
    const error = await errorRejectedBy(runTool('qemu-img', ['info']));
    expect(error.code).toBe('TOOL_FAILED');
    expect(error.message).toContain('exit code 2');
    expect(error.message).toContain('complaint on stdout only');
  });
});

describe('runTool with a program that is not installed', () => {
  it('throws TOOL_MISSING naming the program and its Debian package', async () => {
    emptyPath();
    const error = await errorRejectedBy(runTool('xorriso', ['-version']));
    expect(error.code).toBe('TOOL_MISSING');
    expect(error.message).toContain('xorriso is not installed');
    expect(error.message).toContain('Debian package xorriso');
    expect(error.hint).toBe('apt-get install -y xorriso');
  });

  it('names the package when it differs from the program', async () => {
    emptyPath();
    const error = await errorRejectedBy(runTool('qemu-img', ['--version']));
    expect(error.message).toContain('qemu-img');
    expect(error.hint).toBe('apt-get install -y qemu-utils');
  });
});

describe.skipIf(missingTools('qemu-img').length > 0)('runTool with a working program', () => {
  it('returns its output', async () => {
    const { stdout } = await runTool('qemu-img', ['--version']);
    expect(stdout).toMatch(/^qemu-img version/);
  });
});

describe('isCommandAvailable', () => {
  it('finds executables on PATH and answers again once PATH changes', async () => {
    prependToPath(failingToolsDirectory);
    expect(await isCommandAvailable('cloud-localds')).toBe(true);
    expect(await findCommand('cloud-localds')).toBe(path.join(failingToolsDirectory, 'cloud-localds'));
    emptyPath();
    expect(await isCommandAvailable('cloud-localds')).toBe(false);
  });

  it('ignores files that are not executable, directories and relative PATH entries', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'cloudseed-test-'));
    try {
      await writeFile(path.join(directory, 'not-executable'), '#!/bin/sh\n');
      await chmod(path.join(directory, 'not-executable'), 0o644);
      await mkdir(path.join(directory, 'a-directory'), { mode: 0o755 });
      prependToPath(directory);
      expect(await isCommandAvailable('not-executable')).toBe(false);
      expect(await isCommandAvailable('a-directory')).toBe(false);
      // `failing-tool` exists relative to the fixtures directory but must not be found through a relative entry.
      prependToPath(path.relative(process.cwd(), failingToolsDirectory));
      expect(await isCommandAvailable('failing-tool')).toBe(false);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  const where = 'looks in /usr/sbin and /sbin, where Debian keeps mkfs.vfat, without them on PATH';
  it.skipIf(!systemMkfsVfat)(where, async () => {
    emptyPath();
    expect(await findCommand('mkfs.vfat')).toMatch(/^(\/usr)?\/sbin\/mkfs\.vfat$/);
  });
});
