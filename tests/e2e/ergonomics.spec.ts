// Scenario i: feedback where the eye is, and tablet and laptop ergonomics (issue 23, items 3 and
// 8), measured in the real browser: every button, link and checkbox/radio label of the reception
// tablet (1024×768) and of a room (1366×768) is at least 44 × 44 px; an action that cannot succeed
// is disabled with its reason beside it; a refusal appears next to the button pressed; the
// registration's refused submit brings the first fault into view, focused; and a room calls,
// takes in and signs from the keyboard alone (Alt+N, Alt+E, Alt+S).
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';
import { checkInWalkIn, go, rendered } from './support/steps';

test.use({ scenario: 'i' });

interface SmallTarget {
  what: string;
  width: number;
  height: number;
}

/**
 * Every visible control of the page smaller than 44 × 44 px: buttons, links, selects, and for a
 * checkbox or radio button the label that takes the tap with it.
 */
async function smallTargets(page: Page): Promise<SmallTarget[]> {
  return page.evaluate(() => {
    const MIN = 44;
    const out: { what: string; width: number; height: number }[] = [];
    const seen = new Set<Element>();
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      // Visually hidden helpers (skip link until focused) are clipped to a pixel.
      return r.width > 1 && r.height > 1 && style.visibility !== 'hidden';
    };
    const nameOf = (el: Element) =>
      `${el.tagName.toLowerCase()} « ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)} »`;
    const controls = document.querySelectorAll(
      'button, a[href], select, [role="button"], input[type="checkbox"], input[type="radio"]',
    );
    for (const el of controls) {
      let target: Element = el;
      if (el instanceof HTMLInputElement) {
        // The tap area of a box is its label (which toggles it) or the field around both.
        const label = el.labels?.[0];
        target = label?.closest('.field--checkbox') ?? label ?? el;
      }
      if (seen.has(target) || !visible(target)) continue;
      seen.add(target);
      const r = target.getBoundingClientRect();
      if (r.width < MIN - 0.5 || r.height < MIN - 0.5) {
        out.push({ what: nameOf(el), width: Math.round(r.width), height: Math.round(r.height) });
      }
    }
    return out;
  });
}

/** The vertical distance between two elements' boxes (0 when they overlap). */
async function gap(page: Page, a: string, b: string): Promise<number> {
  return page.evaluate(
    ([x, y]) => {
      const ra = document.querySelector(x!)!.getBoundingClientRect();
      const rb = document.querySelector(y!)!.getBoundingClientRect();
      return Math.max(0, rb.top - ra.bottom, ra.top - rb.bottom);
    },
    [a, b],
  );
}

