"""The domain's enumerations and their French labels: statuses, lifecycle transitions, legal forms,
filières, modes of intervention, funding types, bodies, opinions, provenances, comment targets.
« À qualifier » (filière, mode) and « Autre » (legal form) are what an import gives when a partner's
file does not say, or says it in words of its own: nothing is refused for want of a classification.

Each is stored as its plain ``value`` (a short ASCII code) and shows its French ``label``.
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy import CheckConstraint


class LabelledEnum(str, Enum):
    """A string enum whose members also carry a French label."""

    label: str

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def check(cls, column: str) -> CheckConstraint:
        values = ", ".join(f"'{m.value}'" for m in cls)
        return CheckConstraint(f"{column} IN ({values})", name=f"ck_{column}_{cls.__name__.lower()}")


class SheetStatus(LabelledEnum):
    A_VENIR = ("a_venir", "À venir")
    EN_COURS = ("en_cours", "En cours")
    REALISEE = ("realisee", "Réalisée")
    EN_PAUSE = ("en_pause", "En pause")
    BLOQUEE = ("bloquee", "Bloquée")
    ABANDONNEE = ("abandonnee", "Abandonnée")


class ProjectStatus(LabelledEnum):
    PROPOSE = ("propose", "Proposé")
    RENVOYE = ("renvoye", "Renvoyé au porteur")
    VALIDE = ("valide", "Validé techniquement")
    RETENU = ("retenu", "Avis favorable du comité")
    REFUSE = ("refuse", "Avis défavorable du comité")
    EN_COURS = ("en_cours", "En cours")
    REALISE = ("realise", "Réalisé")
    ABANDONNE = ("abandonne", "Abandonné")


# The project lifecycle: which status may follow which. An "ajourné" opinion keeps a project
# at VALIDE (still awaiting the committee); "favorable avec réserves" leads to RETENU.
PROJECT_TRANSITIONS: dict[ProjectStatus, tuple[ProjectStatus, ...]] = {
    ProjectStatus.PROPOSE: (ProjectStatus.VALIDE, ProjectStatus.RENVOYE, ProjectStatus.ABANDONNE),
    ProjectStatus.RENVOYE: (ProjectStatus.PROPOSE, ProjectStatus.ABANDONNE),
    ProjectStatus.VALIDE: (ProjectStatus.RETENU, ProjectStatus.REFUSE, ProjectStatus.ABANDONNE),
    ProjectStatus.RETENU: (ProjectStatus.EN_COURS, ProjectStatus.ABANDONNE),
    ProjectStatus.REFUSE: (ProjectStatus.PROPOSE, ProjectStatus.ABANDONNE),
    ProjectStatus.EN_COURS: (ProjectStatus.REALISE, ProjectStatus.ABANDONNE),
    ProjectStatus.REALISE: (),
    ProjectStatus.ABANDONNE: (),
}


class InterventionMode(LabelledEnum):
    INTERVENTION_DIRECTE = ("intervention_directe", "Intervention directe")
    CONVENTION_OBJECTIFS = ("convention_objectifs", "Convention d'objectifs")
    EXPERIMENTATION_TRANSFERT = ("experimentation_transfert", "Expérimentation et transfert")
    ASSISTANCE_MAITRISE_OUVRAGE = ("assistance_maitrise_ouvrage", "Assistance à maîtrise d'ouvrage")
    A_QUALIFIER = ("a_qualifier", "À qualifier")


class LegalForm(LabelledEnum):
    ASSOCIATION = ("association", "Association")
    SCOP = ("scop", "SCOP")
    SCIC = ("scic", "SCIC")
    CAE = ("cae", "Coopérative d'activité et d'emploi")
    MUTUELLE = ("mutuelle", "Mutuelle")
    FONDATION = ("fondation", "Fondation")
    SIAE = ("siae", "Structure d'insertion par l'activité économique")
    ESUS = ("esus", "Entreprise solidaire d'utilité sociale")
    COLLECTIVITE = ("collectivite", "Collectivité ou établissement public")
    AUTRE = ("autre", "Autre")


class Sector(LabelledEnum):
    SERVICES_PERSONNE = ("services_personne", "Services à la personne")
    ALIMENTATION = ("alimentation", "Alimentation et circuits courts")
    ENVIRONNEMENT = ("environnement", "Environnement et réemploi")
    BATIMENT_HABITAT = ("batiment_habitat", "Bâtiment et habitat")
    CULTURE_SPORT = ("culture_sport", "Culture et sport")
    FINANCE_SOLIDAIRE = ("finance_solidaire", "Finance solidaire")
    MOBILITE = ("mobilite", "Mobilité")
    NUMERIQUE = ("numerique", "Numérique")
    COMMERCE_EQUITABLE = ("commerce_equitable", "Commerce équitable")
    INSERTION = ("insertion", "Insertion et formation")
    A_QUALIFIER = ("a_qualifier", "À qualifier")


class FundingType(LabelledEnum):
    SUBVENTION = ("subvention", "Subvention")
    AVANCE_REMBOURSABLE = ("avance_remboursable", "Avance remboursable")
    PRISE_PARTICIPATION = ("prise_participation", "Prise de participation")
    GARANTIE = ("garantie", "Garantie")
    PRET = ("pret", "Prêt")


class MeetingBody(LabelledEnum):
    COMITE = ("comite_metropolitain", "Comité métropolitain de l'ESS")
    GROUPE_TECHNICIENS = ("groupe_techniciens", "Groupe de travail des techniciens")
    FORUM = ("forum_acteurs", "Forum des acteurs")
    CONSEIL_SCIENTIFIQUE = ("conseil_scientifique", "Conseil scientifique")


class OpinionValue(LabelledEnum):
    FAVORABLE = ("favorable", "Favorable")
    FAVORABLE_RESERVES = ("favorable_reserves", "Favorable avec réserves")
    DEFAVORABLE = ("defavorable", "Défavorable")
    AJOURNE = ("ajourne", "Ajourné")


class Provenance(LabelledEnum):
    DECLARE = ("declare", "Déclaré")
    VERIFIE = ("verifie", "Vérifié")
    ESTIME = ("estime", "Estimé")


class CommentTarget(LabelledEnum):
    FICHE = ("fiche", "Fiche")
    PROJET = ("projet", "Projet")


class CommentBody(LabelledEnum):
    """Who speaks: the evaluation is meant to be participatory."""

    GROUPE_TECHNICIENS = ("groupe_techniciens", "Groupe des techniciens")
    FORUM = ("forum_acteurs", "Forum des acteurs")
    BENEFICIAIRE = ("beneficiaire", "Bénéficiaire")
    COMITE = ("comite_metropolitain", "Comité métropolitain")
    MISSION = ("mission_ess", "Mission ESS")


class Role(LabelledEnum):
    """What a member of the shared dashboard may do (see :mod:`essdash.domain.access`)."""

    ADMIN = ("administrateur", "administrateur")
    MISSION = ("mission", "mission ESS")
    CHAIR = ("presidence", "présidence du comité")
    TECHNICIAN = ("technicien", "technicien")
    MEMBER = ("membre", "membre")


class Deed(LabelledEnum):
    """A kind of write, as the gate (:mod:`essdash.write.gate`) knows it; the label completes
    « … n'est pas autorisé à … »."""

    PROJECT = ("projet", "créer ou modifier un projet")
    STEP = ("etape", "enregistrer une étape de projet")
    SHEET = ("fiche", "modifier une fiche du plan")
    MEETING = ("seance", "créer une séance")
    OPINION = ("avis", "enregistrer un avis du comité")
    COMMENT = ("commentaire", "commenter")
    MEASUREMENT = ("indicateur", "saisir des valeurs d'indicateurs")
    IMPORT = ("import", "importer un fichier")
    BACKUP = ("sauvegarde", "télécharger une sauvegarde de la base")
    RESTORE = ("restauration", "restaurer une sauvegarde")
    MEMBERS = ("membres", "gérer les membres")
    SETTINGS = ("reglages", "initialiser ou remplacer la base")
    LOGIN = ("connexion", "lier son compte à son identité de connexion")
    SUBMIT = ("soumission", "soumettre les valeurs d'un semestre")
    VALIDATE = ("validation", "valider ou renvoyer en saisie les valeurs d'un semestre")
    LOCK = ("verrouillage", "verrouiller les valeurs d'un semestre")
    REOPEN = ("reouverture", "rouvrir un semestre verrouillé")
    INCIDENT = ("dysfonctionnement", "consigner un dysfonctionnement ou une réorientation")
    MAIL = ("envoi", "envoyer la convocation et le dossier de séance")
    QUESTIONNAIRE = ("questionnaire", "ouvrir un questionnaire des bénéficiaires")
    ANSWER = ("reponse", "répondre à un questionnaire")


class IncidentKind(LabelledEnum):
    """What an entry of the plan's register of « dysfonctionnements » records."""

    DYSFONCTIONNEMENT = ("dysfonctionnement", "Dysfonctionnement")
    REORIENTATION = ("reorientation", "Réorientation")
