// cloudseed's seeds booted on a real guest: a Debian 12 image built from the package archive
// (image/), seeds built by buildFleet from the specs in fixtures/, booted with bare QEMU and through
// libvirt, and checked from inside the guest against the spec. Slow (minutes per boot under TCG);
// `npm run test:guest` runs just these. Environment: CLOUDSEED_GUEST_ACCEL=kvm|tcg forces the
// accelerator, CLOUDSEED_GUEST_JOBS (default 2) boots at once, CLOUDSEED_GUEST_CACHE the image cache,
// CLOUDSEED_GUEST_KEEP=1 keeps each boot's folder (spec, seed, console logs, report.json).
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI, missingTools } from '../support/tools.js';
import { chooseAccelerator } from './support/accelerator.js';
import { createQueue } from './support/boot-queue.js';
import { bootName, runGuestBoot, type BootOutcome, type GuestBoot } from './support/guest-boot.js';
import {
  accountFacts, cloudInitFacts, cloudInitNetworkFiles, datasourceSearch, eniDnsFacts, fileFacts, linkFacts, routeFacts, sshdSettings,
} from './support/guest-facts.js';
import { ensureGuestImage, type GuestImage, type GuestSuite } from './support/guest-image.js';
import { commandOutput, fileBytes, fileText } from './support/guest-report.js';
import { ensureLibvirtd, type Libvirtd } from './support/libvirt-guest.js';
import {
  expectedFiles, expectedLinks, expectedRoutes, expectedSshd, passwordMatches, specPasswords,
} from './support/plan-expectations.js';

// Each boot covers a few dimensions; together: iso9660 and vfat, disk and cdrom, the native writers
// (ISO and FAT) and the shell-out mtools and cloud-localds (over genisoimage), network-config v2, v1 and
// ifcfg, targets current and el7, bare QEMU (arguments of the test's own, and the VM's qemu.sh) and libvirt.
// Another packer is one more line here (or a changed `packer`).
const allBoots: GuestBoot[] = [
  { fixture: 'v2-iso-cdrom.yaml', packer: 'native', runner: 'qemu',
    runcmdWrites: { '/var/tmp/runcmd-argv': /^argv form ran as root\n$/, '/var/tmp/runcmd-shell': /^shell form ran on seeded-v2\n$/ } },
  { fixture: 'v1-vfat-disk.yaml', packer: 'mtools', runner: 'qemu-script', runcmdWrites: { '/var/tmp/runcmd-v1': /^$/ } },
  { fixture: 'el7-ifcfg.yaml', packer: 'cloud-localds', runner: 'qemu', runcmdWrites: { '/var/tmp/runcmd-el7': /^el7-runcmd\n$/ } },
  { fixture: 'libvirt-domain.yaml', packer: 'native', runner: 'libvirt', runcmdWrites: { '/var/tmp/runcmd-libvirt': /^$/ } },
  // The oldest and the newest cloud-init the archive has: el7 where chpasswd.users does not exist yet
  // (20.4, as CentOS 7's 18.5), current where the old keys are gone or warned of.
  { fixture: 'el7-ifcfg.yaml', packer: 'cloud-localds', runner: 'qemu', suite: 'bullseye', runcmdWrites: { '/var/tmp/runcmd-el7': /^el7-runcmd\n$/ } },
  { fixture: 'v2-iso-cdrom.yaml', packer: 'native', runner: 'qemu', suite: 'trixie',
    runcmdWrites: { '/var/tmp/runcmd-argv': /^argv form ran as root\n$/, '/var/tmp/runcmd-shell': /^shell form ran on seeded-v2\n$/ } },
  { fixture: 'v1-vfat-disk.yaml', packer: 'mtools', runner: 'qemu-script', suite: 'trixie', runcmdWrites: { '/var/tmp/runcmd-v1': /^$/ } },
  // el7 seeds with cloud-init's own networking on 20.4 (ENI renders them there): v2 from an ISO cdrom,
  // v1 from a vfat disk, each with a deferred file runcmd places and a binary one.
  { fixture: 'el7-v2-cdrom.yaml', packer: 'native', runner: 'qemu', suite: 'bullseye',
    runcmdWrites: { '/var/tmp/runcmd-el7v2': /^builder:builders 640\n$/ } },
  { fixture: 'el7-v1-vfat.yaml', packer: 'native', runner: 'qemu', suite: 'bullseye', runcmdWrites: { '/var/tmp/runcmd-el7v1': /^$/ } },
];

// CLOUDSEED_GUEST_ONLY=v1-vfat-disk.yaml,el7-ifcfg.yaml@bullseye,... runs some of them.
const only = process.env.CLOUDSEED_GUEST_ONLY?.split(',');
const boots = allBoots.filter((boot) => !only || only.includes(bootName(boot)));

