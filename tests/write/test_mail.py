"""Sending the convocation and the meeting pack, against a real SMTP server started by the tests
(aiosmtpd on the loopback): the messages received are read back, subject, French text and PDF
attachment; a refused address is tried three times and reported; a second send sends nothing and
writes nothing; « renvoyer » sends again; a refusal leaves the base byte-identical."""

from __future__ import annotations

import ssl
from datetime import date

import pytest
from sqlalchemy import text

from essdash.__main__ import main
from essdash.domain.errors import AccessError, ConfigurationError, ValidationError
from essdash.domain.mailing import next_send
from essdash.domain.vocabulary import MeetingBody, ProjectStatus
from essdash.read import convocation as read_convocation
from essdash.read.convocation import Letter
from essdash.render import convocation as render_convocation
from essdash.store import backup
from essdash.write import admin, committee, mail, members, projects
from essdash.write.actor import Actor
from essdash.write.once import Replayed
from tests.fixtures import mail as fake
from tests.fixtures.mail import smtp  # noqa: F401  (a fixture)
from tests.fixtures.samples import dump

LOCAL = Actor("Claire Martin", "mission ESS")
CONVENED = {"presidente@mel.fr", "membre@mel.fr", "mission@mel.fr"}  # présidence, membre, mission ESS
NOT_CONVENED = {"admin@mel.fr", "tech.roubaix@mel.fr"}
PLACE = "Hôtel de la Métropole, salle du conseil, 14 h 30"
# 18/06/2013 is a Tuesday; the meeting falls in the first semester of 2013.
SUBJECT = "Convocation — Comité métropolitain de l'ESS — mardi 18/06/2013"
PACK = "pack-comite-2013-S1.pdf"


@pytest.fixture
def convened(empty_engine):
    """A committee meeting on 18/06/2013, one proposal validated before it, and one member per role."""
    engine = empty_engine
    pid = projects.create_project(
        engine,
        LOCAL,
        {
            "title": "Recyclerie du Pile",
            "commune_code": "59512",
            "intervention_mode": "a_qualifier",
            "sector": "a_qualifier",
        },
        carrier_name="Association Le Pile",
        legal_form="association",
        sheets=["III.4"],
        proposed_on=date(2013, 5, 2),
    )
    loaded = {"id": pid, "version": 1, "status": ProjectStatus.PROPOSED.value}
    projects.advance_project(
        engine, LOCAL, pid, loaded, ProjectStatus.VALIDATED.value, day=date(2013, 5, 20), meeting_unrecorded=True
    )
    meeting = committee.create_meeting(
        engine, LOCAL, body=MeetingBody.COMMITTEE.value, day=date(2013, 6, 18), title="Comité de juin 2013"
    )
    for email, role in (
        ("admin@mel.fr", "administrateur"),
        ("mission@mel.fr", "mission"),
        ("presidente@mel.fr", "presidence"),
        ("membre@mel.fr", "membre"),
        ("tech.roubaix@mel.fr", "technicien"),
    ):
        members.save_member(engine, LOCAL, email, role, territory="roubaisien" if role == "technicien" else None)
    return engine, meeting


_PDF: dict[str, bytes] = {}  # the pack of a semester, rendered once: the slow part of a send


def _send(engine, meeting, actor=LOCAL, *, real=False, **options):
    """A send; ``real``: the letter composed by the real pipeline, else the real subject and text with
    the pack rendered once per semester for the whole module (the slow part of a send)."""

    def compose(called, where, url):
        if real or called.period not in _PDF:
            letter = render_convocation.compose(engine, called, where, url)
            _PDF[called.period] = letter.attachment
            return letter
        link = render_convocation.presentation_link(url)
        return Letter(
            render_convocation.subject(called),
            render_convocation.text(called, where, link, PACK, demo=False),
            PACK,
            _PDF[called.period],
            link,
        )

    options.setdefault("place", PLACE)
    return mail.send_convocation(engine, actor, meeting, compose, **options)


def _rows(engine):
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text("SELECT address, send_no, status, tries FROM mailsend ORDER BY address, send_no")
            ).all()
        ]


