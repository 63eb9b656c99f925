"""The nginx files of deploy/ as the proxy test runs them: the upstream gets one server line per
process, each with the health-check parameters of the file, and nginx accepts the whole
configuration (``nginx -t``)."""

from __future__ import annotations

import re
import subprocess

from tests.deploy.proxy import config, upstream


def test_the_upstream_gets_one_line_per_process_with_its_health_checks():
    text = upstream([9001, 9002, 9003])
    servers = re.findall(r"^\s*server\s+(\S+)\s+(.*);$", text, re.MULTILINE)
    assert servers == [(f"127.0.0.1:{port}", "max_fails=1 fail_timeout=10s") for port in (9001, 9002, 9003)]
    assert "hash $essdash_route consistent;" in text
    assert "127.0.0.1:8501" not in text


def test_nginx_accepts_the_configuration(nginx, tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(config(tmp_path, 9000, [9001, 9002]), encoding="utf-8")
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "syntax is ok" in result.stderr
