// An sshd of the test's own on 127.0.0.1 with a key made for the test, so that a qemu+ssh:// URI reaches
// the test's libvirtd through a real ssh connection, as it would reach a remote host. root's
// known_hosts gets the entry ssh adds (libvirt's no_verify=1); it is put back as it was on stop.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface LoopbackSshd {
  port: number;
  /** The client's private key, for libvirt's `keyfile=`. */
  keyFile: string;
  /** qemu+ssh://root@127.0.0.1:PORT/system with the key and no host key prompt. */
  libvirtUri: string;
  stop(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

export async function startLoopbackSshd(folder: string): Promise<LoopbackSshd> {
  await mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation folder
  for (const name of ['host_key', 'client_key']) await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(folder, name)]);
  await writeFile(path.join(folder, 'authorized_keys'), await readFile(path.join(folder, 'client_key.pub')));
  const knownHosts = '/root/.ssh/known_hosts';
  const knownBefore = existsSync(knownHosts) ? await readFile(knownHosts) : null;
  const sshDirExisted = existsSync('/root/.ssh');
  const port = randomInt(20_000, 60_000);
  const config = path.join(folder, 'sshd_config');
  await writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(folder, 'host_key')}`, `PidFile ${path.join(folder, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(folder, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', '',
  ].join('\n'));
  const sshd: ResultPromise = execa('/usr/sbin/sshd', ['-D', '-e', '-f', config], { reject: false, all: true });
  for (let waited = 0; !(await answers(port)); waited++) {
    if (waited > 50 || sshd.exitCode !== null) throw new Error(`sshd on 127.0.0.1:${port} did not start: ${(await sshd).all ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const keyFile = path.join(folder, 'client_key');
  return {
    port,
    keyFile,
    libvirtUri: `qemu+ssh://root@127.0.0.1:${port}/system?keyfile=${keyFile}&no_verify=1&no_tty=1`,
    stop: async () => {
      sshd.kill('SIGTERM');
      await sshd;
      if (knownBefore !== null) await writeFile(knownHosts, knownBefore);
      else if (!sshDirExisted) await rm('/root/.ssh', { recursive: true, force: true });
      else await rm(knownHosts, { force: true });
    },
  };
}
