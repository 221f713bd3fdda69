// French text of a new centre's first start on the coordination device: the setup checklist and
// the import of the previous software's patient list (merged into the catalogue by ../fr.ts).
export const setup = {
  tab: 'Démarrage',
  title: 'Démarrer le centre',
  intro:
    'Ce qu’il reste à préparer avant la première escale. Chaque étape renvoie vers l’écran où la faire ; la liste se met à jour d’elle-même.',
  progress: {
    one: '{count} étape sur {total} terminée',
    other: '{count} étapes sur {total} terminées',
  },
  allDone: 'Tout est prêt : le centre peut ouvrir sa première escale.',
  done: 'Fait',
  todo: 'À faire',
  optional: 'Facultatif',
  steps: {
    truck: {
      title: 'Le camion',
      done: {
        one: '{count} camion : {names}.',
        other: '{count} camions : {names}.',
      },
      missing:
        'Aucun camion : l’organisation a été créée sans. Créez-le avec ses quatre salles (deux boxes de médecine générale, deux salles modulables).',
      create: 'Créer le camion et ses quatre salles',
    },
    rooms: {
      title: 'Les salles',
      done: {
        one: '{count} salle : {names}.',
        other: '{count} salles : {names}.',
      },
      missing: 'Aucune salle dans le camion.',
      link: 'Renommer les salles',
    },
    services: {
      title: 'Les services',
      done: {
        one: '{count} service : {names}.',
        other: '{count} services : {names}.',
      },
      missing: 'Aucun service : créez les services habituels d’un centre de santé itinérant.',
      create: 'Créer les services habituels',
    },
    stops: {
      title: 'Les escales et leurs horaires',
      done: {
        one: '{count} escale à venir, la prochaine le {date} à {commune} ({opens}–{closes}).',
        other: '{count} escales à venir, la prochaine le {date} à {commune} ({opens}–{closes}).',
      },
      missing: 'Aucune escale à venir : ajoutez la première, avec ses horaires d’ouverture.',
      link: 'Ouvrir le planning de la tournée',
    },
    roster: {
      title: 'Le planning des salles',
      done: 'La prochaine escale a un planning de salles.',
      missing:
        'La prochaine escale n’a encore aucun créneau de salle : indiquez qui consulte où, et pour quels services.',
      link: 'Ouvrir le planning de la tournée',
    },
    staff: {
      title: 'L’équipe',
      done: {
        one: '{count} personne dans l’équipe, dont l’accueil.',
        other: '{count} personnes dans l’équipe, dont l’accueil.',
      },
      missing:
        'Ajoutez l’équipe (accueil, médecins, internes, sages-femmes…) avec leurs rôles, puis définissez le mot de passe de chacun.',
      link: 'Ouvrir l’équipe',
    },
    patients: {
      title: 'La liste des patients de l’ancien logiciel',
      done: {
        one: '{count} patient déjà enregistré.',
        other: '{count} patients déjà enregistrés.',
      },
      missing: 'Aucun patient : importez au besoin la liste de l’ancien logiciel (fichier CSV).',
      link: 'Importer une liste de patients',
    },
  },
  created: 'Enregistré.',
} as const;

export const patientImport = {
  tab: 'Import de patients',
  title: 'Importer la liste des patients',
  intro:
    'Un export CSV de l’ancien logiciel (séparateur point-virgule ou virgule, encodage UTF-8 ou Windows). Chaque ligne est vérifiée comme une inscription à l’accueil : les identités sont créées « provisoires », les doublons probables sont signalés et ne sont importés que si vous le choisissez.',
  file: 'Fichier CSV',
  fileHint: 'La première ligne doit donner le nom des colonnes.',
  reading: 'Lecture du fichier…',
  unreadable: 'Ce fichier ne peut pas être lu : {reason}',
  empty: 'Ce fichier ne contient aucune ligne de patient.',
  fileSummary: {
    one: '{name} : {count} ligne, encodage {encoding}, séparateur « {separator} ».',
    other: '{name} : {count} lignes, encodage {encoding}, séparateur « {separator} ».',
  },
  encodings: {
    'utf-8': 'UTF-8',
    'windows-1252': 'Windows (1252)',
  },
  mappingTitle: 'Colonnes',
  mappingIntro:
    'Chaque information du dossier et la colonne du fichier qui la donne. Les colonnes ont été devinées d’après leur nom : vérifiez-les.',
  noColumn: '(aucune colonne)',
  example: 'Exemple : {value}',
  exampleEmpty: 'Première ligne vide pour cette colonne.',
  missing: 'Sans colonne pour : {fields}. Ces informations sont obligatoires.',
  check: 'Vérifier les lignes',
  checking: 'Vérification des lignes',
  checkingProgress: '{done} lignes vérifiées sur {total}',
  fields: {
    birthName: 'Nom de naissance',
    firstNames: 'Prénom(s) de naissance',
    sex: 'Sexe',
    birthDate: 'Date de naissance',
    birthPlaceCode: 'Lieu de naissance (code INSEE)',
    usedName: 'Nom d’usage',
    usedFirstName: 'Prénom d’usage',
    nir: 'NIR',
    phone: 'Téléphone',
    email: 'E-mail',
    address: 'Adresse',
    communeInsee: 'Commune de résidence (code INSEE)',
    mtName: 'Médecin traitant',
    allergies: 'Allergies',
  },
  reportTitle: 'Avant l’import',
  accepted: {
    one: '{count} patient sera importé.',
    other: '{count} patients seront importés.',
  },
  refused: {
    one: '{count} ligne refusée.',
    other: '{count} lignes refusées.',
  },
  duplicates: {
    one: '{count} doublon probable, non importé sauf si vous le cochez.',
    other: '{count} doublons probables, non importés sauf si vous les cochez.',
  },
  refusedTitle: 'Lignes refusées',
  refusedIntro:
    'Corrigez-les dans le fichier et importez-le à nouveau : les patients déjà importés seront alors signalés comme doublons.',
  columns: {
    line: 'Ligne',
    reasons: 'Raisons',
    patient: 'Patient du fichier',
    like: 'Ressemble à',
    import: 'Importer quand même',
  },
  line: 'Ligne {line}',
  duplicatesTitle: 'Doublons probables',
  patientLine: '{name}, né(e) le {birthDate}',
  likeKnown: '{name}, né(e) le {birthDate}, déjà enregistré',
  likeLine: 'La ligne {line} du fichier',
  importAnyway: 'Importer quand même la ligne {line}',
  start: {
    one: 'Importer {count} patient',
    other: 'Importer {count} patients',
  },
  nothing: 'Aucun patient à importer.',
  writing: 'Import en cours',
  writingProgress: '{done} patients enregistrés sur {total}',
  finished: {
    one: '{count} patient importé.',
    other: '{count} patients importés.',
  },
  resumed: {
    one: '{count} patient était déjà enregistré par l’essai précédent.',
    other: '{count} patients étaient déjà enregistrés par l’essai précédent.',
  },
  failed:
    'L’import s’est arrêté : {reason} Les lots enregistrés sont complets ; relancez pour importer le reste.',
  retry: 'Reprendre l’import',
  another: 'Importer un autre fichier',
} as const;
