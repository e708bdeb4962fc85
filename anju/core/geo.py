"""Coordinates (WGS-84, as a phone or a map app gives them) and the great-circle distance.

The same formula is written twice: here for what a page explains, and in SQL for set-based
matching (``anju.employment.matchsql``); a test holds the two to the same answers."""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG), as most map tools use

LATITUDE = [
    MinValueValidator(Decimal("-90"), "纬度应在 -90 至 90 度之间（WGS-84，如 26.765432）。"),
    MaxValueValidator(Decimal("90"), "纬度应在 -90 至 90 度之间（WGS-84，如 26.765432）。"),
]
LONGITUDE = [
    MinValueValidator(Decimal("-180"), "经度应在 -180 至 180 度之间（WGS-84，如 108.523456）。"),
    MaxValueValidator(Decimal("180"), "经度应在 -180 至 180 度之间（WGS-84，如 108.523456）。"),
]


def check_pair(latitude, longitude) -> None:
    """A point is both coordinates or none: one alone places nothing."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise ValidationError({missing: "经度和纬度须同时填写（或都不填）。"})


def distance_km(lat1, lon1, lat2, lon2) -> float | None:
    """Great-circle (haversine) distance in km; None when either point is unknown."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
