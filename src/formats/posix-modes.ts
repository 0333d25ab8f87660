// POSIX st_mode bits as Rock Ridge PX records them (and tar carries them): the file type in the high
// bits, the permissions (with set-id and sticky bits) in the low twelve.

export const fileTypeMask = 0o170000;
export const fileTypes = { directory: 0o040000, regular: 0o100000, symlink: 0o120000 } as const;
export const permissionBits = 0o7777;
