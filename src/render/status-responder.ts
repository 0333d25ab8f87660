// The guest's end of the status channel (`domain.statusChannel`): a bootcmd that, on every boot, starts
// a small loop which waits for cloud-init to finish and then writes its result to the second serial port
// (ttyS1; the domain gives it a pty of its own), again every second. The host reads it with `virsh console
// --devname`, which works the same over a remote connection: libvirt 9 opens consoles and serial ports
// that way but not virtio-serial channels. No guest network, agent or package is needed: sh, cat, sleep
// and cloud-init itself (`status --wait` exists since cloud-init 18.2; CentOS 7 has 18.5).

/** The frame the host reads: see libvirt/status-report.ts. */
export const statusFrame = { begin: 'cloudseed-status begin', result: 'cloudseed-status result.json', end: 'cloudseed-status end' } as const;
/** The domain's serial port for it (ttyS1 in the guest); port 0 is the console. */
export const statusSerialPort = 1;

const reportLoop = [
  `port=/dev/ttyS${statusSerialPort}`,
  'cloud-init status --wait >/dev/null 2>&1',
  '[ -c "$port" ] || exit 0',
  // cloud-init's result no longer changes once it is done; asking again costs seconds of Python each time.
  `report=$(echo '${statusFrame.begin}'; cloud-init status --long 2>&1; echo '${statusFrame.result}'; cat /run/cloud-init/result.json 2>&1; echo; echo '${statusFrame.end}')`,
  // QEMU paces a serial port at its baud rate: 115200 rather than the 9600 a port starts at.
  'stty -F "$port" 115200 raw -echo 2>/dev/null',
  // A write to a UART only waits; it fails (EIO) where no UART is behind the device node, as on KubeVirt,
  // which gives a VM one serial port and the same seed: then stop rather than write nowhere every second.
  `while printf '%s\\n' "$report" >"$port" 2>/dev/null; do`,
  '  sleep 1',
  'done',
].join('\n');

/**
 * Started outside cloud-init's own service (a transient unit where systemd-run exists) so that it lives
 * on after cloud-init's stages. bootcmd runs inside cloud-init-local, which boot waits for: the unit has
 * no default dependencies, else its start job would wait for basic.target, which waits for
 * cloud-init-local, which waits for systemd-run (a dead lock seen on Debian 12). `timeout` guards against
 * any other wait, and nothing here may make bootcmd fail, whatever the guest lacks. `sh -c CMD NAME LOOP`
 * hands the loop over as $1, so it needs no second level of quoting.
 */
const launcher = [
  'if command -v systemd-run >/dev/null 2>&1 && timeout 10 systemd-run --unit=cloudseed-status -p DefaultDependencies=no sh -c "$1" >/dev/null 2>&1; then :',
  'else (sh -c "$1" </dev/null >/dev/null 2>&1 &); fi',
].join('\n');

export const statusResponderCommand: string[] = ['sh', '-c', launcher, 'cloudseed-status', reportLoop];
