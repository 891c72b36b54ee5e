import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource } from 'typeorm';

/**
 * A fresh clone must install on a machine with no compiler and no Python. better-sqlite3 ships
 * binding.gyp, so npm runs an implicit `node-gyp rebuild` for it (whatever its `gypfile: false`
 * says), which needs Python and make even though it compiles nothing when a prebuilt binary is
 * there: `npm install` then fails on such a machine. allowScripts turns that script off; the
 * prebuilt binary inside the package is what loads.
 */
const ROOT = join(__dirname, '../..');

describe('better-sqlite3 installs without build tools', () => {
  it('its install script is turned off in package.json allowScripts', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['better-sqlite3']).toBe(false);
  });

  it('the package carries a prebuilt binary for this platform, and it loads', async () => {
    const dir = dirname(require.resolve('better-sqlite3/package.json'));
    // linux-x64.node, or linuxmusl-x64.node on musl.
    const prebuilt = readdirSync(join(dir, 'prebuilds')).filter((f) => f.startsWith(process.platform) && f.endsWith(`-${process.arch}.node`));
    expect(prebuilt).not.toEqual([]);
    const db = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    try {
      expect(await db.query('SELECT 1 + 1 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await db.destroy();
    }
  });
});
