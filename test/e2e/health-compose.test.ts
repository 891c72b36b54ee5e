import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AppConfig } from '../../src/config/app-config';
import { deepMerge, loadConfig, validateConfig } from '../../src/config/load-config';

/**
 * Docker cannot run here, so the stack is checked statically: the services exist, readiness
 * gates the replicas and the proxy, and the app's config file validates and agrees with the
 * compose file (hostnames, election key, mounted credential paths).
 */
const ROOT = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = compose.services;
  const command = (name: string) => [services[name].command].flat().join(' ');
  const flag = (name: string, key: string) => new RegExp(`--${key.replace(/\./g, '\\.')}=(\\S+)`).exec(command(name))?.[1];
  const ONE_SHOT = ['bootstrap', 'migrate'];

  it('has the whole production-like stack', () => {
    for (const name of ['etcd', 'btcd', 'lnd-1', 'lnd-2', 'lnd-3', 'redis', 'postgres', 'app-1', 'app-2', 'proxy']) expect(services[name]).toBeDefined();
  });

  it('every long-running service has a healthcheck; one-shots do not restart', () => {
    for (const [name, service] of Object.entries(services)) {
      if (ONE_SHOT.includes(name)) {
        expect(service.restart).toBe('no');
        continue;
      }
      expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
      expect(service.healthcheck?.disable).not.toBe(true);
    }
  });

  it('lnd-1 and lnd-2 form one LND cluster on etcd; lnd-3 is independent', () => {
    for (const member of ['lnd-1', 'lnd-2']) {
      expect(command(member)).toContain('--db.backend=etcd');
      expect(command(member)).toContain('--cluster.enable-leader-election');
      expect(flag(member, 'db.etcd.host')).toBe('etcd:2379');
      expect(flag(member, 'tlsextradomain')).toBe(member);
    }
    expect(flag('lnd-1', 'cluster.id')).not.toBe(flag('lnd-2', 'cluster.id'));
    expect(flag('lnd-1', 'db.etcd.namespace')).toBe(flag('lnd-2', 'db.etcd.namespace'));
    expect(command('lnd-3')).not.toContain('--db.backend=etcd');
    expect(services['lnd-3'].environment?.LND_ARGS).toContain('--bitcoin.node=btcd');
    expect(services['lnd-1'].environment?.LND_ARGS).toContain('--bitcoin.regtest');
    expect(command('btcd')).toContain('--regtest');
  });

  it('gates the replicas on readiness and their dependencies, and the proxy on healthy replicas', () => {
    for (const app of ['app-1', 'app-2']) {
      const s = services[app];
      expect(s.healthcheck!.test!.join(' ')).toContain('/health/ready');
      expect(s.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        etcd: { condition: 'service_healthy' },
        bootstrap: { condition: 'service_completed_successfully' },
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(s.environment?.CONFIG_FILE).toBe('/app/deploy/app.yaml');
    }
    expect(services.proxy.depends_on).toEqual({ 'app-1': { condition: 'service_healthy' }, 'app-2': { condition: 'service_healthy' } });
    const caddy = read('deploy/Caddyfile');
    expect(caddy).toMatch(/reverse_proxy app-1:3000 app-2:3000/);
    expect(caddy).toMatch(/health_uri \/health\/ready/);
  });

  it('depends only on services that exist, without cycles', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string) => {
      expect(services[name]).toBeDefined();
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
      visiting.add(name);
      for (const dep of Object.keys(services[name].depends_on ?? {})) visit(dep);
      visiting.delete(name);
      done.add(name);
    };
    Object.keys(services).forEach(visit);
    for (const s of Object.values(services))
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('.')) expect(compose.volumes).toHaveProperty([source]);
        else expect(existsSync(join(ROOT, source))).toBe(true);
      }
  });

  it('builds the app from a Dockerfile that ships the config file', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/COPY deploy\/app\.yaml/);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health\/ready/);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/main\.js"\]/);
    expect(existsSync(join(ROOT, 'deploy/lightning.Dockerfile'))).toBe(true);
    // Every file the build copies is in the build context.
    const ignored = read('.dockerignore').split('\n').filter(Boolean);
    for (const [, from] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(existsSync(join(ROOT, from))).toBe(true);
      expect(ignored).not.toContain(from.replace(/\/$/, ''));
    }
  });

  describe('deploy/app.yaml', () => {
    let config: AppConfig;

    beforeAll(() => {
      const env = services['app-1'].environment!;
      config = loadConfig({ env: { ...env, CONFIG_FILE: join(ROOT, 'deploy/app.yaml') } });
    });

    it('validates as the replicas load it (file + their environment) and on its own merged over the defaults', () => {
      expect(config.database).toMatchObject({ type: 'postgres', url: 'postgres://checkout:checkout@postgres:5432/checkout' });
      expect(config.redis.url).toBe('redis://redis:6379');
      expect(config.etcd.hosts).toEqual(['http://etcd:2379']);
      expect(config.server).toMatchObject({ host: '0.0.0.0', port: 3000, trustProxy: true });
      const defaults = parse(read('config/default.yaml'));
      expect(() => validateConfig(deepMerge(defaults, parse(read('deploy/app.yaml'))))).not.toThrow();
    });

    it('points at the compose services, the LND election key and credential files the stack provides', () => {
      const backend = config.lightning.backend;
      expect(backend.type).toBe('pool');
      const cluster = backend.members!.find((m) => m.type === 'cluster')!;
      const single = backend.members!.find((m) => m.type === 'lnd')!;
      expect(cluster.clusterMembers!.map((m) => m.socket)).toEqual(['lnd-1:10009', 'lnd-2:10009']);
      expect(cluster.clusterMembers!.map((m) => m.clusterId)).toEqual([flag('lnd-1', 'cluster.id'), flag('lnd-2', 'cluster.id')]);
      expect(cluster.etcd!.electionKey).toBe(`${flag('lnd-1', 'db.etcd.namespace')}${flag('lnd-1', 'cluster.etcd-election-prefix')}`);
      expect(single.socket).toBe('lnd-3:10009');
      const mounts = (services['app-1'].volumes ?? []).map((v) => v.split(':')[1]);
      const bootstrap = read('deploy/regtest/bootstrap.sh');
      for (const path of [...cluster.clusterMembers!.flatMap((m) => [m.cert, m.macaroon]), single.cert!, single.macaroon!]) {
        expect(mounts.some((m) => path.startsWith(`${m}/`))).toBe(true);
        // Macaroons are baked by the bootstrap into the shared secrets volume.
        if (path.startsWith('/secrets/')) expect(bootstrap).toContain(`--save_to ${path}`);
      }
    });
  });

  it('the regtest bootstrap script parses', () => {
    expect(() => execFileSync('bash', ['-n', join(ROOT, 'deploy/regtest/bootstrap.sh')])).not.toThrow();
  });

  it('every lnd runs under the State RPC liveness wrapper the lightning image ships, so a frozen lnd is restarted', () => {
    const lnds = Object.keys(services).filter((name) => /\bexec lnd\b|lnd-with-liveness/.test(command(name)));
    expect(lnds.sort()).toEqual(['customer', 'lnd-1', 'lnd-2', 'lnd-3']);
    for (const name of lnds) {
      expect(command(name)).toContain('exec /regtest/lnd-with-liveness.sh --lnddir=/lnd');
      expect(command(name)).not.toMatch(/\bexec lnd\b/);
      expect(services[name].restart).toBe('unless-stopped');
      expect(services[name].healthcheck?.test?.join(' ')).toContain('lncli --network=regtest --lnddir=/lnd state');
    }
    const image = read('deploy/lightning.Dockerfile');
    expect(image).toMatch(/^COPY deploy\/regtest\/ \/regtest\//m);
    expect(image).toMatch(/chmod \+x \/regtest\/\*\.sh/);
    expect(() => execFileSync('bash', ['-n', join(ROOT, 'deploy/regtest/lnd-with-liveness.sh')])).not.toThrow();
  });
});

