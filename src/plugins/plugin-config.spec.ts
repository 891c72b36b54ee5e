import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { PluginsConfig } from '../config/app-config';
import { ConfigError } from '../config/load-config';
import { CheckoutPlugin, pluginManifest } from './checkout-plugin.decorator';
import { findAmong, resolvePlugins as resolveWith } from './plugin-config';

class Site {
  @IsString() @MinLength(1) secret: string;
}
class AlphaOptions {
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => Site) sites: Site[];
  @IsInt() @Min(1) retries: number = 3;
}

@CheckoutPlugin({ name: 'alpha', version: '1.2.3', compatibility: '^1.0.0', configSchema: AlphaOptions })
class AlphaPlugin {}

@CheckoutPlugin({ name: 'beta', version: '0.1.0', compatibility: '>=0.9.0 <2' })
class BetaPlugin {}

@CheckoutPlugin({ name: 'future', version: '3.0.0', compatibility: '^2.0.0' })
class FuturePlugin {}

const known = [AlphaPlugin, BetaPlugin];
const SERVER = '1.4.0';
const resolvePlugins = (plugins: PluginsConfig, among = known) => resolveWith(plugins, findAmong(among), SERVER);
const config = (plain: Record<string, unknown>) => plain as unknown as PluginsConfig;
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('plugin loader configuration', () => {
  it('loads enabled plugins with validated options and class defaults', () => {
    const { loaded, disabled } = resolvePlugins(config({ enabled: ['alpha', 'beta'], alpha: { sites: [{ secret: 's' }] } }), known);
    expect(loaded.map((p) => p.name)).toEqual(['alpha', 'beta']);
    expect(loaded[0].options).toBeInstanceOf(AlphaOptions);
    expect(loaded[0].options).toMatchObject({ retries: 3, sites: [{ secret: 's' }] });
    expect(disabled).toEqual([]);
  });

  it('leaves plugins that are not enabled alone, even with broken settings', () => {
    expect(resolvePlugins(config({ enabled: ['beta'], alpha: { sites: 'nope' } }), known).loaded.map((p) => p.name)).toEqual(['beta']);
  });

  it('names the exact key of a bad setting, including nested and unknown keys', () => {
    const problems = problemsOf(() => resolvePlugins(config({ enabled: ['alpha'], alpha: { sites: [{ secret: '' }], retries: 0, typo: 1 } }), known));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^plugins\.alpha\.sites\.0\.secret: /),
        expect.stringMatching(/^plugins\.alpha\.retries: /),
        expect.stringMatching(/^plugins\.alpha\.typo: property typo should not exist/),
      ]),
    );
    const missing = problemsOf(() => resolvePlugins(config({ enabled: ['alpha'] }), known));
    expect(missing.length).toBeGreaterThan(0);
    for (const problem of missing) expect(problem).toMatch(/^plugins\.alpha\.sites: /);
    expect(problemsOf(() => resolvePlugins(config({ enabled: ['alpha'], alpha: 'yes' }), known))).toEqual([
      expect.stringMatching(/^plugins\.alpha: must be a mapping/),
    ]);
    // Settings written as one string are likely a pasted credential: its kind is shown, not it.
    expect(problemsOf(() => resolvePlugins(config({ enabled: ['alpha'], alpha: 'shpat_0123456789abcdef' }), known))).toEqual([
      'plugins.alpha: must be a mapping of settings (got a string)',
    ]);
  });

  it('refuses unknown plugin names, listing the known ones', () => {
    expect(problemsOf(() => resolvePlugins(config({ enabled: ['gamma'] }), known))).toEqual(['plugins.enabled: unknown plugin "gamma" (known: alpha, beta)']);
  });

  it('with onError: disable, leaves the bad plugin out with its reason and loads the rest', () => {
    const { loaded, disabled } = resolvePlugins(config({ enabled: ['alpha', 'gamma', 'beta'], onError: 'disable', alpha: { sites: [] } }), known);
    expect(loaded.map((p) => p.name)).toEqual(['beta']);
    expect(disabled.map((d) => d.name)).toEqual(['alpha', 'gamma']);
    expect(disabled[0].reason).toMatch(/^plugins\.alpha\.sites: /);
  });

  it('keeps the manifest on the class and refuses bad plugin names and compatibility ranges', () => {
    expect(pluginManifest(AlphaPlugin)).toMatchObject({ name: 'alpha', version: '1.2.3', compatibility: '^1.0.0', configSchema: AlphaOptions });
    expect(() => CheckoutPlugin({ name: 'Bad Name', version: '1', compatibility: '*' })).toThrow(/lower-case/);
    expect(() => CheckoutPlugin({ name: 'enabled', version: '1', compatibility: '*' })).toThrow(/not enabled or onError/);
    expect(() => CheckoutPlugin({ name: 'gamma', version: '1', compatibility: 'soon' })).toThrow(
      'Plugin "gamma": compatibility must be a semver range of server versions, e.g. "^0.1.0" (got "soon")',
    );
    expect(() => CheckoutPlugin({ name: 'gamma', version: '1' } as never)).toThrow(/compatibility must be a semver range .*\(got undefined\)/);
  });

  it('refuses a plugin whose compatibility range leaves out the server version, naming plugin, range and version', () => {
    const all = [AlphaPlugin, BetaPlugin, FuturePlugin];
    expect(problemsOf(() => resolvePlugins(config({ enabled: ['beta', 'future'] }), all))).toEqual([
      'plugins.enabled: plugin "future" 3.0.0 (built-in) works with server versions "^2.0.0" (its compatibility), but this server is 1.4.0',
    ]);
    const { loaded, disabled } = resolvePlugins(config({ enabled: ['future', 'beta'], onError: 'disable' }), all);
    expect(loaded.map((p) => p.name)).toEqual(['beta']);
    expect(disabled).toEqual([{ name: 'future', reason: expect.stringContaining('works with server versions "^2.0.0"') }]);
    // Pre-releases of the server count as their version; something that is not a version matches nothing.
    expect(resolveWith(config({ enabled: ['alpha'], alpha: { sites: [{ secret: 's' }] } }), findAmong(all), '1.5.0-rc.1').loaded).toHaveLength(1);
    expect(problemsOf(() => resolveWith(config({ enabled: ['alpha'], alpha: { sites: [{ secret: 's' }] } }), findAmong(all), 'unknown'))).toEqual([
      expect.stringContaining('but this server is unknown'),
    ]);
  });

  it('refuses two entries that are the same plugin', () => {
    const twice: PluginsConfig = config({ enabled: ['beta', 'beta-again'] });
    const find = (entry: string) => ({ plugin: BetaPlugin, from: entry });
    expect(problemsOf(() => resolveWith(twice, find, SERVER))).toEqual(['plugins.enabled: "beta" and "beta-again" are both plugin "beta"']);
  });

  it('checks a manifest written by another copy of the decorator too: its name must be a plugin key, its compatibility a range', () => {
    const handWritten = (manifest: object) => {
      const plugin = class HandWritten {};
      Reflect.defineMetadata(Symbol.for('lightning-checkout:plugin-manifest'), manifest, plugin);
      return (entry: string) => ({ plugin, from: entry });
    };
    const one = config({ enabled: ['./x'] });
    for (const name of ['enabled', 'onError', '__proto__', 'Bad Name']) {
      expect(problemsOf(() => resolveWith(one, handWritten({ name, version: '1.0.0', compatibility: '*' }), SERVER))).toEqual([
        `plugins.enabled: ./x: plugin name "${name}" must be 2-40 lower-case letters, digits or dashes, and not enabled or onError`,
      ]);
    }
    expect(problemsOf(() => resolveWith(one, handWritten({ name: 'ok', version: '1.0.0', compatibility: 'soon' }), SERVER))).toEqual([
      'plugins.enabled: ./x: plugin "ok": compatibility must be a semver range of server versions, e.g. "^0.1.0" (got "soon")',
    ]);
  });
});
