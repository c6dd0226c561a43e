"""The material of the register's demo (``demo.py``): a directory of correspondents as the
cabinet meets them in Lomé, and the letters each kind of correspondent usually writes."""

from __future__ import annotations

from .models import Correspondent

K = Correspondent.Kind

# key, name, kind, acronym, country, address. Names shared with the audiences demo are spelt
# the same, so both demos use one entry.
CORRESPONDENTS = [
    # Diplomatic missions accredited in Lomé.
    ("fr", "Ambassade de France au Togo", K.EMBASSY, "", "France", "51, rue du Colonel de Roux\nBP 337 Lomé"),
    (
        "de",
        "Ambassade de la République fédérale d'Allemagne",
        K.EMBASSY,
        "",
        "Allemagne",
        "Boulevard de la République\nBP 1175 Lomé",
    ),
    (
        "us",
        "Ambassade des États-Unis d'Amérique",
        K.EMBASSY,
        "",
        "États-Unis",
        "Boulevard Eyadema, Lomé II\nBP 852 Lomé",
    ),
    (
        "cn",
        "Ambassade de la République populaire de Chine",
        K.EMBASSY,
        "",
        "Chine",
        "Avenue de la Victoire\nBP 2690 Lomé",
    ),
    (
        "ng",
        "Ambassade de la République fédérale du Nigeria",
        K.EMBASSY,
        "",
        "Nigeria",
        "311, boulevard du 13 Janvier\nBP 1189 Lomé",
    ),
    ("gh", "Ambassade du Ghana", K.EMBASSY, "", "Ghana", "8, rue Paulin Eklou, Tokoin\nBP 92 Lomé"),
    ("bj", "Ambassade de la République du Bénin", K.EMBASSY, "", "Bénin", "Boulevard du Mono\nLomé"),
    ("bf", "Ambassade du Burkina Faso", K.EMBASSY, "", "Burkina Faso", "Quartier administratif\nLomé"),
    (
        "ci",
        "Ambassade de la République de Côte d'Ivoire",
        K.EMBASSY,
        "",
        "Côte d'Ivoire",
        "Boulevard du 13 Janvier\nLomé",
    ),
    ("ma", "Ambassade du Royaume du Maroc", K.EMBASSY, "", "Maroc", "Rue des Nations unies\nLomé"),
    ("eg", "Ambassade de la République arabe d'Égypte", K.EMBASSY, "", "Égypte", "Boulevard de la Marina\nLomé"),
    ("jp", "Ambassade du Japon", K.EMBASSY, "", "Japon", "Avenue du 24 Janvier\nLomé"),
    ("ru", "Ambassade de la Fédération de Russie", K.EMBASSY, "", "Russie", "Boulevard de la Marina\nLomé"),
    ("gb", "Ambassade du Royaume-Uni", K.EMBASSY, "", "Royaume-Uni", "Lomé"),
    ("tr", "Ambassade de la République de Turquie", K.EMBASSY, "", "Turquie", "Lomé"),
    ("ga", "Ambassade de la République gabonaise", K.EMBASSY, "", "Gabon", "Lomé"),
    ("br", "Ambassade de la République fédérative du Brésil", K.EMBASSY, "", "Brésil", "Lomé"),
    ("va", "Nonciature apostolique au Togo", K.EMBASSY, "", "Saint-Siège", "Lomé"),
    (
        "ue",
        "Délégation de l'Union européenne au Togo",
        K.INTERNATIONAL,
        "UE",
        "",
        "Rue Pelletier Caventou\nBP 1657 Lomé",
    ),
    # International and regional organisations.
    (
        "cedeao",
        "Commission de la CEDEAO",
        K.INTERNATIONAL,
        "CEDEAO",
        "",
        "101, Yakubu Gowon Crescent\nAsokoro, Abuja (Nigeria)",
    ),
    ("ua", "Union africaine", K.INTERNATIONAL, "UA", "", "Roosevelt Street, PO Box 3243\nAddis-Abeba (Éthiopie)"),
    (
        "pnud",
        "Programme des Nations unies pour le développement",
        K.INTERNATIONAL,
        "PNUD",
        "",
        "40, avenue des Nations unies\nBP 911 Lomé",
    ),
    (
        "unicef",
        "Fonds des Nations unies pour l'enfance",
        K.INTERNATIONAL,
        "UNICEF",
        "",
        "Avenue des Nations unies\nLomé",
    ),
    (
        "oif",
        "Organisation internationale de la Francophonie",
        K.INTERNATIONAL,
        "OIF",
        "",
        "19-21, avenue Bosquet\n75007 Paris (France)",
    ),
    (
        "uemoa",
        "Union économique et monétaire ouest-africaine",
        K.INTERNATIONAL,
        "UEMOA",
        "",
        "380, avenue du Pr Joseph Ki-Zerbo\nOuagadougou (Burkina Faso)",
    ),
    (
        "boad",
        "Banque ouest-africaine de développement",
        K.INTERNATIONAL,
        "BOAD",
        "",
        "68, avenue de la Libération\nBP 1172 Lomé",
    ),
    ("oms", "Organisation mondiale de la santé — bureau du Togo", K.INTERNATIONAL, "OMS", "", "Lomé"),
    ("hcr", "Haut-Commissariat des Nations unies pour les réfugiés", K.INTERNATIONAL, "HCR", "", "Lomé"),
    (
        "onu",
        "Organisation des Nations unies — Secrétariat général",
        K.INTERNATIONAL,
        "ONU",
        "",
        "New York (États-Unis)",
    ),
    ("entente", "Conseil de l'Entente", K.INTERNATIONAL, "", "", "Abidjan (Côte d'Ivoire)"),
    # Institutions of the Togolese State.
    ("pr", "Présidence de la République", K.MINISTRY, "PR", "Togo", "Avenue de la Marina\nLomé"),
    ("primature", "Primature", K.MINISTRY, "", "Togo", "Avenue de la Marina\nLomé"),
    ("mef", "Ministère de l'économie et des finances", K.MINISTRY, "MEF", "Togo", "Avenue Sarakawa\nLomé"),
    ("armees", "Ministère des armées", K.MINISTRY, "", "Togo", "Lomé"),
    ("securite", "Ministère de la sécurité et de la protection civile", K.MINISTRY, "", "Togo", "Lomé"),
    ("an", "Assemblée nationale", K.MINISTRY, "AN", "Togo", "Lomé"),
    # Togo's missions abroad.
    ("amb-paris", "Ambassade du Togo à Paris", K.MINISTRY, "", "France", "8, rue Alfred Roll\n75017 Paris"),
    ("amb-abuja", "Ambassade du Togo à Abuja", K.MINISTRY, "", "Nigeria", "Abuja"),
    ("mp-ny", "Mission permanente du Togo auprès des Nations unies", K.MINISTRY, "", "États-Unis", "New York"),
    ("amb-berlin", "Ambassade du Togo à Berlin", K.MINISTRY, "", "Allemagne", "Berlin"),
    ("amb-washington", "Ambassade du Togo à Washington", K.MINISTRY, "", "États-Unis", "Washington"),
    ("amb-pekin", "Ambassade du Togo à Pékin", K.MINISTRY, "", "Chine", "Pékin"),
    (
        "amb-addis",
        "Ambassade du Togo à Addis-Abeba, représentation auprès de l'UA",
        K.MINISTRY,
        "",
        "Éthiopie",
        "Addis-Abeba",
    ),
    # Associations and persons.
    ("ate", "Association des Togolais de l'extérieur", K.NGO, "ATE", "Togo", "Lomé"),
    ("croix-rouge", "Croix-Rouge togolaise", K.NGO, "CRT", "Togo", "51, rue de la Croix-Rouge\nLomé"),
    ("adjovi", "M. Komlan ADJOVI", K.PERSON, "", "Togo", "Quartier Bè\nLomé"),
    ("kpodar", "Mme Abla KPODAR", K.PERSON, "", "Togo", "Kara"),
]

