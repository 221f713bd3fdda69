// People read French sentences, never an action code, a UUID, an internal key or an ISO date
// (docs/decisions/0010-i18n.md): the journal, the indicators export, the room's open notes, and
// the messages the domain and the server write themselves. Beside the no-hard-coded-text check
// (tests/ui/no-hardcoded-text.test.ts), which looks at the markup, these look at what is produced.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { screen, within } from '@testing-library/react';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { appointmentStatusSchema, contradictionDecisionSchema } from '../../src/domain/entities';
import { computeIndicators } from '../../src/domain/indicators';
import { ORIENTATION_ACTIONS } from '../../src/domain/orientation';
import type { QueueAction } from '../../src/domain/queue';
import { KNOWN_ACTIONS, readableDetail } from '../../src/ui/coordination/audit-text';
import { indicatorCsvHeader, indicatorCsvRows } from '../../src/ui/coordination/indicator-csv';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ISO_DATE = /\d{4}-\d{2}-\d{2}/;
const CODE = /\b[a-z]+\.[a-z_]+\b/;
const CAMEL_OR_SNAKE = /[a-z][A-Z]|[a-z]_[a-z]/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The action codes written to the journal: `action: '…'`, audit('…'), auditSession(…, '…'). */
function writtenActions(): { literal: Set<string>; templates: Set<string> } {
  const literal = new Set<string>();
  const templates = new Set<string>();
  for (const file of sources(SRC)) {
    const sf = parse(file);
    const take = (node: ts.Node | undefined) => {
      if (!node) return;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        if (/^[a-z]+\.[a-z_]+$/.test(node.text)) literal.add(node.text);
      } else if (ts.isTemplateExpression(node)) {
        templates.add(node.head.text);
      } else if (ts.isConditionalExpression(node)) {
        take(node.whenTrue);
        take(node.whenFalse);
      }
    };
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && node.name.getText(sf) === 'action')
        take(node.initializer);
      if (ts.isCallExpression(node) && /^(audit|auditSession)$/.test(node.expression.getText(sf))) {
        take(node.arguments.find((a) => ts.isStringLiteral(a)));
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { literal, templates };
}

describe('the journal’s actions', () => {
  // The families written with a template (`queue.${action}`): every value they can take.
  const QUEUE_ACTIONS: QueueAction[] = [
    'call',
    'start',
    'requeue',
    'no_show',
    'leave',
    'cancel',
    'finish',
    'reopen',
  ];
  const FAMILIES: Record<string, readonly string[]> = {
    'queue.': QUEUE_ACTIONS,
    'appointment.': appointmentStatusSchema.options,
    'contradiction.': contradictionDecisionSchema.options,
    'orientation.': ORIENTATION_ACTIONS,
  };

  it('has a French label for every action code written anywhere in src/', () => {
    const { literal, templates } = writtenActions();
    expect(literal.size).toBeGreaterThan(20);
    // A new family written with a template must be listed above with its values.
    expect([...templates].sort()).toEqual(Object.keys(FAMILIES).sort());
    const codes = [
      ...literal,
      ...Object.entries(FAMILIES).flatMap(([head, values]) => values.map((v) => `${head}${v}`)),
    ];
    const known = new Set<string>(KNOWN_ACTIONS);
    expect(codes.filter((c) => !known.has(c) && !c.startsWith('server.'))).toEqual([]);
  });
});

