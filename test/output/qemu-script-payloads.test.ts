// Hostile values in every string field of a spec. Each (field, payload) is either refused by the spec's
// checks (exit 2, a one-line-per-problem message, nothing written) or reaches qemu.sh and domain.xml
// intact in its own context, and nothing in it runs. One fleet holds a VM per case. Each qemu.sh is run
// with --print and, as root, for real in a private mount namespace (a throw-away /dev and
// /sys/class/net) with stub qemu, ip and virsh first on PATH that record their argv NUL-separated.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSpec } from '../../src/output/index.js';
import type { VmPlan } from '../../src/plan/types.js';
import { checkRenderedXml } from '../../src/render/check-document.js';
import { qemuCommand } from '../../src/render/qemu-command.js';
import { loadTemplate } from '../../src/render/template-store.js';
import { missingTools } from '../support/tools.js';
import { payloads, type PayloadCase, payloadCases, type DomainFacts } from './qemu-script-payload-cases.js';

const cliMain = path.resolve('src/cli/main.ts');
const isRoot = process.getuid?.() === 0;
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cloudseed-payloads-'));
});
afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const stubRecorder = (name: string) => `#!/bin/bash
# Records its argv NUL-separated, one file per call.
n=0; while [ -e "$STUB_LOG/${name}.$n" ]; do n=$((n + 1)); done
printf '%s\\0' "$@" > "$STUB_LOG/${name}.$n"
`;

const stubs: Record<string, string> = {
  // $0 first: for an emulator from the spec, the path that ran.
  qemu: '#!/bin/bash\nprintf \'%s\\0\' "$0" "$@" > "$STUB_LOG/qemu.argv"\n',
  ip: `${stubRecorder('ip')}
# ip link add link PARENT name NAME ...: the device appears, with an ifindex for /dev/tapN.
if [ "$1 $2" = "link add" ]; then
  while [ $# -gt 1 ] && [ "$1" != name ]; do shift; done
  mkdir -p "/sys/class/net/$2" && echo 7 > "/sys/class/net/$2/ifindex"
fi
`,
  // A bridge name with a comma, to see qemu.sh double it in br=.
  virsh: `${stubRecorder('virsh')}
printf 'Name:           %s\\nBridge:         virbr0,y\\n' "\${@: -1}"
`,
};

/** Runs in `unshare --mount`: the host's /dev and /sys/class/net stay untouched. */
const sandboxDriver = `#!/bin/bash
set -eu
case_dir=$1 script=$2 real=$3
if [ "$real" = yes ]; then
  real_dev=$(mktemp -d)
  mount --bind /dev "$real_dev"
  mount -t tmpfs cloudseed-test-dev /dev
  touch /dev/null /dev/vhost-net
  mount --bind "$real_dev/null" /dev/null
  # A character device there is all qemu.sh asks of vhost-net.
  mount --bind "$real_dev/null" /dev/vhost-net
  umount "$real_dev" && rmdir "$real_dev"
  mount -t tmpfs cloudseed-test-net /sys/class/net
fi
export STUB_LOG=$case_dir/log PATH=$STUBS:$PATH
mkdir -p "$STUB_LOG"
cd "$case_dir"
set +e
"$script" --print > print.out 2> print.err; echo $? > print.rc
if [ "$real" = yes ]; then "$script" < /dev/null > run.out 2> run.err; echo $? > run.rc; fi
`;

/** domain.xml read back by Python's expat: the values as libvirt's parser would see them. */
const readDomains = `
import json, sys
import xml.etree.ElementTree as ET
for file in sys.argv[1:]:
    root = ET.parse(file).getroot()
    os = root.find('os')
    text = lambda element: None if element is None else (element.text or '')
    print(json.dumps({
        'file': file,
        'name': text(root.find('name')),
        'arch': os.find('type').get('arch'),
        'machine': os.find('type').get('machine'),
        'kernel': text(os.find('kernel')),
        'initrd': text(os.find('initrd')),
        'cmdline': text(os.find('cmdline')),
        'emulator': text(root.find('devices/emulator')),
        'disks': [disk.find('source').get('file') for disk in root.findall('devices/disk')],
        'interfaces': [{
            'mac': nic.find('mac').get('address'),
            'sourceDev': nic.find('source').get('dev') if nic.find('source') is not None else None,
            'sourceBridge': nic.find('source').get('bridge') if nic.find('source') is not None else None,
            'sourceNetwork': nic.find('source').get('network') if nic.find('source') is not None else None,
            'targetDev': nic.find('target').get('dev') if nic.find('target') is not None else None,
            'model': nic.find('model').get('type'),
        } for nic in root.findall('devices/interface')],
    }))
`;

