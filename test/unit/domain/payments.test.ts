import { InvalidSignature, paymentIdFor, requestFingerprint, signWebhook, verifyWebhook } from '../../../shared/domain/payments';

describe('payment ids and request fingerprints', () => {
  it('give the same payment id for the same account and key, and another for another', () => {
    expect(paymentIdFor('A1', 'k-1')).toBe(paymentIdFor('A1', 'k-1'));
    expect(paymentIdFor('A1', 'k-1')).not.toBe(paymentIdFor('A2', 'k-1'));
    expect(paymentIdFor('A1', 'k-1')).not.toBe(paymentIdFor('A1', 'k-2'));
    expect(paymentIdFor('A1', 'k-1')).toMatch(/^P[0-9A-F]{20}$/);
  });

  it('fingerprint a body whatever its key order, and tell different bodies apart', () => {
    expect(requestFingerprint({ amount: '1.00', method: 'CARD' })).toBe(requestFingerprint({ method: 'CARD', amount: '1.00' }));
    expect(requestFingerprint({ amount: '1.00', method: 'CARD' })).not.toBe(requestFingerprint({ amount: '1.01', method: 'CARD' }));
  });
});

describe('signed webhooks', () => {
  const secret = 'a-secret-of-sixteen+';
  const body = '{"id":"evt_1","type":"payment.returned"}';
  const now = 1_780_000_000;

  it('accepts a body signed with the secret within the tolerance', () => {
    expect(() => verifyWebhook(secret, signWebhook(secret, now - 299, body), body, now)).not.toThrow();
    expect(() => verifyWebhook(secret, `v1=deadbeef,${signWebhook(secret, now, body)}`, body, now)).not.toThrow();
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['no timestamp', 'v1=abc', 'no timestamp'],
    ['an old timestamp', signWebhook(secret, now - 301, body), 'more than 300 seconds'],
    ['a future timestamp', signWebhook(secret, now + 301, body), 'more than 300 seconds'],
    ['another secret', signWebhook('another-secret-0123', now, body), 'does not match'],
    ['a changed body', signWebhook(secret, now, `${body} `), 'does not match'],
    ['a changed timestamp', signWebhook(secret, now, body).replace(`t=${now}`, `t=${now - 1}`), 'does not match'],
  ])('refuses %s', (_what, header, message) => {
    expect(() => verifyWebhook(secret, header, body, now)).toThrow(InvalidSignature);
    expect(() => verifyWebhook(secret, header, body, now)).toThrow(message);
  });
});