/** `docker compose -f a.yml -f b.yml`: services merged key by key, command replaced, maps merged, lists joined. */
function composeOverride(base: Record<string, Service>, over: Record<string, Service>): Record<string, Service> {
  const merged: Record<string, Service> = { ...base };
  for (const [name, service] of Object.entries(over)) {
    const was = base[name] ?? {};
    merged[name] = {
      ...was,
      ...service,
      environment: { ...was.environment, ...service.environment },
      depends_on: { ...was.depends_on, ...service.depends_on },
      volumes: [...new Set([...(was.volumes ?? []), ...(service.volumes ?? [])])],
    };
  }
  return merged;
}

describe('deploy/docker-compose.postgres-cluster.yml over docker-compose.yml (the PostgreSQL cluster layout)', () => {
  const base = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const variant = parse(read('deploy/docker-compose.postgres-cluster.yml'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const services = composeOverride(base.services, variant.services);
  const volumes = { ...base.volumes, ...variant.volumes };
  /** The command as the shell runs it: compose's `$$VAR` is the container's $VAR, `sh -c "…"`'s quotes go. */
  const command = (name: string) =>
    [services[name].command]
      .flat()
      .join(' ')
      .replace(/\$\$(\w+)/g, (_, v: string) => services[name].environment?.[v] ?? `<unset ${v}>`)
      .replace(/"/g, '');
  const flag = (name: string, key: string) => new RegExp(`--${key.replace(/\./g, '\\.')}=(\\S+)`).exec(command(name))?.[1];
  const app = loadConfig({ env: { ...services['app-1'].environment!, CONFIG_FILE: join(ROOT, 'deploy/app.yaml') } });

  it("keeps the members' data in one PostgreSQL database and uses etcd only for the election", () => {
    for (const member of ['lnd-1', 'lnd-2']) {
      expect(command(member)).not.toContain('<unset');
      expect(command(member)).toContain('--db.backend=postgres');
      expect(command(member)).not.toContain('--db.backend=etcd');
      expect(command(member)).toContain('--db.postgres.timeout=0');
      expect(command(member)).toContain('--cluster.enable-leader-election');
      expect(command(member)).toContain('--cluster.leader-elector=etcd');
      expect(flag(member, 'db.etcd.host')).toBe('etcd:2379');
      expect(command(member)).toContain('exec /regtest/lnd-with-liveness.sh');
      expect(services[member].depends_on).toMatchObject({ etcd: { condition: 'service_healthy' }, 'lnd-postgres': { condition: 'service_healthy' } });
    }
    expect(flag('lnd-1', 'db.postgres.dsn')).toBe(flag('lnd-2', 'db.postgres.dsn'));
    expect(flag('lnd-1', 'cluster.id')).not.toBe(flag('lnd-2', 'cluster.id'));
    const dsn = new URL(flag('lnd-1', 'db.postgres.dsn')!);
    const db = services[dsn.hostname];
    expect(dsn.hostname).toBe('lnd-postgres');
    expect(db.environment).toMatchObject({ POSTGRES_USER: dsn.username, POSTGRES_PASSWORD: dsn.password, POSTGRES_DB: dsn.pathname.slice(1) });
    expect(db.healthcheck?.test?.join(' ')).toContain('pg_isready');
    // The checkout server's database stays its own.
    expect(dsn.hostname).not.toBe(new URL(app.database.url).hostname);
    expect(command('lnd-3')).not.toContain('--db.backend=postgres');
  });

  it('agrees with deploy/app.yaml: the same cluster ids and election key, so the server config does not change', () => {
    const cluster = app.lightning.backend.members!.find((m) => m.type === 'cluster')!;
    expect(cluster.clusterMembers!.map((m) => m.clusterId)).toEqual([flag('lnd-1', 'cluster.id'), flag('lnd-2', 'cluster.id')]);
    expect(cluster.etcd!.electionKey).toBe(`${flag('lnd-1', 'db.etcd.namespace')}${flag('lnd-1', 'cluster.etcd-election-prefix')}`);
    expect(flag('lnd-2', 'db.etcd.namespace')).toBe(flag('lnd-1', 'db.etcd.namespace'));
  });

  it('depends only on services and volumes that exist', () => {
    for (const service of Object.values(services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) expect(services[dep]).toBeDefined();
      for (const v of service.volumes ?? []) if (!v.startsWith('.')) expect(volumes).toHaveProperty([v.split(':')[0]]);
    }
    expect(read('deploy/lightning.Dockerfile')).toMatch(/LND_TAGS="[^"]*\bkvdb_postgres\b/);
  });
});
