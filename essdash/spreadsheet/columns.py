"""The spreadsheet vocabulary shared by import and export: the columns of each kind of file.

Each column has the French header that exports write and the other headers imports accept
(compared after :func:`essdash.spreadsheet.cells.fold`: case, accents, spaces, underscores and units in
parentheses do not matter). Computed columns are exported for reading and ignored at import, so
that an exported file imports back as it is: a projects file's « Montant engagé (€) » is the sum the
application computes, while a partner's « Montant » becomes funding lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from essdash.spreadsheet.cells import fold

INSEE = ("insee", "code commune", "code insee commune", "code insee de la commune", "code officiel geographique", "cog")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    computed: bool = False


@dataclass(frozen=True)
class Kind:
    """A kind of importable file: its columns, the required ones (one key of each group), its natural key."""

    code: str
    label: str
    columns: tuple[Column, ...]
    required: tuple[tuple[str, ...], ...]
    natural_key: str

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def match(self, header) -> Column | None:
        folded = fold(header)
        return next((c for c in self.columns if folded in (fold(c.header), *map(fold, c.aliases))), None)


ORGANISATIONS = Kind(
    "organisations",
    "Porteurs",
    (
        Column(
            "name",
            "Nom",
            (
                "porteur",
                "structure",
                "organisation",
                "raison sociale",
                "denomination",
                "nom de la structure",
                "nom du porteur",
            ),
        ),
        Column("legal_form", "Forme juridique", ("statut juridique", "forme", "statut", "type de structure")),
        Column("commune", "Commune", ("ville", "commune du siege", "siege")),
        Column("insee_code", "Code INSEE", INSEE),
        Column("created_year", "Année de création", ("annee", "creation", "date de creation", "cree en")),
        Column("siret", "SIRET", ("n siret", "numero siret", "siret du porteur", "idbeneficiaire")),
        Column("rna", "N° RNA", ("rna", "numero rna", "rnabeneficiaire", "numero d association")),
        Column("projects", "Projets", ("nombre de projets",), computed=True),
    ),
    required=(("name",),),
    natural_key="le nom (sans tenir compte de la casse ni des espaces en trop)",
)

PROJECTS = Kind(
    "projects",
    "Projets",
    (
        Column("id", "N°", ("no", "numero", "id", "identifiant", "n projet", "numero de projet")),
        Column(
            "title",
            "Titre",
            ("projet", "intitule", "libelle", "nom du projet", "titre du projet", "intitule du projet"),
        ),
        Column(
            "carrier",
            "Porteur",
            ("porteur de projet", "structure", "structure porteuse", "organisation", "nom du porteur"),
        ),
        Column("carrier_legal_form", "Forme juridique du porteur", ("forme juridique", "statut juridique")),
        Column("commune", "Commune", ("commune principale", "ville", "lieu")),
        Column("insee_code", "Code INSEE", INSEE),
        Column("territory", "Territoire", computed=True),
        Column("further_communes", "Communes supplémentaires", ("autres communes", "communes d intervention")),
        Column("status", "Étape", ("statut", "etat", "etape du projet", "avancement")),
        Column("sheets", "Fiches", ("fiche", "fiches du plan", "fiche du plan", "fiche action", "fiches actions")),
        Column("sector", "Filière", ("secteur", "domaine", "secteur d activite")),
        Column("intervention_mode", "Mode d'intervention", ("mode", "type d intervention")),
        Column("amount", "Montant engagé (€)", computed=True),
        Column(
            "funding_amount",
            "Montant",
            (
                "montant demande",
                "montant accorde",
                "montant sollicite",
                "montant total",
                "montant de l aide",
                "subvention",
            ),
        ),
        Column("funder", "Financeur", ("organisme financeur", "financeurs", "bailleur")),
        Column("funding_year", "Année du financement", ("exercice", "annee", "millesime", "annee d engagement")),
        Column("funding_type", "Type de financement", ("type d aide", "nature de l aide", "forme de l aide")),
        Column("jobs_created", "Emplois créés", ("creations d emplois", "nombre d emplois crees", "nb emplois crees")),
        Column("jobs_maintained", "Emplois maintenus", ("emplois consolides", "nb emplois maintenus")),
        Column(
            "beneficiaries", "Bénéficiaires", ("nombre de beneficiaires", "nb beneficiaires", "personnes accompagnees")
        ),
        Column(
            "priority_district",
            "Quartier prioritaire",
            ("qpv", "politique de la ville", "quartier politique de la ville"),
        ),
        Column("proposed_on", "Proposé le", ("date de proposition", "date de depot", "depose le", "date")),
        Column("start_date", "Début", ("date de debut", "demarrage")),
        Column("end_date", "Fin", ("date de fin",)),
        Column("lat", "Latitude", ("lat",)),
        Column("lon", "Longitude", ("lon", "lng", "long")),
        Column("description", "Description", ("objet", "resume", "description du projet")),
    ),
    required=(("title",), ("carrier",), ("commune", "insee_code")),
    natural_key="le titre, le porteur et la commune principale (et le n° s'il est donné)",
)

FUNDINGS = Kind(
    "fundings",
    "Financements",
    (
        Column("project_id", "N° projet", ("no projet", "numero de projet", "id projet", "identifiant du projet")),
        Column("project", "Projet", ("titre", "titre du projet", "intitule du projet", "nom du projet")),
        Column("carrier", "Porteur", ("structure", "structure porteuse", "porteur de projet")),
        Column("commune", "Commune", ("ville", "commune principale")),
        Column("insee_code", "Code INSEE", INSEE),
        Column("funder", "Financeur", ("organisme financeur", "bailleur", "financeurs")),
        Column("funder_kind", "Nature du financeur", ("type de financeur", "categorie de financeur")),
        Column("type", "Type de financement", ("type", "type d aide", "nature de l aide", "forme de l aide")),
        Column("amount", "Montant (€)", ("montant accorde", "montant engage", "somme")),
        Column("year", "Année", ("exercice", "annee d engagement", "millesime")),
        # The SCDL « Subventions » facts (open data), all optional.
        Column("funder_siret", "SIRET du financeur", ("idattribuant", "siret financeur", "siret de l attribuant")),
        Column("convention_date", "Date de la convention", ("dateconvention", "date convention", "convention du")),
        Column(
            "decision_reference", "Référence de la décision", ("referencedecision", "deliberation", "n de deliberation")
        ),
        Column("nature", "Nature de la subvention", ("nature", "numeraire ou nature")),
        Column("payment_conditions", "Conditions de versement", ("conditionsversement", "modalites de versement")),
        Column(
            "payment_dates",
            "Dates de versement",
            ("datesperiodeversement", "date de versement", "periode de versement"),
        ),
        Column(
            "eu_notification", "Notification UE", ("notificationue", "aide notifiee", "notification a la commission")
        ),
        Column("beneficiary_share", "Part du bénéficiaire", ("pourcentagesubvention", "pourcentage de la subvention")),
        Column("aid_scheme", "Dispositif d'aide", ("dispositifaide", "dispositif", "appel a projets")),
    ),
    required=(("project", "project_id"), ("funder",), ("type",), ("amount",), ("year",)),
    natural_key="le projet, le financeur, l'année et le type de financement",
)

MEASUREMENTS = Kind(
    "measurements",
    "Valeurs d'indicateurs",
    (
        Column("indicator", "Code indicateur", ("code de l indicateur", "code")),
        Column("indicator_label", "Indicateur", ("libelle", "libelle de l indicateur", "nom de l indicateur")),
        Column("unit", "Unité", computed=True),
        Column("period", "Semestre", ("periode",)),
        Column("territory", "Territoire", ("code territoire",)),
        Column("commune", "Commune", ()),
        Column("insee_code", "Code INSEE", INSEE),
        Column("value", "Valeur", ("resultat", "val")),
        Column("provenance", "Provenance", ("origine",)),
        Column("source", "Source", ()),
        Column("recorded_at", "Saisie le", ("date de saisie",), computed=True),
        Column("recorded_by", "Saisie par", ("auteur",), computed=True),
    ),
    required=(("indicator", "indicator_label"), ("period",), ("value",)),
    natural_key="l'indicateur, le semestre et le lieu (territoire, commune, ou métropole si aucun)",
)

KINDS = {kind.code: kind for kind in (PROJECTS, ORGANISATIONS, FUNDINGS, MEASUREMENTS)}
