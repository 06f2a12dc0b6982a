// Universal Login in a real browser: a single-page app on @auth0/auth0-spa-js, unmodified,
// signs a new user up, the user verifies the email and resets the password from the emails a
// real SMTP receiver on loopback gets, logs in identifier first in German, is blocked after ten
// wrong passwords and unblocked through the Management API, and logs in with JavaScript off.
// axe-core checks every screen on the way: no serious or critical violation.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { DATABASE, management, random, startServer } from './support/harness.js';
import { decodeQuotedPrintable, startSmtp } from './support/smtp.js';
import { launchChromium, openApp, startApp, watchedPage } from './support/spa.js';

const require = createRequire(import.meta.url);
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let smtp;
let server;
let api;
let app;
let browser;
let spa;
let axeSource;

before(async () => {
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  smtp = await startSmtp();
  server = await startServer({ env: { AUTHHERO_SMTP_URL: smtp.url } });
  api = management(server);
  app = await startApp(server, () => spa.client_id);
  spa = await api.request('POST', 'clients', {
    name: `Login SPA ${random(4)}`,
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    callbacks: [`${app.origin}/`],
    web_origins: [app.origin],
    allowed_origins: [app.origin],
    allowed_logout_urls: [`${app.origin}/`],
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  app?.listener.close();
  await server?.stop();
  await smtp?.stop();
});

/** axe-core on the page as it is: every serious or critical violation, by rule and target. */
async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const { passes, violations } = await page.evaluate(async () => {
    const results = await window.axe.run(document);
    return { passes: results.passes.length, violations: results.violations };
  });
  // A page axe could not read would pass with nothing checked.
  assert.ok(passes > 5, `axe checked only ${passes} rules on ${page.url()}`);
  return violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** Checks the screen the page shows, naming it in the failure. */
async function accessible(page, screen) {
  assert.deepEqual(await accessibilityProblems(page), [], `${screen} (${page.url()})`);
}

/** The link to `path` in the newest mail to `email` that has one. */
async function linkIn(email, path) {
  const message = await smtp.next(email, (m) => decodeQuotedPrintable(m.data).includes(path));
  const text = decodeQuotedPrintable(message.data);
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const link = text.match(new RegExp(`https?://[^\\s"<>]*${escaped}[^\\s"<>]*`));
  assert.ok(link, text);
  return link[0].replace(/&amp;/g, '&');
}

/** Submits the page's form and waits for the page that answers it to load. */
async function submit(page) {
  await Promise.all([page.waitForEvent('load'), page.click('button[type=submit]')]);
}

async function backAtTheApp(page) {
  await page.waitForURL((url) => url.origin === app.origin);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  return page.evaluate(async () => {
    await window.client.handleRedirectCallback();
    return window.client.getUser();
  });
}

test('a new user signs up, verifies the email, resets the password and logs in with it', async () => {
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  const email = `new-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  await openApp(page, app);
  await Promise.all([
    page.waitForURL(/\/u\/signup\?state=/),
    page.evaluate(() => window.client.loginWithRedirect({ authorizationParams: { screen_hint: 'signup' } })),
  ]);
  await accessible(page, 'signup');
  await page.fill('#email', email);
  await page.fill('#password', 'short');
  await submit(page);
  assert.match(await page.textContent('#password-error'), /does not meet the requirements/);
  await accessible(page, 'signup, weak password');
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  const signedUp = await backAtTheApp(page);
  assert.equal(signedUp?.email, email, JSON.stringify(signedUp));

  const verification = await linkIn(email, '/u/email-verification');
  await page.goto(verification);
  assert.equal(await page.textContent('h1'), 'Email verified');
  await accessible(page, 'email verified');
  const [stored] = await api.request('GET', `users-by-email?email=${encodeURIComponent(email)}`);
  assert.equal(stored.email_verified, true, JSON.stringify(stored));

  // Forgot password: from the login screen, as a user would find it once logged out.
  await openApp(page, app);
  await Promise.all([
    page.waitForURL((url) => url.origin === app.origin && !url.search),
    page.evaluate(() => window.client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } })),
  ]);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await Promise.all([page.waitForURL(/\/u\/login\?state=/), page.evaluate(() => window.client.loginWithRedirect())]);
  await accessible(page, 'login');
  await Promise.all([page.waitForURL(/\/u\/reset-password\/request/), page.click('text=Forgot password?')]);
  await accessible(page, 'reset request');
  await page.fill('#email', email);
  await submit(page);
  assert.equal(await page.textContent('h1'), 'Check your email');
  await accessible(page, 'reset email sent');
  const reset = await linkIn(email, '/u/reset-password?ticket=');
  await page.goto(reset);
  await accessible(page, 'new password');
  const newPassword = `Pw2-${random(12)}`;
  await page.fill('#password', newPassword);
  await page.fill('#confirm', `${newPassword}x`);
  await submit(page);
  assert.match(await page.textContent('#confirm-error'), /do not match/);
  await accessible(page, 'new password, mismatch');
  await page.fill('#password', newPassword);
  await page.fill('#confirm', newPassword);
  await submit(page);
  assert.equal(await page.textContent('h1'), 'Password changed');
  await accessible(page, 'password changed');

  await openApp(page, app);
  await Promise.all([page.waitForURL(/\/u\/login\?state=/), page.evaluate(() => window.client.loginWithRedirect())]);
  await page.fill('#username', email);
  await page.fill('#password', password);
  await submit(page);
  assert.equal(await page.textContent('#form-error'), 'Wrong email or password.');
  await accessible(page, 'login, wrong password');
  await page.fill('#password', newPassword);
  await page.click('button[type=submit]');
  const again = await backAtTheApp(page);
  assert.equal(again?.email, email);
  assert.deepEqual(refusals, [], 'the browser refused content under the pages’ policy');
  await context.close();
});

test('identifier first, in German, from ui_locales', async () => {
  const email = `de-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  await api.request('POST', 'users', { connection: DATABASE, email, password, email_verified: true });
  await api.request('PATCH', 'prompts', { identifier_first: true });
  const context = await browser.newContext();
  try {
    const { page, refusals } = await watchedPage(context);
    await openApp(page, app);
    await Promise.all([
      page.waitForURL(/\/u\/login\/identifier/),
      page.evaluate(() => window.client.loginWithRedirect({ authorizationParams: { ui_locales: 'de' } })),
    ]);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.equal(await page.textContent('label[for=username]'), 'E-Mail-Adresse oder Benutzername');
    await accessible(page, 'identifier (de)');
    await page.fill('#username', email);
    await Promise.all([page.waitForURL(/\/u\/login\/password/), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('#identifier'), email);
    await accessible(page, 'password (de)');
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    const user = await backAtTheApp(page);
    assert.equal(user?.email, email);
    assert.deepEqual(refusals, []);
  } finally {
    await api.request('PATCH', 'prompts', { identifier_first: false });
    await context.close();
  }
});

test('a user logs in with a code sent by email', async () => {
  await api.request('POST', 'connections', { name: 'email', strategy: 'email', enabled_clients: [spa.client_id] });
  const email = `code-${random(4).toLowerCase()}@e2e.example.com`;
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  await openApp(page, app);
  await Promise.all([
    page.waitForURL(/\/u\/login\/email\?state=/),
    page.evaluate(() => window.client.loginWithRedirect({ authorizationParams: { connection: 'email' } })),
  ]);
  await accessible(page, 'email for a code');
  await page.fill('#email', email);
  await Promise.all([page.waitForURL(/\/u\/login\/email-code/), page.click('button[type=submit]')]);
  await accessible(page, 'email code');
  const message = await smtp.next(email);
  const code = decodeQuotedPrintable(message.data).match(/\b\d{6}\b/)?.[0];
  assert.ok(code, message.data);
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await submit(page);
  assert.match(await page.textContent('#code-error'), /wrong or has expired/);
  await accessible(page, 'email code, wrong');
  await page.fill('#code', code);
  await page.click('form[action="/u/login/email-code"] button[type=submit]');
  const user = await backAtTheApp(page);
  assert.equal(user?.email, email, JSON.stringify(user));
  assert.equal(user?.email_verified, true);
  assert.deepEqual(refusals, []);
  await context.close();
});

test('auth0-spa-js renews with refresh tokens after a login through the pages', async () => {
  const email = `refresh-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  await api.request('POST', 'users', { connection: DATABASE, email, password, email_verified: true });
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  await openApp(page, app, '?refresh');
  await Promise.all([page.waitForURL(/\/u\/login\?state=/), page.evaluate(() => window.client.loginWithRedirect())]);
  await page.fill('#username', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.origin === app.origin);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  await page.evaluate(() => window.client.handleRedirectCallback());
  const renewed = await page.evaluate(() =>
    window.client.getTokenSilently({ cacheMode: 'off', detailedResponse: true }).then(
      (answer) => ({ ok: true, idToken: Boolean(answer.id_token) }),
      (error) => ({ ok: false, error: String(error?.error ?? error), description: String(error?.error_description ?? '') }),
    ),
  );
  assert.deepEqual(renewed, { ok: true, idToken: true }, JSON.stringify(renewed));
  // The renewal was a refresh token exchange (the SDK runs it in a worker): the server logged
  // it (`sertft`) for this application.
  const q = encodeURIComponent(`type:sertft AND client_id:"${spa.client_id}"`);
  let exchanges = [];
  for (let tries = 0; tries < 50 && exchanges.length === 0; tries += 1) {
    exchanges = await api.request('GET', `logs?q=${q}`);
    if (exchanges.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(exchanges.length > 0, 'no refresh token exchange was logged');
  assert.equal((await page.evaluate(() => window.client.getUser()))?.email, email);
  assert.deepEqual(refusals, []);
  await context.close();
});

/** The login page of a fresh /authorize for the SPA, straight from the server. */
function authorizeUrl() {
  const url = new URL('/authorize', server.origin);
  url.search = new URLSearchParams({
    client_id: spa.client_id,
    response_type: 'code',
    redirect_uri: `${app.origin}/`,
    scope: 'openid',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

test('ten wrong passwords block the login until the Management API unblocks it', async () => {
  const email = `blocked-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  await api.request('POST', 'users', { connection: DATABASE, email, password, email_verified: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(authorizeUrl());
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await page.fill('#username', email);
    await page.fill('#password', `wrong-${attempt}`);
    await submit(page);
  }
  await page.fill('#username', email);
  await page.fill('#password', password);
  await submit(page);
  assert.match(await page.textContent('#form-error'), /blocked after multiple consecutive login attempts/);
  await accessible(page, 'login, blocked');
  // The user was mailed a link to unblock themselves; here the Management API does it.
  assert.ok(await linkIn(email, '/u/unblock?ticket='));

  await api.request('DELETE', `user-blocks?identifier=${encodeURIComponent(email)}`);
  await page.fill('#username', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((url) => url.origin === app.origin), page.click('button[type=submit]')]);
  assert.ok(new URL(page.url()).searchParams.get('code'), page.url());
  await context.close();
});

test('a login works with JavaScript disabled', async () => {
  const email = `nojs-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  await api.request('POST', 'users', { connection: DATABASE, email, password, email_verified: true });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(authorizeUrl());
  await page.fill('#username', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((url) => url.origin === app.origin), page.click('button[type=submit]')]);
  assert.ok(new URL(page.url()).searchParams.get('code'), page.url());
  await context.close();
});

test('an expired login and an unknown client get pages that pass axe', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const expired = await page.goto(`${server.origin}/u/login?state=default.gone`);
  assert.equal(expired.status(), 400);
  assert.match(await page.textContent('#message'), /expired/);
  await accessible(page, 'expired login');
  const unknown = await page.goto(`${server.origin}/authorize?client_id=nobody&response_type=code`);
  assert.equal(unknown.status(), 400);
  await accessible(page, 'unknown client');
  await context.close();
});
