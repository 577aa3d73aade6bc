"""The Review tab and the compare page in AppTest, against the sample server over loopback and a
review database on disk: save and see, hostile text, permissions per token, database faults, the
sample reviews, and one review query per rerun."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import event
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from app.local_postgres import free_port
from app.reviews.access import ReadAccess
from app.reviews.store import MAX_COMMENT_CHARS, ReviewStore
from app.sample_api import DEFAULT_DATA_DIR, RunningServer, start_in_thread
from components.formatting import md_escape
from tests.review_fixtures import *  # noqa: F403 - the postgres and review_db_url fixtures

ROOT = Path(__file__).resolve().parents[1]
CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # 3 strategies, structure, stability, immunogenicity
CAPLACIZUMAB = "36435fac-4bc7-5211-9555-2ac31c0a7bed"  # VHH, 2 strategies
TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"  # no humanization: the job is the candidate
HOSTILE = "<script>alert('x')</script> **bold** [link](javascript:alert(1)) <img src=x onerror=alert(2)>"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., None]]:
    """Point the dashboard at a server with a token and a review database (a fresh SQLite by default)."""

    def point(server: RunningServer, token: str | None = None, db_url: str | None = None) -> None:
        monkeypatch.setenv("ABDASH_API_URL", server.url)
        monkeypatch.setenv("ABDASH_API_TOKEN", token or server.token)
        monkeypatch.setenv("ABDASH_TIMEOUT_S", "5")
        monkeypatch.setenv("ABDASH_DATA_DIR", str(tmp_path / "data"))
        if db_url:
            monkeypatch.setenv("ABDASH_REVIEW_DB_URL", db_url)
        else:
            monkeypatch.delenv("ABDASH_REVIEW_DB_URL", raising=False)

    st.cache_resource.clear()
    yield point
    st.cache_resource.clear()
    st.cache_data.clear()


def job_page(job_id: str, section: str = "Review") -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["job_id"] = job_id
    at.query_params["section"] = section
    return at.run()


def compare_page(*job_ids: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.switch_page("views/compare.py")
    at.query_params["jobs"] = ",".join(job_ids)
    return at.run()


def everything_shown(at: AppTest) -> str:
    """Every value the page shows: texts, markdown, captions, alerts, tables (for "never shown" checks)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "text", "error", "warning", "info", "success", "subheader", "title"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.value.to_csv() for e in at.dataframe]
    return "\n".join(parts)


def save(at: AppTest, *, decision: str | None, comment: str = "", name: str | None = "Tess Reviewer") -> AppTest:
    if decision is not None:
        at.radio(key="review-decision").set_value(decision)
    at.text_area(key="review-comment").set_value(comment)
    if name is not None and at.text_input(key="review-name") is not None:
        at.text_input(key="review-name").set_value(name)
    return at.button(key="review-save").click().run()


def names_input(at: AppTest) -> bool:
    return any(t.key == "review-name" for t in at.text_input)


def test_a_saved_decision_and_comment_are_there_for_the_next_visitor(sample_server, env) -> None:
    env(sample_server)
    at = job_page(CETUXIMAB)
    assert not at.exception
    assert [t.label for t in at.tabs][-2:] == ["Review", "Raw JSON"]
    at.selectbox(key="review-candidate").select_index(1)  # back_mutation
    at.run()
    at = save(at, decision="Advance", comment=HOSTILE)
    assert not at.exception
    assert "Decision and comment saved for back\\_mutation." in [s.value for s in at.success]
    assert at.text_area(key="review-comment").value == ""  # the form is cleared after a save
    assert not names_input(at)  # the name was given once; now it is shown, not asked
    assert any("Tess Reviewer (self-declared" in c.value for c in at.caption)

    later = job_page(CETUXIMAB)  # another session, same database
    summary = later.dataframe[0].value.set_index("Candidate")
    assert summary.loc["back_mutation", "Decision"] == "Advance"
    assert summary.loc["back_mutation", "By"] == "Tess Reviewer (self-declared)"
    assert summary.loc["cdr_grafting", "Decision"] == "none yet"
    later.selectbox(key="review-candidate").select_index(1)
    later.run()
    assert HOSTILE in [t.value for t in later.text]  # st.text: shown as typed, never as Markdown/HTML
    assert not any(HOSTILE in m.value for m in later.markdown)  # and nowhere rendered as Markdown
    assert names_input(later)  # a new session gives its own name


