"""The errors a user must act on differently, each with a message that says what to do.

Messages never contain the token: they are built from fixed text, the status code and the job id.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of every failure the client reports. `message` is safe to show to the user."""

    title = "Something went wrong"
    message = "The request failed."

    def __init__(self, message: str | None = None, *, status: int | None = None) -> None:
        self.message = message or type(self).message
        self.status = status
        super().__init__(self.message)


class InvalidJobId(ApiError):
    title = "Not a job id"
    message = "A job id is a UUID such as 3f2b6c1e-8d4a-4b7e-9a51-0c2d7e9f1a23. Check the id and try again."


class Unauthorized(ApiError):
    title = "Not signed in"
    message = (
        "The service did not accept the API token (401). Paste a valid token in the sidebar or set ABDASH_API_TOKEN."
    )


class Forbidden(ApiError):
    title = "No access to this job"
    message = "Your token is valid but has no access to this job (403). Ask the job's owner to share it, or use a token with access."


class JobNotFound(ApiError):
    title = "Job not found"
    message = "The service knows no job with this id (404). Check the id or the link you were given."


class Rejected(ApiError):
    title = "Request rejected"
    message = "The service rejected the request as malformed (422). Check the job id."


class RateLimited(ApiError):
    title = "Service busy"
    message = "The service is rate-limiting requests (429). Wait a little and reload."

    def __init__(
        self, message: str | None = None, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        if retry_after is not None and message is None:
            self.message = f"The service is rate-limiting requests (429). Try again in {retry_after:g} s."


class ServerError(ApiError):
    title = "Service error"
    message = "The service failed to answer (server error). Try again in a minute; if it persists, tell the service's operators."


class Timeout(ApiError):
    title = "Service too slow"
    message = "The service did not answer in time. Try again, or raise ABDASH_TIMEOUT_S if jobs are large."


class Unreachable(ApiError):
    title = "Service unreachable"
    message = "Could not connect to the service. Check ABDASH_API_URL and your network."


class UnreadablePayload(ApiError):
    title = "Unreadable answer"
    message = "The service answered with something that is not a job (not JSON, or cut short). Try again; if it persists, tell the service's operators."


class StructureUnavailable(ApiError):
    title = "Structure file unavailable"
    message = "The structure file could not be fetched."


class StructureTooLarge(StructureUnavailable):
    title = "Structure file too large"

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size / 2**20:.1f} MB" if size is not None else "more than the limit"
        super().__init__(
            f"The structure file is {shown}; the dashboard shows files up to {limit / 2**20:.0f} MB. "
            "Download it and open it in a desktop viewer, or raise ABDASH_MAX_STRUCTURE_MB."
        )


class UnsafeStoragePath(StructureUnavailable):
    title = "Structure path refused"
    message = "The structure path is not a plain storage path or an http(s) URL, so it was not fetched."
