// Every boot gets a fresh copy-on-write overlay over the cached image, so the image itself is never
// written and a retried boot starts from the same disk as the first attempt.
import { rm } from 'node:fs/promises';
import { execa } from 'execa';

export async function createRootOverlay(base: string, overlay: string): Promise<void> {
  await rm(overlay, { force: true });
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);
}
