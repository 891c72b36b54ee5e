import { Global, Module } from '@nestjs/common';
import { CheckoutModule } from '../checkout/checkout.module';
import { PaymentsModule } from '../payments/payments.module';
import { EtcdConnection } from './etcd-connection';
import { ReplicaLeaderService } from './replica-leader.service';

/** Replica coordination: the shared etcd client and the singleton-work election. */
@Global()
@Module({
  imports: [CheckoutModule, PaymentsModule],
  providers: [EtcdConnection, ReplicaLeaderService],
  exports: [EtcdConnection, ReplicaLeaderService],
})
export class CoordinationModule {}
