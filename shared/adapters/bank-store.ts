/**
 * Autopay enrollments, NACHA files, imported payment files and suspense in DynamoDB. The
 * enrollment is one item in the account's partition (ACCOUNT#id / AUTOPAY) holding the full
 * account number, which only `getInstruction` (the file writer) returns; while ACTIVE it carries
 * GSI2 keys (TYPE#AUTOPAY) so a run lists enrolled accounts. Cancelling erases the number.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { BANK_ACCOUNT_TYPES, enrollmentView, type AutopayEnrollment, type DebitInstruction } from '../domain/autopay';
import { PAYMENT_FILE_FORMATS } from '../domain/payment-files';
import { ConflictError } from '../domain/errors';
import type { AchFileRecord, AutopayStore, ImportReport, PaymentFileStore, SuspenseItem } from '../app/payments/bank-ports';
import type { Page } from '../app/ports';
import { SuspenseAlreadyApplied } from '../app/payments/errors';
import { auditToItem } from './audit-item';
import { cancellationReasons, decodeCursor, isConditionalCheckFailed, queryPage, storeCall, type Item } from './dynamo';
import { decimalStr, int, oneOf, optStr, str } from './item';
import { GSI2, keys, TYPE_AUTOPAY } from './keys';

export class AutopayChanged extends ConflictError {
  override name = 'AutopayChanged';
}

function instructionToItem(instruction: DebitInstruction): Item {
  return { ...keys.autopay(instruction.accountId), ...(instruction.status === 'ACTIVE' ? keys.autopayByType(instruction.accountId) : {}), type: 'AUTOPAY', ...instruction };
}

function instructionFromItem(item: Item): DebitInstruction {
  const optional = (name: 'cancelledAt' | 'cancelledBy') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    accountId: str(item, 'accountId'),
    status: oneOf(item, 'status', ['ACTIVE', 'CANCELLED'] as const),
    routingNumber: str(item, 'routingNumber'),
    accountType: oneOf(item, 'accountType', BANK_ACCOUNT_TYPES),
    accountLast4: str(item, 'accountLast4'),
    accountHolder: str(item, 'accountHolder'),
    authorizedAt: str(item, 'authorizedAt'),
    authorizedBy: str(item, 'authorizedBy'),
    ...(typeof item['paperless'] === 'boolean' ? { paperless: item['paperless'] } : {}),
    ...optional('cancelledAt'),
    ...optional('cancelledBy'),
    accountNumber: optStr(item, 'accountNumber') ?? '',
  };
}

function suspenseToItem(entry: SuspenseItem): Item {
  return { ...keys.suspenseItem(entry.fileId, entry.ref), ...keys.suspenseByStatus(entry.status, entry.fileId, entry.ref), type: 'SUSPENSE', ...entry };
}

function suspenseFromItem(item: Item): SuspenseItem {
  const optional = (name: 'accountId' | 'reference' | 'date' | 'appliedTo' | 'paymentId' | 'appliedAt' | 'appliedBy') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    fileId: str(item, 'fileId'),
    ref: str(item, 'ref'),
    line: int(item, 'line'),
    amount: decimalStr(item, 'amount'),
    reason: str(item, 'reason'),
    source: optStr(item, 'source') ?? 'unknown',
    status: oneOf(item, 'status', ['OPEN', 'APPLIED'] as const),
    receivedAt: str(item, 'receivedAt'),
    ...optional('accountId'),
    ...optional('reference'),
    ...optional('date'),
    ...optional('appliedTo'),
    ...optional('paymentId'),
    ...optional('appliedAt'),
    ...optional('appliedBy'),
  };
}

/** A cancelled transaction whose first action's condition failed. */
function firstConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'TransactionCanceledException' && cancellationReasons(error)[0]?.Code === 'ConditionalCheckFailed';
}

export class DynamoBankStore implements AutopayStore, PaymentFileStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async getItem(key: { PK: string; SK: string }, what: string): Promise<Item | undefined> {
    const output = await storeCall(`GetItem ${what}`, () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return output.Item;
  }

  async getEnrollment(accountId: string): Promise<AutopayEnrollment | undefined> {
    const item = await this.getItem(keys.autopay(accountId), 'autopay');
    return item ? enrollmentView(instructionFromItem(item)) : undefined;
  }

  async getInstruction(accountId: string): Promise<DebitInstruction | undefined> {
    const item = await this.getItem(keys.autopay(accountId), 'autopay');
    return item ? instructionFromItem(item) : undefined;
  }

