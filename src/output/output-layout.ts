// Where cloudseed keeps its files inside an output folder, written down once. Every build is a
// generation folder under `.cloudseed/`; `current` is a symlink to the live one, and the names users
// know (`OUT/<vm>/user-data`, `OUT/manifest.json`) are symlinks through `current`. So one rename of
// `current` switches every VM at once, and a VM folder can hold the user's own files beside ours.
// A generation holds one symlink per VM into `.cloudseed/vms/`, where each VM's files live in a folder
// of their own: a VM that did not change keeps its folder from build to build, files and inodes alike.
import path from 'node:path';

/** cloudseed's own folder inside the output folder. */
export const stateDirName = '.cloudseed';
/** The symlink naming the live generation. */
export const currentLinkName = 'current';
export const generationPrefix = 'gen-';
/** A VM folder is put together here, then renamed into the output folder in one step. */
export const newFolderPrefix = 'new-';
export const lockFileName = 'lock';
/** `.cloudseed/vms/<vm>.<random>/`: one VM's files as one build wrote them. */
export const vmStoreDirName = 'vms';
/** `.cloudseed/swept` names the generation whose leftovers the last sweep removed (see sweepOutput). */
export const sweptMarkerName = 'swept';
/** Inside a generation, beside manifest.json: what the next build compares with (0600, see previous-build.ts). */
export const buildStateName = 'state.json';
/** The fleet-wide file at the top of the output folder. */
export const manifestName = 'manifest.json';
/** The fleet's KubeVirt manifests, a folder of the generation linked at the top as `OUT/kubevirt`. */
export const kubevirtFolderName = 'kubevirt';
/** What a build may link at the top of the output folder, each to the same name in `current`. */
export const topLinkNames = [manifestName, kubevirtFolderName];
/** The marker that makes a VM folder cloudseed's: nothing else in a folder says so. */
export const ownerMarkerName = '.cloudseed-vm';

/** What the symlink `OUT/<vm>/<file>` holds: relative, so the folder can be moved or copied whole. */
export function vmFileLinkTarget(vmName: string, fileName: string): string {
  return path.join('..', stateDirName, currentLinkName, vmName, fileName);
}

/** What a generation's `<vm>` symlink holds for the VM's folder `.cloudseed/vms/<storeName>`. */
export function vmStoreLinkTarget(storeName: string): string {
  return path.join('..', vmStoreDirName, storeName);
}

/** What the symlink `OUT/<file>` holds for a fleet-wide file such as manifest.json. */
export function topFileLinkTarget(fileName: string): string {
  return path.join(stateDirName, currentLinkName, fileName);
}

export function ownerMarkerText(vmName: string): string {
  return [
    `cloudseed made this folder for VM ${vmName}. Its files that are symlinks into`,
    `../${stateDirName}/${currentLinkName}/${vmName}/ are cloudseed's and are replaced by each build;`,
    'anything else you put here is yours, and cloudseed leaves it alone.',
    '',
  ].join('\n');
}
