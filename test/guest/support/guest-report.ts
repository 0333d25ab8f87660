// The facts the guest reported about itself (see image/cloudseed-report), decoded, with the small
// accessors the assertions read them through.
import { gunzipSync } from 'node:zlib';

export interface CommandResult {
  rc: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface ReportedFile {
  exists: boolean;
  type?: 'file' | 'symlink' | 'dir' | 'other';
  mode?: string;
  owner?: string;
  group?: string;
  size?: number;
  target?: string;
  entries?: string[];
  /** base64 of the content, absent for directories and private keys */
  data?: string;
}

export interface GuestReport {
  cmdline: string;
  uptimeSeconds: number;
  bootTime: number;
  systemState: string;
  hostname: string;
  smbiosSerial: string;
  commands: Record<string, CommandResult>;
  files: Record<string, ReportedFile>;
}

export function decodeGuestReport(payload: Buffer): GuestReport {
  return JSON.parse(gunzipSync(payload).toString('utf8')) as GuestReport;
}

export function commandOutput(report: GuestReport, name: string): string {
  const result = report.commands[name];
  if (!result) throw new Error(`the guest report has no command ${name}`);
  return result.stdout;
}

/** A reported file's bytes, or null when the guest had no such file. */
export function fileBytes(report: GuestReport, path: string): Buffer | null {
  const file = report.files[path];
  if (!file?.exists || file.data === undefined) return null;
  return Buffer.from(file.data, 'base64');
}

/** A reported file's text, or null when the guest had no such file. */
export function fileText(report: GuestReport, path: string): string | null {
  const file = report.files[path];
  if (!file?.exists || file.data === undefined) return null;
  return Buffer.from(file.data, 'base64').toString('utf8');
}

export function fileNames(report: GuestReport, directory: string): string[] {
  return report.files[directory]?.entries ?? [];
}
