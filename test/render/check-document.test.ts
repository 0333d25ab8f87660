// The parse-back check: a spec's own template that renders broken YAML or XML stops the build with an
// error naming the template, and the check's verdict on a document agrees with PyYAML's (cloud-init's
// reader) on a corpus of documents that are and are not valid mappings.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudseedError } from '../../src/errors.js';
import { validateSpec } from '../../src/output/build-fleet.js';
import { renderVm } from '../../src/render/render-vm.js';
import { parseRenderedYaml } from '../../src/render/check-document.js';
import { hasPython, loadWithPyYaml } from '../support/python-worker.js';

const environment = { kvmUsable: false, fileExists: () => true };
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'cloudseed-check-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Plans and renders a one-VM spec whose template folder holds `source` as `name`; the error, or null. */
async function renderWithTemplate(name: string, source: string): Promise<{ error: unknown; templateFile: string }> {
  const dir = await mkdtemp(path.join(folder, 'templates-'));
  const templateFile = path.join(dir, name);
  await writeFile(templateFile, source);
  const specFile = path.join(dir, 'spec.yaml');
  await writeFile(specFile, JSON.stringify({
    fleet: 'check',
    vms: [{ name: 'vm1', templates: '.', network: { config: 'v2', nics: [{ device: 'eth0', address: '10.0.0.5/24' }] }, domain: { rootDisk: { base: '/images/base.qcow2' } } }],
  }));
  try {
    const { plan } = await validateSpec(specFile, { outputDir: path.join(dir, 'out'), environment, saltSecret: 'x' });
    renderVm(plan.vms[0]!);
    return { error: null, templateFile };
  } catch (error) {
    return { error, templateFile };
  }
}

describe('a spec template that renders a broken document', () => {
  const cases: [string, string, RegExp][] = [
    ['network-config.v2.hbs', 'network:\n  version: 2\n  ethernets: [eth0:\n', /line \d+, column \d+/],
    ['network-config.v2.hbs', 'network:\n  version: 2\nnetwork:\n  version: 2\n', /duplicated mapping key/],
    ['network-config.v2.hbs', '- {{vm.name}}\n', /must be a mapping/],
    ['meta-data.hbs', 'instance-id: {{instanceId}}\nlocal-hostname: "{{vm.hostname}}\n', /line \d+/],
    ['user-data.hbs', 'users: []\n', /#cloud-config/],
    ['user-data.hbs', '#cloud-config\nruncmd: !python/object:os.system echo\n', /unknown tag/],
    ['domain.xml.hbs', '<domain type="kvm"><name>{{vm.name}}</domain>\n', /does not parse/],
  ];
  it.each(cases)('%s: %s', async (name, source, detail) => {
    const { error, templateFile } = await renderWithTemplate(name, source);
    expect(error).toBeInstanceOf(CloudseedError);
    const { code, message, hint } = error as CloudseedError;
    expect(code).toBe('TEMPLATE_INVALID');
    expect(message).toContain(templateFile);
    expect(`${message} ${hint ?? ''}`).toMatch(detail);
  });

  it('renders the same template fixed', async () => {
    const { error } = await renderWithTemplate('meta-data.hbs', 'instance-id: {{instanceId}}\nlocal-hostname: "{{vm.hostname}}"\n');
    expect(error).toBeNull();
  });
});

describe.skipIf(!hasPython())('the check agrees with PyYAML on what is a valid mapping', () => {
  // Deliberately stricter than PyYAML, which keeps the last of two equal keys without a word: in a
  // template that is a bug, and the guest would silently lose the first value.
  const duplicateKeys = new Set(['a: 1\na: 2\n', 'a: {b: 1, b: 2}\n']);
  const corpus = [
    'a: 1\n', 'a: [1, 2]\nb: {c: d}\n', '#cloud-config\nusers:\n  - name: x\n', 'a: |\n  text\n  more\n',
    'a: &x 1\nb: *x\n', 'base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n', "a: 'it''s'\n", 'a: "\\t\\u00e9"\n',
    'a: 2001-12-14\n', 'a: !!binary aGVsbG8=\n', 'a: b: c\n', 'a: [1, 2\n', 'a: 1\na: 2\n', '- 1\n- 2\n', 'plain text\n',
    '', 'a: *missing\n', 'a: !custom x\n', 'a:\n\t- tab\n', 'a: "unterminated\n', '? complex\n: value\n', 'a: {b: 1, b: 2}\n',
    'key with spaces: ok\n', 'a: @reserved\n', 'a: `reserved\n', '%YAML 1.1\n---\na: 1\n', 'a: 1\n---\nb: 2\n',
  ];
  it('gives the same verdict for each document of the corpus', async () => {
    const verdicts = await loadWithPyYaml(corpus);
    const pyyamlSays = verdicts.map((verdict, index) =>
      !duplicateKeys.has(corpus[index]!) &&
      verdict.error === undefined && typeof verdict.value === 'object' && verdict.value !== null && !Array.isArray(verdict.value));
    const cloudseedSays = corpus.map((text) => {
      try {
        parseRenderedYaml(text, 'corpus.hbs');
        return true;
      } catch {
        return false;
      }
    });
    expect(cloudseedSays.map((ok, index) => `${ok} ${JSON.stringify(corpus[index])}`))
      .toEqual(pyyamlSays.map((ok, index) => `${ok} ${JSON.stringify(corpus[index])}`));
  });
});
