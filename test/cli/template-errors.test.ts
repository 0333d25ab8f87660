// A template override that fails is reported at the template's own file, line and column, with the
// name it could not find, in cloudseed's words: never Handlebars' `not defined in [object Object]`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeStackTrace, runInProcess } from './support/run-cloudseed.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-template-errors-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A one-VM spec whose templates folder holds `user-data.hbs` with `text`; returns the spec's path. */
async function specWithUserData(name: string, text: string): Promise<{ spec: string; template: string }> {
  const dir = path.join(folder, name);
  await mkdir(path.join(dir, 'tpl'), { recursive: true });
  const template = path.join(dir, 'tpl', 'user-data.hbs');
  await writeFile(template, text);
  const spec = path.join(dir, 'spec.yaml');
  await writeFile(spec, 'vms:\n  - name: vm1\n    templates: tpl\n    domain: { rootDisk: { base: /var/lib/libvirt/images/base.qcow2 } }\n');
  return { spec, template };
}

describe('a broken user-data.hbs override', () => {
  it('names the template, the line and column, and the missing name', async () => {
    const { spec, template } = await specWithUserData('missing-name', '#cloud-config\nhostname: {{nosuch}}\n');
    const run = await runInProcess(['validate', spec]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: ${template}:2:`);
    expect(run.stderr).toMatch(/"nosuch" is not defined here/);
    expect(run.stderr).toMatch(/^hint: compare with the built-in .*templates\/user-data\.hbs/m);
    expect(run.stderr).not.toContain('[object Object]');
    expect(looksLikeStackTrace(run.stderr)).toBe(false);
  });

  it('points at the exact column of the name', async () => {
    const { spec, template } = await specWithUserData('column', '#cloud-config\n\nruncmd:\n  - {{nosuch}}\n');
    const run = await runInProcess(['validate', spec]);
    expect(run.stderr).toContain(`error: ${template}:4:7: "nosuch" is not defined here`);
  });

  it('says a name further down a missing path is looked up in nothing', async () => {
    const { spec, template } = await specWithUserData('path', '#cloud-config\nhostname: {{nothere.inner}}\n');
    const run = await runInProcess(['validate', spec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`error: ${template}:2:\\d+: "(nothere|inner)"`));
    expect(run.stderr).not.toContain('in undefined');
  });

  it('names the line of a template Handlebars cannot parse', async () => {
    const { spec, template } = await specWithUserData('parse', '#cloud-config\nhostname: x\nfqdn: {{hostname\n');
    const run = await runInProcess(['validate', spec]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`error: ${template}:3: Handlebars cannot parse it: expected }}`);
    expect(run.stderr).toContain('found the end of the file');
    expect(run.stderr).not.toContain('Parse error on line');
  });
});
