// Browser tests of the embedded web app: the published hub binary, a scripted test gateway, Debian's headless
// Chromium. One hub for the file; the scenarios run in order and build on each other (a room, then an agent in it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { openBrowser, signInThroughUi } from './support/browser.mjs';
import { eventually } from './support/eventually.mjs';
import { TestClient } from './support/client.mjs';
import { TestGateway } from './support/gateway.mjs';
import { ADMIN_PASSWORD, ADMIN_USERNAME, login, rest, startHub } from './support/hub.mjs';

const AGENT = 'echo-bot';

/** A small gradient PNG, made here so the test needs no fixture file. */
function makePng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      rows[o] = Math.round((255 * x) / width);
      rows[o + 1] = Math.round((255 * y) / height);
      rows[o + 2] = 200;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('web app in Chromium against the published hub', () => {
  let hub;
  let admin;
  let gateway;
  let browser;
  let page;
  let roomId;
  const relay = { hold: false, current: null };

  before(async () => {
    hub = await startHub();
    admin = await login(hub.baseUrl, ADMIN_USERNAME, ADMIN_PASSWORD);
    gateway = new TestGateway(hub.baseUrl, admin.accessToken, AGENT);
    await gateway.connect();
    browser = await openBrowser(hub.baseUrl);
    page = browser.page;
    // The page's /ws/client goes through a relay the tests can cut, to drop the connection mid-reply.
    await page.routeWebSocket(/\/ws\/client$/, (ws) => {
      if (relay.hold) {
        ws.close();
        return;
      }
      relay.current = { ws, server: ws.connectToServer() };
    });
  });

  after(async () => {
    await browser?.close();
    gateway?.close();
    await hub?.stop();
  });

  it('signs in, stays signed in across a reload, and shows the shell', async () => {
    await page.goto('/');
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await browser.screenshot('01-sign-in');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();

    await signInThroughUi(page, ADMIN_USERNAME, ADMIN_PASSWORD);
    await page.reload();
    await page.locator('.conn[data-state="online"]').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Sign in' }).count(), 0, 'a reload must not sign the user out');
  });

  it('creates a room from the sidebar and opens it', async () => {
    await page.getByLabel('New room name').fill('Launch plan');
    await page.getByTitle('Create room').click();
    await page.getByRole('heading', { name: 'Launch plan' }).waitFor();
    roomId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    assert.ok(roomId, 'the URL names the room');
    await page.locator('.room-item.active', { hasText: 'Launch plan' }).waitFor();
    await page.getByText('No messages yet').waitFor();
  });

  it('mentions the agent with @-completion and shows its reply arriving in pieces', async () => {
    await rest(hub.baseUrl, 'POST', `/api/rooms/${roomId}/members`, admin.accessToken, { memberId: gateway.agentId, memberType: 'agent' });
    await page.reload();
    await page.getByRole('heading', { name: 'Launch plan' }).waitFor();
    await page.locator('.conn[data-state="online"]').waitFor();
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.click();
    await box.pressSequentially('@echo');
    await page.getByRole('option', { name: /@echo-bot/ }).waitFor();
    await box.press('Enter');
    assert.equal(await box.inputValue(), '@echo-bot ');
    await box.pressSequentially('please summarise the plan');
    await box.press('Enter');

    const prompt = await gateway.nextPrompt(roomId);
    assert.match(prompt.content, /@echo-bot please summarise the plan/);
    await page.locator('.msg.mine', { hasText: 'please summarise the plan' }).waitFor();

    const reply = gateway.startReply(roomId);
    const streaming = page.locator(`.msg.streaming[data-id="${reply.messageId}"]`);
    reply.chunk('thinking', 'Let me look at the plan first.');
    reply.chunk('text', 'The plan has **three** steps');
    await streaming.getByText('three').waitFor();
    assert.equal(await streaming.locator('strong').innerText(), 'three');
    assert.equal(await streaming.getByText('Let me look at the plan first.').isVisible(), false, 'thinking starts folded');
    assert.equal(await streaming.getByText('ship it').count(), 0);
    await streaming.getByRole('button', { name: 'Stop' }).waitFor();
    await browser.screenshot('02-agent-streaming');

    reply.chunk('tool_use', JSON.stringify({ name: 'Read', id: 't1', input: { path: 'PLAN.md' } }), { toolName: 'Read', toolId: 't1' });
    reply.chunk('tool_result', '1. build\n2. test\n3. ship it', { toolId: 't1' });
    reply.chunk('text', ':\n\n| step | owner |\n|---|---|\n| build | ci |\n| ship it | us |\n');
    await streaming.locator('table td', { hasText: 'ship it' }).waitFor();
    await streaming.locator('summary', { hasText: 'Read' }).waitFor();

    reply.complete();
    const done = page.locator(`.msg.agent[data-id="${reply.messageId}"]:not(.streaming)`);
    await done.locator('table').waitFor();
    assert.equal(await page.locator('.msg.streaming').count(), 0);
    await browser.screenshot('03-agent-reply');
  });

  it('answers a permission request from its card', async () => {
    const answer = gateway.askPermission(roomId, 'Bash', { command: 'npm test', description: 'Run the tests' });
    const card = page.getByRole('alertdialog', { name: `Permission request from ${AGENT}` });
    await card.waitFor();
    await card.getByText('npm test').waitFor();
    assert.match(await card.getByLabel('Time left').innerText(), /^[0-9]:[0-5][0-9]$/);
    await browser.screenshot('04-permission-request');
    await card.getByRole('button', { name: 'Allow', exact: true }).click();
    const response = await answer;
    assert.equal(response.decision, 'allow');
    assert.equal(response.agentId, gateway.agentId);
    await card.waitFor({ state: 'detached' });
  });

  it('uploads an image, shows the limits first, and shows the image in the room', async () => {
    await page.getByText(/Up to 10 MB each/).first().waitFor();
    await page.getByLabel('Files', { exact: true }).setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: makePng(240, 150) });
    const pending = page.getByRole('list', { name: 'Files to send' }).locator('li.done', { hasText: 'chart.png' });
    await pending.waitFor();
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('the chart');
    await page.getByRole('button', { name: 'Send' }).click();
    const image = page.locator('.msg.mine', { hasText: 'the chart' }).locator('img[alt="chart.png"]');
    await image.waitFor();
    await eventually(() => image.evaluate((img) => img.complete && img.naturalWidth === 240), 'the image to load');
    assert.match(await image.getAttribute('src'), /^\/uploads\/[A-Za-z0-9_]+\.png\?token=/);
    await browser.screenshot('05-image-upload');
  });

  it('catches up after the connection drops in the middle of a reply', async () => {
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('@echo-bot and the risks?');
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await gateway.nextPrompt(roomId);
    const reply = gateway.startReply(roomId);
    reply.chunk('text', 'First risk: the weather. ');
    const streaming = page.locator(`.msg.streaming[data-id="${reply.messageId}"]`);
    await streaming.getByText('First risk').waitFor();

    relay.hold = true;
    relay.current.server.close();
    relay.current.ws.close();
    await page.locator('.conn[data-state="reconnecting"]').waitFor();
    await browser.screenshot('06-reconnecting');
    reply.chunk('text', 'Second risk: nobody reads the plan.');
    reply.complete();
    // Give the hub a moment to store the completion while the page is still cut off.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.getByText('Second risk').count(), 0, 'the page was offline when the end of the reply came');

    relay.hold = false;
    await page.locator('.conn[data-state="online"]').waitFor({ timeout: 30_000 });
    const done = page.locator(`.msg.agent[data-id="${reply.messageId}"]:not(.streaming)`);
    await done.getByText('Second risk: nobody reads the plan.').waitFor();
    assert.equal(await page.locator('.msg.streaming').count(), 0);
  });

  it('catches up on more than a page of messages missed while offline, in order', async () => {
    relay.hold = true;
    relay.current.server.close();
    relay.current.ws.close();
    await page.locator('.conn[data-state="reconnecting"]').waitFor();
    const missed = Array.from({ length: 130 }, (_, i) => `missed line ${String(i + 1).padStart(3, '0')}`);
    const writer = new TestClient(hub.baseUrl, admin.accessToken);
    await writer.connect();
    try {
      await writer.sendMany(roomId, missed);
    } finally {
      writer.close();
    }

    relay.hold = false;
    await page.locator('.conn[data-state="online"]').waitFor({ timeout: 30_000 });
    await page.getByText('missed line 130').waitFor();
    const texts = await page.locator('.msg', { hasText: 'missed line' }).locator('.md').allInnerTexts();
    assert.deepEqual(texts.map((t) => t.trim()), missed);
  });

  it('lets a user the admin created sign in, and counts their unread messages', async () => {
    const created = await rest(hub.baseUrl, 'POST', '/api/users', admin.accessToken,
      { username: 'bea', password: 'Bea-Pass-1234', displayName: 'Bea Lopez' });
    await rest(hub.baseUrl, 'POST', `/api/rooms/${roomId}/members`, admin.accessToken, { memberId: created.data.id, memberType: 'user' });
    const second = await openBrowser(hub.baseUrl);
    try {
      await signInThroughUi(second.page, 'bea', 'Bea-Pass-1234');
      await second.page.getByRole('heading', { name: 'Welcome, Bea Lopez' }).waitFor();
      const item = second.page.locator('.room-item', { hasText: 'Launch plan' });
      await item.waitFor();
      const unread = async () => Number((await item.locator('.badge').count()) ? await item.locator('.badge').innerText() : 0);
      const before = await unread();

      await page.getByRole('textbox', { name: 'Message', exact: true }).fill('welcome aboard, @bea');
      await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
      await eventually(async () => (await unread()) === before + 1, 'the unread count to grow by one');
      await second.screenshot('07-second-user-unread');

      await item.click();
      await second.page.getByText('welcome aboard').waitFor();
      await eventually(async () => (await item.locator('.badge').count()) === 0, 'the room to be read');
      assert.deepEqual(second.errors, []);
    } finally {
      await second.close();
    }
  });

  it('renders a hostile message inert and stays responsive', async () => {
    const hostile = [
      '<script>window.__pwned = 1</script>',
      '[click me](javascript:window.__pwned=2) and [data](data:text/html,<b>x</b>) and [ok](https://example.invalid/ok)',
      'see [wiki](https://example.invalid/wiki/Foo_(bar)) end and [x](javascript:alert(1)) done',
      '<img src=x onerror="window.__pwned=3">',
      '**'.repeat(3000), '['.repeat(3000), '`'.repeat(2000), '_'.repeat(3000),
      '| a | b |\n|---|---|\n' + '| <iframe src=javascript:alert(1)> | x |\n'.repeat(400),
      '> '.repeat(200) + 'deep quote',
      'tail '.repeat(8000),
    ].join('\n');
    assert.ok(hostile.length > 60_000 && hostile.length < 100_000, `hostile text is ${hostile.length} chars`);
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(hostile);
    const sentAt = Date.now();
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    const message = page.locator('.msg.mine', { hasText: 'click me' });
    await message.waitFor({ timeout: 30_000 });
    console.log(`hostile message (${hostile.length} chars) shown ${Date.now() - sentAt} ms after send`);

    assert.equal(await message.locator('script, iframe, img, object, embed').count(), 0);
    const hrefs = await message.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.every((h) => /^(https?:|mailto:)/.test(h)), `unsafe link kept: ${hrefs}`);
    assert.ok(hrefs.includes('https://example.invalid/ok'));
    // A destination keeps its balanced parentheses, and an unsafe one leaves no stray ")" behind.
    assert.ok(hrefs.includes('https://example.invalid/wiki/Foo_(bar)'), `links: ${hrefs}`);
    assert.ok((await message.innerText()).includes('see wiki end and x done'), 'link text without stray parentheses');
    for (const a of await message.locator('a').all()) assert.match(await a.getAttribute('rel'), /noopener/);
    await message.locator('a', { hasText: 'click me' }).count().then((n) => assert.equal(n, 0));
    // The hub strips script blocks and on* attributes from user text (behaviour.md §9.1); what is left shows as text.
    assert.ok((await message.innerText()).includes('<img src=x'), 'the img tag shows as text');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    // Agent output is not sanitized by the hub: the renderer alone keeps it inert.
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('@echo-bot show me something nasty');
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await gateway.nextPrompt(roomId);
    const reply = gateway.startReply(roomId);
    reply.chunk('text', hostile.slice(0, 30_000));
    reply.chunk('tool_result', '<script>window.__pwned = 4</script><img src=x onerror="window.__pwned=5">', { toolId: 'x' });
    reply.chunk('text', hostile.slice(30_000));
    reply.complete();
    const agentMessage = page.locator(`.msg.agent[data-id="${reply.messageId}"]:not(.streaming)`);
    await agentMessage.waitFor({ timeout: 30_000 });
    const shown = await agentMessage.innerText();
    assert.ok(shown.includes('<script>window.') && shown.includes('</script>'), 'the script tag shows as text');
    assert.equal(await agentMessage.locator('script, iframe, img, object, embed').count(), 0);
    const agentHrefs = await agentMessage.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(agentHrefs.every((h) => /^(https?:|mailto:)/.test(h)), `unsafe link kept: ${agentHrefs}`);
    await agentMessage.locator('details.tool-result summary').click();
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    // Still interactive: the composer takes the next message at once.
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('still here');
    await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await page.locator('.msg.mine', { hasText: 'still here' }).waitFor();
    await browser.screenshot('08-hostile-message');
  });

  it('replies to, edits, reacts to and deletes its own message', async () => {
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('draft with a typo');
    await box.press('Enter');
    await page.locator('.msg.mine', { hasText: 'draft with a typo' }).waitFor();
    const id = await page.locator('.msg.mine', { hasText: 'draft with a typo' }).getAttribute('data-id');
    const mine = page.locator(`.msg[data-id="${id}"]`);

    await mine.hover();
    await mine.getByRole('button', { name: 'Reply' }).click();
    await page.getByText('Replying to').waitFor();
    await box.fill('a reply to it');
    await box.press('Enter');
    const reply = page.locator('.msg.mine', { hasText: 'a reply to it' });
    await reply.locator('.reply-quote', { hasText: 'draft with a typo' }).waitFor();

    await mine.hover();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await mine.locator('form.edit textarea').fill('draft without a typo');
    await mine.getByRole('button', { name: 'Save' }).click();
    const edited = mine;
    await edited.getByText('draft without a typo').waitFor();
    await edited.getByText('(edited)').waitFor();
    await reply.locator('.reply-quote', { hasText: 'draft without a typo' }).waitFor();

    await edited.hover();
    await edited.getByRole('button', { name: 'React' }).click();
    await edited.getByRole('button', { name: '👍' }).click();
    await edited.locator('.reaction.own', { hasText: '1' }).waitFor();

    page.once('dialog', (dialog) => dialog.accept());
    await edited.hover();
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.waitFor({ state: 'detached' });
  });

  it('scrolls back through history page by page without gaps or repeats', async () => {
    const created = await rest(hub.baseUrl, 'POST', '/api/rooms', admin.accessToken, { name: 'Long history', type: 'group' });
    const historyRoom = created.data.id;
    const writer = new TestClient(hub.baseUrl, admin.accessToken);
    await writer.connect();
    const total = 130;
    try {
      await writer.sendMany(historyRoom, Array.from({ length: total }, (_, i) => `history line ${String(i + 1).padStart(3, '0')}`));
    } finally {
      writer.close();
    }
    // Clicked, not loaded: a page load that is cut short while its cookie refresh is in flight loses the rotated
    // cookie (the hub has already spent the old one), which would sign the next load out.
    await page.reload();
    await page.locator('.conn[data-state="online"]').waitFor();
    await page.locator('.room-item', { hasText: 'Long history' }).click();
    await page.getByText('history line 130').waitFor();
    const lines = page.locator('.msg', { hasText: 'history line' });
    assert.ok((await lines.count()) < total, 'the first page is not the whole history');
    await eventually(async () => {
      await page.locator('.messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
      return (await lines.count()) === total;
    }, 'every page to load while scrolling up', 30_000);
    const texts = await lines.locator('.md').allInnerTexts();
    assert.deepEqual(texts.map((t) => t.trim()), Array.from({ length: total }, (_, i) => `history line ${String(i + 1).padStart(3, '0')}`));
  });

  it('fits a phone-sized screen, in dark mode too', async () => {
    await page.setViewportSize({ width: 390, height: 780 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/');
    const rooms = page.getByRole('navigation', { name: 'Rooms and navigation' });
    await rooms.waitFor();
    await browser.screenshot('09-phone-room-list-dark');
    await rooms.locator('.room-item', { hasText: 'Launch plan' }).click();
    await page.getByRole('heading', { name: 'Launch plan' }).waitFor();
    assert.equal(await rooms.isVisible(), false, 'an open room takes the whole screen');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page scrolls sideways (${width}px wide)`);
    await browser.screenshot('10-phone-room-dark');
    await page.getByRole('link', { name: 'Back to rooms' }).click();
    await rooms.waitFor();
    await page.setViewportSize({ width: 1180, height: 760 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('made no request outside the hub and logged no page error', () => {
    assert.deepEqual(browser.outside, []);
    assert.deepEqual(browser.errors.filter((e) => !/WebSocket|ERR_|status of 40[13]/.test(e)), []);
  });
});
