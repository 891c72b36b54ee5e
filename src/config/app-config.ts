import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  Validate,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

export class ServerConfig {
  @IsString() host: string;
  @IsInt() @Min(0) @Max(65535) port: number;
  /** Empty in the config: derived from the port (the one actually bound, when it is 0). */
  @ValidateIf((o: ServerConfig) => !o.publicUrlFromPort) @IsUrl({ require_tld: false, require_protocol: true }) publicUrl: string;
  /** Set by loadConfig, not by the operator: publicUrl was not configured but derived from the port. */
  @IsOptional() @IsBoolean() publicUrlFromPort?: boolean;
  @IsBoolean() trustProxy: boolean;
  /**
   * On SIGTERM, how long readiness answers 503 while requests are still served, before the server
   * closes: time for a load balancer to notice. 0 closes at once.
   */
  @IsInt() @Min(0) @Max(300_000) shutdownDrainMs: number;
}

export class DatabaseConfig {
  @IsIn(['sqlite', 'postgres']) type: 'sqlite' | 'postgres';
  @ValidateIf((o: DatabaseConfig) => o.type === 'sqlite') @IsString() @MinLength(1) path: string;
  @ValidateIf((o: DatabaseConfig) => o.type === 'postgres')
  @Matches(/^postgres(ql)?:\/\//, { message: 'database.url must be a postgres:// URL when database.type is postgres' })
  url: string;
  @IsBoolean() migrationsRun: boolean;
  @IsBoolean() logging: boolean;
  /** SQLite only. `full`: a commit survives a power cut; `normal`: it survives a crash of the server, saving an fsync per commit. */
  @IsIn(['full', 'normal']) sqliteSynchronous: 'full' | 'normal';
  /** SQLite: how long a write may wait (queue included) while another process holds the file's write lock, before it fails with 503 database_busy. */
  @IsInt() @Min(1) busyTimeoutMs: number;
  /** /health/ready fails while the oldest queued write has waited longer than this. */
  @IsInt() @Min(1) readyMaxWriteWaitMs: number;
}

export class RedisConfig {
  @IsString()
  @ValidateIf((o: RedisConfig) => o.url !== '')
  @Matches(/^rediss?:\/\//, { message: 'redis.url must be a redis:// URL or empty' })
  url: string;
  @IsString() @MinLength(1) prefix: string;
}

export class EtcdConfig {
  @IsArray() @IsString({ each: true }) hosts: string[];
  @IsString() namespace: string;
  /** Lease of the replica election: a dead leader is replaced after about this long. */
  @IsInt() @Min(2) @Max(60) electionTtlSeconds: number;
}

export const BACKEND_TYPES = ['dev', 'lnd', 'pool', 'cluster'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

/** One member process of an LND cluster: all members share one identity. */
export class ClusterMemberConfig {
  @IsString() @MinLength(1) name: string;
  @IsString() @MinLength(3) socket: string;
  /** TLS certificate: a file path or base64 of the PEM. */
  @IsString() @MinLength(1) cert: string;
  /** Admin or invoice macaroon: a file path, hex or base64. */
  @IsString() @MinLength(1) macaroon: string;
  /** The member's `--cluster.id` (its value in the etcd election); defaults to `name`. */
  @IsOptional() @IsString() @MinLength(1) clusterId?: string;
}

export class ClusterEtcdConfig {
  @IsArray() @IsString({ each: true }) hosts: string[];
  /** LND's `db.etcd.namespace` + `cluster.etcd-election-prefix`: the election key to cross-check. */
  @IsString() electionKey: string;
}

/** Where a channel peer of a cluster can be reached, for the leader to dial it after a failover. */
export class PeerAddressConfig {
  @Matches(/^0[23][0-9a-fA-F]{64}$/, { message: 'pubkey must be a 33-byte compressed public key in hex' }) pubkey: string;
  /** host:port of the peer's p2p listener. */
  @Matches(/^[^\s]+:\d{1,5}$/, { message: 'address must be host:port' }) address: string;
}

export class LightningBackendConfig {
  @IsIn(BACKEND_TYPES, { message: `type must be one of ${BACKEND_TYPES.join(', ')}` })
  type: BackendType;
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'name must be 1-64 letters, digits, _ . -' })
  name: string;

