// Before any test: bundle the command line into dist/cli exactly as `npm run build` does, so the tests
// that run cloudseed as a program run what users run (the bundle, with its precompiled templates), built
// from the sources under test. And one libvirtd for every test file that needs one: files run in
// parallel, and a daemon started and stopped by one file would vanish under another.
import { existsSync } from 'node:fs';
// @ts-expect-error: a plain JavaScript build script without type declarations.
import { bundleCli } from '../scripts/bundle-cli.mjs';
import { ensureLibvirtd } from './guest/support/libvirt-guest.js';

export default async function setup(): Promise<() => Promise<void>> {
  await (bundleCli as () => Promise<void>)();
  const canRunLibvirtd = process.getuid?.() === 0 && existsSync('/usr/sbin/libvirtd') && existsSync('/usr/sbin/virtlogd');
  const libvirtd = canRunLibvirtd ? await ensureLibvirtd() : null;
  return async () => {
    await libvirtd?.stop();
  };
}
