/**
 * Local stand-in for Cognito: an RS256 key pair kept in the data dir signs ID tokens with the
 * claims a Cognito user pool puts in its ID tokens, and the local HTTP gateway verifies them the
 * way the API Gateway JWT authorizer does (signature, issuer, audience, expiry).
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { z } from 'zod';
import { PlatformError } from './errors';

export const LOCAL_ISSUER = 'cis-local';
export const LOCAL_AUDIENCE = 'cis-local';
export const SIGNING_ALGORITHM = 'RS256';
export const STAFF_ROLES = ['csr', 'billing', 'admin', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 3600;
export const MAX_TOKEN_TTL_SECONDS = 31 * 86400;

/** The key pair that signs local tokens; load it once with loadOrCreateSigningKey and reuse it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  /** The file the key was read from. */
  file: string;
}

/** Claims of a local ID token: the shape of a Cognito ID token. */
export interface LocalIdTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  token_use: 'id';
  iat: number;
  exp: number;
  auth_time: number;
  'cognito:username': string;
  'cognito:groups'?: string[];
  'custom:customerId'?: string;
  [claim: string]: unknown;
}

export interface TokenRequest {
  staff?: string;
  role?: StaffRole;
  customerId?: string;
  ttlSeconds?: number;
}

/** A token request that cannot be honoured (bad name, missing role, ...). */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

export type InvalidTokenReason = 'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'wrong-issuer' | 'wrong-audience' | 'missing-claim';

/** A token that the JWT authorizer would reject; `reason` says why. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
  ) {
    super(message);
  }
}

export function signingKeyFile(dataDir: string): string {
  return path.join(dataDir, 'auth', 'signing-key.json');
}

const KeyFileSchema = z.object({
  kid: z.string().min(1),
  alg: z.literal(SIGNING_ALGORITHM),
  createdAt: z.string().optional(),
  privateKey: z.object({
    kty: z.literal('RSA'),
    n: z.string().min(1),
    e: z.string().min(1),
    d: z.string().min(1),
    p: z.string().min(1),
    q: z.string().min(1),
    dp: z.string().min(1),
    dq: z.string().min(1),
    qi: z.string().min(1),
  }),
});
type KeyFile = z.infer<typeof KeyFileSchema>;

function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}

async function readKeyFile(file: string): Promise<KeyFile | undefined> {
  // A writer on a filesystem without hard links (the 'wx' fallback) may be mid-write: retry briefly.
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new PlatformError(`cannot read the local signing key ${file}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      throw new PlatformError(`the local signing key ${file} is not valid JSON: delete it to create a new one`);
    }
    const parsed = KeyFileSchema.safeParse(json);
    if (!parsed.success) throw new PlatformError(`the local signing key ${file} is not an RS256 JWK key file: delete it to create a new one`);
    return parsed.data;
  }
}

async function createKeyFile(file: string): Promise<void> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const publicJwk = { kty: 'RSA', n: jwk.n, e: jwk.e };
  const content: KeyFile = {
    kid: await calculateJwkThumbprint(publicJwk),
    alg: SIGNING_ALGORITHM,
    createdAt: new Date().toISOString(),
    privateKey: KeyFileSchema.shape.privateKey.parse(jwk),
  };
  const text = `${JSON.stringify(content, null, 2)}\n`;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write the whole file under a temporary name, then link it into place: link fails if another
  // process created the key first, so every process ends up using the same, complete key.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return;
    if (!isErrno(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV')) throw error;
    // No hard links here: create the file exclusively instead.
    try {
      await fs.writeFile(file, text, { mode: 0o600, flag: 'wx' });
    } catch (writeError) {
      if (!isErrno(writeError, 'EEXIST')) throw writeError;
    }
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/**
 * Returns the local signing key kept at `<dataDir>/auth/signing-key.json` (a private RSA JWK,
 * file mode 0600), creating it on first use. Safe when several processes start at once.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = signingKeyFile(path.resolve(dataDir));
  let content = await readKeyFile(file);
  if (!content) {
    try {
      await createKeyFile(file);
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      throw new PlatformError(`cannot create the local signing key ${file}: ${(error as Error).message}`);
    }
    content = await readKeyFile(file);
    if (!content) throw new PlatformError(`the local signing key ${file} disappeared while it was created`);
  }
  if (process.platform !== 'win32') {
    const { mode } = await fs.stat(file);
    if ((mode & 0o077) !== 0) await fs.chmod(file, 0o600);
  }
  const publicJwk: JWK = { kty: 'RSA', n: content.privateKey.n, e: content.privateKey.e, alg: SIGNING_ALGORITHM, use: 'sig', kid: content.kid };
  const privateKey = await importJWK(content.privateKey, SIGNING_ALGORITHM);
  const publicKey = await importJWK({ kty: 'RSA', n: publicJwk.n, e: publicJwk.e }, SIGNING_ALGORITHM);
  if (privateKey instanceof Uint8Array || publicKey instanceof Uint8Array) throw new PlatformError(`the local signing key ${file} is not an RSA key`);
  return { kid: content.kid, privateKey, publicKey, publicJwk, file };
}

async function keyOf(dataDirOrKey: string | SigningKey): Promise<SigningKey> {
  return typeof dataDirOrKey === 'string' ? loadOrCreateSigningKey(dataDirOrKey) : dataDirOrKey;
}

// Cognito user names accept more, but local names end up in logs, audit records and URLs.
const StaffName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/, 'a staff name is 1-128 letters, digits or . _ @ + - and starts with a letter or digit');
const CustomerId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a customer id is 1-128 letters, digits or . _ - and starts with a letter or digit');

const TokenRequestSchema = z
  .object({
    staff: StaffName.optional(),
    role: z.enum(STAFF_ROLES, { error: `a role is one of ${STAFF_ROLES.join(', ')}` }).optional(),
    customerId: CustomerId.optional(),
    ttlSeconds: z
      .number()
      .int('ttlSeconds is a whole number of seconds')
      .min(1, 'ttlSeconds is at least 1')
      .max(MAX_TOKEN_TTL_SECONDS, `ttlSeconds is at most ${MAX_TOKEN_TTL_SECONDS} (31 days)`)
      .optional(),
  })
  .strict()
  .superRefine((request, context) => {
    if (request.staff !== undefined && request.customerId !== undefined) {
      context.addIssue({ code: 'custom', message: 'give either staff (with role) or customerId, not both' });
    } else if (request.staff === undefined && request.customerId === undefined) {
      context.addIssue({ code: 'custom', message: 'give either staff (with role) or customerId' });
    } else if (request.staff !== undefined && request.role === undefined) {
      context.addIssue({ code: 'custom', path: ['role'], message: `a staff token needs a role (${STAFF_ROLES.join(', ')})` });
    } else if (request.customerId !== undefined && request.role !== undefined) {
      context.addIssue({ code: 'custom', path: ['role'], message: 'a role is for staff tokens only' });
    }
  });

/** A stable, UUID-shaped subject for a user, like Cognito's `sub`. */
function subjectFor(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Issues a signed ID token for a staff user (`cognito:username`, `cognito:groups` [role]) or a
 * customer (`custom:customerId`). `options.now` sets the issue time (tests).
 */
export async function issueToken(dataDirOrKey: string | SigningKey, request: TokenRequest, options: { now?: Date } = {}): Promise<string> {
  const parsed = TokenRequestSchema.safeParse(request);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
    throw new TokenRequestError(`invalid token request: ${reasons.join('; ')}`);
  }
  const { staff, role, customerId, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS } = parsed.data;
  const key = await keyOf(dataDirOrKey);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = staff !== undefined
    ? { 'cognito:username': staff, 'cognito:groups': [role] }
    : { 'cognito:username': customerId, 'custom:customerId': customerId };
  return new SignJWT({ ...claims, token_use: 'id', auth_time: issuedAt })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(staff !== undefined ? subjectFor('staff', staff) : subjectFor('customer', customerId!))
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key.privateKey);
}

