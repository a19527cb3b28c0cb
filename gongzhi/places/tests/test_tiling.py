"""The tiling check: the grids must cover the subdistrict with no gap, no overlap and nothing
outside it; each problem is reported with the grids concerned and its area."""

from __future__ import annotations

import pytest

from gongzhi.places import selectors, services
from gongzhi.places.tiling import check_tiling, describe
from gongzhi.testing.geometry import polygon, rect

A, B, C = "310107005001001", "310107005001002", "310107005001003"
OUTLINE = rect(0, 0, 100, 100)


def test_a_clean_tiling_is_ok():
    report = check_tiling(OUTLINE, [(A, rect(0, 0, 50, 100)), (B, rect(50, 0, 100, 100))])
    assert report.ok
    assert report.issues == []
    assert report.grid_count == 2
    assert report.outline_area_m2 == pytest.approx(10_000, abs=0.1)
    assert report.grids_area_m2 == pytest.approx(10_000, abs=0.1)


def test_gap_overlap_and_outside_are_reported_with_their_grids_and_areas():
    report = check_tiling(
        OUTLINE,
        [
            (A, rect(0, 0, 50, 100)),
            (B, rect(49, 0, 100, 50)),  # overlaps A by 1 m × 50 m
            (C, rect(50, 53, 100, 104)),  # 3 m × 50 m gap below it; 4 m × 50 m above the outline
        ],
    )
    assert not report.ok
    [overlap] = report.by_kind("overlap")
    assert overlap.grids == [A, B]
    assert overlap.area_m2 == pytest.approx(50, abs=0.1)
    [gap] = report.by_kind("gap")
    assert gap.grids == [A, B, C]
    assert gap.area_m2 == pytest.approx(150, abs=0.1)
    [outside] = report.by_kind("outside")
    assert outside.grids == [C]
    assert outside.area_m2 == pytest.approx(200, abs=0.1)
    assert len(report.issues) == 3


def test_problems_under_the_tolerance_are_ignored():
    grids = [(A, rect(0, 0, 50, 100)), (B, rect(50.005, 0, 100, 100))]  # 5 mm × 100 m = 0.5 m²
    assert check_tiling(OUTLINE, grids, tolerance_m2=1.0).ok
    strict = check_tiling(OUTLINE, grids, tolerance_m2=0.1)
    [gap] = strict.issues
    assert gap.kind == "gap"
    assert gap.area_m2 == pytest.approx(0.5, abs=0.1)


def test_invalid_geometry_is_reported_with_the_reason():
    bowtie = polygon((0, 0), (50, 100), (50, 0), (0, 100))
    report = check_tiling(OUTLINE, [(A, bowtie), (B, rect(50, 0, 100, 100))])
    [invalid] = report.by_kind("invalid")
    assert invalid.grids == [A]
    assert "Self-intersection" in invalid.detail
    missing = check_tiling(OUTLINE, [(A, {}), (B, rect(0, 0, 100, 100))])
    assert missing.by_kind("invalid")[0].grids == [A]


def test_describe_names_the_grids_and_areas():
    report = check_tiling(OUTLINE, [(A, rect(0, 0, 50, 100)), (B, rect(50, 0, 100, 90))])
    lines = describe(report, [(A, "杏梅园一"), (B, "杏梅园二")])
    assert lines == [f"Gap of 500.0 m² between {A} 杏梅园一, {B} 杏梅园二"]


def test_the_database_tiling_of_the_world_is_clean(world):
    report = selectors.tiling_report()
    assert report.ok
    assert report.grid_count == 4
    assert selectors.tiling_summary(report).startswith("The 4 grids tile the subdistrict")


def test_archived_grids_leave_a_gap_in_the_database_check(world):
    services.grid_archive(actor=world.admin, grid=world.grids["b2"])
    report = selectors.tiling_report()
    [gap] = report.issues
    assert gap.kind == "gap"
    assert gap.area_m2 == pytest.approx(250_000, rel=1e-4)  # the projection's scale error
    assert "310107005002002" not in gap.grids
    [line] = selectors.tiling_lines(report)
    assert line.startswith("Gap of 2499")
    assert line.endswith(
        "m² between 310107005001001 杏梅园一, 310107005001002 杏梅园二, 310107005002001 杏杨一"
    )  # a1 touches its corner
