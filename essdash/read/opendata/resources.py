"""The tables of the open data package (:mod:`essdash.read.opendata.package`): each resource's name,
title, fields (name, Table Schema type, required), primary key and foreign keys, and its Table Schema.

The field names are French, as the published files are; nothing personal is among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

S, N, INT, B, D = "string", "number", "integer", "boolean", "date"


@dataclass(frozen=True)
class Resource:
    """One table of the package: its name, title, fields (name, type, required), key and the query."""

    name: str
    title: str
    fields: tuple[tuple[str, str, bool], ...]
    key: tuple[str, ...]
    foreign: tuple[tuple[str, str, str], ...] = ()  # (field, resource, field)


def _resources() -> tuple[Resource, ...]:
    return (
        Resource(
            "territoires", "Territoires", (("code", S, True), ("nom", S, True), ("population", INT, True)), ("code",)
        ),
        Resource(
            "communes",
            "Communes",
            (
                ("code_insee", S, True),
                ("nom", S, True),
                ("territoire", S, True),
                ("population", INT, True),
                ("membre_depuis", INT, True),
                ("latitude", N, True),
                ("longitude", N, True),
            ),
            ("code_insee",),
            (("territoire", "territoires", "code"),),
        ),
        Resource(
            "porteurs",
            "Porteurs de projets (structures)",
            (
                ("id", INT, True),
                ("nom", S, True),
                ("forme_juridique", S, True),
                ("commune", S, False),
                ("annee_creation", INT, False),
                ("siret", S, False),
                ("rna", S, False),
            ),
            ("id",),
        ),
        Resource(
            "projets",
            "Projets",
            (
                ("id", INT, True),
                ("titre", S, True),
                ("porteur", INT, True),
                ("commune", S, True),
                ("mode_intervention", S, True),
                ("filiere", S, True),
                ("etape", S, True),
                ("propose_le", D, True),
                ("debut", D, False),
                ("fin", D, False),
                ("emplois_crees", INT, True),
                ("emplois_maintenus", INT, True),
                ("beneficiaires", INT, True),
                ("quartier_prioritaire", B, True),
                ("latitude", N, False),
                ("longitude", N, False),
                ("autres_communes", S, False),  # INSEE codes separated by « ; »
                ("fiches", S, False),  # ids of the « fiches » resource separated by « ; »
            ),
            ("id",),
            (("porteur", "porteurs", "id"), ("commune", "communes", "code_insee")),
        ),
        Resource(
            "financements",
            "Financements",
            (
                ("id", INT, True),
                ("projet", INT, True),
                ("financeur", S, True),
                ("nature_financeur", S, True),
                ("siret_financeur", S, False),
                ("type", S, True),
                ("montant", N, True),
                ("annee", INT, True),
                ("date_convention", D, False),
                ("reference_decision", S, False),
                ("nature_aide", S, False),
                ("conditions_versement", S, False),
                ("dates_versement", S, False),
                ("notification_ue", B, False),
                ("part_beneficiaire", N, False),
                ("dispositif_aide", S, False),
            ),
            ("id",),
            (("projet", "projets", "id"),),
        ),
        Resource(
            "fiches",
            "Fiches du plan d'actions",
            (
                ("id", INT, True),
                ("plan", S, True),
                ("axe", S, True),
                ("code", S, True),
                ("titre", S, True),
                ("statut", S, True),
                ("avancement", INT, True),
                ("debut_prevu", D, True),
                ("fin_prevue", D, True),
            ),
            ("id",),
        ),
        Resource(
            "historique_fiches",
            "Historique des fiches (statut, avancement)",
            (
                ("id", INT, True),
                ("fiche", INT, True),
                ("date", D, True),
                ("champ", S, True),
                ("ancienne_valeur", S, False),
                ("nouvelle_valeur", S, False),
            ),
            ("id",),
            (("fiche", "fiches", "id"),),
        ),
        Resource(
            "valeurs_indicateurs",
            "Valeurs d'indicateurs (en vigueur), avec leur provenance",
            (
                ("indicateur", S, True),
                ("libelle", S, True),
                ("unite", S, True),
                ("semestre", S, True),
                ("territoire", S, False),
                ("commune", S, False),
                ("valeur", N, True),
                ("provenance", S, True),
                ("source", S, True),
                ("saisie_le", D, True),
            ),
            (),
        ),
        Resource(
            "equite",
            "Constats d'équité territoriale par semestre (projets proposés depuis 2011)",
            (
                ("semestre", S, True),
                ("constat", S, True),
                ("libelle", S, True),
                ("valeur", S, False),
                ("phrase", S, True),
            ),
            ("semestre", "constat"),
        ),
    )


RESOURCES = _resources()


def table_schema(resource: Resource) -> dict[str, Any]:
    fields = []
    for name, kind, required in resource.fields:
        field: dict[str, Any] = {"name": name, "type": kind}
        if kind == D:
            field["format"] = "%Y-%m-%d"
        if required:
            field["constraints"] = {"required": True}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if resource.key:
        schema["primaryKey"] = list(resource.key)
    if resource.foreign:
        schema["foreignKeys"] = [
            {"fields": field, "reference": {"resource": target, "fields": target_field}}
            for field, target, target_field in resource.foreign
        ]
    return schema
