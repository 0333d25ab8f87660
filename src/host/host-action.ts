// What applying or removing the host network did to each object, for the command line to print, and
// whose an existing object is: the proof of ownership is a mark only cloudseed writes.

export type HostObjectKind = 'bridge' | 'shim' | 'libvirt-network';

export interface HostAction {
  object: HostObjectKind;
  name: string;
  /**
   * `created`; `updated`: cloudseed's own, finished or started (after an interrupted `up`, a reboot);
   * `kept`: there already, as it should be; `removed`; `left-alone`: not cloudseed's to remove, or still
   * in use; `absent`: nothing to remove.
   */
  outcome: 'created' | 'updated' | 'kept' | 'removed' | 'left-alone' | 'absent';
  /** Why, in words: `exists, not made by cloudseed`, `added 10.40.0.1/24`, `still used by vnet3`. */
  detail: string | null;
}

/** Whose an existing object is, read from its mark (a link's ifalias, a libvirt network's metadata). */
export type Ownership = { owner: 'this-fleet' } | { owner: 'other-fleet' | 'not-cloudseed'; detail: string };

export const notCloudseeds: Ownership = { owner: 'not-cloudseed', detail: 'exists, not made by cloudseed' };

/** Another fleet's object is left to that fleet, the way a user's own is left to the user. */
export function otherFleets(fleet: string): Ownership {
  return { owner: 'other-fleet', detail: `made by cloudseed for fleet ${fleet}` };
}
