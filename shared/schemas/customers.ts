/** Requests of the customer-record routes (staff and portal). */
import { z } from 'zod';
import { BILL_DELIVERY, CHANNELS, CUSTOMER_KINDS, METER_TYPES, SERVICE_CLASSES, SERVICE_TYPES } from '../domain/customers/model';
import { MIN_QUERY_LENGTH } from '../domain/customers/search';
import { NOTIFICATION_CHANNELS, NOTIFICATION_TOPICS } from '../domain/customers/notifications';
import { ORDER_ACTIONS, ORDER_STATES, ORDER_TYPES, PORTAL_ORDER_TYPES } from '../domain/customers/service-orders';
import { UNITS } from '../domain/units';
import { AccountPath, bodyError, CalendarDate, Cursor, CycleCode, Id, Limit, Line } from './common';

/** Free text (notes): newlines and tabs allowed, other control characters not. */
const Text = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, `${what} must not contain control characters`);

const enumOf = <T extends readonly [string, ...string[]]>(what: string, values: T) => z.enum(values, { error: `${what} must be one of ${values.join(', ')}` });

export const PostalAddressSchema = z.strictObject(
  {
    line1: Line('line1', 100),
    line2: Line('line2', 100).optional(),
    city: Line('city', 60),
    state: z.string({ error: 'state must be a string' }).regex(/^[A-Za-z]{2}$/, 'state must be a two-letter state code').transform((s) => s.toUpperCase()),
    zip: z.string({ error: 'zip must be a string' }).regex(/^\d{5}(-\d{4})?$/, 'zip must be 5 digits or ZIP+4'),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'an address must be an object {line1, city, state, zip}' : undefined) },
);

export const Phone = z
  .string({ error: 'phone must be a string' })
  .max(30, 'phone must be at most 30 characters')
  .regex(/^[\d\s().+-]+$/, 'phone may contain digits, spaces and ( ) . + - only')
  .refine((p) => /^1?\d{10}$/.test(p.replace(/\D/g, '')), 'phone must be a 10-digit US number');

export const Email = z.string({ error: 'email must be a string' }).trim().max(254, 'email is too long').regex(/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[A-Za-z]{2,}$/, 'email is not a valid address');

const ServiceTypeSchema = enumOf('serviceType', SERVICE_TYPES);
const ServiceClassSchema = enumOf('serviceClass', SERVICE_CLASSES);

export const NewCustomerSchema = z.strictObject({
  kind: enumOf('kind', CUSTOMER_KINDS).default('PERSON'),
  name: Line('name', 120),
  email: Email.optional(),
  phones: z.array(Phone, { error: 'phones must be a list' }).max(5, 'at most 5 phones').default([]),
  billDelivery: enumOf('billDelivery', BILL_DELIVERY).default('PAPER'),
  mailingAddress: PostalAddressSchema.optional(),
  contacts: z
    .array(z.strictObject({ name: Line('contact name', 120), role: enumOf('role', ['PRIMARY', 'BILLING', 'EMERGENCY', 'AUTHORIZED'] as const), phone: Phone.optional(), email: Email.optional() }))
    .max(10, 'at most 10 contacts')
    .optional(),
});

const ServiceSpecSchema = z.strictObject({ serviceType: ServiceTypeSchema, meterId: Id('meterId').optional(), tariffId: Id('tariffId').optional() });

const uniqueServices = (services: ReadonlyArray<{ serviceType: string }>) => new Set(services.map((s) => s.serviceType)).size === services.length;

const ApplicationFields = {
  customerId: Id('customerId').optional(),
  newCustomer: NewCustomerSchema.optional(),
  confirmedNotDuplicate: z.boolean({ error: 'confirmedNotDuplicate must be true or false' }).optional(),
  premiseId: Id('premiseId').optional(),
  address: PostalAddressSchema.optional(),
  serviceClass: ServiceClassSchema.default('RESIDENTIAL'),
  cycle: CycleCode.default('C1'),
};

function exactlyOne(ctx: z.RefinementCtx, value: Record<string, unknown>, a: string, b: string): void {
  if ((value[a] === undefined) === (value[b] === undefined)) ctx.addIssue({ code: 'custom', path: [a], message: `give exactly one of ${a} and ${b}` });
}

