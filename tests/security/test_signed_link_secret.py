"""Issue 13, finding 8 (part): with the default API key nobody can forge sign-off photo links.

The link secret is POD_LINK_SECRET, else a random per-installation secret in COURIER_VAR_DIR (0600, made on
first use), never something derived from the public default key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.backend.services import signed_links
from bot.installation_secret import InstallationSecretError, installation_secret
from bot.settings import DEMO_BACKEND_API_KEY, ROOT, get_settings

pytestmark = pytest.mark.security

PURPOSE, SUBJECT = "pod-photo", "ZT100000000002"


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("POD_LINK_SECRET", raising=False)
    monkeypatch.delenv("BACKEND_API_KEY", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def forged_with_the_default_key(expires: int) -> str:
    """What an attacker who read the repository could sign before: HMAC with a key derived from dev-local-key."""
    key = hashlib.sha256(b"courier-signed-links\x1f" + DEMO_BACKEND_API_KEY.encode()).digest()
    digest = hmac.new(key, f"{PURPOSE}\x1f{SUBJECT}\x1f{expires}".encode(), hashlib.sha256).digest()
    return f"{expires}." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_link_signed_with_the_public_default_key_is_refused(var_dir: Path) -> None:
    token, expires = signed_links.issue(PURPOSE, SUBJECT, 600)
    assert signed_links.is_valid(PURPOSE, SUBJECT, token)
    assert not signed_links.is_valid(PURPOSE, SUBJECT, forged_with_the_default_key(expires))


def test_the_installation_secret_is_private_random_and_kept(var_dir: Path) -> None:
    signed_links.issue(PURPOSE, SUBJECT, 600)
    path = var_dir / signed_links.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) == 64
    assert installation_secret(path) == path.read_text().strip().encode()
    assert installation_secret(var_dir / "other.secret") != installation_secret(path)


def test_another_installation_cannot_open_this_ones_links(var_dir: Path, tmp_path_factory, monkeypatch) -> None:
    token, _ = signed_links.issue(PURPOSE, SUBJECT, 600)
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path_factory.mktemp("other-installation")))
    get_settings.cache_clear()
    assert not signed_links.is_valid(PURPOSE, SUBJECT, token)


def test_pod_link_secret_wins_over_the_installation_secret(var_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("POD_LINK_SECRET", "a-shared-secret-of-the-deployment")
    get_settings.cache_clear()
    token, _ = signed_links.issue(PURPOSE, SUBJECT, 600)
    assert not (var_dir / signed_links.SECRET_FILE).exists()
    monkeypatch.setenv("COURIER_VAR_DIR", str(var_dir / "elsewhere"))
    get_settings.cache_clear()
    assert signed_links.is_valid(PURPOSE, SUBJECT, token)


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "shared.secret"
    code = ("import sys; from bot.installation_secret import installation_secret; "
            "print(installation_secret(__import__('pathlib').Path(sys.argv[1])).decode())")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                  text=True) for _ in range(6)]
    secrets = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(secrets) == 1 and secrets == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["shared.secret"]


def test_a_readable_secret_file_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "loose.secret"
    path.write_text("ab" * 32)
    os.chmod(path, 0o644)
    installation_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_truncated_secret_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "cut.secret"
    path.write_text("abc")
    with pytest.raises(InstallationSecretError, match="Delete it"):
        installation_secret(path)
