// A graceful stop: ask the guest to shut down (ACPI), wait up to the timeout, then force it off.
import { readDomain, isRunning } from './domain-records.js';
import { tryVirsh, virsh, type Connection } from '../host/virsh.js';

export type StopOutcome = 'shut down' | 'forced off' | 'already off';

export async function stopDomain(connection: Connection, name: string, timeoutSeconds: number): Promise<StopOutcome> {
  if (!isRunning(await readDomain(connection, name))) return 'already off';
  // A guest still booting may miss the request: it is repeated while we wait.
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    await tryVirsh(connection, ['shutdown', '--domain', name]);
    for (let polled = 0; polled < 5 && Date.now() < deadline; polled++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!isRunning(await readDomain(connection, name))) return 'shut down';
    }
  }
  // It may have stopped between the last look and now: only a failure on a running domain is one.
  const forced = await tryVirsh(connection, ['destroy', '--domain', name]);
  if (!forced.ok && isRunning(await readDomain(connection, name))) await virsh(connection, ['destroy', '--domain', name], `forcing off VM ${name}`);
  return 'forced off';
}