KIND_LABELS = {
    "lettre": "Lettre",
    "note-verbale": "Note verbale",
    "telegramme": "Télégramme",
    "invitation": "Invitation",
    "rapport": "Rapport",
    "arrete-decret": "Arrêté / décret",
}
CHANNEL_LABELS = {
    "courrier-simple": "Courrier simple",
    "valise-diplomatique": "Valise diplomatique",
    "porteur": "Porteur",
    "courriel": "Courriel",
}

AFRICAN = {
    "ng",
    "gh",
    "bj",
    "bf",
    "ci",
    "ma",
    "eg",
    "ga",
    "cedeao",
    "ua",
    "uemoa",
    "boad",
    "entente",
    "amb-abuja",
    "amb-addis",
}

# Who writes, what, how. Each: (correspondent keys, kind code, channel code, subjects, route)
# where route is (instruction, assignee) pairs: "c" the adviser of the region, "c2" the
# multilateral adviser, a unit key (daai, doi, dajc, dpe), or "dir-afrique".
LETTERS = [
    (
        ["fr", "de", "us", "cn", "ng", "gh", "bj", "bf", "ci", "ma", "eg", "jp", "ru", "gb", "tr", "ga", "br", "va"],
        "note-verbale",
        "porteur",
        [
            "Demande d'agrément en faveur de l'ambassadeur désigné",
            "Demande d'audience auprès de Son Excellence Monsieur le Ministre",
            "Demande de facilitation de visas pour une délégation officielle",
            "Notification de l'arrivée du nouvel attaché de défense",
            "Demande d'autorisation de survol et d'atterrissage d'un aéronef d'État",
            "Demande de soutien à une candidature au Conseil des droits de l'homme",
            "Projet de mémorandum d'entente sur la coopération économique",
            "Demande d'exonération des droits de douane pour le matériel de la mission",
            "Invitation à la réception offerte à l'occasion de la fête nationale",
            "Programme de la visite officielle du ministre des affaires étrangères",
        ],
        [("attribution", "c"), ("suite", "dajc"), ("information", "c2")],
    ),
    (
        ["cedeao", "ua", "pnud", "unicef", "oif", "uemoa", "boad", "oms", "hcr", "onu", "entente", "ue"],
        "invitation",
        "courriel",
        [
            "Invitation à la session ordinaire du Conseil des ministres",
            "Invitation à la réunion de haut niveau sur le financement du développement",
            "Invitation à l'atelier régional sur la gouvernance des migrations",
            "Invitation à la conférence ministérielle sur la sécurité maritime dans le golfe de Guinée",
            "Invitation au lancement du rapport annuel sur le développement humain",
            "Invitation à la réunion préparatoire du sommet des chefs d'État et de gouvernement",
        ],
        [("attribution", "c"), ("information", "doi")],
    ),
    (
        ["amb-paris", "amb-abuja", "mp-ny", "amb-berlin", "amb-washington", "amb-pekin", "amb-addis"],
        "rapport",
        "valise-diplomatique",
        [
            "Rapport trimestriel d'activités de l'ambassade",
            "Rapport sur la situation politique et sécuritaire du pays de résidence",
            "Compte rendu de l'entretien de l'ambassadeur avec le ministre des affaires étrangères du pays hôte",
            "Rapport consulaire sur la communauté togolaise de la juridiction",
            "Compte rendu des travaux de la commission mixte de coopération",
        ],
        [("information", "c"), ("avis", "c2")],
    ),
    (
        ["amb-paris", "mp-ny", "amb-addis", "amb-abuja"],
        "telegramme",
        "courriel",
        [
            "Télégramme : évolution de la situation électorale",
            "Télégramme : position des États membres sur le projet de résolution",
            "Télégramme : mouvement de troupes signalé à la frontière",
        ],
        [("attribution", "c")],
    ),
    (
        ["pr", "primature", "mef", "armees", "securite", "an"],
        "arrete-decret",
        "porteur",
        [
            "Décret portant nomination d'ambassadeurs extraordinaires et plénipotentiaires",
            "Arrêté interministériel fixant les indemnités de mission à l'étranger",
            "Décret portant ratification de l'accord de siège",
            "Arrêté portant création du comité national de préparation du sommet",
        ],
        [("classement", "dajc"), ("information", "dir-afrique")],
    ),
    (
        ["pr", "primature", "mef", "securite", "an"],
        "lettre",
        "porteur",
        [
            "Préparation du budget du ministère pour l'exercice à venir",
            "Demande de contribution au rapport national sur les droits de l'homme",
            "Transmission des questions écrites des députés sur la diaspora",
            "Demande d'éléments de langage pour l'entretien du Président de la République",
        ],
        [("suite", "c"), ("avis", "c2")],
    ),
    (
        ["ate", "croix-rouge", "adjovi", "kpodar"],
        "lettre",
        "courrier-simple",
        [
            "Demande d'assistance consulaire pour un ressortissant togolais",
            "Demande de stage au cabinet du ministre",
            "Doléances de la diaspora sur la délivrance des passeports",
        ],
        [("suite", "dajc"), ("information", "c2")],
    ),
]

