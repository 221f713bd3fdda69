// French text of the supervision list (merged into the catalogue by ../fr.ts).
export const supervision = {
  title: 'Supervision',
  listTitle: 'Notes à valider',
  count: {
    one: '({count})',
    other: '({count})',
  },
  empty: 'Aucune note n’attend de validation.',
  columns: {
    date: 'Ouverte le',
    author: 'Auteur',
    service: 'Service',
    motif: 'Motif',
    open: 'Note',
  },
  review: 'Relire et valider',
  read: 'Lire',
  openFor: 'Ouvrir la note de {author} : {motif}',
  back: 'Retour aux notes à valider',
} as const;
