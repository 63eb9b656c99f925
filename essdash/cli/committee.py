"""The committee's commands: its action plans (``plan import | list | reprise``), the meeting pack of a
semester (``report``) and the convocation sent to a body's members (``envoyer``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from essdash.cli.registry import Group, command
from essdash.cli.shared import place_options, read, write
from essdash.cli.signing import actor
from essdash.domain import fmt
from essdash.domain.errors import EssdashError
from essdash.read import plans as read_plans
from essdash.store import db
from essdash.write import plans
from essdash.write.plans import carry_over as plan_carry_over
from essdash.write.plans import file as plan_file

# the facts of a plan given beside an XLSX file: option, attribute of PlanFacts, help
PLAN_FACTS = (
    ("--code", "code", "code du plan (XLSX)"),
    ("--titre", "title", "titre du plan (XLSX)"),
    ("--debut", "start", "début du plan, jj/mm/aaaa (XLSX)"),
    ("--fin", "end", "fin du plan, jj/mm/aaaa (XLSX)"),
    ("--source", "source", "texte dont le plan est tiré (XLSX)"),
    ("--devise", "motto", "devise du plan (XLSX, facultatif)"),
    ("--adopte", "adopted_on", "date d'adoption (XLSX, défaut : le début)"),
)


def plan_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="fichier .yaml ou .xlsx (une ligne par fiche ou par action)")
    for option, dest, text in PLAN_FACTS:
        parser.add_argument(option, dest=dest, help=text)
    parser.add_argument("--fictif", dest="fictional", action="store_true", help="plan fictif (XLSX)")


@command("import", "importe un plan (YAML comme data/plan.yaml, ou XLSX)", plan_import_arguments, signed=True)
def plan_import(args: argparse.Namespace) -> None:
    engine = db.open_database()
    given = (args.code, args.title, args.start, args.end, args.source, args.motto, args.adopted_on, args.fictional)
    facts = None
    if any(given):
        facts = plan_file.PlanFacts(
            code=args.code or "",
            title=args.title or "",
            start=args.start or "",
            end=args.end or "",
            source=args.source or "",
            motto=args.motto or "",
            adopted_on=args.adopted_on or "",
            fictional=args.fictional,
        )
    done = plans.import_plan(engine, actor(args), read(args.file), Path(args.file).name, facts)
    print(f"Plan « {done.code} » importé : {done.axes} axes, {done.sheets} fiches, {done.actions} actions.")


@command("list", "liste les plans de la base")
def plan_list(_args: argparse.Namespace) -> None:
    for plan in read_plans.plans(db.open_database()):
        print(f"{plan.label}\t{plan.sheets} fiches\t{plan.title}\tsource : {plan.source or 'non renseignée'}")


def carry_over_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="fichier CSV ou XLSX à deux colonnes : ancienne fiche, nouvelle fiche")
    parser.add_argument("--de", dest="old_plan", required=True, help="code du plan d'origine")
    parser.add_argument("--vers", dest="new_plan", required=True, help="code du plan suivant")


@command(
    "reprise",
    "rattache les projets en cours aux fiches du plan suivant (ancienne fiche → nouvelle fiche)",
    carry_over_arguments,
    signed=True,
)
def carry_over(args: argparse.Namespace) -> None:
    engine = db.open_database()
    pairs = plan_carry_over.read_correspondence(read(args.file), Path(args.file).name)
    carried = plan_carry_over.carry_over(engine, actor(args), args.old_plan, args.new_plan, pairs)
    print(
        f"Reprise {args.old_plan} → {args.new_plan} : {carried.correspondences} correspondance(s) ajoutée(s), "
        f"{carried.links} projet(s) rattaché(s) aux nouvelles fiches (historique conservé)."
    )


PLAN = Group(
    "plan",
    "plans d'actions : import (YAML ou XLSX, tout ou rien), list, reprise (correspondance de fiches)",
    (plan_import, plan_list, carry_over),
)


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", required=True, help="semestre, ex. 2013-S2")
    parser.add_argument("--format", choices=("pdf", "pptx", "json"), required=True)
    parser.add_argument("--out", help="fichier à écrire (défaut : pack-comite-SEMESTRE[-TERRITOIRE].FORMAT)")
    place_options(parser, territory_help="code du territoire comparé à la métropole (ex. roubaisien)")
    parser.add_argument("--plan", help="code du plan dont le pack suit les fiches (défaut : le plan en vigueur)")


@command("report", "écrit le pack de séance d'un semestre en PDF, PowerPoint ou JSON (données)", report_arguments)
def report(args: argparse.Namespace) -> None:
    from essdash.read import pack
    from essdash.render import report as rendering

    engine = db.open_database()
    try:
        built = pack.build(engine, args.period.strip(), territory=args.territory, plan_code=args.plan)
    except ValueError as exc:
        raise EssdashError(str(exc)) from exc
    data = rendering.render(built, args.format)
    out = args.out or rendering.filename(built, args.format)
    write(out, data)
    print(
        f"Pack du comité ({fmt.period_label(built.period)}, {built.place}) écrit dans « {out} » "
        f"({fmt.number(len(data))} octets)."
    )


def send_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seance", dest="meeting", type=int, required=True, metavar="ID", help="numéro de la séance")
    parser.add_argument("--lieu", dest="place", help="lieu et heure (défaut : ceux de la convocation précédente)")
    parser.add_argument(
        "--renvoyer", dest="again", action="store_true", help="envoie aussi aux adresses déjà servies pour cette séance"
    )


@command(
    "envoyer",
    "envoie la convocation et le dossier de séance (PDF) aux membres de l'instance, par SMTP",
    send_arguments,
    signed=True,
)
def send(args: argparse.Namespace) -> int:
    from essdash.render import convocation
    from essdash.write import mail

    engine = db.open_database()
    sent = mail.send_convocation(
        engine,
        actor(args),
        args.meeting,
        lambda called, place, url: convocation.compose(engine, called, place, url),
        place=args.place or "",
        again=args.again,
    )
    assert isinstance(sent, mail.SendReport)  # a replayed send comes only with a form's token, never here
    print(sent.summary())
    for line in sent.lines():
        print(f"  {line}")
    return 1 if sent.failed else 0
