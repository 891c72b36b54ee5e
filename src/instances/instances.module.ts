import { Global, Module } from '@nestjs/common';
import { InstanceRegistry } from './instance-registry';

/** This process's identity and heartbeat, which leases on shared work are tied to. */
@Global()
@Module({
  providers: [InstanceRegistry],
  exports: [InstanceRegistry],
})
export class InstancesModule {}
