/**
 * The reference dashboard in a real browser: the machine's Chromium (Debian's `chromium`, which
 * .ci/run installs when missing) driven by playwright-core (which downloads no browser), against
 * the whole graph with the demo data and the dashboard as `npm start` builds and serves it.
 *
 * `npm run screenshots` runs this file with SCREENSHOTS=docs/screenshots and writes the README's
 * screenshots of the main screens there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { TestStack, TEST_TODAY, operation, startTestStack } from './support/stack';
import { COUNSELOR, JUDGE, PROBATION_OFFICER, Who, tokenFor } from './support/tokens';
import { ensureDashboardBuilt } from '../bin/build-dashboard';
import { DASHBOARD_CSP } from '../lib/static-files';
import { ownerOf, reasonInWords } from '../dashboard/src/withheld';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOTS ? path.resolve(__dirname, '..', process.env.SCREENSHOTS) : undefined;
/** A laptop screen. */
const VIEWPORT = { width: 1366, height: 900 };

/** The whole-case screen's operation: the shipped example. */
const caseQuery = operation('WholeCase');

let stack: TestStack;
let browser: Browser;
let base: string;
let demoCaseId: string;

beforeAll(async () => {
  const build = ensureDashboardBuilt();
  if (!build.dir) throw new Error(build.note);
  stack = await startTestStack({ cases: 40, dashboardDir: build.dir });
  demoCaseId = stack.demoCaseId!;
  base = stack.gatewayUrl.replace(/\/graphql$/, '/');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  if (SCREENSHOTS) fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Session {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
}

async function openDashboard(): Promise<Session> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'America/New_York' });
  // The browser's day is the stack's policy day, so the attention flags and date defaults agree with it.
  await context.clock.setFixedTime(new Date(`${TEST_TODAY}T12:00:00-05:00`));
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  await page.goto(base);
  (page as unknown as { problems: string[] }).problems = problems;
  return { context, page, requests };
}

async function signIn(page: Page, who: Who): Promise<void> {
  await page.getByLabel('Agency').selectOption(who.agency);
  await page.getByLabel('Role').selectOption(who.role);
  await page.getByLabel('Purpose of use').selectOption(who.purpose);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Caseload' }).waitFor();
}

async function openDemoCase(page: Page): Promise<void> {
  await page.goto(`${base}#/case/${demoCaseId}`);
  await page.getByRole('heading', { name: /^Case DV-2026-000001/ }).waitFor();
}

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** The refusals the gateway answers this caller for the dashboard's own whole-case query. */
async function refusalsFor(who: Who) {
  const result = await stack.gql(caseQuery, { id: demoCaseId }, { as: who });
  expect(result.data?.case?.id).toBe(demoCaseId);
  return { result, refusals: (result.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN') };
}

describe('the gateway serves the built dashboard', () => {
  it('answers the page, its assets with their content types, and nothing outside the build', async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from another origin
    const script = /<script[^>]+src="([^"]+)"/.exec(html)![1];
    const css = /<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/.exec(html)![1];
    const js = await fetch(new URL(script, base));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(new URL(css, base))).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await fetch(base, { method: 'HEAD' });
    expect(head.status).toBe(200);
    // The repository's package.json is two folders up from dashboard/dist; the build stamp is a dotfile there.
    for (const outside of ['/..%2F..%2Fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2F..%2F..%2Fpackage.json', '/.build-stamp', '/nowhere.js']) {
      expect((await fetch(new URL(outside, base))).status).toBe(404);
    }
    expect((await fetch(base, { method: 'POST' })).status).toBe(404);
    // The API is where it was.
    expect((await fetch(new URL('/health', base))).status).toBe(200);
  });
});