def test_the_convocation_and_the_pack_reach_the_members_of_the_body(convened, smtp):  # noqa: F811
    engine, meeting = convened
    report = _send(engine, meeting, real=True)
    assert {o.address for o in report.sent} == CONVENED and not report.failed
    assert {m["To"].addresses[0].addr_spec for m in smtp.messages} == CONVENED
    assert not any(smtp.to(address) for address in NOT_CONVENED)
    message = smtp.to("presidente@mel.fr")[0]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Mission ESS <mission-ess@lillemetropole.fr>"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Bonjour Presidente,")
    assert f"le mardi 18/06/2013, {PLACE}." in body
    assert "Avis sur les propositions validées par les techniciens : 1 proposition." in body
    assert "Recyclerie du Pile (Association Le Pile, Roubaix)" in body
    assert "La présentation se suit en ligne : https://ess.lillemetropole.fr/presentation" in body
    assert f"PDF : {PACK}" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == PACK and attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert _rows(engine) == [(address, 1, "envoye", 1) for address in sorted(CONVENED)]
    with engine.connect() as conn:
        journal = conn.execute(text("SELECT deed, summary FROM journal WHERE deed = 'envoi' ORDER BY id")).all()
    assert [summary for _, summary in journal] == [
        f"Convocation de la séance n° {meeting} : envoi à 3 adresses",
        f"Convocation de la séance n° {meeting} envoyée à 3 destinataires.",
    ]


def test_a_refused_address_is_tried_three_times_reported_then_sent_by_the_next_send(convened, smtp):  # noqa: F811
    engine, meeting = convened
    smtp.refused.add("membre@mel.fr")
    report = _send(engine, meeting)
    (failed,) = report.failed
    assert (failed.address, failed.tries) == ("membre@mel.fr", 3)
    assert "adresse refusée par le serveur (550 5.1.1 Boite inconnue)" in failed.error
    assert smtp.rcpt["membre@mel.fr"] == 3 and smtp.rcpt["presidente@mel.fr"] == 1
    assert "1 adresse en échec" in report.summary()
    assert report.lines() == [f"Membre <membre@mel.fr> : échec après 3 essais — {failed.error}"]
    assert ("membre@mel.fr", 1, "echec", 3) in _rows(engine)
    smtp.refused.clear()
    again = _send(engine, meeting)  # a plain send: the failed address only (it never received anything)
    assert [o.address for o in again.sent] == ["membre@mel.fr"]
    assert len(smtp.messages) == 3 and len(smtp.to("membre@mel.fr")) == 1
    assert ("membre@mel.fr", 2, "envoye", 1) in _rows(engine)


def test_a_temporary_refusal_is_sent_at_a_later_try(convened, smtp):  # noqa: F811
    engine, meeting = convened
    smtp.refuse_first["mission@mel.fr"] = 2
    report = _send(engine, meeting)
    assert not report.failed and len(smtp.to("mission@mel.fr")) == 1
    assert ("mission@mel.fr", 1, "envoye", 3) in _rows(engine)


def test_a_second_send_does_nothing_and_renvoyer_sends_again(convened, smtp):  # noqa: F811
    engine, meeting = convened
    _send(engine, meeting)
    before = dump(engine)
    second = _send(engine, meeting)
    assert not second.sent and {o.address for o in second.left_out} == CONVENED
    assert all("déjà envoyée" in o.error for o in second.left_out)
    assert len(smtp.messages) == 3 and dump(engine) == before  # nothing sent, nothing written
    third = _send(engine, meeting, again=True)
    assert {o.address for o in third.sent} == CONVENED and len(smtp.messages) == 6
    assert [row[:3] for row in _rows(engine) if row[0] == "membre@mel.fr"] == [
        ("membre@mel.fr", 1, "envoye"),
        ("membre@mel.fr", 2, "envoye"),
    ]


def test_a_form_submitted_twice_sends_once(convened, smtp):  # noqa: F811
    engine, meeting = convened
    first = _send(engine, meeting, again=True, once="jeton-envoi")
    second = _send(engine, meeting, again=True, once="jeton-envoi")
    assert len(first.sent) == 3 and isinstance(second, Replayed) and "déjà fait" in second.notice
    assert len(smtp.messages) == 3


