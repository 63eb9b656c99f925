"""The domain's enumerations and their French labels: statuses, lifecycle transitions, legal forms,
filières, modes of intervention, funding types, bodies, opinions, provenances, comment targets.
« À qualifier » (filière, mode) and « Autre » (legal form) are what an import gives when a partner's
file does not say, or says it in words of its own: nothing is refused for want of a classification.

Each is stored as its plain ``value`` (a short ASCII code) and shows its French ``label``.
"""

from __future__ import annotations

from enum import Enum
from typing import Self

from sqlalchemy import CheckConstraint


class LabelledEnum(str, Enum):
    """A string enum whose members also carry a French label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
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
    PLANNED = ("a_venir", "À venir")
    IN_PROGRESS = ("en_cours", "En cours")
    DONE = ("realisee", "Réalisée")
    PAUSED = ("en_pause", "En pause")
    BLOCKED = ("bloquee", "Bloquée")
    ABANDONED = ("abandonnee", "Abandonnée")


class ProjectStatus(LabelledEnum):
    PROPOSED = ("propose", "Proposé")
    RETURNED = ("renvoye", "Renvoyé au porteur")
    VALIDATED = ("valide", "Validé techniquement")
    RETAINED = ("retenu", "Avis favorable du comité")
    REFUSED = ("refuse", "Avis défavorable du comité")
    IN_PROGRESS = ("en_cours", "En cours")
    DONE = ("realise", "Réalisé")
    ABANDONED = ("abandonne", "Abandonné")


# The project lifecycle: which status may follow which. An "ajourné" opinion keeps a project
# at VALIDE (still awaiting the committee); "favorable avec réserves" leads to RETENU.
PROJECT_TRANSITIONS: dict[ProjectStatus, tuple[ProjectStatus, ...]] = {
    ProjectStatus.PROPOSED: (ProjectStatus.VALIDATED, ProjectStatus.RETURNED, ProjectStatus.ABANDONED),
    ProjectStatus.RETURNED: (ProjectStatus.PROPOSED, ProjectStatus.ABANDONED),
    ProjectStatus.VALIDATED: (ProjectStatus.RETAINED, ProjectStatus.REFUSED, ProjectStatus.ABANDONED),
    ProjectStatus.RETAINED: (ProjectStatus.IN_PROGRESS, ProjectStatus.ABANDONED),
    ProjectStatus.REFUSED: (ProjectStatus.PROPOSED, ProjectStatus.ABANDONED),
    ProjectStatus.IN_PROGRESS: (ProjectStatus.DONE, ProjectStatus.ABANDONED),
    ProjectStatus.DONE: (),
    ProjectStatus.ABANDONED: (),
}


class InterventionMode(LabelledEnum):
    DIRECT = ("intervention_directe", "Intervention directe")
    OBJECTIVES_AGREEMENT = ("convention_objectifs", "Convention d'objectifs")
    EXPERIMENT_AND_TRANSFER = ("experimentation_transfert", "Expérimentation et transfert")
    PROJECT_OWNER_SUPPORT = ("assistance_maitrise_ouvrage", "Assistance à maîtrise d'ouvrage")
    TO_QUALIFY = ("a_qualifier", "À qualifier")


class LegalForm(LabelledEnum):
    ASSOCIATION = ("association", "Association")
    SCOP = ("scop", "SCOP")
    SCIC = ("scic", "SCIC")
    CAE = ("cae", "Coopérative d'activité et d'emploi")
    MUTUAL = ("mutuelle", "Mutuelle")
    FOUNDATION = ("fondation", "Fondation")
    SIAE = ("siae", "Structure d'insertion par l'activité économique")
    ESUS = ("esus", "Entreprise solidaire d'utilité sociale")
    PUBLIC_BODY = ("collectivite", "Collectivité ou établissement public")
    OTHER = ("autre", "Autre")


class Sector(LabelledEnum):
    PERSONAL_SERVICES = ("services_personne", "Services à la personne")
    FOOD = ("alimentation", "Alimentation et circuits courts")
    ENVIRONMENT = ("environnement", "Environnement et réemploi")
    BUILDING_HOUSING = ("batiment_habitat", "Bâtiment et habitat")
    CULTURE_SPORT = ("culture_sport", "Culture et sport")
    SOLIDARITY_FINANCE = ("finance_solidaire", "Finance solidaire")
    MOBILITY = ("mobilite", "Mobilité")
    DIGITAL = ("numerique", "Numérique")
    FAIR_TRADE = ("commerce_equitable", "Commerce équitable")
    WORK_INTEGRATION = ("insertion", "Insertion et formation")
    TO_QUALIFY = ("a_qualifier", "À qualifier")


class FundingType(LabelledEnum):
    GRANT = ("subvention", "Subvention")
    REPAYABLE_ADVANCE = ("avance_remboursable", "Avance remboursable")
    EQUITY_STAKE = ("prise_participation", "Prise de participation")
    GUARANTEE = ("garantie", "Garantie")
    LOAN = ("pret", "Prêt")


class MeetingBody(LabelledEnum):
    COMMITTEE = ("comite_metropolitain", "Comité métropolitain de l'ESS")
    TECHNICIANS = ("groupe_techniciens", "Groupe de travail des techniciens")
    FORUM = ("forum_acteurs", "Forum des acteurs")
    SCIENTIFIC_COUNCIL = ("conseil_scientifique", "Conseil scientifique")


class OpinionValue(LabelledEnum):
    FAVORABLE = ("favorable", "Favorable")
    FAVORABLE_WITH_RESERVATIONS = ("favorable_reserves", "Favorable avec réserves")
    UNFAVORABLE = ("defavorable", "Défavorable")
    POSTPONED = ("ajourne", "Ajourné")


class Provenance(LabelledEnum):
    DECLARED = ("declare", "Déclaré")
    VERIFIED = ("verifie", "Vérifié")
    ESTIMATED = ("estime", "Estimé")


class CommentTarget(LabelledEnum):
    SHEET = ("fiche", "Fiche")
    PROJECT = ("projet", "Projet")


class CommentBody(LabelledEnum):
    """Who speaks: the evaluation is meant to be participatory."""

    TECHNICIANS = ("groupe_techniciens", "Groupe des techniciens")
    FORUM = ("forum_acteurs", "Forum des acteurs")
    BENEFICIARY = ("beneficiaire", "Bénéficiaire")
    COMMITTEE = ("comite_metropolitain", "Comité métropolitain")
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

    MALFUNCTION = ("dysfonctionnement", "Dysfonctionnement")
    REORIENTATION = ("reorientation", "Réorientation")
