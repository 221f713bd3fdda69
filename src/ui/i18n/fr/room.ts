// French text of the room screen (merged into the catalogue by ../fr.ts).
export const room = {
  title: '{room}',
  unknownRoom: 'Cette salle n’est pas connue sur cet appareil.',
  slotNowTitle: 'Créneau en cours',
  noSlotNow: 'Aucun créneau au planning pour cette salle en ce moment.',
  occupantTitle: 'Dans la salle',
  noOccupant: 'Personne n’est appelé ni en consultation dans cette salle.',
  occupantLine: '{ticket} — {status}',
  queueTitle: 'File d’attente de la salle',
  queueEmpty: 'Aucun patient en attente pour cette salle.',
  columns: {
    ticket: 'Ticket',
    patient: 'Patient',
    service: 'Service',
    arrival: 'Arrivée',
    waited: 'Attente',
    estimate: 'Estimation',
    flags: 'Priorité',
  },
  minutes: '{minutes} min',
  estimateMinutes: 'environ {minutes} min',
  flags: {
    urgent: 'urgent',
    noMt: 'sans MT',
    ald: 'ALD',
    comingFrom: 'venant de {room}',
  },
} as const;
