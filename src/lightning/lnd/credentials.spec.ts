import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCert, loadMacaroon } from './credentials';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIQ\n-----END CERTIFICATE-----\n';
// Real macaroons are 100+ bytes; the v2 header followed by filler.
const MACAROON = Buffer.concat([Buffer.from([0x02, 0x01, 0x03, 0x6c, 0x6e, 0x64, 0xff, 0x00, 0xfe]), Buffer.alloc(100, 0x5a)]);

describe('LND credential loading', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lnd-creds-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the certificate from a path, inline PEM or base64 of the PEM, always as base64 of the PEM', () => {
    const path = join(dir, 'tls.cert');
    writeFileSync(path, PEM);
    const expected = Buffer.from(PEM).toString('base64');
    expect(loadCert(path)).toBe(expected);
    expect(loadCert(Buffer.from(PEM).toString('base64'))).toBe(expected);
    expect(loadCert(PEM)).toBe(Buffer.from(PEM.trim()).toString('base64'));
  });

  it('rejects a certificate that is neither a PEM file nor base64 of one, naming the file', () => {
    const path = join(dir, 'not-a-cert.cert');
    writeFileSync(path, 'hello');
    expect(() => loadCert(path)).toThrow(/not-a-cert.cert is not a PEM certificate/);
    expect(() => loadCert(join(dir, 'missing.cert'))).toThrow(/Cannot read the LND TLS certificate file/);
    expect(() => loadCert(Buffer.from('just text').toString('base64'))).toThrow(/neither a readable file path nor base64/);
  });

  it('loads the macaroon from a binary file, hex or base64, always as hex', () => {
    const path = join(dir, 'admin.macaroon');
    writeFileSync(path, MACAROON);
    const hex = MACAROON.toString('hex');
    expect(loadMacaroon(path)).toBe(hex);
    expect(loadMacaroon(hex.toUpperCase())).toBe(hex);
    expect(loadMacaroon(MACAROON.toString('base64'))).toBe(hex);
    expect(loadMacaroon(MACAROON.toString('base64url'))).toBe(hex);
  });

  it('rejects an empty or unreadable macaroon file without echoing any secret', () => {
    const empty = join(dir, 'empty.macaroon');
    writeFileSync(empty, '');
    expect(() => loadMacaroon(empty)).toThrow(/is empty/);
    expect(() => loadMacaroon('/nonexistent/admin.macaroon')).toThrow(/Cannot read the LND macaroon file/);
    expect(() => loadMacaroon('not a macaroon!')).toThrow(/neither a readable file path, hex nor base64/);
  });

  it('takes base64 that happens to start with "/" as an inline macaroon, and never echoes it', () => {
    // Base64 of random bytes starts with "/" one time in 64: it must not be mistaken for a path.
    const bytes = Buffer.concat([Buffer.from([0xfe, 0x05]), MACAROON]);
    const b64 = bytes.toString('base64');
    expect(b64.startsWith('/')).toBe(true);
    expect(loadMacaroon(b64)).toBe(bytes.toString('hex'));
    const missingDir = '/no/such/dir/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    expect(() => loadMacaroon(missingDir.slice(0, 18))).toThrow(/Cannot read the LND macaroon file/);
  });
});
