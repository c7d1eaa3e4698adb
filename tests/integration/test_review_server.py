"""`incidents serve` as a real process on 127.0.0.1 over a real SQLite file: the pages, the
JSON API, escaping, CSRF, the API's credential rules, conflicts, and the token mode."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reviewdata import ReviewServer, build

from pipeline.cli import main

BRIND, HARROW, SALT = "BRI7613935397", "HAR0190207700", "SAL4086184320"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewServer]:
    db = tmp_path_factory.mktemp("review") / "incidents.sqlite"
    ids = sorted(r.id for r in build(str(db)))
    assert ids == [BRIND, HARROW, SALT]
    with ReviewServer.running(str(db)) as running:
        yield running


def _ids(server: ReviewServer, query: str) -> list[str]:
    body = httpx.get(server.url(f"/api/incidents?{query}")).json()
    return [row["id"] for row in body["incidents"]]


def _form_token(client: httpx.Client, server: ReviewServer, incident: str) -> tuple[str, int]:
    """The CSRF token and version an analyst's page carries (and its cookie, kept by `client`)."""
    page = client.get(server.url(f"/incidents/{incident}")).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert csrf and version
    return csrf[1], int(version[1])


def test_list_page_shows_each_incident_with_its_charts_and_only_local_assets(server: ReviewServer) -> None:
    page = httpx.get(server.url("/incidents"))
    assert page.status_code == 200
    html = page.text
    for text in ("Brindlewood Dental Group", "Quillfeather Collective", "Saltmarsh Ferries", "unreviewed"):
        assert text in html
    assert html.count("<svg") == 2 and "Incidents per month by type" in html
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert httpx.get(server.url(asset)).status_code == 200


def test_api_filters_sorts_and_pages(server: ReviewServer) -> None:
    assert _ids(server, "type=Ransomware") == [SALT]
    assert _ids(server, "actor=quillfeather") == [BRIND]
    assert _ids(server, "victim=HARROW") == [HARROW]
    assert _ids(server, "q=ferries") == [SALT]
    assert _ids(server, "q=100%25") == []  # a LIKE wildcard in the search is a plain character
    assert _ids(server, "date_from=2025-05-01&sort=date&order=asc") == [SALT, HARROW]
    assert _ids(server, "date_to=2025-04-30") == [BRIND]
    assert _ids(server, "severity_min=61") == []
    assert _ids(server, "sort=sources&order=desc")[0] == BRIND
    assert _ids(server, "sort=id&order=asc") == [BRIND, HARROW, SALT]
    second = httpx.get(server.url("/api/incidents?sort=id&order=asc&per_page=1&page=2")).json()
    assert second["total"] == 3 and [r["id"] for r in second["incidents"]] == [HARROW]
    row = httpx.get(server.url("/api/incidents?victim=brindlewood")).json()["incidents"][0]
    assert row["victim"] == "Brindlewood Dental Group" and row["actors"] == ["Quillfeather Collective"]
    assert row["sources"] == 2 and row["event_date"] == "2025-03-04"


def test_incident_page_shows_every_field_and_its_evidence_in_the_article(server: ReviewServer) -> None:
    html = httpx.get(server.url(f"/incidents/{BRIND}?ev=1")).text
    for label in ("records affected", "dates › disclosed", "threat actors 1 › attribution", "schema version"):
        assert label in html
    assert "Example Health Wire" in html and 'href="https://news.example/brindlewood-breach"' in html
    active = re.findall(r'<mark id="ev-1" class="ev active in-sentence"[^>]*>([^<]*)</mark>', html)
    assert active == ["Quillfeather Collective"]
    sentence = re.findall(r'class="sent in-sentence"[^>]*>([^<]*)<', html)
    assert "".join(sentence).strip().startswith("The group known as")


def test_markup_in_article_titles_and_texts_renders_as_text(server: ReviewServer) -> None:
    for path in (f"/incidents/{HARROW}", "/incidents"):
        html = httpx.get(server.url(path)).text
        assert "<script>document.title" not in html
        assert "<img src=x" not in html and "<b>loses</b>" not in html and "<i>Injected</i>" not in html
        assert "&lt;script&gt;document.title=" in html
        assert 'href="javascript:' not in html


