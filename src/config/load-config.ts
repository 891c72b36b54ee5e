import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse } from 'yaml';
import { isSecretName, NOT_SHOWN, redactForDisplay, redactSecrets } from '../common/redact';
import { AppConfig } from './app-config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;

const SHORT_ENV: Record<string, string> = {
  PORT: 'server.port',
  HOST: 'server.host',
  PUBLIC_URL: 'server.publicUrl',
  DATA_DIR: 'dataDir',
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  LOG_LEVEL: 'log.level',
};

/** Finds config/default.yaml from both the source tree (ts) and the build output (dist/src). */
function findDefaultConfig(): string {
  const candidates = [
    resolve(process.cwd(), 'config/default.yaml'),
    resolve(__dirname, '../../config/default.yaml'),
    resolve(__dirname, '../../../config/default.yaml'),
  ];
  for (const candidate of candidates) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      /* try the next one */
    }
  }
  throw new ConfigError(['config/default.yaml not found (looked in ' + candidates.join(', ') + ')']);
}

function readYaml(path: string, label: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${label}: cannot read ${path}: ${(err as Error).message}`]);
  }
  try {
    return (parse(text) ?? {}) as Plain;
  } catch (err) {
    // Only the first line ("... at line 3, column 7"): the rest quotes the file, secrets and all.
    throw new ConfigError([`${label}: ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
}

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlain(value) && isPlain(base[key]) ? deepMerge(base[key], value) : value;
  }
  return out;
}

/** Environment strings are parsed as YAML scalars so that numbers, booleans and lists keep their types. */
function envValue(raw: string): unknown {
  try {
    return parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Plain, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  }
  node[path[path.length - 1]] = value;
}

/** Maps APP_DATABASE__TYPE to database.type, matching each segment case-insensitively to existing keys. */
function envOverrides(env: NodeJS.ProcessEnv, shape: Plain): Plain {
  const out: Plain = {};
  for (const [name, path] of Object.entries(SHORT_ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(out, path.split('.'), envValue(raw));
  }
  if (env.DATABASE_URL) setPath(out, ['database', 'type'], 'postgres');
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('APP_') || raw === undefined) continue;
    const segments = name.slice(4).split('__');
    const path: string[] = [];
    let node: unknown = shape;
    for (const segment of segments) {
      const known = isPlain(node) ? Object.keys(node).find((k) => k.toLowerCase() === segment.toLowerCase()) : undefined;
      const key = known ?? segment.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      path.push(key);
      node = isPlain(node) ? node[key] : undefined;
    }
    setPath(out, path, envValue(raw));
  }
  return out;
}

/**
 * What a bad value is shown as in the error: nothing for a key that holds a secret (a mistyped
 * macaroon is still a macaroon), URLs with their password hidden, secrets inside objects hidden.
 */
function shownValue(key: string, value: unknown): string {
  if (key.split('.').some(isSecretName)) return '(value not shown: secret)';
  const shown = redactSecrets(value, redactForDisplay);
  return shown === NOT_SHOWN ? `(value ${NOT_SHOWN.slice(1)}` : `(got ${JSON.stringify(shown)})`;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    const key = prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push(`${key}: ${message} ${shownValue(key, error.value)}`);
    }
    out.push(...flatten(error.children ?? [], key));
  }
  return out;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra settings merged last; tests use it instead of files. */
  overrides?: Plain;
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  let merged = readYaml(findDefaultConfig(), 'default config');
  if (env.CONFIG_FILE) merged = deepMerge(merged, readYaml(resolve(env.CONFIG_FILE), 'CONFIG_FILE'));
  merged = deepMerge(merged, envOverrides(env, merged));
  if (options.overrides) merged = deepMerge(merged, options.overrides);
  const config = validateConfig(merged);
  if (env.CONFIG_FILE) config.configFile = resolve(env.CONFIG_FILE);
  return config;
}

export function validateConfig(plain: Plain): AppConfig {
  const config = plainToInstance(AppConfig, withDerivedSettings(plain), { enableImplicitConversion: false });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(flatten(errors));
  return config;
}

/** Hosts that mean "this machine": a link to them is written with `localhost`. */
const LOCAL_HOSTS = new Set(['', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '::', 'localhost']);

/** The public URL when none is configured: what a browser on this machine reaches the port at. */
export function localPublicUrl(host: string, port: number): string {
  const name = LOCAL_HOSTS.has(host) ? 'localhost' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * Settings left empty that follow from others: `server.publicUrl` from the host and port (main.ts
 * corrects it to the port actually bound when that is 0), `database.path` from `dataDir`.
 */
function withDerivedSettings(plain: Plain): Plain {
  const server = isPlain(plain.server) ? plain.server : {};
  const database = isPlain(plain.database) ? plain.database : {};
  const out = { ...plain };
  if (server.publicUrl === '' || server.publicUrl === undefined || server.publicUrl === null) {
    const port = typeof server.port === 'number' ? server.port : NaN;
    out.server = {
      ...server,
      publicUrl: Number.isInteger(port) ? localPublicUrl(String((server.host as string | undefined) ?? ''), port) : '',
      publicUrlFromPort: true,
    };
  }
  if ((database.path === '' || database.path === undefined || database.path === null) && typeof plain.dataDir === 'string' && plain.dataDir !== '') {
    out.database = { ...database, path: join(plain.dataDir, 'checkout.sqlite') };
  }
  return out;
}
