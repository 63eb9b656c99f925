"""Every field of the register, declared once: its key, type, French label, import aliases and rule.

A :class:`Field` is one column of a kind of record (projects, carriers, fundings, indicator values)
as people see it: the one French label the pages, the forms, the record view, the export header and
the history of changes show; the other headers an import accepts (compared once folded: case,
accents, spaces, underscores and units in parentheses do not matter); whether it is computed
(exported for reading, ignored at import) or only read from partners' files; the model column it is
stored in; the widget a form gives it; the views that show it (a project's: the register, its
record, the new-proposal and edit forms, which lay out by hand the fields they had before and
render any other declared one by its type and widget); and the domain rule that checks it
(:mod:`essdash.domain.rules`, :mod:`essdash.domain.subsidies`), referenced here, never repeated.
Each :class:`FieldSet` lists a kind's fields in the order of its files' columns. The import and
export columns (:mod:`essdash.spreadsheet.columns`), the projects import, the exports, the labels of
a project's history, its forms and the register are all built from these lists.
"""

from __future__ import annotations

from essdash.domain import models as m
from essdash.domain import rules, subsidies
from essdash.domain.field_kinds import Field, FieldSet, FieldType, View, own
from essdash.domain.vocabulary import InterventionMode, LegalForm, ProjectStatus, Sector

T, INT, C, MONEY, N, D, B, CODE = (
    FieldType.TEXT,
    FieldType.INTEGER,
    FieldType.COUNT,
    FieldType.MONEY,
    FieldType.NUMBER,
    FieldType.DATE,
    FieldType.BOOLEAN,
    FieldType.CODE,
)
INSEE = ("insee", "code commune", "code insee commune", "code insee de la commune", "code officiel geographique", "cog")
SHOWN: tuple[View, ...] = ("register", "record")
EDITED: tuple[View, ...] = (*SHOWN, "proposal", "edit")
_PROPOSED: tuple[View, ...] = (*SHOWN, "proposal")
_ON: tuple[View, ...] = ("record", "edit")  # a project's dates
_CARRIER = ("porteur", "structure", "organisation", "raison sociale", "denomination", "nom de la structure")

ORGANISATIONS = FieldSet(
    "organisations",
    m.Organisation,
    (
        own("name", "Nom", T, *_CARRIER, "nom du porteur", rule=rules.text),
        own(
            "legal_form",
            "Forme juridique",
            CODE,
            "statut juridique",
            "forme",
            "statut",
            "type de structure",
            rule=rules.legal_form,
        ),
        Field("commune", "Commune", T, ("ville", "commune du siege", "siege")),
        Field("insee_code", "Code INSEE", T, INSEE, column="commune_code"),
        own("created_year", "Année de création", INT, "annee", "creation", "date de creation", "cree en"),
        own("siret", "SIRET", T, "n siret", "numero siret", "siret du porteur", "idbeneficiaire", rule=subsidies.siret),
        own("rna", "N° RNA", T, "rna", "numero rna", "rnabeneficiaire", "numero d association", rule=subsidies.rna),
        Field("projects", "Projets", C, ("nombre de projets",), computed=True),
    ),
)

