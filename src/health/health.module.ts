import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { DrainState } from './drain';
import { EtcdHealthIndicator } from './etcd.health';
import { HealthController } from './health.controller';
import { LightningHealthIndicator } from './lightning.health';
import { RatesHealthIndicator } from './rates.health';
import { RedisHealthIndicator } from './redis.health';

@Module({
  // Readiness changes are logged once by the controller instead of on every failed probe.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, RedisHealthIndicator, EtcdHealthIndicator, LightningHealthIndicator, RatesHealthIndicator, DrainState],
  exports: [DrainState],
})
export class HealthModule {}
