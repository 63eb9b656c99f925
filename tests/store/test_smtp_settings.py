"""The [smtp] settings: read from the secrets file (never from git), each overridden by its environment
variable, the password from ESSDASH_SMTP_PASSWORD first; what is missing or wrong is refused in French."""

from __future__ import annotations

import pytest

from essdash.domain.errors import ConfigurationError
from essdash.store.config import smtp_settings

VARIABLES = (
    "ESSDASH_SMTP_HOST",
    "ESSDASH_SMTP_PORT",
    "ESSDASH_SMTP_STARTTLS",
    "ESSDASH_SMTP_USER",
    "ESSDASH_SMTP_SENDER",
    "ESSDASH_SMTP_CAFILE",
    "ESSDASH_SMTP_RETRY_PAUSE",
    "ESSDASH_SMTP_PASSWORD",
    "ESSDASH_PUBLIC_URL",
)
SECRETS = """
[auth]
cookie_secret = "x"

[smtp]
host = "smtp.lillemetropole.fr"
user = "mission-ess"
password = "du-fichier"
sender = "Mission ESS <mission-ess@lillemetropole.fr>"
public_url = "https://ess.lillemetropole.fr/"
"""


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS, encoding="utf-8")
    monkeypatch.setenv("ESSDASH_SECRETS", str(path))
    return path


def test_the_secrets_file_gives_the_settings_with_starttls_by_default(secrets):
    settings = smtp_settings()
    assert (settings.host, settings.port, settings.starttls) == ("smtp.lillemetropole.fr", 587, True)
    assert (settings.user, settings.password) == ("mission-ess", "du-fichier")
    assert settings.public_url == "https://ess.lillemetropole.fr"  # without its final slash
    assert "du-fichier" not in repr(settings)


def test_the_environment_overrides_the_file_and_gives_the_password(secrets, monkeypatch):
    monkeypatch.setenv("ESSDASH_SMTP_PASSWORD", "de-l-environnement")
    monkeypatch.setenv("ESSDASH_SMTP_PORT", "2525")
    monkeypatch.setenv("ESSDASH_SMTP_HOST", "relais.mel.fr")
    settings = smtp_settings()
    assert (settings.host, settings.port, settings.password) == ("relais.mel.fr", 2525, "de-l-environnement")


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("ESSDASH_SMTP_PORT", "70000", "port entre 1 et 65535"),
        ("ESSDASH_SMTP_PORT", "vingt-cinq", "nombre positif"),
        ("ESSDASH_SMTP_STARTTLS", "peut-être", "true ou false"),
        ("ESSDASH_SMTP_STARTTLS", "false", "mot de passe en clair"),  # a login to a distant relay without TLS
        ("ESSDASH_PUBLIC_URL", "ess.lillemetropole.fr", "adresse http"),
    ],
)
def test_a_wrong_setting_is_refused_in_french(secrets, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=message):
        smtp_settings()


def test_without_a_secrets_file_the_missing_settings_are_named(secrets, monkeypatch):
    monkeypatch.setenv("ESSDASH_SECRETS", str(secrets.parent / "absent.toml"))
    with pytest.raises(ConfigurationError, match=r"manquant \(host, sender, public_url\)"):
        smtp_settings()
    secrets.write_text("[smtp\n", encoding="utf-8")
    monkeypatch.setenv("ESSDASH_SECRETS", str(secrets))
    with pytest.raises(ConfigurationError, match="illisible"):
        smtp_settings()