def test_an_address_being_sent_to_is_not_claimed_twice(convened, smtp):  # noqa: F811
    """A row « en cours » (another send at work, or one that died) keeps a plain send away from it."""
    engine, meeting = convened
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mailsend (meeting_id, kind, address, name, send_no, status, tries, error, subject, "
                "place, attachment, started_at, author) VALUES (:m, 'convocation', 'membre@mel.fr', 'Membre', 1, "
                "'en_cours', 0, '', 'Convocation', 'Lille', '', '2013-06-01 10:00:00', 'Claire Martin')"
            ),
            {"m": meeting},
        )
    report = _send(engine, meeting)
    assert {o.address for o in report.sent} == CONVENED - {"membre@mel.fr"} and not smtp.to("membre@mel.fr")
    assert "sans résultat connu" in report.left_out[0].error


@pytest.mark.parametrize("role", ["technicien", "presidence", "membre"])
def test_whom_the_gate_refuses_sends_nothing_and_writes_nothing(convened, smtp, monkeypatch, role):  # noqa: F811
    engine, meeting = convened
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    email = {"technicien": "tech.roubaix@mel.fr", "presidence": "presidente@mel.fr", "membre": "membre@mel.fr"}[role]
    before = dump(engine)
    with pytest.raises(AccessError, match="envoyer la convocation"):
        _send(engine, meeting, actor=Actor("?", "?", email))
    assert dump(engine) == before and not smtp.messages and not smtp.rcpt


def test_the_mission_member_may_send(convened, smtp, monkeypatch):  # noqa: F811
    engine, meeting = convened
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    report = _send(engine, meeting, actor=Actor("?", "?", "mission@mel.fr"))
    assert len(report.sent) == 3
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT author FROM mailsend")).scalars()) == {"Mission (mission ESS)"}


def test_no_place_no_settings_or_no_recipient_is_refused_before_anything(convened, smtp, monkeypatch, empty_engine):  # noqa: F811
    engine, meeting = convened
    before = dump(engine)
    with pytest.raises(ValidationError, match="indiquez le lieu"):
        _send(engine, meeting, place="   ")
    with pytest.raises(ValidationError, match="balises HTML"):
        _send(engine, meeting, place="<b>Lille</b>")
    with pytest.raises(ValidationError, match="aucune séance n° 999"):
        _send(engine, 999)
    council = committee.create_meeting(
        engine, LOCAL, body=MeetingBody.SCIENTIFIC_COUNCIL.value, day=date(2013, 11, 5), title="Conseil"
    )
    members.remove_member(engine, LOCAL, "presidente@mel.fr")
    members.remove_member(engine, LOCAL, "mission@mel.fr")
    before = dump(engine)
    with pytest.raises(ValidationError, match="aucun membre de l'instance « Conseil scientifique »"):
        _send(engine, council)
    monkeypatch.delenv("ESSDASH_SMTP_HOST")
    with pytest.raises(ConfigurationError, match=r"réglage \[smtp\] manquant \(host\)"):
        _send(engine, meeting)
    assert dump(engine) == before and not smtp.rcpt


def test_the_place_of_the_previous_convocation_is_kept(convened, smtp):  # noqa: F811
    engine, meeting = convened
    _send(engine, meeting)
    _send(engine, meeting, place="", again=True)
    assert all(PLACE in m.get_body(("plain",)).get_content() for m in smtp.messages[3:])


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """An SMTP server requiring STARTTLS (self-signed certificate) and a login after it: (mailbox, certificate)."""
    cert, key = fake.self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = fake.Mailbox()
    server = fake.start(box, tls_context=context)
    fake.settings_env(
        monkeypatch,
        server.port,
        ESSDASH_SMTP_STARTTLS="true",
        ESSDASH_SMTP_USER=fake.USER,
        ESSDASH_SMTP_PASSWORD=fake.PASSWORD,
        ESSDASH_SMTP_CAFILE=str(cert),
    )
    yield box, cert
    server.stop()


def test_starttls_then_login_with_the_password_from_the_environment(convened, tls_server):
    engine, meeting = convened
    box, _ = tls_server
    report = _send(engine, meeting)
    assert len(report.sent) == 3 and len(box.messages) == 3
    assert box.logins == [(fake.USER, True)]  # one connection, logged in over TLS


