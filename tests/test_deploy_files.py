"""The deployment files that are not run here (docs/deploy.md says so) still say what they must:
nothing secret or local in an image, secrets from Secrets, health probes, cookie affinity."""

from __future__ import annotations

import fnmatch
import subprocess

from tests.conftest import ROOT


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch.fnmatch(parts[-1], pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_image_build_context_leaves_out_secrets_data_and_environments() -> None:
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    for path in (
        ".streamlit/secrets.toml",
        "deploy/.env",
        ".data/reviews.sqlite",
        "var/serve-postgres/PG_VERSION",
        ".venv/bin/python",
        ".venv-build/bin/python",
        "artifacts/x.png",
        ".git/config",
        "app/__pycache__/x.cpython-311.pyc",
    ):
        assert _ignored(path, patterns), path
    for path in ("app/client.py", ".streamlit/config.toml", "streamlit_app.py", "views/job.py"):
        assert not _ignored(path, patterns), path
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [p for p in tracked.split() if _ignored(p, patterns) and not p.startswith(".git")]


def test_kubernetes_dashboard_takes_secrets_from_secrets_and_probes_health() -> None:
    text = (ROOT / "deploy" / "k8s" / "dashboard.yaml").read_text()
    for key in ("api-token", "cookie-secret", "review-db-url"):
        assert f"secretKeyRef: {{ name: abdash, key: {key} }}" in text, key
    assert text.count("path: /_stcore/health") >= 2  # readiness and liveness
    assert 'nginx.ingress.kubernetes.io/affinity: "cookie"' in text
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in text