PROJECTS = FieldSet(
    "projects",
    m.Project,
    (
        own(
            "id",
            "N°",
            FieldType.IDENTIFIER,
            *("no", "numero", "id", "identifiant", "n projet", "numero de projet"),
            views=SHOWN,
        ),
        own(
            "title",
            "Titre",
            T,
            *("projet", "intitule", "libelle", "nom du projet", "titre du projet", "intitule du projet"),
            widget="text",
            rule=rules.text,
            views=EDITED,
        ),
        Field(
            "carrier",
            "Porteur",
            T,
            ("porteur de projet", "structure", "structure porteuse", "organisation", "nom du porteur"),
            views=SHOWN,
        ),
        Field(
            "carrier_legal_form",
            "Forme juridique du porteur",
            CODE,
            ("forme juridique", "statut juridique"),
            rule=rules.legal_form,
            views=SHOWN,
            codes=LegalForm,
        ),
        Field("commune", "Commune", T, ("commune principale", "ville", "lieu"), views=SHOWN),
        Field("insee_code", "Code INSEE", T, INSEE, column="commune_code", views=("register",)),
        Field("territory", "Territoire", T, computed=True, views=SHOWN),
        Field(
            "further_communes",
            "Communes supplémentaires",
            FieldType.CODES,
            ("autres communes", "communes d intervention"),
            views=("record",),
        ),
        own(
            "status",
            "Étape",
            CODE,
            *("statut", "etat", "etape du projet", "avancement"),
            rule=rules.step,
            views=SHOWN,
            codes=ProjectStatus,
        ),
        Field(
            "sheets",
            "Fiches",
            FieldType.CODES,
            ("fiche", "fiches du plan", "fiche du plan", "fiche action", "fiches actions"),
            views=SHOWN,
        ),
        own(
            "sector",
            "Filière",
            CODE,
            *("secteur", "domaine", "secteur d activite"),
            widget="choice",
            views=_PROPOSED,
            codes=Sector,
        ),
        own(
            "intervention_mode",
            "Mode d'intervention",
            CODE,
            *("mode", "type d intervention"),
            widget="choice",
            views=_PROPOSED,
            codes=InterventionMode,
        ),
        Field("amount", "Montant engagé (€)", MONEY, computed=True, views=SHOWN),
        Field(
            "funding_amount",
            "Montant",
            MONEY,
            (
                "montant demande",
                "montant accorde",
                "montant sollicite",
                "montant total",
                "montant de l aide",
                "subvention",
            ),
            exported=False,
        ),
        Field("funder", "Financeur", T, ("organisme financeur", "financeurs", "bailleur"), exported=False),
        Field(
            "funding_year",
            "Année du financement",
            INT,
            ("exercice", "annee", "millesime", "annee d engagement"),
            exported=False,
        ),
        Field(
            "funding_type",
            "Type de financement",
            CODE,
            ("type d aide", "nature de l aide", "forme de l aide"),
            exported=False,
        ),
        own(
            "jobs_created",
            "Emplois prévus",
            C,
            *("emplois crees", "creations d emplois", "nombre d emplois crees", "nb emplois crees"),
            widget="number",
            rule=rules.count,
            views=EDITED,
        ),
        own(
            "jobs_maintained",
            "Emplois maintenus",
            C,
            *("emplois consolides", "nb emplois maintenus"),
            widget="number",
            rule=rules.count,
            views=EDITED,
        ),
        own(
            "beneficiaries",
            "Bénéficiaires",
            C,
            *("nombre de beneficiaires", "nb beneficiaires", "personnes accompagnees"),
            widget="number",
            rule=rules.count,
            views=(*SHOWN, "edit"),
        ),
        own(
            "priority_district",
            "Quartier prioritaire",
            B,
            *("qpv", "politique de la ville", "quartier politique de la ville"),
            widget="checkbox",
            views=EDITED,
        ),
        own(
            "proposed_on",
            "Proposé le",
            D,
            *("date de proposition", "date de depot", "depose le", "date"),
            widget="date",
            views=_PROPOSED,
        ),
        own("start_date", "Début", D, "date de debut", "demarrage", widget="date", rule=rules.optional_day, views=_ON),
        own("end_date", "Fin", D, "date de fin", widget="date", rule=rules.optional_day, views=_ON),
        own("lat", "Latitude", N, "lat", rule=rules.latitude),
        own("lon", "Longitude", N, "lon", "lng", "long", rule=rules.longitude),
        own(
            "description",
            "Description",
            T,
            *("objet", "resume", "description du projet"),
            widget="long_text",
            views=("record", "proposal", "edit"),
        ),
    ),
)

