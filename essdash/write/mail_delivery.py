"""Delivering messages by SMTP (Python's ``smtplib`` and ``email.message``): one message per address,
STARTTLS when configured (never a silent fall back to plain text), the account's login when one is
set, and each failed address tried again, up to :data:`essdash.domain.mailing.MAX_TRIES` tries in
all, on a new connection after a pause. Errors come back as one French line per address.

No database here: :mod:`essdash.write.mail` claims the messages before and records the outcome after.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from essdash.domain.mailing import ERROR_LENGTH, MAX_TRIES
from essdash.read.convocation import Letter
from essdash.store.config import SmtpSettings

TIMEOUT = 30  # seconds a connection may stay silent


@dataclass(frozen=True)
class Delivery:
    """What became of the message to one address: how many tries, and the last error ("" if sent)."""

    tries: int
    error: str = ""

    @property
    def sent(self) -> bool:
        return not self.error


def message(settings: SmtpSettings, letter: Letter, address: str, name: str) -> EmailMessage:
    """The message of ``letter`` to one person, with its greeting and the pack attached."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = formataddr((name, address))
    mail["Subject"] = letter.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(f"Bonjour {name},\n\n{letter.text}")
    mail.add_attachment(letter.attachment, maintype="application", subtype="pdf", filename=letter.attachment_name)
    return mail


def deliver(settings: SmtpSettings, messages: dict[str, EmailMessage]) -> dict[str, Delivery]:
    """Send each message (keyed by its address); a failed one is tried again on a new connection,
    :data:`MAX_TRIES` tries in all, ``settings.retry_pause`` seconds apart."""
    outcome: dict[str, Delivery] = {}
    pending = list(messages)
    for attempt in range(1, MAX_TRIES + 1):
        if attempt > 1:
            time.sleep(settings.retry_pause)
        errors = _one_round(settings, {address: messages[address] for address in pending})
        for address in pending:
            outcome[address] = Delivery(attempt, errors.get(address, ""))
        pending = [address for address in pending if address in errors]
        if not pending:
            break
    return outcome


def _one_round(settings: SmtpSettings, messages: dict[str, EmailMessage]) -> dict[str, str]:
    """One connection, each message once: the French error of each address that failed."""
    errors: dict[str, str] = {}
    try:
        with _connect(settings) as smtp:
            for address, mail in messages.items():
                try:
                    smtp.send_message(mail, to_addrs=[address])
                except (smtplib.SMTPException, OSError) as exc:
                    errors[address] = french(exc, settings)
    except (smtplib.SMTPException, OSError) as exc:  # connecting, STARTTLS or login failed
        reason = french(exc, settings)
        errors.update({address: reason for address in messages if address not in errors})
    return errors


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context(cafile=settings.cafile or None))
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def french(exc: BaseException, settings: SmtpSettings) -> str:
    """One French line for an SMTP or network failure (the server's own words quoted, on one line)."""
    server = f"{settings.host}:{settings.port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, said = next(iter(exc.recipients.values()), (0, b""))
        reason = f"adresse refusée par le serveur ({code} {_said(said)})"
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        reason = f"identifiant ou mot de passe refusé par le serveur {server}"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        reason = f"le serveur {server} ne propose pas STARTTLS (ou l'authentification) : rien n'est envoyé en clair"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reason = f"refus du serveur ({exc.smtp_code} {_said(exc.smtp_error)})"
    elif isinstance(exc, ssl.SSLError):
        reason = f"échec de la connexion chiffrée avec {server} ({exc.reason or exc})"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        reason = f"le serveur {server} a coupé la connexion"
    elif isinstance(exc, OSError):
        reason = f"serveur {server} injoignable ({exc.strerror or exc})"
    else:
        reason = f"erreur SMTP ({exc})"
    return _one_line(reason)


def _said(said: bytes | str) -> str:
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _one_line(text: str) -> str:
    """Controls and line breaks become spaces; bounded length (it is journaled and shown)."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", text).split())[
        :ERROR_LENGTH
    ]
