import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DeploymentEntity } from './entities';

/**
 * This database's deployment id, created at the first start. Replicas starting at once on a fresh
 * database race on the one row's primary key, and all read back the winner's id.
 */
export async function loadOrCreateDeploymentId(dataSource: DataSource): Promise<string> {
  const repository = dataSource.getRepository(DeploymentEntity);
  await repository
    .createQueryBuilder()
    .insert()
    .values({ singleton: 'this', id: randomUUID(), createdAt: Date.now() })
    .orIgnore()
    .execute();
  const row = await repository.findOneByOrFail({ singleton: 'this' });
  return row.id;
}
