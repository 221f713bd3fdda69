// Central's side of the partner tasks (docs/decisions/0022-partner-tasks.md): it produces the
// tasks from the ops it holds, leases them to enrolled partner components and records their
// answers — every change an ordinary op of the log under the origin `server.partner`, so devices
// pull them and the merge rules apply as to anything else. The rules are
// src/domain/partner-tasks.ts'; this file reads rows, calls them and writes ops.
import { type PartnerService, type PartnerTask, SCHEMA_VERSION } from '../domain/entities';
import {
  answerRefusal,
  answerSchema,
  completeTask,
  effectiveState,
  failTask,
  INSI_ACTOR,
  insiEffect,
  insiTaskFor,
  LEASE_MS,
  leaseTask,
  newTaskState,
  noteTasksFor,
  outcomeOf,
  type PartnerResult,
  requeueTask,
  SERVICE_LABELS,
  STATE_LABELS,
  type TaskSpec,
  taskPayload,
} from '../domain/partner-tasks';
import { createClock, type Hlc, type HlcClock, receive, tick } from '../sync/hlc';
import { baseOf, type RowState } from '../sync/merge';
import type { Op } from '../sync/op';
import { epochOrigin, isOriginOf } from '../sync/origins';
import { creationStamps } from '../sync/prune';
import type { SyncStore } from './store/types';

/** The origin of every op central writes for its partners (a dot: no device can hold it); its
 * ops go under this name and the log's epoch (`partnerOrigin`), so a restored central never
 * writes again a sequence a replica holds (docs/decisions/0029-central-origins-after-restore.md). */
export const PARTNER_ORIGIN = 'server.partner';

/** The origin central's partner ops are written under in the log's `epoch`. */
export const partnerOrigin = (epoch: string) => epochOrigin(PARTNER_ORIGIN, epoch);

const cursorKey = (org: string) => `partner:cursor:${org}`;

type Row = Record<string, unknown>;
/** `hlc`: a stamp fixed by what the op stands for (a task's creation), instead of a tick. */
type Draft = Omit<Op, 'seq' | 'hlc' | 'v' | 'org' | 'dev'> & { after?: string[]; hlc?: string };

/** One clock per origin (a new epoch starts a new one, its node the new name). */
const clocks = new Map<string, HlcClock>();
/** One writer per organisation in this process: the origin's sequence stays gapless. */
const queues = new Map<string, Promise<unknown>>();

function serial<T>(org: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(org) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    org,
    next.catch(() => undefined),
  );
  return next;
}

/** Stores `drafts` as the next ops of `server.partner`, all or nothing; each op's clock is after
 * the heads it supersedes (`after`), so it wins them even across server instances. */
async function pushOps(store: SyncStore, org: string, drafts: readonly Draft[], now: number) {
  if (drafts.length === 0) return;
  const origin = partnerOrigin(await store.epoch());
  for (let attempt = 0; attempt < 5; attempt++) {
    const first = (await store.contiguous(org, origin)) + 1;
    const ops: Op[] = drafts.map(({ after, hlc, ...d }, i) => {
      let clock = clocks.get(origin) ?? createClock(origin);
      for (const h of after ?? []) clock = receive(clock, h, now);
      let stamp = hlc;
      if (!stamp) {
        const t = tick(clock, now);
        clock = t.clock;
        stamp = t.hlc;
      }
      clocks.set(origin, clock);
      return { v: SCHEMA_VERSION, org, dev: origin, seq: first + i, hlc: stamp, ...d };
    });
    const pushed = await store.push(org, ops);
    if (pushed.stored === ops.length) return;
    // Another instance took these sequences first: none of ours was stored only if the first was
    // taken, so try the next ones (a partial store cannot happen within one process: serial()).
    if (pushed.stored > 0) throw new Error('Écriture partielle des tâches partenaires.');
  }
  throw new Error('Tâches partenaires non enregistrées : réessayez.');
}