function readArgv(file: string): string[] | null {
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8').split('\0').slice(0, -1);
}

function stubCalls(logDir: string, name: string): string[][] {
  if (!existsSync(logDir)) return [];
  return readdirSync(logDir)
    .filter((file) => file.startsWith(`${name}.`) && file !== 'qemu.argv')
    .sort()
    .map((file) => readArgv(path.join(logDir, file))!);
}

/** Puts a recording qemu where qemu.sh will look for `command`: a path as is (from the case folder), else on PATH. */
function placeQemuStub(command: string, caseDir: string, stubDir: string): void {
  const file = command.includes('/') ? path.resolve(caseDir, command) : path.join(stubDir, command);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, stubs.qemu!, { mode: 0o755 });
}

interface CliRun {
  exitCode: number;
  stderr: string;
}

async function renderFleet(cases: PayloadCase[], attempt: number): Promise<CliRun & { outputDir: string; specFile: string }> {
  const specFile = path.join(work, `fleet-${attempt}.yaml`);
  const outputDir = path.join(work, `out-${attempt}`);
  // JSON is YAML: control characters arrive as \\u escapes, everything else as written.
  writeFileSync(specFile, JSON.stringify({ fleet: 'payloads', vms: cases.map((payloadCase) => payloadCase.vm) }, null, 1));
  const run = await execa('node', ['--import', 'tsx', cliMain, 'render', specFile, '-o', outputDir], { reject: false, env: { NO_COLOR: '1' } });
  return { exitCode: run.exitCode ?? -1, stderr: run.stderr, outputDir, specFile };
}

interface Fixtures {
  stubDir: string;
  driver: string;
}

/** Stubs, the sandbox driver, and the files the specs name, once under `work`. */
function prepareFixtures(): Fixtures {
  const stubDir = path.join(work, 'stubs');
  mkdirSync(path.join(work, 'canary'), { recursive: true });
  mkdirSync(stubDir, { recursive: true });
  for (const name of ['ip', 'virsh']) writeFileSync(path.join(stubDir, name), stubs[name]!, { mode: 0o755 });
  placeQemuStub('qemu-system-x86_64', work, stubDir);
  writeFileSync(path.join(work, 'root.qcow2'), '');
  writeFileSync(path.join(work, 'vmlinuz'), '');
  const driver = path.join(work, 'sandbox.sh');
  writeFileSync(driver, sandboxDriver, { mode: 0o755 });
  return { stubDir, driver };
}

/** Each VM folder's domain.xml read back, by file. */
async function readDomainFacts(vmDirs: string[]): Promise<Map<string, DomainFacts>> {
  const facts = new Map<string, DomainFacts>();
  if (vmDirs.length === 0) return facts;
  const { stdout } = await execa('python3', ['-c', readDomains, ...vmDirs.map((dir) => path.join(dir, 'domain.xml'))]);
  for (const line of stdout.split('\n')) {
    const parsed = JSON.parse(line) as DomainFacts & { file: string };
    facts.set(path.dirname(parsed.file), parsed);
  }
  return facts;
}

/** shellcheck's findings on every script, in a few calls; empty when it passes them all. */
async function shellcheckAll(scripts: string[]): Promise<string[]> {
  const findings: string[] = [];
  for (let start = 0; start < scripts.length; start += 100) {
    const lint = await execa('shellcheck', ['--shell=bash', '--format=gcc', ...scripts.slice(start, start + 100)], { reject: false });
    if (lint.stdout !== '') findings.push(...lint.stdout.split('\n'));
  }
  return findings;
}

interface BuiltCase {
  payloadCase: PayloadCase;
  vmDir: string;
}

/**
 * Runs each case's qemu.sh with --print and (as root) for real, and holds what QEMU, ip and virsh got
 * and domain.xml to the field's expectation. Returns one line per failed case.
 */
