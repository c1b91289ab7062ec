/** Customers, accounts and the customer -> account links in the single table. */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Account, Customer } from '../domain/accounts';
import type { AccountStore, Page } from '../app/ports';
import { batchGet, decodeCursor, queryAll, queryPage, storeCall, type Item } from './dynamo';
import { int, oneOf, optStr, str, strList } from './item';
import { cycleShardPartition, GSI1, GSI2, keys, TYPE_ACCOUNT } from './keys';

export function accountToItem(account: Account): Item {
  return {
    ...keys.account(account.accountId),
    ...keys.accountCycleShard(account.cycle, account.shard, account.accountId),
    ...keys.accountByType(account.accountId),
    type: 'ACCOUNT',
    accountId: account.accountId,
    customerId: account.customerId,
    name: account.name,
    serviceAddress: account.serviceAddress,
    cycle: account.cycle,
    tariffId: account.tariffId,
    status: account.status,
    meterIds: [...account.meterIds],
    shard: account.shard,
    createdAt: account.createdAt,
  };
}

export function accountFromItem(item: Item): Account {
  return {
    accountId: str(item, 'accountId'),
    customerId: str(item, 'customerId'),
    name: str(item, 'name'),
    serviceAddress: str(item, 'serviceAddress'),
    cycle: str(item, 'cycle'),
    tariffId: str(item, 'tariffId'),
    status: oneOf(item, 'status', ['ACTIVE', 'INACTIVE'] as const),
    meterIds: strList(item, 'meterIds'),
    shard: int(item, 'shard'),
    createdAt: str(item, 'createdAt'),
  };
}

export function customerToItem(customer: Customer): Item {
  return {
    ...keys.customer(customer.customerId),
    ...keys.customerByType(customer.customerId),
    type: 'CUSTOMER',
    customerId: customer.customerId,
    name: customer.name,
    ...(customer.email ? { email: customer.email } : {}),
    createdAt: customer.createdAt,
  };
}

export function customerFromItem(item: Item): Customer {
  const email = optStr(item, 'email');
  return { customerId: str(item, 'customerId'), name: str(item, 'name'), ...(email ? { email } : {}), createdAt: str(item, 'createdAt') };
}

export function customerAccountLinkToItem(account: Pick<Account, 'customerId' | 'accountId'>): Item {
  return { ...keys.customerAccountLink(account.customerId, account.accountId), type: 'CUSTOMER_ACCOUNT', customerId: account.customerId, accountId: account.accountId };
}

export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(accountId: string): Promise<Account | undefined> {
    const output = await storeCall('GetItem account', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.account(accountId) })));
    return output.Item ? accountFromItem(output.Item) : undefined;
  }

  async getMany(accountIds: readonly string[]): Promise<Account[]> {
    const items = await batchGet(this.documentClient, this.tableName, accountIds.map(keys.account));
    const byId = new Map(items.map(accountFromItem).map((account) => [account.accountId, account]));
    return accountIds.flatMap((id) => byId.get(id) ?? []);
  }

  /** All accounts in id order, through GSI2 (TYPE#ACCOUNT). */
  async list(limit: number, cursor?: string): Promise<Page<Account>> {
    return queryPage(
      this.documentClient,
      'Query accounts',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :type',
        ExpressionAttributeValues: { ':type': TYPE_ACCOUNT },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: TYPE_ACCOUNT }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      accountFromItem,
    );
  }

  /** One page of a cycle's accounts in one shard, through GSI1. */
  async listByShard(cycle: string, shard: number, cursor?: string): Promise<Page<Account>> {
    const partition = cycleShardPartition(cycle, shard);
    return queryPage(
      this.documentClient,
      'Query cycle shard',
      {
        TableName: this.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        ExclusiveStartKey: decodeCursor(cursor, { GSI1PK: partition }, ['PK', 'SK', 'GSI1PK', 'GSI1SK']),
      },
      accountFromItem,
    );
  }

  async listIdsOfCustomer(customerId: string): Promise<string[]> {
    const items = await queryAll(this.documentClient, 'Query customer accounts', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.customerPartition(customerId), ':prefix': keys.ACCOUNT_LINK_PREFIX },
    });
    return items.map((item) => str(item, 'accountId'));
  }
}