# Letters the cabinet sends on its own initiative: (recipient keys, copy keys, kind, subject).
OUTGOING = [
    (
        ["fr", "de", "us", "cn", "ng", "gh", "bj", "jp"],
        ["pr"],
        "note-verbale",
        "Note verbale circulaire : fermeture des services pendant les fêtes de fin d'année",
    ),
    (
        ["fr", "cn", "ng", "ma", "eg", "ru", "ue"],
        [],
        "note-verbale",
        "Invitation à la cérémonie de présentation des vœux au corps diplomatique",
    ),
    (["pr"], ["primature"], "lettre", "Transmission du rapport trimestriel d'activités du cabinet"),
    (["mef"], ["primature"], "lettre", "Demande de crédits pour la participation au sommet de l'Union africaine"),
    (["cedeao"], ["amb-abuja"], "lettre", "Confirmation de la participation du Togo au Conseil des ministres"),
    (["oif"], ["amb-paris"], "lettre", "Désignation du point focal national de la Francophonie"),
    (
        ["amb-paris", "amb-berlin", "amb-washington"],
        [],
        "telegramme",
        "Instructions pour la campagne de soutien à la candidature togolaise",
    ),
    (
        ["onu"],
        ["mp-ny"],
        "lettre",
        "Contribution du Togo au rapport du Secrétaire général sur la consolidation de la paix",
    ),
]

OPINIONS = [
    "Suite favorable proposée, sous réserve de l'accord des services techniques concernés.",
    "Il est proposé de répondre par note verbale en confirmant la position constante du Togo.",
    "Dossier à inscrire à l'ordre du jour de la prochaine réunion de cabinet.",
    "Recommande la participation du Togo au niveau ministériel ; projet de réponse joint.",
    "Avis réservé : les éléments transmis sont insuffisants, demander des précisions.",
]

NOTES = [
    "Pris attache avec la direction concernée, réponse attendue sous huitaine.",
    "Éléments demandés à l'ambassade par courriel.",
    "Entretien téléphonique avec le chargé d'affaires : la demande est maintenue.",
]
