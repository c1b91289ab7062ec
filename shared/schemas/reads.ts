/** The MQTT payload of a batch of interval readings (the SQS message body). Extra fields are allowed and ignored. */
import { z } from 'zod';
import { Id } from './common';

export const MAX_READINGS_PER_MESSAGE = 5000;

export const Reading = z.object({
  start: z.string({ error: 'start must be an ISO 8601 timestamp string with an offset' }),
  durationSec: z.number({ error: 'durationSec must be a number of seconds' }),
  value: z.string({ error: 'value must be a decimal string like "1.25" (a JSON string, not a number)' }),
  unit: z.string({ error: 'unit must be a string (kWh, Wh, gal, ccf or therm)' }),
});

/** A register (cumulative dial) read at an instant. */
export const RegisterRead = z.object({
  at: z.string({ error: 'at must be an ISO 8601 timestamp string with an offset' }),
  value: z.string({ error: 'value must be a decimal string like "12345.6" (a JSON string, not a number)' }),
  unit: z.string({ error: 'unit must be a string (kWh, Wh, gal, ccf or therm)' }),
});

export const ReadsMessage = z
  .object(
    {
      meterId: Id('meterId'),
      readings: z
        .array(Reading, { error: 'readings must be an array' })
        .min(1, 'readings must not be empty')
        .max(MAX_READINGS_PER_MESSAGE, `readings may hold at most ${MAX_READINGS_PER_MESSAGE} intervals`)
        .optional(),
      registers: z
        .array(RegisterRead, { error: 'registers must be an array' })
        .min(1, 'registers must not be empty')
        .max(MAX_READINGS_PER_MESSAGE, `registers may hold at most ${MAX_READINGS_PER_MESSAGE} reads`)
        .optional(),
    },
    { error: 'the message must be a JSON object' },
  )
  .refine((message) => message.readings !== undefined || message.registers !== undefined, { error: 'readings must not be empty (or give registers)', path: ['readings'] });
export type ReadsMessage = z.infer<typeof ReadsMessage>;

/**
 * What the IoT rule puts on the reads queue (READS_RULE_SQL): the MQTT payload in base64, so that
 * any bytes reach the queue (and the dead-letter queue with a reason), and the MQTT topic, whose
 * meter id must be the message's.
 */
export const ReadsEnvelope = z.object({
  payload: z.base64({ error: 'payload must be the base64 of the MQTT payload' }),
  topic: z.string({ error: 'topic must be the MQTT topic' }),
});
export type ReadsEnvelope = z.infer<typeof ReadsEnvelope>;

/** The meter id level of a reads topic `cis/meters/{meterId}/reads`, or undefined for another topic. */
export function meterIdOfTopic(topic: string): string | undefined {
  const levels = topic.split('/');
  return levels.length === 4 && levels[0] === 'cis' && levels[1] === 'meters' && levels[3] === 'reads' ? levels[2] : undefined;
}
