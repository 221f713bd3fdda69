// French text of the coordination screen (merged into the catalogue by ../fr.ts).
export const coordination = {
  title: 'Coordination',
  roomsTitle: 'Les salles en ce moment',
  roomsEmpty: 'Aucune salle à afficher.',
  servicesTitle: 'Attente par service',
  servicesEmpty: 'Personne n’attend.',
  columns: {
    room: 'Salle',
    services: 'Services',
    staff: 'Équipe',
    occupant: 'Dans la salle',
    waiting: 'En attente',
    service: 'Service',
    roomsNow: 'Salles ouvertes',
  },
  closed: 'fermée',
  free: 'libre',
  totalWaiting: {
    one: '{count} patient en attente',
    other: '{count} patients en attente',
  },
  noRoomNow: 'aucune pour l’instant',
} as const;