def test_an_untrusted_certificate_or_a_wrong_password_fails_and_sends_nothing(convened, tls_server, monkeypatch):
    engine, meeting = convened
    box, cert = tls_server
    monkeypatch.delenv("ESSDASH_SMTP_CAFILE")  # the self-signed certificate is not trusted then
    report = _send(engine, meeting)
    assert len(report.failed) == 3 and not box.messages and not box.logins
    assert all("échec de la connexion chiffrée" in o.error and o.tries == 3 for o in report.failed)
    monkeypatch.setenv("ESSDASH_SMTP_CAFILE", str(cert))
    monkeypatch.setenv("ESSDASH_SMTP_PASSWORD", "pas-le-bon")
    report = _send(engine, meeting)
    assert all("mot de passe refusé" in o.error for o in report.failed) and not box.messages
    assert ("membre@mel.fr", 2, "echec", 3) in _rows(engine)


def test_starttls_asked_of_a_server_without_it_sends_nothing_in_clear(convened, smtp, monkeypatch):  # noqa: F811
    engine, meeting = convened
    monkeypatch.setenv("ESSDASH_SMTP_STARTTLS", "true")
    report = _send(engine, meeting)
    assert all("ne propose pas STARTTLS" in o.error for o in report.failed) and len(report.failed) == 3
    assert not smtp.messages and not smtp.rcpt


def test_the_command_line_sends_once_then_again_when_asked(convened, smtp, monkeypatch, capsys):  # noqa: F811
    engine, meeting = convened
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["envoyer", "--seance", str(meeting), "--lieu", PLACE]) == 0
    assert capsys.readouterr().out.startswith(f"Convocation de la séance n° {meeting} envoyée à 3 destinataires.")
    assert main(["envoyer", "--seance", str(meeting)]) == 0
    out = capsys.readouterr().out
    assert "envoyée à 0 destinataire ; 3 adresses laissée(s) de côté." in out and "déjà envoyée" in out
    assert len(smtp.messages) == 3
    smtp.refused.add("membre@mel.fr")
    assert main(["envoyer", "--seance", str(meeting), "--renvoyer"]) == 1  # one address failed
    out = capsys.readouterr().out
    assert "envoyée à 2 destinataires ; 1 adresse en échec." in out and "Membre <membre@mel.fr> : échec après 3" in out
    assert len(smtp.messages) == 5
    assert all(PLACE in m.get_body(("plain",)).get_content() for m in smtp.messages)  # the place is kept
    monkeypatch.setenv("ESSDASH_MODE", "partage")
    assert main(["envoyer", "--seance", str(meeting), "--as", "tech.roubaix@mel.fr"]) == 2
    assert "ne permet pas d'envoyer la convocation" in capsys.readouterr().err


def test_a_base_with_sends_is_restored_through_the_rule_book(convened, smtp):  # noqa: F811
    engine, meeting = convened
    smtp.refused.add("membre@mel.fr")
    _send(engine, meeting)
    saved = backup.snapshot_of(engine)
    before = _rows(engine)
    _send(engine, meeting, again=True)
    admin.restore(engine, LOCAL, saved, "copie.db")
    assert _rows(engine) == before


@pytest.mark.parametrize(
    "last, status, again, expected",
    [
        (None, None, False, 1),
        (None, None, True, 1),
        (1, "envoye", False, None),
        (1, "en_cours", False, None),
        (2, "echec", False, 3),
        (1, "envoye", True, 2),
        (1, "en_cours", True, 2),
    ],
)
def test_which_number_an_address_gets(last, status, again, expected):
    assert next_send(last, status, again=again) == expected


def test_the_technicians_group_is_convened_to_validate_what_was_proposed_by_then(convened):
    engine, _ = convened
    group = committee.create_meeting(
        engine, LOCAL, body=MeetingBody.TECHNICIANS.value, day=date(2013, 5, 10), title="Groupe de mai"
    )
    called = read_convocation.convocation(engine, group)  # on 10/05 the proposal was not yet validated
    assert called.waiting["title"].tolist() == ["Recyclerie du Pile"]
    assert {person.address for person in called.recipients} == {"tech.roubaix@mel.fr", "mission@mel.fr"}
    lines = render_convocation.agenda_lines(called)
    assert lines[0] == "1. Validation technique des propositions reçues : 1 proposition."
    assert lines[-1].endswith("Questions diverses.")
