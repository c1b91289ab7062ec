/**
 * The API client of the web apps: same-origin fetch with the session's bearer token, JSON in and
 * out, and errors that say what happened (the API's `message` and `code`; 401 = session expired,
 * 403 = not allowed, e.g. another customer's account).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The token is missing, expired or invalid: the user signs in again. */
export class SessionExpired extends ApiError {
  override name = 'SessionExpired';
  constructor() {
    super(401, 'Your session expired. Please sign in again.', 'SessionExpired');
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T>;
  /** A binary resource (a bill PDF) as a Blob. */
  blob(path: string): Promise<Blob>;
  /** PUT, PATCH or DELETE with an optional JSON body (autopay enrollment, preferences). */
  send<T>(method: 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

export interface ApiClientOptions {
  /** Origin and prefix of the API; '' = same origin. */
  baseUrl: string;
  token: () => string | undefined;
  /** Called once a request answers 401, before the SessionExpired error is thrown. */
  onSessionExpired: () => void;
  fetch?: typeof fetch;
}

async function errorOf(response: Response): Promise<ApiError> {
  if (response.status === 401) return new SessionExpired();
  let body: { message?: unknown; code?: unknown } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const message = typeof body?.message === 'string' ? body.message : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message, typeof body?.code === 'string' ? body.code : undefined, body);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const token = options.token();
    if (!token) {
      options.onSessionExpired();
      throw new SessionExpired();
    }
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'The service cannot be reached. Check your connection and try again.', 'NetworkError');
    }
    if (!response.ok) {
      const error = await errorOf(response);
      if (error instanceof SessionExpired) options.onSessionExpired();
      throw error;
    }
    return response;
  }
  return {
    async get<T>(path: string) {
      return (await (await request('GET', path)).json()) as T;
    },
    async post<T>(path: string, body: unknown, headers?: Record<string, string>) {
      const response = await request('POST', path, body, headers);
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async blob(path: string) {
      return (await request('GET', path)).blob();
    },
    async send<T>(method: 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>) {
      const text = await (await request(method, path, body, headers)).text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** A new Idempotency-Key for a request that moves money (reused when the same form is retried). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
