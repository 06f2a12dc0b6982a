// The end-to-end harness: starts the real authhero-server binary on a free port with a fresh
// SQLite file, drives the login form over HTTP like a browser (manual redirects, a cookie jar),
// and calls the Management API with the bootstrap admin client to create test fixtures.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The connection every database user lives in. */
export const DATABASE = 'Username-Password-Authentication';

const STARTUP_TIMEOUT_MS = 20_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** A random printable string, for secrets, passwords and unique names. */
export function random(bytes = 12) {
  return randomBytes(bytes).toString('base64url');
}

/** A TCP port nothing listens on right now (bound to port 0, then released). */
async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `$AUTHHERO_SERVER_BIN` on a fresh database and waits until `/healthz` answers.
 * Call `stop()` (SIGTERM) when done; it resolves with the exit code and signal.
 *
 * `again` restarts on a stopped server's files (its `dir` and `admin`, kept by
 * `stop({ keepFiles: true })`); `env` adds or overrides settings.
 */
export async function startServer({ again, env: extra = {} } = {}) {
  const bin = process.env.AUTHHERO_SERVER_BIN;
  if (!bin) {
    throw new Error(
      'AUTHHERO_SERVER_BIN is not set: run `cargo xtask e2e`, or build authhero-server and point the variable at the binary',
    );
  }
  const dir = again?.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'authhero-e2e-')));
  const port = again?.port ?? (await freePort());
  const host = `localhost:${port}`;
  const admin = again?.admin ?? {
    clientId: `admin-${random(6)}`,
    clientSecret: random(32),
    email: `admin-${random(4).toLowerCase()}@e2e.example.com`,
    password: `Pw1-${random(12)}`,
  };
  const env = {
    ...process.env,
    AUTHHERO_DATABASE_URL: path.join(dir, 'e2e.db'),
    AUTHHERO_SECRET_KEY_FILE: path.join(dir, 'e2e.key'),
    AUTHHERO_LISTEN: `127.0.0.1:${port}`,
    AUTHHERO_ISSUER: `http://${host}/`,
    AUTHHERO_ADMIN_CLIENT_ID: admin.clientId,
    AUTHHERO_ADMIN_CLIENT_SECRET: admin.clientSecret,
    AUTHHERO_ADMIN_EMAIL: admin.email,
    AUTHHERO_ADMIN_PASSWORD: admin.password,
    ...extra,
  };
  delete env.AUTHHERO_CONFIG;
  const child = spawn(bin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const verbose = Boolean(process.env.AUTHHERO_E2E_VERBOSE);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      output += chunk;
      if (verbose) process.stderr.write(chunk);
    });
  }
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
  let status = null;
  exited.then((result) => {
    status = result;
  });

  const origin = `http://${host}`;
  const server = {
    port,
    host,
    origin,
    issuer: `${origin}/`,
    /** Auth0's convention: https, whatever the issuer's scheme. */
    managementAudience: `https://${host}/api/v2/`,
    admin,
    dir,
    /** Everything the server printed so far. */
    output: () => output,
    /**
     * SIGTERM, then the exit status (a SIGKILL after a timeout is reported as such). The
     * database and key file are removed unless `keepFiles`.
     */
    async stop({ keepFiles = false } = {}) {
      if (!status) {
        child.kill('SIGTERM');
        const timer = new AbortController();
        const timeout = sleep(SHUTDOWN_TIMEOUT_MS, 'timeout', { signal: timer.signal }).catch(() => 'exited');
        const first = await Promise.race([exited, timeout]);
        timer.abort();
        if (first === 'timeout') {
          child.kill('SIGKILL');
          await exited;
          status = { code: null, signal: 'SIGKILL', timedOut: true };
        }
      }
      if (!keepFiles) await rm(dir, { recursive: true, force: true });
      return status;
    },
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (status) {
      if (!again) await rm(dir, { recursive: true, force: true });
      const why = status.error ? status.error.message : `exit ${status.code ?? status.signal}`;
      throw Object.assign(new Error(`authhero-server stopped during start-up (${why}):\n${output}`), {
        status,
        output,
      });
    }
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`authhero-server did not answer /healthz within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    }
    await sleep(50);
  }
  return server;
}

/**
 * A `fetch` for the auth0 SDK, which always builds `https://<domain>` URLs: requests to the
 * local server are sent over plain http instead. Everything else passes through untouched.
 */
export function plainHttpFetch(server) {
  const secure = `https://${server.host}/`;
  const plain = `${server.origin}/`;
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(secure)) {
      const rewritten = plain + url.slice(secure.length);
      return fetch(input instanceof Request ? new Request(rewritten, input) : rewritten, init);
    }
    return fetch(input, init);
  };
}

/** The claims of a JWT, unverified (for looking; the libraries verify). */
export function decodeJwt(jwt) {
  const [, payload] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

// ---------------------------------------------------------------------------------------------
// A browser, as much as the login flow needs.

/** Cookies by name, set by `Set-Cookie` and sent back as one `Cookie` header. */
export class CookieJar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at < 1) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(attribute));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  has(name) {
    return this.#cookies.has(name);
  }

  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Sends requests without following redirects, carrying cookies. */
