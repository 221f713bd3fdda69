// French text of who reads what (src/domain/reading.ts): transmissions to the social roles, the
// patient's objection to sharing, the bris de glace and its review by the coordination.
export const reading = {
  transmission: {
    title: 'Transmission à l’assistante sociale et au médiateur',
    hint: 'Ce qu’ils ont besoin de savoir de cette consultation, sans le détail médical : ils lisent ceci, jamais la note.',
    text: 'Transmission',
    add: 'Transmettre',
    textMissing: 'Écrivez d’abord la transmission.',
    line: 'Transmission de {who}, le {at}',
    none: 'Aucune transmission écrite pour vous sur cette consultation.',
    received: 'Transmissions écrites pour vous par l’équipe de soins',
    notReadable: 'Vous lisez la transmission écrite pour vous, pas la note de consultation.',
  },
  objection: {
    on: 'Le patient s’oppose au partage de ses notes dans l’équipe : seuls leur auteur, son superviseur et le médecin coordinateur les lisent.',
    off: 'Le patient ne s’oppose pas au partage de ses notes dans l’équipe de soins.',
    record: 'Enregistrer son opposition au partage',
    lift: 'Lever son opposition au partage',
  },
  research: {
    on: 'Le patient s’oppose à l’utilisation de ses données pour la recherche : il n’apparaît dans aucun export de recherche.',
    off: 'Le patient ne s’oppose pas à l’utilisation de ses données, pseudonymisées, pour la recherche.',
    record: 'Enregistrer son opposition à la recherche',
    lift: 'Lever son opposition à la recherche',
  },
  breakGlass: {
    title: 'Accès exceptionnel (bris de glace)',
    closed: 'Cette note ne vous est pas accessible.',
    explain:
      'En cas de besoin pour soigner ce patient, vous pouvez l’ouvrir pendant quatre heures. L’accès est tracé et revu par la coordination.',
    reason: 'Raison',
    chooseReason: 'Choisissez une raison',
    reasonMissing: 'Choisissez d’abord la raison de cet accès.',
    reasons: {
      urgence_vitale: 'Urgence vitale',
      continuite_soins: 'Continuité des soins',
      demande_patient: 'À la demande du patient',
      autre: 'Autre raison',
    },
    comment: 'Précision (facultative, gardée avec l’accès, hors du journal)',
    open: 'Ouvrir le dossier (bris de glace)',
    opened:
      'Note ouverte par bris de glace : vous ne la lisez qu’au titre de cet accès exceptionnel.',
    running: 'Accès exceptionnel ouvert jusqu’à {until}.',
  },
  review: {
    title: 'Accès exceptionnels (bris de glace)',
    intro: 'Chaque ouverture d’un dossier par bris de glace, à revoir par la coordination.',
    none: 'Aucun bris de glace enregistré.',
    who: 'Qui',
    patient: 'Patient',
    reason: 'Raison',
    comment: 'Précision',
    when: 'Ouvert le',
    until: 'Jusqu’à',
    unknownPatient: 'patient non encore synchronisé',
    unknownStaff: 'une personne de l’équipe',
    noComment: '—',
  },
} as const;
