"""Offline geocoder for Twin Cities place mentions (issue 3).

    from alertrelay.bot.geo import Gazetteer, GeoResult, load_gazetteer
    g = load_gazetteer()
    g.geocode("migra en la bloomington y 35")   # -> GeoResult(... place='Bloomington Av S & 35 St E' ...)

Pure: no network, no redis/rq/httpx/signalbot; reads only bot/geo/data/.
"""
from .gazetteer import Gazetteer, load_gazetteer
from .result import GeoResult

__all__ = ["Gazetteer", "GeoResult", "load_gazetteer"]
