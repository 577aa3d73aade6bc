"""HTTP client of the job API: explicit timeouts, retries, typed errors, over a shared connection pool.

Retries with backoff on 429 (honouring Retry-After), 502/503/504 and connection failures; never on
other 4xx. The bearer token goes only to the API's own origin, in the header of each request (the
pool holds none), and never into a URL, a message or a log.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
from pydantic import ValidationError

from app import errors
from app.models import JobResponse
from app.settings import DEFAULT_MAX_STRUCTURE_BYTES, DEFAULT_TIMEOUT_S
from app.structure_files import detect_format

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})
HEADERS = {"Accept": "application/json", "User-Agent": "antibody-job-dashboard"}
STATUS_ERRORS: dict[int, type[errors.ApiError]] = {
    401: errors.Unauthorized,
    403: errors.Forbidden,
    404: errors.JobNotFound,
    422: errors.Rejected,
}


def normalise_job_id(job_id: str) -> str:
    """The canonical lower-case UUID text, or `InvalidJobId` (raised before any request is made)."""
    text = (job_id or "").strip()
    try:
        parsed = uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise errors.InvalidJobId() from None
    if str(parsed) != text.lower():  # refuse braces, urn: prefixes and hex without dashes
        raise errors.InvalidJobId()
    return str(parsed)


@dataclass(frozen=True)
class FetchedJob:
    """One answer of GET /jobs/{id}: the parsed model and the raw JSON it came from."""

    response: JobResponse
    raw: dict[str, Any]
    fetched_at: float = field(default_factory=time.time)

    @property
    def job_id(self) -> str:
        return self.response.job.id


@dataclass(frozen=True)
class StructureFile:
    """A downloaded structure: its text, format (`pdb` or `mmcif`) and where it came from."""

    text: str
    format: str
    name: str
    size: int


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def resolve_storage_url(path: str, storage_base: str | None) -> str:
    """Absolute http(s) URLs pass; relative paths are joined to the storage base; the rest is refused."""
    text = (path or "").strip()
    if not text or any(ch in text for ch in "\\\x00\r\n\t"):
        raise errors.UnsafeStoragePath()
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(text).hostname:
            raise errors.UnsafeStoragePath()
        return text
    if scheme or text.startswith("/") or ":" in text.split("/", 1)[0]:
        raise errors.UnsafeStoragePath()  # file://, javascript:, C:, absolute file paths
    segments = text.split("/")
    if any(unquote(unquote(s)) in ("..", ".", "") or "/" in unquote(unquote(s)) for s in segments):
        raise errors.UnsafeStoragePath()  # ../, ./, //, and their percent-encoded forms
    if not storage_base:
        raise errors.StructureUnavailable(
            "No storage base is configured for relative structure paths (ABDASH_STORAGE_URL)."
        )
    return storage_base.rstrip("/") + "/" + "/".join(quote(s, safe="") for s in segments)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def connection_pool(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client to share between JobsClients (one per process): it pools connections and
    holds no credentials, no base URL and no timeout; each request brings its own. Its cookie jar
    accepts nothing, so that no answer to one user's request can ride along with another's."""
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return httpx.Client(transport=transport, follow_redirects=False, cookies=no_cookies)


