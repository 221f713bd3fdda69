// French text of the past record fetched on demand in a room (merged by ../fr.ts).
export const pastRecord = {
  title: 'Dossier antérieur (serveur)',
  purged:
    'Cet appareil ne garde plus ce patient (purgé après le reçu d’une journée passée) : son dossier est demandé au relais du camion ou au serveur central.',
  offer:
    'Les consultations plus anciennes que celles gardées sur cet appareil peuvent être demandées au relais du camion ou au serveur central. Elles s’affichent en lecture seule et ne sont pas gardées après la journée.',
  fetch: 'Demander le dossier antérieur',
  retry: 'Réessayer',
  loading: 'Demande du dossier antérieur au relais ou au serveur central…',
  noPerson: 'Identifiez-vous sur cet appareil pour demander le dossier antérieur.',
  source: {
    relay:
      'Reçu du relais du camion — lecture seule, non gardé sur cet appareil après la journée. Seules les notes que vous pouvez lire sont affichées.',
    central:
      'Reçu du serveur central — lecture seule, non gardé sur cet appareil après la journée. Seules les notes que vous pouvez lire sont affichées.',
  },
  identity: 'né(e) le {date} ({age} ans)',
  visits: {
    one: '{count} passage au camion',
    other: '{count} passages au camion',
  },
  summary: 'Résumé clinique (dossier antérieur)',
  notes: 'Consultations antérieures',
  noNotes: 'Aucune consultation antérieure que vous puissiez lire.',
  plan: 'Plan : {text}',
  signed: 'Signée par {who} le {at}',
  addendum: 'Complément de {who} le {at} : {text}',
  someone: 'une personne de l’équipe',
} as const;
