"""Choosing the distribution file pip would pick (safepip.inspect.index)."""

from __future__ import annotations

import json
import platform
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from packaging.requirements import Requirement
from packaging.tags import Tag, sys_tags
from packaging.version import Version
from support import PackageIndex, build_sdist, build_wheel

from safepip.exceptions import IndexUnreachable, InspectError, NoMatchingDistribution
from safepip.inspect.index import (
    Link,
    find_candidate,
    parse_html_page,
    parse_json_page,
    project_url,
    select_candidate,
)
from safepip.pip.index_options import IndexOptions
from safepip.urls import redact

TAGS = list(sys_tags())
PYTHON = platform.python_version()
BEST = TAGS[0]  # e.g. cp311-cp311-manylinux_2_36_x86_64
LATER = next(t for t in TAGS if t.interpreter.startswith("py3") and t.platform == "any")


def wheel(name: str, version: str, tag: Tag | str = "py3-none-any", **kw: Any) -> Link:
    filename = f"{name}-{version}-{tag}.whl"
    return Link(filename=filename, url=f"https://files.example/{filename}", **kw)


def sdist(name: str, version: str, **kw: Any) -> Link:
    filename = f"{name}-{version}.tar.gz"
    return Link(filename=filename, url=f"https://files.example/{filename}", **kw)


def pick(requirement: str, links: list[Link], *, pre: bool = False, python: str = PYTHON) -> str:
    chosen = select_candidate(
        Requirement(requirement), links, tags=TAGS, python_version=python, pre=pre
    )
    return chosen.filename


# -- pages ------------------------------------------------------------------------------------


def test_html_page_attributes_hashes_and_relative_urls() -> None:
    page = """<!DOCTYPE html><html><body>
      <a href="../../files/demo-1.0-py3-none-any.whl#sha256=abc"
         data-requires-python="&gt;=3.8">demo-1.0-py3-none-any.whl</a>
      <a href="/files/demo-0.9.tar.gz" data-yanked="">demo-0.9.tar.gz</a>
      <a href="https://other.example/demo-0.8.tar.gz" data-yanked="broken build">x</a>
      <a>no href</a>
    </body></html>"""
    links = parse_html_page(page, "https://index.example/simple/demo/")
    assert [link.filename for link in links] == [
        "demo-1.0-py3-none-any.whl",
        "demo-0.9.tar.gz",
        "demo-0.8.tar.gz",
    ]
    first, second, third = links
    assert first.url == "https://index.example/files/demo-1.0-py3-none-any.whl"
    assert first.hashes == {"sha256": "abc"}
    assert first.requires_python == ">=3.8"
    assert first.yanked is None
    assert second.url == "https://index.example/files/demo-0.9.tar.gz"
    assert second.yanked == ""
    assert third.yanked == "broken build"


def test_html_base_href_is_honoured() -> None:
    page = '<html><head><base href="https://cdn.example/pkgs/"></head>'
    page += '<body><a href="demo-1.0.tar.gz">d</a></body></html>'
    (link,) = parse_html_page(page, "https://index.example/simple/demo/")
    assert link.url == "https://cdn.example/pkgs/demo-1.0.tar.gz"


def test_json_page() -> None:
    document = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-1.0-py3-none-any.whl",
                "url": "../../files/demo-1.0-py3-none-any.whl",
                "hashes": {"sha256": "abc"},
                "requires-python": ">=3.8",
                "yanked": False,
            },
            {
                "filename": "demo-0.9.tar.gz",
                "url": "/f/demo-0.9.tar.gz",
                "hashes": {},
                "yanked": True,
            },
            {
                "filename": "demo-0.8.tar.gz",
                "url": "/f/demo-0.8.tar.gz",
                "hashes": {},
                "yanked": "bad",
            },
        ],
    }
    links = parse_json_page(json.dumps(document).encode(), "https://index.example/simple/demo/")
    assert links[0].url == "https://index.example/files/demo-1.0-py3-none-any.whl"
    assert links[0].hashes == {"sha256": "abc"}
    assert links[0].requires_python == ">=3.8"
    assert [link.yanked for link in links] == [None, "", "bad"]


def test_malformed_json_page_is_an_index_error() -> None:
    with pytest.raises(IndexUnreachable, match="malformed"):
        parse_json_page(b'{"files": 3}', "https://index.example/simple/demo/")


def test_project_url_and_redaction() -> None:
    assert project_url("https://i.example/simple", "Foo.Bar_baz") == (
        "https://i.example/simple/foo-bar-baz/"
    )
    assert (
        redact("https://u:secret@i.example:8080/simple/") == "https://u:****@i.example:8080/simple/"
    )
    assert redact("https://i.example/simple/") == "https://i.example/simple/"


