// French text of the display screen (merged into the catalogue by ../fr.ts).
export const display = {
  title: 'Salle d’attente',
  calledTitle: 'Appelés',
  calledLine: '{ticket} → {room}',
  calledNoRoom: '{ticket}',
  nobodyCalled: 'Aucun ticket appelé pour l’instant.',
  waitingTitle: 'En attente',
  nobodyWaiting: 'Personne n’attend.',
  serviceTickets: {
    one: '{count} ticket en attente',
    other: '{count} tickets en attente',
  },
} as const;
