import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { ConfigError, loadConfig, validateConfig } from '../config/load-config';

const examplesDir = resolve(__dirname, '../../config/examples');
const load = (file: string): AppConfig => loadConfig({ env: { CONFIG_FILE: join(examplesDir, file) } });

describe('config/examples', () => {
  it('every example parses and validates', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(expect.arrayContaining(['pool-of-three-nodes.yaml', 'lnd-cluster.yaml', 'pool-with-cluster.yaml']));
    for (const file of files) {
      const config = load(file);
      // Round-trip through the validator on its own, as start-up does.
      expect(validateConfig(JSON.parse(JSON.stringify(config)))).toBeInstanceOf(AppConfig);
    }
  });

  it('a pool of three independent nodes', () => {
    const { backend } = load('pool-of-three-nodes.yaml').lightning;
    expect(backend.type).toBe('pool');
    expect(backend.minInboundSats).toBe(20000);
    expect(backend.members?.map((m) => [m.type, m.name])).toEqual([
      ['lnd', 'lnd-a'],
      ['lnd', 'lnd-b'],
      ['lnd', 'lnd-c'],
    ]);
  });

  it('one cluster with an etcd cross-check', () => {
    const { backend } = load('lnd-cluster.yaml').lightning;
    expect(backend.type).toBe('cluster');
    expect(backend.clusterMembers?.map((m) => m.clusterId)).toEqual(['lnd-1', 'lnd-2']);
    expect(backend.etcd?.electionKey).toBe('lnd/leader/');
  });

  it('a pool with a cluster member', () => {
    const { backend } = load('pool-with-cluster.yaml').lightning;
    expect(backend.members?.map((m) => m.type)).toEqual(['cluster', 'lnd']);
    expect(backend.members?.[0].clusterMembers).toHaveLength(2);
  });

  it('the validator names a broken member', () => {
    const config = JSON.parse(JSON.stringify(load('pool-of-three-nodes.yaml')));
    delete config.lightning.backend.members[1].socket;
    expect(() => validateConfig(config)).toThrow(ConfigError);
    expect(() => validateConfig(config)).toThrow(/lightning\.backend\.members\.1\.socket/);
  });
});