def test_index_options_as_pip_arguments() -> None:
    options = IndexOptions(
        index_url="https://a/simple", extra_index_urls=("https://b/simple",),
        find_links=("/wheels",), pre=True,
    )  # fmt: skip
    assert options.pip_args() == [
        "--index-url", "https://a/simple", "--extra-index-url", "https://b/simple",
        "--find-links", "/wheels", "--pre",
    ]  # fmt: skip
    assert IndexOptions(no_index=True).pip_args() == ["--no-index"]


# -- choosing ---------------------------------------------------------------------------------


def test_highest_version_then_best_tag_then_sdist() -> None:
    links = [
        sdist("demo", "2.0"),
        wheel("demo", "2.0", LATER),
        wheel("demo", "2.0", BEST),
        wheel("demo", "1.0", BEST),
    ]
    assert pick("demo", links) == f"demo-2.0-{BEST}.whl"
    assert pick("demo", links[:2]) == f"demo-2.0-{LATER}.whl"
    assert pick("demo", links[:1] + links[3:]) == "demo-2.0.tar.gz"  # newer sdist beats old wheel
    assert pick("demo<2", links) == f"demo-1.0-{BEST}.whl"


def test_incompatible_wheels_and_other_projects_are_ignored() -> None:
    links = [
        wheel("demo", "3.0", "cp27-cp27m-win32"),
        wheel("demo-extra", "9.0"),
        Link(filename="demo-latest.tar.gz", url="https://f/demo-latest.tar.gz"),
        Link(filename="demo.egg", url="https://f/demo.egg"),
        wheel("demo", "1.0"),
    ]
    assert pick("demo", links) == "demo-1.0-py3-none-any.whl"


def test_build_tag_breaks_ties() -> None:
    links = [
        Link(filename="demo-1.0-1-py3-none-any.whl", url="https://f/a"),
        Link(filename="demo-1.0-2-py3-none-any.whl", url="https://f/b"),
        Link(filename="demo-1.0-py3-none-any.whl", url="https://f/c"),
    ]
    assert pick("demo", links) == "demo-1.0-2-py3-none-any.whl"


def test_prereleases_only_when_asked_or_alone() -> None:
    links = [wheel("demo", "1.0"), wheel("demo", "2.0b1")]
    assert pick("demo", links) == "demo-1.0-py3-none-any.whl"
    assert pick("demo", links, pre=True) == "demo-2.0b1-py3-none-any.whl"
    assert pick("demo>=2.0b1", links) == "demo-2.0b1-py3-none-any.whl"
    assert pick("demo", links[1:]) == "demo-2.0b1-py3-none-any.whl"  # nothing else matches


def test_requires_python_excludes_files() -> None:
    links = [
        wheel("demo", "2.0", requires_python=">=4"),
        wheel("demo", "1.0", requires_python=">=3.6,<4"),
        sdist("demo", "1.5", requires_python="not a specifier"),  # ignored, as pip does
    ]
    assert pick("demo", links) == "demo-1.5.tar.gz"
    assert pick("demo", links[:2], python="4.1") == "demo-2.0-py3-none-any.whl"
    with pytest.raises(NoMatchingDistribution):
        pick("demo", links[:2], python="3.5.9")


def test_yanked_files_only_when_pinned_and_alone() -> None:
    links = [wheel("demo", "2.0", yanked="broken"), wheel("demo", "1.0")]
    assert pick("demo", links) == "demo-1.0-py3-none-any.whl"
    assert pick("demo==2.0", links) == "demo-2.0-py3-none-any.whl"
    assert pick("demo===2.0", links) == "demo-2.0-py3-none-any.whl"
    with pytest.raises(NoMatchingDistribution):
        pick("demo>=2.0", links)
    with pytest.raises(NoMatchingDistribution):
        pick("demo==2.*", links)


def test_no_match_lists_the_versions_seen() -> None:
    with pytest.raises(NoMatchingDistribution, match=r"versions seen: 1\.0, 2\.0") as info:
        pick("demo>5", [wheel("demo", "2.0"), wheel("demo", "1.0")])
    assert isinstance(info.value, InspectError)  # one family, never a bare ValueError
    with pytest.raises(NoMatchingDistribution, match="versions seen: none"):
        pick("demo", [])


# -- real HTTP --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageIndex]:
    dists = tmp_path_factory.mktemp("versions")
    with PackageIndex(tmp_path_factory.mktemp("versions-index")) as idx:
        idx.add(
            build_wheel(dists, "verdemo", "1.0"),
            build_wheel(dists, "verdemo", "2.0"),
            build_wheel(dists, "verdemo", "3.0b1"),
            build_wheel(dists, "verdemo", "4.0", requires_python=">=99"),
            build_sdist(dists, "verdemo", "2.5"),
            build_wheel(dists, "verdemo", "2.5", tag="cp27-cp27m-win32"),
            build_wheel(dists, "Ver.Other", "1.0"),
        )
        yield idx


