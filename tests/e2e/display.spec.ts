// Scenario f: the waiting-room screen on a busy morning. Thirty tickets wait across four
// services and Box 1 calls one: the screen fits 1920×1080 and 1366×768 with nothing to scroll,
// shows the latest call large, turns the pages of a long queue, and — once its settings switch
// the sound on — reads the call out in French, ticket and room only.
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { QueueEntry, Visit } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import { zonedIso } from '../../src/domain/time';
import { rowsToOps } from '../../src/server/seed/ops';
import { expect, test } from './support/fixtures';
import { todayInParis } from './support/server';
import { go, rendered } from './support/steps';

test.use({ scenario: 'f' });

/** Nothing reaches past the screen's edges and no ticket is cut. */
async function fitsScreen(page: Page, size: { width: number; height: number }) {
  const measured = await page.evaluate(() => {
    const root = document.scrollingElement!;
    const clipped = [...document.querySelectorAll('.display li, .display__latest')].filter(
      (el) => el.scrollWidth > el.clientWidth + 1,
    );
    const outside = [...document.querySelectorAll('.display li, .display__footer')].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.bottom > window.innerHeight + 0.5 || box.right > window.innerWidth + 0.5;
    });
    return {
      scrollHeight: root.scrollHeight,
      clientHeight: root.clientHeight,
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      clipped: clipped.map((el) => el.textContent),
      outside: outside.map((el) => el.textContent),
    };
  });
  expect(measured.clientHeight, 'the page is the screen').toBe(size.height);
  expect(measured.scrollHeight, 'nothing to scroll down').toBeLessThanOrEqual(size.height);
  expect(measured.scrollWidth, 'nothing to scroll across').toBeLessThanOrEqual(size.width);
  expect(measured.clipped, 'no ticket cut short').toEqual([]);
  expect(measured.outside, 'everything on the screen').toEqual([]);
}

test('f — the waiting-room screen fits a busy morning and calls out loud', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const central = site.requireCentral();
  const display = await devices.enrol('display');
  await display.setViewportSize({ width: 1920, height: 1080 });
  // What the browser is asked to say, kept for the check (the headless browser has no voice).
  await display.addInitScript(() => {
    const spoken: string[] = [];
    Object.assign(window, { __spoken: spoken });
    window.speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
      spoken.push(`${u.lang} ${u.text}`);
    };
  });
  await go(display, `${origin}/affichage`);
  await rendered(display, 'affichage');
  await expect(display.getByRole('banner'), 'no app bar on the public screen').toHaveCount(0);

  await test.step('the screen’s own settings switch the chime and the spoken call on', async () => {
    await display.getByRole('button', { name: 'Réglages de l’écran' }).click();
    await display.getByLabel('Carillon à chaque appel').check();
    await display.getByLabel(/^Annonce vocale de l’appel/).check();
    await shot(display, 'display-settings');
    await display.getByRole('button', { name: 'Fermer les réglages' }).click();
  });

  const today = todayInParis();
  const [stop] = (await central.store.rows(demo.org, 'stop')).filter((s) => s.date === today);
  const services = await central.store.rows(demo.org, 'service');
  const patients = await central.store.rows(demo.org, 'patient');
  const serviceId = (code: string) => String(services.find((s) => s.code === code)!.id);

  await test.step('thirty patients wait in four services, and Box 1 calls MG-016', async () => {
    const visits: Visit[] = [];
    const entries: QueueEntry[] = [];
    const waiting: [string, string, number][] = [
      ['MG', 'MG', 15],
      ['DENT', 'DE', 6],
      ['SF', 'SF', 5],
      ['DEP', 'DP', 4],
    ];
    let n = 0;
    const arrive = (code: string, ticket: string, called: boolean) => {
      const visit: Visit = {
        id: randomUUID(),
        orgId: demo.org,
        patientId: String(patients[n % patients.length]!.id),
        stopId: String(stop!.id),
        appointmentId: null,
        arrivedAt: zonedIso(today, `09:${String(10 + n).padStart(2, '0')}`),
        motif: 'Consultation',
        noMt: false,
        ald: false,
        urgent: false,
        urgentReason: null,
      };
      n += 1;
      visits.push(visit);
      entries.push({
        id: randomUUID(),
        orgId: demo.org,
        visitId: visit.id,
        stopId: visit.stopId,
        serviceId: serviceId(code),
        position: 0,
        ticket,
        status: statusValue(called ? 'called' : 'waiting'),
        roomId: called ? demo.roomId : null,
        practitionerId: null,
        calledAt: called ? zonedIso(today, '09:58') : null,
        startedAt: null,
        endedAt: null,
        comingFromRoomId: null,
        endReason: null,
      });
    };
    for (const [code, prefix, count] of waiting) {
      for (let i = 1; i <= count; i++)
        arrive(code, `${prefix}-${String(i).padStart(3, '0')}`, false);
    }
    arrive('MG', 'MG-016', true);
    await central.storeAndPoke(
      demo.org,
      rowsToOps(demo.org, 'e2e-busy-morning', { visit: visits, queueEntry: entries }),
    );
  });

  const latest = display.locator('.display__latest');
  await expect(latest).toHaveText(`MG-016 → ${demo.roomName}`, { timeout: 60_000 });
  await expect(display.locator('.display__tickets li')).toHaveCount(25);
  await expect(display.getByText('page 1 sur 2')).toBeVisible();
  await fitsScreen(display, { width: 1920, height: 1080 });
  await shot(display, 'display-30-waiting-1920');

  await test.step('the spoken call: ticket and room, in French', async () => {
    await expect
      .poll(() => display.evaluate(() => (window as unknown as { __spoken: string[] }).__spoken))
      .toEqual([`fr-FR Ticket MG 16, ${demo.roomName}`]);
  });

  await test.step('the long queue turns its page by itself', async () => {
    await expect(display.getByText('page 2 sur 2')).toBeVisible();
    await expect(display.getByText('MG-015', { exact: true })).toBeVisible();
    await fitsScreen(display, { width: 1920, height: 1080 });
    await shot(display, 'display-30-waiting-1920-page-2');
  });

  await test.step('a laptop-sized screen, 1366×768', async () => {
    await display.setViewportSize({ width: 1366, height: 768 });
    await expect(latest).toBeVisible();
    await fitsScreen(display, { width: 1366, height: 768 });
    await shot(display, 'display-30-waiting-1366');
  });
});