describe('the dashboard in Chromium', () => {
  it('a judge signs in, sees the caseload by what needs attention, and opens the demo case: every agency, every withheld field with its reason', async () => {
    const { context, page, requests } = await openDashboard();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(page, 'sign-in');
    await signIn(page, JUDGE);

    // The caseload: sorted by attention, paged.
    const summary = page.locator('p.summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/\d+ cases?, \d+ needing attention/);
    const rows = page.locator('table.caseload tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await rows.first().locator('.flag').count()).toBeGreaterThan(0);
    await shoot(page, 'caseload');
    // Every status: 40 cases (most of the seed's four years are closed), 15 a page.
    await page.getByLabel('Status').selectOption('');
    await page.getByText(/^Page 1 of [2-9]$/).waitFor();
    const firstPage = await rows.first().locator('th').textContent();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(/^Page 2 of [2-9]$/).waitFor();
    expect(await rows.first().locator('th').textContent()).not.toBe(firstPage);
    // Open cases sorted by docket number: the demo case is among them; the link opens it with the keyboard.
    await page.getByLabel('Status').selectOption('OPEN');
    await page.getByRole('button', { name: 'Docket' }).click();
    const demoLink = page.getByRole('link', { name: 'DV-2026-000001' });
    await demoLink.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Case DV-2026-000001/ }).waitFor();

    // A section per agency.
    for (const agency of ['Courts', 'Housing', 'Counseling & treatment', 'Probation']) {
      await page.getByRole('heading', { level: 2, name: agency, exact: true }).waitFor();
    }
    // Every field the gateway withholds from the judge is shown as withheld, with its reason in words.
    const { refusals } = await refusalsFor(JUDGE);
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      const shown = page.locator(`.sections .withheld[data-path="${refusal.path!.join('.')}"]`);
      expect(await shown.count()).toBe(1);
      const text = (await shown.textContent())!;
      // The words for the reason the gateway gave (whose consent: the party's role decides).
      const { reason, coordinate } = refusal.extensions!;
      const words = [reasonInWords(reason, ownerOf(coordinate), JUDGE), reasonInWords(reason, ownerOf(coordinate), JUDGE, {}, 'person')];
      expect(words.map((w) => `Withheld — ${w}`)).toContain(text);
      expect(text).not.toContain(reason); // words, not the code
    }
    // Nothing else is shown as withheld, and the reasons in words are those the issue names.
    expect(await page.locator('.sections .withheld').count()).toBe(refusals.length);
    const sections = (await page.locator('.sections').textContent())!;
    expect(sections).toContain("Withheld — needs the person's consent"); // the defendant's housing status
    expect(sections).toContain('Withheld — not shared with the court');
    expect(sections).toContain('Withheld — kept by probation only'); // the assessor's score (housing's shelter dates are now granted to the outcomes broker, so "not shared")
    await page.getByText(new RegExp(`^${refusals.length} fields? withheld from you in this case`)).click();
    expect(await page.locator('.withheld-summary li').count()).toBe(refusals.length);
    await shoot(page, 'case-judge', true);

    // Nothing came from anywhere but the gateway, and the page logged no error.
    const origin = new URL(base).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    expect((page as unknown as { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('a probation officer sees the 42 CFR §2.32 notice beside the substance-use treatment records released to them', async () => {
    const { result } = await refusalsFor(PROBATION_OFFICER);
    const notices = (result as { extensions?: { redisclosureNotices?: string[] } }).extensions?.redisclosureNotices ?? [];
    expect(notices.length).toBe(1);
    expect(result.data.case.programEnrollments.some((e: { programType: string }) => e.programType === 'SUBSTANCE_USE_TREATMENT')).toBe(true);

    const { context, page } = await openDashboard();
    await signIn(page, PROBATION_OFFICER);
    await openDemoCase(page);
    const notice = page.getByRole('note', { name: '42 CFR Part 2 notice' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain(notices[0]);
    // Beside each substance-use treatment record: the enrollments, and a treatment mandate's enrollments in the court's section.
    const sud = (e: { programType: string }) => e.programType === 'SUBSTANCE_USE_TREATMENT';
    expect(await page.locator('[data-agency="counseling"] .part2-inline').count()).toBe(result.data.case.programEnrollments.filter(sud).length);
    const treatmentMandates = result.data.case.programMandates.filter((m: { programType: string; enrollments: unknown[] | null }) => sud(m) && (m.enrollments?.length ?? 0) > 0);
    expect(await page.locator('[data-agency="courts"] .part2-inline').count()).toBe(treatmentMandates.length);
    await notice.scrollIntoViewIfNeeded();
    await shoot(page, 'case-probation-part2');

    // The judge's view of the same case carries no substance-use treatment data, and no notice.
    const judge = await stack.gql(caseQuery, { id: demoCaseId }, { as: JUDGE });
    expect((judge as { extensions?: unknown }).extensions).toBeUndefined();
    await context.close();
  });

  it('counseling records attendance (a bad date is shown at its field) and the court sees it', async () => {
    // The court's view before: the enrollment answering a court mandate, as the judge gets it.
    const enrollmentsOf = async () => {
      const { result } = await refusalsFor(JUDGE);
      return (result.data.case.programMandates as { enrollments: { id: string; sessionsAttended: number }[] | null }[]).flatMap((m) => m.enrollments ?? []);
    };
    const before = await enrollmentsOf();
    expect(before.length).toBeGreaterThan(0);
    const target = before[0];

    const counselor = await openDashboard();
    let page = counselor.page;
    await signIn(page, COUNSELOR);
    await openDemoCase(page);
    const form = page.getByRole('form', { name: 'Record session attendance' });
    await form.getByLabel('Enrollment').selectOption(target.id);
    await form.getByLabel('Attendance').selectOption('ATTENDED');
    await form.getByLabel('Session date').fill('2099-01-05');
    await form.getByRole('button', { name: 'Record attendance' }).click();
    // The server's problem, at the field it names, and nothing written.
    const fieldError = form.locator('.field.has-error').filter({ has: page.getByLabel('Session date') }).locator('.field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/must not be in the future/);
    expect(await page.getByLabel('Session date').getAttribute('aria-invalid')).toBe('true');
    await shoot(page, 'counseling-attendance-error');
    expect((await enrollmentsOf()).find((e) => e.id === target.id)!.sessionsAttended).toBe(target.sessionsAttended);

    await form.getByLabel('Session date').fill('2026-11-23');
    await form.getByRole('button', { name: 'Record attendance' }).click();
    await form.getByRole('status').filter({ hasText: 'Attendance recorded' }).waitFor();
    expect(await form.locator('.field-error').count()).toBe(0);
    await counselor.context.close();

    // The court's view: one more session attended, on the screen and in the graph.
    const after = await enrollmentsOf();
    expect(after.find((e) => e.id === target.id)!.sessionsAttended).toBe(target.sessionsAttended + 1);
    const court = await openDashboard();
    page = court.page;
    await signIn(page, JUDGE);
    await openDemoCase(page);
    const mandates = page.locator('[data-agency="courts"]').getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Sessions attended' }) });
    await mandates.first().waitFor();
    const attended = await mandates.locator('tbody td:nth-child(2)').allTextContents();
    expect(attended).toContain(String(target.sessionsAttended + 1));
    await court.context.close();
  });

  it('the court records a mandate and probation files a violation report through their own screens, problems at their fields', async () => {
    const court = await openDashboard();
    let page = court.page;
    await signIn(page, JUDGE);
    await openDemoCase(page);
    let form = page.getByRole('form', { name: 'Order a program (mandate)' });
    await form.getByLabel('Program').selectOption('PARENTING');
    await form.getByLabel('Ordered on').fill('2026-11-20');
    await form.getByLabel('Due by').fill('2026-11-01');
    await form.getByRole('button', { name: 'Record mandate' }).click();
    const dueError = form.locator('.field').filter({ has: page.getByLabel('Due by') }).locator('.field-error');
    await dueError.waitFor();
    expect(await dueError.textContent()).toMatch(/must not be before/);
    await form.getByLabel('Due by').fill('2027-02-01');
    await form.getByRole('button', { name: 'Record mandate' }).click();
    await form.getByRole('status').filter({ hasText: 'Mandate recorded' }).waitFor();
    await page.locator('[data-agency="courts"]').getByText('Parenting').first().waitFor();
    await court.context.close();

    const probation = await openDashboard();
    page = probation.page;
    await signIn(page, PROBATION_OFFICER);
    await openDemoCase(page);
    form = page.getByRole('form', { name: 'File a violation report with the court' });
    await form.getByLabel('Violation').selectOption('MISSED_CHECK_IN');
    await form.getByLabel('Report date').fill('2026-11-23');
    await form.getByLabel('Description').fill('   ');
    await form.getByRole('button', { name: 'File violation report' }).click();
    const descriptionError = form.locator('.field').filter({ has: page.getByLabel('Description') }).locator('.field-error');
    await descriptionError.waitFor();
    expect(await descriptionError.textContent()).toBe('must not be empty');
    await form.getByLabel('Description').fill('Missed the office check-in of 2026-11-21 without notice.');
    await form.getByRole('button', { name: 'File violation report' }).click();
    await form.getByRole('status').filter({ hasText: 'Violation report filed' }).waitFor();
    await page.locator('[data-agency="probation"]').getByText('Missed the office check-in of 2026-11-21 without notice.').waitFor();
    await probation.context.close();
  });

  it("where the development signer is off (production), the identity provider's token is pasted; a refused token signs out", async () => {
    const { context, page } = await openDashboard();
    // As a production gateway answers: no development tools.
    await context.route('**/dev/**', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"errors":[{"message":"no route"}]}' }));
    await page.reload();
    const pasted = page.getByLabel('Token from your identity provider');
    await pasted.waitFor();
    expect(await page.getByLabel('Agency').count()).toBe(0);
    await pasted.fill('not a token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').first().textContent()).toMatch(/not a token with agency, role and purpose/);
    expect(await pasted.getAttribute('aria-invalid')).toBe('true');

    // A token with the right claims but a signature the gateway refuses: 401, signed out, told why.
    const [header, , signature] = (await tokenFor(PROBATION_OFFICER)).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', agency: 'courts', role: 'judge', purpose: 'judicial_review', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    await pasted.fill(`${header}.${forged}.${signature}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Your token was refused or has expired: sign in again.').waitFor();
    expect(await page.getByRole('heading', { name: 'Caseload' }).count()).toBe(0);

    // The identity provider's real token signs in.
    await pasted.fill(await tokenFor(PROBATION_OFFICER));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Caseload' }).waitFor();
    expect(await page.locator('header .who').textContent()).toContain('Probation officer');
    await context.close();
  });

  it('every control on the screens has a label', async () => {
    const { context, page } = await openDashboard();
    const unlabelled = () =>
      page.evaluate(() =>
        // (runs in the page; the tests' TypeScript has no DOM types)
        [...(globalThis as any).document.querySelectorAll('input, select, textarea, button')]
          .filter((el: any) => {
            const labelled = el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            return !labelled && !(el.textContent ?? '').trim();
          })
          .map((el: any) => String(el.outerHTML).slice(0, 80)),
      );
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await unlabelled()).toEqual([]);
    await signIn(page, COUNSELOR);
    expect(await unlabelled()).toEqual([]);
    await openDemoCase(page);
    expect(await unlabelled()).toEqual([]);
    await context.close();
  });
});
