import { transformFile } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The resolve hook in a real Node process (Jest has a module system of its own), without NODE_PATH:
 * a server folder with its node_modules, a plugin folder elsewhere, and a module outside both.
 */
describe('external plugins share the server modules', () => {
  let dir: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'lc-plugin-hooks-')));
    const { code } = await transformFile(join(__dirname, 'external-plugin-hooks.ts'), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    write('server/src/plugins/external-plugin-hooks.js', code);
    write('server/src/plugin-api/index.js', "module.exports = { copy: 'server' };");
    write('server/node_modules/peer-dep/index.js', "module.exports = { copy: 'server' };");
    write('server/node_modules/own-dep/index.js', "module.exports = { copy: 'server' };");
    write('plugin/package.json', '{"name": "a-plugin", "main": "index.js"}');
    write(
      'plugin/index.js',
      "module.exports = { api: require('lightning-checkout/plugin-api'), peer: require('peer-dep'), own: require('own-dep'), nested: require('./lib/nested') };",
    );
    write('plugin/lib/nested.js', "module.exports = require('peer-dep');");
    write('plugin/node_modules/own-dep/index.js', "module.exports = { copy: 'plugin' };");
    // npm installs peer dependencies by default: the plugin's copy of Nest must not replace the server's.
    write('server/node_modules/@nestjs/common/index.js', "module.exports = { copy: 'server' };");
    write('server/node_modules/@nestjs/common/package.json', '{"name": "@nestjs/common", "main": "index.js"}');
    write('plugin/node_modules/@nestjs/common/index.js', "module.exports = { copy: 'plugin' };");
    write('plugin/node_modules/@nestjs/common/package.json', '{"name": "@nestjs/common", "main": "index.js"}');
    write('plugin/nest.js', "module.exports = require('@nestjs/common');");
    // An ES module of the plugin (or one of its ESM dependencies) asking for a peer the server has.
    write('plugin/esm.mjs', "export { default as peer } from 'peer-dep';");
    write('plugin/missing.js', "require('not-installed-anywhere');");
    write(
      'outsider/index.js',
      "const tryIt = (m) => { try { require(m); return 'found'; } catch (e) { return e.code; } }; module.exports = { api: tryIt('lightning-checkout/plugin-api'), peer: tryIt('peer-dep') };",
    );
    write(
      'server/src/main.js',
      `const { shareServerModules } = require('./plugins/external-plugin-hooks');
       const pluginDir = ${JSON.stringify(join(dir, 'plugin'))};
       shareServerModules(pluginDir);
       const p = require(pluginDir);
       let missing;
       try { require(pluginDir + '/missing.js'); } catch (e) { missing = e.message.split('\\n')[0]; }
       console.log(JSON.stringify({
         sameApi: p.api === require('./plugin-api'),
         samePeer: p.peer === require('peer-dep'),
         own: p.own.copy,
         nested: p.nested === p.peer,
         nest: require(pluginDir + '/nest.js').copy,
         esmPeer: require(pluginDir + '/esm.mjs').peer === require('peer-dep'),
         missing,
         outsider: require(${JSON.stringify(join(dir, 'outsider'))}),
       }));`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps lightning-checkout/plugin-api to the server, falls back to its packages, and touches nothing else', () => {
    const run = spawnSync(process.execPath, [join(dir, 'server', 'src', 'main.js')], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      sameApi: true,
      samePeer: true,
      own: 'plugin', // a package the plugin has itself stays its own
      nested: true,
      esmPeer: true,
      nest: 'server', // a shared package (Nest, class-validator, class-transformer, typeorm…) is always the server's
      missing: "Cannot find module 'not-installed-anywhere'",
      outsider: { api: 'MODULE_NOT_FOUND', peer: 'MODULE_NOT_FOUND' },
    });
  });
});