  async saveEnrollment(instruction: DebitInstruction, audit: AuditEvent): Promise<void> {
    await this.transact('TransactWrite autopay', [
      { Put: { TableName: this.tableName, Item: instructionToItem(instruction) } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  }

  async cancelEnrollment(cancelled: AutopayEnrollment, audit: AuditEvent): Promise<void> {
    // The full account number is erased with the enrollment's end; the item stays for the record.
    const item = instructionToItem({ ...cancelled, accountNumber: '' });
    delete item['accountNumber'];
    try {
      await this.transact('TransactWrite autopay cancel', [
        { Put: { TableName: this.tableName, Item: item, ConditionExpression: '#status = :active', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':active': 'ACTIVE' } } },
        { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
      ]);
    } catch (error) {
      if (firstConditionFailed(error)) throw new AutopayChanged('the autopay enrollment is no longer active');
      throw error;
    }
  }

  async listActive(cursor?: string): Promise<Page<string>> {
    return queryPage(
      this.documentClient,
      'Query autopay enrollments',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :type',
        ExpressionAttributeValues: { ':type': TYPE_AUTOPAY },
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: TYPE_AUTOPAY }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      (item) => str(item, 'accountId'),
    );
  }

  async reserveTraceSequences(count: number): Promise<number> {
    const output = await storeCall('UpdateItem trace counter', () =>
      this.documentClient.send(new UpdateCommand({ TableName: this.tableName, Key: keys.achTraceCounter(), UpdateExpression: 'ADD #value :count SET #type = :type', ExpressionAttributeNames: { '#value': 'value', '#type': 'type' }, ExpressionAttributeValues: { ':count': count, ':type': 'COUNTER' }, ReturnValues: 'UPDATED_NEW' })),
    );
    return int(output.Attributes ?? {}, 'value') - count + 1;
  }

  async saveAchFile(file: AchFileRecord, audit: AuditEvent): Promise<void> {
    await this.transact('TransactWrite ACH file', [
      { Put: { TableName: this.tableName, Item: { ...keys.achFile(file.debitDate), type: 'ACH_FILE', ...file } } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  }

  async getAchFile(debitDate: string): Promise<AchFileRecord | undefined> {
    const item = await this.getItem(keys.achFile(debitDate), 'ACH file');
    if (!item) return undefined;
    return { debitDate: str(item, 'debitDate'), createdAt: str(item, 'createdAt'), createdBy: str(item, 'createdBy'), text: str(item, 'text'), entryCount: int(item, 'entryCount'), totalDebit: str(item, 'totalDebit'), entryHash: str(item, 'entryHash'), generation: int(item, 'generation') };
  }

  async getReport(fileId: string): Promise<ImportReport | undefined> {
    const item = await this.getItem(keys.paymentFile(fileId), 'payment file');
    if (!item) return undefined;
    oneOf(item, 'format', PAYMENT_FILE_FORMATS);
    return JSON.parse(str(item, 'report')) as ImportReport;
  }

  async saveReport(report: ImportReport, audit: AuditEvent): Promise<void> {
    const item: Item = { ...keys.paymentFile(report.fileId), type: 'PAYMENT_FILE', fileId: report.fileId, format: report.format, status: report.status, importedAt: report.importedAt, importedBy: report.importedBy, report: JSON.stringify(report) };
    try {
      await this.transact('TransactWrite payment file', [
        { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
      ]);
    } catch (error) {
      // Imported before: the first import's report stays; this import is audited.
      if (!firstConditionFailed(error)) throw error;
      await storeCall('PutItem audit', () => this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' })));
    }
  }

  async addSuspense(entry: SuspenseItem): Promise<boolean> {
    try {
      await storeCall('PutItem suspense', () =>
        this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: suspenseToItem(entry), ConditionExpression: 'attribute_not_exists(PK)' })),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async getSuspense(fileId: string, ref: string): Promise<SuspenseItem | undefined> {
    const item = await this.getItem(keys.suspenseItem(fileId, ref), 'suspense');
    return item ? suspenseFromItem(item) : undefined;
  }

  async listSuspense(status: SuspenseItem['status'], limit: number, cursor?: string): Promise<Page<SuspenseItem>> {
    const partition = `TYPE#SUSPENSE#${status}`;
    return queryPage(
      this.documentClient,
      'Query suspense',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :status',
        ExpressionAttributeValues: { ':status': partition },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: partition }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      suspenseFromItem,
    );
  }

  async markSuspenseApplied(applied: SuspenseItem, audit: AuditEvent): Promise<void> {
    try {
      await this.transact('TransactWrite suspense applied', [
        { Put: { TableName: this.tableName, Item: suspenseToItem(applied), ConditionExpression: '#status = :open', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':open': 'OPEN' } } },
        { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
      ]);
    } catch (error) {
      if (firstConditionFailed(error)) throw new SuspenseAlreadyApplied('the suspense credit was applied meanwhile');
      throw error;
    }
  }

  private async transact(what: string, items: Array<Record<string, unknown>>): Promise<void> {
    await storeCall(what, () => this.documentClient.send(new TransactWriteCommand({ TransactItems: items as never })));
  }
}