describe('what the journal shows', () => {
  let db: EscaleDb;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    db = freshDb();
  });
  afterEach(() => {
    vi.useRealTimers();
    useUiStore.setState({ staffId: null });
  });

  it('names the action, the person, the device and the record, with French dates', async () => {
    const demo = await seedDemoDay(db);
    const org = demo.day.stop!.orgId;
    const morvan = demo.day.staff.find((s) => s.lastName === 'Morvan')!;
    const patient = demo.patients[3]!;
    const unknownId = '0190f1a2-3b4c-7d5e-8f90-a1b2c3d4e5f6';
    const event = (id: string, over: Record<string, unknown>) => ({
      entity: 'audit' as const,
      id,
      insert: {
        orgId: org,
        at: NOW,
        actorId: morvan.id,
        deviceId: 'tablette-test',
        entity: null,
        entityId: null,
        detail: null,
        ...over,
      },
    });
    await writeChanges(db, { deviceId: 'tablette-test', org }, [
      {
        entity: 'device',
        id: 'tablette-test',
        set: {
          orgId: org,
          name: 'Portable coordination',
          profile: 'coordination',
          roomId: null,
          enrolledAt: NOW,
          revoked: false,
        },
      },
      event('a-1', { action: 'session.unlock', entity: 'staff', entityId: morvan.id }),
      event('a-2', {
        action: 'patient.created_despite_duplicates',
        entity: 'patient',
        entityId: patient.id,
        detail: `${patient.id},${unknownId}`,
      }),
      event('a-3', { action: 'export.indicators', detail: `${TODAY} → 2026-12-31` }),
      event('a-4', {
        action: 'sync.receipt',
        deviceId: 'server.audit',
        entity: 'stop',
        entityId: demo.day.stop!.id,
      }),
      event('a-5', { action: 'something.new', deviceId: 'seed' }),
    ]);
    useUiStore.setState({ staffId: morvan.id });
    renderAt('/coordination/journal', db);
    const table = await screen.findByRole('table');
    const text = table.textContent!;
    expect(text).not.toMatch(UUID);
    expect(text).not.toMatch(ISO_DATE);
    expect(text).not.toMatch(CODE);
    const cells = (name: string) => within(table).getAllByRole('cell', { name });
    expect(cells('Déverrouillage par code')).toHaveLength(1);
    expect(cells('Équipe : Hélène Morvan')).toHaveLength(1);
    expect(cells('Patient enregistré malgré des identités proches')).toHaveLength(1);
    expect(
      within(table).getByRole('cell', {
        name: `${'Patient'} : ${patient.birthName.toUpperCase()} ${patient.firstNames.split(' ')[0]}`,
      }),
    ).toBeInTheDocument();
    // The suspects' ids in the detail: the one on the device by name, the other said so.
    const suspects = within(table).getByText(/dossier absent de cet appareil$/);
    expect(suspects.textContent).toContain(patient.birthName.toUpperCase());
    expect(cells('23/11/2026 → 31/12/2026')).toHaveLength(1);
    expect(cells('Portable coordination').length).toBeGreaterThan(0);
    expect(cells('Serveur central')).toHaveLength(1);
    expect(cells('Données de départ')).toHaveLength(1);
    expect(cells('Autre action')).toHaveLength(1);
    expect(within(table).getByText(/^Escale : escale de .+ du 23\/11\/2026$/)).toBeInTheDocument();
    // The action filter offers French labels too.
    const filter = screen.getByLabelText('Action');
    expect(filter.textContent).not.toMatch(CODE);
  });

  it('turns ISO instants, dates and ids in an older detail into French words', () => {
    const names = new Map([['0190f1a2-3b4c-7d5e-8f90-a1b2c3d4e5f6', 'LEBRUN Noël']]);
    expect(
      readableDetail(
        '0190f1a2-3b4c-7d5e-8f90-a1b2c3d4e5f6 le 2026-11-23T08:05:00.000Z, 2026-12-01',
        names,
      ),
    ).toBe('LEBRUN Noël le 23/11/2026 09:05, 01/12/2026');
    expect(readableDetail(null, names)).toBe('—');
  });

  it('words a bris de glace’s reason code, and nothing else as one', () => {
    const names = new Map<string, string>();
    expect(readableDetail('continuite_soins', names, 'breakGlass.declared')).toBe(
      'Continuité des soins',
    );
    expect(readableDetail('urgence_vitale', names, 'breakGlass.declared')).toBe('Urgence vitale');
    // Another action's detail is not read as a reason.
    expect(readableDetail('continuite_soins', names, 'queue.call')).toBe('continuite_soins');
  });
});

