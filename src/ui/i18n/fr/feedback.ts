// French text of the shared feedback patterns: confirmations, disabled reasons, progress
// (merged into the catalogue by ../fr.ts).
export const feedback = {
  confirm: {
    cancel: 'Annuler',
  },
  shortcutsTitle: 'Raccourcis clavier',
} as const;