def test_a_changed_decision_keeps_the_earlier_one_and_notices_changed_results(sample_server, env, tmp_path) -> None:
    data = tmp_path / "samples"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    server = start_in_thread(data)
    try:
        env(server)
        at = job_page(CETUXIMAB)
        at = save(at, decision="Hold", comment="first look")
        at = save(at, decision="Reject", name=None)
        heads = [m.value.split(" ·")[0] for m in at.markdown]
        assert [h for h in heads if h in ("**Hold**", "**Reject**", "**Advance**")] == ["**Hold**", "**Reject**"]
        assert not at.warning
        # The service recomputes the strategy: same row id, other numbers.
        path = data / "jobs" / f"{CETUXIMAB}.json"
        body = json.loads(path.read_text())
        body["results"][0]["oasis_score"]["vh"]["percentile"] = 0.99
        body["results"].reverse()  # and sends the rows in another order
        path.write_text(json.dumps(body))
    finally:
        server.stop()
    moved = start_in_thread(data)
    try:
        env(moved)
        again = job_page(CETUXIMAB)
        summary = again.dataframe[0].value.set_index("Candidate")
        assert summary.loc["cdr_grafting", "Decision"] == "Reject"  # found under its key despite the reorder
        assert summary.loc["cdr_grafting", "Results"] == "changed since"
        assert summary.loc["back_mutation", "Results"] == ""
        again.selectbox(key="review-candidate").set_value(
            next(o for o in again.selectbox(key="review-candidate").options if "cdr_grafting" in o)
        )
        again.run()
        assert any("results have changed since this decision" in w.value for w in again.warning)
    finally:
        moved.stop()


def test_comment_over_the_cap_is_refused_and_the_draft_stays(sample_server, env) -> None:
    env(sample_server)
    at = job_page(CETUXIMAB)
    long_text = "y" * (MAX_COMMENT_CHARS + 1)
    at = save(at, decision="Hold", comment=long_text)
    assert any(f"at most {MAX_COMMENT_CHARS:,} characters" in e.value for e in at.error)
    assert at.text_area(key="review-comment").value == long_text
    assert at.dataframe[0].value.set_index("Candidate").loc["cdr_grafting", "Decision"] == "none yet"


@pytest.fixture
def two_readers(tmp_path: Path) -> Iterator[RunningServer]:
    """Cetuximab readable by alice only (x_sample.readers); caplacizumab by both tokens."""
    data = tmp_path / "readers"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    path = data / "jobs" / f"{CETUXIMAB}.json"
    body = json.loads(path.read_text())
    body["x_sample"]["readers"] = ["alice-token"]
    path.write_text(json.dumps(body))
    server = start_in_thread(data, token="alice-token", tokens=frozenset({"bob-token"}))
    yield server
    server.stop()