def find(index: str, requirement: str, **options: Any) -> str:
    chosen = find_candidate(
        Requirement(requirement),
        IndexOptions(index_url=index, **options),
        tags=TAGS,
        python_version=PYTHON,
    )
    return chosen.filename


def test_version_selection_over_http(versions_index: PackageIndex) -> None:
    url = versions_index.url
    assert find(url, "verdemo") == "verdemo-2.5.tar.gz"  # 4.0 needs Python 99, 3.0b1 is pre
    assert find(url, "verdemo", pre=True) == "verdemo-3.0b1-py3-none-any.whl"
    assert find(url, "VerDemo<2.5") == "verdemo-2.0-py3-none-any.whl"
    assert find(url, "ver-other") == "ver_other-1.0-py3-none-any.whl"  # redirect to normalised
    chosen = find_candidate(
        Requirement("verdemo<2.5"), IndexOptions(index_url=url), tags=TAGS, python_version=PYTHON
    )
    assert chosen.version == Version("2.0")
    assert chosen.is_wheel
    assert chosen.hashes == {"sha256": versions_index.sha256(chosen.filename)}
    assert chosen.url == versions_index.file_url(chosen.filename)


def test_unknown_project_is_no_match(versions_index: PackageIndex) -> None:
    with pytest.raises(NoMatchingDistribution, match="nosuchproject"):
        find(versions_index.url, "nosuchproject")


def test_extra_index_and_find_links(
    versions_index: PackageIndex, make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    newer = build_wheel(tmp_path / "newer", "verdemo", "2.7")
    extra = make_index(newer, standard=False)
    assert find(versions_index.url, "verdemo", extra_index_urls=(extra.url,)) == newer.name
    local = build_wheel(tmp_path / "local", "verdemo", "2.8")
    assert find(versions_index.url, "verdemo", find_links=(str(local.parent),)) == local.name
    assert find("http://unused.invalid/", "verdemo", no_index=True, find_links=(str(local),)) == (
        local.name
    )
    page = tmp_path / "page"
    page.mkdir()
    (page / "index.html").write_text(f'<a href="{extra.file_url(newer.name)}">x</a>')
    assert find("", "verdemo", no_index=True, find_links=(page.as_uri(),)) == newer.name


@pytest.mark.parametrize("fault", ["500", "stall"])
def test_unreachable_index(make_index: Callable[..., PackageIndex], fault: str) -> None:
    idx = make_index(standard=False)
    idx.set_fault(fault, seconds=5)  # type: ignore[arg-type]
    with pytest.raises(IndexUnreachable) as info:
        find_candidate(
            Requirement("verdemo"),
            IndexOptions(index_url=idx.url),
            tags=TAGS,
            python_version=PYTHON,
            timeout=0.5,
        )
    assert info.value.url == idx.url + "verdemo/"
    assert info.value.status == (500 if fault == "500" else None)


def test_unreachable_source_is_skipped_when_another_has_it(
    versions_index: PackageIndex, make_index: Callable[..., PackageIndex]
) -> None:
    broken = make_index(standard=False)
    broken.set_fault("500")
    assert find(broken.url, "verdemo<2.5", extra_index_urls=(versions_index.url,)) == (
        "verdemo-2.0-py3-none-any.whl"
    )


class _JsonIndex(BaseHTTPRequestHandler):
    """PEP 691 project pages, with Basic credentials required (``u:p``)."""

    files: ClassVar[dict[str, list[dict[str, Any]]]] = {}
    seen: ClassVar[list[dict[str, str]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers))
        if self.headers.get("Authorization") != "Basic dTpw":  # u:p
            self.send_response(401)
            self.end_headers()
            return
        name = self.path.strip("/").split("/")[-1]
        body = json.dumps({"meta": {"api-version": "1.0"}, "files": self.files.get(name, [])})
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.end_headers()
        self.wfile.write(body.encode())


def test_json_index_with_yanked_files_and_credentials() -> None:
    _JsonIndex.files = {
        "jdemo": [
            {"filename": "jdemo-2.0-py3-none-any.whl", "url": "/f/jdemo-2.0-py3-none-any.whl",
             "hashes": {"sha256": "22"}, "yanked": "oops"},
            {"filename": "jdemo-1.0-py3-none-any.whl", "url": "/f/jdemo-1.0-py3-none-any.whl",
             "hashes": {"sha256": "11"}},
        ]
    }  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JsonIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://u:p@127.0.0.1:{server.server_address[1]}/simple/"
        assert find(url, "jdemo") == "jdemo-1.0-py3-none-any.whl"
        assert find(url, "jdemo==2.0") == "jdemo-2.0-py3-none-any.whl"
        assert "application/vnd.pypi.simple.v1+json" in _JsonIndex.seen[-1]["Accept"]
        with pytest.raises(IndexUnreachable, match="401") as info:
            find(url.replace("u:p@", "u:wrong@"), "jdemo")
        assert "wrong" not in info.value.message
    finally:
        server.shutdown()
        server.server_close()
