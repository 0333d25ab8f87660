// The spec's writeFiles as cloud-init will write them: text as it is, bytes (base64 in the spec, or a
// file beside it) as base64, which cloud-init decodes (`encoding: b64`, in every release since 0.7).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WriteFileSpec } from '../spec/schema.js';
import type { WriteFilePlan } from './types.js';
import type { PlanEnvironment, VmContext } from './vm-context.js';

/**
 * user-data travels whole in the seed and cloud-init keeps a copy of it (and of each file) on every
 * boot; a bigger file belongs in the image or on a disk of its own.
 */
export const writeFileSourceLimit = 4 * 1024 * 1024;

type SourceRead = { bytes: Uint8Array } | { problem: string };

/** One read per file and build, however many VMs inherit it from `defaults`. */
const sourceReads = new WeakMap<PlanEnvironment, Map<string, SourceRead>>();

function readSource(environment: PlanEnvironment, file: string): SourceRead {
  const reads = sourceReads.get(environment) ?? new Map<string, SourceRead>();
  sourceReads.set(environment, reads);
  let read = reads.get(file);
  if (read === undefined) {
    try {
      const bytes = (environment.readFile ?? readFileSync)(file);
      read = bytes.byteLength > writeFileSourceLimit
        ? { problem: `${file} holds ${bytes.byteLength} bytes; expected at most ${writeFileSourceLimit} (4 MiB): user-data carries it whole on every boot, so ship a bigger file in the image or on a disk` }
        : { bytes };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      read = {
        problem: code === 'ENOENT' ? `${file} does not exist (a relative path is relative to the spec's folder)`
          : code === 'EISDIR' ? `${file} is a folder; expected a file`
          : `${file} cannot be read (${code ?? (error as Error).message})`,
      };
    }
    reads.set(file, read);
  }
  return read;
}

/** Base64 as cloud-init's decoder takes it: the alphabet with padding, line breaks allowed. */
function checkedBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return compact;
}

function planContent(context: VmContext, file: WriteFileSpec, index: number): Pick<WriteFilePlan, 'content' | 'encoding'> {
  const field = ['writeFiles', index];
  if ((file.content === undefined) === (file.source === undefined)) {
    context.report(field, file.content === undefined
      ? 'a file needs its content: expected content (text, or base64 with encoding: base64) or source (a file beside the spec)'
      : 'content and source both give the file\'s bytes; expected one of them');
    return { content: '', encoding: 'text' };
  }
  if (file.source !== undefined) {
    if (file.encoding !== undefined) context.report([...field, 'encoding'], 'encoding applies to content; a source file is written byte for byte');
    const read = readSource(context.options.environment, path.resolve(context.spec.baseDir, file.source));
    if ('problem' in read) {
      context.report([...field, 'source'], read.problem);
      return { content: '', encoding: 'b64' };
    }
    return { content: Buffer.from(read.bytes).toString('base64'), encoding: 'b64' };
  }
  if (file.encoding !== 'base64') return { content: file.content!, encoding: 'text' };
  const base64 = checkedBase64(file.content!);
  if (base64 === null) context.report([...field, 'content'], 'with encoding: base64, content must be base64 (A-Z, a-z, 0-9, + and /, padded with = to a multiple of 4)');
  return { content: base64 ?? '', encoding: 'b64' };
}

export function planWriteFiles(context: VmContext): WriteFilePlan[] {
  return (context.vm.writeFiles ?? []).map((file, index) => ({
    path: file.path,
    ...planContent(context, file, index),
    permissions: file.permissions === undefined ? null : file.permissions.padStart(4, '0'),
    owner: file.owner ?? null,
    append: file.append ?? false,
    defer: file.defer ?? false,
  }));
}
