// The period report for the region and the DMG (issue #17 item 3; docs/indicators.md): where the
// figures come from, the path back to a médecin traitant, the new indicators, the questionnaire.
export const indicators = {
  source: {
    loading: 'Calcul des indicateurs par le serveur central…',
    central:
      'Chiffres du serveur central, calculés le {date} à {time} sur tout l’historique (depuis le {first}).',
    centralNoHistory:
      'Chiffres du serveur central, calculés le {date} à {time} sur tout l’historique.',
    archived: {
      one: 'Y compris {count} dossier archivé par la durée de conservation.',
      other: 'Y compris {count} dossiers archivés par la durée de conservation.',
    },
    partial: 'partiel — calculé sur cet appareil ({days} jours conservés)',
    partialWhy:
      'Le serveur central est injoignable : ces chiffres ne portent que sur ce que cet appareil conserve. Ils seront remplacés par ceux du central dès qu’il répondra.',
    retry: 'Redemander au serveur central',
    recompute: 'Recalculer au serveur central',
    refused: 'Le serveur central a refusé la demande : {message}',
    definitionChanged:
      'Définition modifiée : le serveur central calcule selon la version {central} des définitions, cet appareil selon la version {device}. Ce qui a changé :',
    version: 'Définitions des indicateurs : version {version}.',
  },
  noData: 'Aucune donnée pour cette période',
  noDataText:
    'Aucune escale, aucune venue ni aucun rendez-vous sur cette période. Les indicateurs ne sont pas des zéros : ils ne sont pas calculables.',
  print: 'Imprimer le rapport',
  reportTitle: 'Rapport d’activité du {from} au {to}',
  reportFor: 'Pour l’agence régionale de santé et le département de médecine générale',
  reattachment: {
    title: 'Retour vers un médecin traitant',
    intro:
      'Chaque patient venu sur la période compte une fois, selon son état à sa première venue. Le retour est toute preuve ultérieure d’un médecin traitant, jusqu’à la fin de la période.',
    columns: {
      group: 'État à la première venue',
      patients: 'Patients',
      back: 'Avec un médecin traitant depuis',
      share: 'Part',
    },
    none: 'Sans médecin traitant',
    aldNone: 'dont en ALD',
    unknown: 'Inconnu (jamais compté « sans médecin traitant »)',
    declared: 'Avec un médecin traitant',
    bySource: 'Première preuve du retour',
    sources: {
      orientation: 'Orientation aboutie (médecin traitant déclaré)',
      patient: 'Médecin traitant déclaré sur le dossier',
      visit: 'Venue ultérieure « avec médecin traitant »',
    },
    delay: 'Délai médian entre la première venue et le retour : {value}',
    chart:
      'Patients sans médecin traitant à leur première venue, et revenus vers un médecin traitant',
  },
  precarity: {
    title: 'Précarité (couverture maladie)',
    column: 'Couverture maladie',
    c2s: 'Complémentaire santé solidaire (C2S)',
    ame: 'Aide médicale de l’État (AME)',
    none: 'Aucune couverture',
    covered: 'Assurance maladie, avec ou sans complémentaire',
    unknown: 'Non renseignée',
  },
  home: {
    title: 'Domicile des patients, par intercommunalité',
    unknown: 'Commune inconnue ou hors de la liste',
    unavailable: 'La liste des intercommunalités n’est pas disponible pour ce calcul.',
    column: 'Intercommunalité',
  },
  delays: {
    title: 'Délais',
    lead: 'Délai de rendez-vous (prise du rendez-vous → jour du rendez-vous)',
    supervision: 'Délai de supervision (signature de l’interne → validation du superviseur)',
    awaiting: {
      one: '{count} note signée attend encore sa validation.',
      other: '{count} notes signées attendent encore leur validation.',
    },
    columns: { what: 'Délai', count: 'Nombre', median: 'Médiane', p90: '9 sur 10 en dessous' },
    days: '{value} j',
    hours: '{value} h',
  },
  activity: {
    title: 'Activité par profession',
    interns: 'Activité par interne',
    noInterns: 'Aucune consultation d’interne sur la période.',
    unknownProfession: 'Profession non renseignée',
    unknownStaff: 'Membre de l’équipe inconnu de cet appareil',
    columns: { who: 'Qui', consultations: 'Consultations', patients: 'Patients' },
  },
  prevention: {
    title: 'Actes de prévention',
    column: 'Acte',
    notes: 'Consultations avec au moins un acte de prévention : {count}',
    vaccinations: 'Vaccinations faites dans le camion : {count}',
    acts: {
      vaccination: 'Vaccination',
      depistage_cancer: 'Dépistage des cancers',
      risque_cardiovasculaire: 'Risque cardiovasculaire',
      addictions: 'Tabac, alcool, addictions',
      sante_sexuelle: 'Santé sexuelle, contraception',
    },
  },
  cancelled: {
    title: 'Escales annulées',
    none: 'Aucune escale annulée sur la période.',
    line: '{date} — {commune}',
  },
  questionnaire: {
    title: 'Questionnaire de fin de venue',
    counts:
      'Venues : {visits} — questionnaire rempli : {answered}, refusé : {declined}, non proposé : {notAsked}.',
    renunciation: 'Renoncement à des soins ces 12 derniers mois',
    withoutTruck: 'Sans le camion, où seriez-vous allé ?',
    answer: 'Réponse',
  },
  charts: {
    precarity: 'Patients de la période par couverture maladie',
  },
  csv: {
    source: 'source',
    central: 'serveur central, tout l’historique',
    partial: 'partiel — cet appareil ({days} jours conservés)',
  },
} as const;

/** The end-of-visit questionnaire at reception (visit.survey, schema 8). */
export const survey = {
  title: 'Questionnaire de fin de venue (facultatif)',
  intro:
    'Deux questions pour l’évaluation du camion, si le patient accepte d’y répondre. Rien n’est obligatoire.',
  open: 'Questionnaire de fin de venue — {name}',
  renunciation: 'Avez-vous renoncé à des soins ces 12 derniers mois ?',
  withoutTruck: 'Sans le camion, où seriez-vous allé ?',
  other: 'Précisez (facultatif)',
  noAnswer: 'Pas de réponse',
  save: 'Enregistrer les réponses',
  decline: 'Le patient ne souhaite pas répondre',
  saved: 'Réponses enregistrées. Merci !',
  declined: 'Questionnaire refusé : c’est noté.',
  done: 'Questionnaire : {state}',
  states: { answered: 'rempli', declined: 'refusé' },
  otherTooLong: 'La précision tient en 100 caractères au plus.',
  renunciations: {
    oui: 'Oui',
    non: 'Non',
    ne_sait_pas: 'Ne sait pas',
    sans_reponse: 'Pas de réponse',
  },
  places: {
    medecin: 'Chez un médecin, plus loin',
    urgences: 'Aux urgences',
    pharmacie: 'À la pharmacie',
    reporte: 'J’aurais attendu ou reporté',
    nulle_part: 'Nulle part : je n’aurais pas consulté',
    autre: 'Ailleurs (autre)',
    sans_reponse: 'Pas de réponse',
  },
} as const;
