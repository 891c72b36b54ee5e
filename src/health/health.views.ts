import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const dateTime = (nullable = false) => ({ type: String, format: 'date-time', nullable });

export class LiveView {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ type: 'integer' }) uptimeSeconds: number;
}

const INDICATOR: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    // degraded: Redis or etcd down; they only coordinate work, so readiness holds (with `impact`).
    status: { type: 'string', enum: ['up', 'down', 'degraded'] },
    message: { type: 'string' },
    impact: { type: 'string', description: 'A degraded dependency: what this replica still does without it' },
  },
  additionalProperties: true,
};
const INDICATORS = { type: 'object' as const, additionalProperties: INDICATOR };

/** @nestjs/terminus's result: one entry per dependency (database, lightning, rates, redis, etcd). */
export class ReadyView {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error', 'shutting_down'],
    description: '`degraded`: ready (200), but Redis or etcd is down; see `impact` in its entry',
  })
  status: string;
  @ApiPropertyOptional({ ...INDICATORS, description: 'Dependencies that are up' }) info?: object;
  @ApiPropertyOptional({ ...INDICATORS, description: 'Dependencies that are down' }) error?: object;
  @ApiProperty({ ...INDICATORS, description: 'Every dependency' }) details: object;
}

/** Inline, not a class: nullable beside a $ref (an allOf) does not let null through in OpenAPI 3.0. */
const NODE_PERMISSIONS: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  required: ['verifiedBy', 'granted', 'missing', 'rejected'],
  properties: {
    verifiedBy: { type: 'string', enum: ['CheckMacaroonPermissions', 'calls'] },
    granted: { type: 'array', items: { type: 'string' } },
    missing: { type: 'array', items: { type: 'string' } },
    rejected: { type: 'string', nullable: true },
  },
  additionalProperties: false,
  description: "LND nodes: the macaroon's permissions, as last verified; null for other nodes",
};

export class ChannelPeerDoc {
  @ApiProperty() pubkey: string;
  @ApiProperty() connected: boolean;
  @ApiProperty({ type: 'integer' }) channels: number;
  @ApiProperty({ type: 'integer' }) activeChannels: number;
  @ApiProperty(dateTime(true)) lastAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
}

export class NodeHealthDoc {
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'The pool or cluster it belongs to' }) group: string | null;
  @ApiProperty({ enum: ['dev', 'lnd', 'cluster-member'] }) type: string;
  @ApiProperty({ type: String }) role: string;
  @ApiProperty({ type: String, nullable: true }) pubkey: string | null;
  @ApiProperty() reachable: boolean;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null: not known (the macaroon lacks info:read)' }) syncedToChain: boolean | null;
  @ApiProperty({ type: 'integer' }) activeChannels: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: not known (the macaroon lacks offchain:read; `liquidity` is `unknown`)' }) inboundSats:
    number | null;
  @ApiProperty({ enum: ['known', 'unknown'] }) liquidity: string;
  @ApiProperty() canIssue: boolean;
  @ApiProperty(NODE_PERMISSIONS) permissions: object | null;
  @ApiProperty({ type: [String] }) warnings: string[];
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty(dateTime(true)) lastInvoiceAt: string | null;
  @ApiProperty(dateTime()) checkedAt: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Cluster members: leader changes seen so far' }) failovers?: number;
  @ApiPropertyOptional(dateTime(true)) lastFailoverAt?: string | null;
  @ApiPropertyOptional({ type: [ChannelPeerDoc], description: 'Cluster leader: each channel peer and whether the leader is connected to it now' })
  channelPeers?: ChannelPeerDoc[];
  @ApiPropertyOptional({ type: String, nullable: true }) channelPeersError?: string | null;
}

export class ReplicaView {
  @ApiProperty() replicaId: string;
  @ApiProperty({ enum: ['etcd', 'local'], description: '`etcd`: elected among replicas; `local`: no etcd configured, this replica does everything' })
  coordination: string;
  @ApiProperty() isLeader: boolean;
  @ApiProperty(dateTime(true)) leaderSince: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The elected replica's id as etcd sees it" }) leaderId: string | null;
  @ApiPropertyOptional() lastError?: string;
}

export class NodesView {
  @ApiProperty({ type: ReplicaView }) replica: ReplicaView;
  @ApiProperty({ type: [NodeHealthDoc] }) nodes: NodeHealthDoc[];
}
