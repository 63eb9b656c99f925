"""The invented vocabulary of the demonstration dataset: funders, legal-form weights, name parts,
project titles by filière, people, and how projects spread over territories. All fictional except the
INSEE codes of real communes."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date
from itertools import accumulate
from typing import NamedTuple

from essdash.domain.vocabulary import (
    FundingType,
    LegalForm,
    Sector,
)

AS_OF = date(2014, 12, 15)  # the eve of the committee of 16 December 2014
PLAN_START = date(2011, 1, 28)
PROJECTS_PER_SCALE = 180
FIRST_PERIOD, LAST_PERIOD = "2011-S1", "2014-S2"

TERRITORY_WEIGHT = {
    "lillois": 1.3,
    "roubaisien": 1.6,
    "tourquennois": 1.1,
    "est": 1.0,
    "couronne-nord": 0.7,
    "couronne-sud": 0.6,
    "lys": 0.8,
    "weppes": 0.45,
}
PRIORITY_COMMUNES = {"59350", "59512", "59599", "59650", "59410", "59009", "59279", "59017", "59360", "59163", "59299"}

FUNDERS = [
    ("Lille Métropole", "EPCI", 10),
    ("Région Nord-Pas de Calais", "Région", 6),
    ("Département du Nord", "Département", 4),
    ("État (DIRECCTE)", "État", 3),
    ("Fonds social européen", "Europe", 3),
    ("Caisse des Dépôts", "Établissement public", 3),
    ("Nord Actif", "Finance solidaire", 4),
    ("Crédit Coopératif", "Banque coopérative", 2),
    ("Fondation de France", "Fondation", 1),
]
# Citizen savings (« Épargne citoyenne », issue 17): a CIGALES club and a solidarity savings fund, both invented.
# Their fundings are drawn apart from the others (:func:`essdash.store.demo.fundings.citizen_fundings`).
CITIZEN_FUNDERS = [
    ("Club CIGALES « Les Semeurs du Ferrain »", "Épargne citoyenne", FundingType.EQUITY_STAKE, 1_000, 12_000),
    ("Fonds d'épargne solidaire des habitants", "Épargne citoyenne", FundingType.LOAN, 5_000, 40_000),
]
CITIZEN_SHARE = 0.25  # of the funded projects
FUNDER_TYPES = {
    "Nord Actif": (FundingType.GUARANTEE, FundingType.EQUITY_STAKE, FundingType.LOAN),
    "Crédit Coopératif": (FundingType.LOAN,),
    "Caisse des Dépôts": (FundingType.GRANT, FundingType.EQUITY_STAKE),
}

FORM_WEIGHTS = [
    (LegalForm.ASSOCIATION, 40),
    (LegalForm.SCOP, 12),
    (LegalForm.SCIC, 9),
    (LegalForm.CAE, 4),
    (LegalForm.SIAE, 14),
    (LegalForm.ESUS, 8),
    (LegalForm.MUTUAL, 3),
    (LegalForm.FOUNDATION, 3),
    (LegalForm.PUBLIC_BODY, 7),
]
FORM_PREFIX = {
    LegalForm.ASSOCIATION: "Association",
    LegalForm.SCOP: "SCOP",
    LegalForm.SCIC: "SCIC",
    LegalForm.CAE: "CAE",
    LegalForm.SIAE: "Chantier d'insertion",
    LegalForm.ESUS: "Société",
    LegalForm.MUTUAL: "Mutuelle",
    LegalForm.FOUNDATION: "Fondation",
    LegalForm.PUBLIC_BODY: "Centre communal",
}
NAME_WORDS = [
    "Les Jardins",
    "L'Atelier",
    "La Ressourcerie",
    "Le Relais",
    "Les Compagnons",
    "La Fabrique",
    "L'Épicerie",
    "Le Chantier",
    "La Table",
    "Les Ateliers",
    "La Maison",
    "Le Collectif",
    "La Coopérative",
    "L'Envol",
    "Le Panier",
    "La Recyclerie",
]
NAME_THEMES = [
    "solidaire",
    "du partage",
    "de la Lys",
    "des Weppes",
    "du Pévèle",
    "partagé",
    "citoyen",
    "d'avenir",
    "des quartiers",
    "de la Deûle",
    "vert",
    "du lien",
]

SECTOR_TITLES = {
    Sector.PERSONAL_SERVICES: [
        "Service de portage de repas",
        "Garde d'enfants à horaires atypiques",
        "Aide à domicile mutualisée",
    ],
    Sector.FOOD: ["Épicerie solidaire", "Légumerie d'insertion", "Plateforme de circuits courts"],
    Sector.ENVIRONMENT: ["Ressourcerie", "Atelier de réparation de vélos", "Collecte de textiles"],
    Sector.BUILDING_HOUSING: [
        "Auto-réhabilitation accompagnée",
        "Éco-rénovation d'insertion",
        "Habitat groupé intergénérationnel",
    ],
    Sector.CULTURE_SPORT: ["Tiers-lieu culturel", "Club sportif employeur", "Festival des solidarités"],
    Sector.SOLIDARITY_FINANCE: [
        "Club d'investisseurs solidaires",
        "Microcrédit accompagné",
        "Monnaie complémentaire locale",
    ],
    Sector.MOBILITY: ["Garage solidaire", "Auto-école sociale", "Plateforme de mobilité"],
    Sector.DIGITAL: ["Espace public numérique", "Reconditionnement informatique", "Fablab de quartier"],
    Sector.FAIR_TRADE: ["Boutique de commerce équitable", "Groupement d'achat", "Marché solidaire"],
    Sector.WORK_INTEGRATION: ["Couveuse d'activités", "Entreprise de formation-reconversion", "Agent d'amorçage"],
}
PEOPLE = [
    "Claire Martin (mission ESS)",
    "Karim Benali (groupe des techniciens)",
    "Sophie Lefebvre (groupe des techniciens)",
    "Jean Dupont (comité métropolitain)",
]


class Weights(NamedTuple):
    """Items and their cumulative weights, summed once for many draws."""

    items: tuple
    cumulated: list
    total: float


def cumulative(pairs) -> Weights:
    """The :class:`Weights` of (item, weight) pairs."""
    items, weights = zip(*pairs)
    cumulated = list(accumulate(weights))
    return Weights(items, cumulated, cumulated[-1] + 0.0)


def weighted(rng: random.Random, pairs):
    """One item drawn from (item, weight) pairs or their :class:`Weights`: the draw of
    ``rng.choices(items, weights, k=1)[0]`` (one ``random()`` against the cumulated weights)."""
    table = pairs if isinstance(pairs, Weights) else cumulative(pairs)
    return table.items[bisect(table.cumulated, rng.random() * table.total, 0, len(table.items) - 1)]
