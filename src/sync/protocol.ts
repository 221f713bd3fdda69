// Wire contract of the single sync round trip (push then pull, paged by bytes with hasMore).
// A client below MIN_PROTOCOL_VERSION gets 426 update_required. Version 2 adds durable
// acknowledgement, the log's epoch and gap recovery (docs/decisions/0005-durable-acknowledgement.md);
// its fields are optional, so version 1 clients still sync (with version 1's guarantees).
// Version 3 adds the compact envelope (src/sync/envelope.ts, docs/decisions/0024-compact-envelope.md):
// `ops` may be a compact batch, and a compact push gets a compact answer.
import { z } from 'zod';
import { HLC_PATTERN, HORIZON_PATTERN } from './hlc';
import { MAX_HLC, nameSchema, opSchema, wireInt } from './op';

export const PROTOCOL_VERSION = 3;
/** The first version that reads and answers the compact envelope. */
export const COMPACT_PROTOCOL_VERSION = 3;
export const MIN_PROTOCOL_VERSION = 1;
/** Upper bound on ops pushed in one request (the body size is bounded by the server too). */
export const MAX_PUSH_OPS = 10_000;
/** Upper bound on the devices a relay asks central about in one request. */
export const MAX_ASKED_DEVICES = 2_000;

const count = wireInt();

/**
 * A writer's position (docs/decisions/0027-pruning.md): when the request left, every op the
 * device had written had a clock ≤ `hlc` (its clock then: later ops are above it) and a sequence
 * ≤ `seq`, and every one of them not yet acknowledged by this server is in the request. The
 * server records it once it holds the device's ops 1..seq; the organisation's horizon is the
 * least position of every writer.
 */
export const sentPositionSchema = z.object({
  hlc: z.string().max(MAX_HLC).regex(HLC_PATTERN),
  seq: count,
});
export type SentPosition = z.infer<typeof sentPositionSchema>;

/**
 * The horizon a replica pruned its row states at (docs/decisions/0027-pruning.md): a server
 * asked for a digest or a day's proof by it computes its side in the comparable form at that
 * horizon (src/sync/prune.ts, `comparableRow`). Absent: the states as they are (unpruned).
 */
export const prunedAtSchema = z.string().max(MAX_HLC).regex(HORIZON_PATTERN);

export const deviceReportSchema = z.object({
  /** Ops still in the outbox when the request left (this request's ops included). */
  pending: count,
  appVersion: z.string().min(1).max(32),
  profile: z.enum(['reception', 'room', 'coordination', 'display']).nullable(),
  lastError: z.string().max(500).nullable(),
  /** Once the device sees a closure has begun (syncResponse.closing): the digest of its own view
   * of that stop's day, and the closure start it answers (docs/protocol.md, Closure). */
  day: z
    .object({
      stopId: nameSchema,
      startedAt: z.number().int().min(0),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
      /** The horizon the device pruned at: its digest is of the comparable form there. */
      hz: prunedAtSchema.optional(),
    })
    .nullable()
    .optional(),
});
export type DeviceReport = z.infer<typeof deviceReportSchema>;

/** A closure the coordinator began: the stop and central's time (docs/protocol.md, Closure). */
export const closingSchema = z.object({
  stopId: nameSchema,
  startedAt: z.number().int().min(0),
});
export type Closing = z.infer<typeof closingSchema>;

export const closureBeginSchema = z.object({
  org: nameSchema,
  stopId: nameSchema,
});

export const closureExcuseSchema = z.object({
  org: nameSchema,
  stopId: nameSchema,
  deviceId: nameSchema,
  reason: z.string().trim().min(3).max(500),
});

/** Reports a relay received from its devices, passed on to central (POST /api/relay/reports). */
export const relayReportsSchema = z.object({
  org: nameSchema,
  reports: z
    .array(
      z.object({
        deviceId: nameSchema,
        report: deviceReportSchema.extend({
          lastSyncAt: z.number().int().min(0),
          /** The position the device gave the relay; central records it once it holds the
           * device's ops 1..seq (a position never passes the ops it covers). */
          sent: sentPositionSchema.optional(),
        }),
      }),
    )
    .max(1000),
});

/** A device as the server last heard from it (GET /api/devices). */
export interface DeviceSeen extends DeviceReport {
  deviceId: string;
  /** Server time (ms) of its last sync. */
  lastSyncAt: number;
  /** Its ops held here, 1..N contiguous. */
  accepted: number;
}

/** Ops a device declared gone from it (durable at central, it had been told) that the server
 * answering does not hold: lost unless another replica brings them back (GET /api/devices). */
export interface DeviceIncident {
  deviceId: string;
  /** The missing ops when the incident was recorded: from..to of this device. */
  from: number;
  to: number;
  /** Server time (ms) of the record. */
  at: number;
  /** The ops have arrived since (a relay still held them). */
  resolved: boolean;
}