  @ValidateIf((o: LightningBackendConfig) => o.type === 'lnd') @IsString() @MinLength(3) socket?: string;
  @ValidateIf((o: LightningBackendConfig) => o.type === 'lnd') @IsString() @MinLength(1) cert?: string;
  @ValidateIf((o: LightningBackendConfig) => o.type === 'lnd') @IsString() @MinLength(1) macaroon?: string;

  /** dev only: false makes it refuse amountless (top-up) invoices, like a node without them. Default true, as LND. */
  @ValidateIf((o: LightningBackendConfig) => o.type === 'dev') @IsOptional() @IsBoolean() amountlessInvoices?: boolean;

  /** Bound on every RPC to this backend, so a hanging node cannot hang a checkout. */
  @IsOptional() @IsInt() @Min(100) @Max(120000) timeoutMs?: number;

  @ValidateIf((o: LightningBackendConfig) => o.type === 'pool')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LightningBackendConfig)
  members?: LightningBackendConfig[];

  @ValidateIf((o: LightningBackendConfig) => o.type === 'cluster')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClusterMemberConfig)
  clusterMembers?: ClusterMemberConfig[];

  @IsOptional() @ValidateNested() @Type(() => ClusterEtcdConfig) etcd?: ClusterEtcdConfig;

  /** cluster only: channel peers' addresses, tried before the graph's when a new leader reconnects them. */
  @ValidateIf((o: LightningBackendConfig) => o.type === 'cluster')
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PeerAddressConfig)
  peerAddresses?: PeerAddressConfig[];

  /** Inbound liquidity (sats) a node must keep above the invoice amount to be chosen. */
  @IsOptional() @IsInt() @Min(0) minInboundSats?: number;
}

export class LightningConfig {
  @ValidateNested() @Type(() => LightningBackendConfig) backend: LightningBackendConfig;
  @IsInt() @Min(1) reconcileIntervalSeconds: number;
  @IsNumber() @Min(0.2) healthIntervalSeconds: number;
}

export class CheckoutConfig {
  @IsInt() @Min(30) @Max(7 * 86400) expirySeconds: number;
  @IsInt() @Min(1) minAmountSats: number;
  @IsInt() @Min(1) @Max(2_100_000_000_000_000) maxAmountSats: number;
  @IsNumber() @Min(0.1) expirySweepSeconds: number;
  @IsInt() @Min(0) lateWindowSeconds: number;
  /**
   * Shop origins (scheme://host[:port]) allowed to show the hosted page in a frame, as BTCPay's
   * modal checkout does. Empty (the default): no site may frame it.
   */
  @IsArray()
  @Matches(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, { each: true, message: 'allowedFrameOrigins entries must be origins like https://shop.example (no path)' })
  allowedFrameOrigins: string[];
}

export const RATE_SOURCE_NAMES = ['fixed', 'kraken', 'bitstamp', 'coinbase', 'coingecko', 'bitfinex'] as const;

export class RateSourceConfig {
  /** Base URL of the source's public API (tests point it at a local server). */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }) url: string;
}

export class RatesConfig {
  /** `fixed`: only the table below, no network (the default). `live`: the sources per currency below. */
  @IsIn(['fixed', 'live']) provider: 'fixed' | 'live';
  /** Sats per one unit of a currency. Also the `fixed` source of the live setup. */
  @IsObject() fixed: Record<string, number | string>;
  /** Live: the sources asked for each currency (ISO 4217 code); `*` for any other ISO currency. */
  @IsObject() currencies: Record<string, string[]>;
  @IsObject() sources: Record<string, RateSourceConfig>;
  /** Answers needed for a price (or all of a currency's sources, when it has fewer). */
  @IsInt() @Min(1) quorum: number;
  /** An answer further than this from the median of all answers is left out; too few left: no price. */
  @IsNumber() @Min(0) @Max(50) maxSpreadPercent: number;
  @IsInt() @Min(100) @Max(60_000) timeoutMs: number;
  /** Background refresh interval: checkouts read the cache and never wait on a source. */
  @IsNumber() @Min(0.05) refreshSeconds: number;
  /** How long one source's answer counts towards the median after it was fetched. */
  @IsNumber() @Min(0.05) ttlSeconds: number;
  /** A rate older than this (its oldest answer) is never used: checkouts get 503 rate_unavailable. */
  @IsNumber() @Min(0.05) maxAgeSeconds: number;
}