export const ServiceApplicationBody = z
  .strictObject({ ...ApplicationFields, services: z.array(z.strictObject({ serviceType: ServiceTypeSchema }), { error: 'services must be a list' }).min(1, 'services must name at least one service').max(5).refine(uniqueServices, 'services must not repeat a service type') }, { error: bodyError })
  .superRefine((value, ctx) => {
    exactlyOne(ctx, value, 'customerId', 'newCustomer');
    exactlyOne(ctx, value, 'premiseId', 'address');
  });
export const ServiceApplicationRequest = z.object({ body: ServiceApplicationBody });
export type ServiceApplicationRequest = z.infer<typeof ServiceApplicationRequest>;

export const MoveInRequest = z.object({
  body: z
    .strictObject({ ...ApplicationFields, startDate: CalendarDate('startDate'), services: z.array(ServiceSpecSchema, { error: 'services must be a list' }).min(1, 'services must name at least one service').max(5).refine(uniqueServices, 'services must not repeat a service type') }, { error: bodyError })
    .superRefine((value, ctx) => {
      exactlyOne(ctx, value, 'customerId', 'newCustomer');
      exactlyOne(ctx, value, 'premiseId', 'address');
    }),
});
export type MoveInRequest = z.infer<typeof MoveInRequest>;

export const ActivateServiceRequest = z.object({
  path: AccountPath,
  body: z.strictObject({ startDate: CalendarDate('startDate'), cycle: CycleCode.optional(), services: z.array(ServiceSpecSchema).max(5).refine(uniqueServices, 'services must not repeat a service type').optional() }, { error: bodyError }),
});
export type ActivateServiceRequest = z.infer<typeof ActivateServiceRequest>;
export const ReopenAccountRequest = ActivateServiceRequest;
export type ReopenAccountRequest = ActivateServiceRequest;

export const MoveOutRequest = z.object({
  path: AccountPath,
  body: z.strictObject({ endDate: CalendarDate('endDate'), serviceTypes: z.array(ServiceTypeSchema).min(1).max(5).optional(), forwardingAddress: PostalAddressSchema.optional() }, { error: bodyError }),
});
export type MoveOutRequest = z.infer<typeof MoveOutRequest>;

export const StopServiceRequest = z.object({
  path: AccountPath,
  body: z.strictObject({ endDate: CalendarDate('endDate'), serviceTypes: z.array(ServiceTypeSchema).min(1).max(5).optional() }, { error: bodyError }),
});
export type StopServiceRequest = z.infer<typeof StopServiceRequest>;

export const TransferServiceRequest = z.object({
  path: AccountPath,
  body: z
    .strictObject({ date: CalendarDate('date'), toPremiseId: Id('toPremiseId').optional(), toAddress: PostalAddressSchema.optional(), services: z.array(ServiceSpecSchema).max(5).optional() }, { error: bodyError })
    .superRefine((value, ctx) => exactlyOne(ctx, value, 'toPremiseId', 'toAddress')),
});
export type TransferServiceRequest = z.infer<typeof TransferServiceRequest>;

export const CreatePremiseRequest = z.object({
  body: z.strictObject(
    {
      premiseId: Id('premiseId').optional(),
      address: PostalAddressSchema,
      premiseType: ServiceClassSchema.default('RESIDENTIAL'),
      serviceTypes: z.array(ServiceTypeSchema, { error: 'serviceTypes must be a list' }).min(1, 'serviceTypes must name at least one service').max(5),
      ownerAccountId: Id('ownerAccountId').optional(),
    },
    { error: bodyError },
  ),
});
export type CreatePremiseRequest = z.infer<typeof CreatePremiseRequest>;

export const RegisterMeterRequest = z.object({
  body: z.strictObject(
    {
      meterId: Id('meterId'),
      serviceType: ServiceTypeSchema,
      unit: enumOf('unit', UNITS),
      meterType: enumOf('meterType', METER_TYPES).default('AMI'),
      size: Line('size', 20).default('standard'),
      dials: z.number({ error: 'dials must be a number' }).int('dials must be a whole number').min(0, 'dials must be 0 to 12').max(12, 'dials must be 0 to 12').default(0),
      multiplier: z.number({ error: 'multiplier must be a number' }).int('multiplier must be a whole number').min(1, 'multiplier must be 1 to 100000').max(100000, 'multiplier must be 1 to 100000').default(1),
    },
    { error: bodyError },
  ),
});
export type RegisterMeterRequest = z.infer<typeof RegisterMeterRequest>;

