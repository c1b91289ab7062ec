/**
 * The inputs and records of collections: medical certificates (with renewals counted), the
 * household facts staff keep for protections (income against the federal poverty level, life
 * support, weather region), weather forecasts per region and day, the notices sent, and the
 * stored evaluation of each account and run day.
 */
import { addDays } from '../calendar';
import { RuleViolation } from '../errors';
import type { CollectionEvaluation, NoticeRecord, WeatherInput } from './evaluate';
import type { PolicyPack } from './policy';

export interface MedicalCertificate {
  certificateId: string;
  accountId: string;
  /** The day the utility received the certificate (utility time zone). */
  receivedOn: string;
  /** The last day it protects, inclusive. */
  validThrough: string;
  /** Who certified: a physician, nurse practitioner, primary care provider. */
  certifiedBy: string;
  /** 0 for a first certificate, n for the n-th renewal (received while the previous one was in force, or the day after it ended). */
  renewalNumber: number;
  /** More renewals than the pack allows: still honoured (fail safe), flagged for staff to contest. */
  beyondRenewalsAllowed: boolean;
  packId: string;
  recordedBy: string;
  recordedAt: string;
  note?: string;
}

export interface CollectionsProfile {
  accountId: string;
  /** Household income as a percent of the federal poverty level, when staff verified it. */
  incomePercentOfFpl?: number;
  /** A household member depends on life-support or critical-care equipment. */
  lifeSupport?: boolean;
  /** The weather region of the premises (else the deployment's default region). */
  weatherRegion?: string;
  updatedBy: string;
  updatedAt: string;
  version: number;
}

export interface Notice extends NoticeRecord {
  accountId: string;
  packId: string;
  /** Customer-facing wording. */
  text: string;
  runDate: string;
}

export type StoredEvaluation = CollectionEvaluation & { runDate: string };

export type StoredWeather = WeatherInput & { recordedBy: string; recordedAt: string };

/** The renewal number of a certificate received on `receivedOn`, given the account's earlier ones. */
function renewalNumberOf(existing: readonly MedicalCertificate[], receivedOn: string): number {
  const chain = existing.filter((c) => c.receivedOn <= receivedOn && addDays(c.validThrough, 1) >= receivedOn).sort((a, b) => b.renewalNumber - a.renewalNumber);
  return chain.length === 0 ? 0 : chain[0]!.renewalNumber + 1;
}

/** A new certificate: protected from `receivedOn` for the pack's duration (or fewer days if the certificate says so). */
export function newMedicalCertificate(pack: PolicyPack, existing: readonly MedicalCertificate[], input: { certificateId: string; accountId: string; receivedOn: string; certifiedBy: string; days?: number | undefined; note?: string | undefined; recordedBy: string; recordedAt: string; today: string }): MedicalCertificate {
  const rule = pack.rules.find((r) => r.type === 'medical-certificate');
  if (!rule || rule.type !== 'medical-certificate') throw new RuleViolation('no-medical-rule', `policy pack ${pack.id} has no medical certificate rule`);
  if (input.receivedOn > input.today) throw new RuleViolation('received-in-future', `receivedOn ${input.receivedOn} is after today (${input.today})`);
  const days = Math.min(input.days ?? rule.params.durationDays, rule.params.durationDays);
  const renewalNumber = renewalNumberOf(existing, input.receivedOn);
  return {
    certificateId: input.certificateId,
    accountId: input.accountId,
    receivedOn: input.receivedOn,
    validThrough: addDays(input.receivedOn, days - 1),
    certifiedBy: input.certifiedBy,
    renewalNumber,
    beyondRenewalsAllowed: renewalNumber > rule.params.renewalsAllowed,
    packId: pack.id,
    recordedBy: input.recordedBy,
    recordedAt: input.recordedAt,
    ...(input.note ? { note: input.note } : {}),
  };
}

const NOTICE_TEXT: Record<NoticeRecord['kind'], (n: Pick<NoticeRecord, 'amount' | 'scheduledDisconnectOn'>) => string> = {
  WRITTEN: (n) => `Your account is past due by ${n.amount}. Service may be disconnected on or after ${n.scheduledDisconnectOn} unless you pay or make a payment arrangement. You may dispute the bill or tell us about a medical condition.`,
  FINAL: (n) => `Final notice: service may be disconnected on or after ${n.scheduledDisconnectOn} for ${n.amount} past due.`,
  CONTACT: (n) => `We tried to reach you about ${n.amount} past due before disconnection on or after ${n.scheduledDisconnectOn}.`,
};

export function noticeOf(input: { accountId: string; packId: string; runDate: string; sentAt: string; kind: NoticeRecord['kind']; scheduledDisconnectOn: string; amount: string }): Notice {
  return {
    noticeId: `N-${input.runDate}-${input.kind}`,
    accountId: input.accountId,
    packId: input.packId,
    kind: input.kind,
    sentOn: input.runDate,
    sentAt: input.sentAt,
    scheduledDisconnectOn: input.scheduledDisconnectOn,
    amount: input.amount,
    runDate: input.runDate,
    text: NOTICE_TEXT[input.kind](input),
  };
}
