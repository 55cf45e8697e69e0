/**
 * @module The reads a build host makes for its job, scoped to the job's account: its own image,
 * resources of its account, AWS-managed ones and those shared with it. Anything else reads as
 * absent, as it would for that account through the API.
 */
import type { Job, ResourceRecord, Store } from '../../store/types.ts';
import { BadBody } from './schemas.ts';

export interface ReadRequest {
  op: 'get' | 'versions' | 'isSharedWith' | 'byResource';
  arn?: string | undefined;
  type?: string | undefined;
  accounts?: string[] | undefined;
  region?: string | undefined;
  name?: string | undefined;
  account?: string | undefined;
}

const need = <T>(value: T | undefined, field: string): T => {
  if (value === undefined) throw new BadBody(`${field}: required for this op`);
  return value;
};

export async function scopedRead(store: Store, job: Job, r: ReadRequest): Promise<unknown> {
  const account = String(job.payload['accountId']);
  const visible = async (arn: string, owner: string) =>
    arn === job.resourceArn || owner === account || owner === 'aws' || (await store.shares.isSharedWith(arn, account));
  switch (r.op) {
    case 'get': {
      const record = await store.resources.get(need(r.arn, 'arn'));
      return record && (await visible(record.arn, record.account)) ? record : null;
    }
    case 'versions': {
      const rows = await store.resources.versions(
        need(r.type, 'type') as ResourceRecord['type'],
        need(r.accounts, 'accounts'),
        need(r.region, 'region'),
        need(r.name, 'name'),
      );
      const out = [];
      for (const row of rows) if (await visible(row.arn, row.account)) out.push(row);
      return out;
    }
    case 'isSharedWith':
      if (need(r.account, 'account') !== account) throw new BadBody(`account: only the job's account ${account}`);
      return store.shares.isSharedWith(need(r.arn, 'arn'), account);
    case 'byResource':
      if (need(r.arn, 'arn') !== job.resourceArn) throw new BadBody("arn: only the job's own resource");
      return store.jobs.byResource(job.resourceArn);
  }
}