export const ReadValue = (what: string) => z.string({ error: `${what} must be a decimal string` }).regex(/^(0|[1-9]\d{0,11})(\.\d{1,6})?$/, `${what} must be a non-negative decimal string with at most 6 decimals`);

export const CreateServiceOrderRequest = z.object({
  body: z.strictObject(
    {
      type: enumOf('type', ORDER_TYPES),
      servicePointId: Id('servicePointId'),
      accountId: Id('accountId').optional(),
      scheduledFor: CalendarDate('scheduledFor').optional(),
      description: Text('description', 1000).optional(),
    },
    { error: bodyError },
  ),
});
export type CreateServiceOrderRequest = z.infer<typeof CreateServiceOrderRequest>;

/** GET /staff/service-orders?status=&limit=&cursor= (status CREATED by default). */
export const ListServiceOrdersRequest = z.object({ query: z.object({ status: enumOf('status', ORDER_STATES).default('CREATED'), limit: Limit(50, 200), cursor: Cursor }) });
export type ListServiceOrdersRequest = z.infer<typeof ListServiceOrdersRequest>;

const OrderPath = z.object({ orderId: Id('orderId') });
export const GetServiceOrderRequest = z.object({ path: OrderPath });
export type GetServiceOrderRequest = z.infer<typeof GetServiceOrderRequest>;

export const TransitionServiceOrderRequest = z.object({
  path: OrderPath,
  body: z.strictObject(
    {
      action: enumOf('action', ORDER_ACTIONS),
      scheduledFor: CalendarDate('scheduledFor').optional(),
      reason: Line('reason', 500).optional(),
      read: ReadValue('read').optional(),
      removedRead: ReadValue('removedRead').optional(),
      newMeterId: Id('newMeterId').optional(),
      newMeterRead: ReadValue('newMeterRead').optional(),
      findings: Text('findings', 2000).optional(),
    },
    { error: bodyError },
  ),
});
export type TransitionServiceOrderRequest = z.infer<typeof TransitionServiceOrderRequest>;

export const AccountOverviewRequest = z.object({ path: AccountPath });
export type AccountOverviewRequest = z.infer<typeof AccountOverviewRequest>;

export const SearchRequest = z.object({
  query: z.object({ q: z.string({ error: 'q is required' }).trim().min(MIN_QUERY_LENGTH, `q must be at least ${MIN_QUERY_LENGTH} characters`).max(100, 'q must be at most 100 characters').regex(/^[^\u0000-\u001f\u007f]*$/, 'q must not contain control characters') }),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export const AddNoteRequest = z.object({
  path: AccountPath,
  body: z
    .strictObject(
      {
        kind: enumOf('kind', ['NOTE', 'INTERACTION'] as const).default('NOTE'),
        text: Text('text', 4000),
        channel: enumOf('channel', CHANNELS).optional(),
        direction: enumOf('direction', ['INBOUND', 'OUTBOUND'] as const).optional(),
        outcome: Line('outcome', 200).optional(),
      },
      { error: bodyError },
    )
    .superRefine((value, ctx) => {
      if (value.kind !== 'INTERACTION') return;
      if (!value.channel) ctx.addIssue({ code: 'custom', path: ['channel'], message: 'an interaction needs its channel' });
      if (!value.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'an interaction needs its outcome' });
    }),
});
export type AddNoteRequest = z.infer<typeof AddNoteRequest>;

export const ListMyServiceOrdersRequest = z.object({ path: AccountPath });
export type ListMyServiceOrdersRequest = z.infer<typeof ListMyServiceOrdersRequest>;

export const RequestServiceOrderRequest = z.object({
  path: AccountPath,
  body: z.strictObject({ type: enumOf('type', PORTAL_ORDER_TYPES), serviceType: ServiceTypeSchema.optional(), description: Text('description', 1000) }, { error: bodyError }),
});
export type RequestServiceOrderRequest = z.infer<typeof RequestServiceOrderRequest>;

// ---------------------------------------------------------------- CSV import rows (messy input normalized)

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const upper = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase().replace(/[\s-]+/g, '_') : value);
const lower = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

/** YYYY-MM-DD, or M/D/YYYY as spreadsheets write it. */
export const CsvDate = (what: string) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim());
    return us ? `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` : value.trim();
  }, CalendarDate(what));