async function checkBuiltCases(built: BuiltCase[], fixtures: Fixtures, options: { libvirtSchema: boolean }): Promise<string[]> {
  const failures = (await shellcheckAll(built.map(({ vmDir }) => path.join(vmDir, 'qemu.sh')))).map((finding) => `shellcheck: ${finding}`);
  const facts = await readDomainFacts(built.map(({ vmDir }) => vmDir));
  await eachLimited(built, 4, async ({ payloadCase, vmDir }) => {
    const caseDir = path.join(work, 'cases', `${payloadCase.id}-${options.libvirtSchema ? 'spec' : 'plan'}`);
    mkdirSync(caseDir, { recursive: true });
    const script = path.join(vmDir, 'qemu.sh');
    const domain = facts.get(vmDir)!;
    try {
      await execa('bash', ['-n', script]);
      if (options.libvirtSchema) {
        const validation = await execa('virt-xml-validate', [path.join(vmDir, 'domain.xml')], { reject: false });
        expect(validation.exitCode, `virt-xml-validate: ${validation.stderr}`).toBe(0);
      }
      const emulator = domain.emulator ?? `qemu-system-${domain.arch}`;
      if (emulator !== 'qemu-system-x86_64') placeQemuStub(emulator, caseDir, fixtures.stubDir);
      const sandbox = isRoot ? ['unshare', '--mount', '--propagation', 'private', fixtures.driver] : [fixtures.driver];
      const run = await execa(sandbox[0]!, [...sandbox.slice(1), caseDir, script, isRoot ? 'yes' : 'no'], {
        reject: false, env: { STUBS: fixtures.stubDir }, timeout: 30_000,
      });
      expect(run.exitCode, `sandbox: ${run.stderr}`).toBe(0);
      expect(existsSync(payloadCase.canary), 'the canary was created: part of a value ran').toBe(false);
      const read = (file: string) => readFileSync(path.join(caseDir, file), 'utf8');
      expect(read('print.rc').trim(), `--print: ${read('print.err')}`).toBe('0');
      // --print writes control characters as $'\x1b', never raw.
      expect(read('print.out').replace(/\n$/, '')).not.toMatch(/[\x00-\x1f\x7f]/);
      const { stdout: printed } = await execa('bash', ['-c', 'eval "words=($(cat print.out))"; printf "%s\\0" "${words[@]}"'], { cwd: caseDir });
      const printedWords = printed.split('\0').slice(0, -1);
      expect(existsSync(payloadCase.canary), 'the canary was created by eval of --print').toBe(false);
      let argv = printedWords;
      if (isRoot) {
        expect(read('run.rc').trim(), `run: ${read('run.err')}`).toBe('0');
        const recorded = readArgv(path.join(caseDir, 'log', 'qemu.argv'));
        expect(recorded, 'qemu ran').not.toBeNull();
        // --print gives the very command that runs.
        expect(printedWords.slice(1)).toEqual(recorded!.slice(1));
        argv = [printedWords[0]!, ...recorded!.slice(1)];
        // The stub's $0 is the path bash ran: the emulator as written, relative to the case folder or absolute.
        if (emulator.includes('/')) expect(recorded![0]).toBe(emulator);
      }
      payloadCase.field.expect({
        value: payloadCase.value,
        argv,
        domain,
        ipCalls: stubCalls(path.join(caseDir, 'log'), 'ip'),
        virshCalls: stubCalls(path.join(caseDir, 'log'), 'virsh'),
        documents: ['user-data', 'meta-data'].map((name) => loadYaml(readFileSync(path.join(vmDir, name), 'utf8'))),
        realRun: isRoot,
      });
    } catch (error) {
      const label = `${payloadCase.field.name} × ${payloadCase.payload.name}`;
      failures.push(`${label} (${JSON.stringify(payloadCase.value)}): ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return failures;
}

/**
 * domain.xml and qemu.sh of a plan, as renderVm makes them, without the guest's documents (whose own
 * templates are another slice's: user-data's header comment takes the VM name, which only the spec's
 * name check keeps to one line).
 */
function renderHostSide(vm: VmPlan): { domainXml: string; qemuScript: string } {
  const domainTemplate = loadTemplate('domain.xml.hbs', null);
  const domainXml = domainTemplate.render({ vm });
  checkRenderedXml(domainXml, domainTemplate.file);
  return { domainXml, qemuScript: loadTemplate('qemu.sh.hbs', null).render({ vm, command: qemuCommand(vm) }) };
}

const toolsMissing = missingTools('bash', 'shellcheck', 'python3', 'virt-xml-validate', 'unshare');
if (!isRoot) console.warn('qemu.sh payloads: not root, so only --print runs (the real run needs a mount namespace)');

describe.skipIf(toolsMissing.length > 0)('hostile values in every field', () => {
  it(`through the command line: refused, or carried intact and never run (${payloads.length} payloads in each field)`, { timeout: 600_000 }, async () => {
    const fixtures = prepareFixtures();
    const cases = payloadCases(work);
    // Refused cases leave the fleet one attempt at a time: the spec's checks, the plan's and the
    // renderer's each report every problem of their stage at once.
    let accepted = cases;
    const refused: PayloadCase[] = [];
    let outputDir = '';
    for (let attempt = 0; ; attempt++) {
      expect(attempt, 'the fleet still fails after every refused VM left it').toBeLessThan(6);
      const run = await renderFleet(accepted, attempt);
      if (run.exitCode === 0) {
        outputDir = run.outputDir;
        break;
      }
      expect(run.exitCode, run.stderr).toBe(2);
      expect(existsSync(run.outputDir), 'a refused spec writes nothing').toBe(false);
      expect(run.stderr).toMatch(/^error: /);
      // Every value from the spec is escaped: no control character reaches the terminal.
      expect(run.stderr.replace(/\n/g, '')).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      const problemLines = run.stderr.split('\n').filter((line) => line.startsWith('  '));
      expect(problemLines.length, run.stderr).toBeGreaterThan(0);
      for (const line of problemLines) expect(line, 'a problem names its VM').toMatch(/ vms\[\d+\]/);
      const indexes = new Set(problemLines.map((line) => Number(/ vms\[(\d+)\]/.exec(line)![1])));
      refused.push(...accepted.filter((_, index) => indexes.has(index)));
      accepted = accepted.filter((_, index) => !indexes.has(index));
      if (accepted.length === 0) break;
    }
    console.info(`${cases.length} cases: ${refused.length} refused, ${accepted.length} built; built fields: ${[...new Set(accepted.map(({ field }) => field.name))].join(', ')}`);
    const built = accepted.map((payloadCase) => ({ payloadCase, vmDir: path.join(outputDir, payloadCase.vmName) }));
    const failures = await checkBuiltCases(built, fixtures, { libvirtSchema: true });
    expect(readdirSync(path.join(work, 'canary')), 'canaries').toEqual([]);
    expect(failures, failures.slice(0, 20).join('\n\n')).toEqual([]);
  });

  // The spec's checks refuse most of these values before they reach a renderer; the quoting must hold
  // without them. Plans are changed past those checks and rendered directly. libvirt's schema, which
  // the spec's checks enforce, is not asked here.
  it('past the spec\'s checks: the renderer refuses what XML cannot carry, and quotes everything else', { timeout: 600_000 }, async () => {
    const fixtures = prepareFixtures();
    const specFile = path.join(work, 'base.yaml');
    writeFileSync(specFile, JSON.stringify({ vms: [{ name: 'base', domain: { type: 'qemu', memory: 256, rootDisk: { path: `${work}/root.qcow2`, format: 'qcow2' } }, network: { nics: [{ device: 'eth0', address: 'dhcp', host: { type: 'user' } }] } }] }));
    const { plan } = await validateSpec(specFile, { outputDir: path.join(work, 'base-out'), environment: { kvmUsable: false, fileExists: () => true } });
    const built: BuiltCase[] = [];
    let refusedByRenderer = 0;
    for (const payloadCase of payloadCases(work).filter(({ field }) => field.applyPlan !== undefined)) {
      const vm = structuredClone(plan.vms[0]!);
      vm.name = payloadCase.vmName;
      payloadCase.field.applyPlan!(vm, payloadCase.value);
      let documents;
      try {
        documents = renderHostSide(vm);
      } catch (error) {
        // Only what XML 1.0 cannot carry (ESC, BEL …) is refused here.
        expect(payloadCase.value, `${payloadCase.field.name} × ${payloadCase.payload.name}: ${String(error)}`).toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
        refusedByRenderer++;
        continue;
      }
      const vmDir = path.join(work, 'plan-out', payloadCase.id);
      mkdirSync(vmDir, { recursive: true });
      writeFileSync(path.join(vmDir, 'qemu.sh'), documents.qemuScript, { mode: 0o755 });
      writeFileSync(path.join(vmDir, 'domain.xml'), documents.domainXml);
      // Host-side fields only here; the guest's documents are the command-line test's.
      writeFileSync(path.join(vmDir, 'user-data'), '{}');
      writeFileSync(path.join(vmDir, 'meta-data'), '{}');
      built.push({ payloadCase, vmDir });
    }
    console.info(`past the spec's checks: ${built.length} rendered, ${refusedByRenderer} refused by the renderer`);
    const failures = await checkBuiltCases(built, fixtures, { libvirtSchema: false });
    expect(readdirSync(path.join(work, 'canary')), 'canaries').toEqual([]);
    expect(failures, failures.slice(0, 20).join('\n\n')).toEqual([]);
  });
});

describe('the payload cases', () => {
  it('cover every field with every payload, each with its own canary', () => {
    const cases = payloadCases('/tmp/x');
    const fields = new Set(cases.map((payloadCase) => payloadCase.field.name));
    expect(cases.length).toBe(fields.size * payloads.length);
    expect(new Set(cases.map((payloadCase) => payloadCase.canary)).size).toBe(cases.length);
  });
});
