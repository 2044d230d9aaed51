"""A window's stars on the hall's screens: the mean level of the month's valid ratings, to one decimal."""

from decimal import Decimal

from window_staff.evaluations.service.stars import month_stars


def test_stars_are_the_mean_level_rounded_half_up() -> None:
    assert month_stars([5, 4, 4, 5]) == Decimal("4.5") and month_stars([5, 5, 4]) == Decimal("4.7")


def test_no_ratings_show_no_stars() -> None:
    assert month_stars([]) is None