/** A device enrolled in the organisation (GET /api/devices, `enrolled`). */
export interface EnrolledDevice {
  deviceId: string;
  name: string;
  profile: 'reception' | 'room' | 'coordination' | 'display' | 'relay' | 'partner';
  roomId: string | null;
  /** A partner component's services (docs/integrations.md). */
  services?: string[];
  /** Server time (ms) of the enrolment. */
  enrolledAt: number;
  /** Withdrawn by the coordination. */
  revoked: boolean;
}

/** An op a server refused and set apart (GET /api/quarantine). */
export interface QuarantinedView {
  dev: string;
  seq: number;
  /** The name given at enrolment, when the server knows the device. */
  deviceName: string | null;
  entity: string;
  field: string;
  error: string;
  /** The server's reason, in French. */
  reason: string;
  /** The device or relay whose request brought it. */
  via: string;
  /** When it was set apart (ISO). */
  at: string;
}

/** An enrolment code as typed: capitals, spaces and dashes do not count. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** A past record asked on demand (docs/protocol.md, « Dossier antérieur à la demande »). */
export const recordRequestSchema = z.object({
  org: nameSchema,
  patientId: nameSchema,
  /** The person signed in on the asking device: what they may read decides what is sent. */
  staffId: nameSchema,
  /** Sent by a relay only: the device it asks for (the relay checked its person's session). */
  deviceId: nameSchema.optional(),
});

/** The answer: where it came from and the record (src/domain/patient-record.ts, PastRecord —
 * rows as the entities' schemas describe them). */
export interface RecordAnswer<R = unknown> {
  source: 'relay' | 'central';
  record: R;
}

/** Central's indicators over its whole history (GET /api/indicators; docs/indicators.md). */
export interface IndicatorsAnswer<I = unknown> {
  source: 'central';
  /** When central computed them (ISO). */
  computedAt: string;
  /** The definitions' version (src/domain/pathway-indicators.ts, INDICATORS_VERSION). */
  version: number;
  /** Nothing held for the period: `message` says so and the figures are not facts. */
  empty: boolean;
  message: string | null;
  /** What the history held: its first stop's date, and archived records included. */
  history: { firstStop: string | null; archivedRecords: number };
  indicators: I;
}

export const receiptRequestSchema = z.object({
  org: nameSchema,
  stopId: nameSchema,
  /** Sent by a relay only: the device the proof is for (it holds a profile's view). */
  viewer: z
    .object({
      profile: z.enum(['reception', 'room', 'coordination', 'display', 'relay']),
      roomId: nameSchema.nullable(),
      /** The device itself: central cuts a room's view by who reads on it (schema 6). */
      deviceId: nameSchema.optional(),
    })
    .optional(),
  /** The horizon the asking device pruned at: the proof's digest and row hashes are taken over
   * the comparable form there (decision 0027), and the answer names it (`hz`). */
  hz: prunedAtSchema.optional(),
});

export const syncRequestSchema = z.object({
  protocol: wireInt(),
  /** The client's SCHEMA_VERSION. */
  schema: wireInt().min(1),
  deviceId: nameSchema,
  org: nameSchema,
  /** Server sequence already pulled (pull "after N"). */
  since: count,
  /** The server's epoch `since` was read in (absent at first): another one resets the pull. */
  epoch: nameSchema.optional(),
  /** Room devices: the reading view token this server last gave (absent at first); another one
   * than the server's current token resets the pull (docs/protocol.md, The reading view). */
  view: nameSchema.optional(),
  /** The device's own ops 1..floor it no longer holds (deleted once durable at central). */
  floor: count.optional(),
  /** Relay only: devices whose ops it asks central how far it holds (`held` in the answer). */
  ask: z.array(nameSchema).max(MAX_ASKED_DEVICES).optional(),
  /** Relay only: floors its devices declared to it, passed on to central. */
  floors: z.record(nameSchema, count).optional(),
  ops: z.array(opSchema).max(MAX_PUSH_OPS),
  /** Relay only: ops it refused from its devices and set apart (never forwarded as ops: they
   * may not even parse), passed on so central counts them held and lists them too. */
  quarantined: z
    .array(
      z.object({
        dev: nameSchema,
        seq: count.min(1),
        /** The op as the device sent it (possibly malformed: stored as is, never applied). */
        op: z.unknown(),
        code: z.string().max(64),
        reason: z.string().max(2000),
        via: nameSchema,
      }),
    )
    .max(MAX_PUSH_OPS)
    .optional(),
  /** The device's position (`sentPositionSchema`): only when the request carries every op of its
   * own this server has not acknowledged. */
  sent: sentPositionSchema.optional(),
  /** Soft cap on the size of the pulled page. */
  maxBytes: wireInt().min(1).optional(),
  /** Ask for the server's state digest with the last page (it reads every row: costly on a large
   * organisation, so only on demand). */
  digest: z.boolean().optional(),
  /** The horizon the device pruned at (decision 0027): the digest asked for is of the comparable
   * form there. */
  hz: prunedAtSchema.optional(),
  /** How the device is doing, for the coordinator's device list (kept by the server it reaches). */
  status: deviceReportSchema.optional(),
  /** The last retraction of this server's log the device took into account (decision 0033;
   * absent: none). The answer lists those after it (`retracted`). */
  retracted: count.optional(),
});
export type SyncRequest = z.infer<typeof syncRequestSchema>;

