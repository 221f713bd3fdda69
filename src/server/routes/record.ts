// A returning patient's past record, asked on demand by a room that purged it (docs/protocol.md,
// « Dossier antérieur à la demande »; issue #15 item 3). The device and the person signed in on it
// are checked as the pull checks them: the device's profile and room cut the rows exactly as the
// pull would (visibleStates), the person's session on the device must be open, and what the
// person may read decides which notes leave (src/domain/patient-record.ts). A relay answers from
// what it holds, and asks central when it holds nothing of the patient. Every answer is audited
// (references and counts, never the text).
import { type Viewer, visibleStates } from '../../domain/access';
import { entitySpec, type Staff } from '../../domain/entities';
import {
  type HeldRows,
  type PastRecord,
  pastRecord,
  RECORD_ENTITIES,
  recordAuditDetail,
  recordFound,
  recordRefusal,
} from '../../domain/patient-record';
import { isOpen } from '../../domain/sessions';
import { materialise } from '../../sync/merge';
import { type RecordAnswer, recordRequestSchema } from '../../sync/protocol';
import { recordServerAudit, relayAuditDevice } from '../audit';
import type { DeviceCredential } from '../auth';
import type { ServerContext, ServerPlugin } from '../context';
import { deviceReading } from '../reading';

/** The rows a viewer's device may hold of the entities a record is made of. */
async function heldRows(ctx: ServerContext, org: string, viewer: Viewer): Promise<HeldRows> {
  const states = (
    await Promise.all([...RECORD_ENTITIES, 'queueEntry'].map((e) => ctx.store.rowStates(org, e)))
  ).flat();
  const held: Record<string, Record<string, unknown>[]> = {};
  for (const st of visibleStates(viewer, states, entitySpec)) {
    const list = held[st.e] ?? [];
    list.push(materialise(st, entitySpec));
    held[st.e] = list;
  }
  return held as HeldRows;
}

export const recordRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, fail, relay, viewerOf } = ctx;

  app.post('/api/record', async (req, reply) => {
    const parsed = recordRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(
        reply,
        400,
        'invalid_request',
        'Demande de dossier invalide : org, patientId et staffId attendus.',
      );
    }
    const { org, patientId, staffId } = parsed.data;
    const caller = req.device!;
    if (org !== caller.org) {
      return fail(reply, 403, 'wrong_org', 'Ce dossier appartient à une autre organisation.');
    }
    // The device the record is for: the caller, or the device a relay asks for.
    let device: DeviceCredential | null = caller;
    if (caller.profile === 'relay') {
      device = parsed.data.deviceId ? await accounts.credential(parsed.data.deviceId) : null;
      if (!parsed.data.deviceId || device?.profile === 'relay') {
        // A relay asks for one of its devices, never for itself or another relay.
        return fail(reply, 403, 'forbidden', 'Un relais demande un dossier pour un appareil.');
      }
      if (!device || device.org !== org) {
        return fail(
          reply,
          404,
          'unknown_device',
          'Appareil inconnu de ce serveur : le dossier ne peut pas lui être remis.',
        );
      }
    } else if (parsed.data.deviceId !== undefined && parsed.data.deviceId !== caller.deviceId) {
      return fail(
        reply,
        403,
        'forbidden',
        'Un appareil ne peut demander un dossier que pour lui-même.',
      );
    }
    // Clinical data: rooms and the coordination only (reception and the display never hold it).
    if (device.profile !== 'room' && device.profile !== 'coordination') {
      return fail(
        reply,
        403,
        'forbidden',
        'Le dossier antérieur est réservé aux salles de consultation et à la coordination.',
      );
    }
    const [person] = (await store.rowsByIds(org, 'staff', [staffId])) as unknown as Staff[];
    const refusal = recordRefusal(person);
    if (refusal) return fail(reply, 403, 'forbidden', refusal);
    // The person is signed in on the device (a relay checked it for the devices it asks for).
    if (caller.profile !== 'relay' && !(await sessionOpen(device, staffId))) {
      return fail(
        reply,
        403,
        'session_required',
        'Reconnectez-vous avec votre mot de passe sur cet appareil pour consulter le dossier antérieur.',
      );
    }
    const viewer = await viewerOf(device);
    // The person's own reading (src/domain/reading.ts): professions, objections, their bris de glace.
    const facts = viewer.reading?.facts ?? (await deviceReading(ctx, org, device.deviceId)).facts;
    const record = pastRecord(patientId, await heldRows(ctx, org, viewer), person!, facts);
    if (!recordFound(record)) {
      if (!relay) return fail(reply, 404, 'unknown_patient', 'Patient inconnu du serveur.');
      // A relay that holds nothing of the patient asks central, for the device that asked it.
      let forwarded: { status: number; body: unknown };
      try {
        forwarded = await relay.forward('/api/record', {
          org,
          patientId,
          staffId,
          deviceId: device.deviceId,
        });
      } catch {
        return fail(
          reply,
          503,
          'central_unreachable',
          'Le relais du camion ne détient pas ce dossier et le serveur central est injoignable : réessayez quand le camion a du réseau.',
        );
      }
      // Central audited what it sent.
      return reply.code(forwarded.status).send(forwarded.body);
    }
    const source = ctx.role;
    await recordServerAudit(
      store,
      org,
      {
        deviceId: device.deviceId,
        actorId: staffId,
        action: 'record.fetched',
        entity: 'patient',
        entityId: record.patientId,
        detail: recordAuditDetail(record, source),
      },
      ctx.now(),
      relay ? relayAuditDevice(relay.relayId) : undefined,
    );
    return { source, record } satisfies RecordAnswer<PastRecord>;
  });

  /** Whether the person holds an open session on the device (brought from central once on a
   * relay, as the push does: a sign-in at central since the relay's last pass). */
  async function sessionOpen(device: DeviceCredential, staffId: string): Promise<boolean> {
    const open = async () =>
      (await accounts.sessionsOf(device.org, device.deviceId)).some(
        (s) => s.staffId === staffId && isOpen(s, ctx.now()),
      );
    if (await open()) return true;
    if (!relay) return false;
    await relay.refreshCredentials();
    return open();
  }
};