test('i — targets of 44 px, feedback beside its control, a room driven from the keyboard', async ({
  site,
  devices,
  shot,
}) => {
  const { demo, origin } = site;
  const reception = await devices.enrol('reception');
  await reception.setViewportSize({ width: 1024, height: 768 });
  const box = await devices.enrol('room');
  await box.setViewportSize({ width: 1366, height: 768 });

  // A patient in the queue, so the board shows its rows and their buttons.
  const ticket = await checkInWalkIn(reception, origin, demo, shot);

  await test.step('reception tablet, 1024×768: every target at least 44 px', async () => {
    const screens: [string, string][] = [
      ['reception-board', '/accueil'],
      ['reception-arrival', '/accueil/arrivee'],
      ['reception-appointments', '/accueil/rendez-vous'],
      ['reception-day', '/accueil/journee'],
    ];
    for (const [name, path] of screens) {
      await go(reception, `${origin}${path}`);
      await rendered(reception, name);
      await shot(reception, name);
      expect(await smallTargets(reception), `${name}: targets under 44 px`).toEqual([]);
    }
  });

  await test.step('waiting-room screen: its few controls at least 44 px too', async () => {
    const display = await devices.enrol('display');
    await display.setViewportSize({ width: 1366, height: 768 });
    await go(display, `${origin}/affichage`);
    await rendered(display, 'affichage');
    await expect(display.getByText(ticket).first()).toBeVisible();
    await shot(display, 'display');
    expect(await smallTargets(display), 'display: targets under 44 px').toEqual([]);
    await display.close();
  });

  await test.step('reception: a check-in form, and a registration refused, first fault focused', async () => {
    await go(reception, `${origin}/accueil/arrivee`);
    await rendered(reception, 'arrivée');
    // The arrival kept from before (the ticket just given): start the next one.
    const next = reception.getByRole('button', { name: 'Patient suivant' });
    if (await next.isVisible()) await next.click();
    await reception
      .getByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' })
      .fill('Zyxwovic');
    await reception.getByRole('button', { name: 'Nouveau patient : créer l’identité' }).click();
    const form = reception.getByRole('form', { name: 'Nouveau patient' });
    await expect(form).toBeVisible();
    expect(await smallTargets(reception), 'registration: targets under 44 px').toEqual([]);
    // The tablet's keyboards: digits for the NIR, a date picker for the birth date.
    await expect(form.getByLabel(/^NIR/)).toHaveAttribute('inputmode', 'numeric');
    await expect(form.getByLabel(/^Date de naissance/)).toHaveAttribute('type', 'date');
    const create = form.getByRole('button', { name: 'Créer le patient' });
    await create.scrollIntoViewIfNeeded();
    await create.click();
    // The count is beside the button; the first fault (top of the long form) is in view, focused.
    await expect(create).toHaveAccessibleDescription(/champs? signalés? à corriger/);
    const firstNames = form.getByLabel(/^Prénom\(s\) de naissance/);
    await expect(firstNames).toBeFocused();
    await expect(firstNames).toBeInViewport();
    await expect(firstNames).toHaveAttribute('aria-invalid', 'true');
    await shot(reception, 'registration-refused-first-fault');
  });

  await test.step('reception: a booked patient arrives too (two in the queue)', async () => {
    await go(reception, `${origin}/accueil/rendez-vous`);
    await rendered(reception, 'rendez-vous');
    const list = reception.getByRole('region', { name: 'Rendez-vous du jour' });
    await list
      .getByRole('link', { name: /^Enregistrer l’arrivée de/ })
      .first()
      .click();
    const form = reception.getByRole('form', { name: /^Arrivée de/ });
    await expect(form).toBeVisible();
    expect(await smallTargets(reception), 'check-in form: targets under 44 px').toEqual([]);
    await shot(reception, 'checkin-booked');
    await form.getByLabel(/^Motif de la venue/).fill('Renouvellement');
    await form.getByRole('button', { name: 'Enregistrer l’arrivée et donner le ticket' }).click();
    await expect(reception.locator('.ticket--large').first()).toHaveText(/^[A-Z]+-\d+$/);
  });

  await test.step('room, 1366×768: every target at least 44 px, shortcuts shown', async () => {
    await go(box, `${origin}/salle/${demo.roomId}`);
    await rendered(box, 'salle');
    await box.getByLabel('Qui travaille ici ?').selectOption({ label: 'Thomas Garnier (interne)' });
    await expect(box.getByRole('button', { name: `Appeler ${ticket}` })).toBeVisible();
    await expect(box.getByText(/^Raccourcis clavier : Alt\+N/)).toBeVisible();
    await shot(box, 'room-queue');
    expect(await smallTargets(box), 'room: targets under 44 px').toEqual([]);
  });

  await test.step('keyboard only: Alt+N calls the next patient', async () => {
    const callNext = box.getByRole('button', { name: 'Appeler le patient suivant' });
    await expect(callNext).toHaveAttribute('aria-keyshortcuts', 'Alt+N');
    await box.keyboard.press('Alt+KeyN');
    await expect(box.getByRole('button', { name: 'Faire entrer', exact: true })).toBeVisible();
    await shot(box, 'room-called-by-keyboard');
  });

  await test.step('a disabled action says why, and a refusal shows beside the button', async () => {
    // The room holds the called patient: the queue's « Faire entrer » cannot succeed.
    const callNext = box.getByRole('button', { name: 'Appeler le patient suivant' });
    await expect(callNext).toHaveAttribute('aria-disabled', 'true');
    const reason = box.locator('#room-busy-reason');
    await expect(reason).toHaveText(/^La salle est occupée : [A-Z]+-\d+ est appelé$/);
    await expect(callNext).toHaveAccessibleDescription(/^La salle est occupée/);
    const rowTakeIn = box.getByRole('button', { name: /^Faire entrer [A-Z]+-\d+$/ }).first();
    {
      await expect(rowTakeIn).toHaveAttribute('aria-disabled', 'true');
      // Pressed anyway, from the keyboard: the refusal is announced right there.
      await rowTakeIn.focus();
      await box.keyboard.press('Enter');
      const alert = box.locator('td [role="alert"]').first();
      await expect(alert).toHaveText(/^La salle est occupée/);
      const id = await alert.getAttribute('id');
      expect(await rowTakeIn.getAttribute('aria-describedby')).toContain(id);
      const rowGap = await box.evaluate(
        ([alertId]) => {
          const a = document.getElementById(alertId!)!.getBoundingClientRect();
          const b = (document.activeElement as HTMLElement).getBoundingClientRect();
          return Math.max(0, a.top - b.bottom, b.top - a.bottom);
        },
        [id],
      );
      expect(rowGap, 'the refusal sits beside the button pressed (px)').toBeLessThan(40);
      await shot(box, 'room-refusal-beside-button');
    }
  });

  await test.step('keyboard only: Alt+E takes in, Alt+S leads to each missing part, then signs', async () => {
    await box.keyboard.press('Alt+KeyE');
    const assessment = box.getByRole('textbox', { name: /^A — Appréciation/ });
    await expect(assessment).toBeVisible();
    // The reason follows the room; the earlier refusal, no longer true, is gone.
    await expect(box.locator('#room-busy-reason')).toHaveText(/est en consultation$/);
    await expect(box.locator('td [role="alert"]')).toHaveCount(0);
    const sign = box.getByRole('button', { name: 'Signer la note' });
    await expect(sign).toHaveAttribute('aria-disabled', 'true');
    // What is missing is listed right before « Signer », not at the top of the note.
    const missing = box.locator('#sign-missing');
    await expect(missing).toContainText('L’appréciation (A) est obligatoire.');
    expect(await gap(box, '#sign-missing', '#sign-missing + .actions button')).toBeLessThan(40);
    await shot(box, 'room-note-missing-beside-sign');
    await box.keyboard.press('Alt+KeyS');
    await expect(assessment).toBeFocused();
    await expect(assessment).toBeInViewport();
    await box.keyboard.type('Toux virale probable');
    await box.keyboard.press('Alt+KeyS');
    const plan = box.getByRole('textbox', { name: /^P — Plan/ });
    await expect(plan).toBeFocused();
    await box.keyboard.type('Hydratation, revoir si fièvre');
    await box.keyboard.press('Alt+KeyS');
    const search = box.getByRole('searchbox', { name: 'Rechercher un code' });
    await expect(search).toBeFocused();
    await box.keyboard.type('toux');
    const add = box.getByRole('button', { name: 'Ajouter R05 comme Résultat' }).first();
    await expect(add).toBeVisible();
    // Tab to the code's « Résultat » button, as a keyboard user would.
    await expect
      .poll(
        async () => {
          if (await add.evaluate((el) => el === document.activeElement)) return true;
          await box.keyboard.press('Tab');
          return add.evaluate((el) => el === document.activeElement);
        },
        { message: 'Tab reaches « Ajouter R05 comme Résultat »' },
      )
      .toBe(true);
    await box.keyboard.press('Enter');
    await expect(box.getByRole('button', { name: 'Retirer le code R05' })).toBeVisible();
    await expect(sign).not.toHaveAttribute('aria-disabled');
    await shot(box, 'room-note-ready');
    await box.keyboard.press('Alt+KeyS');
    await expect(sign).toHaveCount(0);
    await expect(
      box.getByText('Personne n’est appelé ni en consultation dans cette salle.'),
    ).toBeVisible();
    await shot(box, 'room-note-signed-by-keyboard');
  });
});
