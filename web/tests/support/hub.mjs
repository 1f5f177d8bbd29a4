// Starts the published agentim binary for the browser tests: a free loopback port, a database of its own (made
// with AGENTIM_PG_ADMIN_URL, schema by `agentim migrate`), an upload folder, production settings. Only loopback.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(new URL('../../..', import.meta.url).pathname);

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'Web-Test-Admin-Pass-1!';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run \`source /tmp/agentim-dev/services.env\` (make services) first`);
  return value;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function psql(adminUrl, sql) {
  execFileSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startHub() {
  const binary = process.env.AGENTIM_BINARY || join(repoRoot, 'artifacts/publish/agentim');
  if (!existsSync(binary)) throw new Error(`no hub binary at ${binary}: run \`make publish\` (or set AGENTIM_BINARY)`);
  const adminUrl = required('AGENTIM_PG_ADMIN_URL');
  const appUrl = new URL(required('DATABASE_URL'));
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(appUrl.hostname)) throw new Error('DATABASE_URL must be on loopback');

  const dbName = `agentim_web_${randomBytes(6).toString('hex')}`;
  psql(adminUrl, `CREATE DATABASE "${dbName}" OWNER "${decodeURIComponent(appUrl.username)}"`);
  appUrl.pathname = `/${dbName}`;
  const uploads = mkdtempSync(join(tmpdir(), 'agentim-web-uploads-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? tmpdir(),
    AGENTIM_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: appUrl.toString(),
    JWT_SECRET: randomBytes(36).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(36).toString('base64url'),
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
    UPLOAD_DIR: uploads,
    // The app makes many API calls per scenario; the limiters have their own tests.
    RATE_LIMITS_ENABLED: 'false',
    // The history test writes 130 messages in a row as one user.
    CLIENT_RATE_LIMIT_MAX: '1000',
    LOG_LEVEL: 'warn',
  };
  // While iterating on the app: serve a fresh web/dist from disk instead of the build embedded in the binary.
  if (process.env.AGENTIM_WEB_TEST_DIR) env.WEB_DIR = process.env.AGENTIM_WEB_TEST_DIR;
  execFileSync(binary, ['migrate'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const baseUrl = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agentim serve exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the hub did not become healthy within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    baseUrl,
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const timer = setTimeout(() => { child.kill('SIGKILL'); r(); }, 15_000);
          child.once('exit', () => { clearTimeout(timer); r(); });
        });
      }
      try {
        psql(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } catch (e) {
        console.error(`cleanup: could not drop ${dbName}: ${e.message}`);
      }
      rmSync(uploads, { recursive: true, force: true });
    },
  };
}

/** REST helper for setup steps (creating users, adding members) that are not what a scenario is about. */
export async function rest(baseUrl, method, path, token, body) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return json;
}

export async function login(baseUrl, username, password) {
  const body = await rest(baseUrl, 'POST', '/api/auth/login', null, { username, password });
  return body.data;
}