/** "$1,234.56", "(12.00)" (negative) or "-12.5" -> "1234.56", "-12.00", "-12.50". */
export const CsvMoney = (what: string) =>
  z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      let text = value.trim().replace(/[$,\s]/g, '');
      if (/^\(.*\)$/.test(text)) text = `-${text.slice(1, -1)}`;
      return text;
    },
    z
      .string({ error: `${what} is required` })
      .regex(/^-?\d{1,12}(\.\d{1,2})?$/, `${what} must be an amount with at most 2 decimals`)
      .transform((text) => {
        const [whole, fraction = ''] = text.split('.');
        return `${whole}.${fraction.padEnd(2, '0')}`;
      }),
  );

/** ZIP codes that lost their leading zeros in a spreadsheet ("2134" -> "02134"). */
const CsvZip = z.preprocess((value) => (typeof value === 'string' && /^\d{3,4}$/.test(value.trim()) ? value.trim().padStart(5, '0') : value), z.string({ error: 'zip is required' }).regex(/^\d{5}(-\d{4})?$/, 'zip must be 5 digits or ZIP+4'));

const CsvList = <T extends z.ZodType>(item: T) => z.preprocess((value) => (typeof value === 'string' ? value.split(/[;|]/).map((part) => part.trim()).filter(Boolean) : value), z.array(item));

const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const CsvAddress = {
  line1: Line('line1', 100),
  line2: opt(Line('line2', 100)),
  city: Line('city', 60),
  state: z.preprocess(upper, z.string({ error: 'state is required' }).regex(/^[A-Z]{2}$/, 'state must be a two-letter state code')),
  zip: CsvZip,
};

export const CustomerRow = z.object({
  customer_id: Id('customer_id'),
  kind: z.preprocess((v) => upper(blankToUndefined(v)) ?? 'PERSON', enumOf('kind', CUSTOMER_KINDS)),
  name: Line('name', 120),
  email: opt(z.preprocess(lower, Email)),
  phone: z.preprocess((v) => blankToUndefined(v) ?? '', CsvList(Phone)),
  bill_delivery: z.preprocess((v) => upper(blankToUndefined(v)) ?? 'PAPER', enumOf('bill_delivery', BILL_DELIVERY)),
  mailing_line1: opt(Line('mailing_line1', 100)),
  mailing_line2: opt(Line('mailing_line2', 100)),
  mailing_city: opt(Line('mailing_city', 60)),
  mailing_state: opt(z.preprocess(upper, z.string().regex(/^[A-Z]{2}$/, 'mailing_state must be a two-letter state code'))),
  mailing_zip: opt(CsvZip),
});
export type CustomerRow = z.infer<typeof CustomerRow>;

export const PremiseRow = z.object({
  premise_id: Id('premise_id'),
  ...CsvAddress,
  premise_type: z.preprocess((v) => upper(blankToUndefined(v)) ?? 'RESIDENTIAL', enumOf('premise_type', SERVICE_CLASSES)),
  service_types: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), CsvList(ServiceTypeSchema).pipe(z.array(ServiceTypeSchema).min(1, 'service_types must name at least one service'))),
  owner_account_id: opt(Id('owner_account_id')),
});
export type PremiseRow = z.infer<typeof PremiseRow>;

const CsvInt = (what: string, min: number, max: number, fallback: number) =>
  z.preprocess((v) => (blankToUndefined(v) === undefined ? String(fallback) : v), z.string().regex(/^\d+$/, `${what} must be a whole number`).transform(Number).pipe(z.number().min(min, `${what} must be ${min} to ${max}`).max(max, `${what} must be ${min} to ${max}`)));

export const MeterRow = z.object({
  meter_id: Id('meter_id'),
  service_type: z.preprocess(lower, ServiceTypeSchema),
  unit: z.preprocess((v) => (typeof v === 'string' ? ({ kwh: 'kWh', wh: 'Wh', gal: 'gal', gallons: 'gal', ccf: 'ccf', therm: 'therm', therms: 'therm' } as Record<string, string>)[v.trim().toLowerCase()] ?? v : v), enumOf('unit', UNITS)),
  meter_type: z.preprocess((v) => upper(blankToUndefined(v)) ?? 'AMI', enumOf('meter_type', METER_TYPES)),
  size: z.preprocess((v) => blankToUndefined(v) ?? 'standard', Line('size', 20)),
  dials: CsvInt('dials', 0, 12, 0),
  multiplier: CsvInt('multiplier', 1, 100000, 1),
});
export type MeterRow = z.infer<typeof MeterRow>;