function invalidToken(error: unknown): InvalidTokenError {
  const { code, claim, message } = (error ?? {}) as { code?: string; claim?: string; message?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new InvalidTokenError('expired', 'the token has expired');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new InvalidTokenError('bad-signature', 'the token signature is not valid for the local signing key');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return new InvalidTokenError('wrong-issuer', `the token issuer is not ${LOCAL_ISSUER}`);
      if (claim === 'aud') return new InvalidTokenError('wrong-audience', `the token audience is not ${LOCAL_AUDIENCE}`);
      if (claim === 'nbf' || claim === 'iat') return new InvalidTokenError('not-yet-valid', 'the token is not valid yet');
      return new InvalidTokenError('missing-claim', `the token claim ${claim ?? '?'} is missing or invalid`);
    default:
      return new InvalidTokenError('malformed', `the token is malformed${message ? `: ${message}` : ''}`);
  }
}

/**
 * Verifies a local token like the API Gateway JWT authorizer: RS256 signature by the local key,
 * issuer and audience `cis-local`, `exp` present and in the future. Throws InvalidTokenError.
 */
export async function verifyToken(
  dataDirOrKey: string | SigningKey,
  token: string,
  options: { now?: Date; clockToleranceSeconds?: number } = {},
): Promise<LocalIdTokenClaims> {
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new InvalidTokenError('malformed', 'the token is not a signed JWT');
  const key = await keyOf(dataDirOrKey);
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: [SIGNING_ALGORITHM],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: options.clockToleranceSeconds ?? 0,
      ...(options.now ? { currentDate: options.now } : {}),
    });
    return payload as LocalIdTokenClaims;
  } catch (error) {
    throw invalidToken(error);
  }
}