def test_a_token_that_cannot_read_the_job_sees_nothing_of_its_review(two_readers, env, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    env(two_readers, token="alice-token", db_url=db_url)
    alice = job_page(CETUXIMAB)
    save(alice, decision="Advance", comment="secret plan for the bench", name="Alice Secret")
    st.cache_resource.clear()

    env(two_readers, token="bob-token", db_url=db_url)
    bob = job_page(CETUXIMAB)
    assert any("Not allowed" in e.value or "access" in e.value.lower() for e in bob.error), [e.value for e in bob.error]
    shown = everything_shown(bob)
    assert "Alice Secret" not in shown and "secret plan" not in shown and "Advance" not in shown
    compared = compare_page(CETUXIMAB, CAPLACIZUMAB)
    assert not compared.exception
    shown = everything_shown(compared)
    assert "Alice Secret" not in shown and "secret plan" not in shown
    table = compared.dataframe[0].value
    assert set(table["Job"]) == {CAPLACIZUMAB[:8]}  # the unreadable job is not listed, not even counted
    st.cache_resource.clear()

    env(two_readers, token="alice-token", db_url=db_url)
    alice_compare = compare_page(CETUXIMAB, CAPLACIZUMAB)
    assert "Advance" in set(alice_compare.dataframe[0].value["Decision"])


def test_read_access_is_asked_again_after_its_time_to_live() -> None:
    from app import errors

    now = [0.0]
    access = ReadAccess(ttl_s=60, clock=lambda: now[0])
    answers = iter([None, errors.Forbidden()])
    asked: list[str] = []

    def ask(job_id: str) -> None:
        asked.append(job_id)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer

    assert access.allowed("alice", CETUXIMAB, ask) is True
    now[0] = 59
    assert access.allowed("alice", CETUXIMAB, ask) is True and len(asked) == 1  # remembered
    now[0] = 61
    assert access.allowed("alice", CETUXIMAB, ask) is False and len(asked) == 2  # withdrawn: asked again
    with pytest.raises(errors.Timeout):  # not knowing is not permission, and is not remembered
        access.allowed("bob", CETUXIMAB, lambda _: (_ for _ in ()).throw(errors.Timeout()))
    assert access.known("bob", CETUXIMAB) is None


def test_unreachable_database_keeps_the_page_and_the_draft(sample_server, env) -> None:
    env(sample_server, db_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/abdash")
    at = job_page(CETUXIMAB)
    assert not at.exception
    assert any("cannot be reached" in e.value for e in at.error)
    at = save(at, decision="Hold", comment="my draft that must survive")
    assert not at.exception
    assert any("cannot be reached" in e.value for e in at.error)
    assert at.text_area(key="review-comment").value == "my draft that must survive"
    assert at.radio(key="review-decision").value == "Hold"
    overview = job_page(CETUXIMAB, "Overview")  # the rest of the page works
    assert not overview.exception and not overview.error


def test_read_only_database_shows_reviews_and_refuses_saves_clearly(sample_server, env, tmp_path) -> None:
    path = tmp_path / "ro.sqlite"
    writable = ReviewStore(f"sqlite:///{path}")
    writable.record(
        job_id=CETUXIMAB, candidate_key="r:367dc051-a18e-5d9e-a0ea-9b86330bee9c", strategy="cdr_grafting",
        author="Earlier", author_kind="self-declared", fingerprint=None, decision="Hold",
    )  # fmt: skip
    writable.close()
    env(sample_server, db_url=f"sqlite:///file:{path}?mode=ro&uri=true")
    at = job_page(CETUXIMAB)
    assert at.dataframe[0].value.set_index("Candidate").loc["cdr_grafting", "Decision"] == "Hold"
    at = save(at, decision="Advance", comment="kept draft")
    assert any("read-only" in e.value for e in at.error)
    assert at.text_area(key="review-comment").value == "kept draft"


def test_sample_reviews_are_added_to_a_fresh_database_on_sample_data(monkeypatch, tmp_path) -> None:
    for key in ("ABDASH_API_URL", "ABDASH_API_TOKEN", "ABDASH_REVIEW_DB_URL", "ABDASH_SAMPLE_DATA"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ABDASH_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    try:
        at = job_page(CETUXIMAB)
        summary = at.dataframe[0].value.set_index("Candidate")
        assert summary.loc["back_mutation", "Decision"] == "Advance"
        assert summary.loc["back_mutation", "By"] == "Sample reviewer B (sample review)"
        assert summary.loc["germline_framework", "Decision"] == "Reject"
        assert any("(sample review)" in m.value for m in at.markdown)
        assert (tmp_path / "reviews.sqlite").is_file()  # the default: SQLite in ABDASH_DATA_DIR
    finally:
        st.cache_resource.clear()


def test_compare_page_shows_candidates_side_by_side_and_sets_decisions(sample_server, env) -> None:
    env(sample_server)
    at = compare_page(CETUXIMAB, CAPLACIZUMAB, TRASTUZUMAB)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["Candidate"]) == [
        "cdr_grafting", "back_mutation", "germline_framework", "cdr_grafting", "back_mutation", "the job",
    ]  # fmt: skip
    assert {"VH mutations", "VH human identity %", "Liab. high", "VHH hallmarks kept", "Mean pLDDT (modelled)"} <= set(
        table
    )
    by_candidate = table.set_index(["Job", "Candidate"])
    germline = by_candidate.loc[(CETUXIMAB[:8], "germline_framework")]
    assert germline["VH CDR mut. (IMGT)"] == 0 and germline["VH CDR mut. (Kabat)"] > 0  # definitions differ
    assert germline["VH CDR mut. (any)"] >= germline["VH CDR mut. (Kabat)"]
    plddt = by_candidate["Mean pLDDT (modelled)"]
    assert plddt.notna().sum() == 3  # only the modelled strategy of each job (and the job candidate)
    assert table["Open"].str.contains(f"job_id={CETUXIMAB}").sum() == 3
    options = at.selectbox(key="review-candidate").options
    at.selectbox(key="review-candidate").set_value(next(o for o in options if o.startswith(CAPLACIZUMAB[:8])))
    at.run()
    at = save(at, decision="Hold", comment="compare first")
    decisions = at.dataframe[0].value.set_index(["Job", "Candidate"])["Decision"]
    assert decisions.loc[(CAPLACIZUMAB[:8], "cdr_grafting")] == "Hold"
    assert compare_page(CETUXIMAB).info  # one job: asks for two


def test_one_review_query_per_rerun_for_six_jobs(sample_server, env) -> None:
    env(sample_server)
    jobs = [CETUXIMAB, CAPLACIZUMAB, TRASTUZUMAB, "5470a865-0a1e-5412-a80d-c91d365700fc",
            "8b8a72f1-f2ef-5768-8359-cb2e72b30715", "a19c7d09-bef7-5dab-b0e5-5748b1a034a6"]  # fmt: skip
    at = compare_page(*jobs)
    assert not at.exception
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        at.run()
        compare_rerun = [s for s in statements if "review_" in s]
        statements.clear()
        review_tab = job_page(CETUXIMAB)
        review_tab.run()
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert len(compare_rerun) == 1, compare_rerun
    assert len([s for s in statements if "review_" in s]) == 2  # two runs of the Review tab: one each


def test_sample_server_takes_repeated_tokens_and_readers(two_readers) -> None:
    import httpx

    def get(path: str, token: str) -> httpx.Response:
        return httpx.get(two_readers.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert get(f"/jobs/{CETUXIMAB}", "alice-token").status_code == 200
    assert get(f"/jobs/{CETUXIMAB}", "bob-token").status_code == 403  # valid token, not among the readers
    assert get(f"/jobs/{CAPLACIZUMAB}", "bob-token").status_code == 200  # no readers: every token
    assert get(f"/jobs/{CETUXIMAB}", "eve-token").status_code == 401
    listed = {s["id"] for s in get("/samples", "bob-token").json()["samples"]}
    assert CAPLACIZUMAB in listed and CETUXIMAB not in listed


def test_sample_server_command_line_repeats_token() -> None:
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    command = [sys.executable, "-m", "app.sample_api", "--port", str(port), "--token", "one", "--token", "two"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        for token, status in (("one", 200), ("two", 200), ("three", 401)):
            answer = httpx.get(
                f"http://127.0.0.1:{port}/jobs/{CAPLACIZUMAB}", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
            assert answer.status_code == status
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_withdrawn_access_hides_the_review_even_while_the_job_is_cached(two_readers, env, monkeypatch) -> None:
    from dataclasses import replace

    from components import review

    env(two_readers, token="alice-token")
    alice = job_page(CETUXIMAB)
    save(alice, decision="Reject", comment="only for readers", name="Alice")
    store = two_readers.app.state.store
    store.samples[CETUXIMAB] = replace(store.samples[CETUXIMAB], readers=frozenset({"bob-token"}))
    # What 60 s later looks like: the remembered answer has expired and the cached job's fetch is too old
    # to count as one; the job itself stays in the page cache.
    review._access.clear()
    monkeypatch.setattr(review, "ACCESS_TTL_S", 0.0)
    later = job_page(CETUXIMAB)
    assert not later.exception
    shown = everything_shown(later)
    assert "only for readers" not in shown and "Alice" not in shown and "Reject" not in shown
    assert any("does not let this token read it now" in i.value for i in later.info)
    assert not any(b.key == "review-save" for b in later.button)  # nothing can be written either


def test_review_tab_after_another_job_was_opened_offers_it_for_comparison(sample_server, env) -> None:
    """The sidebar keeps recent jobs as records (id, type, status, title): the "Compare with…" list
    took them for ids and the Review tab raised as soon as a second job was opened."""
    env(sample_server)
    at = job_page(CETUXIMAB, section="Overview")
    at.query_params["job_id"] = CAPLACIZUMAB
    at.query_params["section"] = "Review"
    at.text_input(key="job_id").set_value(CAPLACIZUMAB)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    chooser = at.multiselect(key="review-compare-with")
    assert CETUXIMAB in chooser.options


def test_a_signed_in_user_is_the_author_and_is_never_asked_for_a_name(sample_server, env) -> None:
    """With Streamlit's authentication (st.login / st.user), decisions carry the signed-in identity."""
    env(sample_server)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.user = {"is_logged_in": True, "email": "ann.lee@lab.example", "name": "Ann Lee", "sub": "u-17"}
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.query_params["job_id"] = CETUXIMAB
    at.query_params["section"] = "Review"
    at.run()
    assert not at.exception
    assert not names_input(at)
    assert f"Signed in as {md_escape('ann.lee@lab.example')}." in [c.value for c in at.caption]
    assert [b.key for b in at.button if b.key and b.key.startswith("review-sign")] == ["review-sign-out"]
    at = save(at, decision="Hold", comment="signed-in note", name=None)
    assert not at.exception
    assert any("saved" in s.value for s in at.success)

    later = job_page(CETUXIMAB)  # another session, signed out: sees who decided, as signed in
    summary = later.dataframe[0].value.set_index("Candidate")
    assert summary.iloc[0]["By"] == "ann.lee@lab.example (signed in)"
    assert names_input(later)  # signed out: a self-declared name is asked for
    assert not [b for b in later.button if b.key and b.key.startswith("review-sign")]  # no [auth]: no sign-in

    guest = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    guest.secrets["auth"] = at.secrets["auth"]
    guest.user = {"is_logged_in": False}
    guest.query_params["job_id"], guest.query_params["section"] = CETUXIMAB, "Review"
    guest.run()
    assert [b.label for b in guest.button if b.key == "review-sign-in"] == ["Sign in to review under your account"]
