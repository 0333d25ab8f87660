// Running the fleet over libvirt: up, down, destroy and status, on this machine or remote hosts.
export { upFleet, type UpOptions, type VmUpReport } from './fleet-up.js';
export { downFleet, type DownOptions, type VmDownReport } from './fleet-down.js';
export { fleetStatus, type StatusOptions, type VmStatus } from './fleet-status.js';
export { selectVms } from './fleet-hosts.js';
export { defaultUri } from '../host/virsh.js';
export { parseStatusReport, type CloudInitResult } from './status-report.js';