export const seqOpSchema = z.object({ s: z.int().min(1), op: opSchema });
export type SeqOp = z.infer<typeof seqOpSchema>;

/** Ops from..to of one device, both included. */
export const gapSchema = z.object({ from: z.int().min(1), to: z.int().min(1) });
export type Gap = z.infer<typeof gapSchema>;

/** An op a relay held and central then refused (decision 0033, docs/protocol.md, Retraction):
 * taken out of the relay's log and rows. `dev`, `seq` and `reason` are told to its writer only. */
export const retractedSchema = z.object({
  /** Its number among the server's retractions: the device echoes the last it took into account. */
  n: count.min(1),
  /** Its number in the server's log while it was held: a device whose checkpoint reached it may
   * hold its value. */
  s: count.min(1),
  e: z.string(),
  id: z.string(),
  dev: z.string().optional(),
  seq: count.min(1).optional(),
  reason: z.string().optional(),
});
export type Retracted = z.infer<typeof retractedSchema>;

/** A forwarded op central refused (to a relay: `refused`). */
export const refusedUpstreamSchema = z.object({
  dev: z.string(),
  seq: count.min(1),
  code: z.string(),
  message: z.string(),
});

export const syncResponseSchema = z.object({
  /** The server's PROTOCOL_VERSION (absent before 3): 3 and above read compact pushes. */
  protocol: z.int().optional(),
  /** Highest device seq N such that ops 1..N of this device are now held by the server. */
  accepted: count,
  /** Highest N such that ops 1..N of this device are durable at central (central: `accepted`;
   * a relay: what central told it). The client deletes ops up to this only. Absent from version
   * 1 servers: read `accepted`. */
  durable: count.optional(),
  /** The identity of the server's log: a checkpoint is valid only within the same epoch. */
  epoch: z.string().optional(),
  /** To room devices: the reading view token, stored with the checkpoint once the page is
   * applied and echoed as `view`. */
  view: z.string().optional(),
  /** The checkpoint was not valid (another epoch, or beyond the log's end): this page is from 0;
   * the client sets its checkpoint from it and pushes again what it holds unacknowledged. */
  reset: z.boolean().optional(),
  /** To a device holding states: load a snapshot (`GET /api/sync/snapshot?reload=1`) rather than
   * pull on, once its outbox is pushed whole (src/sync/reload.ts). Older clients ignore it. */
  reload: z.boolean().optional(),
  /** What the device is now enrolled as (its credential, moved by `POST /api/devices/assignment`)
   * and since when (the move's time, or the enrolment's): sent with every new view token, so a
   * device moved to another profile or room plays it. A client keeps the latest `at` only — a
   * relay that has not yet brought the move home answers with the older one. */
  assigned: z
    .object({
      profile: z.enum(['reception', 'room', 'coordination', 'display']),
      roomId: nameSchema.nullable(),
      at: z.int().min(0),
    })
    .optional(),
  /** To a relay only: for each origin device of the pushed ops and each asked device, how far
   * central holds its ops, 1..N contiguous. */
  held: z.record(z.string(), count).optional(),
  /** Ops of this device below its floor that central lacks (it was restored from an older
   * backup): the device sends them again from the copies it keeps (`sent`), if it still has
   * them. From a relay: what central told it it lacks. */
  missing: gapSchema.optional(),
  /** To a relay only: every device whose ops central lacks below a declared floor. */
  gaps: z.record(z.string(), gapSchema).optional(),
  ops: z.array(seqOpSchema),
  /** Server sequence of the end of this page (the next `since`). */
  lastSeq: count,
  hasMore: z.boolean(),
  /** End of the server's log for this organisation when answering (how far a long pull is). */
  head: count.optional(),
  /** Server wall clock (ms) when answering, to correct the client's HLC offset. */
  serverTime: z.number(),
  /** Digest of the server's state, when asked for (sync receipt). */
  digest: z.string().optional(),
  /** Closures begun lately: a device then reports its day digest (docs/protocol.md, Closure). */
  closing: z.array(closingSchema).max(50).optional(),
  /** The organisation's horizon (docs/decisions/0027-pruning.md): every op with a clock ≤ hlc is
   * in this server's log at a number ≤ seq (a relay: central's, adopted, with its own log's head
   * when it adopted it). A device pulling from it adopts it once its checkpoint reaches seq
   * (src/device/horizon.ts) and prunes its row states there. */
  horizon: z.object({ hlc: z.string(), seq: count }).optional(),
  /** To a relay only: the ops of its request central refused (decision 0033), those it set apart
   * at an earlier sending of them included. The relay takes them out of its log and rows. */
  refused: z.array(refusedUpstreamSchema).optional(),
  /** Retractions of this server's log after the request's `retracted` (decision 0033), in order,
   * at most 500: the device takes back the rows it may hold of them. */
  retracted: z.array(retractedSchema).optional(),
});
export type SyncResponse = z.infer<typeof syncResponseSchema>;
