import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginManifest } from './checkout-plugin.decorator';
import { BUILT_IN_PLUGINS_DIR, builtInPlugins, pluginFinder } from './plugin-loader';

/**
 * A plugin module as another copy of the decorator would write it: plain JS, the manifest under
 * the registered symbol (what @CheckoutPlugin does), no import of this server's files.
 */
const pluginSource = (name: string, exportAs = 'module.exports.Plugin') => `
${exportAs} = class Plugin {};
Reflect.defineMetadata(Symbol.for('lightning-checkout:plugin-manifest'), { name: '${name}', version: '1.0.0', compatibility: '*' }, ${exportAs});
`;

describe('plugin loader: finding plugins named in plugins.enabled', () => {
  let dir: string;
  let shared: string[];
  let find: ReturnType<typeof pluginFinder>;

  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'lc-plugin-loader-')));
    mkdirSync(join(dir, 'config', 'local'), { recursive: true });
    writeFileSync(join(dir, 'config', 'local', 'hello.js'), pluginSource('hello'));
    mkdirSync(join(dir, 'pkg', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'pkg', 'package.json'), JSON.stringify({ name: 'folder-plugin', main: 'lib/main.js' }));
    writeFileSync(join(dir, 'pkg', 'lib', 'main.js'), pluginSource('folder', 'module.exports.default'));
    mkdirSync(join(dir, 'app', 'node_modules', 'checkout-plugin-npm'), { recursive: true });
    writeFileSync(join(dir, 'app', 'node_modules', 'checkout-plugin-npm', 'package.json'), JSON.stringify({ name: 'checkout-plugin-npm', main: 'index.js' }));
    writeFileSync(join(dir, 'app', 'node_modules', 'checkout-plugin-npm', 'index.js'), pluginSource('npm-one'));
    writeFileSync(join(dir, 'none.js'), 'module.exports = { notAPlugin: class {} };');
    writeFileSync(join(dir, 'two.js'), pluginSource('one', 'module.exports.A') + pluginSource('two', 'module.exports.B'));
    writeFileSync(join(dir, 'broken.js'), "throw new Error('boom at import');");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    shared = [];
    find = pluginFinder({ baseDir: join(dir, 'config'), packagesFrom: join(dir, 'app'), share: (root) => shared.push(root) });
  });

  it('finds the built-in plugins in plugins/, beside src/', () => {
    expect(builtInPlugins()).toEqual(['greenfield', 'shopify', 'woocommerce']);
    const found = find('woocommerce');
    expect(found.from).toBe('built-in');
    expect(pluginManifest(found.plugin).name).toBe('woocommerce');
    expect(BUILT_IN_PLUGINS_DIR).toBe(join(__dirname, '..', '..', 'plugins'));
    expect(shared).toEqual([]);
  });

  it('loads a path relative to the config folder, and a folder through its package.json main', () => {
    const file = find('./local/hello.js');
    expect(pluginManifest(file.plugin).name).toBe('hello');
    expect(file.from).toBe(join(dir, 'config', 'local', 'hello.js'));
    const folder = find(join(dir, 'pkg'));
    expect(pluginManifest(folder.plugin).name).toBe('folder');
    // The folder shared with the server's modules is the plugin's package, not just the file's folder.
    expect(shared).toEqual([join(dir, 'config', 'local'), join(dir, 'pkg')]);
  });

  it('loads an npm package installed where the server runs', () => {
    const found = find('checkout-plugin-npm');
    expect(pluginManifest(found.plugin).name).toBe('npm-one');
    expect(found.from).toBe(`package "checkout-plugin-npm" (${join(dir, 'app', 'node_modules', 'checkout-plugin-npm', 'index.js')})`);
    expect(shared).toEqual([join(dir, 'app', 'node_modules', 'checkout-plugin-npm')]);
  });

  it('names what it tried for an unknown plugin', () => {
    expect(() => find('magento')).toThrow(
      `plugins.enabled: unknown plugin "magento": not a built-in plugin (built-in: greenfield, shopify, woocommerce), not an npm package installed in ${join(dir, 'app', 'node_modules')} or above, and not a path (start it with ./ or /)`,
    );
    expect(() => find('./missing')).toThrow(`plugins.enabled: plugin path "./missing" not found (looked for ${join(dir, 'config', 'missing')})`);
  });

  it('explains a module that is no plugin, is ambiguous, or fails to load', () => {
    expect(() => find(join(dir, 'none.js'))).toThrow(`plugins.enabled: ${join(dir, 'none.js')} exports no class decorated with @CheckoutPlugin`);
    expect(() => find(join(dir, 'two.js'))).toThrow(/exports several @CheckoutPlugin classes \(.*\): make the plugin its default export/);
    expect(() => find(join(dir, 'broken.js'))).toThrow(`plugins.enabled: ${join(dir, 'broken.js')} failed to load: boom at import`);
  });

  it('says a Node.js built-in module is no plugin, instead of a stat error in the working directory', () => {
    for (const entry of ['fs', 'node:fs']) {
      expect(() => find(entry)).toThrow(`plugins.enabled: "${entry}" is a Node.js built-in module, not a plugin`);
    }
  });

  it("never shares a folder that holds the server itself: a plugin file in the server's folder tree is its own root", () => {
    mkdirSync(join(dir, 'server', 'config', 'plugins'), { recursive: true });
    writeFileSync(join(dir, 'server', 'package.json'), JSON.stringify({ name: 'lightning-checkout' }));
    writeFileSync(join(dir, 'server', 'config', 'plugins', 'inside.js'), pluginSource('inside'));
    const inServer = pluginFinder({
      baseDir: join(dir, 'server', 'config'),
      packagesFrom: join(dir, 'server'),
      serverRoot: join(dir, 'server'),
      share: (root) => shared.push(root),
    });
    expect(pluginManifest(inServer('./plugins/inside.js').plugin).name).toBe('inside');
    // Not the server's folder: every server module and dependency would pass through the plugin hook.
    expect(shared).toEqual([join(dir, 'server', 'config', 'plugins')]);
  });
});
