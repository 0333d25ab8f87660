// Every external program the pack stage runs, and the Debian package that provides it. Errors about a
// missing program name the package from here, so this table is the one place to change a package name.

export const debianPackageByProgram = {
  'cloud-localds': 'cloud-image-utils',
  genisoimage: 'genisoimage',
  // Debian's mkisofs is genisoimage under its old name.
  mkisofs: 'genisoimage',
  xorriso: 'xorriso',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  'qemu-img': 'qemu-utils',
} as const;

export type ToolProgram = keyof typeof debianPackageByProgram;

/** The shell line a person can paste to install `packages`. */
export function aptInstallHint(packages: readonly string[]): string {
  return `apt-get install -y ${[...new Set(packages)].join(' ')}`;
}
