import 'reflect-metadata';
import { readKeysConfig } from '@roomkey/config';
import { runService } from '@roomkey/nats';
import { startKeysService } from './keys.app';

void runService('keys', () => startKeysService(readKeysConfig()));