export class WebhooksConfig {
  @IsBoolean() allowPrivateTargets: boolean;
  @IsInt() @Min(100) timeoutMs: number;
  @IsInt() @Min(1) @Max(100) maxAttempts: number;
  @IsInt() @Min(1) maxAgeSeconds: number;
  /** Retry n waits about backoffBaseMs * 2^(n-1) (with jitter), capped at backoffMaxMs. */
  @IsInt() @Min(1) backoffBaseMs: number;
  @IsInt() @Min(1) backoffMaxMs: number;
  /** Deliveries in flight at once per replica (each endpoint still gets one at a time). */
  @IsInt() @Min(1) @Max(1000) concurrency: number;
  /** How often the outbox and the pending deliveries are swept, besides the post-commit hint. */
  @IsInt() @Min(50) pollIntervalMs: number;
  /** How long a new outbox event waits so that one fan-out transaction takes a whole burst (0: at once). */
  @IsInt() @Min(0) @Max(1000) fanoutDelayMs: number;
  /** Finished deliveries (and their attempts) older than this many days are deleted; 0 keeps them forever. */
  @IsInt() @Min(0) @Max(3650) retentionDays: number;
}

@ValidatorConstraint({ name: 'severalHeartbeats' })
class SeveralHeartbeats implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return typeof value === 'number' && value >= 2 * (args.object as InstancesConfig).heartbeatMs;
  }

  defaultMessage(): string {
    return 'must be at least twice instances.heartbeatMs, or a live process is taken for dead between two beats';
  }
}

export class InstancesConfig {
  /** How often this process renews its heartbeat in `instances` (and looks for dead ones). */
  @IsInt() @Min(100) @Max(60_000) heartbeatMs: number;
  /** A process whose heartbeat is older than this is dead: its webhook and plugin leases are taken back. */
  @IsInt() @Min(500) @Max(600_000) @Validate(SeveralHeartbeats) deadAfterMs: number;
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level: string;
  @IsBoolean() pretty: boolean;
}

export class PluginsConfig {
  @IsArray() @ArrayUnique() @IsString({ each: true }) enabled: string[];
  /** `fail`: an unknown plugin or invalid plugin settings stop start-up; `disable`: that plugin is left out and the reason logged. */
  @IsOptional() @IsIn(['fail', 'disable']) onError?: 'fail' | 'disable';
  /** Per-plugin settings keyed by plugin name; each plugin validates its own. */
  [plugin: string]: unknown;
}

export class AppConfig {
  /** Where everything written to disk lives (the SQLite database when database.path is empty, the dev node's key). */
  @IsString() @MinLength(1) dataDir: string;
  @ValidateNested() @Type(() => ServerConfig) server: ServerConfig;
  @ValidateNested() @Type(() => DatabaseConfig) database: DatabaseConfig;
  @ValidateNested() @Type(() => RedisConfig) redis: RedisConfig;
  @ValidateNested() @Type(() => EtcdConfig) etcd: EtcdConfig;
  @ValidateNested() @Type(() => LightningConfig) lightning: LightningConfig;
  @ValidateNested() @Type(() => CheckoutConfig) checkout: CheckoutConfig;
  @ValidateNested() @Type(() => RatesConfig) rates: RatesConfig;
  @ValidateNested() @Type(() => WebhooksConfig) webhooks: WebhooksConfig;
  @ValidateNested() @Type(() => InstancesConfig) instances: InstancesConfig;
  @ValidateNested() @Type(() => LogConfig) log: LogConfig;
  @ValidateNested() @Type(() => PluginsConfig) plugins: PluginsConfig;
  /** The CONFIG_FILE read, as an absolute path (set by loadConfig, not a setting): relative plugin paths start from its folder. */
  configFile?: string;
}