export const AccountRow = z.object({
  account_id: Id('account_id'),
  customer_id: Id('customer_id'),
  cycle: z.preprocess((v) => blankToUndefined(v) ?? 'C1', CycleCode),
  service_class: z.preprocess((v) => upper(blankToUndefined(v)) ?? 'RESIDENTIAL', enumOf('service_class', SERVICE_CLASSES)),
  name: opt(Line('name', 120)),
});
export type AccountRow = z.infer<typeof AccountRow>;

export const AgreementRow = z
  .object({
    agreement_id: opt(Id('agreement_id')),
    account_id: Id('account_id'),
    premise_id: Id('premise_id'),
    service_type: z.preprocess(lower, ServiceTypeSchema),
    meter_id: opt(Id('meter_id')),
    tariff_id: Id('tariff_id'),
    start_date: CsvDate('start_date'),
    end_date: opt(CsvDate('end_date')),
  })
  .superRefine((row, ctx) => {
    if (row.end_date && row.end_date < row.start_date) ctx.addIssue({ code: 'custom', path: ['end_date'], message: `end_date ${row.end_date} is before start_date ${row.start_date}` });
  });
export type AgreementRow = z.infer<typeof AgreementRow>;

export const BalanceRow = z.object({ account_id: Id('account_id'), balance: CsvMoney('balance'), as_of: CsvDate('as_of') });
export type BalanceRow = z.infer<typeof BalanceRow>;

// ---------------------------------------------------------------- customer changes

/** Channels per notification topic; topics left out keep theirs, [] turns a topic off. */
export const NotificationsSchema = z.strictObject(
  Object.fromEntries(
    NOTIFICATION_TOPICS.map((topic) => [
      topic,
      z
        .array(enumOf(`notifications.${topic}[]`, NOTIFICATION_CHANNELS), { error: `notifications.${topic} must be a list of channels (${NOTIFICATION_CHANNELS.join(', ')})` })
        .max(NOTIFICATION_CHANNELS.length)
        .refine((channels) => new Set(channels).size === channels.length, `notifications.${topic} must not repeat a channel`)
        .optional(),
    ]),
  ) as Record<(typeof NOTIFICATION_TOPICS)[number], z.ZodOptional<z.ZodArray<z.ZodEnum<{ EMAIL: 'EMAIL'; SMS: 'SMS' }>>>>,
  { error: (issue) => (issue.code === 'invalid_type' ? `notifications must be an object of topics (${NOTIFICATION_TOPICS.join(', ')})` : issue.code === 'unrecognized_keys' ? `notifications: unknown topic; topics are ${NOTIFICATION_TOPICS.join(', ')}` : undefined) },
);

export const UpdateCustomerBody = z
  .strictObject(
    {
      name: Line('name', 120).optional(),
      kind: enumOf('kind', CUSTOMER_KINDS).optional(),
      email: Email.nullable().optional(),
      phones: z.array(Phone, { error: 'phones must be a list' }).max(5, 'at most 5 phones').optional(),
      billDelivery: enumOf('billDelivery', BILL_DELIVERY).optional(),
      mailingAddress: PostalAddressSchema.nullable().optional(),
      contacts: NewCustomerSchema.shape.contacts,
      notifications: NotificationsSchema.optional(),
    },
    { error: bodyError },
  )
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'the body must change at least one field', path: ['body'] });

export const UpdateCustomerRequest = z.object({ path: z.object({ customerId: Id('customerId') }), body: UpdateCustomerBody });
export type UpdateCustomerRequest = z.infer<typeof UpdateCustomerRequest>;

/** What customers may change themselves in the portal. */
export const UpdateMyPreferencesRequest = z.object({
  body: z
    .strictObject(
      { billDelivery: enumOf('billDelivery', BILL_DELIVERY).optional(), email: Email.optional(), phones: z.array(Phone).max(5, 'at most 5 phones').optional(), mailingAddress: PostalAddressSchema.optional(), notifications: NotificationsSchema.optional() },
      { error: bodyError },
    )
    .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'the body must change at least one field', path: ['body'] }),
});
export type UpdateMyPreferencesRequest = z.infer<typeof UpdateMyPreferencesRequest>;

/** GET /portal/preferences takes nothing but the token. */
export const MyPreferencesRequest = z.object({});
export type MyPreferencesRequest = z.infer<typeof MyPreferencesRequest>;

export const GetPremiseRequest = z.object({ path: z.object({ premiseId: Id('premiseId') }) });
export type GetPremiseRequest = z.infer<typeof GetPremiseRequest>;
