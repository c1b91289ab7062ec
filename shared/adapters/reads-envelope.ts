/**
 * The body of a reads queue message: the IoT rule's envelope {"payload": base64, "topic": ...}
 * (READS_RULE_SQL), or a reads message itself from a producer that writes to the queue directly.
 * The envelope's topic names the meter (`cis/meters/{meterId}/reads`): a payload for another
 * meter is refused with reason topic-mismatch, so that a device cannot write another's reads.
 */
import { MalformedMessage, parseJsonBody, parseJsonMessage, parseMessage } from './sqs-batch';
import { meterIdOfTopic, ReadsEnvelope, ReadsMessage } from '../schemas/reads';

export interface ReadsBody {
  message: ReadsMessage;
  /** The MQTT topic, when the message came through the IoT rule. */
  topic?: string;
}

export function parseReadsBody(body: string): ReadsBody {
  const json = parseJsonBody(body);
  const isEnvelope = typeof json === 'object' && json !== null && !Array.isArray(json) && !('meterId' in json) && ('payload' in json || 'topic' in json);
  if (!isEnvelope) return { message: parseJsonMessage(ReadsMessage, json) };
  const envelope = parseJsonMessage(ReadsEnvelope, json);
  const message = parseMessage(ReadsMessage, Buffer.from(envelope.payload, 'base64').toString('utf8'));
  const topicMeterId = meterIdOfTopic(envelope.topic);
  if (topicMeterId !== message.meterId) {
    throw new MalformedMessage('topic-mismatch', `the message is for meter ${message.meterId} but was published on ${JSON.stringify(envelope.topic)}`, [{ path: 'meterId', message: 'does not match the topic' }]);
  }
  return { message, topic: envelope.topic };
}
