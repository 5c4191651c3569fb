"""Every PRM_* setting is read and validated in one place; a bad value stops the app at start-up
with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prm_app import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_environment(monkeypatch):
    for name in [n for n in os.environ if n.startswith(settings.PREFIX)]:
        monkeypatch.delenv(name)


def test_defaults_and_typed_values(clean_environment, monkeypatch):
    defaults = settings.current()
    assert (defaults.retention_days, defaults.smtp_tls, defaults.secure_cookies) == (
        30,
        "starttls",
        False,
    )
    monkeypatch.setenv("PRM_SECURE_COOKIES", "1")
    monkeypatch.setenv("PRM_SWEEP_SECONDS", "2.5")
    monkeypatch.setenv("PRM_UPLOAD_DIR", "")  # empty: the default
    configured = settings.current()
    assert (configured.secure_cookies, configured.sweep_seconds, configured.upload_dir) == (
        True,
        2.5,
        None,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRM_RETENTION_DAYS", "0"),
        ("PRM_SIGNIN_MAX_PER_IP", "many"),
        ("PRM_SMTP_PORT", "70000"),
        ("PRM_SMTP_TLS", "tls1.3"),
        ("PRM_SWEEP_SECONDS", "0.01"),
        ("PRM_BASE_URL", "prm.example.com"),
        ("PRM_SECURE_COOKIES", "sometimes"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(clean_environment, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.InvalidSettings, match=f"{name}='{value}'"):
        settings.current()
    with pytest.raises(SystemExit, match=f"Cannot start: {name}="):
        settings.check()


def test_the_app_does_not_start_with_a_bad_value():
    env = {**os.environ, "PRM_RETENTION_DAYS": "soon", "REFLEX_TELEMETRY_ENABLED": "false"}
    started = subprocess.run(
        [sys.executable, "-c", "import prm_app.prm_app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "Cannot start: PRM_RETENTION_DAYS='soon'" in started.stderr
