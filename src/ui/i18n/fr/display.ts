// French text of the display screen (merged into the catalogue by ../fr.ts).
export const display = {
  title: 'Salle d’attente',
  calledTitle: 'Appelés',
  earlierCalls: 'Appels précédents',
  calledLine: '{ticket} → {room}',
  calledNoRoom: '{ticket}',
  /** Read out by the browser's speech synthesis: ticket and room, never a name. */
  spokenCall: 'Ticket {ticket}, {room}',
  spokenCallNoRoom: 'Ticket {ticket}',
  nobodyCalled: 'Aucun ticket appelé pour l’instant.',
  waitingTitle: 'En attente',
  nobodyWaiting: 'Personne n’attend.',
  serviceTickets: {
    one: '{count} ticket en attente',
    other: '{count} tickets en attente',
  },
  page: 'page {page} sur {pages}',
  clock: 'Il est {time}',
  settings: {
    open: 'Réglages de l’écran',
    title: 'Réglages de l’écran',
    intro: 'Ces réglages sont gardés sur cet écran.',
    chime: 'Carillon à chaque appel',
    speech: 'Annonce vocale de l’appel (ticket et salle, jamais de nom)',
    speechUnavailable: 'Ce navigateur ne sait pas lire de texte à voix haute.',
    test: 'Essayer le son',
    testCall: 'Ticket MG 1, Box 1',
    autoplayHint:
      'Le navigateur n’autorise le son qu’après un premier toucher : après chaque démarrage de l’écran, touchez-le une fois (ou démarrez le navigateur en mode kiosque avec la lecture automatique autorisée, voir le guide).',
    close: 'Fermer les réglages',
    deviceHealth: 'État de l’appareil',
  },
  soundBlocked: 'Son en attente : touchez l’écran une fois pour l’activer.',
} as const;