const tools = [
  'mmdebstrap', 'mkfs.ext4', 'flock', 'qemu-system-x86_64', 'qemu-img', 'openssl', 'ip',
  'genisoimage', 'mkfs.vfat', 'mcopy', 'cloud-localds', 'virsh', 'libvirtd', 'virtlogd',
];

function rootMissing(): boolean {
  if (process.getuid?.() === 0) return false;
  if (inCI) throw new Error('CI=true and the guest boots need root (mmdebstrap, libvirtd, tap devices)');
  console.warn('skipping guest boots: they need root');
  return true;
}

const skip = missingTools(...tools).length > 0 || rootMissing();
const log = (line: string) => console.log(`[guest] ${line}`);
const testTimeoutMs = 60 * 60_000;

describe.skipIf(skip)('seeds booted on a real guest', () => {
  const outcomes = new Map<string, Promise<BootOutcome>>();
  const finished: BootOutcome[] = [];
  let libvirtd: Libvirtd | null = null;
  const started = Date.now();

  beforeAll(() => {
    // Each suite's image once, all of them building at the same time as the first boots run.
    const images = new Map<GuestSuite, Promise<GuestImage>>();
    const imageOf = (suite: GuestSuite) => {
      if (!images.has(suite)) images.set(suite, ensureGuestImage(log, suite));
      return images.get(suite)!;
    };
    for (const suite of new Set(boots.map((boot) => boot.suite ?? 'bookworm'))) void imageOf(suite).catch(() => undefined);
    const prepared = (async () => {
      const image = await imageOf('bookworm');
      const { accelerator, reason } = await chooseAccelerator(image);
      log(`accelerator: ${accelerator.toUpperCase()} (${reason})`);
      if (boots.some((boot) => boot.runner === 'libvirt')) {
        libvirtd = await ensureLibvirtd();
        log(libvirtd.startedHere ? 'libvirtd: started for this run' : 'libvirtd: already running, used as is');
      }
      return { image, accelerator, timeoutMs: (accelerator === 'kvm' ? 5 : 15) * 60_000, log };
    })();
    const queue = createQueue(Number(process.env.CLOUDSEED_GUEST_JOBS ?? 2));
    for (const boot of boots) {
      const outcome = prepared.then(async (context) => {
        const image = await imageOf(boot.suite ?? 'bookworm');
        return queue(() => runGuestBoot(boot, { ...context, image }));
      });
      outcome.then((done) => finished.push(done), () => undefined);
      outcomes.set(bootName(boot), outcome);
    }
  });

  afterAll(async () => {
    await libvirtd?.stop();
    for (const outcome of finished) {
      const attempts = outcome.attempts.map((attempt) => `${attempt.accelerator} ${attempt.seconds} s: ${attempt.outcome}`).join('; ');
      log(`${outcome.built.plan.name}: ${outcome.accelerator.toUpperCase()} ${outcome.seconds} s (${attempts})`);
      if (process.env.CLOUDSEED_GUEST_KEEP === '1') log(`${outcome.built.plan.name}: kept ${outcome.workDirectory}`);
      else await rm(outcome.workDirectory, { recursive: true, force: true });
    }
    log(`all boots: ${Math.round((Date.now() - started) / 1000)} s including the image`);
  }, 120_000);

  for (const boot of boots) {
    const outcome = () => outcomes.get(bootName(boot))!;

    describe(`${bootName(boot)} (${boot.packer}, ${boot.runner})`, () => {
      it('boots and reports from inside the guest', async () => {
        const { built, accelerator, seconds, report } = await outcome();
        log(`${built.plan.name}: report after ${seconds} s on ${accelerator.toUpperCase()}, guest uptime ${report.uptimeSeconds} s`);
        expect(report.cmdline).toContain('cloudseed.report');
      }, testTimeoutMs);

      it('has the hostname, instance-id and SMBIOS serial of the seed', async () => {
        const { built, report } = await outcome();
        expect({ hostname: report.hostname, instanceId: cloudInitFacts(report).instanceId, serial: report.smbiosSerial })
          .toEqual({ hostname: built.plan.hostname, instanceId: built.record.instanceId, serial: 'ds=nocloud' });
        // An fqdn resolves on the guest: /etc/hosts names it, with the hostname as an alias.
        if (built.plan.fqdn !== null) {
          const hosts = (fileText(report, '/etc/hosts') ?? '').split('\n').map((line) => line.replace(/#.*/, '').trim().split(/\s+/));
          expect(hosts.filter((names) => names[1] === built.plan.fqdn).map((names) => names.slice(2)), '/etc/hosts')
            .toContainEqual(expect.arrayContaining([built.plan.hostname]));
        }
      }, testTimeoutMs);

      it('found its seed with NoCloud at once, without looking for a metadata service', async () => {
        const { built, report } = await outcome();
        const search = datasourceSearch(report);
        log(`${built.plan.name}: ${cloudInitFacts(report).datasource}; longest cloud-init events: ` +
          search.blame.slice(0, 4).map((event) => `${event.name} ${event.seconds.toFixed(1)} s`).join(', '));
        expect(cloudInitFacts(report).datasource).toMatch(/^DataSourceNoCloud/);
        // The serial alone gives seed=dmi: without a device as well, the seed volume was never read.
        expect(search.seeds).toContainEqual(expect.stringMatching(/^\/dev\//));
        expect(search.networkSearches).toEqual([]);
        expect(search.urlRequests).toEqual([]);
        // Reading a local seed takes a second or two (more on a busy TCG host); waiting for a metadata
        // service takes 120 s.
        const searching = search.blame.filter((event) => /search-/.test(event.name));
        expect(searching.reduce((total, event) => total + event.seconds, 0)).toBeLessThan(20);
      }, testTimeoutMs);

      it('finished cloud-init with no errors and no warnings', async () => {
        const { built, report } = await outcome();
        const facts = cloudInitFacts(report);
        const outcomeText = { status: facts.status, errors: facts.errors, warnings: facts.warnings, failedUnits: facts.failedUnits };
        if (built.plan.target === 'el7') {
          log(`${bootName(boot)} (el7 seed on ${boot.suite ?? 'bookworm'}'s cloud-init), differs from a clean current boot:\n${JSON.stringify(outcomeText, null, 2)}`);
          expect(facts.status).toBe('done');
          return;
        }
        expect(outcomeText).toEqual({ status: 'done', errors: [], warnings: [], failedUnits: [] });
        // Deprecations are logged at a level of their own (DEPRECATED) since 23.x, and counted as
        // recoverable errors: a current seed must use none of the keys its cloud-init deprecates.
        const deprecations = (fileText(report, '/var/log/cloud-init.log') ?? '').split('\n').filter((line) => /deprecat/i.test(line));
        expect(deprecations).toEqual([]);
        const recoverable = /^recoverable_errors: (.*)$/m.exec(facts.statusText)?.[1];
        if (recoverable !== undefined) expect(recoverable).toBe('{}');
      }, testTimeoutMs);

      it('has the users and groups of the spec', async () => {
        const { built, report } = await outcome();
        const accounts = accountFacts(report);
        for (const user of built.plan.users) {
          const account = accounts.users.get(user.name);
          expect(account, user.name).toBeDefined();
          if (user.shell) expect(account?.shell).toBe(user.shell);
          if (user.gecos) expect(account?.gecos).toBe(user.gecos);
          for (const group of user.groups) expect(accounts.groups.get(group), `${user.name} in ${group}`).toContain(user.name);
          for (const key of user.sshAuthorizedKeys) expect(fileText(report, `${account?.home}/.ssh/authorized_keys`)).toContain(key);
          if (user.sudo) expect(fileText(report, '/etc/sudoers.d/90-cloud-init-users')).toContain(`${user.name} ${user.sudo}`);
        }
        for (const group of built.plan.groups) {
          const [name, members] = typeof group === 'string' ? [group, []] : Object.entries(group)[0]!;
          expect(accounts.groups.get(name), `group ${name}`).toEqual(expect.arrayContaining(members));
        }
      }, testTimeoutMs);

      it('has every password the spec sets, checked against /etc/shadow', async () => {
        const { built, report, specText } = await outcome();
        const shadow = accountFacts(report).shadow;
        const passwords = [...specPasswords(specText, built.plan.name)];
        expect(passwords.length).toBeGreaterThan(0);
        for (const [user, password] of passwords) {
          expect(await passwordMatches(password, shadow.get(user) ?? ''), `password of ${user}`).toBe(true);
        }
        // A hash the spec gives reaches /etc/shadow as it is.
        for (const user of built.plan.users) {
          if (user.password?.kind === 'hash' && !passwords.some(([name]) => name === user.name)) {
            expect(shadow.get(user.name), `hash of ${user.name}`).toBe(user.password.value);
          }
        }
      }, testTimeoutMs);

      it('runs sshd with the requested settings', async () => {
        const { built, report } = await outcome();
        const settings = sshdSettings(report);
        const expected = expectedSshd(built.plan);
        expect(Object.fromEntries(Object.keys(expected).map((key) => [key, settings.get(key)]))).toEqual(expected);
        expect(report.commands.sshActive?.stdout.trim()).toBe('active');
      }, testTimeoutMs);

      it('wrote every write_files entry with its content, mode and owner, and ran runcmd', async () => {
        const { built, userData, report } = await outcome();
        // Text reads as text in a failure; other bytes as base64.
        const shown = (bytes: Buffer | null) => bytes === null ? null
          : /^[\t\n\x20-\x7e]*$/.test(bytes.toString('latin1')) ? bytes.toString('utf8') : `base64:${bytes.toString('base64')}`;
        for (const file of expectedFiles(userData, built.plan)) {
          const facts = fileFacts(report, file.path);
          expect(facts && { ...facts, content: shown(fileBytes(report, file.path)) }, file.path)
            .toEqual({ content: shown(file.content), mode: file.mode, owner: file.owner });
        }
        for (const [path, content] of Object.entries(boot.runcmdWrites)) {
          expect(fileFacts(report, path)?.content, path).toMatch(content);
        }
      }, testTimeoutMs);

      it('has the network the spec describes', async () => {
        const { built, report } = await outcome();
        const vm = built.plan;
        if (vm.network.config === 'disabled') {
          expect(cloudInitNetworkFiles(report)).toEqual([]);
          expect(fileText(report, '/var/log/cloud-init.log')).toMatch(/network config is disabled by/);
          for (const nic of vm.network.nics) {
            const ifcfg = fileText(report, `/etc/sysconfig/network-scripts/ifcfg-${nic.device}`) ?? '';
            const values = Object.fromEntries(ifcfg.split('\n').filter((line) => /^\w+=/.test(line)).map((line) => line.split(/=(.*)/s).slice(0, 2)));
            expect(values).toMatchObject(ifcfgValues(nic));
            if (nic.routes.length > 0) {
              const routeFile = fileText(report, `/etc/sysconfig/network-scripts/route-${nic.device}`) ?? '';
              nic.routes.forEach((route, index) => {
                expect(routeFile).toContain(`ADDRESS${index}=${route.network}\nNETMASK${index}=${route.netmask}\nGATEWAY${index}=${route.via}\n`);
              });
            }
          }
          log(`${vm.name}: with network-config disabled the guest configured: ${JSON.stringify(linkFacts(report, 'eth0'))}`);
          return;
        }
        expect(cloudInitNetworkFiles(report).length).toBeGreaterThan(0);
        const renderer = /Selected renderer '(\w+)'/.exec(fileText(report, '/var/log/cloud-init.log') ?? '')?.[1];
        for (const link of expectedLinks(vm)) {
          const facts = linkFacts(report, link.device);
          expect(facts, link.device).not.toBeNull();
          expect(facts?.mac).toBe(link.mac);
          expect(facts?.addresses).toEqual(link.addresses);
          if (link.mtu !== null) expect(facts?.mtu).toBe(link.mtu);
          // ENI (bullseye, as Debian 11's cloud images) passes DNS to resolvconf, which the image lacks.
          if (renderer === 'eni' && link.dnsServers.length + link.dnsSearch.length > 0) log(`${bootName(boot)}: DNS checked in the ENI stanza cloud-init wrote (applied where resolvconf is installed)`);
          const dns = renderer === 'eni' ? eniDnsFacts(report, link.device) : { servers: facts?.dnsServers, search: facts?.dnsSearch };
          expect(dns, `DNS of ${link.device}`).toEqual({ servers: link.dnsServers, search: link.dnsSearch });
        }
        const routes = routeFacts(report);
        // The metric of a v2 route survives only where cloud-init's build warned it would (23.3+, or netplan).
        const [major, minor] = commandOutput(report, 'cloudInitPackage').split('.').map(Number);
        const v2MetricsKept = renderer === 'netplan' || major! * 100 + minor! >= 2303;
        for (const route of expectedRoutes(vm)) {
          const metricLost = route.metric !== null && vm.network.config === 'v2' && !v2MetricsKept;
          if (metricLost) log(`${bootName(boot)}: cloud-init ${major}.${minor} with the ${renderer} renderer dropped the metric of the v2 route to ${route.dst}, as the build warned`);
          expect(routes, `route to ${route.dst}`).toContainEqual(expect.objectContaining(
            route.metric === null ? { dst: route.dst, gateway: route.gateway, dev: route.dev } : metricLost ? { ...route, metric: null } : route));
        }
      }, testTimeoutMs);
    });
  }
});

/** The values an ifcfg file must hold for a NIC of the plan. */
function ifcfgValues(nic: BootOutcome['built']['plan']['network']['nics'][number]): Record<string, string> {
  const values: Record<string, string> = { DEVICE: nic.device, HWADDR: nic.macAddress, ONBOOT: 'yes', NM_CONTROLLED: 'no' };
  if (nic.addressing.kind === 'static') Object.assign(values, { BOOTPROTO: 'static', IPADDR: nic.addressing.address, NETMASK: nic.addressing.netmask });
  if (nic.gateway) values.GATEWAY = nic.gateway;
  nic.dnsServers.forEach((server, index) => { values[`DNS${index + 1}`] = server; });
  return values;
}
