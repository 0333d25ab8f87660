import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDirectoryRecord } from '../../../src/formats/fat/writer/directory-entries.js';
import { shortNameChecksum } from '../../../src/formats/fat/fat-layout.js';
import { fatStamp } from '../../../src/formats/fat/fat-time.js';
import { assignShortNames, displayShortName } from '../../../src/formats/fat/writer/short-names.js';

const aliases = (...names: string[]): string[] => assignShortNames(names).map(displayShortName);

describe('assignShortNames (the spec basis-name and numeric-tail algorithms)', () => {
  it('gives the cloud-init names the aliases Windows and mtools give them', () => {
    expect(aliases('user-data', 'meta-data', 'network-config', 'vendor-data')).toEqual([
      'USER-D~1',
      'META-D~1',
      'NETWOR~1',
      'VENDOR~1',
    ]);
  });

  it('numbers names that collide after mangling in the order given', () => {
    expect(aliases('network-config', 'network-config2', 'network-config.bak', 'network-config3.bak')).toEqual([
      'NETWOR~1',
      'NETWOR~2',
      'NETWOR~1.BAK',
      'NETWOR~2.BAK',
    ]);
  });

  it('keeps 8.3 names as their upper-case selves and steers generated aliases around them', () => {
    expect(aliases('user-data', 'USER-D~1', 'readme.txt', 'Foo.Bar')).toEqual(['USER-D~2', 'USER-D~1', 'README.TXT', 'FOO.BAR']);
  });

  it('follows the basis-name steps: last period for the extension, spaces and leading periods dropped', () => {
    expect(aliases('a.b.c.txt', '.hidden', 'my file.yaml', 'x+y=z', 'prettybg.big')).toEqual([
      'A~1.TXT',
      'HIDDEN~1',
      'MYFILE~1.YAM',
      'X_Y_Z~1',
      'PRETTYBG.BIG',
    ]);
  });

  it('marks characters with no 8.3 form as lossy, so even short names get a tail', () => {
    expect(aliases('café', 'straße', 'a[1]')).toEqual(['CAF_~1', 'STRA_E~1', 'A_1_~1']);
  });

  it('goes past ~9 by shortening the primary part, keeping every alias 8 characters at most', () => {
    const names = Array.from({ length: 12 }, (_, index) => `longname-${index}`);
    const result = aliases(...names);
    expect(result.slice(8, 11)).toEqual(['LONGNA~9', 'LONGN~10', 'LONGN~11']);
    expect(new Set(result).size).toBe(names.length);
  });

  it('never gives two names one alias, and every alias is a valid 8.3 name', () => {
    const nameCharacter = fc.constantFrom(...'abcXYZ019-_.~ +'.split(''));
    // No leading space, no trailing space or period: the names FAT accepts.
    const name = fc.string({ unit: nameCharacter, minLength: 1, maxLength: 20 }).filter((text) => !/^ | $|\.$/.test(text));
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 40, selector: (text) => text.toUpperCase() }), (names) => {
        const result = assignShortNames(names);
        expect(new Set(result).size).toBe(names.length);
        for (const alias of result) expect(alias).toMatch(/^[A-Z0-9_~-][A-Z0-9_~ -]{7}[A-Z0-9_~ -]{3}$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('long-name entries', () => {
  const fileRecord = { longName: '', shortName: '', attributes: 0x20, firstCluster: 0, size: 0, stamp: fatStamp(0) };

  it('checksums aliases as mcopy does (bytes from an image cloud-localds made)', () => {
    expect(shortNameChecksum('USER-D~1   ')).toBe(0xb0);
    expect(shortNameChecksum('META-D~1   ')).toBe(0xd4);
  });

  it('encodes "user-data" exactly as mcopy does, NUL-terminated and 0xFFFF-padded', () => {
    const record = { ...fileRecord, longName: 'user-data', shortName: 'USER-D~1   ', firstCluster: 2, size: 14 };
    const fromMcopy = '4175007300650072002d000f00b064006100740061000000ffff0000ffffffff';
    expect(Buffer.from(encodeDirectoryRecord(record).subarray(0, 32)).toString('hex')).toBe(fromMcopy);
  });

  it('does not terminate a name that fills its last entry exactly (13 characters)', () => {
    const record = { ...fileRecord, longName: 'thirteen-char', shortName: 'THIRTE~1   ' };
    const entries = encodeDirectoryRecord(record);
    expect(entries.length).toBe(64);
    expect(entries[0]).toBe(0x41);
    // LDIR_Name3 holds units 12 and 13, 'a' and 'r': no NUL and no 0xFFFF padding follow.
    expect(Buffer.from(entries.subarray(28, 32)).toString('hex')).toBe('61007200');
  });
});