describe('the indicators export', () => {
  it('has French headers, French words for every line and French dates and decimals', async () => {
    const db = freshDb();
    const demo = await seedDemoDay(db);
    const ind = computeIndicators({
      stops: demo.stops,
      visits: demo.day.visits,
      queueEntries: demo.day.entries,
      consultations: [],
      appointments: demo.day.appointments,
      patients: demo.patients,
      rosterSlots: demo.day.slots,
      rooms: demo.day.rooms,
      services: demo.day.services,
      period: { from: '2026-11-01', to: TODAY },
    });
    expect(indicatorCsvHeader()).toEqual(['Rubrique', 'Indicateur', 'Valeur']);
    const rows = indicatorCsvRows(ind, demo.day.services);
    expect(rows.length).toBeGreaterThan(30);
    for (const [section, item, value] of rows) {
      expect(`${section} ${item}`).not.toMatch(CAMEL_OR_SNAKE);
      expect(String(value)).not.toMatch(ISO_DATE);
      if (typeof value === 'string' && /^\d/.test(value)) expect(value).not.toMatch(/\d\.\d/);
    }
    expect(rows).toContainEqual(['période', 'du', '01/11/2026']);
    expect(rows).toContainEqual(['totaux', 'passages en file', demo.day.entries.length]);
    expect(rows.some(([s]) => s === 'service Médecine générale')).toBe(true);
    expect(
      rows.some(
        ([s, i]) => s === 'orientation' && i === 'Suivi dans le camion à une prochaine escale',
      ),
    ).toBe(true);
  });
});

describe('messages the domain and the server write', () => {
  /** Words that only an English sentence has. */
  const ENGLISH =
    /\b(the|not|is|are|was|must|should|cannot|failed|unknown|invalid|missing|expected|error|found|recorded)\b/i;

  it('are French, and never put an ISO date in front of a person', () => {
    const found: string[] = [];
    for (const file of [...sources(join(SRC, 'domain')), ...sources(join(SRC, 'server'))]) {
      const sf = parse(file);
      const visit = (node: ts.Node) => {
        let message: ts.Node | undefined;
        if (ts.isNewExpression(node) && /Error$/.test(node.expression.getText(sf))) {
          message = node.arguments?.[0];
        }
        if (ts.isPropertyAssignment(node) && node.name.getText(sf) === 'message') {
          message = node.initializer;
        }
        if (
          message &&
          (ts.isStringLiteral(message) ||
            ts.isTemplateExpression(message) ||
            ts.isNoSubstitutionTemplateLiteral(message))
        ) {
          const text = message.getText(sf);
          // Interpolated values are not read for words: only the sentence around them.
          const words = text.replace(/\$\{[^}]*\}/g, '');
          const where = `${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(message.getStart(sf)).line + 1}`;
          if (ENGLISH.test(words)) found.push(`${where} English: ${text}`);
          if (/toISOString\(\)/.test(text)) found.push(`${where} ISO date: ${text}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(found).toEqual([]);
  });
});

describe('the room’s notes to finish or take up again', () => {
  afterEach(() => {
    vi.useRealTimers();
    useUiStore.setState({ staffId: null });
  });

  it('names the patient of each note, with a French date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    const db = freshDb();
    const demo = await seedDemoDay(db);
    const garnier = demo.day.staff.find((s) => s.lastName === 'Garnier')!;
    const morvan = demo.day.staff.find((s) => s.lastName === 'Morvan')!;
    const e = demo.entries.waiting2;
    const visit = demo.day.visits.find((v) => v.id === e.visitId)!;
    const patient = demo.patients.find((p) => p.id === visit.patientId)!;
    await writeChanges(db, { deviceId: 'box-1', org: demo.day.stop!.orgId }, [
      {
        entity: 'consultation',
        id: 'note-returned',
        set: {
          orgId: demo.day.stop!.orgId,
          queueEntryId: e.id,
          visitId: visit.id,
          patientId: patient.id,
          stopId: e.stopId,
          serviceId: e.serviceId,
          authorId: garnier.id,
          supervisorId: morvan.id,
          motif: 'Suivi tension',
          subjective: '',
          objective: '',
          assessment: '',
          plan: '',
          codes: [],
          orientation: { kind: 'none' },
          confidentiality: 'standard',
          status: 'returned',
          returnComment: 'À reprendre',
          createdAt: NOW,
        },
      },
    ]);
    useUiStore.setState({ profile: 'room', staffId: garnier.id, dirtyForms: [] });
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    const list = await screen.findByRole('region', { name: 'Mes notes à terminer ou à reprendre' });
    const link = within(list).getByRole('link');
    expect(link).toHaveTextContent(
      `${patient.birthName.toUpperCase()} ${patient.firstNames.split(/[ ,]+/)[0]} — 23/11/2026 10:00 — Médecine générale : Suivi tension`,
    );
    expect(link.textContent).not.toMatch(ISO_DATE);
  });
});