class JobsClient:
    """Client of one job service for one token: cheap to make per request when given a shared
    `pool` (`connection_pool()`); without one it makes its own, closed by `close()`."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        storage_url: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_structure_bytes: int = DEFAULT_MAX_STRUCTURE_BYTES,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_retry_after_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pool: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.storage_base = (storage_url or self.base_url + "/storage").rstrip("/")
        self.max_structure_bytes = max_structure_bytes
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self._token = token
        self._sleep = sleep
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
        self._owns_pool = pool is None
        self._http = connection_pool(transport) if pool is None else pool

    def __repr__(self) -> str:
        return f"JobsClient({self.base_url!r})"

    def close(self) -> None:
        """Close the connection pool if this client made it (a shared pool stays open)."""
        if self._owns_pool:
            self._http.close()

    def __enter__(self) -> JobsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- jobs ---------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> FetchedJob:
        """GET /jobs/{id}, parsed. Raises one `errors.ApiError` subclass per failure kind."""
        job_id = normalise_job_id(job_id)
        response = self._send(self.base_url + f"/jobs/{job_id}", with_token=True)
        self._raise_for_status(response)
        try:
            raw = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise errors.UnreadablePayload() from None
        if not isinstance(raw, dict):
            raise errors.UnreadablePayload()
        try:
            parsed = JobResponse.model_validate(raw)
        except (ValidationError, ValueError, TypeError, RecursionError):
            raise errors.UnreadablePayload(
                "The service answered, but not with a job (the job's id or status is missing or not text). "
                "The raw answer was not shown; tell the service's operators."
            ) from None
        return FetchedJob(response=parsed, raw=raw)

    def list_samples(self) -> list[dict[str, str]]:
        """`GET /samples`: titles of the sample server's jobs (the real service has no such listing)."""
        response = self._send(self.base_url + "/samples", with_token=True)
        self._raise_for_status(response)
        try:
            samples = json.loads(response.content).get("samples", [])
        except (ValueError, AttributeError):
            raise errors.UnreadablePayload() from None
        return [{k: str(v) for k, v in s.items()} for s in samples if isinstance(s, dict)]

    # --- structure files ----------------------------------------------------------------------

    def fetch_structure(self, path: str) -> StructureFile:
        """Download a structure file named by `pdb_storage_path`, capped at `max_structure_bytes`."""
        url = resolve_storage_url(path, self.storage_base)
        with_token = _origin(url) == _origin(self.base_url)
        body = self._send(url, with_token=with_token, stream_cap=self.max_structure_bytes, kind="structure")
        if body.status_code == 404:
            raise errors.StructureUnavailable(
                "The structure file was not found in storage (404). The job's other results are still shown."
            )
        if body.status_code in (401, 403):
            raise errors.StructureUnavailable(f"Storage refused access to the structure file ({body.status_code}).")
        if body.status_code >= 400:
            raise errors.StructureUnavailable(
                f"Storage answered {body.status_code} for the structure file. Try again later."
            )
        content = body.content
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        name = urlsplit(url).path.rsplit("/", 1)[-1] or "structure"
        fmt = detect_format(name, text)
        if fmt is None:
            raise errors.StructureUnavailable("The structure file is neither PDB nor mmCIF.")
        return StructureFile(text=text, format=fmt, name=name, size=len(content))

    # --- transport ----------------------------------------------------------------------------

    def _headers(self, with_token: bool) -> dict[str, str]:
        if with_token and self._token:
            return {**HEADERS, "Authorization": f"Bearer {self._token}"}
        return HEADERS

    def _send(self, url: str, *, with_token: bool, stream_cap: int | None = None, kind: str = "job") -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._request(url, with_token, stream_cap)
            except httpx.TimeoutException as exc:
                if isinstance(exc, httpx.ConnectTimeout) and attempt <= self.retries:
                    self._sleep(self._backoff(attempt))
                    continue
                raise errors.Timeout() from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                if attempt <= self.retries:
                    self._sleep(self._backoff(attempt))
                    continue
                if kind == "structure":
                    raise errors.StructureUnavailable(
                        "Could not fetch the structure file: the connection to storage failed."
                    ) from None
                if isinstance(exc, httpx.ConnectError):
                    raise errors.Unreachable() from None
                raise errors.Unreachable(
                    "The connection to the service broke before the answer was complete. Try again; if it persists, check the service."
                ) from None
            except httpx.HTTPError:
                raise errors.Unreachable() from None
            if response.status_code == 429:
                wait = _retry_after_seconds(response.headers.get("Retry-After"))
                if attempt <= self.retries and (wait is None or wait <= self.max_retry_after_s):
                    self._sleep(wait if wait is not None else self._backoff(attempt))
                    continue
                raise errors.RateLimited(retry_after=wait)
            if response.status_code in RETRY_STATUSES and attempt <= self.retries:
                self._sleep(self._backoff(attempt))
                continue
            log.debug("GET %s -> %s (attempt %d)", urlsplit(url).path, response.status_code, attempt)
            return response

    def _request(self, url: str, with_token: bool, stream_cap: int | None) -> httpx.Response:
        if stream_cap is None:
            return self._http.get(url, headers=self._headers(with_token), timeout=self._timeout)
        with self._http.stream("GET", url, headers=self._headers(with_token), timeout=self._timeout) as response:
            if response.status_code >= 400:
                response.read()
                return response
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > stream_cap:
                raise errors.StructureTooLarge(int(declared), stream_cap)
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > stream_cap:
                    raise errors.StructureTooLarge(None, stream_cap)
                chunks.append(chunk)
            return httpx.Response(
                response.status_code, headers=response.headers, content=b"".join(chunks), request=response.request
            )

    def _backoff(self, attempt: int) -> float:
        return self.backoff_s * (2 ** (attempt - 1))

    @staticmethod
    def _raise_for_status(response: httpx.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        if status in STATUS_ERRORS:
            raise STATUS_ERRORS[status](status=status)
        if status >= 500:
            raise errors.ServerError(status=status)
        raise errors.ApiError(f"The service answered with an unexpected status ({status}).", status=status)
