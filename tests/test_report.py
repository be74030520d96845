"""The HTML report: self-contained, and rendered by headless Chromium with its four charts visible."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from newsflow.report import write_report
from tasks.write import refresh_views
from tests.test_stories import seed_warehouse

CHARTS = ["top-speakers", "entity-timeline", "story-clusters", "rejects"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def chromium() -> str:
    """The chromium binary, installed from Debian's packages when missing (needs root, as on CI)."""
    exe = shutil.which("chromium")
    if exe:
        return exe
    if os.geteuid() != 0:
        pytest.fail("chromium is missing and only root can install it: apt-get install -y chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True)
    exe = shutil.which("chromium")
    assert exe, "apt-get install chromium did not provide a chromium binary"
    return exe


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.glob('chromium-profile-*')))}"
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory, newsflow_cli) -> Path:
    wh = seed_warehouse(tmp_path_factory, newsflow_cli)
    return write_report(str(wh), tmp_path_factory.mktemp("report") / "out" / "report.html")


def test_report_is_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b", page)  # nothing to load: no script, stylesheet or image
    assert not re.search(r"""(src|href)=["'](?!#)""", page)  # links only inside the page (SVG glyph refs)
    assert not re.search(r"url\((?!#)", page)
    for name in CHARTS:
        figure = re.search(rf'<figure class="chart" id="chart-{name}">(.*?)</figure>', page, re.S)
        assert figure and "<svg" in figure.group(1) and "<path" in figure.group(1), name


def test_chromium_renders_the_charts(report, tmp_path):
    dom = run_chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    for name in CHARTS:
        assert re.search(rf'<figure class="chart" id="chart-{name}"><svg\b', dom), name
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, "--window-size=1200,1300", f"--screenshot={shot}", report.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1300)
    colours = image.getcolors(maxcolors=1 << 20)
    non_white = sum(n for n, c in colours if sum(c) < 720) / (image.width * image.height)
    assert non_white > 0.03, "the screenshot is (nearly) blank"
    # the bars are drawn: pixels of the bar colours (quotes / stories #3b6ea8, distinct quotes / rejects #d9822b)
    counts = dict((c, n) for n, c in colours)
    assert counts.get((0x3B, 0x6E, 0xA8), 0) > 2000 and counts.get((0xD9, 0x82, 0x2B), 0) > 500


def test_report_of_an_empty_warehouse_says_so(tmp_path):
    refresh_views(tmp_path)
    page = write_report(str(tmp_path), tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<figure class="chart"') == 4 and "0 documents" in page


def test_report_needs_a_warehouse(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_report(str(tmp_path / "missing"), tmp_path / "r.html")
