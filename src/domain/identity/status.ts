// Which identity status may be set when (INS: « validée » and « qualifiée » need a document
// checked, « récupérée » the INSi teleservice).
import type { IdentityStatus } from './types';

export interface StatusContext {
  /** The INSi téléservice can be reached now. */
  online: boolean;
  /** A high-trust ID document (carte d'identité, passeport, titre de séjour) was checked. */
  idDocumentChecked: boolean;
  /** The INSi téléservice returned this identity and its INS (search or verification succeeded). */
  insiQualified: boolean;
}

export type StatusDecision = { ok: true } | { ok: false; reason: string };

/** What can be set with no connection: provisoire, or validée after an ID document check. */
export const allowedStatusesOffline: readonly IdentityStatus[] = ['provisoire', 'validee'];

export const IDENTITY_STATUS_LABELS: Readonly<Record<IdentityStatus, string>> = {
  provisoire: 'provisoire',
  recuperee: 'récupérée',
  validee: 'validée',
  qualifiee: 'qualifiée',
};

const OFFLINE_HINT =
  'Hors ligne, enregistrer l’identité comme provisoire (ou validée si une pièce d’identité a été contrôlée) et la qualifier plus tard.';

/**
 * Whether an identity may be given `target` status now. Provisoire: always. Validée: an ID
 * document was checked. Récupérée: only from an INSi answer, so online. Qualifiée: INSi answer and
 * ID document check — impossible offline.
 */
export function canSetStatus(target: IdentityStatus, ctx: StatusContext): StatusDecision {
  const refuse = (reason: string): StatusDecision => ({ ok: false, reason });
  switch (target) {
    case 'provisoire':
      return { ok: true };
    case 'validee':
      return ctx.idDocumentChecked
        ? { ok: true }
        : refuse(
            'Le statut « validée » exige le contrôle d’une pièce d’identité à haut niveau de confiance (carte d’identité, passeport ou titre de séjour).',
          );
    case 'recuperee':
      if (!ctx.online) {
        return refuse(
          `Le statut « récupérée » exige une identité renvoyée par le téléservice INSi, impossible sans connexion. ${OFFLINE_HINT}`,
        );
      }
      return ctx.insiQualified
        ? { ok: true }
        : refuse(
            'Le statut « récupérée » est réservé aux identités renvoyées par le téléservice INSi.',
          );
    case 'qualifiee':
      if (!ctx.online) {
        return refuse(
          `Une identité ne peut pas être qualifiée hors ligne : il faut l’appel au téléservice INSi. ${OFFLINE_HINT}`,
        );
      }
      if (!ctx.insiQualified) {
        return refuse(
          'Le statut « qualifiée » exige que le téléservice INSi ait renvoyé cette identité.',
        );
      }
      return ctx.idDocumentChecked
        ? { ok: true }
        : refuse(
            'Le statut « qualifiée » exige aussi le contrôle d’une pièce d’identité à haut niveau de confiance ; sans elle, l’identité reste « récupérée ».',
          );
  }
}

/** The statuses `canSetStatus` allows in this context, weakest first. */
export function allowedStatuses(ctx: StatusContext): IdentityStatus[] {
  const all: IdentityStatus[] = ['provisoire', 'recuperee', 'validee', 'qualifiee'];
  return all.filter((s) => canSetStatus(s, ctx).ok);
}