def test_forms_need_the_csrf_token_of_their_cookie(server: ReviewServer) -> None:
    url = server.url(f"/incidents/{SALT}/review")
    with httpx.Client() as client:
        csrf, version = _form_token(client, server, SALT)
        form = {"action": "confirm", "version": str(version)}
        assert httpx.post(url, data={**form, "csrf": csrf}).status_code == 403  # no cookie
        assert client.post(url, data={**form, "csrf": "forged"}).status_code == 403
        crossed = client.post(url, data={**form, "csrf": csrf}, headers={"Origin": "http://evil.example"})
        assert crossed.status_code == 403
        assert _ids(server, "state=confirmed") == []
        done = client.post(url, data={**form, "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"].startswith(f"/incidents/{SALT}")
    assert _ids(server, "state=confirmed") == [SALT]


def test_api_actions_need_a_json_body_on_loopback(server: ReviewServer) -> None:
    url = server.url(f"/api/incidents/{HARROW}/review")
    assert httpx.post(url, data={"action": "reject"}).status_code == 415
    plain = httpx.post(url, content=b'{"action": "reject"}', headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    crossed = httpx.post(url, json={"action": "reject"}, headers={"Origin": "http://evil.example"})
    assert crossed.status_code == 403
    assert _ids(server, "state=rejected") == []
    done = httpx.post(url, json={"action": "reject"}, headers={"X-Reviewer": "Ines Arbour"})
    assert done.status_code == 200
    body = done.json()
    assert body["incident"]["review"]["state"] == "rejected" and body["action"]["reviewer"] == "Ines Arbour"
    assert _ids(server, "state=rejected") == [HARROW]
    bad = httpx.post(server.url(f"/api/incidents/{HARROW}/corrections"), json={"field": "id", "value": "x"})
    assert bad.status_code == 400 and "cannot be corrected" in bad.json()["error"]
    assert httpx.post(server.url("/api/incidents/NOPE/review"), json={"action": "confirm"}).status_code == 404


def test_a_second_correction_of_the_same_version_is_a_conflict(server: ReviewServer) -> None:
    url = server.url(f"/api/incidents/{BRIND}/corrections")
    version = httpx.get(server.url(f"/api/incidents/{BRIND}")).json()["version"]
    first = httpx.post(url, json={"field": "records_affected", "value": 42000, "version": version})
    assert first.status_code == 200 and first.json()["incident"]["records_affected"] == 42000
    second = httpx.post(url, json={"field": "records_affected", "value": 9, "version": version})
    assert second.status_code == 409 and second.json()["version"] == first.json()["version"]
    assert httpx.get(server.url(f"/api/incidents/{BRIND}")).json()["incident"]["records_affected"] == 42000
    with httpx.Client() as client:  # the page: the form of an old version shows the conflict
        csrf, _ = _form_token(client, server, BRIND)
        stale = {"csrf": csrf, "version": str(version), "field": "records_affected", "value": "7"}
        page = client.post(server.url(f"/incidents/{BRIND}/corrections"), data=stale)
    assert page.status_code == 409 and "changed since you read it" in page.text
    assert httpx.get(server.url(f"/api/incidents/{BRIND}")).json()["incident"]["records_affected"] == 42000


def test_split_and_merge_rebuild_the_incidents_and_keep_the_history(server: ReviewServer) -> None:
    split = httpx.post(server.url(f"/api/incidents/{BRIND}/split"), json={"article": "art-brind-2"})
    assert split.status_code == 200
    alone = split.json()["other_incidents"][0]["id"]
    assert [s["article_id"] for s in split.json()["incident"]["sources"]] == ["art-brind-1"]
    assert len(_ids(server, "victim=brindlewood")) == 2
    merged = httpx.post(server.url(f"/api/incidents/{BRIND}/merge"), json={"incident": alone})
    assert merged.status_code == 200
    assert _ids(server, "victim=brindlewood") == [BRIND]
    detail = httpx.get(server.url(f"/api/incidents/{BRIND}")).json()
    assert len(detail["incident"]["sources"]) == 2 and alone in detail["incident"]["absorbed_ids"]
    assert [a["action"] for a in detail["actions"]][-2:] == ["split", "merge"]


def test_other_host_names_are_refused_on_loopback(server: ReviewServer) -> None:
    assert httpx.get(server.url("/incidents"), headers={"Host": "rebound.example"}).status_code == 400


def test_with_a_token_the_api_needs_it_and_pages_need_signing_in(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    build(str(db))
    with ReviewServer.running(str(db), "--token", "t0ken-for-tests") as server:
        assert httpx.get(server.url("/api/incidents")).status_code == 401
        wrong = httpx.get(server.url("/api/incidents"), headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        auth = {"Authorization": "Bearer t0ken-for-tests"}
        assert httpx.get(server.url("/api/incidents"), headers=auth).json()["total"] == 3
        assert httpx.get(server.url("/incidents")).status_code == 303
        with httpx.Client() as client:
            login = client.get(server.url("/login")).text
            csrf = re.search(r'name="csrf" value="([^"]+)"', login)
            assert csrf
            denied = client.post(server.url("/login"), data={"csrf": csrf[1], "token": "guess"})
            assert denied.status_code == 403
            signed = client.post(server.url("/login"), data={"csrf": csrf[1], "token": "t0ken-for-tests"})
            assert signed.status_code == 303
            assert "Brindlewood" in client.get(server.url("/incidents")).text


def test_serving_off_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    build(str(db))
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--db", str(db), "--host", "0.0.0.0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--token is required" in done.stderr


def test_serving_a_missing_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "no such database" in capsys.readouterr().err


def test_the_list_filters_pages_and_actions_work_on_postgresql(pg_url: str) -> None:
    assert sorted(r.id for r in build(pg_url)) == [BRIND, HARROW, SALT]
    with ReviewServer.running(pg_url) as server:
        assert _ids(server, "actor=quill") == [BRIND]
        assert _ids(server, "q=100%25") == []
        assert _ids(server, "q=ferries&date_from=2025-05-01&severity_max=60") == [SALT]
        assert _ids(server, "sort=sources&order=desc")[0] == BRIND
        assert "<svg" in httpx.get(server.url("/incidents")).text
        html = httpx.get(server.url(f"/incidents/{BRIND}?ev=1")).text
        assert '<mark id="ev-1" class="ev active in-sentence"' in html
        review = server.url(f"/api/incidents/{SALT}/review")
        done = httpx.post(review, json={"action": "reject", "version": 1})
        assert done.status_code == 200 and _ids(server, "state=rejected") == [SALT]
        assert httpx.post(review, json={"action": "confirm", "version": 1}).status_code == 409
