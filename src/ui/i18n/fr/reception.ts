// French text of the reception screen (merged into the catalogue by ../fr.ts).
export const reception = {
  title: 'Accueil',
  rosterTitle: 'Planning des salles',
  rosterEmpty: 'Aucun créneau au planning',
  appointmentsTitle: 'Rendez-vous du jour',
  appointmentsEmpty: 'Aucun rendez-vous aujourd’hui.',
  columns: {
    time: 'Heure',
    patient: 'Patient',
    service: 'Service',
    status: 'Statut',
    room: 'Salle',
    slots: 'Créneaux',
  },
  slotLine: '{start} – {end} : {services}',
  slotStaff: 'avec {staff}',
} as const;
