// From a spec on disk to user-data as cloud-init reads it (PyYAML): a password full of YAML's own
// characters never reaches the document in the clear, its hash verifies, and a write_files body of any
// text arrives exactly as written.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/build-fleet.js';
import { verifySha512Crypt } from '../../src/plan/sha512-crypt.js';
import { hasPython, pyyamlHandler, startPythonWorker, type PythonWorker, type PyYamlResult } from '../support/python-worker.js';

const environment = { kvmUsable: false, fileExists: () => true };
const filePath = '/etc/cloudseed/arbitrary.txt';

interface ParsedUserData {
  users: (string | { name: string; hashed_passwd?: string })[];
  chpasswd: { users: { name: string; password: string; type: string }[] };
  write_files: { path: string; content: string; permissions?: string }[];
}

function specWith(password: string, content: string): object {
  return {
    fleet: 'render-property',
    vms: [
      {
        name: 'vm1',
        users: [{ name: 'ops', password }],
        rootPassword: password,
        writeFiles: [{ path: filePath, content, permissions: '0600' }],
        network: { config: 'v2', nics: [{ device: 'eth0', address: '10.0.0.5/24', gateway: '10.0.0.1' }] },
        domain: { rootDisk: { base: '/var/lib/libvirt/images/base.qcow2' } },
      },
    ],
  };
}

/** Every string anywhere in a parsed document. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]);
  return [];
}

/** Lines that look like configuration files: `key: value`, comments, indentation, tabs, YAML markers. */
const line = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '  indented', '\tTabbed\tline', 'key: value', '# comment', '---', '...', '- item', 'a: "b"', "c: 'd'", 'yes', '~', '|', '> x', '  '),
);
const fileText = fc
  .tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('', '\n', '\n\n', ' \n'))
  .map(([lines, end]) => lines.join('\n') + end)
  .filter((text) => !text.includes('\0'));

describe.skipIf(!hasPython())('renderVm through a spec file, read back by PyYAML', () => {
  let folder: string;
  let pyyaml: PythonWorker;
  let runs = 0;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-render-'));
    pyyaml = startPythonWorker(pyyamlHandler);
  });
  afterAll(async () => {
    await pyyaml.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function renderUserData(password: string, content: string): Promise<{ text: string; parsed: ParsedUserData }> {
    const specFile = path.join(folder, `fleet-${runs++}.yaml`);
    // JSON is YAML too, and its one quoting style spells any string exactly (the yaml library's own
    // writer turns " \n" into a block scalar that reads back as "\n").
    await writeFile(specFile, JSON.stringify(specWith(password, content), null, 2));
    const { plan, documents } = await validateSpec(specFile, { outputDir: path.join(folder, 'out'), environment, saltSecret: 'test' });
    // The spec stage is not what this test is about: make sure the text reached the plan unchanged.
    expect(plan.vms[0]!.writeFiles[0]!.content).toBe(content);
    const text = documents[0]!.userData;
    const [result] = await pyyaml.call<PyYamlResult[]>([text]);
    expect(result!.error, text).toBeUndefined();
    return { text, parsed: result!.value as ParsedUserData };
  }

  async function expectSafeUserData(password: string, content: string): Promise<void> {
    const { text, parsed } = await renderUserData(password, content);
    const context = `user-data:\n${text}`;
    expect(parsed.write_files.filter((file) => file.path === filePath), context).toEqual([{ path: filePath, content, permissions: '0600' }]);
    expect(text.includes(password), context).toBe(false);
    expect(stringsOf(parsed).filter((value) => value.includes(password)), context).toEqual([]);
    const ops = parsed.users.find((user) => typeof user === 'object' && user.name === 'ops');
    expect(typeof ops === 'object' && verifySha512Crypt(password, ops.hashed_passwd ?? ''), context).toBe(true);
    const root = parsed.chpasswd.users.find((user) => user.name === 'root');
    expect(root?.type, context).toBe('hash');
    expect(verifySha512Crypt(password, root?.password ?? ''), context).toBe(true);
  }

  it('keeps a password with `: # \' " \\` out of user-data and writes a hash that verifies', async () => {
    await expectSafeUserData(`c0rrect: horse # 'battery' "staple" \\ done`, 'plain text\n');
  });

  it('writes any write_files text exactly, beside any password', async () => {
    const password = fc
      .tuple(fc.constantFrom(`p: # '"\\`, `yes: no # '"\\`, `- [x] '"\\ #`), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([core, tail]) => core + tail)
      // The spec refuses NUL (crypt(3) would end the password there) and line breaks (chpasswd's list).
      .filter((text) => !/[\0\r\n]/.test(text));
    await fc.assert(fc.asyncProperty(password, fileText, expectSafeUserData), { numRuns: 40 });
    // Each run plans a VM (two SHA-512 crypts) and parses its user-data; shrinking a failure takes many.
  }, 600_000);
});
