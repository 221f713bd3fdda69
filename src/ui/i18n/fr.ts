// Every string of the interface, in French (DESIGN.md §3 for the vocabulary). Components never
// hold text: they call t('section.key'). Placeholders are written {name}; plural groups hold
// `one` (0 and 1 in French) and `other`.
import { consultation } from './fr/consultation';
import { coordination } from './fr/coordination';
import { display } from './fr/display';
import { reception } from './fr/reception';
import { room } from './fr/room';
import { supervision } from './fr/supervision';

export const fr = {
  app: {
    name: 'Escale',
    fullName: 'Escale — médicobus',
    loading: 'Chargement…',
    pageTitle: '{page} — Escale',
  },
  shell: {
    skipLink: 'Aller au contenu principal',
    navLabel: 'Navigation principale',
    changeProfile: 'Changer de profil',
    supervision: 'Supervision',
    deviceHealth: 'État de l’appareil',
    profileLabel: 'Profil : {profile}',
    noProfile: 'Aucun profil choisi',
    homeLink: 'Escale, choix du profil',
  },
  profiles: {
    reception: 'Accueil',
    room: 'Salle',
    roomNamed: 'Salle : {room}',
    coordination: 'Coordination',
    display: 'Affichage',
  },
  profileHints: {
    reception: 'Tablette d’accueil : escale du jour, planning des salles, rendez-vous.',
    room: 'Box ou salle de consultation : la file d’attente de la salle.',
    coordination: 'Médecin coordinateur : les salles en direct et l’attente.',
    display: 'Écran de la salle d’attente : tickets appelés et en attente, sans nom.',
  },
  home: {
    title: 'Quel est le rôle de cet appareil ?',
    intro: 'Ce choix est gardé sur cet appareil. Il peut être changé à tout moment.',
    resume: 'Reprendre : {profile}',
    chooseRoom: 'Quelle salle ?',
    noRooms: 'Aucune salle n’est encore connue sur cet appareil.',
    deviceHealthHint: 'Stockage, versions, synchronisation et mode hors ligne.',
  },
  join: {
    title: 'Relier cet appareil à une organisation',
    intro:
      'Avant le premier usage, choisissez l’organisation de ce camion. L’appareil reçoit ensuite ses données et fonctionne hors ligne.',
    organisation: 'Organisation',
    relay: 'Relais du camion (facultatif)',
    relayHint:
      'Adresse du serveur relais sur le Wi-Fi du camion, par exemple https://relais.escale.local',
    submit: 'Relier cet appareil',
    loading: 'Recherche des organisations…',
    none: 'Aucune organisation n’est disponible sur ce serveur.',
    unreachable:
      'Le serveur est injoignable : reliez l’appareil dès qu’une connexion est disponible.',
    badRelay: 'L’adresse du relais n’est pas une adresse web valide.',
    connected: 'Appareil relié : {org}',
  },
  sync: {
    label: 'Synchronisation',
    unknown: 'Synchronisation : état inconnu',
    synced: 'Synchronisé',
    syncing: 'Synchronisation en cours…',
    offline: 'Hors ligne',
    error: 'Erreur de synchronisation',
    neverSynced: 'Jamais synchronisé',
    updateRequired: 'Mise à jour de l’application requise pour synchroniser',
    pending: {
      one: '{count} modification en attente',
      other: '{count} modifications en attente',
    },
  },
  update: {
    available: 'Nouvelle version disponible',
    apply: 'Mettre à jour',
    waitingForForms:
      'La mise à jour s’appliquera dès que les saisies en cours seront enregistrées ou fermées.',
  },
  errors: {
    screenTitle: 'Cet écran n’a pas pu s’afficher.',
    screenBody:
      'Les données enregistrées sur l’appareil ne sont pas perdues. Rechargez la page pour réessayer.',
    reload: 'Recharger la page',
    notFoundTitle: 'Page introuvable',
    notFoundBody: 'Cette adresse ne correspond à aucun écran d’Escale.',
    backHome: 'Revenir au choix du profil',
    noDatabase:
      'La base de données locale n’a pas pu être ouverte. Vérifiez que le navigateur autorise le stockage pour Escale (pas de navigation privée), puis rechargez la page.',
    deviceNotConnected:
      'Cet appareil n’est pas encore relié à une organisation : connectez-le depuis l’accueil d’Escale avant d’enregistrer.',
  },
  day: {
    noStopToday: 'Aucune escale prévue aujourd’hui sur cet appareil.',
    stopTitle: 'Escale du jour : {commune}',
    stopDetails: '{date}, {address}, de {opens} à {closes}',
    stopStatus: {
      planned: 'prévue',
      open: 'ouverte',
      closed: 'clôturée',
      cancelled: 'annulée',
    },
    stopStatusLabel: 'Statut : {status}',
    timeRange: '{start} – {end}',
    none: '—',
    unknownPatient: 'Patient non encore synchronisé',
    unknownService: 'Service inconnu',
  },
  queueStatus: {
    waiting: 'en attente',
    called: 'appelé',
    in_consultation: 'en consultation',
    done: 'terminé',
    no_show: 'absent',
    left: 'parti sans être vu',
    cancelled: 'annulé',
  },
  appointmentStatus: {
    booked: 'prévu',
    checked_in: 'arrivé',
    no_show: 'absent',
    cancelled: 'annulé',
  },
  reception,
  room,
  supervision,
  consultation,
  coordination,
  display,
  deviceHealth: {
    title: 'État de l’appareil',
    storageTitle: 'Stockage',
    persisted: 'Stockage persistant',
    persistedYes: 'Oui : le navigateur ne videra pas les données d’Escale.',
    persistedNo:
      'Non : le navigateur peut effacer les données d’Escale s’il manque de place. Installez l’application sur l’écran d’accueil puis demandez la persistance.',
    persistedUnknown: 'Inconnu : ce navigateur ne le dit pas.',
    requestPersistence: 'Demander un stockage persistant',
    persistenceGranted: 'Le stockage est désormais persistant.',
    persistenceRefused:
      'Le navigateur a refusé pour l’instant. Installez l’application sur l’écran d’accueil puis réessayez.',
    storageUnsupported: 'Ce navigateur ne donne aucune information sur le stockage.',
    usage: 'Espace utilisé',
    usageValue: '{usage} sur {quota} ({percent} %)',
    usageUnknown: 'Inconnu',
    quotaWarning:
      'Attention : plus de 80 % de l’espace de stockage est utilisé. Synchronisez puis faites la clôture de journée pour libérer de la place.',
    versionsTitle: 'Versions',
    appVersion: 'Version de l’application',
    schemaVersion: 'Version du schéma de données',
    unknownVersion: 'inconnue',
    deviceTitle: 'Appareil',
    deviceId: 'Identifiant de l’appareil',
    deviceIdUnknown: 'pas encore attribué',
    database: 'Base locale',
    databaseOk: 'ouverte',
    syncTitle: 'Synchronisation',
    pendingOps: 'Modifications en attente d’envoi',
    lastSuccess: 'Dernière synchronisation réussie',
    lastAttempt: 'Dernière tentative',
    lastError: 'Dernière erreur',
    server: 'Serveur',
    pullProgress: 'Réception des données : {reached} sur {target}',
    noError: 'aucune',
    serverReached: 'Serveur joint',
    serverReachedYes: 'oui',
    serverReachedNo: 'non',
    never: 'jamais',
    syncUnavailable: 'La synchronisation n’est pas encore disponible sur cet appareil.',
    offlineTitle: 'Mode hors ligne',
    swReady: 'Prêt hors ligne : l’application s’ouvre sans réseau.',
    swPending: 'Pas encore prêt hors ligne : la mise en cache de l’application est en cours.',
    swUnsupported: 'Ce navigateur ne permet pas le fonctionnement hors ligne.',
    refresh: 'Actualiser',
  },
  units: {
    bytes: '{value} octets',
    kilobytes: '{value} Ko',
    megabytes: '{value} Mo',
    gigabytes: '{value} Go',
    terabytes: '{value} To',
  },
} as const;
