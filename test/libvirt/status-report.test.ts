// The host's reading of what a guest's status responder writes to its serial port: frames cut, repeated
// or garbled by the line, and cloud-init's own words for the result.
import { describe, expect, it } from 'vitest';
import { parseStatusReport } from '../../src/libvirt/status-report.js';
import { statusFrame } from '../../src/render/status-responder.js';

const frame = (statusLines: string[], resultJson: string) =>
  [statusFrame.begin, ...statusLines, statusFrame.result, resultJson, '', statusFrame.end].join('\r\n');

describe('parseStatusReport', () => {
  it('reads status and the errors of result.json, recoverable ones with their level', () => {
    const json = JSON.stringify({ v1: { errors: ["('scripts-user', RuntimeError('runparts'))"], recoverable_errors: { WARNING: ['deprecated key'] } } });
    expect(parseStatusReport(frame(['status: error', 'detail:', 'DataSourceNoCloud'], json))).toEqual({
      status: 'error',
      errors: ["('scripts-user', RuntimeError('runparts'))", 'WARNING: deprecated key'],
    });
  });

  it('waits for a whole frame, and takes the last whole one after noise and a cut copy', () => {
    const done = frame(['status: done'], '{"v1": {"errors": []}}');
    expect(parseStatusReport(done.slice(0, -5))).toBeNull();
    expect(parseStatusReport(`login: \r\n${done.slice(0, 40)}\r\n${done}\r\n${statusFrame.begin}\r\nstatus: do`)).toEqual({ status: 'done', errors: [] });
  });

  it('keeps the status when result.json is missing or unreadable', () => {
    expect(parseStatusReport(frame(['status: degraded done'], 'cat: /run/cloud-init/result.json: No such file or directory'))).toEqual({ status: 'degraded done', errors: [] });
  });
});