FUNDINGS = FieldSet(
    "fundings",
    m.Funding,
    (
        Field(
            "project_id",
            "N° projet",
            FieldType.IDENTIFIER,
            ("no projet", "numero de projet", "id projet", "identifiant du projet"),
            column="project_id",
        ),
        Field("project", "Projet", T, ("titre", "titre du projet", "intitule du projet", "nom du projet")),
        Field("carrier", "Porteur", T, ("structure", "structure porteuse", "porteur de projet")),
        Field("commune", "Commune", T, ("ville", "commune principale")),
        Field("insee_code", "Code INSEE", T, INSEE),
        Field("funder", "Financeur", T, ("organisme financeur", "bailleur", "financeurs")),
        Field("funder_kind", "Nature du financeur", T, ("type de financeur", "categorie de financeur")),
        own("type", "Type de financement", CODE, "type", "type d aide", "nature de l aide", "forme de l aide"),
        own("amount", "Montant (€)", MONEY, "montant accorde", "montant engage", "somme"),
        own("year", "Année", INT, "exercice", "annee d engagement", "millesime"),
        # The SCDL « Subventions » facts (open data), all optional; the funder's SIRET is the funder's.
        Field(
            "funder_siret",
            "SIRET du financeur",
            T,
            ("idattribuant", "siret financeur", "siret de l attribuant"),
            rule=subsidies.siret,
            open_data=True,
        ),
        own(
            "convention_date",
            "Date de la convention",
            D,
            *("dateconvention", "date convention", "convention du"),
            rule=subsidies.convention_date,
            open_data=True,
        ),
        own(
            "decision_reference",
            "Référence de la décision",
            T,
            *("referencedecision", "deliberation", "n de deliberation"),
            rule=subsidies.reference,
            open_data=True,
        ),
        own(
            "nature",
            "Nature de la subvention",
            T,
            *("nature", "numeraire ou nature"),
            rule=subsidies.nature,
            open_data=True,
        ),
        own(
            "payment_conditions",
            "Conditions de versement",
            T,
            *("conditionsversement", "modalites de versement"),
            rule=subsidies.conditions,
            open_data=True,
        ),
        own(
            "payment_dates",
            "Dates de versement",
            T,
            *("datesperiodeversement", "date de versement", "periode de versement"),
            rule=subsidies.payment_dates,
            open_data=True,
        ),
        own(
            "eu_notification",
            "Notification UE",
            B,
            *("notificationue", "aide notifiee", "notification a la commission"),
            open_data=True,
        ),
        own(
            "beneficiary_share",
            "Part du bénéficiaire",
            N,
            *("pourcentagesubvention", "pourcentage de la subvention"),
            rule=subsidies.share,
            open_data=True,
        ),
        own(
            "aid_scheme",
            "Dispositif d'aide",
            T,
            *("dispositifaide", "dispositif", "appel a projets"),
            rule=subsidies.scheme,
            open_data=True,
        ),
    ),
)

MEASUREMENTS = FieldSet(
    "measurements",
    m.Measurement,
    (
        Field("indicator", "Code indicateur", T, ("code de l indicateur", "code"), column="indicator_code"),
        Field("indicator_label", "Indicateur", T, ("libelle", "libelle de l indicateur", "nom de l indicateur")),
        Field("unit", "Unité", T, computed=True),
        own("period", "Semestre", T, "periode"),
        Field("territory", "Territoire", T, ("code territoire",), column="territory_code"),
        Field("commune", "Commune", T),
        Field("insee_code", "Code INSEE", T, INSEE, column="commune_code"),
        own("value", "Valeur", N, "resultat", "val"),
        own("provenance", "Provenance", CODE, "origine"),
        own("source", "Source", T),
        own("recorded_at", "Saisie le", D, "date de saisie", computed=True),
        own("recorded_by", "Saisie par", T, "auteur", computed=True),
    ),
)

FIELD_SETS = {s.code: s for s in (PROJECTS, ORGANISATIONS, FUNDINGS, MEASUREMENTS)}

# The open-data facts of a funding (columns of ``funding``), in the order the import and export write them.
FUNDING_FACTS = tuple(f.key for f in FUNDINGS.fields if f.open_data and f.column is not None)
