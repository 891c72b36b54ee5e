import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDataDir } from './data-dir';
import { ConfigError, loadConfig } from './load-config';

describe('prepareDataDir', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lc-datadir-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a missing DATA_DIR', () => {
    prepareDataDir(loadConfig({ env: { DATA_DIR: join(dir, 'a', 'b') } }));
    expect(existsSync(join(dir, 'a', 'b'))).toBe(true);
  });

  it.each([
    ['DATA_DIR is a file', (file: string) => file],
    ['a parent of DATA_DIR is a file', (file: string) => join(file, 'data')],
  ])('names the setting and the reason, in one line, when %s', (_what, dataDir) => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const run = () => prepareDataDir(loadConfig({ env: { DATA_DIR: dataDir(file) } }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /^Invalid configuration:\n {2}- dataDir \(DATA_DIR\) \/ database\.path: cannot keep the SQLite database in \S+: a file is in the way \(it must be a folder\)$/,
    );
  });

  it('leaves PostgreSQL alone', () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => prepareDataDir(loadConfig({ env: { DATA_DIR: file, DATABASE_URL: 'postgres://app@127.0.0.1/test' } }))).not.toThrow();
  });
});
