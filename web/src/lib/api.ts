// The REST client: the contract's envelope ({ok, data} / {ok:false, error}), the bearer token, and one silent
// refresh (the HttpOnly refresh cookie) when a call answers 401.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

type TokenListener = (token: string | null) => void;

let accessToken: string | null = null;
let refreshing: Promise<string | null> | null = null;
const tokenListeners = new Set<TokenListener>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of tokenListeners) listener(token);
}

export function onTokenChange(listener: TokenListener): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

/** Trades the refresh cookie for a new access token; concurrent callers share one request (rotation allows one). */
export function refreshAccessToken(): Promise<string | null> {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      if (!response.ok) {
        setAccessToken(null);
        return null;
      }
      const body = (await response.json()) as { ok: boolean; data?: { accessToken: string } };
      const token = body.data?.accessToken ?? null;
      setAccessToken(token);
      return token;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  /** Skips the bearer token and the refresh retry (login, refresh). */
  anonymous?: boolean;
}

async function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token && !options.anonymous) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.form) {
    body = options.form;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(path, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin' });
}

/** Full envelope (for routes with top-level extras such as `total` or `pagination`). */
export async function requestEnvelope<T>(path: string, options: RequestOptions = {}): Promise<{ data: T } & Record<string, unknown>> {
  let response = await send(path, options, accessToken);
  if (response.status === 401 && !options.anonymous) {
    const token = await refreshAccessToken();
    if (token) response = await send(path, options, token);
  }
  const text = await response.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok || !parsed || parsed.ok === false) {
    const message = typeof parsed?.error === 'string' ? parsed.error : text || `HTTP ${response.status}`;
    throw new ApiError(response.status, message, parsed?.fields as ApiError['fields']);
  }
  return parsed as { data: T } & Record<string, unknown>;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestEnvelope<T>(path, options)).data;
}

/** Adds the access token to an /uploads URL: an <img> cannot send a header (rest-api.md §9.1). */
export function uploadUrl(url: string): string {
  if (!url.startsWith('/uploads/')) return '';
  const token = accessToken;
  return token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

/** Human text for an error thrown by api(). */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fields?.map((f) => `${f.field}: ${f.message}`).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
