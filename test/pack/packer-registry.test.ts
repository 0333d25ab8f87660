import { afterEach, describe, expect, it, vi } from 'vitest';
import { autoOrder, listPackers, selectFirstAvailable, selectPacker } from '../../src/pack/packer-registry.js';
import { missingTools } from '../support/tools.js';
import { directoryWithOnly, emptyPath, restorePath } from './support/fake-tools.js';

afterEach(restorePath);

/** Runs `use` with PATH holding only links to `programs` (and /usr/sbin, /sbin, always searched). */
async function withOnly<T>(programs: readonly string[], use: () => Promise<T>): Promise<T> {
  const { directory, remove } = await directoryWithOnly(programs);
  try {
    vi.stubEnv('PATH', directory);
    return await use();
  } finally {
    restorePath();
    await remove();
  }
}

describe('listPackers', () => {
  it('lists every packer once, each with the filesystems it writes and its Debian packages', () => {
    const summary = Object.fromEntries(
      listPackers().map((packer) => [packer.name, [packer.filesystems, packer.debianPackages]]),
    );
    expect(summary).toEqual({
      native: [['iso9660', 'vfat'], []],
      genisoimage: [['iso9660'], ['genisoimage']],
      xorriso: [['iso9660'], ['xorriso']],
      mkisofs: [['iso9660'], ['genisoimage']],
      mtools: [['vfat'], ['mtools', 'dosfstools']],
      'cloud-localds': [['iso9660', 'vfat'], ['cloud-image-utils']],
    });
  });
});

describe('selectPacker by name', () => {
  it('refuses a packer that cannot write the filesystem and says which filesystems it writes', async () => {
    await expect(selectPacker('mtools', 'iso9660')).rejects.toMatchObject({
      code: 'USAGE',
      message: 'the mtools packer cannot write iso9660; it writes vfat',
      hint: 'packers for iso9660: native, genisoimage, xorriso, mkisofs, cloud-localds, or auto',
    });
  });

  it('refuses a packer whose programs are missing and names its Debian packages', async () => {
    emptyPath();
    await expect(selectPacker('mtools', 'vfat')).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message: 'the mtools packer is not available here: it needs the Debian packages mtools and dosfstools',
      hint: 'apt-get install -y mtools dosfstools',
    });
  });

  it.skipIf(missingTools('xorriso').length > 0)('returns the named packer when it is available', async () => {
    expect((await selectPacker('xorriso', 'iso9660')).name).toBe('xorriso');
  });
});

describe('selectPacker auto', () => {
  it('takes the native writers first, which need no program', async () => {
    emptyPath();
    expect((await selectPacker('auto', 'iso9660')).name).toBe('native');
    expect((await selectPacker('auto', 'vfat')).name).toBe('native');
  });

  it('orders the shell-out packers after native: genisoimage, xorriso, mkisofs, cloud-localds; mtools, cloud-localds', () => {
    expect(autoOrder('iso9660')).toEqual(['native', 'genisoimage', 'xorriso', 'mkisofs', 'cloud-localds']);
    expect(autoOrder('vfat')).toEqual(['native', 'mtools', 'cloud-localds']);
  });
});

describe('selectFirstAvailable among the shell-out packers', () => {
  const external = (filesystem: 'iso9660' | 'vfat') => autoOrder(filesystem).filter((name) => name !== 'native');

  it.skipIf(missingTools('genisoimage', 'xorriso').length > 0)('prefers genisoimage for iso9660', async () => {
    expect((await selectFirstAvailable('iso9660', external('iso9660'))).name).toBe('genisoimage');
  });

  it.skipIf(missingTools('xorriso').length > 0)('falls back to xorriso without genisoimage', async () => {
    await withOnly(['xorriso', 'cloud-localds'], async () => {
      expect((await selectFirstAvailable('iso9660', external('iso9660'))).name).toBe('xorriso');
    });
  });

  it.skipIf(missingTools('cloud-localds').length > 0)('takes cloud-localds last', async () => {
    await withOnly(['cloud-localds'], async () => {
      expect((await selectFirstAvailable('iso9660', external('iso9660'))).name).toBe('cloud-localds');
      expect((await selectFirstAvailable('vfat', external('vfat'))).name).toBe('cloud-localds');
    });
  });

  it.skipIf(missingTools('mcopy', 'mkfs.vfat').length > 0)('prefers mtools for vfat', async () => {
    expect((await selectFirstAvailable('vfat', external('vfat'))).name).toBe('mtools');
  });

  it('names every packer it tried, with its Debian packages, when none is available', async () => {
    emptyPath();
    await expect(selectFirstAvailable('iso9660', external('iso9660'))).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message:
        'no packer for iso9660 is available; tried genisoimage (Debian: genisoimage); xorriso (Debian: xorriso); ' +
        'mkisofs (Debian: genisoimage); cloud-localds (Debian: cloud-image-utils)',
      hint: 'install one, e.g. apt-get install -y genisoimage',
    });
    await expect(selectFirstAvailable('vfat', external('vfat'))).rejects.toMatchObject({
      message:
        'no packer for vfat is available; tried mtools (Debian: mtools, dosfstools); ' +
        'cloud-localds (Debian: cloud-image-utils)',
    });
  });
});
