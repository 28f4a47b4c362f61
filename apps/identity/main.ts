import 'reflect-metadata';
import { readIdentityConfig } from '@roomkey/config';
import { runService } from '@roomkey/nats';
import { startIdentityService } from './identity.app';

void runService('identity', () => startIdentityService(readIdentityConfig()));