const setOp = (e: string, id: string, f: string, val: unknown, state?: RowState): Draft => {
  const base = baseOf(state, f);
  return { e, id, f, k: 'set', val, base, after: base };
};

let auditCount = 0;
function auditDraft(
  org: string,
  now: number,
  event: { deviceId: string; action: string; entityId: string; detail: string },
  fixed?: { id: string; hlc: string },
): Draft {
  const id =
    fixed?.id ??
    `audit.${now.toString(36)}.p${(auditCount++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return {
    ...(fixed ? { hlc: fixed.hlc } : {}),
    e: 'audit',
    id,
    f: '*',
    k: 'ins',
    val: {
      id,
      orgId: org,
      at: new Date(now).toISOString(),
      actorId: null,
      deviceId: event.deviceId,
      action: event.action,
      entity: 'partnerTask',
      entityId: event.entityId,
      // References only: the service and the state, never clinical text.
      detail: event.detail,
    },
  };
}

// ---- production ----

/** The note or the patient an op of the log may produce tasks for (null: none): a note's own
 * ops, a treatment's note, a printed document's note, a patient's ops. Central's partner ops
 * produce nothing. */
export function producingRow(op: Op): { note: string } | { patient: string } | null {
  if (isOriginOf(op.dev, PARTNER_ORIGIN)) return null;
  const val = op.val as Row | undefined;
  if (op.e === 'consultation') return { note: op.id };
  if (op.e === 'treatment' && op.f === 'consultationId' && typeof op.val === 'string')
    return { note: op.val };
  if (op.e === 'printedDocument' && op.k === 'ins' && typeof val?.consultationId === 'string')
    return { note: val.consultationId };
  if (op.e === 'patient') return { patient: op.id };
  return null;
}

/** The rows whose events may produce tasks, named by the ops after the cursor, each with the
 * least clock of the ops that named it (the task's trigger, `creationStamps`). */
function touched(ops: readonly Op[]) {
  const notes = new Map<string, Hlc>();
  const patients = new Map<string, Hlc>();
  const note = (map: Map<string, Hlc>, id: string, hlc: Hlc) => {
    const before = map.get(id);
    if (before === undefined || hlc < before) map.set(id, hlc);
  };
  for (const op of ops) {
    const row = producingRow(op);
    if (!row) continue;
    if ('note' in row) note(notes, row.note, op.hlc);
    else note(patients, row.patient, op.hlc);
  }
  return { notes, patients };
}

/** Where the cursor stands in the log: the ops after it are not processed yet. A restored
 * backup (another epoch) brings back its own cursor, still a place in its log; none: the whole
 * log (an organisation created after central's start). */
async function cursorOf(store: SyncStore, org: string): Promise<number> {
  const raw = await store.getMeta(cursorKey(org));
  const held = raw ? (JSON.parse(raw) as { epoch: string; seq: number }) : null;
  return held ? Math.min(held.seq, await store.lastSeq(org)) : 0;
}

/**
 * The clocks of the ops the cursor has not processed yet that may produce a task: the horizon is
 * held at or below the least of them (`pendingPosition`, decision 0027), since a task they
 * produce is stamped above it. Usually none: the cursor runs after each push.
 */
export async function pendingClocks(store: SyncStore, org: string): Promise<Hlc[]> {
  let since = await cursorOf(store, org);
  const out: Hlc[] = [];
  for (;;) {
    const page = await store.pull(org, since, 1024 * 1024);
    for (const { op } of page.ops) if (producingRow(op)) out.push(op.hlc);
    since = page.lastSeq;
    if (!page.hasMore) return out;
  }
}

/**
 * At central's start: an organisation whose log has no cursor yet starts it at the log's end. A
 * central upgraded to partner tasks does not hand its partners every note it ever validated (those
 * acts were billed, filed and sent by hand); an organisation created later has its whole log read.
 */
export async function startCursors(store: SyncStore): Promise<void> {
  const epoch = await store.epoch();
  for (const org of await store.orgs()) {
    const seq = await store.lastSeq(org);
    await store.claimMeta(cursorKey(org), JSON.stringify({ epoch, seq }));
  }
}

/** Creates the tasks the ops since the last pass call for (idempotent: a task's id is derived
 * from what produced it). Central only; never throws into the caller's request. */
export function produceTasks(store: SyncStore, org: string, now: number): Promise<number> {
  return serial(org, async () => {
    const epoch = await store.epoch();
    // Never from 0 for an organisation that had a cursor: its history was not the partners'.
    let since = await cursorOf(store, org);
    let created = 0;
    for (;;) {
      const page = await store.pull(org, since, 1024 * 1024);
      const { notes, patients } = touched(page.ops.map((x) => x.op));
      const specs: TaskSpec[] = [];
      /** Per task, the least clock of this page's ops that named its note or patient. */
      const triggers = new Map<string, Hlc>();
      /** Per note, its treatments (an e-prescription's cause is the earliest of them). */
      const treatmentsOf = new Map<string, string[]>();
      if (notes.size > 0) {
        const ids = [...notes.keys()];
        const [consultations, treatments, printed] = await Promise.all([
          store.rowsByIds(org, 'consultation', ids),
          store.rows(org, 'treatment'),
          store.rows(org, 'printedDocument'),
        ]);
        const own = treatments.filter((t) => notes.has(String(t.consultationId)));
        for (const t of own) {
          const list = treatmentsOf.get(String(t.consultationId)) ?? [];
          list.push(String(t.id));
          treatmentsOf.set(String(t.consultationId), list);
        }
        for (const c of consultations) {
          for (const spec of noteTasksFor(
            c as never,
            own as never,
            printed.filter((d) => notes.has(String(d.consultationId))) as never,
          )) {
            specs.push(spec);
            triggers.set(spec.id, notes.get(String(c.id))!);
          }
        }
      }
      if (patients.size > 0) {
        for (const p of await store.rowsByIds(org, 'patient', [...patients.keys()])) {
          const spec = insiTaskFor(p as never);
          if (!spec) continue;
          specs.push(spec);
          triggers.set(spec.id, patients.get(String(p.id))!);
        }
      }
      created += await createTasks(store, org, specs, { triggers, treatmentsOf }, now);
      since = page.lastSeq;
      await store.setMeta(cursorKey(org), JSON.stringify({ epoch, seq: since }));
      if (!page.hasMore) return created;
    }
  });
}

/** The clock of the last write to `fields` of a row (a register's newest head, a set's newest
 * add or remove, an insert), if any. */
function lastWrite(state: RowState | undefined, fields: readonly string[]): Hlc | null {
  let best: Hlc | null = null;
  const take = (h: Hlc | undefined) => {
    if (h !== undefined && (best === null || h > best)) best = h;
  };
  for (const f of fields) {
    const st = state?.f[f];
    if (!st) continue;
    if (st.t === 'r') for (const head of st.heads) take(head.h);
    else if (st.t === 'i') take(st.h);
    else {
      for (const el of Object.values(st.el)) for (const tag of el.tags) take(tag);
      take(st.rm.at(-1));
    }
  }
  return best;
}

const newest = (a: Hlc | null, b: Hlc | null) => (a === null || (b !== null && b > a) ? b : a);

/** What each task's condition reads (src/domain/partner-tasks.ts, `noteTasksFor`,
 * `insiTaskFor`): its cause is the last write to any of them. */
const NOTE_INPUTS = ['status'] as const;
const SENT_NOTE_INPUTS = ['status', 'confidentiality'] as const;
const INSI_INPUTS = [
  'identityAttributes',
  'identityStatus',
  'insMatricule',
  'mergedInto',
  'nir',
] as const;

/**
 * Each task's cause, read from the clocks of the writes its condition reads: the note's
 * validation (and its confidentiality for a document sent), the earliest treatment of the note
 * for an e-prescription, the printed document, the identity fields for INSi. The same on every
 * central that holds those ops, whenever it produces the task (decision 0029); it is also never
 * older than the op that completed the condition (decision 0027, « Partner tasks »).
 */
async function causeClocks(
  store: SyncStore,
  org: string,
  specs: readonly TaskSpec[],
  treatmentsOf: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, Hlc | null>> {
  const ids = (entity: string) => [
    ...new Set(
      specs.flatMap((s) =>
        entity === 'consultation'
          ? s.consultationId
            ? [s.consultationId]
            : []
          : entity === 'treatment'
            ? s.service === 'eprescription' && s.consultationId
              ? [...(treatmentsOf.get(s.consultationId) ?? [])]
              : []
            : s.sourceEntity === entity
              ? [s.sourceId]
              : [],
      ),
    ),
  ];
  const statesOf = async (entity: string) => {
    const wanted = ids(entity);
    const states = wanted.length ? await store.rowStatesByIds(org, entity, wanted) : [];
    return new Map(states.map((st) => [st.id, st]));
  };
  const [notes, treatments, documents, patients] = await Promise.all([
    statesOf('consultation'),
    statesOf('treatment'),
    statesOf('printedDocument'),
    statesOf('patient'),
  ]);
  const out = new Map<string, Hlc | null>();
  for (const s of specs) {
    const sent = s.service === 'dmp' || s.service === 'mssante';
    let cause = s.consultationId
      ? lastWrite(notes.get(s.consultationId), sent ? SENT_NOTE_INPUTS : NOTE_INPUTS)
      : null;
    if (s.service === 'eprescription' && s.consultationId) {
      // The earliest treatment: the one that made the note call for a prescription.
      let earliest: Hlc | null = null;
      for (const t of treatmentsOf.get(s.consultationId) ?? []) {
        const h = lastWrite(treatments.get(t), ['consultationId']);
        if (h !== null && (earliest === null || h < earliest)) earliest = h;
      }
      cause = newest(cause, earliest);
    }
    if (s.sourceEntity === 'printedDocument')
      cause = newest(cause, lastWrite(documents.get(s.sourceId), ['*']));
    if (s.sourceEntity === 'patient')
      cause = newest(cause, lastWrite(patients.get(s.sourceId), INSI_INPUTS));
    out.set(s.id, cause);
  }
  return out;
}

async function createTasks(
  store: SyncStore,
  org: string,
  specs: readonly TaskSpec[],
  context: {
    /** Per task, the least clock of the unprocessed ops that named its rows. */
    triggers: ReadonlyMap<string, Hlc>;
    /** Per note, its treatments' ids. */
    treatmentsOf: ReadonlyMap<string, readonly string[]>;
  },
  now: number,
): Promise<number> {
  const unique = [...new Map(specs.map((s) => [s.id, s])).values()];
  if (unique.length === 0) return 0;
  const existing = new Set(
    (
      await store.rowsByIds(
        org,
        'partnerTask',
        unique.map((s) => s.id),
      )
    ).map((r) => String(r.id)),
  );
  const fresh = unique.filter((s) => !existing.has(s.id));
  const causes = await causeClocks(store, org, fresh, context.treatmentsOf);
  const drafts: Draft[] = [];
  for (const s of fresh) {
    // A task's creation is a function of its cause: written again by a central restored from an
    // older backup, it is the very same ops (values and stamps) a replica may already hold, so
    // replicas converge without a second version of the task (decision 0029). Its clocks are
    // above the ops that made central produce it, hence above every horizon announced before
    // (decision 0027: the horizon waits for this cursor).
    const node = `${PARTNER_ORIGIN}@${s.id}`;
    const rowAt = (at: number): Omit<PartnerTask, 'id'> => ({
      orgId: org,
      service: s.service,
      sourceEntity: s.sourceEntity,
      sourceId: s.sourceId,
      patientId: s.patientId,
      consultationId: s.consultationId,
      createdAt: new Date(at).toISOString(),
      state: newTaskState(at),
      outcome: null,
    });
    // One clock per field of the row, then one for its audit row.
    const count = Object.keys(rowAt(now)).length + 1;
    const { at, clocks } = creationStamps(
      causes.get(s.id) ?? null,
      context.triggers.get(s.id) ?? null,
      count,
      node,
      now,
    );
    const row = rowAt(at);
    const fields = Object.entries(row);
    fields.forEach(([f, val], i) => {
      drafts.push({ e: 'partnerTask', id: s.id, f, k: 'set', val, base: [], hlc: clocks[i]! });
    });
    drafts.push(
      auditDraft(
        org,
        at,
        {
          deviceId: PARTNER_ORIGIN,
          action: 'partnerTask.created',
          entityId: s.id,
          detail: `${SERVICE_LABELS[s.service]} : à faire`,
        },
        { id: `audit.${s.id}`, hlc: clocks[fields.length]! },
      ),
    );
  }
  await pushOps(store, org, drafts, now);
  return fresh.length;
}

// ---- leasing ----

export interface PartnerCaller {
  org: string;
  deviceId: string;
  services: readonly PartnerService[];
}

export interface LeasedTask {
  id: string;
  service: PartnerService;
  createdAt: string;
  leaseUntil: string;
  attempt: number;
  payload: Record<string, unknown>;
}

const byId = (rows: Row[]) => new Map(rows.map((r) => [String(r.id), r]));

/** What the payload of each task is read from (the rows as central holds them now). */
async function payloadsOf(store: SyncStore, org: string, tasks: readonly PartnerTask[]) {
  if (tasks.length === 0) return new Map<string, Record<string, unknown>>();
  const [
    patients,
    consultations,
    staff,
    services,
    stops,
    units,
    orgs,
    treatments,
    vitals,
    addenda,
    allergies,
    printed,
    templates,
  ] = await Promise.all([
    store.rows(org, 'patient'),
    store.rows(org, 'consultation'),
    store.rows(org, 'staff'),
    store.rows(org, 'service'),
    store.rows(org, 'stop'),
    store.rows(org, 'unit'),
    store.rowsByIds(org, 'organisation', [org]),
    store.rows(org, 'treatment'),
    store.rows(org, 'vitals'),
    store.rows(org, 'addendum'),
    store.rows(org, 'allergy'),
    store.rows(org, 'printedDocument'),
    store.rows(org, 'documentTemplate'),
  ]);
  const P = byId(patients);
  const C = byId(consultations);
  const S = byId(staff);
  const SV = byId(services);
  const ST = byId(stops);
  const U = byId(units);
  const D = byId(printed);
  const TP = byId(templates);
  const out = new Map<string, Record<string, unknown>>();
  for (const task of tasks) {
    const patient = P.get(task.patientId);
    if (!patient) continue;
    const c = task.consultationId ? C.get(task.consultationId) : undefined;
    const stop = c ? ST.get(String(c.stopId)) : undefined;
    const doc = task.sourceEntity === 'printedDocument' ? D.get(task.sourceId) : undefined;
    out.set(
      task.id,
      taskPayload({
        task,
        patient: patient as never,
        consultation: c as never,
        staff: S as never,
        service: c ? (SV.get(String(c.serviceId)) as never) : undefined,
        stop: stop as never,
        unit: stop ? (U.get(String(stop.unitId)) as never) : undefined,
        organisationName: typeof orgs[0]?.name === 'string' ? orgs[0].name : undefined,
        treatments: treatments.filter((t) => t.patientId === task.patientId) as never,
        vitals: vitals.filter((v) => c && v.consultationId === c.id) as never,
        addenda: addenda.filter((a) => c && a.consultationId === c.id) as never,
        allergies: allergies.filter((a) => a.patientId === task.patientId) as never,
        printed: doc as never,
        template: doc?.templateId ? (TP.get(String(doc.templateId)) as never) : null,
      }),
    );
  }
  return out;
}

/**
 * Leases up to `limit` tasks of `service` to this partner, oldest first, and returns them with
 * their payload. A task whose expired leases used up its tries goes to a person instead.
 */
export async function leaseTasks(
  store: SyncStore,
  caller: PartnerCaller,
  service: PartnerService,
  limit: number,
  now: number,
  leaseMs = LEASE_MS,
): Promise<LeasedTask[]> {
  await produceTasks(store, caller.org, now);
  const { org } = caller;
  const leased = await serial(org, async () => {
    const candidates = ((await store.rows(org, 'partnerTask')) as unknown as PartnerTask[])
      .filter((t) => t.service === service && effectiveState(t.state, now) === 'todo')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const states = new Map(
      (
        await store.rowStatesByIds(
          org,
          'partnerTask',
          candidates.map((t) => t.id),
        )
      ).map((s) => [s.id, s]),
    );
    const drafts: Draft[] = [];
    const taken: PartnerTask[] = [];
    for (const task of candidates) {
      if (taken.length >= limit) break;
      const r = leaseTask(task.state, caller.deviceId, now, leaseMs);
      if (!r.ok && r.status === 409) continue;
      const next = r.ok ? r.state : r.state;
      // One lease per lease number across server instances.
      if (
        r.ok &&
        !(await store.claimMeta(`partner:lease:${org}:${task.id}:${next.leases}`, caller.deviceId))
      ) {
        continue;
      }
      drafts.push(setOp('partnerTask', task.id, 'state', next, states.get(task.id)));
      drafts.push(
        auditDraft(org, now, {
          deviceId: caller.deviceId,
          action: r.ok ? 'partnerTask.leased' : 'partnerTask.manual',
          entityId: task.id,
          detail: `${SERVICE_LABELS[service]} : ${STATE_LABELS[r.ok ? 'leased' : 'manual']}`,
        }),
      );
      if (r.ok) taken.push({ ...task, state: next });
    }
    await pushOps(store, org, drafts, now);
    return taken;
  });
  const payloads = await payloadsOf(store, org, leased);
  return leased.map((t) => ({
    id: t.id,
    service: t.service,
    createdAt: t.createdAt,
    leaseUntil: t.state.leaseUntil ?? '',
    attempt: t.state.attempts + 1,
    payload: payloads.get(t.id) ?? {},
  }));
}

// ---- answers ----

export type AnswerResult =
  | { ok: true; id: string; state: string; outcome: unknown }
  | { ok: false; status: 400 | 403 | 404 | 409; error: string; message: string };

/** Records a partner's answer: all its ops in one push, or nothing. */
export async function answerTask(
  store: SyncStore,
  caller: PartnerCaller,
  taskId: string,
  body: unknown,
  now: number,
): Promise<AnswerResult> {
  const { org } = caller;
  return serial(org, async () => {
    const [row] = await store.rowsByIds(org, 'partnerTask', [taskId]);
    if (!row) {
      return {
        ok: false,
        status: 404,
        error: 'unknown_task',
        message: 'Tâche inconnue dans cette organisation.',
      };
    }
    const task = row as unknown as PartnerTask;
    if (!caller.services.includes(task.service)) {
      return {
        ok: false,
        status: 403,
        error: 'service_not_enrolled',
        message: `Ce composant partenaire n’est pas enrôlé pour ce service (${SERVICE_LABELS[task.service]}).`,
      };
    }
    const parsed = answerSchema(task.service).safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        status: 400,
        error: 'invalid_answer',
        message: `Réponse invalide pour ${SERVICE_LABELS[task.service]}${issue?.path.length ? ` (${issue.path.join('.')})` : ''} : ${issue?.message ?? 'forme inattendue'}.`,
      };
    }
    const refusal = answerRefusal(task.state, caller.deviceId);
    if (refusal) return { ok: false, status: 409, error: 'task_not_leased', message: refusal };
    const claim = `partner:answer:${org}:${taskId}:${task.state.leases}`;
    if (!(await store.claimMeta(claim, caller.deviceId))) {
      return {
        ok: false,
        status: 409,
        error: 'task_not_leased',
        message: 'Cette tâche a déjà reçu sa réponse.',
      };
    }
    try {
      const [state] = await store.rowStatesByIds(org, 'partnerTask', [taskId]);
      const answer = parsed.data;
      const drafts: Draft[] = [];
      let next = task.state;
      let outcome: unknown = null;
      if (answer.outcome === 'failed') {
        const r = failTask(task.state, caller.deviceId, answer.reason, now);
        if (!r.ok) throw new Error(r.reason);
        next = r.state;
      } else if (task.service === 'insi') {
        const [patient] = await store.rowsByIds(org, 'patient', [task.patientId]);
        const [patientState] = await store.rowStatesByIds(org, 'patient', [task.patientId]);
        const effect = patient
          ? insiEffect(patient as never, answer.result as PartnerResult<'insi'>)
          : ({
              kind: 'manual',
              reason: 'Dossier introuvable au central : à vérifier à l’accueil.',
            } as const);
        if (effect.kind === 'manual') {
          const r = failTask(task.state, caller.deviceId, effect.reason, now, true);
          if (!r.ok) throw new Error(r.reason);
          next = r.state;
        } else {
          const r = completeTask(task.state, caller.deviceId, now);
          if (!r.ok) throw new Error(r.reason);
          next = r.state;
          outcome = effect.outcome;
          if (effect.kind === 'apply' && effect.changes.length > 0) {
            for (const [f, val] of Object.entries(effect.patch)) {
              drafts.push(setOp('patient', task.patientId, f, val, patientState));
            }
            const changeId = `ic.${taskId}`.slice(0, 64);
            drafts.push({
              e: 'identityChange',
              id: changeId,
              f: '*',
              k: 'ins',
              user: INSI_ACTOR,
              val: {
                id: changeId,
                orgId: org,
                patientId: task.patientId,
                at: new Date(now).toISOString(),
                staffId: INSI_ACTOR,
                kind: 'qualification',
                changes: effect.changes,
                otherPatientId: null,
              },
            });
          }
        }
      } else {
        const r = completeTask(task.state, caller.deviceId, now);
        if (!r.ok) throw new Error(r.reason);
        next = r.state;
        outcome = outcomeOf(task.service, answer.result, now);
      }
      drafts.unshift(setOp('partnerTask', taskId, 'state', next, state));
      if (outcome !== null)
        drafts.splice(1, 0, setOp('partnerTask', taskId, 'outcome', outcome, state));
      drafts.push(
        auditDraft(org, now, {
          deviceId: caller.deviceId,
          action: 'partnerTask.answered',
          entityId: taskId,
          detail: `${SERVICE_LABELS[task.service]} : ${STATE_LABELS[effectiveState(next, now)]}`,
        }),
      );
      await pushOps(store, org, drafts, now);
      return { ok: true, id: taskId, state: effectiveState(next, now), outcome };
    } catch (e) {
      // Nothing stored: the partner may answer again.
      await store.deleteMeta(claim);
      throw e;
    }
  });
}

/** The coordination puts a task back in the queue (« Relancer »). */
export async function requeue(
  store: SyncStore,
  org: string,
  deviceId: string,
  taskId: string,
  now: number,
): Promise<AnswerResult> {
  return serial(org, async () => {
    const [row] = await store.rowsByIds(org, 'partnerTask', [taskId]);
    if (!row) {
      return {
        ok: false,
        status: 404,
        error: 'unknown_task',
        message: 'Tâche inconnue dans cette organisation.',
      };
    }
    const task = row as unknown as PartnerTask;
    const r = requeueTask(task.state, now);
    if (!r.ok) return { ok: false, status: 409, error: 'not_requeueable', message: r.reason };
    const [state] = await store.rowStatesByIds(org, 'partnerTask', [taskId]);
    await pushOps(
      store,
      org,
      [
        setOp('partnerTask', taskId, 'state', r.state, state),
        auditDraft(org, now, {
          deviceId,
          action: 'partnerTask.requeued',
          entityId: taskId,
          detail: `${SERVICE_LABELS[task.service]} : à faire`,
        }),
      ],
      now,
    );
    return { ok: true, id: taskId, state: 'todo', outcome: task.outcome };
  });
}
