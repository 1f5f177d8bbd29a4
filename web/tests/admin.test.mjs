// Browser tests of the admin, agents and tasks pages: the published hub binary, a scripted test gateway, Debian's
// headless Chromium. One hub for the file; the scenarios run in order (the admin signs in once).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openBrowser, signInThroughUi } from './support/browser.mjs';
import { eventually } from './support/eventually.mjs';
import { TestGateway } from './support/gateway.mjs';
import { ADMIN_PASSWORD, ADMIN_USERNAME, login, rest, startHub } from './support/hub.mjs';

describe('admin, agents and tasks pages in Chromium against the published hub', () => {
  let hub;
  let admin;
  let gateway;
  let browser;
  let page;

  before(async () => {
    hub = await startHub();
    admin = await login(hub.baseUrl, ADMIN_USERNAME, ADMIN_PASSWORD);
    gateway = new TestGateway(hub.baseUrl, admin.accessToken, 'helper-bot');
    await gateway.connect();
    browser = await openBrowser(hub.baseUrl);
    page = browser.page;
    await signInThroughUi(page, ADMIN_USERNAME, ADMIN_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    gateway?.close();
    await hub?.stop();
  });

  it('an admin creates a user on the users page, who then signs in and cannot open the admin pages', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await page.locator('tr[data-username="admin"]').waitFor();

    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Username').fill('carol');
    await form.getByLabel('Display name (optional)').fill('Carol Ops');
    await form.getByLabel('Initial password').fill('weakpassword');
    await form.getByRole('button', { name: 'Create user' }).click();
    // The hub refuses a password without an uppercase letter and a digit; the message stands beside the field.
    await form.locator('#new-password-error').waitFor();
    assert.equal(await form.getByLabel('Initial password').getAttribute('aria-invalid'), 'true');

    await form.getByLabel('Initial password').fill('Carol-Pass-42');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'carol was created' }).waitFor();
    const row = page.locator('tr[data-username="carol"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Carol Ops/);
    await browser.screenshot('20-admin-users');

    // Role change and password reset from the row.
    await row.getByLabel('Role of carol').selectOption('admin');
    await page.getByRole('status').filter({ hasText: 'carol is now admin' }).waitFor();
    await row.getByLabel('Role of carol').selectOption('user');
    await page.getByRole('status').filter({ hasText: 'carol is now user' }).waitFor();
    await row.getByRole('button', { name: 'Reset password' }).click();
    await row.getByLabel('New password for carol').fill('Carol-Reset-77');
    await row.getByRole('button', { name: 'Set' }).click();
    await page.getByRole('status').filter({ hasText: "carol's password was reset" }).waitFor();

    const carol = await openBrowser(hub.baseUrl);
    try {
      await signInThroughUi(carol.page, 'carol', 'Carol-Reset-77');
      const nav = carol.page.getByRole('navigation', { name: 'Rooms and navigation' });
      await nav.getByRole('link', { name: 'Agents' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'Users', exact: true }).count(), 0, 'a plain user sees no admin entry');
      await carol.page.goto('/admin/users');
      await carol.page.getByRole('heading', { name: 'Admins only' }).waitFor();
      await carol.screenshot('21-admins-only');

      // Disabled from the admin page: carol's open page is signed out and she cannot sign in; enabled, she can.
      await row.getByRole('button', { name: 'Disable carol' }).click();
      await page.getByRole('status').filter({ hasText: 'carol is disabled' }).waitFor();
      await row.locator('.pill.disabled').waitFor();
      await carol.page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
      await carol.page.getByLabel('Username').fill('carol');
      await carol.page.getByLabel('Password').fill('Carol-Reset-77');
      await carol.page.getByRole('button', { name: 'Sign in' }).click();
      await carol.page.getByRole('alert').waitFor();
      assert.equal(await carol.page.locator('.conn').count(), 0, 'a disabled user stays signed out');
      await row.getByRole('button', { name: 'Enable carol' }).click();
      await page.getByRole('status').filter({ hasText: 'carol is enabled again' }).waitFor();
      assert.equal(await row.locator('.pill.disabled').count(), 0);
      await signInThroughUi(carol.page, 'carol', 'Carol-Reset-77');
      assert.deepEqual(carol.outside, []);
    } finally {
      await carol.close();
    }
  });

  it('runtime settings: grouped typed inputs, an error shown at its field, a valid change saved', async () => {
    await page.getByRole('link', { name: 'Runtime', exact: true }).click();
    await page.getByRole('heading', { name: 'Runtime settings' }).waitFor();
    await page.getByRole('group', { name: 'Rate limits' }).waitFor();
    const max = page.locator('[data-key="rateLimit.client.max"]');
    assert.equal(await max.getAttribute('type'), 'number');
    assert.equal(await page.locator('[data-key="log.level"]').evaluate((e) => e.tagName), 'SELECT');
    assert.equal(await page.locator('[data-key="trust.proxy"]').getAttribute('type'), 'checkbox');

    await max.fill('5000');
    await page.locator('#setting-rateLimit-client-max-error').filter({ hasText: 'Maximum is 1000' }).waitFor();
    assert.equal(await max.getAttribute('aria-invalid'), 'true');

    await max.fill('45');
    assert.equal(await page.locator('#setting-rateLimit-client-max-error').count(), 0);
    // A value only the hub can refuse: a wildcard CORS origin; its message lands beside that field.
    await page.locator('[data-key="cors.origin"]').fill('*');
    await page.getByRole('button', { name: /^Save/ }).click();
    const corsError = page.locator('#setting-cors-origin-error');
    await corsError.waitFor();
    await browser.screenshot('22-admin-settings-error');

    await page.locator('[data-key="cors.origin"]').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.getByRole('status').filter({ hasText: /Saved \d setting/ }).waitFor();
    const { data } = await rest(hub.baseUrl, 'GET', '/api/admin/settings', admin.accessToken);
    const all = Object.values(data).flat();
    assert.equal(all.find((s) => s.key === 'rateLimit.client.max').value, '45');
    assert.equal(all.find((s) => s.key === 'cors.origin').value, 'http://127.0.0.1:9');
    await browser.screenshot('23-admin-settings');
  });

  it('the capacity page shows live numbers: connections rise when a second tab connects', async () => {
    await page.getByRole('link', { name: 'Capacity', exact: true }).click();
    await page.getByRole('heading', { name: 'Capacity', exact: true }).waitFor();
    const connections = page.locator('[data-metric="connections"] [data-value]');
    await connections.waitFor();
    const before = Number(await connections.innerText());
    assert.ok(before >= 2, `the page's own socket and the test gateway are counted (saw ${before})`);
    assert.equal(await page.locator('[data-metric="gateways"] [data-value]').innerText(), '1 / 1');
    await page.locator('.tier[data-tier="0"]').getByText('≤ 10 users tier').first().waitFor();
    assert.match(await page.locator('[data-next-tier]').innerText(), /more connection/);

    const second = await browser.context.newPage();
    try {
      await second.goto('/');
      await second.locator('.conn[data-state="online"]').waitFor({ timeout: 20_000 });
      await eventually(async () => Number(await connections.innerText()) >= before + 1, 'the connection count to rise');
      // The sparkline has drawn more than one point by now.
      const path = await page.locator('[data-metric="connections"] path.line').getAttribute('d');
      assert.ok(path.split('L').length >= 2, `a line with several points (got ${path})`);
      await browser.screenshot('24-admin-capacity');
    } finally {
      await second.close();
    }
    await eventually(async () => Number(await connections.innerText()) === before, 'the count to fall back when the tab closes');
  });

  it('the agents page lists the gateway agent, changes its visibility and spawns one on the gateway', async () => {
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
    const row = page.locator('tr[data-agent="helper-bot"]');
    await row.locator('.pill.online').waitFor();

    await row.getByLabel('Who can use helper-bot').selectOption('all');
    await page.getByRole('status').filter({ hasText: 'helper-bot is now visible to: Everyone' }).waitFor();
    const { data: agent } = await rest(hub.baseUrl, 'GET', `/api/agents/${gateway.agentId}`, admin.accessToken);
    assert.equal(agent.visibility, 'all');

    const spawn = page.getByRole('form', { name: 'Spawn an agent' });
    await spawn.getByLabel('Type').selectOption('generic');
    await spawn.getByLabel('Name').fill('spawned-one');
    await spawn.getByRole('button', { name: 'Spawn' }).click();
    const request = await gateway.next((f) => f.type === 'server:spawn_agent');
    assert.equal(request.name, 'spawned-one');
    assert.equal(request.agentType, 'generic');
    gateway.send({ type: 'gateway:spawn_result', requestId: request.requestId, success: true, agentId: 'agent_spawned1' });
    await page.getByRole('status').filter({ hasText: 'The gateway started the agent' }).waitFor();
    await browser.screenshot('25-agents');
  });

  it('a room links to its tasks; a task is created and its status changed', async () => {
    const { data: room } = await rest(hub.baseUrl, 'POST', '/api/rooms', admin.accessToken, { name: 'Release train' });
    await page.goto(`/rooms/${room.id}`);
    await page.getByRole('heading', { name: 'Release train' }).waitFor();
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('heading', { name: 'Tasks of Release train' }).waitFor();
    await page.getByText('No open tasks.').waitFor();

    const form = page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Task title').fill('Write the release notes');
    await form.getByLabel('Description (optional)').fill('Cover the admin pages.');
    await form.getByLabel('Due (optional)').fill('2027-01-15');
    await form.getByRole('button', { name: 'Add task' }).click();
    const task = page.locator('li[data-task="Write the release notes"]');
    await task.waitFor();
    assert.equal(await task.getAttribute('data-status'), 'pending');

    await task.getByLabel('Status of Write the release notes').selectOption('in_progress');
    await page.locator('li[data-task="Write the release notes"][data-status="in_progress"]').waitFor();
    const { data: tasks } = await rest(hub.baseUrl, 'GET', `/api/tasks/rooms/${room.id}`, admin.accessToken);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].status, 'in_progress');
    assert.match(tasks[0].dueDate, /^2027-01-1[56]T.*Z$/);
    await browser.screenshot('26-room-tasks');

    await task.getByLabel('Status of Write the release notes').selectOption('completed');
    await page.getByText('No open tasks.').waitFor();
    await page.getByRole('button', { name: /^All/ }).click();
    await page.locator('li[data-task="Write the release notes"][data-status="completed"]').waitFor();
  });

  it('the pages fit a phone-sized screen and make no outside requests', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto('/admin/capacity');
    await page.locator('[data-metric="connections"] [data-value]').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await browser.screenshot('27-capacity-phone');
    await page.goto('/admin/users');
    await page.locator('tr[data-username="carol"]').waitFor();
    await browser.screenshot('28-users-phone');
    assert.deepEqual(browser.outside, []);
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
