import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const dateTime = (nullable = false) => ({ type: String, format: 'date-time', nullable });

export class LiveView {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ type: 'integer' }) uptimeSeconds: number;
}

const INDICATOR: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
  additionalProperties: true,
};
const INDICATORS = { type: 'object' as const, additionalProperties: INDICATOR };

/** @nestjs/terminus's result: one entry per dependency (database, lightning, rates, redis, etcd). */
export class ReadyView {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] }) status: string;
  @ApiPropertyOptional({ ...INDICATORS, description: 'Dependencies that are up' }) info?: object;
  @ApiPropertyOptional({ ...INDICATORS, description: 'Dependencies that are down' }) error?: object;
  @ApiProperty({ ...INDICATORS, description: 'Every dependency' }) details: object;
}

export class NodeHealthDoc {
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'The pool or cluster it belongs to' }) group: string | null;
  @ApiProperty({ type: String }) type: string;
  @ApiProperty({ type: String }) role: string;
  @ApiProperty({ type: String, nullable: true }) pubkey: string | null;
  @ApiProperty() reachable: boolean;
  @ApiProperty() syncedToChain: boolean;
  @ApiProperty({ type: 'integer' }) activeChannels: number;
  @ApiProperty({ type: 'integer' }) inboundSats: number;
  @ApiProperty() canIssue: boolean;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty(dateTime(true)) lastInvoiceAt: string | null;
  @ApiProperty(dateTime()) checkedAt: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Cluster members: leader changes seen so far' }) failovers?: number;
  @ApiPropertyOptional(dateTime(true)) lastFailoverAt?: string | null;
}

export class ReplicaView {
  @ApiProperty() replicaId: string;
  @ApiProperty({ enum: ['etcd', 'local'], description: '`etcd`: elected among replicas; `local`: no etcd configured, this replica does everything' }) coordination: string;
  @ApiProperty() isLeader: boolean;
  @ApiProperty(dateTime(true)) leaderSince: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The elected replica's id as etcd sees it" }) leaderId: string | null;
  @ApiPropertyOptional() lastError?: string;
}

export class NodesView {
  @ApiProperty({ type: ReplicaView }) replica: ReplicaView;
  @ApiProperty({ type: [NodeHealthDoc] }) nodes: NodeHealthDoc[];
}