export class Browser {
  jar = new CookieJar();

  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header();
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.jar.store(response);
    return response;
  }

  get(url) {
    return this.request(url);
  }

  post(url, fields) {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  }
}

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity.toLowerCase()];
    if (named) return named;
    const code = entity[1].toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

function attributes(tag) {
  const found = {};
  for (const match of tag.matchAll(/([^\s=<>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    found[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

/** The first `<form>` of a page: its method, action and the values of its hidden inputs. */
export function parseForm(html) {
  const form = html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) throw new Error(`no <form> in the page:\n${html.slice(0, 2000)}`);
  const { method = 'get', action = '' } = attributes(form[0].match(/<form\b[^>]*>/i)[0]);
  const hidden = {};
  const inputs = [];
  for (const [tag] of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const input = attributes(tag);
    inputs.push(input);
    if ((input.type ?? 'text').toLowerCase() === 'hidden' && input.name) hidden[input.name] = input.value ?? '';
  }
  return { method: method.toLowerCase(), action, hidden, inputs };
}

/**
 * Runs a login in a fresh browser: opens `authorizationUrl`, follows the server's redirects to
 * the login page, fills the fields its form asks for (`username`, `password`, or each on its
 * own screen when the tenant logs in identifier first) next to the form's hidden `state` and
 * `csrf`, posts it with the login cookie, and follows redirects until one leaves the server.
 *
 * Resolves with `{ callback }` (a URL off the server, e.g. the client's redirect_uri) or
 * `{ page }` (the last response when the chain ended on the server, with its `body` text).
 */
export async function logIn(server, authorizationUrl, { username, password }, browser = new Browser()) {
  let response = await browser.get(authorizationUrl);
  let url = new URL(authorizationUrl);
  ({ response, url } = await followOnServer(server, browser, response, url));
  if (response.callback) return response;
  let body = await response.text();
  if (response.status !== 200) {
    throw new Error(`expected the login page, got ${response.status} at ${url}:\n${body.slice(0, 2000)}`);
  }
  // The identifier screen leads to the password screen: at most two forms.
  for (let screen = 0; screen < 2; screen += 1) {
    const form = parseForm(body);
    for (const name of ['state', 'csrf']) {
      if (!(name in form.hidden)) throw new Error(`the login form has no hidden "${name}" input:\n${body}`);
    }
    const asks = (name) => form.inputs.some((input) => input.name === name && input.type !== 'hidden');
    const fields = { ...form.hidden };
    if (asks('username')) fields.username = username;
    if (asks('password')) fields.password = password;
    const target = new URL(form.action || url.href, url);
    if (form.method !== 'post') throw new Error(`the login form uses ${form.method}, not post`);
    response = await browser.post(target, fields);
    ({ response, url } = await followOnServer(server, browser, response, target));
    if (response.callback) return response;
    body = await response.text();
    if (asks('password') || response.status !== 200) break;
  }
  return { page: { status: response.status, headers: response.headers, body, url } };
}

/** A short description of a page the flow stopped on: its status and the error it shows. */
export function describePage(page) {
  if (!page) return 'no page';
  const shown = page.body.match(/<p[^>]*class="(?:alert|field-error)"[^>]*>([\s\S]*?)<\/p>/i)?.[1];
  const text = shown ?? page.body.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  return `${page.status} at ${page.url?.pathname ?? '?'}: ${decodeEntities(text).trim().slice(0, 300)}`;
}

/** Follows redirects that stay on the server; stops at a redirect elsewhere (the callback). */
async function followOnServer(server, browser, response, url) {
  for (let hops = 0; hops < 10; hops += 1) {
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { response, url };
    const next = new URL(location, url);
    if (next.origin !== server.origin) {
      return { response: { callback: next, status: response.status, headers: response.headers }, url };
    }
    url = next;
    response = await browser.get(url);
  }
  throw new Error(`more than 10 redirects from ${url}`);
}

// ---------------------------------------------------------------------------------------------
// The Management API over plain fetch, for fixtures (the SDK tests use the auth0 SDK instead).

/** An error answer of the Management API, with the request that caused it. */
export class ManagementError extends Error {
  constructor(method, url, status, body) {
    super(`Management API ${method} ${url} answered ${status}: ${body.slice(0, 500)}`);
    this.status = status;
    this.body = body;
  }
}

/** `request(method, path, body)` against `/api/v2`, with a client-credentials token. */
export function management(server) {
  let token;
  async function accessToken() {
    if (token) return token;
    const response = await fetch(`${server.origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: server.admin.clientId,
        client_secret: server.admin.clientSecret,
        audience: server.managementAudience,
      }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Management API token: ${response.status} ${text}`);
    token = JSON.parse(text).access_token;
    return token;
  }
  async function request(method, resource, body) {
    const url = `${server.origin}/api/v2/${resource.replace(/^\//, '')}`;
    const headers = { authorization: `Bearer ${await accessToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new ManagementError(method, url, response.status, text);
    return text ? JSON.parse(text) : undefined;
  }
  return { request, accessToken };
}
